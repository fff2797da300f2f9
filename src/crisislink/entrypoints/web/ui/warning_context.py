"""What the warning pages show: the list, the drafting form, one warning with its approval round, parts,
message chain and deliveries, and the targeting of an area. Which forms a person is offered follows the
domain's rules (`domains/warnings/permissions.py`); the domain still decides, so an offered form that the
rules refuse re-renders with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries import incidents as iq
from crisislink.adapters.db.queries import warnings as q
from crisislink.adapters.db.queries.views import PartnerView
from crisislink.adapters.db.queries.warning_caps import published_caps
from crisislink.adapters.db.queries.warning_views import WarningView
from crisislink.adapters.geo.targeting_result import TargetingResult
from crisislink.app.bootstrap import Platform
from crisislink.domains.warnings.templates import template_for
from crisislink.entrypoints.web.ui.context import Page
from crisislink.entrypoints.web.ui.form_values import FormInput, local_input, zone_label
from crisislink.entrypoints.web.ui.warning_labels import (
    TEXT_FIELDS,
    TEXT_LANGUAGES,
    template_hazards,
    warning_labels,
)
from crisislink.kernel.errors import CrisislinkError, NotFound
from crisislink.kernel.geo import Area

OFFICER = "information_officer"
DRAFTERS = frozenset({"duty_officer", OFFICER})
EXERCISE_DRAFTERS = DRAFTERS | {"exercise_controller"}
FINAL = frozenset({"cancelled", "expired"})
OUT = frozenset({"issued", "updated"})
# Placeholders a template fills from the warning itself unless the operator gives a value.
DEFAULTED = frozenset({"area", "onset", "expires"})


def roles(page: Page) -> frozenset[str]:
    assert page.caller is not None
    return frozenset(page.caller.identity.roles)


def may_draft(page: Page) -> bool:
    """Duty and information officers; exercise controllers too, for Exercise and Test warnings only."""
    return bool(roles(page) & EXERCISE_DRAFTERS)


def may_draft_actual(page: Page) -> bool:
    return bool(roles(page) & DRAFTERS)


def own_partner(platform: Platform, page: Page) -> PartnerView | None:
    assert page.caller is not None
    wanted = page.caller.actor.partner_id
    return next((p for p in directory.list_partners(platform.engine) if p.id == wanted), None)


# --- the list --------------------------------------------------------------------------------------------


def list_context(platform: Platform, page: Page, state: str | None) -> dict[str, Any]:
    assert page.caller is not None
    flt = q.WarningFilter(state=state or None, limit=q.MAX_PAGE)
    return {
        "warnings": q.list_warnings(platform.engine, page.caller.viewer, flt),
        "state_filter": state or "",
        "may_draft": may_draft(page),
        **warning_labels(),
    }


# --- targeting -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetingView:
    result: TargetingResult
    missing: list[tuple[str, str]]  # (language, why it is required) not written yet


def targeting_view(result: TargetingResult, written: Sequence[str]) -> TargetingView:
    missing = [(r.language, r.reason) for r in result.required_languages if r.language not in written]
    return TargetingView(result, missing)


def unit_name(names: dict[str, str], fallback: str, language: str) -> str:
    return names.get(language) or fallback


def unit_choices(platform: Platform, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Option groups for the unit picker: regions, then each country's municipalities, by name."""
    reference = platform.reference
    regions = sorted(
        (f"regions/{u.code}", f"{unit_name(dict(u.names), u.name, language)} ({u.code})")
        for u in reference.layer("regions")
    )
    groups: list[tuple[str, list[tuple[str, str]]]] = [("regions", sorted(regions, key=lambda o: o[1]))]
    by_country: dict[str, list[tuple[str, str]]] = {}
    for unit in reference.layer("municipalities"):
        label = f"{unit_name(dict(unit.names), unit.name, language)} ({unit.code})"
        by_country.setdefault(unit.country, []).append((f"municipalities/{unit.code}", label))
    groups.extend(
        (country, sorted(by_country[country], key=lambda o: o[1])) for country in sorted(by_country)
    )
    return groups


# --- drafting --------------------------------------------------------------------------------------------


