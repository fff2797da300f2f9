"""A pull source's address is shown to everyone who may see its dataset, so its credentials are hidden:
a user and password, and query (or fragment) parameters named like a key, token or signature. The rest of
the address stays exactly as the owner typed it, so readers can still tell which service is polled."""

from __future__ import annotations

import pytest

from crisislink.adapters.db.queries.pull_sources import hide_credentials, hide_credentials_in


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("https://gauges.example/meuse.csv", "https://gauges.example/meuse.csv"),
        ("https://feed:pa55@gauges.example:8443/meuse.csv", "https://***@gauges.example:8443/meuse.csv"),
        ("https://token@gauges.example/meuse.csv", "https://***@gauges.example/meuse.csv"),
        (
            "https://gauges.example/items?api_key=abc123&station=eijsden&f=json",
            "https://gauges.example/items?api_key=***&station=eijsden&f=json",
        ),
        (
            "https://s3.example/b/o.csv?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=ff00&X-Amz-Expires=60",
            "https://s3.example/b/o.csv?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Expires=60",
        ),
        (
            "https://gauges.example/v1?ACCESS_TOKEN=t0k&q=a%20b",
            "https://gauges.example/v1?ACCESS_TOKEN=***&q=a%20b",
        ),
        ("https://gauges.example/v1#access_token=t0k", "https://gauges.example/v1#access_token=***"),
        ("https://gauges.example/v1?password=&flag", "https://gauges.example/v1?password=&flag"),
    ],
)
def test_credentials_in_an_address_are_hidden_and_the_rest_is_kept(typed: str, shown: str) -> None:
    assert hide_credentials(typed) == shown


def test_an_error_about_the_address_hides_its_credentials_wherever_it_quotes_them() -> None:
    url = "https://feed:pa55w0rd@gauges.example/items?api_key=abc123&station=eijsden"
    error = (
        f"{url} answered HTTP 401 Unauthorized; retried as feed:pa55w0rd@gauges.example with api_key=abc123"
    )

    shown = hide_credentials_in(error, url)

    assert "pa55w0rd" not in shown
    assert "abc123" not in shown
    assert shown.startswith("https://***@gauges.example/items?api_key=***&station=eijsden answered HTTP 401")
    assert "retried as ***@gauges.example with api_key=***" in shown
