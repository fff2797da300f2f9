"""Results over time: per partner and run, how many of its contacts answered and how fast.

Delays count from the first message of a probe to its acknowledgement, whoever answered it (an answer
after escalation counts, with its longer delay). A run still open counts what has come in so far.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from crisislink.domains.readiness.runs import Outcome


@dataclass(frozen=True)
class ProbeResult:
    outcome: Outcome
    delay_seconds: float | None


@dataclass(frozen=True)
class RunSummary:
    """One partner's result in one run."""

    run_id: uuid.UUID
    started_at: datetime
    closed: bool
    contacts: int
    answered: int
    after_escalation: int
    median_seconds: float | None
    max_seconds: float | None

    @property
    def answer_rate(self) -> float:
        return self.answered / self.contacts if self.contacts else 0.0


def summarise(
    run_id: uuid.UUID, started_at: datetime, closed: bool, probes: Iterable[ProbeResult]
) -> RunSummary:
    results = list(probes)
    answered = [r for r in results if r.outcome in {Outcome.ACKNOWLEDGED, Outcome.AFTER_ESCALATION}]
    delays = [r.delay_seconds for r in answered if r.delay_seconds is not None]
    return RunSummary(
        run_id=run_id,
        started_at=started_at,
        closed=closed,
        contacts=len(results),
        answered=len(answered),
        after_escalation=sum(1 for r in answered if r.outcome is Outcome.AFTER_ESCALATION),
        median_seconds=statistics.median(delays) if delays else None,
        max_seconds=max(delays) if delays else None,
    )
