"""`crisislink datasets nats-permissions`: the nats-server user entry of one partner, and of no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisislink.adapters.bus.nats.permissions import consumer_name
from tests.integration.test_cli import invoke, ok, url_of
from tests.support import World, build_world, make_platform, migrated


@pytest.fixture
def data_dir(tmp_path: Path) -> tuple[Path, World]:
    migrated(url_of(tmp_path))
    platform = make_platform(url_of(tmp_path))
    world = build_world(platform)
    platform.stop()
    return tmp_path, world


def test_the_entry_names_the_partners_own_tree_and_consumer_only(data_dir: tuple[Path, World]) -> None:
    path, world = data_dir
    ours, others = world.partners["NL-VR23"], [p for code, p in world.partners.items() if code != "NL-VR23"]
    output = ok(invoke(path, "datasets", "nats-permissions", "nl-vr23"))
    assert 'user: "partner-nl-vr23"' in output
    assert "password: $CRISISLINK_NATS_PASSWORD_PARTNER_NL_VR23" in output
    assert f'"partner.{ours}.>"' in output  # no prefix configured: the tree starts at the root
    assert f'"$JS.API.CONSUMER.MSG.NEXT.CRISISLINK.{consumer_name(ours)}"' in output
    assert not any(str(other) in output for other in others)
    renamed = ok(invoke(path, "datasets", "nats-permissions", "NL-VR23", "--user", "vr23-machines"))
    assert 'user: "vr23-machines"' in renamed


def test_an_unknown_partner_is_one_clear_error(data_dir: tuple[Path, World]) -> None:
    result = invoke(data_dir[0], "datasets", "nats-permissions", "XX-NOWHERE")
    assert result.exit_code == 1
    assert "no partner with code XX-NOWHERE" in result.output
