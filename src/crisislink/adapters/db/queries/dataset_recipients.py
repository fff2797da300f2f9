"""What the NATS partner copies of dataset events are decided on: the partners, and each dataset's label now.

Unlike the other read models this one is not filtered for a viewer: its caller (the relay of partner copies,
`app/dataset_subjects.py`) asks the sharing policy, for every partner in turn, whether that partner's machine
consumers may see the event and its dataset. It reads inside the connection that read the events.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries.record_labels import current_labels
from crisislink.kernel.markings import Label


@dataclass(frozen=True)
class RecipientContext:
    partners: tuple[uuid.UUID, ...]  # every partner of the directory, each a possible recipient
    datasets: dict[uuid.UUID, Label]  # the datasets asked for, as labelled now (a missing one: no recipient)


def recipient_context(conn: sa.Connection, dataset_ids: Collection[uuid.UUID]) -> RecipientContext:
    partners = tuple(conn.execute(sa.select(t.partners.c.id).order_by(t.partners.c.code)).scalars())
    return RecipientContext(partners, current_labels(conn, t.datasets, dataset_ids))
