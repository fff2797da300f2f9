"""Every file beside the code is declared as package data, so an installed node has it too.

A file left out works in a checkout (the editable install reads the source tree) and is missing from a
wheel: a map without its marker images, vendored code without its licence text.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "crisislink"
NOT_DATA = {".py", ".pyc"}


def _patterns() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["setuptools"]["package-data"]["crisislink"])


def _declared(relative: str, patterns: list[str]) -> bool:
    # setuptools' "**/" also matches files at the top of the package
    return any(fnmatchcase(relative, p) or fnmatchcase(relative, p.removeprefix("**/")) for p in patterns)


def _data_files() -> list[str]:
    return sorted(
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in NOT_DATA and "__pycache__" not in path.parts
    )


def test_every_file_beside_the_code_is_package_data() -> None:
    patterns = _patterns()
    files = _data_files()
    assert "entrypoints/web/static/vendor/leaflet/LICENSE" in files  # the walk sees what it must check
    assert [f for f in files if not _declared(f, patterns)] == []


def test_a_file_no_pattern_names_is_reported() -> None:
    assert not _declared("entrypoints/web/static/vendor/thing/COPYING", _patterns())
