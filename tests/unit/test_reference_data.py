"""The shipped reference layers and the partner seed: loadable, valid, consistent, and fictional where they must be."""

from __future__ import annotations

import ast
import gzip
import importlib.util
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import shapely
from shapely.geometry import shape

from crisislink.adapters.geo.reference import SUFFIX, Boundary, ReferenceData
from crisislink.domains.sharing.contacts import ChannelKind, ContactRole
from crisislink.domains.sharing.model import PartnerKind
from crisislink.kernel.i18n import CONTENT_LANGUAGES
from crisislink.kernel.markings import Tlp

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
LAYERS = ("countries", "municipalities", "regions", "rivers")
SHIPPED_COUNTRIES = {"BE", "NL", "LU", "DE", "FR"}
RESERVED_MAIL_DOMAIN = re.compile(r"@([a-z0-9-]+\.)*(example|example\.org|example\.net)$")
# A 0 right after the country code is a trunk prefix, never a valid international number.
UNDIALLABLE = re.compile(r"^\+(31|32|33|49|352) 0[0-9 ]*$")
PHONE_KINDS = {"phone", "fax", "secure_line"}
SHARED_PATH = re.compile(r"[/\\]shared([/\\]|$)|^shared[/\\]")


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return ReferenceData()


def _seed(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        resources.files("crisislink.app.seed").joinpath(name).read_text(encoding="utf-8")
    )
    return data


@pytest.fixture(scope="module")
def partners() -> list[dict[str, Any]]:
    return _seed("partners.json")


def _by_country(boundaries: Any) -> Counter[str]:
    return Counter(b.country for b in boundaries)


# --- layers ---------------------------------------------------------------------------------------


def test_the_four_layers_are_shipped(reference: ReferenceData) -> None:
    assert reference.layer_names() == LAYERS


@pytest.mark.parametrize("layer", LAYERS)
def test_every_feature_has_the_common_properties(reference: ReferenceData, layer: str) -> None:
    boundaries = reference.layer(layer)
    assert boundaries
    assert len({b.code for b in boundaries}) == len(boundaries)
    for b in boundaries:
        assert b.layer == layer
        assert b.code.strip()
        assert b.name.strip()
        assert b.country in SHIPPED_COUNTRIES
        assert b.population is None or b.population > 0


@pytest.mark.parametrize("layer", LAYERS)
def test_geometries_are_valid_and_of_the_right_kind(reference: ReferenceData, layer: str) -> None:
    expected = {"LineString", "MultiLineString"} if layer == "rivers" else {"Polygon", "MultiPolygon"}
    for b in reference.layer(layer):
        geometry = shape(b.geometry)
        assert geometry.geom_type in expected, b.code
        assert geometry.is_valid, f"{b.code}: {shapely.is_valid_reason(geometry)}"
        assert not geometry.is_empty, b.code


@pytest.mark.parametrize("layer", LAYERS)
def test_coordinates_are_wgs84_rounded_to_five_decimals(reference: ReferenceData, layer: str) -> None:
    coords = shapely.get_coordinates([shape(b.geometry) for b in reference.layer(layer)])
    assert ((coords[:, 0] > -6) & (coords[:, 0] < 16) & (coords[:, 1] > 41) & (coords[:, 1] < 56)).all()
    assert (coords.round(5) == coords).all()


def test_polygon_exteriors_wind_counterclockwise_as_rfc_7946_asks(reference: ReferenceData) -> None:
    for b in reference.layer("regions"):
        for polygon in shapely.get_parts(shape(b.geometry)):
            assert polygon.exterior.is_ccw, b.code


def test_the_expected_units_are_there(reference: ReferenceData) -> None:
    assert {b.code for b in reference.layer("countries")} == SHIPPED_COUNTRIES
    assert _by_country(reference.layer("municipalities")) == {"NL": 342, "BE": 304, "LU": 100}
    regions = _by_country(reference.layer("regions"))
    assert (regions["NL"], regions["BE"], regions["LU"]) == (25, 11, 12)
    assert regions["DE"] > 0
    assert regions["FR"] > 0


def test_the_25_safety_regions_exist(reference: ReferenceData) -> None:
    for number in range(1, 26):
        region = reference.get("regions", f"VR{number:02d}")
        assert region.country == "NL"
        assert region.population is not None


