"""The platform's clock-driven work: escalate unanswered notifications, publish and remind of reports.

It runs in a background thread of the serving process; `crisislink incidents tick` does one round by
hand. Two processes running it at once are safe: a record changed by both loses one write to a version
conflict, which is logged and retried on the next round.
"""

from __future__ import annotations

import logging
import threading

from crisislink.app.assistance_notifications import deliver_assistance_notifications
from crisislink.app.bus import MessageBus
from crisislink.app.dataset_access import run_dataset_delivery
from crisislink.app.dataset_contact_notices import deliver_dataset_contact_notices
from crisislink.app.external_warnings import poll_due_feeds
from crisislink.domains.assistance.commands import ExpireAssistanceRequests
from crisislink.domains.datasets.commands import FlagStaleDatasets
from crisislink.domains.incidents.commands import RunSchedule
from crisislink.domains.readiness.commands import RunReadinessSchedule
from crisislink.domains.warnings.commands import RunWarningSchedule
from crisislink.kernel.errors import CrisislinkError
from crisislink.kernel.messages import SYSTEM

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 30.0


def run_once(bus: MessageBus) -> int:
    done: int = bus.handle(RunSchedule(actor=SYSTEM))
    done += bus.handle(RunWarningSchedule(actor=SYSTEM))
    done += poll_due_feeds(bus)  # neighbours' warning feeds that are due
    done += bus.handle(ExpireAssistanceRequests(actor=SYSTEM))  # requests past their deadline
    done += deliver_assistance_notifications(bus)  # desks told of assistance steps (line 2)
    done += deliver_dataset_contact_notices(bus)  # contacts told of stale datasets (line 4)
    done += bus.handle(RunReadinessSchedule(actor=SYSTEM))  # tests due, escalations, desks (line 4)
    done += bus.handle(FlagStaleDatasets(actor=SYSTEM))  # datasets that stopped arriving (line 4)
    done += run_dataset_delivery(bus)  # access expiry, pull sources, webhooks (line 4)
    return done


def run_forever(bus: MessageBus, stop: threading.Event, interval: float = INTERVAL_SECONDS) -> None:
    while not stop.wait(interval):
        try:
            done = run_once(bus)
        except CrisislinkError as error:
            log.warning("scheduled work was refused this round and is retried next round: %s", error.message)
        except Exception:
            # The schedule must outlive a bad round (e.g. the database briefly unavailable).
            log.exception("scheduled work failed; retrying in %s s", interval)
        else:
            if done:
                log.info("scheduled work: %d item(s) escalated, published or reminded", done)
