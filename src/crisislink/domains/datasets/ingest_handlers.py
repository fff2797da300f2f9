"""Pushed observations: checked record by record, stored in bulk, one event per accepted batch.

Nothing is half-written silently: either the batch is refused as a whole (all_or_nothing, or nothing in
it valid) and nothing is stored, or the valid records are stored and every refused one is listed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.intake import FRESHNESS, Crossing, FreshnessRules, Intake, take
from crisislink.domains.datasets.model import Dataset, IngestMode
from crisislink.domains.datasets.observations import (
    Observation,
    RecordError,
    RecordsRejected,
    check_records,
    first_of_each_key,
)
from crisislink.domains.datasets.permissions import require_owner
from crisislink.domains.datasets.ports import DatasetsUnitOfWork, RecordSchemas
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.markings import Label, Principal, Tlp

Now = Callable[[], datetime]


@dataclass(frozen=True)
class IngestRules:
    freshness: FreshnessRules = FRESHNESS
    max_records: int = 10_000
    future_skew: timedelta = timedelta(minutes=5)  # clocks of field devices drift


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int  # valid records whose observation was stored already (or twice in the batch)
    errors: tuple[RecordError, ...]

    @property
    def rejected(self) -> int:
        return len({error.index for error in self.errors})


def ingest_observations(
    cmd: c.IngestObservations,
    uow: DatasetsUnitOfWork,
    schemas: RecordSchemas,
    now: Now,
    rules: IngestRules = IngestRules(),
) -> IngestResult:
    records = cmd.batch.records
    if not records:
        raise InvalidInput("the batch holds no records")
    if len(records) > rules.max_records:
        raise InvalidInput(
            f"send at most {rules.max_records} records per batch (this one has {len(records)})"
        )
    dataset = uow.datasets.get_for_ingest(cmd.dataset_id)
    require_owner(cmd.actor, dataset)
    moment = now()
    checked = check_records(
        records, dataset, schemas.compile(dataset.record_schema), moment, rules.future_skew
    )
    _refuse_if_needed(cmd.mode, checked.errors, checked.observations, len(records))
    stored = _new(dataset, first_of_each_key(checked.observations), uow)
    uow.dataset_observations.add(dataset.id, stored, moment)
    duplicates = len(checked.observations) - len(stored)
    if stored:
        intake = take(dataset, stored, moment, rules.freshness)
        _record_batch(dataset, stored, duplicates, intake)
        if intake.crossings:
            _alert_followers(dataset, intake.crossings, uow.node_id, uow.dataset_followers.of(dataset.id))
    uow.commit()
    return IngestResult(len(records), len(stored), duplicates, tuple(checked.errors))


def _new(dataset: Dataset, observations: list[Observation], uow: DatasetsUnitOfWork) -> list[Observation]:
    """The observations not stored yet. Only one no newer than its series' latest can be stored already
    (the latest is the newest stored, kept in the same transaction): those alone are looked up, so a
    batch of new readings costs no read at all."""
    older = [
        o for o in observations if (x := dataset.latest.get(o.series)) and o.observed_at <= x.observed_at
    ]
    stored = uow.dataset_observations.existing(dataset.id, older) if older else set()
    return [o for o in observations if o.key not in stored]


def _refuse_if_needed(
    mode: IngestMode, errors: Sequence[RecordError], valid: Sequence[Observation], received: int
) -> None:
    if not errors:
        return
    refused = len({error.index for error in errors})
    if mode is IngestMode.ALL_OR_NOTHING:
        raise RecordsRejected(
            f"{refused} of {received} records are invalid and the batch was sent all-or-nothing: nothing "
            "was stored; fix the listed records and send the batch again",
            errors,
            received,
        )
    if not valid:
        raise RecordsRejected(
            f"none of the {received} records is valid: nothing was stored; fix the listed records",
            errors,
            received,
        )


def _record_batch(dataset: Dataset, stored: Sequence[Observation], duplicates: int, intake: Intake) -> None:
    times = [o.observed_at for o in stored]
    dataset.record(
        e.DatasetObservationsReceived(
            label=dataset.label,
            dataset_id=dataset.id,
            count=len(stored),
            duplicates=duplicates,
            first_observed_at=min(times),
            last_observed_at=max(times),
            latest=tuple(
                e.SeriesReading(key, latest.observed_at, latest.value)
                for key, latest in sorted(intake.latest.items())
            ),
        )
    )
    for crossing in intake.crossings:
        dataset.record(_crossed(dataset, crossing))
    if intake.became_fresh:
        dataset.record(
            e.DatasetFresh(
                label=dataset.label,
                dataset_id=dataset.id,
                last_observed_at=dataset.last_observed_at,
                stale_since=None,
            )
        )


def _crossed(dataset: Dataset, crossing: Crossing) -> e.ThresholdCrossed:
    return e.ThresholdCrossed(
        label=dataset.label,
        dataset_id=dataset.id,
        series=crossing.series,
        threshold=crossing.threshold.name,
        level=crossing.threshold.level,
        direction=crossing.direction.value,
        reading=e.SeriesReading(crossing.series, crossing.observed_at, crossing.value),
        previous=crossing.previous,
    )


def _alert_followers(
    dataset: Dataset, crossings: Sequence[Crossing], node_id: uuid.UUID, followers: Sequence[uuid.UUID]
) -> None:
    """One event for the followers, labelled for them: RED names exactly its recipients.

    Its context is the dataset, so a follower who may no longer see the dataset does not get it either.
    """
    if not followers:
        return
    label = Label(
        owner_partner_id=dataset.label.owner_partner_id,
        home_node_id=node_id,
        marking=Tlp.RED,
        audience=frozenset(Principal.user(user) for user in followers),
    )
    dataset.record(
        e.FollowersAlerted(
            label=label,
            dataset_id=dataset.id,
            title=dataset.title,
            crossings=tuple(
                e.CrossedThreshold(
                    x.series,
                    x.threshold.name,
                    x.direction.value,
                    e.SeriesReading(x.series, x.observed_at, x.value),
                )
                for x in crossings
            ),
            followers=tuple(sorted(followers)),
        )
    )