def test_dutch_population_is_plausible_and_consistent(reference: ReferenceData) -> None:
    gemeenten = sum(b.population or 0 for b in reference.layer("municipalities") if b.country == "NL")
    regions = sum(b.population or 0 for b in reference.layer("regions") if b.country == "NL")
    assert 17_000_000 < gemeenten < 18_000_000
    assert gemeenten == regions


def test_belgian_and_luxembourg_populations_match_the_national_totals(reference: ReferenceData) -> None:
    regions = reference.layer("regions")
    assert sum(b.population or 0 for b in regions if b.country == "BE") == 11_492_641
    assert sum(b.population or 0 for b in regions if b.country == "LU") == 660_809
    assert reference.get("municipalities", "21004").names == {"nl": "Brussel", "fr": "Bruxelles"}


def test_every_municipality_points_to_an_existing_region(reference: ReferenceData) -> None:
    regions = {b.code: b for b in reference.layer("regions")}
    for municipality in reference.layer("municipalities"):
        assert municipality.parent in regions, municipality.code
        assert regions[municipality.parent].country == municipality.country


def test_a_municipality_lies_inside_its_region(reference: ReferenceData) -> None:
    maastricht = reference.get("municipalities", "GM0935")
    point = shape(maastricht.geometry).representative_point()
    assert shape(reference.get("regions", "VR24").geometry).contains(point)


def test_unknown_codes_and_layers_fail_clearly(reference: ReferenceData) -> None:
    with pytest.raises(KeyError, match=r"VR99.*regions"):
        reference.get("regions", "VR99")
    with pytest.raises(KeyError, match=r"unknown reference layer 'roads'.*municipalities"):
        reference.layer("roads")


def test_layers_are_loaded_lazily_and_once(tmp_path: Path) -> None:
    data = ReferenceData(root=tmp_path)
    assert data.layer_names() == ()
    payload = {"type": "FeatureCollection", "attribution": "test", "features": []}
    (tmp_path / f"empty{SUFFIX}").write_bytes(gzip.compress(json.dumps(payload).encode()))
    assert data.layer("empty") == ()
    assert data.layer("empty") is data.layer("empty")
    assert data.attribution("empty") == "test"


def test_boundaries_are_hashable_and_frozen(reference: ReferenceData) -> None:
    boundary = reference.get("countries", "LU")
    assert {boundary: 1}[boundary] == 1
    with pytest.raises(AttributeError):
        boundary.name = "x"  # type: ignore[misc]
    assert isinstance(boundary, Boundary)


def test_feature_collection_is_geojson_and_a_fresh_copy(reference: ReferenceData) -> None:
    first = reference.feature_collection("regions")
    assert first["type"] == "FeatureCollection"
    assert len(first["features"]) == len(reference.layer("regions"))
    assert "EuroGeographics" in first["attribution"]
    first["features"].clear()
    assert len(reference.feature_collection("regions")["features"]) == len(reference.layer("regions"))


def test_shipped_files_are_reproducible_gzip() -> None:
    folder = resources.files("crisislink.adapters.geo").joinpath("data")
    for layer in LAYERS:
        header = folder.joinpath(layer + SUFFIX).read_bytes()[:10]
        assert header[:2] == b"\x1f\x8b"
        assert header[4:8] == b"\0\0\0\0", f"{layer}: gzip header carries a timestamp"


def _shared_data() -> Path | None:
    candidate = Path(os.environ.get("CRISISLINK_SHARED_DATA", REPO.parent / "shared" / "data"))
    return candidate if (candidate / "boundaries").is_dir() else None


@pytest.mark.skipif(_shared_data() is None, reason="the shared source data folder is not available")
def test_rebuilding_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_reference_data", REPO / "scripts" / "build_reference_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    assert module.main([str(_shared_data()), "--out", str(tmp_path)]) == 0
    folder = resources.files("crisislink.adapters.geo").joinpath("data")
    for layer in LAYERS:
        assert (tmp_path / f"{layer}{SUFFIX}").read_bytes() == folder.joinpath(layer + SUFFIX).read_bytes()


# --- the product never reads the shared folder ----------------------------------------------------


