"""What the assistance pages show, besides one request's page (assistance_detail.py): the list of requests,
the form to ask for help, and the units a partner has or was shown.

Everything is read through the policy-filtered queries; which forms a person is offered follows the
domain's rules (domains/assistance/permissions.py: duty officers and partner administrators act for their
own partner), and the domain still decides, so an offered form that is refused re-renders with the reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from crisislink.adapters.db.queries import assistance as q
from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as iq
from crisislink.adapters.db.queries.assistance_views import UnitView
from crisislink.adapters.db.queries.views import PartnerView
from crisislink.app.bootstrap import Platform
from crisislink.domains.assistance.catalogue import CAPABILITIES, COUNTRIES
from crisislink.entrypoints.web.ui.assistance_labels import assistance_labels
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import FormInput, local_input, zone_label
from crisislink.kernel.errors import NotFound

# The roles that act for a partner in mutual assistance (the domain's rule, permissions.py).
WRITERS = frozenset({"duty_officer", "partner_admin"})
HOST_LANGUAGES = ("nl", "fr", "de", "en", "lb")
# Valkenburg aan de Geul: where the map opens when no staging area is given yet.
MAP_CENTRE = (5.83, 50.86)


def own_partner_id(page: Page) -> uuid.UUID | None:
    assert page.caller is not None
    return page.caller.actor.partner_id


def may_act(page: Page) -> bool:
    assert page.caller is not None
    return own_partner_id(page) is not None and bool(WRITERS & set(page.caller.identity.roles))


def partner_name(partner: PartnerView, language: str) -> str:
    return partner.names.get(language) or partner.name


def partner_names(platform: Platform, language: str) -> dict[uuid.UUID, str]:
    return {p.id: partner_name(p, language) for p in directory.list_partners(platform.engine)}


# --- the catalogue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapabilityChoice:
    code: str
    measure: str
    terms: list[tuple[str, str]]  # (country, what that country calls it)


def capability_choices() -> list[tuple[str, list[CapabilityChoice]]]:
    """Option groups: the national types (with each country's name for them), then the EU modules."""
    groups: dict[str, list[CapabilityChoice]] = {"national": [], "ucpm": []}
    for kind in CAPABILITIES.values():
        terms = [(country, kind.terms[country].term) for country in COUNTRIES if country in kind.terms]
        group = "ucpm" if kind.family == "ucpm" else "national"
        groups[group].append(CapabilityChoice(kind.code, kind.measure, terms))
    return list(groups.items())


def measure_of(code: str) -> str:
    kind = CAPABILITIES.get(code)
    return kind.measure if kind else "unit"


def terms_of(code: str) -> list[tuple[str, str]]:
    kind = CAPABILITIES.get(code)
    return [] if kind is None else [(country, term.term) for country, term in kind.terms.items()]


# --- the list --------------------------------------------------------------------------------------------


def list_context(platform: Platform, page: Page, include_ended: bool) -> dict[str, Any]:
    assert page.caller is not None
    flt = q.RequestFilter(include_ended=include_ended, limit=q.MAX_PAGE)
    return {
        "requests": q.list_requests(platform.engine, page.caller.viewer, flt),
        "partner_names": partner_names(platform, page.language),
        "own_partner": own_partner_id(page),
        "include_ended": include_ended,
        "may_request": may_act(page),
        "measure_of": measure_of,
        **assistance_labels(),
    }


# --- asking for help -------------------------------------------------------------------------------------


def new_defaults(platform: Platform, page: Page, incident_id: str) -> FormInput:
    now = platform.clock.now().replace(second=0, microsecond=0)
    fields = {
        "capability": "",
        "quantity": "1",
        "starts_at": local_input(now, page.timezone),
        "ends_at": local_input(now + timedelta(hours=24), page.timezone),
        "incident_id": incident_id,
    }
    return FormInput(fields, {name: [value] for name, value in fields.items()})


def new_context(platform: Platform, page: Page, form: FormInput) -> dict[str, Any]:
    assert page.caller is not None
    own = own_partner_id(page)
    partners = [p for p in directory.list_partners(platform.engine) if p.id != own]
    incidents = iq.list_incidents(platform.engine, page.caller.viewer, iq.IncidentFilter())
    return {
        "form": form,
        "capability_groups": capability_choices(),
        "partners": [(p, partner_name(p, page.language)) for p in partners],
        "incidents": incidents,
        "host_languages": HOST_LANGUAGES,
        "zone_label": zone_label(page.timezone, platform.clock.now()),
        "map_centre": MAP_CENTRE,
        "may_request": may_act(page),
        **assistance_labels(),
    }


# --- units -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    unit: UnitView
    owner: str
    held_by_request: uuid.UUID | None  # the request whose accepted offer holds the unit, if we may see it
    may_change: bool


def _held_by(platform: Platform, page: Page, unit: UnitView) -> uuid.UUID | None:
    assert page.caller is not None
    if unit.offer_id is None:
        return None
    try:
        return q.get_offer(platform.engine, page.caller.viewer, unit.offer_id).request_id
    except NotFound:
        return None


def units_context(platform: Platform, page: Page) -> dict[str, Any]:
    assert page.caller is not None
    own = own_partner_id(page)
    names = partner_names(platform, page.language)
    units = q.list_units(platform.engine, page.caller.viewer, q.UnitFilter(limit=q.MAX_PAGE))
    rows = [
        UnitRow(u, names.get(u.owner_partner_id, "?"), _held_by(platform, page, u), may_act(page))
        for u in units
        if u.owner_partner_id == own
    ]
    shared = [
        UnitRow(u, names.get(u.owner_partner_id, "?"), None, False)
        for u in units
        if u.owner_partner_id != own
    ]
    return {
        "own_units": rows,
        "shared_units": shared,
        "own_name": names.get(own, "") if own else "",
        "zone_label": zone_label(page.timezone, platform.clock.now()),
        **assistance_labels(),
    }
