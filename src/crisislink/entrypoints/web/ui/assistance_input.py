"""Reading the console's assistance forms into commands. Each parser raises InvalidInput naming the field,
so a refused form is re-rendered with a reason the operator can act on, and nothing reaches the bus.

Times are `datetime-local` values in the operator's own time zone (the browser does not send it); places
are longitude and latitude in WGS84 degrees, typed or set by a click on the map.
"""

from __future__ import annotations

import uuid

from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance.model import HostNationSupport, Point, StagingArea, UnitStatus
from crisislink.entrypoints.web.ui.form_values import FormInput, local_time, optional_uuid, whole_number
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import Actor

MAX_REASON = 2_000


def number(value: str, what: str) -> float:
    try:
        return float(value.strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a number") from None


def point(form: FormInput, lon: str, lat: str, what: str) -> Point | None:
    """A place given by two fields: both or neither."""
    given_lon, given_lat = form.get(lon).strip(), form.get(lat).strip()
    if not given_lon and not given_lat:
        return None
    if not given_lon or not given_lat:
        raise InvalidInput(f"{what}: give both longitude and latitude, or neither")
    return Point(lon=number(given_lon, f"{what} longitude"), lat=number(given_lat, f"{what} latitude"))


def ids(values: list[str], what: str) -> tuple[uuid.UUID, ...]:
    found = []
    for value in values:
        if value.strip():
            chosen = optional_uuid(value, what)
            assert chosen is not None
            found.append(chosen)
    return tuple(dict.fromkeys(found))


def reason(form: FormInput) -> str:
    given = form.get("reason").strip()
    if len(given) > MAX_REASON:
        raise InvalidInput(f"reason: keep it under {MAX_REASON} characters")
    return given


def optional_quantity(form: FormInput, what: str) -> int | None:
    given = form.get("quantity").strip()
    return whole_number(given, what) if given else None


# --- requests --------------------------------------------------------------------------------------------


def _capability(form: FormInput) -> str:
    code = form.get("capability").strip()
    if not code:
        raise InvalidInput("capability: choose what you ask for")
    return code


def _staging(form: FormInput) -> StagingArea:
    where = point(form, "staging_lon", "staging_lat", "staging area")
    if where is None:
        raise InvalidInput("staging area: give its longitude and latitude (or click the map)")
    return StagingArea(form.get("staging_name"), where)


def _support(form: FormInput) -> HostNationSupport:
    return HostNationSupport(
        liaison=form.get("liaison"),
        languages=tuple(form.all("languages")),
        logistics=form.get("logistics"),
    )


def create_request(actor: Actor, timezone: str, form: FormInput, *, send: bool) -> c.CreateAssistanceRequest:
    """A draft, or with `send` a request sent at once to the partners chosen."""
    partners = ids(form.all("partners"), "partner")
    if send and not partners:
        raise InvalidInput("send to: choose at least one partner, or save the request as a draft")
    respond_by = form.get("respond_by").strip()
    return c.CreateAssistanceRequest(
        actor=actor,
        capability=_capability(form),
        quantity=whole_number(form.get("quantity"), "quantity"),
        staging=_staging(form),
        starts_at=local_time(form.get("starts_at"), timezone, "from"),
        ends_at=local_time(form.get("ends_at"), timezone, "until"),
        respond_by=local_time(respond_by, timezone, "offers by") if respond_by else None,
        support=_support(form),
        description=form.get("description"),
        incident_id=optional_uuid(form.get("incident_id"), "incident"),
        addressees=frozenset(partners) if send else frozenset(),
    )


def send_request(actor: Actor, request_id: uuid.UUID, form: FormInput) -> c.SendAssistanceRequest:
    partners = ids(form.all("partners"), "partner")
    if not partners:
        raise InvalidInput("send to: choose at least one partner")
    return c.SendAssistanceRequest(actor=actor, request_id=request_id, addressees=frozenset(partners))


# --- offers ----------------------------------------------------------------------------------------------


def make_offer(actor: Actor, timezone: str, request_id: uuid.UUID, form: FormInput) -> c.MakeOffer:
    units = ids(form.all("unit_ids"), "unit")
    amount = optional_quantity(form, "quantity")
    if units and amount is not None:
        raise InvalidInput("offer either your units or a quantity, not both")
    if not units and amount is None:
        raise InvalidInput("offer: choose some of your units, or give a quantity")
    return c.MakeOffer(
        actor=actor,
        request_id=request_id,
        available_from=local_time(form.get("available_from"), timezone, "available from"),
        unit_ids=units,
        quantity=amount,
        conditions=form.get("conditions"),
    )


def accept_offer(actor: Actor, offer_id: uuid.UUID, form: FormInput) -> c.AcceptOffer:
    """The units ticked, or a quantity; neither accepts the whole offer."""
    units = ids(form.all("unit_ids"), "unit")
    amount = None if units else optional_quantity(form, "quantity accepted")
    return c.AcceptOffer(actor=actor, offer_id=offer_id, quantity=amount, unit_ids=units)


def deploy_offer(actor: Actor, offer_id: uuid.UUID, form: FormInput) -> c.DeployOffer:
    return c.DeployOffer(actor=actor, offer_id=offer_id, position=point(form, "lon", "lat", "position"))


# --- units -----------------------------------------------------------------------------------------------


def set_unit_status(actor: Actor, unit_id: uuid.UUID, form: FormInput) -> c.SetUnitStatus:
    try:
        status = UnitStatus(form.get("status"))
    except ValueError:
        raise InvalidInput(f"status: {form.get('status')!r} is not a valid choice") from None
    return c.SetUnitStatus(
        actor=actor, unit_id=unit_id, status=status, position=point(form, "lon", "lat", "position")
    )
