"""Settings from the environment: values that would start a node wrongly are refused with the variable named."""

from __future__ import annotations

import pytest

from crisislink.app.settings import Settings


def test_trusted_proxies_are_addresses_and_networks() -> None:
    settings = Settings.from_env({"CRISISLINK_TRUSTED_PROXIES": " 10.0.0.5, 10.1.0.0/16 ,, ::1"})
    assert settings.trusted_proxies == ("10.0.0.5", "10.1.0.0/16", "::1")


def test_no_proxy_is_trusted_unless_named() -> None:
    assert Settings.from_env({}).trusted_proxies == ()


@pytest.mark.parametrize("value", ["10.0.0.300", "proxy.example", "10.0.0.0/33"])
def test_a_trusted_proxy_that_is_not_an_address_stops_the_node(value: str) -> None:
    with pytest.raises(ValueError, match=r"CRISISLINK_TRUSTED_PROXIES: .* is not an IP address or network"):
        Settings.from_env({"CRISISLINK_TRUSTED_PROXIES": value})
