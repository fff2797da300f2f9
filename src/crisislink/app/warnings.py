"""Wiring of the public-warning capability: its command handlers, CAP identifiers and area targeting."""

from __future__ import annotations

import threading
import uuid
from functools import partial

from crisislink.adapters.geo import targeting_units
from crisislink.adapters.geo.targeting_index import Targeting as TargetingIndex
from crisislink.adapters.geo.targeting_result import TargetingResult
from crisislink.app.bus import CommandHandler
from crisislink.app.settings import Settings
from crisislink.domains.warnings import approval_handlers as ah
from crisislink.domains.warnings import commands as c
from crisislink.domains.warnings import handlers as h
from crisislink.domains.warnings import issue_handlers as ih
from crisislink.domains.warnings.values import Geocode, LanguageRule, Targeting
from crisislink.kernel.clock import Clock
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.geo import Area
from crisislink.kernel.messages import Command


class NodeIdentifiers:
    """CAP identifiers of this node: its sender and a random UUID, so no restart or other node repeats one."""

    def __init__(self, sender: str, node_code: str) -> None:
        self._sender = sender
        self._prefix = f"crisislink-{node_code}"

    @property
    def sender(self) -> str:
        return self._sender

    def new_identifier(self) -> str:
        return f"{self._prefix}-{uuid.uuid4()}"


class AreaTargeting:
    """Whom an area reaches: the index over the shipped boundaries, built on first use, shared read-only."""

    def __init__(self) -> None:
        self._index: TargetingIndex | None = None
        self._lock = threading.Lock()

    def index(self) -> TargetingIndex:
        with self._lock:
            if self._index is None:
                self._index = targeting_units.from_reference()
            return self._index

    def evaluate(self, area: Area) -> TargetingResult:
        return self.index().evaluate(area.geometry)

    def for_warning(self, area: Area) -> tuple[TargetingResult, Targeting]:
        result = self.evaluate(area)
        return result, domain_targeting(result)


def domain_targeting(result: TargetingResult) -> Targeting:
    """What the warning keeps of a targeting: countries, language rules with reasons, people, geocodes."""
    if not result.countries:
        raise InvalidInput(
            "the area touches no municipality or region the platform knows (Belgium, the Netherlands, "
            "Luxembourg and their neighbours' border regions); draw it over the places to warn"
        )
    rules = tuple(
        LanguageRule(requirement.language, part.country, requirement.reason)
        for part in result.countries
        for requirement in part.required_languages
    )
    optional = tuple(
        dict.fromkeys(
            requirement.language for part in result.countries for requirement in part.optional_languages
        )
    )
    return Targeting(
        countries=tuple(part.country for part in result.countries),
        required_languages=rules,
        optional_languages=optional,
        population=result.population_reached,
        geocodes=tuple(Geocode(system, code) for system, code in result.geocodes.as_cap()),
    )


def warning_handlers(settings: Settings, clock: Clock) -> dict[type[Command], CommandHandler]:
    now = clock.now
    identifiers = NodeIdentifiers(settings.sender, settings.node_code)
    return {
        c.DraftWarning: partial(h.draft_warning, now=now),
        c.ReviseWarning: h.revise_warning,
        c.ApplyTemplate: h.apply_template,
        c.SubmitForApproval: h.submit_for_approval,
        c.CommentOnWarning: partial(ah.comment_on_warning, now=now),
        c.RequestChanges: partial(ah.request_changes, now=now),
        c.ApproveWarning: partial(ah.approve_warning, now=now),
        c.ScheduleParts: partial(ih.schedule_parts, now=now),
        c.IssueWarning: partial(ih.issue_warning, identifiers=identifiers, now=now),
        c.IssueUpdate: partial(ih.issue_update, identifiers=identifiers, now=now),
        c.CancelWarning: partial(ih.cancel_warning, identifiers=identifiers, now=now),
        c.ExpireWarning: partial(ih.expire_warning, now=now),
        c.RunWarningSchedule: partial(ih.run_warning_schedule, identifiers=identifiers, now=now),
    }
