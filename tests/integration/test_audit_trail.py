"""The audit trail is append-only and hash-chained: quiet rewrites are caught and located."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from crisislink.adapters.db import audit
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries.audit import verify_chain
from crisislink.kernel.markings import Tlp
from tests.support import World


def test_every_command_leaves_an_entry_naming_actor_command_and_records(world: World) -> None:
    contact_id = world.contact("BE-NCCN", Tlp.GREEN)
    with world.platform.engine.connect() as conn:
        last = conn.execute(sa.select(t.audit_log).order_by(t.audit_log.c.seq.desc()).limit(1)).one()
    assert last.command == "CreateContactPoint"
    assert str(contact_id) in last.record_ids
    assert last.details["name"] == "Desk"
    assert len(last.details["events"]) == 1


def test_secrets_never_reach_the_audit_trail(world: World) -> None:
    with world.platform.engine.connect() as conn:
        entries = conn.execute(
            sa.select(t.audit_log.c.details).where(t.audit_log.c.command == "AddUser")
        ).scalars()
        details = list(entries)
    assert details
    assert all(entry["password"] == "(withheld)" for entry in details)


def test_an_intact_chain_verifies(world: World) -> None:
    world.contact("BE-NCCN", Tlp.GREEN)
    result = verify_chain(world.platform.engine)
    assert result.ok
    assert result.checked >= 10


def test_an_altered_entry_is_caught_and_named(world: World) -> None:
    with world.platform.engine.begin() as conn:
        conn.execute(t.audit_log.update().where(t.audit_log.c.seq == 4).values(command="SomethingElse"))
    result = verify_chain(world.platform.engine)
    assert not result.ok
    assert result.first_bad_seq == 4
    assert result.checked == 3
    assert "altered" in (result.reason or "")


def test_a_removed_entry_is_caught(world: World) -> None:
    with world.platform.engine.begin() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.seq == 2))
    result = verify_chain(world.platform.engine)
    assert result.first_bad_seq == 2
    assert "missing" in (result.reason or "")


def test_truncating_the_tail_is_caught(world: World) -> None:
    with world.platform.engine.connect() as conn:
        head = conn.execute(sa.select(t.audit_head.c.seq)).scalar_one()
    with world.platform.engine.begin() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.seq == head))
    result = verify_chain(world.platform.engine)
    assert not result.ok
    assert result.first_bad_seq == head


def test_details_that_are_not_plain_json_verify_as_they_were_stored(world: World) -> None:
    """A time, an id or a set in an entry's details is stored as JSON text; the hash covers what is stored."""
    details = {"when": datetime(2021, 7, 15, 5, 30, tzinfo=UTC), "id": uuid.UUID(int=7), "tags": {"a"}}
    with world.platform.engine.begin() as conn:
        entry = audit.AuditEntry(datetime(2021, 7, 14, 22, tzinfo=UTC), None, None, "Noted", ["r1"], details)
        audit.append(conn, audit.lock_head(conn), entry)
    with world.platform.engine.connect() as conn:
        stored = conn.execute(sa.select(t.audit_log.c.details).order_by(t.audit_log.c.seq.desc())).scalar()
    assert stored == {"when": "2021-07-15T05:30:00Z", "id": str(uuid.UUID(int=7)), "tags": ["a"]}
    assert verify_chain(world.platform.engine).ok
