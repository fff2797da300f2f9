"""Replaying the July 2021 floods (DOMAIN.md §7a) into a platform seeded with the real partner directory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries import directory
from crisislink.adapters.db.queries.incident_views import LogEntryView
from crisislink.adapters.db.queries.incidents import (
    IncidentFilter,
    get_incident,
    incident_id_by_reference,
    list_incidents,
    log_entries,
)
from crisislink.adapters.geo.reference import ReferenceData
from crisislink.app.bootstrap import Platform
from crisislink.app.scenarios import replay as replay_module
from crisislink.app.scenarios.replay import ReplayResult, replay
from crisislink.app.scenarios.scenario import (
    InjectSpec,
    Scenario,
    ScenarioError,
    decode_scenario,
    load_scenario,
)
from crisislink.app.seeding import seed_partners
from crisislink.domains.sharing import commands as sc
from crisislink.domains.sharing.model import Role
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import Conflict
from crisislink.kernel.messages import SYSTEM
from tests.support import PASSWORD, make_platform, migrated

SCENARIO = "floods-2021"
EXPECTED_COMMANDS = 3 + 6 + 20  # incidents, level changes, log entries
NAIVE = datetime(2021, 7, 13, 12)  # noqa: DTZ001 - a time without offset is what one test is about


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Platform]:
    url = f"sqlite:///{tmp_path / 'replay.db'}"
    migrated(url)
    platform = make_platform(url)
    seed_partners(platform, ReferenceData(), progress=lambda _code: None)
    yield platform
    platform.stop()


@pytest.fixture
def replayed(seeded: Platform) -> tuple[Platform, ReplayResult]:
    return seeded, replay(seeded, SCENARIO)


def partner_ids(platform: Platform) -> dict[str, uuid.UUID]:
    return {p.code: p.id for p in directory.list_partners(platform.engine)}


def outsider(platform: Platform, code: str = "BE-PROV-NAMUR") -> Viewer:
    """A signed-in observer of a partner that takes no part in any replayed incident."""
    partner_id = partner_ids(platform)[code]
    user_id = platform.bus.handle(
        sc.AddUser(
            actor=SYSTEM,
            username="namur.observer",
            display_name="Namur observer",
            partner_id=partner_id,
            roles=frozenset({Role.OBSERVER}),
            password=PASSWORD,
        )
    )
    return Viewer(user_id=user_id, partner_id=partner_id)


def row_counts(platform: Platform) -> dict[str, int]:
    tables = {"incidents": t.incidents, "log": t.incident_log, "levels": t.incident_levels}
    with platform.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in tables.items()
        }


def local(text: str) -> datetime:
    return datetime.fromisoformat(text)


def all_entries(platform: Platform, viewer: Viewer, result: ReplayResult) -> dict[str, list[LogEntryView]]:
    return {
        key: log_entries(platform.engine, viewer, incident_id)
        for key, incident_id in result.incident_ids.items()
    }


def test_replay_declares_three_incidents_marked_as_replay(seeded: Platform) -> None:
    reports: list[tuple[int, int]] = []

    result = replay(seeded, SCENARIO, progress=lambda done, total: reports.append((done, total)))

    assert (result.incidents, result.levels, result.log_entries) == (3, 6, 20)
    assert reports == [(done, EXPECTED_COMMANDS) for done in range(1, EXPECTED_COMMANDS + 1)]
    viewer = outsider(seeded)
    partners = partner_ids(seeded)
    leads = {"liege": "BE-PROV-LIEGE", "south-limburg": "NL-VR24", "luxembourg": "LU-HCPN"}
    for key, incident_id in result.incident_ids.items():
        incident = get_incident(seeded.engine, viewer, incident_id)
        assert incident.mode == "replay"
        assert incident.marking == "GREEN"
        assert incident.title.startswith("[REPLAY] July 2021 floods")
        assert incident.reference == f"replay:{SCENARIO}:{key}"
        assert incident.lead_partner_id == incident.owner_partner_id == partners[leads[key]]
        assert incident_id_by_reference(seeded.engine, f"replay:{SCENARIO}:{key}") == incident_id
    liege = get_incident(seeded.engine, viewer, result.incident_ids["liege"])
    assert liege.occurred_at == local("2021-07-09T12:00:00+02:00")
    assert liege.hazard == "flood.flash"
    assert {partners["BE-NCCN"], partners["NL-VR24"], partners["LU-CGDIS"]} <= set(liege.involved)


def test_every_inject_is_logged_at_its_historical_time_by_its_partner_with_its_source(
    replayed: tuple[Platform, ReplayResult],
) -> None:
    platform, result = replayed
    partners = partner_ids(platform)
    entries = all_entries(platform, outsider(platform), result)
    assert sum(len(found) for found in entries.values()) == 20
    for inject in load_scenario(SCENARIO).injects:
        entry = one_entry_for(inject, entries[inject.incident])
        assert entry.occurred_at == inject.at
        assert entry.kind == inject.kind.value
        assert entry.owner_partner_id == partners[inject.partner]
        assert entry.author_user_id is None
        assert entry.source == " ; ".join(inject.sources)
    assert all(e.source and e.source.startswith("http") for found in entries.values() for e in found)


def one_entry_for(inject: InjectSpec, entries: list[LogEntryView]) -> LogEntryView:
    matching = [entry for entry in entries if entry.text.startswith(inject.text)]
    assert len(matching) == 1, f"inject {inject.n} should be logged once, found {len(matching)}"
    return matching[0]


def test_exact_historical_moments_survive_the_round_trip(replayed: tuple[Platform, ReplayResult]) -> None:
    platform, result = replayed
    entries = all_entries(platform, outsider(platform), result)
    lu_times = {entry.occurred_at for entry in entries["luxembourg"]}
    assert local("2021-07-14T11:30:00+02:00") in lu_times  # inject 9, the only EFAS alert for LU
    nl_times = {entry.occurred_at for entry in entries["south-limburg"]}
    assert local("2021-07-15T03:20:00+02:00") in nl_times  # inject 14, KNMI lifts code red
    vesdre = [e for e in entries["liege"] if e.occurred_at == local("2021-07-15T02:30:00+02:00")]
    assert len(vesdre) == 1
    assert "150 m3/s" in vesdre[0].text


def test_decisions_record_who_decided_and_why_and_approximate_times_say_so(
    replayed: tuple[Platform, ReplayResult],
) -> None:
    platform, result = replayed
    entries = all_entries(platform, outsider(platform), result)
    provincial = next(e for e in entries["liege"] if e.occurred_at == local("2021-07-14T11:00:00+02:00"))
    assert provincial.kind == "decision"
    assert provincial.decided_by == "Acting governor of the province of Liège"
    assert provincial.basis
    assert "Historical time: Wed 14 Jul late morning" in provincial.text
    exact = next(e for e in entries["luxembourg"] if e.occurred_at == local("2021-07-13T14:00:00+02:00"))
    assert "Historical time" not in exact.text


def test_each_country_level_is_on_its_own_incident_at_its_historical_time(
    replayed: tuple[Platform, ReplayResult],
) -> None:
    platform, result = replayed
    viewer = outsider(platform)
    partners = partner_ids(platform)

    def history(key: str) -> list[tuple[str, str, datetime, uuid.UUID | None]]:
        incident = get_incident(platform.engine, viewer, result.incident_ids[key])
        return [(lv.country, lv.level, lv.at, lv.by_partner_id) for lv in incident.level_history]

    assert history("liege") == [
        ("BE", "PROVINCIAL", local("2021-07-14T11:00:00+02:00"), partners["BE-PROV-LIEGE"]),
        ("BE", "NATIONAL", local("2021-07-15T12:00:00+02:00"), partners["BE-NCCN"]),
    ]
    assert history("south-limburg") == [
        ("NL", "GRIP_4", local("2021-07-14T20:00:00+02:00"), partners["NL-VR24"]),
    ]
    assert history("luxembourg") == [
        ("LU", "VEILLE", local("2021-07-13T14:00:00+02:00"), partners["LU-HCPN"]),
        ("LU", "PRE_ALERTE", local("2021-07-14T12:00:00+02:00"), partners["LU-HCPN"]),
        ("LU", "CELLULE_ACTIVE", local("2021-07-15T12:00:00+02:00"), partners["LU-HCPN"]),
    ]
    side_by_side = {
        summary.id: {lv.country: lv.level for lv in summary.levels}
        for summary in list_incidents(platform.engine, viewer, IncidentFilter(mode="replay"))
    }
    assert side_by_side == {
        result.incident_ids["liege"]: {"BE": "NATIONAL"},
        result.incident_ids["south-limburg"]: {"NL": "GRIP_4"},
        result.incident_ids["luxembourg"]: {"LU": "CELLULE_ACTIVE"},
    }


def test_a_second_replay_refuses_and_adds_nothing(replayed: tuple[Platform, ReplayResult]) -> None:
    platform, _ = replayed
    before = row_counts(platform)
    assert before == {"incidents": 3, "log": 20, "levels": 6}

    with pytest.raises(Conflict, match="already loaded; "):
        replay(platform, SCENARIO)

    assert row_counts(platform) == before


def test_a_green_replay_is_visible_to_a_partner_outside_it(replayed: tuple[Platform, ReplayResult]) -> None:
    platform, result = replayed
    viewer = outsider(platform, "NL-VR01")
    incident = get_incident(platform.engine, viewer, result.incident_ids["luxembourg"])
    assert viewer.partner_id not in {incident.lead_partner_id, *incident.involved}
    assert incident.mode == "replay"
    assert len(log_entries(platform.engine, viewer, incident.id)) == 3  # injects 6, 9 and 16


def broken(field: str, value: Any, n: int = 5) -> Scenario:
    """The real scenario with one field of one inject spoiled."""
    scenario = load_scenario(SCENARIO)
    injects = tuple(
        msgspec.structs.replace(inject, **{field: value}) if inject.n == n else inject
        for inject in scenario.injects
    )
    return msgspec.structs.replace(scenario, injects=injects)


def with_level(code: str, n: int = 8) -> Scenario:
    scenario = load_scenario(SCENARIO)
    target = next(inject for inject in scenario.injects if inject.n == n)
    level = msgspec.structs.replace(target.levels[0], level=code)
    return broken("levels", (level,), n)


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        pytest.param(
            broken("partner", "XX-NOWHERE"), "inject 5: unknown partner code 'XX-NOWHERE'", id="partner"
        ),
        pytest.param(with_level("PROVINCE"), "inject 8: 'PROVINCE' is not a level", id="level"),
        pytest.param(
            broken("at", local("2021-07-13T12:00:00+01:00")),
            "inject 5: the time .* but Europe/Brussels",
            id="offset",
        ),
        pytest.param(broken("at", NAIVE), "inject 5: the time .* has no UTC offset", id="naive"),
        pytest.param(
            broken("basis", None, n=8), "inject 8: a decision needs decided_by and basis", id="decision"
        ),
        pytest.param(broken("sources", ()), "inject 5: no source URL", id="source"),
    ],
)
def test_a_broken_scenario_fails_before_writing_anything(
    seeded: Platform, monkeypatch: pytest.MonkeyPatch, scenario: Scenario, message: str
) -> None:
    monkeypatch.setattr(replay_module, "load_scenario", lambda _id: scenario)
    before = row_counts(seeded)

    with pytest.raises(ScenarioError, match=message):
        replay(seeded, SCENARIO)

    assert row_counts(seeded) == before == {"incidents": 0, "log": 0, "levels": 0}


def test_a_bad_time_in_the_file_names_its_inject() -> None:
    raw = b"""{"id": "x", "title": "x", "description": "x", "historical": true, "timezone": "Europe/Brussels",
      "sources": [], "incidents": [], "injects": [{"n": 7, "at": "Wed 14 Jul morning", "when_text": "",
      "precision": "exact", "incident": "a", "partner": "BE-NCCN", "kind": "information", "text": "x",
      "sources": ["https://example.org"]}]}"""

    with pytest.raises(ScenarioError, match=r"inject 7: .*datetime.*\$\.injects\[0\]\.at"):
        decode_scenario(raw, "x")
