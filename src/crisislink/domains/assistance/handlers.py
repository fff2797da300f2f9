"""Command handlers of the unit registry: register a unit, change it, set its status and position."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import events as e
from crisislink.domains.assistance.arrangements import check_arrangements, check_radio
from crisislink.domains.assistance.catalogue import capability
from crisislink.domains.assistance.labels import check_audience
from crisislink.domains.assistance.model import MAX_NAME, Unit, UnitStatus, text
from crisislink.domains.assistance.permissions import require_home, require_unit_manager
from crisislink.domains.assistance.ports import AssistanceUnitOfWork
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.i18n import check_language
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label
from crisislink.kernel.messages import Command

Now = Callable[[], datetime]
_CALL_SIGN = 64


def languages(codes: tuple[str, ...], what: str) -> tuple[str, ...]:
    try:
        return tuple(dict.fromkeys(check_language(code) for code in codes))
    except ValueError as error:
        raise InvalidInput(f"{what}: {error}") from None


def _call_sign(value: str | None) -> str | None:
    """An empty call sign is no call sign (and clears one on update)."""
    if value is None:
        return None
    return text(value, "the call sign", _CALL_SIGN, required=False) or None


def _country(uow: AssistanceUnitOfWork, partner_id: uuid.UUID) -> str:
    partner = uow.directory.partner(partner_id)
    if partner is None:
        raise InvalidInput(f"no partner with id {partner_id}")
    return partner.country


def unit_status_changed(unit: Unit, previous: UnitStatus) -> e.UnitStatusChanged:
    position = None if unit.position is None else (unit.position.lon, unit.position.lat)
    return e.UnitStatusChanged(
        label=unit.label,
        unit_id=unit.id,
        status=unit.status.value,
        previous=previous.value,
        at=unit.status_at,
        position=position,
        offer_id=unit.offer_id,
    )


def register_unit(cmd: c.RegisterUnit, uow: AssistanceUnitOfWork, now: Now) -> uuid.UUID:
    require_unit_manager(cmd.actor, cmd.partner_id)
    country = _country(uow, cmd.partner_id)
    kind = capability(cmd.capability)
    check_audience(uow.directory, cmd.audience)
    if cmd.status not in {UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE}:
        raise InvalidInput(
            "a new unit is available or out of service; assistance offers commit and deploy it"
        )
    label = Label(cmd.partner_id, uow.node_id, cmd.marking, cmd.audience)
    unit = Unit(
        id=new_id(),
        label=label,
        capability=kind.code,
        name=text(cmd.name, "the unit's name", MAX_NAME),
        call_sign=_call_sign(cmd.call_sign),
        home_base=cmd.home_base,
        status=cmd.status,
        status_at=now(),
        crew_languages=languages(cmd.crew_languages, "crew languages"),
        radio=check_radio(cmd.radio),
        arrangements=check_arrangements(cmd.arrangements, country, kind.code),
    )
    unit.record(e.UnitRegistered(label=label, unit_id=unit.id, capability=unit.capability, name=unit.name))
    uow.units.add(unit)
    uow.commit()
    return unit.id


def _editable(uow: AssistanceUnitOfWork, unit_id: uuid.UUID, cmd: Command) -> Unit:
    unit = uow.units.get(unit_id)
    require_unit_manager(cmd.actor, unit.label.owner_partner_id)
    require_home(unit, uow.node_id, "unit")
    return unit


def update_unit(cmd: c.UpdateUnit, uow: AssistanceUnitOfWork) -> None:
    unit = _editable(uow, cmd.unit_id, cmd)
    check_version(unit, cmd.expected_version, "unit")
    changed = _apply(cmd, unit, uow)
    if cmd.marking is not None or cmd.audience is not None:
        check_audience(uow.directory, cmd.audience or ())
        old = unit.label
        unit.label = Label(
            old.owner_partner_id,
            old.home_node_id,
            cmd.marking or old.marking,
            cmd.audience if cmd.audience is not None else old.audience,
        )
        if unit.label != old:
            unit.record(e.UnitRelabelled(label=old, unit_id=unit.id))
            changed.append("label")
    if changed:
        unit.record(e.UnitUpdated(label=unit.label, unit_id=unit.id, changed=tuple(changed)))
    uow.commit()


def _apply(cmd: c.UpdateUnit, unit: Unit, uow: AssistanceUnitOfWork) -> list[str]:
    owner = unit.label.owner_partner_id
    assert owner is not None, "units always have an owner partner"
    # Only the fields given are changed; each is checked as on registration.
    values: dict[str, object] = {}
    if cmd.name is not None:
        values["name"] = text(cmd.name, "the unit's name", MAX_NAME)
    if cmd.call_sign is not None:
        values["call_sign"] = _call_sign(cmd.call_sign)
    if cmd.home_base is not None:
        values["home_base"] = cmd.home_base
    if cmd.crew_languages is not None:
        values["crew_languages"] = languages(cmd.crew_languages, "crew languages")
    if cmd.radio is not None:
        values["radio"] = check_radio(cmd.radio)
    if cmd.arrangements is not None:
        values["arrangements"] = check_arrangements(cmd.arrangements, _country(uow, owner), unit.capability)
    changed = [name for name, value in values.items() if value != getattr(unit, name)]
    for name in changed:
        setattr(unit, name, values[name])
    return changed


def set_unit_status(cmd: c.SetUnitStatus, uow: AssistanceUnitOfWork, now: Now) -> None:
    unit = _editable(uow, cmd.unit_id, cmd)
    previous = unit.set_status(cmd.status, cmd.position, now())
    unit.record(unit_status_changed(unit, previous))
    uow.commit()
