"""The policy compiled to SQL (`access.visible_to`) agrees with the plain-Python policy (`may_see`).

Each example inserts a batch of labelled rows into `contact_points` and `events` (and their audiences)
inside a transaction that is rolled back, then asks which rows each viewer may see: every viewer in a
small universe (real members, members of no partner, people paired with another partner, half signed-in
callers, strangers, the public) against every row, in both compiled forms (uncorrelated and correlated
audience look-up), thousands of cases per example in one statement per table and form.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.engine import make_engine
from crisislink.domains.sharing.policy import ANY_MEMBER, PUBLIC, Viewer, may_see
from crisislink.kernel.markings import Label, Principal, Tlp
from tests.support import migrated

NODE = uuid.UUID(int=0x1000)
PARTNERS = tuple(uuid.UUID(int=0x2000 + i) for i in range(3))
USERS = tuple(uuid.UUID(int=0x3000 + i) for i in range(6))
USER_PARTNER = {user: PARTNERS[i // 2] for i, user in enumerate(USERS)}  # two people per partner
OUTSIDER_PARTNER = uuid.UUID(int=0x4000)  # named in audiences, but no row of its own
OUTSIDER_USER = uuid.UUID(int=0x4001)

PRINCIPALS = (
    *(Principal.partner(p) for p in (*PARTNERS, OUTSIDER_PARTNER)),
    *(Principal.user(u) for u in (*USERS, OUTSIDER_USER)),
    # The kind matters, not only the id: a person's id named as a partner (and the reverse) grants nothing.
    Principal.partner(USERS[2]),
    Principal.user(PARTNERS[1]),
)
# Every combination, including the inconsistent ones (a person paired with another partner, half
# signed-in callers): the two evaluations must agree on all of them, not only on the usual ones.
VIEWERS = (
    ANY_MEMBER,
    *(
        Viewer(user_id=user, partner_id=partner)
        for user in (*USERS, OUTSIDER_USER, None)
        for partner in (*PARTNERS, OUTSIDER_PARTNER, None)
    ),
)
assert PUBLIC in VIEWERS

NAMES: dict[uuid.UUID | None, str] = {
    NODE: "node",
    OUTSIDER_PARTNER: "P-outsider",
    OUTSIDER_USER: "U-outsider",
    ANY_MEMBER.user_id: "any",
    **{p: f"P{i}" for i, p in enumerate(PARTNERS)},
    **{u: f"U{i}" for i, u in enumerate(USERS)},
}


def _name(value: uuid.UUID | None) -> str:
    return "-" if value is None else NAMES.get(value, str(value))


def describe(viewer: Viewer, label: Label) -> str:
    """A failure a person can read: `U2@P1 / RED owner=P0 audience=[partner:P1]`."""
    audience = ", ".join(f"{p.kind.value}:{_name(p.id)}" for p in sorted(label.audience))
    return (
        f"viewer {_name(viewer.user_id)}@{_name(viewer.partner_id)} / {label.marking.value} "
        f"owner={_name(label.owner_partner_id)} audience=[{audience}]"
    )


labels_of_contacts = st.builds(
    Label,
    owner_partner_id=st.sampled_from(PARTNERS),
    home_node_id=st.just(NODE),
    marking=st.sampled_from(list(Tlp)),
    audience=st.frozensets(st.sampled_from(PRINCIPALS), max_size=5),
)
# Events of the directory itself (a node registering) have no owner partner.
labels_of_events = st.builds(
    Label,
    owner_partner_id=st.sampled_from((*PARTNERS, OUTSIDER_PARTNER, None)),
    home_node_id=st.just(NODE),
    marking=st.sampled_from(list(Tlp)),
    audience=st.frozensets(st.sampled_from(PRINCIPALS), max_size=5),
)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("policy-sql") / "crisislink.db"
        url = f"sqlite:///{path}"
        migrated(url)
    else:
        url = str(request.getfixturevalue("postgres_url"))
    built = make_engine(url)
    yield built
    built.dispose()


@dataclass(frozen=True)
class Row:
    id: uuid.UUID
    label: Label


def _insert_directory(conn: sa.Connection) -> None:
    conn.execute(t.nodes.insert().values(id=NODE, code="eq-node", name="Equivalence", country="BE"))
    conn.execute(
        t.partners.insert(),
        [
            {
                "id": partner,
                "code": f"EQ-P{i}",
                "name": f"Partner {i}",
                "names": {},
                "country": "BE",
                "kind": "national_crisis_centre",
                "home_node_id": NODE,
                "languages": ["en"],
                "external": False,
            }
            for i, partner in enumerate(PARTNERS)
        ],
    )


def _insert_audiences(conn: sa.Connection, rows: Sequence[Row]) -> None:
    members = [
        {"record_id": row.id, "principal_kind": p.kind.value, "principal_id": p.id}
        for row in rows
        for p in row.label.audience
    ]
    if members:
        conn.execute(t.audience.insert(), members)


def _insert_contacts(conn: sa.Connection, labels: Sequence[Label]) -> list[Row]:
    rows = [Row(uuid.uuid4(), label) for label in labels]
    if rows:
        conn.execute(
            t.contact_points.insert(),
            [
                {
                    "id": row.id,
                    "owner_partner_id": row.label.owner_partner_id,
                    "home_node_id": row.label.home_node_id,
                    "marking": row.label.marking.value,
                    "role": "duty_desk_24_7",
                    "name": f"Desk {i}",
                    "channels": [{"kind": "phone", "value": "+32 0"}],
                    "languages": ["en"],
                    "hours": {"always": True, "timezone": "UTC", "windows": []},
                    "notes": None,
                }
                for i, row in enumerate(rows)
            ],
        )
    _insert_audiences(conn, rows)
    return rows


def _insert_events(conn: sa.Connection, labels: Sequence[Label]) -> list[Row]:
    rows = [Row(uuid.uuid4(), label) for label in labels]
    now = datetime.now(UTC)
    if rows:
        conn.execute(
            t.events.insert(),
            [
                {
                    "id": row.id,
                    "type": "crisislink.test.labelled",
                    "version": 1,
                    "occurred_at": now,
                    "origin_node_id": row.label.home_node_id,
                    "owner_partner_id": row.label.owner_partner_id,
                    "marking": row.label.marking.value,
                    "correlation_id": row.id,
                    "causation_id": None,
                    "actor_user_id": None,
                    "payload": {},
                }
                for row in rows
            ],
        )
    _insert_audiences(conn, rows)
    return rows


def _visible_in_sql(
    conn: sa.Connection, viewer: Viewer, table: sa.Table, rows: Sequence[Row], *, correlated: bool
) -> set[uuid.UUID]:
    ids = [row.id for row in rows]
    policy = visible_to(viewer, table, correlated=correlated)
    query = sa.select(table.c.id).where(table.c.id.in_(ids), policy)
    return set(conn.execute(query).scalars())


def _everyone_asks(table: sa.Table, correlated: bool) -> sa.CompoundSelect[Any]:
    """One statement for all viewers: a UNION ALL of the very query the read paths run, with the policy in
    the WHERE clause, so the thousands of cases of an example cost one round trip. Built once."""
    ids: sa.BindParameter[list[uuid.UUID]] = sa.bindparam("ids", expanding=True)
    return sa.union_all(
        *(
            sa.select(sa.literal(index).label("viewer"), table.c.id).where(
                table.c.id.in_(ids), visible_to(viewer, table, correlated=correlated)
            )
            for index, viewer in enumerate(VIEWERS)
        )
    )


# Both forms of the compiled policy: one uncorrelated IN per query (lists), one probe per row (single
# reads, the feed). They must admit the same rows.
FORMS = (False, True)
EVERYONE_ASKS = {
    (table.name, correlated): _everyone_asks(table, correlated)
    for table in (t.contact_points, t.events)
    for correlated in FORMS
}


def _disagreements(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> list[str]:
    found = []
    for correlated in FORMS:
        answers = conn.execute(EVERYONE_ASKS[table.name, correlated], {"ids": [row.id for row in rows]})
        in_sql = {(index, record_id) for index, record_id in answers}
        found += [
            f"{table.name} (correlated={correlated}): {describe(viewer, row.label)}: "
            f"may_see says {not shown}, SQL {'shows' if shown else 'hides'} it"
            for index, viewer in enumerate(VIEWERS)
            for row in rows
            if (shown := (index, row.id) in in_sql) != may_see(viewer, row.label)
        ]
    return found


@settings(max_examples=40, deadline=None)
@given(
    contacts=st.lists(labels_of_contacts, min_size=1, max_size=40),
    events=st.lists(labels_of_events, min_size=1, max_size=40),
)
def test_sql_policy_agrees_with_python_policy_for_every_viewer_and_row(
    engine: Engine, contacts: list[Label], events: list[Label]
) -> None:
    with engine.connect() as conn:
        conn.begin()
        try:
            _insert_directory(conn)
            contact_rows = _insert_contacts(conn, contacts)
            event_rows = _insert_events(conn, events)
            found = _disagreements(conn, t.contact_points, contact_rows)
            found += _disagreements(conn, t.events, event_rows)
        finally:
            conn.rollback()
    assert not found, "\n".join(found[:20])


# --- explicit cases, with the answer written down rather than computed -----------------------------------

P0, P1, P2 = PARTNERS
U0, U1, U2, U3 = USERS[0], USERS[1], USERS[2], USERS[3]  # U0, U1 of P0; U2, U3 of P1


def _as(user: uuid.UUID) -> Viewer:
    return Viewer(user_id=user, partner_id=USER_PARTNER[user])


def _label(marking: Tlp, *audience: Principal, owner: uuid.UUID | None = P0) -> Label:
    return Label(owner_partner_id=owner, home_node_id=NODE, marking=marking, audience=frozenset(audience))


CASES = [
    pytest.param(_as(U0), _label(Tlp.RED), True, id="owner-sees-own-red"),
    pytest.param(_as(U1), _label(Tlp.RED), True, id="owner-colleague-sees-own-red"),
    pytest.param(_as(U2), _label(Tlp.RED, Principal.user(U2)), True, id="named-user-sees-red"),
    pytest.param(
        _as(U2), _label(Tlp.RED, Principal.partner(P1)), False, id="red-named-partner-is-not-enough"
    ),
    pytest.param(
        _as(U3), _label(Tlp.RED, Principal.user(U2)), False, id="red-colleague-of-named-user-does-not"
    ),
    pytest.param(PUBLIC, _label(Tlp.RED, Principal.partner(P1)), False, id="red-never-public"),
    pytest.param(_as(U0), _label(Tlp.AMBER_STRICT), True, id="owner-sees-own-amber-strict"),
    pytest.param(
        _as(U2),
        _label(Tlp.AMBER_STRICT, Principal.partner(P1), Principal.user(U2)),
        False,
        id="amber-strict-ignores-its-audience",
    ),
    pytest.param(ANY_MEMBER, _label(Tlp.AMBER_STRICT), False, id="amber-strict-not-network"),
    pytest.param(_as(U3), _label(Tlp.AMBER, Principal.partner(P1)), True, id="amber-named-partner-staff"),
    pytest.param(_as(U2), _label(Tlp.AMBER, Principal.user(U2)), True, id="amber-named-user"),
    pytest.param(_as(U3), _label(Tlp.AMBER, Principal.user(U2)), False, id="amber-unnamed-colleague"),
    pytest.param(_as(U2), _label(Tlp.AMBER), False, id="amber-without-audience-stays-home"),
    pytest.param(PUBLIC, _label(Tlp.AMBER, Principal.partner(P1)), False, id="amber-not-public"),
    pytest.param(PUBLIC, _label(Tlp.CLEAR), True, id="clear-public"),
    pytest.param(_as(U2), _label(Tlp.CLEAR), True, id="clear-other-partner"),
    pytest.param(PUBLIC, _label(Tlp.GREEN), False, id="green-not-public"),
    pytest.param(_as(U2), _label(Tlp.GREEN), True, id="green-network"),
    pytest.param(ANY_MEMBER, _label(Tlp.GREEN, owner=None), True, id="green-ownerless-network"),
    pytest.param(
        Viewer(user_id=U2, partner_id=None),
        _label(Tlp.RED, Principal.user(U2)),
        False,
        id="half-signed-in-is-public",
    ),
    pytest.param(
        Viewer(user_id=None, partner_id=P0), _label(Tlp.AMBER_STRICT), False, id="partner-without-person"
    ),
]


@pytest.mark.parametrize(("viewer", "label", "expected"), CASES)
def test_marking_rules(engine: Engine, viewer: Viewer, label: Label, expected: bool) -> None:
    assert may_see(viewer, label) is expected
    outcomes: dict[str, bool] = {}
    with engine.connect() as conn:
        conn.begin()
        try:
            _insert_directory(conn)
            rows = {t.events: _insert_events(conn, [label])}
            if label.owner_partner_id is not None:  # every point of contact has an owner
                rows[t.contact_points] = _insert_contacts(conn, [label])
            for table, [row] in rows.items():
                for correlated in FORMS:
                    seen = _visible_in_sql(conn, viewer, table, [row], correlated=correlated)
                    outcomes[f"{table.name}, correlated={correlated}"] = row.id in seen
        finally:
            conn.rollback()
    assert outcomes == dict.fromkeys(outcomes, expected)
    assert len(outcomes) == (4 if label.owner_partner_id is not None else 2)
