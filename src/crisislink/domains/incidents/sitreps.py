"""Situation reports: structured, one text per working language, published at a chosen time."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime

from crisislink.kernel.aggregate import Shareable
from crisislink.kernel.errors import Conflict, InvalidInput

MAX_SECTION = 20_000


@dataclass(frozen=True)
class SitrepText:
    """One language's text. Only the situation is required; empty sections print as 'nothing to report'."""

    situation: str
    casualties: str = ""
    resources: str = ""
    actions: str = ""
    outlook: str = ""

    def __post_init__(self) -> None:
        if not self.situation.strip():
            raise InvalidInput("a situation report needs the situation described in each language it carries")
        for section in fields(self):
            if len(getattr(self, section.name)) > MAX_SECTION:
                raise InvalidInput(f"the {section.name} section is longer than {MAX_SECTION} characters")


@dataclass(frozen=True)
class Figures:
    dead: int = 0
    injured: int = 0
    missing: int = 0
    evacuated: int = 0
    displaced: int = 0

    def __post_init__(self) -> None:
        for figure in fields(self):
            if getattr(self, figure.name) < 0:
                raise InvalidInput(f"the number {figure.name} cannot be negative")


class SitrepStatus(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


@dataclass(kw_only=True, eq=False)
class Sitrep(Shareable):
    incident_id: uuid.UUID
    number: int
    author_user_id: uuid.UUID | None
    texts: dict[str, SitrepText]
    figures: Figures
    created_at: datetime
    next_report_at: datetime | None = None
    status: SitrepStatus = SitrepStatus.DRAFT
    publish_at: datetime | None = None
    published_at: datetime | None = None
    reminded_at: datetime | None = None
    languages_required: tuple[str, ...] = field(default_factory=tuple)

    def missing_languages(self) -> tuple[str, ...]:
        return tuple(language for language in self.languages_required if language not in self.texts)

    def revise(self, texts: dict[str, SitrepText], figures: Figures, next_report_at: datetime | None) -> None:
        if self.status is SitrepStatus.PUBLISHED:
            raise Conflict(f"situation report {self.number} is published; write the next one instead")
        if not texts:
            raise InvalidInput("a situation report needs a text in at least one language")
        self.texts, self.figures, self.next_report_at = texts, figures, next_report_at

    def publish(self, at: datetime, now: datetime, *, check_next: bool = True) -> bool:
        """Publish now, or schedule for `at`. True if it is published now.

        `check_next=False` is for the schedule publishing a report that was accepted earlier: a next-report
        time that has passed meanwhile (the schedule was down) must not keep the report unpublished.
        """
        if self.status is SitrepStatus.PUBLISHED:
            raise Conflict(f"situation report {self.number} is published already")
        if check_next and self.next_report_at is not None and self.next_report_at <= max(at, now):
            raise InvalidInput("the next report must be due after this one is published")
        if at > now:
            self.status, self.publish_at = SitrepStatus.SCHEDULED, at
            return False
        self.status, self.publish_at, self.published_at = SitrepStatus.PUBLISHED, at, now
        return True

    def due_for_reminder(self, now: datetime, lead_seconds: float) -> bool:
        if self.status is not SitrepStatus.PUBLISHED or self.next_report_at is None:
            return False
        if self.reminded_at is not None:
            return False
        return (self.next_report_at - now).total_seconds() <= lead_seconds
