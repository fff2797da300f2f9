"""The shipped hospital register: loadable, plausible, attributed, reproducible from the shared folder."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from crisislink.app.hospitals import SEED_FILE, shipped_register

REPO = Path(__file__).resolve().parents[2]
# The "Benelux region" box of the shared data's manifest, which cut the DE/FR border strip.
REGION = (1.5, 48.3, 9.5, 54.0)
LEFT_OUT = {"tel", "email", "url", "street", "house_number", "comments", "list_specs"}


def _raw() -> bytes:
    return resources.files("crisislink.app.seed").joinpath(SEED_FILE).read_bytes()


def test_the_register_holds_the_five_countries() -> None:
    hospitals = shipped_register()
    counts = Counter(h["country"] for h in hospitals)
    assert counts == {"BE": 272, "NL": 245, "LU": 21, "DE": 1273, "FR": 1447}
    assert len({h["code"] for h in hospitals}) == len(hospitals)


def test_every_site_is_placed_named_and_carries_only_what_is_needed() -> None:
    min_lon, min_lat, max_lon, max_lat = REGION
    for hospital in shipped_register():
        assert min_lon <= hospital["lon"] <= max_lon, hospital["code"]
        assert min_lat <= hospital["lat"] <= max_lat, hospital["code"]
        assert hospital["name"], hospital["code"]
        assert hospital["code"].startswith(f"{hospital['country']}-")
        assert not LEFT_OUT & set(hospital)


def test_the_emergency_flag_and_bed_counts_are_belgian_only() -> None:
    by_country: dict[str, list[dict[str, Any]]] = {}
    for hospital in shipped_register():
        by_country.setdefault(hospital["country"], []).append(hospital)
    belgian = by_country["BE"]
    assert sum(1 for h in belgian if h["emergency"]) == 129
    assert all(h["beds"] is not None for h in belgian)
    others = [h for country, hs in by_country.items() if country != "BE" for h in hs]
    assert all(h["emergency"] is None and h["beds"] is None for h in others)


def test_the_file_carries_its_attribution_and_is_reproducible_gzip() -> None:
    raw = _raw()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\0\0\0\0", "gzip header carries a timestamp"
    document = json.loads(gzip.decompress(raw))
    assert "Eurostat" in document["attribution"]
    assert "FINESS" in document["attribution"]
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    assert "Healthcare services in Europe" in notice
    assert "Healthcare services in Europe" in (REPO / "docs" / "data.md").read_text(encoding="utf-8")


def _shared_data() -> Path | None:
    candidate = Path(os.environ.get("CRISISLINK_SHARED_DATA", REPO.parent / "shared" / "data"))
    return candidate if (candidate / "health").is_dir() else None


@pytest.mark.skipif(_shared_data() is None, reason="the shared source data folder is not available")
def test_rebuilding_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("build_hospitals", REPO / "scripts" / "build_hospitals.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    out = tmp_path / SEED_FILE
    assert module.main([str(_shared_data()), "--out", str(out)]) == 0
    assert out.read_bytes() == _raw()
