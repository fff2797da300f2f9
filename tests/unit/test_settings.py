"""Settings from the environment: values that would start a node wrongly are refused with the variable named."""

from __future__ import annotations

import pytest

from crisislink.app.env_values import ConfigurationError
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


@pytest.mark.parametrize(
    ("name", "value", "expects"),
    [
        ("CRISISLINK_SESSION_HOURS", "twelve", "not a whole number"),
        ("CRISISLINK_NEIGHBOUR_DISTANCE_KM", "5km", "not a number"),
        ("CRISISLINK_SMTP_PORT", "smtp", "not a whole number"),
    ],
)
def test_a_number_that_is_not_one_is_refused_with_its_variable_named(
    name: str, value: str, expects: str
) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{name}='{value}' is {expects} \(default: "):
        Settings.from_env({name: value})


def test_an_empty_number_means_its_default() -> None:
    assert Settings.from_env({"CRISISLINK_SESSION_HOURS": " "}).session_hours == 12
