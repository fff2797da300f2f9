"""Command handlers for the approval round: comment, request changes, approve.

Each affected country's information officer sees the same revision and decides on it; the decision names
the revision they read, so nobody approves a text they have not seen.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings import events as e
from crisislink.domains.warnings.approvals import ApprovalStatus, Comment, CommentKind, Decision
from crisislink.domains.warnings.model import PublicWarning
from crisislink.domains.warnings.permissions import require_country_officer, require_participant
from crisislink.domains.warnings.ports import WarningsUnitOfWork
from crisislink.domains.warnings.values import MAX_TEXT, country
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.ids import new_id
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]


def comment_on_warning(cmd: c.CommentOnWarning, uow: WarningsUnitOfWork, now: Now) -> uuid.UUID:
    warning = uow.warnings.get(cmd.warning_id)
    partner = require_participant(cmd.actor, warning, uow.warning_directory)
    comment = _comment(
        warning,
        cmd.actor,
        CommentKind.COMMENT,
        _said(cmd.text, "the comment"),
        now(),
        partner.country if partner else None,
    )
    warning.comment(comment)
    warning.record(
        e.WarningCommented(
            label=warning.label,
            warning_id=warning.id,
            comment_id=comment.id,
            revision=comment.revision,
            by_partner_id=cmd.actor.partner_id,
        )
    )
    uow.commit()
    return comment.id


def request_changes(cmd: c.RequestChanges, uow: WarningsUnitOfWork, now: Now) -> uuid.UUID:
    warning = uow.warnings.get(cmd.warning_id)
    code = country(cmd.country)
    require_country_officer(cmd.actor, code, uow.warning_directory, "ask for changes")
    text = _said(cmd.comment, "what must change")
    moment = now()
    warning.decide(code, ApprovalStatus.CHANGES_REQUESTED, _decision(cmd.actor, cmd.revision, moment, text))
    comment = _comment(warning, cmd.actor, CommentKind.CHANGES_REQUESTED, text, moment, code)
    warning.comment(comment)
    warning.record(
        e.WarningChangesRequested(
            label=warning.label,
            warning_id=warning.id,
            country=code,
            revision=warning.revision,
            comment_id=comment.id,
            by_partner_id=cmd.actor.partner_id,
        )
    )
    uow.commit()
    return comment.id


def approve_warning(cmd: c.ApproveWarning, uow: WarningsUnitOfWork, now: Now) -> bool:
    """Returns True when this was the last approval needed."""
    warning = uow.warnings.get(cmd.warning_id)
    code = country(cmd.country)
    require_country_officer(cmd.actor, code, uow.warning_directory, "approve")
    moment = now()
    text = cmd.comment.strip()
    done = warning.decide(code, ApprovalStatus.APPROVED, _decision(cmd.actor, cmd.revision, moment, text))
    if text:
        warning.comment(
            _comment(warning, cmd.actor, CommentKind.APPROVAL, _said(text, "the comment"), moment, code)
        )
    warning.record(
        e.WarningApproved(
            label=warning.label,
            warning_id=warning.id,
            country=code,
            revision=warning.revision,
            by_partner_id=cmd.actor.partner_id,
            all_approved=done,
        )
    )
    uow.commit()
    return done


def _decision(actor: Actor, revision: int, moment: datetime, text: str) -> Decision:
    return Decision(
        revision=revision, by_user_id=actor.user_id, by_partner_id=actor.partner_id, at=moment, comment=text
    )


def _comment(
    warning: PublicWarning, actor: Actor, kind: CommentKind, text: str, moment: datetime, code: str | None
) -> Comment:
    return Comment(
        id=new_id(),
        kind=kind,
        revision=warning.revision,
        text=text,
        at=moment,
        author_user_id=actor.user_id,
        author_partner_id=actor.partner_id,
        country=code,
    )


def _said(text: str, what: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise InvalidInput(f"{what} must not be empty; say it in a sentence or two")
    if len(stripped) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters")
    return stripped
