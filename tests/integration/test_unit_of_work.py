"""The unit of work on both databases: atomic commits, optimistic locking, outbox in the same transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db import uow as uow_module
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import PartnerKind
from crisislink.kernel.errors import Conflict, InvalidInput
from crisislink.kernel.markings import Tlp
from crisislink.kernel.messages import SYSTEM
from tests.support import World


def _count(world: World, table: sa.Table) -> int:
    with world.platform.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_command_writes_record_event_and_audit_entry_together(world: World) -> None:
    before = (_count(world, t.contact_points), _count(world, t.events), _count(world, t.audit_log))
    world.contact("BE-NCCN", Tlp.GREEN)
    after = (_count(world, t.contact_points), _count(world, t.events), _count(world, t.audit_log))
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1)


def test_a_rejected_command_changes_nothing(world: World) -> None:
    before = (_count(world, t.partners), _count(world, t.events), _count(world, t.audit_log))
    with pytest.raises(InvalidInput):
        world.platform.bus.handle(
            sc.RegisterPartner(
                actor=SYSTEM,
                code="XX-BAD",
                name="bad",
                country="BE",
                kind=PartnerKind.GOVERNMENT_BODY,
                home_node_id=world.platform.node_id,
                languages=("klingon",),
            )
        )
    assert (_count(world, t.partners), _count(world, t.events), _count(world, t.audit_log)) == before


def test_stale_version_is_a_conflict_and_changes_nothing(world: World) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN, name="Original")
    bus = world.platform.bus
    bus.handle(
        sc.UpdateContactPoint(actor=SYSTEM, contact_point_id=contact_id, expected_version=1, name="First")
    )
    with pytest.raises(Conflict, match="reload"):
        bus.handle(
            sc.UpdateContactPoint(
                actor=SYSTEM, contact_point_id=contact_id, expected_version=1, name="Second"
            )
        )
    with world.platform.engine.connect() as conn:
        row = conn.execute(sa.select(t.contact_points.c.name, t.contact_points.c.version)).one()
    assert (row.name, row.version) == ("First", 2)


def test_concurrent_writers_on_the_same_version_lose_no_update(world: World) -> None:
    """Two units of work load version 1; the second flush finds the row changed and fails."""
    contact_id = world.contact("BE-NCCN", Tlp.GREEN, name="Original")
    platform = world.platform
    with platform.uow() as first:
        a = first.contact_points.get(contact_id)
        a.name = "by first"
        first.commit()
    with platform.uow() as second:
        b = second.contact_points.get(contact_id)
        b.version = 1  # what a concurrent reader holding the old version would write back
        b.name = "by second"
        with pytest.raises(Conflict):
            second.commit()
    with platform.engine.connect() as conn:
        assert conn.execute(sa.select(t.contact_points.c.name)).scalar_one() == "by first"


def test_audience_changes_are_persisted(world: World) -> None:
    from crisislink.kernel.markings import Principal

    liege = Principal.partner(world.partners["BE-PROV-LIEGE"])
    contact_id = world.contact("BE-NCCN", Tlp.AMBER)
    world.platform.bus.handle(
        sc.UpdateContactPoint(
            actor=SYSTEM, contact_point_id=contact_id, expected_version=1, audience=frozenset({liege})
        )
    )
    with world.platform.uow() as uow:
        assert uow.contact_points.get(contact_id).label.audience == frozenset({liege})


def test_the_unit_opens_what_a_handler_uses_on_its_own_connection_anew_each_time(world: World) -> None:
    with world.platform.uow() as uow:
        assert uow._repositories == []  # nothing opened yet
        for name in uow_module._DECLARED:
            assert getattr(uow, name) is getattr(uow, name), name  # opened once per `with`
        repositories = uow._repositories
        first_connection = uow.contact_points._conn
    assert len(repositories) == 23  # the stores (directory reads, bulk rows) are not flushed
    assert [type(each).__name__ for each in repositories[:5]] == [
        "NodeRepository",
        "PartnerRepository",
        "UserRepository",
        "TokenRepository",
        "ContactPointRepository",
    ]  # the declared order, which the events of one commit keep
    with uow:  # re-entered: a new connection, and what is used is opened on it
        assert uow.contact_points._conn is uow.connection is not first_connection


def test_an_update_through_a_repository_opened_late_is_flushed(world: World) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN, name="Before")
    with world.platform.uow() as uow:
        uow.partners.require(world.partners["BE-NCCN"])  # another repository opened first
        contact = uow.contact_points.get(contact_id)
        contact.name = "After"
        uow.commit()
    with world.platform.engine.connect() as conn:
        row = conn.execute(sa.select(t.contact_points.c.name, t.contact_points.c.version)).one()
    assert (row.name, row.version) == ("After", 2)
