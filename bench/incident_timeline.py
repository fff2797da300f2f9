"""Incident timeline: the first screen and "what changed since T" of an incident with 50,000 log entries.

Data:  a fresh migrated SQLite database (the app's engine: WAL, synchronous=FULL), the test world
       (tests/support.py: BE-NCCN, BE-PROV-LIEGE, NL-VR23 and their users), ONE GREEN incident declared
       through the bus by BE-PROV-LIEGE (a 2 km buffer around a point at the Meuse), with level changes,
       three log entries, four tasks (one AMBER+STRICT of the lead) and a published situation report, all
       through the bus. Then 50,000 log entries inserted with SQLAlchemy Core executemany: owners cycling
       over the three partners, markings GREEN 70 %, AMBER 20 % (an audience row naming one other partner),
       AMBER+STRICT 10 %; kinds information/action/decision/request; occurred_at spread over 5 days,
       recorded_at a few seconds later. ANALYZE afterwards (as `migrate.upgrade` runs it). Setup is timed
       apart and not part of the figures.
Viewer: be.duty (BE-NCCN), whose partner owns a third of the entries: the policy hides the AMBER+STRICT
       entries of the two other partners and the AMBER entries that do not name BE-NCCN.
Timed, in this process, interleaved in rounds (rotating order) after a warm-up, p50 and p95:
  1  first screen   `timeline.timeline(engine, viewer, incident, limit=50)`, what the incident page shows
  1b the page       GET /incidents/{id} signed in as be.duty, through Litestar's TestClient (in process:
                    routing, session, every query of the page, template rendering; no network)
  2  changes since  `timeline.changes_since(engine, viewer, incident, since=T, limit=500)`, T chosen so
                    that 200 of the bulk entries were recorded after it
Floor: the same questions on the same database file with the standard library's sqlite3, one connection:
       the newest 50 log rows of the incident (ORDER BY occurred_at DESC, id DESC), and the log rows
       recorded after T (ORDER BY recorded_at, id, LIMIT 500); every column, no policy, no other kinds,
       no merging, no conversion.
Check: once, before timing: every item of both answers is visible to the viewer under
       `policy.may_see`, the log items are exactly the newest visible entries (computed in Python from all
       50,000 labels), and the page shows the newest visible entry and none of the hidden ones near it.
Why:   each SQL statement the two functions run, re-run alone with sqlite3 (median) with its query plan.

Target: p95 < 150 ms for 1 and for 2.

    python -m bench.incident_timeline [--quick] [--entries 50000] [--runs 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import PASSWORD, World, build_world, make_platform

from bench import _support as s
from crisislink.adapters.db import migrate
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.engine import make_engine, writer
from crisislink.adapters.db.functions import SQLITE_FOLD, sqlite_fold
from crisislink.adapters.db.queries import timeline as tl
from crisislink.adapters.db.queries.incident_views import TimelineItem
from crisislink.app.bootstrap import Platform
from crisislink.domains.incidents import commands as c
from crisislink.domains.incidents.model import EntryKind, Point
from crisislink.domains.incidents.sitreps import SitrepText
from crisislink.domains.sharing.policy import Viewer, may_see
from crisislink.entrypoints.web.app import create_app
from crisislink.entrypoints.web.ui.incident_pages import TIMELINE_PAGE
from crisislink.kernel.markings import Label, Principal, PrincipalKind, Tlp

TARGET_P95_MS = 150.0
WARM_UP = 20
DAYS = 5
NEWER_THAN_T = 200  # bulk entries recorded after T
CHANGES_LIMIT = 500
VIEWER = "be.duty"
LEAD = "BE-PROV-LIEGE"
OWNERS = ("BE-NCCN", "BE-PROV-LIEGE", "NL-VR23")
MARKING_MIX = {"GREEN": 70, "AMBER": 20, "AMBER+STRICT": 10}
KIND_MIX = {"information": 55, "action": 25, "decision": 10, "request": 10}
MEUSE = Point(5.70, 50.77)
HIDDEN = "AMBER+STRICT"

FIRST_SQL = "SELECT * FROM incident_log WHERE incident_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?"
SINCE_SQL = (
    "SELECT * FROM incident_log WHERE incident_id = ? AND recorded_at > ? ORDER BY recorded_at, id LIMIT ?"
)

_PLACES = ("the lock of Lanaye", "Visé", "the N618", "Eijsden", "the Albert Canal", "Oupeye", "Maastricht")
_BASES = ("the measurement plan", "the plume model", "the advice of the health inspector")
_WHAT = {
    "information": (
        "Wind turned {d}; plume now drifting towards {p}.",
        "Measurement team reports {n} ppm chlorine near {p}.",
        "Police confirm traffic diverted around {p}.",
        "Hospital CHR reports {n} people seen for irritation of the airways.",
    ),
    "action": (
        "Sirens sounded around {p}; residents told to shelter in place.",
        "Fire brigade deployed a water curtain at {p}.",
        "Bus line {n} rerouted away from {p}.",
    ),
    "decision": (
        "Evacuate the camp site near {p}.",
        "Close the river to shipping between {p} and the border.",
    ),
    "request": (
        "Ask NL-VR23 for {n} gas detectors at {p}.",
        "Request a measurement helicopter over {p}.",
    ),
}


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Seeded:
    url: str
    path: Path
    incident_id: uuid.UUID
    viewer: Viewer
    viewer_partner: uuid.UUID
    entries: int
    audience_rows: int
    timings: list[tuple[str, float]]  # setup steps, seconds


def declare(platform: Platform, world: World, start: datetime) -> uuid.UUID:
    """The incident and a little of everything else the timeline merges, through the bus."""
    bus = platform.bus
    lead, be, nl = world.actor("liege.duty"), world.actor(VIEWER), world.actor("nl.duty")
    incident_id: uuid.UUID = bus.handle(
        c.DeclareIncident(
            actor=lead,
            title="Chlorine release at the Meuse lock",
            hazard="chemical.release",
            description="A barge leaks chlorine near the lock of Lanaye.",
            lead_partner_id=world.partners[LEAD],
            buffer=c.Buffer(MEUSE, 2000),
            involved=frozenset({world.partners["BE-NCCN"], world.partners["NL-VR23"]}),
            marking=Tlp.GREEN,
            occurred_at=start,
        )
    )
    for actor, country, level, hours in (
        (lead, "BE", "MUNICIPAL", 1),
        (nl, "NL", "GRIP_1", 2),
        (lead, "BE", "PROVINCIAL", 7),
        (nl, "NL", "GRIP_2", 30),
        (be, "BE", "NATIONAL", 80),
    ):
        bus.handle(
            c.SetLevel(
                actor=actor,
                incident_id=incident_id,
                country=country,
                level=level,
                reason=f"escalated after {hours} h",
                at=start + timedelta(hours=hours),
            )
        )
    for actor, kind, text in (
        (be, EntryKind.INFORMATION, "NCCN liaison arrived in the provincial crisis cell."),
        (nl, EntryKind.REQUEST, "VR Zuid-Limburg asks for the latest plume model."),
        (lead, EntryKind.DECISION, "Keep the shelter-in-place order until 18:00."),
    ):
        bus.handle(
            c.AddLogEntry(
                actor=actor,
                incident_id=incident_id,
                kind=kind,
                text=text,
                decided_by="the governor" if kind is EntryKind.DECISION else None,
                basis="the plume model of 14:00" if kind is EntryKind.DECISION else None,
            )
        )
    due = platform.clock.now() + timedelta(hours=2)
    for title, assignee, marking, audience in (
        ("Close the N618 at Lanaye", "BE-NCCN", None, None),
        ("Brief the mayors of the riverside municipalities", LEAD, Tlp.AMBER_STRICT, None),
        ("Send the measurement plan to the NCCN", "BE-NCCN", Tlp.AMBER, "BE-NCCN"),
        ("Check drinking water intakes downstream", "NL-VR23", None, None),
    ):
        bus.handle(
            c.AssignTask(
                actor=lead,
                incident_id=incident_id,
                title=title,
                due_at=due,
                assignee_partner_id=world.partners[assignee],
                marking=marking,
                audience=frozenset({Principal.partner(world.partners[audience])}) if audience else None,
            )
        )
    sitrep_id: uuid.UUID = bus.handle(
        c.DraftSitrep(
            actor=lead,
            incident_id=incident_id,
            texts=(
                (
                    "en",
                    SitrepText(
                        situation="The leak at the lock is contained; the plume drifts north-east.",
                        actions="Shelter in place within 1 km; N618 closed.",
                    ),
                ),
            ),
        )
    )
    bus.handle(c.PublishSitrep(actor=lead, sitrep_id=sitrep_id))
    return incident_id


def log_rows(
    rng: random.Random,
    n: int,
    incident_id: uuid.UUID,
    node_id: uuid.UUID,
    owners: Sequence[tuple[uuid.UUID, Sequence[uuid.UUID]]],
    start: datetime,
    end: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`n` log entries of the incident, oldest first, with the audience rows of the AMBER ones."""
    span = (end - start).total_seconds() - 60
    offsets = sorted(rng.uniform(0, span) for _ in range(n))
    markings, marking_weights = list(MARKING_MIX), list(MARKING_MIX.values())
    kinds, kind_weights = list(KIND_MIX), list(KIND_MIX.values())
    partners = [partner for partner, _ in owners]
    rows: list[dict[str, Any]] = []
    audience: list[dict[str, Any]] = []
    for i, offset in enumerate(offsets):
        owner, users = owners[i % len(owners)]
        record_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        marking = rng.choices(markings, marking_weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        occurred = start + timedelta(seconds=offset)
        phrase = rng.choice(_WHAT[kind]).format(
            d=rng.choice(("north", "north-east", "east", "south")),
            p=rng.choice(_PLACES),
            n=rng.randint(2, 400),
        )
        rows.append(
            {
                "id": record_id,
                "owner_partner_id": owner,
                "home_node_id": node_id,
                "marking": marking,
                "incident_id": incident_id,
                "kind": kind,
                "text": f"{marker(i)} {phrase}",
                "occurred_at": occurred,
                "recorded_at": occurred + timedelta(seconds=rng.uniform(2, 30)),
                "author_user_id": rng.choice(users),
                "decided_by": "the governor" if kind == "decision" else None,
                "basis": rng.choice(_BASES) if kind == "decision" else None,
                "corrects": rows[rng.randrange(i)]["id"] if i and rng.random() < 0.01 else None,
                "source": "phone" if rng.random() < 0.2 else None,
                "version": 1,
            }
        )
        if marking == "AMBER":
            named = rng.choice([p for p in partners if p != owner])
            audience.append({"record_id": record_id, "principal_kind": "partner", "principal_id": named})
    return rows, audience


def staff(world: World, partner_code: str) -> list[uuid.UUID]:
    partner = world.partners[partner_code]
    return [user for name, user in world.users.items() if world.user_partner[name] == partner]


def marker(i: int) -> str:
    """A tag at the start of each bulk entry's text, to find it in the page."""
    return f"[L{i:06d}]"


def database_path(args: argparse.Namespace, work: Path) -> tuple[str, Path]:
    if args.database_url is None:
        path = work / "timeline.db"
        return s.sqlite_url(path), path
    url = sa.make_url(args.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise SystemExit(
            "--database-url must name an SQLite file: the floor reads the same file with sqlite3"
        )
    path = Path(url.database).resolve()
    if path.exists() and path.stat().st_size > 0:
        raise SystemExit(f"{path} exists: the benchmark builds a fresh database and will not touch it")
    return args.database_url, path


def prepare(url: str, path: Path, entries: int, rng: random.Random) -> Seeded:
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    timings.append(("migrate (make_engine + migrate.upgrade)", time.perf_counter() - started))

    started = time.perf_counter()
    platform = make_platform(url)
    try:
        world = build_world(platform)
        now = platform.clock.now()
        start = now - timedelta(days=DAYS)
        incident_id = declare(platform, world, start)
        timings.append(("platform, world and the incident through the bus", time.perf_counter() - started))

        started = time.perf_counter()
        owners = [(world.partners[code], staff(world, code)) for code in OWNERS]
        rows, audience = log_rows(rng, entries, incident_id, platform.node_id, owners, start, now)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        s.insert_in_chunks(platform.engine, t.incident_log, rows)
        s.insert_in_chunks(platform.engine, t.audience, audience)
        loaded = time.perf_counter() - started
        timings.append(("generate the rows in Python", generated))
        timings.append(
            (f"insert {entries:,} entries + {len(audience):,} audience rows (Core executemany)", loaded)
        )

        started = time.perf_counter()
        with writer(platform.engine).begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        timings.append(("ANALYZE", time.perf_counter() - started))
        viewer = Viewer(user_id=world.users[VIEWER], partner_id=world.partners["BE-NCCN"])
        return Seeded(
            url=url,
            path=path,
            incident_id=incident_id,
            viewer=viewer,
            viewer_partner=world.partners["BE-NCCN"],
            entries=entries,
            audience_rows=len(audience),
            timings=timings,
        )
    finally:
        platform.stop()


# --------------------------------------------------------------------------- checking the answers


@dataclass(frozen=True)
class Entry:
    id: uuid.UUID
    occurred_at: datetime
    recorded_at: datetime
    text: str
    label: Label


def labels(engine: Engine, table: sa.Table, where: sa.ColumnElement[bool]) -> dict[str, Label]:
    """The label of each row of `table` matching `where`, with its audience, by id as text."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.id, table.c.owner_partner_id, table.c.home_node_id, table.c.marking).where(
                where
            )
        ).all()
        named: dict[uuid.UUID, set[Principal]] = {}
        audience = sa.select(t.audience).where(t.audience.c.record_id.in_(sa.select(table.c.id).where(where)))
        for record_id, kind, principal in conn.execute(audience):
            named.setdefault(record_id, set()).add(Principal(PrincipalKind(kind), principal))
    return {
        str(row.id): Label(
            owner_partner_id=row.owner_partner_id,
            home_node_id=row.home_node_id,
            marking=Tlp(row.marking),
            audience=frozenset(named.get(row.id, ())),
        )
        for row in rows
    }


def all_entries(engine: Engine, incident_id: uuid.UUID) -> list[Entry]:
    log = t.incident_log
    found = labels(engine, log, log.c.incident_id == incident_id)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(log.c.id, log.c.occurred_at, log.c.recorded_at, log.c.text).where(
                log.c.incident_id == incident_id
            )
        ).all()
    return [Entry(r.id, r.occurred_at, r.recorded_at, r.text, found[str(r.id)]) for r in rows]


def fail(message: str) -> NoReturn:
    raise SystemExit(f"WRONG ANSWER, not timing it: {message}")


@dataclass(frozen=True)
class Checked:
    first_kinds: dict[str, int]
    since_kinds: dict[str, int]
    visible_entries: int
    hidden_entries: int


def kinds_of(items: Sequence[TimelineItem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return dict(sorted(counts.items()))


def check_visible(
    engine: Engine, seeded: Seeded, entries: Sequence[Entry], answers: dict[str, list[TimelineItem]]
) -> None:
    """Every item is a record of the incident that `policy.may_see` lets the viewer see."""
    incident_id = seeded.incident_id
    by_kind = {
        "log": {str(e.id): e.label for e in entries},
        "task": labels(engine, t.incident_tasks, t.incident_tasks.c.incident_id == incident_id),
        "sitrep": labels(engine, t.sitreps, t.sitreps.c.incident_id == incident_id),
        "notification": labels(
            engine, t.neighbour_notifications, t.neighbour_notifications.c.incident_id == incident_id
        ),
        # A level change is seen with the incident it belongs to.
        "level": labels(engine, t.incidents, t.incidents.c.id == incident_id),
    }
    for name, items in answers.items():
        for item in items:
            key = str(incident_id) if item.kind == "level" else item.id
            label = by_kind[item.kind].get(key)
            if label is None:
                fail(f"{name}: {item.kind} {item.id} is not a record of this incident")
            if not may_see(seeded.viewer, label):
                fail(f"{name}: {item.kind} {item.id} ({label.marking}) is not visible to {VIEWER}")
            if item.marking == HIDDEN and item.owner_partner_id != seeded.viewer_partner:
                fail(f"{name}: an {HIDDEN} item of another partner: {item.kind} {item.id}")


def check_complete(
    visible: Sequence[Entry], first: list[TimelineItem], since: list[TimelineItem], t_since: datetime
) -> None:
    """The log items are exactly the newest visible entries (first screen) and those recorded after T."""
    if len(first) != TIMELINE_PAGE:
        fail(f"the first screen holds {len(first)} items, not {TIMELINE_PAGE}")
    newest = sorted(visible, key=lambda e: (e.occurred_at, e.id), reverse=True)
    first_log = [i.id for i in first if i.kind == "log"]
    if first_log != [str(e.id) for e in newest[: len(first_log)]]:
        fail("the log items of the first screen are not the newest log entries the viewer may see")
    oldest_shown = min(i.at for i in first)
    if any(e.occurred_at > oldest_shown for e in newest[len(first_log) :]):
        fail("a visible log entry newer than the first screen's last item is missing from it")
    recent = sorted((e for e in visible if e.recorded_at > t_since), key=lambda e: (e.recorded_at, e.id))
    since_log = [i.id for i in since if i.kind == "log"]
    if since_log != [str(e.id) for e in recent[: len(since_log)]]:
        fail("the log items of 'changes since T' are not the oldest visible entries recorded after T")
    if len(since) < CHANGES_LIMIT and len(since_log) != len(recent):
        fail(f"'changes since T' holds {len(since_log)} log entries; {len(recent)} visible ones are newer")
    if any(i.recorded_at <= t_since for i in since):
        fail("'changes since T' holds an item recorded at or before T")


def check_page(entries: Sequence[Entry], viewer: Viewer, first: list[TimelineItem], page: str) -> None:
    """The page shows the newest visible bulk entry, and no hidden one as recent as its first screen."""
    oldest_shown = min(i.at for i in first)
    recent_bulk = [e for e in entries if e.text.startswith("[L") and e.occurred_at >= oldest_shown]
    shown = [e for e in recent_bulk if may_see(viewer, e.label)]
    if shown and max(shown, key=lambda e: e.occurred_at).text not in page:
        fail("the page does not show the newest visible log entry")
    for e in recent_bulk:
        if not may_see(viewer, e.label) and e.text[:9] in page:
            fail(f"the page shows the hidden entry {e.text[:9]} ({e.label.marking})")


def check(
    engine: Engine,
    seeded: Seeded,
    first: list[TimelineItem],
    since: list[TimelineItem],
    t_since: datetime,
    page: str,
) -> Checked:
    """Both answers hold only what the viewer may see, and all of it: the oracle is `policy.may_see`."""
    entries = all_entries(engine, seeded.incident_id)
    check_visible(engine, seeded, entries, {"first screen": first, "changes since T": since})
    visible = [e for e in entries if may_see(seeded.viewer, e.label)]
    check_complete(visible, first, since, t_since)
    check_page(entries, seeded.viewer, first, page)
    return Checked(
        first_kinds=kinds_of(first),
        since_kinds=kinds_of(since),
        visible_entries=len(visible),
        hidden_entries=len(entries) - len(visible),
    )


# --------------------------------------------------------------------------- timing


@dataclass
class Series:
    name: str
    call: Callable[[], int]  # returns how many rows/items/bytes it got
    ms: list[float] = field(default_factory=list)
    got: int = 0

    def run(self) -> None:
        started = time.perf_counter()
        self.got = self.call()
        self.ms.append((time.perf_counter() - started) * 1000)

    @property
    def p50(self) -> float:
        return s.median(self.ms)

    @property
    def p95(self) -> float:
        return s.percentile(self.ms, 95)

    def line(self, unit: str) -> str:
        return (
            f"  {self.name:<48} p50 {self.p50:8.2f}  p95 {self.p95:8.2f}  min {min(self.ms):7.2f}  "
            f"max {max(self.ms):8.2f}   -> {self.got:,} {unit}"
        )


def interleaved(series: Sequence[Series], runs: int, warm_up: int) -> None:
    """Warm each up, then `runs` rounds of all, rotating the order so drift hits all alike."""
    for one in series:
        for _ in range(warm_up):
            one.run()
        one.ms.clear()
    for i in range(runs):
        for k in range(len(series)):
            series[(i + k) % len(series)].run()


def raw_connection(path: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    raw.create_function(SQLITE_FOLD, 1, sqlite_fold, deterministic=True)
    return raw


# --------------------------------------------------------------------------- why: the statements


@dataclass(frozen=True)
class Statement:
    table: str
    sql: str
    params: Any
    median_ms: float
    rows: int
    plan: list[str]


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL text and DBAPI parameters of every statement run on `engine` meanwhile."""
    statements: list[tuple[str, Any]] = []

    def note(*args: Any) -> None:
        _conn, _cursor, sql, params = args[:4]
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def statements_of(
    engine: Engine, raw: sqlite3.Connection, call: Callable[[], object], runs: int
) -> list[Statement]:
    with captured(engine) as found:
        call()
    out: list[Statement] = []
    for sql, params in found:
        ms: list[float] = []
        rows = 0
        for _ in range(runs):
            started = time.perf_counter()
            rows = len(raw.execute(sql, params).fetchall())
            ms.append((time.perf_counter() - started) * 1000)
        plan = [str(r[3]) for r in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()]
        table = re.match(r"(?:SEARCH|SCAN) (\w+)", plan[0]) if plan else None
        out.append(Statement(table.group(1) if table else "?", sql, params, s.median(ms), rows, plan))
    return out


def report_statements(title: str, product: Series, statements: Sequence[Statement]) -> None:
    s.heading(title)
    for st in statements:
        print(f"  {st.median_ms:7.2f} ms  {st.rows:4d} rows  {st.table}: {' | '.join(st.plan)}")
    total = sum(st.median_ms for st in statements)
    print(f"  {total:7.2f} ms  SQL alone, {len(statements)} statements (sum of medians, sqlite3)")
    print(
        f"  {product.p50 - total:7.2f} ms  the rest of the call at p50 ({product.p50:.2f} ms): pool, "
        "SQLAlchemy, row and item conversion, merging"
    )


# --------------------------------------------------------------------------- the run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (5,000 entries, 30 runs)")
    parser.add_argument("--entries", type=int, default=None, help="bulk log entries (default 50,000)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each question (default 300)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="build the database in this SQLite file (must not exist yet; kept) instead of a temp dir",
    )
    parser.add_argument("--seed", type=int, default=20260714)
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.entries = args.entries or (5_000 if args.quick else 50_000)
    args.runs = args.runs or (30 if args.quick else 300)
    if args.entries <= NEWER_THAN_T:
        parser.error(f"--entries must be more than {NEWER_THAN_T}")
    return args


def since_point(raw: sqlite3.Connection, incident_hex: str) -> tuple[str, datetime]:
    """T: the time NEWER_THAN_T bulk entries were recorded after, as stored and as an aware datetime."""
    row = raw.execute(
        "SELECT recorded_at FROM incident_log WHERE incident_id = ? AND text LIKE '[L%' "
        "ORDER BY recorded_at DESC LIMIT 1 OFFSET ?",
        (incident_hex, NEWER_THAN_T),
    ).fetchone()
    stored = str(row[0])
    return stored, datetime.fromisoformat(stored).replace(tzinfo=UTC)


def sign_in(client: TestClient[Litestar]) -> None:
    response = client.post("/api/auth/login", json={"username": VIEWER, "password": PASSWORD})
    if response.status_code != 201:
        raise RuntimeError(f"sign-in failed: {response.status_code} {response.text[:300]}")


def fetch_page(client: TestClient[Litestar], path: str) -> str:
    response = client.get(path)
    if response.status_code != 200 or "/login" in str(response.url):
        raise RuntimeError(f"GET {path} answered {response.status_code} at {response.url}")
    return response.text


def ratio_text(product: Series, floor: Series) -> str:
    return f"product/floor {product.p50 / floor.p50:6.1f}x at p50, {product.p95 / floor.p95:6.1f}x at p95"


@dataclass
class Measured:
    first: Series
    first_floor: Series
    page: Series
    since: Series
    since_floor: Series
    seconds: float
    first_sql: list[Statement]
    since_sql: list[Statement]


def report_setup(seeded: Seeded, setup_s: float) -> None:
    path = seeded.path
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    print(
        f"SQLite file {path} on {s.filesystem_of(path.parent)}, {size / 1e6:.1f} MB with WAL; app engine "
        "(WAL, synchronous=FULL)"
    )
    print(f"setup, not timed below: {setup_s:.1f} s")
    for label, seconds in seeded.timings:
        print(f"  {seconds:6.2f} s  {label}")


def report_check(seeded: Seeded, checked: Checked, t_since: datetime) -> None:
    def counts(kinds: dict[str, int]) -> str:
        return f"{sum(kinds.values())} items ({', '.join(f'{k} {n}' for k, n in kinds.items())})"

    print(
        f"incident: {seeded.entries:,} bulk log entries + 3 through the bus, {seeded.audience_rows:,} "
        f"audience rows; {VIEWER} (BE-NCCN) may see {checked.visible_entries:,} entries, not "
        f"{checked.hidden_entries:,}"
    )
    print(f"T = {t_since.isoformat()} ({NEWER_THAN_T} bulk entries were recorded after it)")
    print(
        f"checked against policy.may_see: first screen {counts(checked.first_kinds)}; changes since T "
        f"{counts(checked.since_kinds)}; the page shows the right entries -> OK"
    )


def timed_questions(
    args: argparse.Namespace, seeded: Seeded, platform: Platform, raw: sqlite3.Connection
) -> Measured:
    engine, viewer, incident_id = platform.engine, seeded.viewer, seeded.incident_id
    incident_hex = incident_id.hex  # how sa.Uuid is stored on SQLite
    found = raw.execute("SELECT count(*) FROM incident_log WHERE incident_id = ?", (incident_hex,)).fetchone()
    if found[0] != seeded.entries + 3:
        fail(f"sqlite3 finds {found[0]} entries of the incident, not {seeded.entries + 3}")
    t_stored, t_since = since_point(raw, incident_hex)

    def first_screen() -> list[TimelineItem]:
        return tl.timeline(engine, viewer, incident_id, limit=TIMELINE_PAGE)

    def changes() -> list[TimelineItem]:
        return tl.changes_since(engine, viewer, incident_id, since=t_since, limit=CHANGES_LIMIT)

    with TestClient(create_app(platform)) as client:
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
        sign_in(client)
        page_path = f"/incidents/{incident_id}"
        checked = check(engine, seeded, first_screen(), changes(), t_since, fetch_page(client, page_path))
        report_check(seeded, checked, t_since)
        first, first_floor, page, since, since_floor = series = [
            Series(f"1  timeline(limit={TIMELINE_PAGE})", lambda: len(first_screen())),
            Series(
                f"   floor: sqlite3, newest {TIMELINE_PAGE} log rows",
                lambda: len(raw.execute(FIRST_SQL, (incident_hex, TIMELINE_PAGE)).fetchall()),
            ),
            Series(
                "1b GET /incidents/{id} (TestClient, HTML)",
                lambda: len(fetch_page(client, page_path).encode()),
            ),
            Series(f"2  changes_since(T, limit={CHANGES_LIMIT})", lambda: len(changes())),
            Series(
                "   floor: sqlite3, log rows recorded after T",
                lambda: len(raw.execute(SINCE_SQL, (incident_hex, t_stored, CHANGES_LIMIT)).fetchall()),
            ),
        ]
        started = time.perf_counter()
        interleaved(series, args.runs, WARM_UP)
        seconds = time.perf_counter() - started
    why_runs = min(args.runs, 50)
    return Measured(
        first=first,
        first_floor=first_floor,
        page=page,
        since=since,
        since_floor=since_floor,
        seconds=seconds,
        first_sql=statements_of(engine, raw, first_screen, why_runs),
        since_sql=statements_of(engine, raw, changes, why_runs),
    )


def report(args: argparse.Namespace, m: Measured) -> bool:
    s.heading(f"latency, ms ({args.runs} runs each after {WARM_UP} warm-up calls, interleaved)")
    print(f"  in {m.seconds:.1f} s; the viewer is {VIEWER} (BE-NCCN)")
    print(m.first.line("items"))
    print(m.first_floor.line("rows"))
    print(f"  {'':<48} {ratio_text(m.first, m.first_floor)}")
    print(m.page.line("bytes of HTML"))
    print(m.since.line("items"))
    print(m.since_floor.line("rows"))
    print(f"  {'':<48} {ratio_text(m.since, m.since_floor)}")
    report_statements(
        "why: the statements of timeline(), each alone with sqlite3 (median)", m.first, m.first_sql
    )
    report_statements(
        "why: the statements of changes_since(), each alone with sqlite3 (median)", m.since, m.since_sql
    )

    s.heading("results")
    all_met = True
    for name, series, statements in (
        ("first screen, timeline()", m.first, m.first_sql),
        ("changes since T, changes_since()", m.since, m.since_sql),
    ):
        met = series.p95 < TARGET_P95_MS
        all_met &= met
        print(
            f"RESULT {name}: p95 {series.p95:.2f} ms (target < {TARGET_P95_MS:.0f} ms) -> "
            f"{'MET' if met else 'NOT MET'}"
        )
        if not met:
            slowest = max(statements, key=lambda st: st.median_ms)
            print(f"  its slowest statement ({slowest.median_ms:.2f} ms alone): {slowest.sql}")
            print(f"  plan: {' | '.join(slowest.plan)}")
    print(
        f"for information, the whole page GET /incidents/{{id}}: p95 {m.page.p95:.2f} ms "
        f"({'under' if m.page.p95 < TARGET_P95_MS else 'over'} {TARGET_P95_MS:.0f} ms)"
    )
    return all_met


def measure(args: argparse.Namespace, url: str, path: Path) -> bool:
    started = time.perf_counter()
    seeded = prepare(url, path, args.entries, random.Random(args.seed))
    report_setup(seeded, time.perf_counter() - started)
    platform = make_platform(url)
    raw = raw_connection(path)
    try:
        measured = timed_questions(args, seeded, platform, raw)
    finally:
        raw.close()
        platform.stop()
    return report(args, measured)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    s.heading(f"incident timeline: first screen and changes since T, over {args.entries:,} log entries")
    print(s.machine_line())
    with s.scratch_dir(args.tmpdir) as work:
        url, path = database_path(args, work)
        all_met = measure(args, url, path)
    return 1 if args.strict and not all_met else 0


if __name__ == "__main__":
    raise SystemExit(main())
