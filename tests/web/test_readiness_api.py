"""The rota and communication-test API: the acknowledgement code (no sign-in, unguessable, single-use,
stored hashed), the sharing policy on rotas, bad input that changes nothing, and the chart."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from lxml import etree

from crisislink.adapters.db import tables as t
from crisislink.adapters.messaging.recording import RecordingSender
from crisislink.app.schedule import run_once
from crisislink.entrypoints.web.app import create_app
from crisislink.kernel.clock import FixedClock
from crisislink.kernel.markings import Principal, Tlp
from tests.support import World, build_world, make_platform
from tests.web.conftest import Client, assert_problem, sign_in, snapshot

START = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"
READINESS_TABLES = (
    t.duty_shifts,
    t.duty_desks,
    t.duty_handovers,
    t.comm_test_plans,
    t.comm_test_runs,
    t.comm_test_probes,
    t.comm_test_messages,
)


@dataclass
class Ready:
    world: World
    client: Client
    clock: FixedClock
    sender: RecordingSender

    def codes(self, run_id: str) -> list[str]:
        return [m.code for m, _ in self.sender.for_run(uuid.UUID(run_id))]

    def state(self) -> dict[str, Any]:
        """Everything a refused request must leave as it was: the usual snapshot and the readiness tables."""
        taken = snapshot(self.world.platform)
        with self.world.platform.engine.connect() as conn:
            for table in READINESS_TABLES:
                rows = conn.execute(sa.select(table)).mappings().all()
                taken[table.name] = sorted((sorted(row.items()) for row in rows), key=repr)
        return taken


@pytest.fixture
def ready(db_url: str) -> Iterator[Ready]:
    clock, sender = FixedClock(START), RecordingSender("https://node.example")
    platform = make_platform(db_url, clock=clock, comm_sender=sender)
    world = build_world(platform)
    with TestClient(create_app(platform)) as client:
        yield Ready(world, client, clock, sender)
    platform.stop()


def _start(ready: Ready, **body: Any) -> str:
    headers = sign_in(ready.client, "be.duty")
    payload = {"name": "Q2 Benelux test", "message": "Please acknowledge", **body}
    response = ready.client.post("/api/comm-tests/runs", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    run_id = response.json()["summary"]["id"]
    assert isinstance(run_id, str)
    ready.client.cookies.clear()
    return run_id


def _shift_body(start: timedelta, end: timedelta, **extra: Any) -> dict[str, Any]:
    return {
        "person": {"name": "Noor", "phone": "+31 43 000 0000"},
        "starts_at": (START + start).isoformat(),
        "ends_at": (START + end).isoformat(),
        **extra,
    }


def test_an_acknowledgement_needs_no_sign_in_and_its_code_works_once(ready: Ready) -> None:
    ready.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    run_id = _start(ready)
    [code] = ready.codes(run_id)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", code)  # 256 random bits
    ready.clock.advance(timedelta(minutes=4))
    answered = ready.client.post(f"/api/comm-tests/ack/{code}")
    assert answered.status_code == 201, answered.text
    assert answered.json()["delay_seconds"] == 240
    assert_problem(ready.client.post(f"/api/comm-tests/ack/{code}"), 409, "used already")


def test_codes_are_unguessable_and_stored_only_as_hashes(ready: Ready) -> None:
    for name in ("VR23 desk", "VR23 backup"):
        ready.world.contact("NL-VR23", Tlp.GREEN, name=name)
    run_id = _start(ready)
    codes = ready.codes(run_id)
    assert len(set(codes)) == 2
    with ready.world.platform.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(t.comm_test_messages)).mappings()]
        logged = [
            *conn.execute(sa.select(t.audit_log)).mappings(),
            *conn.execute(sa.select(t.events)).mappings(),
        ]
    log = " ".join(str(dict(r)) for r in logged)
    assert {r["token_hash"] for r in rows} == {hashlib.sha256(code.encode()).hexdigest() for code in codes}
    for code in codes:
        assert code not in str(rows)
        assert code not in log  # the audit trail withholds it too
    before = ready.state()
    for guess in (
        "A" * 43,
        codes[0][:-1] + ("B" if codes[0][-1] != "B" else "C"),
        "x" * 500,
    ):
        assert_problem(ready.client.post(f"/api/comm-tests/ack/{guess}"), 404, "unknown acknowledgement code")
    assert_problem(ready.client.post("/api/comm-tests/ack/..%2F..%2Fetc"), 404)
    assert ready.client.get(f"/api/comm-tests/ack/{codes[0]}").status_code == 405  # a GET never acknowledges
    assert ready.state() == before


def test_the_console_link_shows_a_button_and_only_its_post_acknowledges(ready: Ready) -> None:
    ready.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    [code] = ready.codes(_start(ready))
    before = ready.state()
    page = ready.client.get(f"/readiness/ack/{code}")
    assert page.status_code == 200
    assert 'method="post"' in page.text
    assert ready.state() == before  # a mail scanner following the link acknowledges nothing
    done = ready.client.post(f"/readiness/ack/{code}")
    assert done.status_code == 200
    assert "VR23 desk" in done.text
    again = ready.client.post(f"/readiness/ack/{code}")
    assert again.status_code == 409
    assert 'role="alert"' in again.text


def test_a_partner_never_sees_another_partners_rota_unless_it_is_shared(ready: Ready) -> None:
    private = ready.world.contact("NL-VR23", Tlp.AMBER_STRICT, name="VR23 internal desk")
    nl = sign_in(ready.client, "nl.duty")
    made = ready.client.post(
        f"/api/rota/contact-points/{private}/shifts",
        json=_shift_body(0 * timedelta(), timedelta(hours=8)),
        headers=nl,
    )
    assert made.status_code == 201, made.text
    shift_id = made.json()["id"]
    ready.client.cookies.clear()
    be = sign_in(ready.client, "be.duty")
    for path in (
        f"/api/rota/contact-points/{private}/shifts",
        f"/api/rota/contact-points/{private}/on-duty",
        f"/api/rota/contact-points/{private}/handovers",
        f"/api/rota/shifts/{shift_id}",
    ):
        assert_problem(ready.client.get(path), 404)
    board = ready.client.get("/api/rota/board").json()
    assert str(private) not in str(board)
    partner = ready.client.get(f"/api/rota/partners/{ready.world.partners['NL-VR23']}/on-duty").json()
    assert partner == []
    before = ready.state()
    refused = ready.client.post(
        f"/api/rota/contact-points/{private}/shifts",
        json=_shift_body(timedelta(hours=8), timedelta(hours=9)),
        headers=be,
    )
    assert_problem(refused, 404)  # a desk you may not see is not there, not forbidden
    assert ready.state() == before
    shared = ready.world.contact(
        "NL-VR23",
        Tlp.AMBER,
        frozenset({Principal.partner(ready.world.partners["BE-NCCN"])}),
        name="VR23 desk",
    )
    ready.client.cookies.clear()
    nl = sign_in(ready.client, "nl.duty")
    ready.client.post(
        f"/api/rota/contact-points/{shared}/shifts",
        json=_shift_body(timedelta(0), timedelta(hours=8)),
        headers=nl,
    )
    ready.client.cookies.clear()
    sign_in(ready.client, "be.duty")
    on_duty = ready.client.get(f"/api/rota/contact-points/{shared}/on-duty").json()
    assert on_duty["holder"]["person_name"] == "Noor"
    ready.client.cookies.clear()
    sign_in(ready.client, "liege.duty")
    assert_problem(ready.client.get(f"/api/rota/contact-points/{shared}/on-duty"), 404)


@pytest.mark.parametrize(
    ("body", "status", "mention"),
    [
        (_shift_body(timedelta(hours=2), timedelta(hours=1)), 400, "end after it starts"),
        (_shift_body(-timedelta(hours=3), timedelta(hours=1)), 400, "cannot be in the past"),
        (_shift_body(timedelta(0), timedelta(days=20)), 400, "at most 14 days"),
        (
            {**_shift_body(timedelta(0), timedelta(hours=1)), "starts_at": "2025-04-01T08:00:00"},
            400,
            "time zone",
        ),
        (
            {**_shift_body(timedelta(0), timedelta(hours=1)), "person": {"name": "Nobody"}},
            400,
            "phone number",
        ),
        (
            {**_shift_body(timedelta(0), timedelta(hours=1)), "person": {"name": "X", "phone": "call me"}},
            400,
            "phone",
        ),
        ({**_shift_body(timedelta(0), timedelta(hours=1)), "surprise": 1}, 400, "surprise"),
        ({**_shift_body(timedelta(0), timedelta(hours=1)), "role": "boss"}, 400, "role"),
        (_shift_body(timedelta(hours=4), timedelta(hours=12)), 409, "two primaries"),
    ],
)
def test_bad_shifts_change_nothing(ready: Ready, body: dict[str, Any], status: int, mention: str) -> None:
    desk = ready.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    headers = sign_in(ready.client, "be.duty")
    first = ready.client.post(
        f"/api/rota/contact-points/{desk}/shifts",
        json=_shift_body(timedelta(0), timedelta(hours=8)),
        headers=headers,
    )
    assert first.status_code == 201, first.text
    before = ready.state()
    assert_problem(
        ready.client.post(f"/api/rota/contact-points/{desk}/shifts", json=body, headers=headers),
        status,
        mention,
    )
    assert ready.state() == before


def test_bad_tests_change_nothing(ready: Ready) -> None:
    ready.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    headers = sign_in(ready.client, "be.duty")
    before = ready.state()
    for body, mention in (
        ({"name": "x", "message": "y", "answer_minutes": 1}, "answer_minutes"),
        ({"name": "x", "message": "y", "partners": [str(uuid.uuid4())]}, "no partner"),
        ({"name": "", "message": "y"}, "name"),
        (
            {"name": "x", "message": "y", "partners": [str(ready.world.partners["BE-PROV-LIEGE"])]},
            "nobody to test",
        ),
    ):
        assert_problem(ready.client.post("/api/comm-tests/runs", json=body, headers=headers), 400, mention)
    assert ready.state() == before
    ready.client.cookies.clear()
    analyst = sign_in(ready.client, "be.analyst")
    before = ready.state()  # signing in is audited
    assert_problem(
        ready.client.post("/api/comm-tests/runs", json={"name": "x", "message": "y"}, headers=analyst), 403
    )
    assert ready.state() == before


def test_hand_over_through_the_api(ready: Ready) -> None:
    desk = ready.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    headers = sign_in(ready.client, "be.duty")
    ready.client.post(
        f"/api/rota/contact-points/{desk}/shifts",
        json=_shift_body(timedelta(0), timedelta(hours=8)),
        headers=headers,
    )
    ready.clock.advance(timedelta(hours=1))
    until = (START + timedelta(hours=8)).isoformat()
    body = {
        "note": "Storm warning for tonight",
        "to_person": {"name": "Clara", "phone": "+352 000 003"},
        "until": until,
    }
    handed = ready.client.post(f"/api/rota/contact-points/{desk}/handover", json=body, headers=headers)
    assert handed.status_code == 201, handed.text
    assert (handed.json()["from_name"], handed.json()["to_name"]) == ("Noor", "Clara")
    now = ready.client.get(f"/api/rota/contact-points/{desk}/on-duty").json()
    assert now["holder"]["person_name"] == "Clara"


def test_the_chart_is_valid_accessible_svg_with_one_point_per_run(ready: Ready) -> None:
    ready.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    for minutes in (3, 9):
        run_id = _start(ready, answer_minutes=30)
        ready.clock.advance(timedelta(minutes=minutes))
        ready.client.post(f"/api/comm-tests/ack/{ready.codes(run_id)[0]}")
        ready.clock.advance(timedelta(days=91))
    _start(ready, answer_minutes=30)  # nobody answers this one
    ready.clock.advance(timedelta(hours=1))
    run_once(ready.world.platform.bus)
    partner = ready.world.partners["NL-VR23"]
    assert_problem(ready.client.get(f"/api/comm-tests/partners/{partner}/chart.svg"), 401)
    sign_in(ready.client, "nl.duty")
    response = ready.client.get(f"/api/comm-tests/partners/{partner}/chart.svg?lang=nl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    assert "NL-VR23" in (root.findtext(f"{SVG}title") or "")
    assert "3 " in (root.findtext(f"{SVG}desc") or "")  # three tests, in the reader's language
    runs = root.findall(f".//{SVG}g[@class='run']")
    assert len(runs) == 3
    assert len(root.findall(f".//{SVG}circle[@class='median']")) == 2
    assert len(root.findall(f".//{SVG}path[@class='none']")) == 1  # the run nobody answered: a cross
    assert all(run.find(f"{SVG}title") is not None for run in runs)
    assert root.find(f".//{SVG}script") is None
    results = ready.client.get(f"/api/comm-tests/partners/{partner}/results").json()
    assert [r["median_seconds"] for r in results] == [180.0, 540.0, None]


def test_the_console_pages_render(ready: Ready) -> None:
    desk = ready.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    run_id = _start(ready)
    sign_in(ready.client, "be.duty")
    for path, text in (
        ("/readiness", "NCCN desk"),
        (f"/readiness/desks/{desk}", "NCCN desk"),
        (f"/readiness/runs/{run_id}", "Q2 Benelux test"),
        ("/readiness?lang=fr", "Tests de communication"),
    ):
        page = ready.client.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert text in page.text


def test_the_console_forms_start_a_test_keep_the_rota_and_refuse_bad_input(ready: Ready) -> None:
    desk = ready.world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    ready.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    token = sign_in(ready.client, "be.duty")["x-csrf-token"]
    started = ready.client.post(
        "/readiness/runs",
        data={
            "csrf_token": token,
            "name": "Console test",
            "message": "Hello",
            "answer_minutes": "30",
            "partners": str(ready.world.partners["NL-VR23"]),
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    run_page = ready.client.get(started.headers["location"])
    assert "VR23 desk" in run_page.text
    assert "NCCN desk" not in run_page.text  # only the chosen partner was tested
    shift = {
        "csrf_token": token,
        "person_name": "Anna",
        "phone": "+32 2 000 00 01",
        "role": "primary",
        "starts_at": "2025-04-01T10:00",
        "ends_at": "2025-04-01T18:00",
    }  # Brussels time: 08:00-16:00 UTC
    made = ready.client.post(f"/readiness/desks/{desk}/shifts", data=shift, follow_redirects=False)
    assert made.status_code == 303, made.text
    holder = ready.client.get(f"/api/rota/contact-points/{desk}/on-duty").json()["holder"]
    assert (holder["person_name"], holder["starts_at"]) == ("Anna", "2025-04-01T08:00:00Z")
    before = ready.state()
    overlap = ready.client.post(f"/readiness/desks/{desk}/shifts", data={**shift, "person_name": "Bram"})
    assert overlap.status_code == 409
    assert 'role="alert"' in overlap.text
    assert "Anna" in overlap.text
    forged = ready.client.post(f"/readiness/desks/{desk}/shifts", data={**shift, "csrf_token": "forged"})
    assert forged.status_code == 403
    assert ready.state() == before
    ready.clock.advance(timedelta(hours=1))
    handed = ready.client.post(
        f"/readiness/desks/{desk}/handover",
        data={
            "csrf_token": token,
            "note": "Quiet night",
            "person_name": "Clara",
            "phone": "+352 000 003",
            "until": "2025-04-01T18:00",
        },
        follow_redirects=False,
    )
    assert handed.status_code == 303, handed.text
    page = ready.client.get(f"/readiness/desks/{desk}")
    assert "Quiet night" in page.text
    assert "Clara" in page.text


def test_plans_through_the_api_scheduled_changed_started_and_shared_only_with_their_partners(
    ready: Ready,
) -> None:
    ready.world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    headers = sign_in(ready.client, "be.duty")
    body = {
        "name": "NL quarterly",
        "message": "Test",
        "recurrence": "quarterly",
        "partners": [str(ready.world.partners["NL-VR23"])],
    }
    assert_problem(ready.client.post("/api/comm-tests/plans", json=body, headers=headers), 400, "first run")
    planned = ready.client.post(
        "/api/comm-tests/plans", json={**body, "first_run_at": "2025-04-02T10:00:00+02:00"}, headers=headers
    )
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    assert (plan["next_run_at"], plan["marking"]) == ("2025-04-02T08:00:00Z", "AMBER")
    stale = {"expected_version": plan["version"] + 1, "active": False}
    assert_problem(
        ready.client.patch(f"/api/comm-tests/plans/{plan['id']}", json=stale, headers=headers), 409
    )
    paused = ready.client.patch(
        f"/api/comm-tests/plans/{plan['id']}",
        json={"expected_version": plan["version"], "active": False},
        headers=headers,
    )
    assert paused.json()["active"] is False
    run = ready.client.post(f"/api/comm-tests/plans/{plan['id']}/start", headers=headers).json()
    [probe] = run["probes"]
    answered = ready.client.post(
        f"/api/comm-tests/runs/{run['summary']['id']}/probes/{probe['id']}/answer",
        json={"via": "called back by phone"},
        headers=headers,
    ).json()
    assert answered["probes"][0]["acknowledged_via"] == "recorded: called back by phone"
    closed = ready.client.post(f"/api/comm-tests/runs/{run['summary']['id']}/close", headers=headers).json()
    assert closed["summary"]["status"] == "closed"
    ready.client.cookies.clear()
    sign_in(ready.client, "nl.duty")
    assert ready.client.get(f"/api/comm-tests/plans/{plan['id']}").status_code == 200
    assert [r["id"] for r in ready.client.get("/api/comm-tests/runs").json()] == [run["summary"]["id"]]
    ready.client.cookies.clear()
    liege = sign_in(ready.client, "liege.duty")
    assert_problem(ready.client.get(f"/api/comm-tests/plans/{plan['id']}"), 404)
    assert_problem(ready.client.get(f"/api/comm-tests/runs/{run['summary']['id']}"), 404)
    assert ready.client.get("/api/comm-tests/runs").json() == []
    assert_problem(ready.client.post(f"/api/comm-tests/plans/{plan['id']}/start", headers=liege), 404)
