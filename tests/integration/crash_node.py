"""A node process that is killed with SIGKILL at a chosen moment (driven by test_crash_safety).

Modes:
  commit-then-die N   run N commands, then die before any event is delivered
  die-in-handler K    deliver events; die inside the K-th handler, after its write, before its commit
  recover             deliver everything pending, then exit normally
"""

from __future__ import annotations

import os
import signal
import sys

import sqlalchemy as sa

from crisislink.adapters.bus.dispatcher import Consumer
from crisislink.adapters.db.uow import SqlUnitOfWork
from crisislink.domains.sharing.events import ContactPointCreated
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import Event
from tests.support import build_world, make_platform

ledger_metadata = sa.MetaData()
ledger = sa.Table(
    "test_ledger",
    ledger_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_contact", sa.String(40), nullable=False),
)


def main(url: str, mode: str, count: int) -> None:
    handled = 0

    def record(event: Event, uow: SqlUnitOfWork) -> None:
        nonlocal handled
        assert isinstance(event, ContactPointCreated)
        uow.connection.execute(ledger.insert().values(event_contact=str(event.contact_point_id)))
        uow.touched(f"ledger:{event.contact_point_id}")
        handled += 1
        if mode == "die-in-handler" and handled == count:
            os.kill(os.getpid(), signal.SIGKILL)

    consumer = Consumer("ledger", frozenset({ContactPointCreated.TYPE}), record)
    platform = make_platform(url, consumers={"ledger": consumer})
    ledger_metadata.create_all(platform.engine)
    if mode == "commit-then-die":
        world = build_world(platform)
        for index in range(count):
            world.contact("BE-NCCN", Tlp.GREEN, name=f"desk {index}")
        os.kill(os.getpid(), signal.SIGKILL)
    platform.dispatcher.drain()
    platform.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
