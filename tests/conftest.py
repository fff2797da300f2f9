"""Shared fixtures. Integration tests run on SQLite and, where a server is reachable, PostgreSQL.

In CI (CI=true) a missing PostgreSQL is a failure, not a skip: CI must exercise both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crisislink.app.bootstrap import Platform
from tests.support import (
    IN_CI,
    World,
    build_world,
    fresh_postgres_database,
    make_platform,
    migrated,
    postgres_available,
    truncate_all,
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not postgres_available():
        if IN_CI:
            pytest.fail(
                "CI=true but PostgreSQL is unreachable (set CRISISLINK_TEST_PG_URL or start the server)"
            )
        pytest.skip("PostgreSQL is not reachable; set CRISISLINK_TEST_PG_URL to run these tests")
    with fresh_postgres_database() as url:
        migrated(url)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crisislink.db'}"
        migrated(url)
        return url
    url = str(request.getfixturevalue("postgres_url"))
    truncate_all(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'crisislink.db'}"
    migrated(url)
    return url


@pytest.fixture
def platform(db_url: str) -> Iterator[Platform]:
    built = make_platform(db_url)
    yield built
    built.stop()


@pytest.fixture
def world(platform: Platform) -> World:
    return build_world(platform)