def new_defaults(platform: Platform, page: Page, incident_id: str) -> FormInput:
    now = platform.clock.now().replace(second=0, microsecond=0)
    fields = {
        "status": "Actual" if may_draft_actual(page) else "Exercise",
        "marking": "AMBER",
        "category": "Met",
        "severity": "Severe",
        "urgency": "Expected",
        "certainty": "Likely",
        "onset": local_input(now, page.timezone),
        "expires": local_input(now + timedelta(hours=6), page.timezone),
        "incident_id": incident_id,
    }
    return FormInput(fields, {name: [value] for name, value in fields.items()})


def new_context(
    platform: Platform, page: Page, form: FormInput, targeting: TargetingView | None = None
) -> dict[str, Any]:
    return {
        "form": form,
        "targeting": targeting,
        "incident": _incident(platform, page, form.get("incident_id")),
        "zone_label": zone_label(page.timezone, platform.clock.now()),
        "template_hazards": template_hazards(),
        "unit_groups": unit_choices(platform, page.language),
        "may_draft_actual": may_draft_actual(page),
        "text_fields": TEXT_FIELDS,
        **warning_labels(),
    }


def _incident(platform: Platform, page: Page, incident_id: str) -> Any:
    """The incident the warning is for, when the operator may see it (else no link is offered)."""
    assert page.caller is not None
    try:
        return iq.get_incident(platform.engine, page.caller.viewer, uuid.UUID(incident_id))
    except (ValueError, NotFound):
        return None


# --- one warning -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One approval, comment or part, with its times parsed for display and what the viewer may do."""

    country: str
    status: str
    at: datetime | None = None
    issued_at: datetime | None = None  # a part's issue time
    revision: int | None = None
    who: str = ""
    text: str = ""
    identifier: str = ""
    current: bool = False  # an approval of the revision now on the table
    may_act: bool = False
    may_issue: bool = False


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Onlooker:
    """Who is looking at a warning, in the terms of the warning's rules (not the sharing policy's Viewer)."""

    partner_id: uuid.UUID | None
    country: str | None
    roles: frozenset[str]
    owner: bool

    @property
    def officer(self) -> bool:
        return OFFICER in self.roles


def _viewer(platform: Platform, page: Page, view: WarningView) -> Onlooker:
    own = own_partner(platform, page)
    partner_id = own.id if own else None
    return Onlooker(
        partner_id, own.country if own else None, roles(page), partner_id == view.owner_partner_id
    )


def _names(platform: Platform, page: Page) -> tuple[dict[Any, str], dict[Any, str]]:
    assert page.caller is not None
    partners = {str(p.id): p.name for p in directory.list_partners(platform.engine)}
    people = directory.list_users(platform.engine, page.caller.viewer, is_node_admin=False)
    return partners, {str(u.id): u.display_name or u.username for u in people}


def _who(partners: dict[Any, str], people: dict[Any, str], user: Any, partner: Any) -> str:
    # People of other organisations are not listed to us: their partner's name says who decided.
    name = partners.get(str(partner), "?")
    person = people.get(str(user))
    return f"{person} ({name})" if person else name


def approval_rows(
    view: WarningView, viewer: Onlooker, names: tuple[dict[Any, str], dict[Any, str]]
) -> list[Row]:
    deciding = view.state in {"awaiting_approval", "approved"} or (
        view.state in OUT and view.revision != view.issued_revision
    )
    rows = []
    for country, state in sorted(view.approvals.items()):
        decision = state.get("decision") or {}
        rows.append(
            Row(
                country=country,
                status=state["status"],
                at=_time(decision.get("at")),
                revision=decision.get("revision"),
                who=_who(*names, decision.get("by_user_id"), decision.get("by_partner_id"))
                if decision
                else "",
                text=decision.get("comment", ""),
                current=decision.get("revision") == view.revision,
                may_act=deciding and viewer.officer and viewer.country == country,
            )
        )
    return rows


def comment_rows(view: WarningView, names: tuple[dict[Any, str], dict[Any, str]]) -> list[Row]:
    return [
        Row(
            country="",
            status=comment["kind"],
            at=_time(comment["at"]),
            revision=comment["revision"],
            who=_who(*names, comment.get("author_user_id"), comment.get("author_partner_id")),
            text=comment["text"],
        )
        for comment in view.comments
    ]


