"""Wiring of the mutual-assistance capability: its command handlers and its map layer of units."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine

from crisislink.adapters.db.queries import assistance as queries
from crisislink.app.bus import CommandHandler
from crisislink.app.hospitals import hospital_handlers, hospital_layer
from crisislink.app.layers import N_, Feature, MapLayer
from crisislink.app.settings import Settings
from crisislink.domains.assistance import commands as c
from crisislink.domains.assistance import handlers as h
from crisislink.domains.assistance import imports  # EDXL-RM import: one command per message
from crisislink.domains.assistance import offer_handlers as oh
from crisislink.domains.assistance import request_handlers as rh
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.clock import Clock
from crisislink.kernel.messages import Command


def assistance_handlers(
    settings: Settings,  # noqa: ARG001 -- the signature every capability's wiring has
    clock: Clock,
) -> dict[type[Command], CommandHandler]:
    now = clock.now
    return {
        c.RegisterUnit: partial(h.register_unit, now=now),
        c.UpdateUnit: h.update_unit,
        c.SetUnitStatus: partial(h.set_unit_status, now=now),
        c.CreateAssistanceRequest: partial(rh.create_request, now=now),
        c.SendAssistanceRequest: partial(rh.send_request, now=now),
        c.CloseAssistanceRequest: partial(rh.close_request, now=now),
        c.CancelAssistanceRequest: partial(rh.cancel_request, now=now),
        c.ExpireAssistanceRequests: partial(rh.expire_requests, now=now),
        c.MakeOffer: partial(oh.make_offer, now=now),
        c.AcceptOffer: partial(oh.accept_offer, now=now),
        c.DeclineOffer: partial(oh.decline_offer, now=now),
        c.WithdrawOffer: partial(oh.withdraw_offer, now=now),
        c.MobiliseOffer: partial(oh.mobilise_offer, now=now),
        c.DeployOffer: partial(oh.deploy_offer, now=now),
        c.DemobiliseOffer: partial(oh.demobilise_offer, now=now),
        imports.ImportAssistanceMessage: partial(imports.import_message, now=now),
        **hospital_handlers(now),  # the hospital register (app/hospitals.py)
    }


def _unit_features(engine: Engine, viewer: Viewer, now: datetime) -> Iterable[Feature]:  # noqa: ARG001
    return queries.unit_features(engine, viewer)


def assistance_layers() -> list[MapLayer]:
    # "Resources" is the console's existing word for these (NL "Middelen", FR "Moyens", DE "Kräfte und
    # Mittel"), already translated in every catalogue.
    return [
        MapLayer(
            id="units",
            title=N_("Resources"),
            geometry="point",
            features=_unit_features,
            order=40,
            style={"color": "#8a4b08", "symbol": "unit"},
        ),
        hospital_layer(),  # after "units" (app/hospitals.py)
    ]
