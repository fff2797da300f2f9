"""Watching datasets: people follow them, and the schedule flags those that stopped arriving."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.model import Dataset
from crisislink.domains.datasets.ports import DatasetsUnitOfWork
from crisislink.kernel.errors import NotFound, PermissionDenied
from crisislink.kernel.markings import Label
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
MaySee = Callable[[Actor, Label], bool]


def _visible(actor: Actor, dataset_id: uuid.UUID, uow: DatasetsUnitOfWork, may_see: MaySee) -> Dataset:
    """The dataset if the actor may see it; otherwise the same answer as for one that does not exist."""
    if actor.user_id is None:
        raise PermissionDenied("a person follows a dataset, not the platform")
    try:
        dataset = uow.datasets.get(dataset_id)
    except NotFound:
        dataset = None
    if dataset is None or not may_see(actor, dataset.label):
        raise NotFound(f"no dataset with id {dataset_id} that you may see")
    return dataset


def follow_dataset(cmd: c.FollowDataset, uow: DatasetsUnitOfWork, may_see: MaySee, now: Now) -> bool:
    dataset = _visible(cmd.actor, cmd.dataset_id, uow, may_see)
    assert cmd.actor.user_id is not None
    added = uow.dataset_followers.follow(dataset.id, cmd.actor.user_id, now())
    if added:
        uow.touched(f"dataset-follower:{dataset.id}:{cmd.actor.user_id}")
    uow.commit()
    return added


def unfollow_dataset(cmd: c.UnfollowDataset, uow: DatasetsUnitOfWork, may_see: MaySee) -> bool:
    dataset = _visible(cmd.actor, cmd.dataset_id, uow, may_see)
    assert cmd.actor.user_id is not None
    removed = uow.dataset_followers.unfollow(dataset.id, cmd.actor.user_id)
    if removed:
        uow.touched(f"dataset-follower:{dataset.id}:{cmd.actor.user_id}")
    uow.commit()
    return removed


def flag_stale_datasets(cmd: c.FlagStaleDatasets, uow: DatasetsUnitOfWork, now: Now) -> int:  # noqa: ARG001
    """Flag each dataset past its expected refresh; the event names whom to call. Returns how many."""
    moment = now()
    flagged = uow.datasets.due_stale(moment)
    for dataset in flagged:
        dataset.stale_since = moment
        dataset.record(
            e.DatasetStale(
                label=dataset.label,
                dataset_id=dataset.id,
                contact_point_id=dataset.contact_point_id,
                last_observed_at=dataset.last_observed_at,
                expected_every_seconds=int(dataset.refresh.total_seconds()),
            )
        )
    uow.commit()
    return len(flagged)
