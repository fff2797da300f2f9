"""Wiring of the datasets capability: its command handlers with their adapters, and its map layer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import datasets as queries
from crisislink.adapters.standards.json_schema import JsonSchemas
from crisislink.app.bus import CommandHandler
from crisislink.app.layers import N_, Feature, MapLayer
from crisislink.domains.datasets import commands as c
from crisislink.domains.datasets import handlers as h
from crisislink.domains.datasets import ingest_handlers as ih
from crisislink.domains.datasets import watch_handlers as wh
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.kernel.clock import Clock
from crisislink.kernel.markings import Label
from crisislink.kernel.messages import Actor, Command


def actor_may_see(actor: Actor, label: Label) -> bool:
    """The sharing policy, for a command's actor (the platform itself sees everything)."""
    return actor.is_system or may_see(Viewer(user_id=actor.user_id, partner_id=actor.partner_id), label)


def dataset_handlers(clock: Clock, schemas: JsonSchemas | None = None) -> dict[type[Command], CommandHandler]:
    schemas = schemas or JsonSchemas()
    now = clock.now
    return {
        c.PublishDataset: partial(h.publish_dataset, schemas=schemas, now=now),
        c.UpdateDataset: h.update_dataset,
        c.IngestObservations: partial(ih.ingest_observations, schemas=schemas, now=now),
        c.FollowDataset: partial(wh.follow_dataset, may_see=actor_may_see, now=now),
        c.UnfollowDataset: partial(wh.unfollow_dataset, may_see=actor_may_see),
        c.FlagStaleDatasets: partial(wh.flag_stale_datasets, now=now),
    }


def _dataset_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterable[Feature]:  # noqa: ARG001
    return queries.dataset_features(engine, viewer)


def dataset_layers() -> list[MapLayer]:
    return [
        MapLayer(
            id="datasets",
            title=N_("Partners' live data"),
            geometry="point",
            features=_dataset_features,
            order=50,  # after the hospitals (45)
            style={"color": "#005f73", "symbol": "gauge"},
        )
    ]
