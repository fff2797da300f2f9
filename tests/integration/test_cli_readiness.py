"""`crisislink readiness …`: a communication test started from the command line prints each message with
its acknowledgement link; the board prints; the demo history plays once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crisislink.adapters.db.queries import comm_tests
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.markings import Tlp
from tests.integration.test_cli import invoke, ok, url_of
from tests.support import build_world, make_platform, migrated

LINK = re.compile(r"/readiness/ack/[A-Za-z0-9_-]{43}")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    migrated(url_of(tmp_path))
    platform = make_platform(url_of(tmp_path))
    world = build_world(platform)
    world.contact("NL-VR23", Tlp.GREEN, name="VR23 desk")
    world.contact("BE-NCCN", Tlp.GREEN, name="NCCN desk")
    platform.stop()
    return tmp_path


def test_a_test_started_from_the_command_line_prints_its_links(data_dir: Path) -> None:
    output = ok(invoke(data_dir, "readiness", "comm-test", "--all", "--name", "Night test"))
    assert "VR23 desk" in output
    assert "NCCN desk" in output
    assert len(LINK.findall(output)) == 2
    refused = invoke(data_dir, "readiness", "comm-test")
    assert refused.exit_code != 0
    unknown = invoke(data_dir, "readiness", "comm-test", "--partner", "XX-NOWHERE")
    assert unknown.exit_code == 1
    assert "no partner with code XX-NOWHERE" in unknown.output


def test_the_board_and_the_demo_history(data_dir: Path) -> None:
    assert "NCCN desk" in ok(invoke(data_dir, "readiness", "on-duty"))
    assert "played 4 demo communication tests" in ok(invoke(data_dir, "readiness", "demo"))
    assert "nothing done" in ok(invoke(data_dir, "readiness", "demo"))
    platform = make_platform(url_of(data_dir))
    try:
        runs = comm_tests.runs(platform.engine, Viewer(user_id=platform.node_id, partner_id=platform.node_id))
        assert len(runs) == 4
        assert all(run.status == "closed" for run in runs)
    finally:
        platform.stop()
