"""`crisislink routing`: import real OpenStreetMap extracts, list them, ask for travel times.

Runs the `routing` sub-app in-process with typer's CliRunner, with CRISISLINK_DATA_DIR in a temporary
directory. The extracts are tests/fixtures/roads (provenance in tests/fixtures/roads/SOURCES.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from crisislink.entrypoints.cli import common
from crisislink.entrypoints.cli.main import app as main_app
from crisislink.entrypoints.cli.routing import app

ROADS = Path(__file__).resolve().parents[1] / "fixtures" / "roads"
BE = ROADS / "be_kempen_herentals_highways_osm2013.osm.pbf"
LU = ROADS / "lu_luxembourg_city_lust_network_2016.osm"
WIDE = 200


def invoke(data_dir: Path, *args: str | Path) -> Result:
    """Run `crisislink routing ARGS` on a terminal WIDE columns wide, without colours."""
    fixed = [(console, console._width) for console in (common.console, common.err)]
    for console, _ in fixed:
        console._width = None
    try:
        env = {"COLUMNS": str(WIDE), "NO_COLOR": "1", "CRISISLINK_DATA_DIR": str(data_dir)}
        return CliRunner().invoke(app, [str(arg) for arg in args], env=env)
    finally:
        for console, width in fixed:
            console._width = width


def listed(result: Result) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def stored(data_dir: Path) -> list[str]:
    routing = data_dir / "routing"
    return sorted(path.name for path in routing.iterdir()) if routing.is_dir() else []


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("node") / "var"
    for extract, name in ((LU, "lu-city"), (BE, None)):
        result = invoke(directory, "import", extract, *(["--name", name] if name else []))
        assert result.exit_code == 0, result.output
    return directory


def test_import_reports_the_graph_and_stores_it(data_dir: Path) -> None:
    assert stored(data_dir) == [
        "be_kempen_herentals_highways_osm2013.json",
        "be_kempen_herentals_highways_osm2013.npz",
        "lu-city.json",
        "lu-city.npz",
    ]
    result = invoke(data_dir, "import", LU, "--name", "lu-again")
    assert result.exit_code == 0, result.output
    assert "imported lu-again from lu_luxembourg_city_lust_network_2016.osm" in result.output
    for words in ("nodes", "edges", "time", "peak memory", "strongly connected"):
        assert words in result.output


def test_list_shows_every_graph(data_dir: Path) -> None:
    result = invoke(data_dir, "list", "--json")
    assert result.exit_code == 0, result.output
    graphs = {graph["name"]: graph for graph in listed(result)}
    assert {"lu-city", "be_kempen_herentals_highways_osm2013"} <= set(graphs)
    assert graphs["lu-city"]["source"] == LU.name
    assert graphs["lu-city"]["nodes"] > 1000
    table = invoke(data_dir, "list")
    assert "lu-city" in table.output
    assert "be_kempen_herentals_highways_osm2013" in table.output


def test_eta_routes_inside_a_graph_and_estimates_elsewhere(data_dir: Path) -> None:
    result = invoke(
        data_dir, "eta", "--from", "6.1339,49.6000", "--to", "6.1580,49.6280", "--to", "4.85,51.25", "--json"
    )
    assert result.exit_code == 0, result.output
    routed, estimated = listed(result)
    assert routed["graph"] in {"lu-city", "lu-again"}
    assert routed["estimated"] is False
    assert 120 < routed["seconds"] < 1200
    assert estimated["estimated"] is True
    assert "no imported road graph" in estimated["reason"]
    table = invoke(data_dir, "eta", "--from", "6.1339,49.6000", "--to", "6.1580,49.6280")
    assert "min" in table.output
    assert "graph lu-" in table.output


def test_eta_beyond_the_limit_is_null_in_json(data_dir: Path) -> None:
    result = invoke(
        data_dir, "eta", "--from", "6.1339,49.6", "--to", "6.158,49.628", "--limit", "10", "--json"
    )
    assert result.exit_code == 0, result.output
    (beyond,) = listed(result)
    assert beyond["seconds"] is None
    assert "limit" in beyond["reason"]


def test_eta_without_any_graph_estimates(tmp_path: Path) -> None:
    result = invoke(tmp_path, "eta", "--from", "6.1339,49.6", "--to", "6.158,49.628", "--json")
    assert result.exit_code == 0, result.output
    assert listed(result)[0]["estimated"] is True
    assert "no road graph" in invoke(tmp_path, "list").output


@pytest.mark.parametrize("point", ["49.6", "6.1,north", "200,49.6", "6.1;49.6"])
def test_eta_refuses_a_bad_point(data_dir: Path, point: str) -> None:
    result = invoke(data_dir, "eta", "--from", point, "--to", "6.158,49.628")
    assert result.exit_code == 1
    assert "LON,LAT" in result.output
    assert "Traceback" not in result.output


def test_bad_files_fail_cleanly_and_store_nothing(tmp_path: Path) -> None:
    notes = tmp_path / "notes.osm.pbf"
    notes.write_text("not an extract\n", encoding="utf-8")
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(BE.read_bytes()[:50_000])
    data_dir = tmp_path / "var"
    for path, message in (
        (tmp_path / "missing.osm.pbf", "does not exist"),
        (notes, "Geofabrik"),
        (truncated, "is damaged"),
    ):
        result = invoke(data_dir, "import", path)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output
    assert stored(data_dir) == []


def test_a_taken_name_needs_replace(data_dir: Path) -> None:
    refused = invoke(data_dir, "import", LU, "--name", "lu-city")
    assert refused.exit_code == 1
    assert "--replace" in refused.output
    replaced = invoke(data_dir, "import", LU, "--name", "lu-city", "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert not [name for name in stored(data_dir) if name.endswith(".part")]


def test_routing_is_a_subcommand_of_crisislink() -> None:
    result = CliRunner().invoke(main_app, ["routing", "--help"], env={"COLUMNS": str(WIDE)})
    assert result.exit_code == 0
    for command in ("import", "list", "eta"):
        assert command in result.output
