"""Command handlers for the dataset itself: publish and change it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import events as e
from crisislink.domains.datasets.intake import FRESHNESS, FreshnessRules
from crisislink.domains.datasets.model import (
    MAX_TITLE,
    Dataset,
    Series,
    check_refresh,
    check_series,
)
from crisislink.domains.datasets.permissions import require_owner, require_publisher
from crisislink.domains.datasets.ports import DatasetsUnitOfWork, Directory, RecordSchemas
from crisislink.kernel.aggregate import check_version
from crisislink.kernel.errors import InvalidInput, PermissionDenied
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label, Principal, PrincipalKind
from crisislink.kernel.messages import Actor

Now = Callable[[], datetime]
MAX_DESCRIPTION = 20_000


def _text(value: str, what: str, limit: int) -> str:
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(f"{what} must not be empty")
    if len(stripped) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return stripped


def _description(value: str) -> str:
    if len(value) > MAX_DESCRIPTION:
        raise InvalidInput(f"the description is longer than {MAX_DESCRIPTION} characters")
    return value.strip()


def _owner(actor: Actor, asked: uuid.UUID | None, directory: Directory) -> uuid.UUID:
    """A partner publishes its own data; the platform (seeding, administrators) may name the owner."""
    may_choose = actor.is_system or "node_admin" in actor.roles
    owner = asked if asked is not None and may_choose else actor.partner_id
    if asked is not None and asked != owner:
        raise PermissionDenied("a partner publishes its own datasets, not another partner's")
    if owner is None or not directory.partner_exists(owner):
        raise InvalidInput("name the partner that owns the dataset")
    return owner


def _check_contact(directory: Directory, contact_point_id: uuid.UUID, owner: uuid.UUID) -> None:
    """Who to call about the data is one of the owner's own points of contact: it answers for the data."""
    belongs_to = directory.contact_owner(contact_point_id)
    if belongs_to is None:
        raise InvalidInput(f"no point of contact with id {contact_point_id} in the directory")
    if belongs_to != owner:
        raise InvalidInput(
            "the point of contact for a dataset must be one of its owner's own points of contact"
        )


def _check_audience(directory: Directory, audience: Iterable[Principal]) -> None:
    for principal in audience:
        known = (
            directory.partner_exists(principal.id)
            if principal.kind is PrincipalKind.PARTNER
            else directory.partner_of_user(principal.id) is not None
        )
        if not known:
            raise InvalidInput(f"the audience names an unknown {principal.kind.value} {principal.id}")


def publish_dataset(
    cmd: c.PublishDataset,
    uow: DatasetsUnitOfWork,
    schemas: RecordSchemas,
    now: Now,
    rules: FreshnessRules = FRESHNESS,
) -> uuid.UUID:
    require_publisher(cmd.actor)
    directory = uow.dataset_directory
    owner = _owner(cmd.actor, cmd.owner_partner_id, directory)
    _check_contact(directory, cmd.contact_point_id, owner)
    _check_audience(directory, cmd.audience)
    schemas.check(cmd.record_schema)
    moment = now()
    dataset = Dataset(
        id=new_id(),
        label=Label(owner, uow.node_id, cmd.marking, cmd.audience),
        title=_text(cmd.title, "the title", MAX_TITLE),
        kind=cmd.kind,
        description=_description(cmd.description),
        record_schema=dict(cmd.record_schema),
        contact_point_id=cmd.contact_point_id,
        refresh=check_refresh(cmd.refresh),
        series=check_series(cmd.series),
        created_at=moment,
        created_by=cmd.actor.user_id,
        stale_at=moment,
        synthetic=cmd.synthetic,
    )
    dataset.stale_at = rules.stale_at(dataset)
    dataset.record(
        e.DatasetPublished(
            label=dataset.label,
            dataset_id=dataset.id,
            title=dataset.title,
            kind=dataset.kind.value,
            contact_point_id=dataset.contact_point_id,
            series=tuple(s.key for s in dataset.series),
        )
    )
    uow.datasets.add(dataset)
    uow.commit()
    return dataset.id


def update_dataset(cmd: c.UpdateDataset, uow: DatasetsUnitOfWork, rules: FreshnessRules = FRESHNESS) -> None:
    dataset = uow.datasets.get(cmd.dataset_id)
    require_owner(cmd.actor, dataset)
    check_version(dataset, cmd.expected_version, "dataset")
    changed = _apply_changes(cmd, dataset, uow.dataset_directory)
    if cmd.marking is not None or cmd.audience is not None:
        _relabel(cmd, dataset, uow.dataset_directory, changed)
    if not changed:
        return
    dataset.stale_at = rules.stale_at(dataset)
    dataset.record(e.DatasetUpdated(label=dataset.label, dataset_id=dataset.id, changed=tuple(changed)))
    uow.commit()


def _apply_changes(cmd: c.UpdateDataset, dataset: Dataset, directory: Directory) -> list[str]:
    changed: list[str] = []
    if cmd.title is not None and cmd.title.strip() != dataset.title:
        dataset.title = _text(cmd.title, "the title", MAX_TITLE)
        changed.append("title")
    if cmd.description is not None and cmd.description.strip() != dataset.description:
        dataset.description = _description(cmd.description)
        changed.append("description")
    if cmd.contact_point_id is not None and cmd.contact_point_id != dataset.contact_point_id:
        owner = dataset.label.owner_partner_id
        assert owner is not None, "datasets always have an owner partner"
        _check_contact(directory, cmd.contact_point_id, owner)
        dataset.contact_point_id = cmd.contact_point_id
        changed.append("contact_point_id")
    if cmd.refresh is not None and cmd.refresh != dataset.refresh:
        dataset.refresh = check_refresh(cmd.refresh)
        changed.append("refresh")
    if cmd.series is not None and cmd.series != dataset.series:
        dataset.series = _kept_series(check_series(cmd.series), dataset)
        changed.append("series")
    return changed


def _kept_series(series: tuple[Series, ...], dataset: Dataset) -> tuple[Series, ...]:
    """A series that has observations stays declared: its data would otherwise lose its unit and name."""
    dropped = set(dataset.latest) - {s.key for s in series}
    if dropped:
        raise InvalidInput(f"series {', '.join(sorted(dropped))} hold observations and must stay declared")
    return series


def _relabel(cmd: c.UpdateDataset, dataset: Dataset, directory: Directory, changed: list[str]) -> None:
    audience = cmd.audience if cmd.audience is not None else dataset.label.audience
    _check_audience(directory, audience)
    old = dataset.label
    new = Label(old.owner_partner_id, old.home_node_id, cmd.marking or old.marking, audience)
    if new != old:
        dataset.label = new
        dataset.record(e.DatasetRelabelled(label=old, dataset_id=dataset.id))
        changed.append("label")
