"""The kernel and the domains import the standard library and the kernel only (an allow-list: import-linter
forbids known frameworks by name; this catches any other third-party import too)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "crisislink"
ALLOWED = {
    "kernel": ("crisislink.kernel",),
    "domains": ("crisislink.kernel", "crisislink.domains"),
}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _allowed(name: str, own: tuple[str, ...]) -> bool:
    top = name.split(".", maxsplit=1)[0]
    return top in sys.stdlib_module_names or top == "__future__" or name.startswith(own)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_the_layer_imports_only_what_it_may(layer: str) -> None:
    files = sorted((SRC / layer).rglob("*.py"))
    assert files
    offenders = [
        f"{path.relative_to(SRC)}: {name}"
        for path in files
        for name in _imports(path)
        if not _allowed(name, ALLOWED[layer])
    ]
    assert offenders == []


def test_a_capability_does_not_import_another() -> None:
    for package in sorted(p for p in (SRC / "domains").iterdir() if p.is_dir() and p.name != "__pycache__"):
        own = f"crisislink.domains.{package.name}"
        for path in package.rglob("*.py"):
            others = [
                n for n in _imports(path) if n.startswith("crisislink.domains.") and not n.startswith(own)
            ]
            assert others == [], f"{path.relative_to(SRC)} imports {others}"


def test_the_check_tells_frameworks_from_the_standard_library() -> None:
    own = ALLOWED["domains"]
    assert not _allowed("shapely.geometry", own)
    assert not _allowed("crisislink.adapters.db", own)
    assert _allowed("zoneinfo", own)
    assert _allowed("crisislink.kernel.messages", own)