def part_rows(view: WarningView, viewer: Onlooker) -> list[Row]:
    final = view.state in FINAL
    issuable = view.state == "approved" or view.state in OUT
    rows = []
    for country, part in sorted(view.parts.items()):
        open_part = part["status"] in {"pending", "scheduled", "held"}
        own_country = viewer.officer and viewer.country == country
        rows.append(
            Row(
                country=country,
                status=part["status"],
                at=_time(part.get("scheduled_at")),
                issued_at=_time(part.get("issued_at")),
                identifier=part.get("message_identifier") or "",
                text=part.get("held_because", ""),
                may_act=open_part and not final and own_country,
                may_issue=open_part and issuable and (own_country or (viewer.owner and viewer.officer)),
            )
        )
    return rows


@dataclass(frozen=True)
class Can:
    """The forms a viewer is offered (a dataclass, not a dict: in a template `can.update` would be the
    dict's own method)."""

    revise: bool
    submit: bool
    comment: bool
    issue_all: bool
    update: bool
    cancel: bool


def actions(view: WarningView, viewer: Onlooker) -> Can:
    drafters = DRAFTERS if view.status == "Actual" else EXERCISE_DRAFTERS
    editor = viewer.owner and bool(viewer.roles & drafters)
    final, out = view.state in FINAL, view.state in OUT
    owner_officer = viewer.owner and viewer.officer
    involved = viewer.owner or viewer.country in {*view.approvals, *view.parts}
    return Can(
        revise=editor and not final,
        submit=editor and view.state == "draft",
        comment=not final and involved and bool(viewer.roles & drafters),
        issue_all=owner_officer and view.state == "approved",
        update=owner_officer and out and view.revision != view.issued_revision,
        cancel=not final and (owner_officer if out else editor),
    )


def template_placeholders(hazard: str) -> frozenset[str] | None:
    """The values an operator must give to fill the hazard's template; None when there is no template."""
    try:
        return template_for(hazard).placeholders() - DEFAULTED
    except CrisislinkError:
        return None


def form_from_view(view: WarningView, timezone: str) -> FormInput:
    """The revise form as the warning stands: sending it unchanged changes nothing."""
    hazard = view.hazard
    kind = hazard.get("awareness_type") or {}
    fields = {
        "expected_revision": str(view.revision),
        "hazard": hazard["code"],
        "category": hazard["category"],
        "awareness_type": str(kind.get("number", "")),
        "severity": view.severity,
        "urgency": view.urgency,
        "certainty": view.certainty,
        "onset": local_input(view.onset, timezone),
        "expires": local_input(view.expires, timezone),
        "area_description": view.area_description,
    }
    for code, text in view.texts.items():
        fields.update({f"{code}.{name}": text.get(name) or "" for name in TEXT_FIELDS})
    lists = {name: [value] for name, value in fields.items()}
    return FormInput(fields, {**lists, "response_types": list(view.response_types)})


def detail_context(
    platform: Platform, page: Page, warning_id: uuid.UUID, form: FormInput | None = None
) -> dict[str, Any]:
    assert page.caller is not None
    viewer_id = page.caller.viewer
    view = q.get_warning(platform.engine, viewer_id, warning_id)  # NotFound: 404 for one who may not see it
    viewer = _viewer(platform, page, view)
    names = _names(platform, page)
    result = platform.targeting.evaluate(Area(view.area))
    texts = [(code, view.texts[code]) for code in TEXT_LANGUAGES if code in view.texts]
    can = actions(view, viewer)
    return {
        "warning": view,
        "texts": texts,
        "headline": texts[0][1]["headline"] if texts else None,
        "approvals": approval_rows(view, viewer, names),
        "comments": comment_rows(view, names),
        "parts": part_rows(view, viewer),
        "caps": published_caps(platform.engine, viewer_id, warning_id),
        "deliveries": q.deliveries(platform.engine, viewer_id, warning_id),
        "targeting": targeting_view(result, view.languages),
        "can": can,
        "unit_groups": unit_choices(platform, page.language) if can.revise else [],
        "placeholders": template_placeholders(view.hazard["code"]),
        "form": form or form_from_view(view, page.timezone),
        "revising": form is not None,  # a refused revision: its form opens again as it was typed
        "zone_label": zone_label(page.timezone, platform.clock.now()),
        "template_hazards": template_hazards(),
        "incident": _incident(platform, page, str(view.incident_id or "")),
        "text_fields": TEXT_FIELDS,
        "owner_name": names[0].get(str(view.owner_partner_id), "?"),
        **warning_labels(),
    }
