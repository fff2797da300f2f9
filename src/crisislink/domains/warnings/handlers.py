"""Command handlers for writing a warning: draft, revise, fill from a template, submit for approval."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings import events as e
from crisislink.domains.warnings.awareness import awareness_type
from crisislink.domains.warnings.chain import WarningContent
from crisislink.domains.warnings.codes import Category
from crisislink.domains.warnings.model import PublicWarning, check_content
from crisislink.domains.warnings.permissions import require_drafter, require_editor
from crisislink.domains.warnings.ports import WarningsUnitOfWork
from crisislink.domains.warnings.routing import check_audience, partners_of, relabel, route, warning_label
from crisislink.domains.warnings.templates import Template, local_time, template_for
from crisislink.domains.warnings.values import Hazard, WarningText, aware, language, ordered_languages
from crisislink.kernel.errors import Conflict, InvalidInput
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
Texts = tuple[tuple[str, WarningText], ...]


def draft_warning(cmd: c.DraftWarning, uow: WarningsUnitOfWork, now: Now) -> uuid.UUID:
    require_drafter(cmd.actor, cmd.status)
    assert cmd.actor.partner_id is not None  # require_drafter: a person of a partner
    check_audience(uow.warning_directory, cmd.audience)
    moment = now()
    warning = PublicWarning(
        id=new_id(),
        label=warning_label(
            cmd.actor.partner_id,
            uow.node_id,
            cmd.marking,
            cmd.audience,
            partners_of(cmd.targeting, uow.warning_directory),
        ),
        incident_id=cmd.incident_id,
        hazard=_hazard(cmd.hazard, cmd.category, cmd.awareness_type),
        status=cmd.status,
        severity=cmd.severity,
        urgency=cmd.urgency,
        certainty=cmd.certainty,
        response_types=cmd.response_types,
        texts=dict(_texts(cmd.texts)),
        onset=aware(cmd.onset, "the onset"),
        expires=aware(cmd.expires, "the expiry"),
        area=cmd.area,
        area_description=cmd.area_description.strip(),
        targeting=cmd.targeting,
        created_at=moment,
        created_by=cmd.actor.user_id,
    )
    check_content(warning.content())
    if warning.expires <= moment:
        raise InvalidInput("the warning would have expired already; set an expiry in the future")
    warning.route(route(cmd.targeting, uow.warning_directory))
    warning.record(
        e.WarningDrafted(
            label=warning.label,
            warning_id=warning.id,
            incident_id=warning.incident_id,
            hazard=warning.hazard.code,
            status=warning.status.value,
            revision=warning.revision,
            countries=warning.targeting.countries,
            missing_languages=warning.missing_languages(),
        )
    )
    uow.warnings.add(warning)
    uow.commit()
    return warning.id


def revise_warning(cmd: c.ReviseWarning, uow: WarningsUnitOfWork) -> tuple[str, ...]:
    """Returns what changed; nothing changed is no revision (and no event)."""
    warning = _editable(uow, cmd.warning_id, cmd.expected_revision, cmd.actor)
    changed = _apply_revision(warning, _revised_content(cmd, warning), uow)
    if changed:
        uow.commit()
    return changed


def apply_template(cmd: c.ApplyTemplate, uow: WarningsUnitOfWork) -> tuple[str, ...]:
    """Fill texts from the hazard's template; returns the languages filled. Links and contacts are kept."""
    warning = _editable(uow, cmd.warning_id, cmd.expected_revision, cmd.actor)
    template = template_for(warning.hazard.code)
    languages = _template_languages(cmd.languages, warning, template)
    texts = dict(warning.texts)
    for code in languages:
        values = _default_values(warning, code, template) | dict(cmd.values)
        rendered = template.render(code, values)
        kept = texts.get(code)
        texts[code] = dataclasses.replace(rendered, web=kept.web, contact=kept.contact) if kept else rendered
    content = dataclasses.replace(warning.content(), texts=_ordered(texts))
    if _apply_revision(warning, content, uow, template=template.key):
        uow.commit()
    return languages


def submit_for_approval(cmd: c.SubmitForApproval, uow: WarningsUnitOfWork) -> tuple[str, ...]:
    """Ask every affected country; returns the countries asked (none: it is approved as it is)."""
    warning = uow.warnings.get(cmd.warning_id)
    require_editor(cmd.actor, warning)
    if not warning.texts:
        raise InvalidInput("write the texts (or apply a template) before asking for approval")
    warning.submit()
    warning.record(
        e.WarningSubmitted(
            label=warning.label,
            warning_id=warning.id,
            revision=warning.revision,
            approvers=tuple(warning.required_approvers),
            missing_languages=warning.missing_languages(),
        )
    )
    uow.commit()
    return tuple(warning.required_approvers)