def _string_literals(tree: ast.AST) -> Iterator[str]:
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def test_nothing_in_src_reads_a_shared_path() -> None:
    offenders = [
        f"{path.relative_to(SRC)}: {text!r}"
        for path in sorted(SRC.rglob("*.py"))
        for text in _string_literals(ast.parse(path.read_text(encoding="utf-8")))
        if SHARED_PATH.search(text)
    ]
    assert offenders == []


# --- partner seed ---------------------------------------------------------------------------------


def test_nodes_and_partner_codes_are_unique_and_consistent(partners: list[dict[str, Any]]) -> None:
    nodes = {node["code"] for node in _seed("nodes.json")}
    assert nodes == {"be", "nl", "lu"}
    assert len({p["code"] for p in partners}) == len(partners)
    assert all(p["node"] in nodes for p in partners)
    assert {p["node"] for p in partners if p["external"]} == {"be"}


def test_every_jurisdiction_resolves_to_a_shipped_area(
    partners: list[dict[str, Any]], reference: ReferenceData
) -> None:
    for partner in partners:
        jurisdiction = partner["jurisdiction"]
        if jurisdiction is None:
            assert partner["kind"] in {"eu_body", "external_authority"}, partner["code"]
            continue
        boundary = reference.get(jurisdiction["layer"], jurisdiction["code"])
        assert boundary.geometry["type"] in {"Polygon", "MultiPolygon"}
        assert boundary.country == partner["country"], partner["code"]


def test_every_safety_region_is_a_partner(partners: list[dict[str, Any]]) -> None:
    regions = {p["jurisdiction"]["code"] for p in partners if p["kind"] == "safety_region"}
    assert regions == {f"VR{n:02d}" for n in range(1, 26)}


def test_seed_values_belong_to_the_domain_vocabularies(partners: list[dict[str, Any]]) -> None:
    for partner in partners:
        PartnerKind(partner["kind"])
        assert set(partner["languages"]) <= set(CONTENT_LANGUAGES), partner["code"]
        assert set(partner.get("names", {})) <= set(CONTENT_LANGUAGES), partner["code"]
        for contact in partner["contact_points"]:
            ContactRole(contact["role"])
            Tlp(contact["marking"])
            assert set(contact["languages"]) <= set(CONTENT_LANGUAGES)
            assert all(ChannelKind(c["kind"]) for c in contact["channels"])
            _check_hours(contact["hours"])


def _check_hours(hours: dict[str, Any]) -> None:
    if hours.get("always"):
        return
    ZoneInfo(hours["timezone"])
    for window in hours["windows"]:
        assert set(window["days"]) <= set(range(7))
        assert re.fullmatch(r"\d\d:\d\d", window["start"])
        assert re.fullmatch(r"\d\d:\d\d", window["end"])


def test_every_partner_has_a_staffed_duty_desk(partners: list[dict[str, Any]]) -> None:
    for partner in partners:
        desks = [c for c in partner["contact_points"] if c["role"] == "duty_desk_24_7"]
        assert desks, partner["code"]
        assert all(c["hours"] == {"always": True} and c["marking"] == "GREEN" for c in desks)


def test_national_centres_have_liaison_and_spokesperson(partners: list[dict[str, Any]]) -> None:
    centres = [p for p in partners if p["kind"] == "national_crisis_centre"]
    assert {p["code"] for p in centres} == {"BE-NCCN", "NL-NCC", "LU-HCPN"}
    for centre in centres:
        markings = {c["role"]: c["marking"] for c in centre["contact_points"]}
        assert markings["liaison_officer"] == "AMBER"
        assert markings["spokesperson"] == "GREEN"


def _channels(partners: list[dict[str, Any]], kinds: set[str]) -> list[str]:
    return [
        channel["value"]
        for partner in partners
        for contact in partner["contact_points"]
        for channel in contact["channels"]
        if channel["kind"] in kinds
    ]


def test_seeded_emails_use_reserved_domains_only(partners: list[dict[str, Any]]) -> None:
    emails = _channels(partners, {"email"})
    assert len(emails) >= len(partners)
    assert [e for e in emails if not RESERVED_MAIL_DOMAIN.search(e)] == []


def test_seeded_phone_numbers_cannot_be_dialled(partners: list[dict[str, Any]]) -> None:
    numbers = _channels(partners, PHONE_KINDS)
    assert len(numbers) >= len(partners)
    assert [n for n in numbers if not UNDIALLABLE.fullmatch(n)] == []
