"""Giving units back: when an accepted offer ends (withdrawn, stood down, demobilised) its units are free."""

from __future__ import annotations

from datetime import datetime

from crisislink.domains.assistance.handlers import unit_status_changed
from crisislink.domains.assistance.offers import Offer
from crisislink.domains.assistance.ports import AssistanceUnitOfWork


def release_units(offer: Offer, uow: AssistanceUnitOfWork, moment: datetime) -> None:
    for unit_id in offer.accepted_units:
        unit = uow.units.get(unit_id)
        if unit.offer_id != offer.id:
            continue  # released already (or never held): nothing to give back
        previous = unit.status
        unit.release(moment)
        unit.record(unit_status_changed(unit, previous))