def _editable(uow: WarningsUnitOfWork, warning_id: uuid.UUID, expected: int, actor: Actor) -> PublicWarning:
    warning = uow.warnings.get(warning_id)
    require_editor(actor, warning)
    if warning.revision != expected:
        raise Conflict(
            f"the warning changed since you read it (you had revision {expected}, it is now "
            f"{warning.revision}); reload it and make your change again"
        )
    return warning


def _apply_revision(
    warning: PublicWarning, content: WarningContent, uow: WarningsUnitOfWork, template: str = ""
) -> tuple[str, ...]:
    """Revise, re-route if the area now touches other countries, and record one event."""
    decided = tuple(code for code, state in warning.required_approvers.items() if state.decision)
    before = partners_of(warning.targeting, uow.warning_directory)
    changed = warning.revise(content, route(content.targeting, uow.warning_directory))
    if not changed:
        return ()
    old_label = warning.label
    warning.label = relabel(old_label, before, partners_of(warning.targeting, uow.warning_directory))
    if warning.label != old_label:
        warning.record(e.WarningRelabelled(label=old_label, warning_id=warning.id))
    warning.record(
        e.WarningRevised(
            label=warning.label,
            warning_id=warning.id,
            revision=warning.revision,
            changed=changed,
            approvals_reset=decided,
            missing_languages=warning.missing_languages(),
            template=template,
        )
    )
    return changed


def _revised_content(cmd: c.ReviseWarning, warning: PublicWarning) -> WarningContent:
    changes: dict[str, Any] = {"texts": _revised_texts(cmd, warning)}
    if cmd.hazard is not None:
        changes["hazard"] = _hazard(cmd.hazard, cmd.category or warning.hazard.category, cmd.awareness_type)
    elif cmd.category is not None or cmd.awareness_type is not None:
        raise InvalidInput("give the hazard code together with its category and awareness type")
    for name in ("severity", "urgency", "certainty", "response_types"):
        if getattr(cmd, name) is not None:
            changes[name] = getattr(cmd, name)
    if cmd.area_description is not None:
        changes["area_description"] = cmd.area_description.strip()
    if cmd.onset is not None:
        changes["onset"] = aware(cmd.onset, "the onset")
    if cmd.expires is not None:
        changes["expires"] = aware(cmd.expires, "the expiry")
    if cmd.area is not None and cmd.targeting is None:
        raise InvalidInput("a new area needs its targeting: compute it for the new area and send both")
    if cmd.area is not None:
        changes["area"] = cmd.area
    if cmd.targeting is not None:
        changes["targeting"] = cmd.targeting
    return dataclasses.replace(warning.content(), **changes)


def _revised_texts(cmd: c.ReviseWarning, warning: PublicWarning) -> Texts:
    texts = dict(warning.texts)
    for code in map(language, cmd.remove_languages):
        if texts.pop(code, None) is None:
            raise InvalidInput(f"the warning has no {code!r} text to remove")
    texts.update(_texts(cmd.texts))
    return _ordered(texts)


def _hazard(code: str, category: Category, awareness: int | None) -> Hazard:
    return Hazard(
        code=code.strip(),
        category=category,
        awareness_type=awareness_type(awareness) if awareness is not None else None,
    )


def _texts(pairs: Texts) -> Texts:
    codes = [language(code) for code, _ in pairs]
    if len(set(codes)) != len(codes):
        raise InvalidInput("a language has two texts; give one text per language")
    return tuple(zip(codes, (text for _, text in pairs), strict=True))


def _ordered(texts: dict[str, WarningText]) -> Texts:
    return tuple((code, texts[code]) for code in ordered_languages(frozenset(texts)))


def _template_languages(
    asked: tuple[str, ...], warning: PublicWarning, template: Template
) -> tuple[str, ...]:
    if asked:
        codes = tuple(dict.fromkeys(map(language, asked)))
        for code in codes:
            template.text(code)  # refuses a language the template lacks
        return codes
    wanted = {*warning.targeting.required(), *warning.targeting.optional_languages, *warning.texts}
    codes = tuple(code for code in template.languages() if code in wanted)
    if not codes:
        raise InvalidInput(f"the {template.key} template has none of the languages this area needs")
    return codes


def _default_values(warning: PublicWarning, code: str, template: Template) -> dict[str, str]:
    """What the warning itself says for {area}, {onset} and {expires}, in the language's usual form."""
    defaults = {
        "area": warning.area_description,
        "onset": local_time(warning.onset, code),
        "expires": local_time(warning.expires, code),
    }
    return {name: value for name, value in defaults.items() if name in template.placeholders()}
