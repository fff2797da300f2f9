"""A public warning: one draft for every affected country, approved by each, issued through each one's channel.

Workflow (illegal moves are refused with what to do instead):

    DRAFT -> AWAITING_APPROVAL -> APPROVED -> ISSUED -> UPDATED -> ... -> CANCELLED | EXPIRED
                  ^                  |          (a revision of an issued warning is approved like a draft,
                  +---- revised -----+           then goes out as a CAP Update)

Any step before CANCELLED or EXPIRED can be cancelled. A warning is ISSUED once its first country part is
out; the other parts follow, together or at their country's chosen time (`parts`).
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from crisislink.domains.warnings.approvals import ApprovalState, ApprovalStatus, Comment, Decision
from crisislink.domains.warnings.awareness import AwarenessLevel, level_for
from crisislink.domains.warnings.chain import (
    CapMessageRecord,
    Stamp,
    WarningContent,
    cancel_message,
    next_message,
)
from crisislink.domains.warnings.codes import Certainty, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.parts import IssuedPart, PartStatus
from crisislink.domains.warnings.values import (
    MAX_SHORT,
    Hazard,
    Targeting,
    WarningText,
    language,
    language_name,
    ordered_languages,
)
from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, InvalidInput
from crisislink.kernel.geo import Area


class WarningState(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    ISSUED = "issued"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


S = WarningState
_OUT = frozenset({S.ISSUED, S.UPDATED})
FINAL = frozenset({S.CANCELLED, S.EXPIRED})
_NEXT_STEP = {
    S.DRAFT: "submit it for approval first",
    S.AWAITING_APPROVAL: "",  # names who still has to approve (`require_state`)
    S.APPROVED: "issue it, or revise it (which asks for approval again)",
    S.ISSUED: "revise it and issue an update, or cancel it",
    S.UPDATED: "revise it and issue an update, or cancel it",
    S.CANCELLED: "it is cancelled for good; draft a new warning",
    S.EXPIRED: "it has expired; draft a new warning",
}


@dataclass(frozen=True)
class Routing:
    """Which countries must approve and which issue a part, as the directory says for the targeted countries."""

    approvers: tuple[str, ...]
    parts: tuple[str, ...]


def check_content(content: WarningContent) -> WarningContent:
    if content.expires <= content.onset:
        raise InvalidInput(
            f"the warning expires ({content.expires.isoformat()}) before it starts "
            f"({content.onset.isoformat()}); set an expiry after the onset"
        )
    if not content.area_description.strip() or len(content.area_description) > MAX_SHORT:
        raise InvalidInput(
            f"name the area in words (up to {MAX_SHORT} characters), e.g. 'Valkenburg aan de Geul'"
        )
    if len(set(content.response_types)) != len(content.response_types):
        raise InvalidInput("a response type is listed twice")
    languages = [language(code) for code, _ in content.texts]
    if len(set(languages)) != len(languages):
        raise InvalidInput("a language has two texts; give one text per language")
    return content


@dataclass(kw_only=True, eq=False)
class PublicWarning(Shareable):
    incident_id: uuid.UUID | None
    hazard: Hazard
    status: Status
    severity: Severity
    urgency: Urgency
    certainty: Certainty
    response_types: tuple[ResponseType, ...]
    texts: dict[str, WarningText]
    onset: datetime
    expires: datetime
    area: Area
    area_description: str
    targeting: Targeting
    created_at: datetime
    created_by: uuid.UUID | None
    state: WarningState = WarningState.DRAFT
    revision: int = 1
    issued_revision: int = 0  # the revision the latest message carries; 0 before any message
    required_approvers: dict[str, ApprovalState] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    parts: dict[str, IssuedPart] = field(default_factory=dict)
    messages: list[CapMessageRecord] = field(default_factory=list)

    # --- what it says ---------------------------------------------------------------------------------

    def content(self) -> WarningContent:
        languages = ordered_languages(frozenset(self.texts))
        return WarningContent(
            status=self.status,
            hazard=self.hazard,
            severity=self.severity,
            urgency=self.urgency,
            certainty=self.certainty,
            response_types=self.response_types,
            texts=tuple((code, self.texts[code]) for code in languages),
            onset=self.onset,
            expires=self.expires,
            area=self.area,
            area_description=self.area_description,
            targeting=self.targeting,
        )

    @property
    def awareness_level(self) -> AwarenessLevel | None:
        return level_for(self.severity)

    def is_public_alert(self) -> bool:
        """Only an Actual warning may reach the public; Exercise, Test and System only a test channel."""
        return self.status is Status.ACTUAL

    def missing_languages(self) -> tuple[str, ...]:
        return tuple(code for code in self.targeting.required() if code not in self.texts)

    def require_languages(self) -> None:
        missing = self.missing_languages()
        if missing:
            needs = "; ".join(f"{language_name(code)} for {self.targeting.why(code)}" for code in missing)
            raise InvalidInput(f"the warning must carry {needs}; add it")

    @property
    def latest(self) -> CapMessageRecord | None:
        return self.messages[-1] if self.messages else None

    # --- the workflow ---------------------------------------------------------------------------------

    @property
    def amendment_pending(self) -> bool:
        """An issued warning was revised; the revision goes out as an Update once everyone approved it."""
        return self.state in _OUT and self.revision != self.issued_revision

    def require_state(self, allowed: set[WarningState], doing: str) -> None:
        if self.state in allowed:
            return
        next_step = _NEXT_STEP[self.state]
        if self.state is S.AWAITING_APPROVAL:
            next_step = (
                f"revision {self.revision} still needs the approval of {', '.join(self.pending_approvals())}"
            )
        raise Conflict(f"cannot {doing} a warning that is {self.state.value}: {next_step}")

    def revise(self, content: WarningContent, routing: Routing) -> tuple[str, ...]:
        """Replace what the draft says. Any change makes it a new revision that everyone approves again."""
        self.require_state(set(S) - FINAL, "revise")
        changed = _changed_fields(self.content(), check_content(content))
        if "status" in changed:
            raise InvalidInput(
                f"a warning's status ({self.status.value}) is chosen when it is drafted; draft a new warning"
            )
        if not changed:
            return ()
        for name in changed:
            value = getattr(content, name)
            setattr(self, name, dict(value) if name == "texts" else value)
        self.revision += 1
        self.route(routing)
        if self.state is S.APPROVED:
            self.state = S.AWAITING_APPROVAL
        return changed

    def route(self, routing: Routing) -> None:
        """Ask the countries the area touches; parts already out stay (they will get the Update)."""
        self.required_approvers = {code: ApprovalState(code) for code in routing.approvers}
        kept = {code: part for code, part in self.parts.items() if code in routing.parts or not part.open}
        self.parts = {code: kept.get(code, IssuedPart(code)) for code in (*routing.parts, *kept)}

    def submit(self) -> None:
        self.require_state({S.DRAFT}, "submit")
        self.state = S.AWAITING_APPROVAL if self.required_approvers else S.APPROVED

    def comment(self, comment: Comment) -> None:
        self.require_state(set(S) - FINAL, "comment on")
        self.comments.append(comment)

    def decide(self, country: str, status: ApprovalStatus, decision: Decision) -> bool:
        """Record one country's decision on the current revision. True when every approval is now in."""
        if not (self.state in {S.AWAITING_APPROVAL, S.APPROVED} or self.amendment_pending):
            self.require_state(set(), "approve or ask changes to")
        current = self._approver(country)
        if decision.revision != self.revision:
            raise Conflict(
                f"the draft changed since you read it: revision {self.revision} is current, you saw "
                f"revision {decision.revision}; read it again and decide on what it says now"
            )
        if current.status is status and current.decision and current.decision.revision == self.revision:
            raise Conflict(f"{country} has {status.value.replace('_', ' ')} revision {self.revision} already")
        self.required_approvers[country] = ApprovalState(country, status, decision)
        done = self.all_approved()
        if self.state in {S.AWAITING_APPROVAL, S.APPROVED}:
            self.state = S.APPROVED if done else S.AWAITING_APPROVAL
        return done

    def _approver(self, country: str) -> ApprovalState:
        try:
            return self.required_approvers[country]
        except KeyError:
            raise InvalidInput(
                f"{country}'s approval is not asked for this warning: the area does not touch {country}, or "
                f"its partners do not approve warnings; approvals are asked of {self._approver_list()}"
            ) from None

    def _approver_list(self) -> str:
        return ", ".join(self.required_approvers) or "nobody"

    def all_approved(self) -> bool:
        return all(state.approves(self.revision) for state in self.required_approvers.values())

    def pending_approvals(self) -> tuple[str, ...]:
        return tuple(
            code for code, state in self.required_approvers.items() if not state.approves(self.revision)
        )

    def require_approved(self) -> None:
        pending = self.pending_approvals()
        if pending:
            raise Conflict(
                f"revision {self.revision} still needs the approval of {', '.join(pending)}; "
                "it can be issued once every affected country has approved it"
            )

    # --- parts and messages ---------------------------------------------------------------------------

    def part(self, country: str) -> IssuedPart:
        try:
            return self.parts[country]
        except KeyError:
            raise InvalidInput(
                f"this warning has no part for {country}; its parts are {', '.join(self.parts) or 'none'}"
            ) from None

    def schedule(self, country: str, at: datetime, moment: datetime) -> None:
        self.require_state(set(S) - FINAL, "schedule")
        part = self.part(country)
        if not part.open:
            raise Conflict(f"the {country} part is {part.status.value} already; it cannot be scheduled")
        if at <= moment:
            raise InvalidInput("choose a time to come for the part, or issue it now")
        if at >= self.expires:
            raise InvalidInput(f"the warning expires at {self.expires.isoformat()}; choose an earlier time")
        self.parts[country] = dataclasses.replace(
            part, status=PartStatus.SCHEDULED, scheduled_at=at, held_because=""
        )

    def check_issuable(self, moment: datetime) -> None:
        """The first message needs every approval and every required language; any part needs a live message."""
        self.require_state({S.APPROVED, *_OUT}, "issue")
        if not self.messages:
            self.require_approved()
            self.require_languages()
        expires = self.messages[-1].content.expires if self.messages else self.expires
        if expires <= moment:
            raise InvalidInput(
                f"the warning expired at {expires.isoformat()}; set a later expiry and have it approved again"
            )

    def start_chain(self, stamp: Stamp) -> CapMessageRecord:
        """The first message, an Alert carrying the approved revision."""
        self.check_issuable(stamp.moment)
        if self.messages:
            raise Conflict(
                "the warning's first message went out already; its parts go out with the latest one"
            )
        return self._append(next_message(self.messages, stamp, self.revision, self.content()))

    def release(self, country: str, moment: datetime) -> IssuedPart:
        """Mark one country's part as issued with the latest message (never a re-stamped copy of it)."""
        part = self.part(country)
        if not part.open:
            raise Conflict(f"the {country} part is {part.status.value} already")
        latest = self.latest
        if latest is None:
            raise Conflict("nothing approved has been issued yet; issue the warning first")
        if country not in latest.content.targeting.countries:
            raise Conflict(
                f"the message out now does not cover {country}; issue the update that adds it first"
            )
        released = dataclasses.replace(
            part, status=PartStatus.ISSUED, issued_at=moment, message_identifier=latest.identifier
        )
        self.parts[country] = released
        if self.state is S.APPROVED:
            self.state = S.ISSUED
        return released

    def hold(self, country: str, reason: str) -> None:
        self.parts[country] = dataclasses.replace(
            self.part(country), status=PartStatus.HELD, held_because=reason
        )

    def amend(self, stamp: Stamp, note: str) -> CapMessageRecord:
        """Issue the approved revision as an Update, referencing every earlier message."""
        self.require_state(set(_OUT), "update")
        if not self.amendment_pending:
            raise Conflict(
                "nothing changed since the last message; revise the warning before issuing an update"
            )
        self.require_approved()
        self.require_languages()
        if self.expires <= stamp.moment:
            raise InvalidInput("the revision expires before it would go out; set a later expiry")
        update = self._append(next_message(self.messages, stamp, self.revision, self.content(), note))
        self.state = S.UPDATED
        return update

    def cancel(self, stamp: Stamp | None, reason: str) -> tuple[CapMessageRecord | None, tuple[str, ...]]:
        """End the warning: a Cancel if anything went out, and parts not out yet never go out.

        Returns the Cancel message (None when nothing was public) and the countries whose part was withdrawn.
        """
        self.require_state(set(S) - FINAL, "cancel")
        message = None
        if self.messages:
            if stamp is None:
                raise Conflict("the warning went out; cancelling it needs a CAP Cancel message")
            message = self._append(cancel_message(self.messages, stamp, reason))
        self.state = S.CANCELLED
        return message, self._withdraw_open_parts()

    def ran_out(self, moment: datetime) -> bool:
        """Out, and the latest message's expiry has passed."""
        latest = self.latest
        return self.state in _OUT and latest is not None and latest.content.expires <= moment

    def expire(self, moment: datetime) -> tuple[str, ...]:
        self.require_state(set(_OUT), "expire")
        if not self.ran_out(moment):
            runs_until = self.messages[-1].content.expires.isoformat()
            raise Conflict(f"the warning runs until {runs_until}; cancel it to end it earlier")
        self.state = S.EXPIRED
        return self._withdraw_open_parts()

    def next_due(self) -> datetime | None:
        """When the schedule must look at this warning next: a part's chosen time, or the expiry of what is
        out. None when nothing will happen by itself (a draft, a warning that ended)."""
        if self.state in FINAL:
            return None
        moments = [
            part.scheduled_at
            for part in self.parts.values()
            if part.status is PartStatus.SCHEDULED and part.scheduled_at is not None
        ]
        latest = self.latest
        if self.state in _OUT and latest is not None:
            moments.append(latest.content.expires)
        return min(moments, default=None)

    def issued_countries(self) -> tuple[str, ...]:
        return tuple(code for code, part in self.parts.items() if part.status is PartStatus.ISSUED)

    def _withdraw_open_parts(self) -> tuple[str, ...]:
        withdrawn = tuple(code for code, part in self.parts.items() if part.open)
        for code in withdrawn:
            self.parts[code] = dataclasses.replace(self.parts[code], status=PartStatus.WITHDRAWN)
        return withdrawn

    def _append(self, message: CapMessageRecord) -> CapMessageRecord:
        self.messages.append(message)
        self.issued_revision = message.revision
        return message


def _changed_fields(before: WarningContent, after: WarningContent) -> tuple[str, ...]:
    return tuple(
        spec.name
        for spec in dataclasses.fields(WarningContent)
        if getattr(before, spec.name) != getattr(after, spec.name)
    )
