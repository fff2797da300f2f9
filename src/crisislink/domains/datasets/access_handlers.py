"""Command handlers for access requests. A grant widens the dataset's audience; its end narrows it again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from crisislink.domains.datasets import access_commands as c
from crisislink.domains.datasets import access_events as e
from crisislink.domains.datasets.access import (
    AccessRequest,
    AccessRequestStore,
    AccessStatus,
    check_expiry,
    check_reason,
    require_steward,
)
from crisislink.domains.datasets.events import DatasetRelabelled, DatasetUpdated
from crisislink.domains.datasets.model import Dataset
from crisislink.domains.datasets.ports import DatasetsUnitOfWork
from crisislink.kernel.errors import InvalidInput, NotFound, PermissionDenied
from crisislink.kernel.ids import new_id
from crisislink.kernel.markings import Label, Principal, Tlp
from crisislink.kernel.messages import Actor, Event

Now = Callable[[], datetime]
MaySee = Callable[[Actor, Label], bool]


class AccessUnitOfWork(DatasetsUnitOfWork, Protocol):
    def emit(self, event: Event) -> None: ...


Stores = Callable[[AccessUnitOfWork], AccessRequestStore]


def _label(request: AccessRequest, node_id: uuid.UUID) -> Label:
    """The owner and the requesting partner see the request (AMBER, audience: the requester)."""
    audience = frozenset({Principal.partner(request.partner_id)})
    return Label(request.dataset_owner_id, node_id, Tlp.AMBER, audience)


def _dataset(uow: AccessUnitOfWork, dataset_id: uuid.UUID) -> Dataset:
    try:
        return uow.datasets.get(dataset_id)
    except NotFound:
        raise NotFound(f"no dataset with id {dataset_id}") from None


def request_access(
    cmd: c.RequestDatasetAccess, uow: AccessUnitOfWork, stores: Stores, may_see: MaySee, now: Now
) -> uuid.UUID:
    partner = cmd.actor.partner_id
    if partner is None:
        raise PermissionDenied("access is requested by a member of a partner organisation")
    dataset = _dataset(uow, cmd.dataset_id)
    if dataset.label.marking is not Tlp.AMBER:
        raise InvalidInput("access can be requested only for AMBER datasets (others are not widened by name)")
    if may_see(cmd.actor, dataset.label):
        raise InvalidInput("your organisation can see this dataset already")
    store = stores(uow)
    if store.open_for(dataset.id, partner) is not None:
        raise InvalidInput("your organisation has an open request or a grant for this dataset already")
    owner = dataset.label.owner_partner_id
    assert owner is not None, "datasets always have an owner partner"
    request = AccessRequest(
        id=new_id(),
        dataset_id=dataset.id,
        dataset_owner_id=owner,
        partner_id=partner,
        requested_by=cmd.actor.user_id,
        reason=check_reason(cmd.reason, "the reason"),
        created_at=now(),
    )
    store.add(request)
    _emit(uow, request, e.DatasetAccessRequested, reason=request.reason)
    uow.commit()
    return request.id


def _emit(
    uow: AccessUnitOfWork, request: AccessRequest, kind: type[e.AccessEvent], **payload: object
) -> None:
    uow.touched(f"dataset-access:{request.id}")
    uow.emit(
        kind(
            label=_label(request, uow.node_id),
            request_id=request.id,
            dataset_id=request.dataset_id,
            partner_id=request.partner_id,
            **payload,
        )
    )


def _decidable(
    uow: AccessUnitOfWork, store: AccessRequestStore, cmd_actor: Actor, request_id: uuid.UUID
) -> tuple[AccessRequest, Dataset]:
    request = store.get(request_id)
    dataset = _dataset(uow, request.dataset_id)
    require_steward(cmd_actor, dataset)
    return request, dataset


def grant_access(cmd: c.GrantDatasetAccess, uow: AccessUnitOfWork, stores: Stores, now: Now) -> None:
    store = stores(uow)
    request, dataset = _decidable(uow, store, cmd.actor, cmd.request_id)
    if request.status is not AccessStatus.PENDING:
        raise InvalidInput(f"this request is {request.status.value}, not pending")
    moment = now()
    request.status = AccessStatus.GRANTED
    request.scope = cmd.scope
    request.expires_at = check_expiry(cmd.expires_at, moment)
    request.decided_by, request.decided_at = cmd.actor.user_id, moment
    request.decision_note = cmd.note.strip() or None
    principal = Principal.partner(request.partner_id)
    request.added_to_audience = principal not in dataset.label.audience
    if request.added_to_audience:
        old = dataset.label
        dataset.label = Label(old.owner_partner_id, old.home_node_id, old.marking, old.audience | {principal})
        dataset.record(DatasetUpdated(label=dataset.label, dataset_id=dataset.id, changed=("audience",)))
    store.save(request)
    _emit(uow, request, e.DatasetAccessGranted, scope=cmd.scope.value, expires_at=request.expires_at)
    uow.commit()


def refuse_access(cmd: c.RefuseDatasetAccess, uow: AccessUnitOfWork, stores: Stores, now: Now) -> None:
    store = stores(uow)
    request, _ = _decidable(uow, store, cmd.actor, cmd.request_id)
    if request.status is not AccessStatus.PENDING:
        raise InvalidInput(f"this request is {request.status.value}, not pending")
    request.status = AccessStatus.REFUSED
    request.decision_note = check_reason(cmd.reason, "the reason for refusing")
    request.decided_by, request.decided_at = cmd.actor.user_id, now()
    store.save(request)
    _emit(uow, request, e.DatasetAccessRefused, reason=request.decision_note)
    uow.commit()


def revoke_access(cmd: c.RevokeDatasetAccess, uow: AccessUnitOfWork, stores: Stores, now: Now) -> None:
    store = stores(uow)
    request, dataset = _decidable(uow, store, cmd.actor, cmd.request_id)
    if request.status is not AccessStatus.GRANTED:
        raise InvalidInput(f"this request is {request.status.value}, not granted")
    _end(uow, store, request, dataset, now(), f"revoked: {check_reason(cmd.reason, 'the reason')}")
    uow.commit()


def end_expired_access(
    cmd: c.EndExpiredDatasetAccess,  # noqa: ARG001
    uow: AccessUnitOfWork,
    stores: Stores,
    now: Now,
) -> int:
    store = stores(uow)
    moment = now()
    due = store.due_to_end(moment)
    for request in due:
        _end(uow, store, request, uow.datasets.get(request.dataset_id), moment, "expired")
    uow.commit()
    return len(due)


def _end(
    uow: AccessUnitOfWork,
    store: AccessRequestStore,
    request: AccessRequest,
    dataset: Dataset,
    moment: datetime,
    why: str,
) -> None:
    request.status, request.ended_at = AccessStatus.ENDED, moment
    principal = Principal.partner(request.partner_id)
    if request.added_to_audience and principal in dataset.label.audience:
        old = dataset.label
        dataset.label = Label(old.owner_partner_id, old.home_node_id, old.marking, old.audience - {principal})
        dataset.record(DatasetRelabelled(label=old, dataset_id=dataset.id))
        dataset.record(DatasetUpdated(label=dataset.label, dataset_id=dataset.id, changed=("audience",)))
    store.save(request)
    _emit(uow, request, e.DatasetAccessEnded, why=why)
