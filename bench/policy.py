"""The sharing policy compiled to SQL: what it costs on a list over 100,000 points of contact.

Setup (not timed): a migrated SQLite database (the app's engine: WAL, synchronous=FULL), ~60 partners,
100,000 contact points with random owners, markings (CLEAR 15 %, GREEN 35 %, AMBER 30 %, AMBER+STRICT
10 %, RED 10 %) and audiences (AMBER: 0-3 partners and 0-2 people; RED: 1-3 people), inserted with
SQLAlchemy Core executemany. No ANALYZE is run, as the application runs none.

Compared, for a signed-in user of one partner (`access.visible_to(viewer, contact_points)`), each query
run with the policy's WHERE clause and without it (the same statement otherwise), on one connection,
alternating, median of several runs:

  count   SELECT count(*) of the rows (with policy: of the visible rows)
  page    SELECT every column, ORDER BY owner, role, name (the directory's order), LIMIT 200, fetched

Also shown for information: `directory.list_contact_points` (the served read path: policy query, audience
look-up and conversion to typed views) for the same first page. Target: policy costs under 2x.

    python -m bench.policy [--quick] [--rows 100000] [--runs 9]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _support as s
from crisislink.adapters.db import migrate
from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.engine import make_engine
from crisislink.adapters.db.queries import directory
from crisislink.domains.sharing.policy import GRANTS, Viewer

TARGET = 2.0
PARTNERS = 60
USERS_PER_PARTNER = 5


@dataclass(frozen=True)
class Pair:
    name: str
    explain: str
    bare: sa.Select[Any]
    policy: sa.Select[Any]
    # A second baseline for context: the same scan with a trivially true filter (see the count note).
    scan: sa.Select[Any] | None = None


def queries(viewer: Viewer) -> list[Pair]:
    cp = t.contact_points
    c = cp.c
    order = (c.owner_partner_id, c.role, c.name)
    return [
        Pair(
            "count",
            "count of rows (with policy: of the rows the viewer may see)",
            sa.select(sa.func.count()).select_from(cp),
            sa.select(sa.func.count()).select_from(cp).where(visible_to(viewer, cp)),
            sa.select(sa.func.count()).select_from(cp).where(c.marking.in_(t.MARKINGS)),
        ),
        Pair(
            "page",
            "first page: all columns, ORDER BY owner, role, name, LIMIT 200, fetched",
            sa.select(cp).order_by(*order).limit(200),
            sa.select(cp).where(visible_to(viewer, cp)).order_by(*order).limit(200),
        ),
    ]


def timed(conn: sa.Connection, query: sa.Select[Any]) -> tuple[float, int]:
    started = time.perf_counter()
    rows = conn.execute(query).all()
    return (time.perf_counter() - started) * 1000, len(rows) if len(rows) != 1 else int(rows[0][0])


def seed(engine: sa.Engine, rows: int, rng: random.Random) -> tuple[s.Population, float]:
    node_id = s.insert_node(engine)
    population = s.seed_partners(engine, rng, node_id, PARTNERS, USERS_PER_PARTNER)
    contacts, audience = s.synthetic_contacts(rng, rows, population)
    started = time.perf_counter()
    s.insert_in_chunks(engine, t.contact_points, contacts)
    s.insert_in_chunks(engine, t.audience, audience)
    return population, time.perf_counter() - started


def typical_viewer(engine: sa.Engine, population: s.Population) -> tuple[Viewer, int]:
    """A user of the partner owning the median number of records (named in some audiences)."""
    with engine.connect() as conn:
        owned: dict[uuid.UUID, int] = dict(
            conn.execute(
                sa.select(t.contact_points.c.owner_partner_id, sa.func.count()).group_by(
                    t.contact_points.c.owner_partner_id
                )
            ).all()
        )
    partner = sorted(population.partners, key=lambda p: owned.get(p, 0))[len(population.partners) // 2]
    return Viewer(user_id=population.users[partner][0], partner_id=partner), owned.get(partner, 0)


def plan(conn: sa.Connection, query: sa.Select[Any]) -> list[str]:
    compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
    return [str(row[3]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]


def measure(conn: sa.Connection, queries: list[sa.Select[Any]], runs: int) -> list[tuple[list[float], int]]:
    """Each query `runs` times on one connection, rotating the order so drift hits all alike."""
    for query in queries:
        timed(conn, query)  # warm the page cache and the statement cache
    times: list[list[float]] = [[] for _ in queries]
    counts = [0 for _ in queries]
    for i in range(runs):
        for k in range(len(queries)):
            j = (i + k) % len(queries)
            ms, counts[j] = timed(conn, queries[j])
            times[j].append(ms)
    return list(zip(times, counts, strict=True))


def _runs(values: list[float]) -> str:
    return ", ".join(f"{x:.1f}" for x in values)


def report_pair(conn: sa.Connection, pair: Pair, runs: int) -> bool:
    queries = [pair.bare, pair.policy] + ([pair.scan] if pair.scan is not None else [])
    results = measure(conn, queries, runs)
    (bare, n_bare), (policy, n_policy) = results[0], results[1]
    ratio = s.median(policy) / s.median(bare)
    s.heading(f"{pair.name}: {pair.explain}")
    print(f"  no policy:   median {s.median(bare):8.2f} ms  (runs: {_runs(bare)}) -> {n_bare:,}")
    print(f"  with policy: median {s.median(policy):8.2f} ms  (runs: {_runs(policy)}) -> {n_policy:,}")
    print("  plan without policy: " + " | ".join(plan(conn, pair.bare)))
    print("  plan with policy:    " + " | ".join(plan(conn, pair.policy)))
    if pair.scan is not None:
        scan, _ = results[2]
        print(
            f"  context, full scan with a filter true for every row (marking IN all five): median "
            f"{s.median(scan):.2f} ms (runs: {_runs(scan)}); policy / that scan = {s.median(policy) / s.median(scan):.2f}x"
        )
        print("  (count(*) with no WHERE lets SQLite count index entries without reading rows: the shortcut,")
        print("   not the policy's per-row cost, makes most of this ratio)")
    s.verdict(f"policy cost, {pair.name}", ratio, f"< {TARGET:.0f}x", ratio < TARGET)
    return ratio < TARGET


def served(engine: sa.Engine, viewer: Viewer, runs: int) -> tuple[float, int]:
    call: Callable[[], list[Any]] = lambda: directory.list_contact_points(  # noqa: E731
        engine, viewer, directory.ContactFilter(limit=200), datetime.now(UTC)
    )
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        n = len(call())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), n


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (10,000 rows, 3 runs)")
    parser.add_argument("--rows", type=int, default=None, help="points of contact (default 100,000)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs of each query (default 9)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--tmpdir", default=None)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    args.rows = args.rows or (10_000 if args.quick else 100_000)
    args.runs = args.runs or (3 if args.quick else 9)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rng = random.Random(args.seed)
    all_met = True
    with s.scratch_dir(args.tmpdir) as work:
        s.heading(f"sharing policy compiled to SQL, over {args.rows:,} points of contact")
        print(s.machine_line())
        print(f"SQLite database in {work} on {s.filesystem_of(work)}; app engine (WAL, synchronous=FULL)")
        engine = make_engine(s.sqlite_url(work / "policy.db"))
        try:
            migrate.upgrade(engine)
            population, seconds = seed(engine, args.rows, rng)
            print(
                f"seeded {args.rows:,} rows with Core executemany in {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s)"
            )
            viewer, owned = typical_viewer(engine, population)
            print(f"viewer: a user of a partner owning {owned:,} records; {PARTNERS} partners")
            print(
                "grants: "
                + "; ".join(f"{m.value}: {', '.join(sorted(g.name for g in gs))}" for m, gs in GRANTS.items())
            )
            with engine.connect() as conn:
                for pair in queries(viewer):
                    all_met &= report_pair(conn, pair, args.runs)
            median_ms, n = served(engine, viewer, args.runs)
            s.heading("for information: the served read path")
            print(f"directory.list_contact_points(first page of 200): median {median_ms:.2f} ms -> {n} views")
        finally:
            engine.dispose()
    return 1 if args.strict and not all_met else 0


if __name__ == "__main__":
    raise SystemExit(main())
