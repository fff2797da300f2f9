"""GET over HTTP(S) with the limits a feed reader needs: http(s) only, a timeout, a size cap, ETags.

Bodies are read as a stream and refused as soon as they pass the cap, after decompression (a gzip bomb is
cut off like any other large body). Redirects are followed (at most 5), to http(s) targets only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import httpx

from crisislink import __version__
from crisislink.domains.warnings.external_ports import FeedUnavailable

USER_AGENT: Final = f"crisislink/{__version__} (CAP feed reader)"
MAX_REDIRECTS: Final = 5
FEED_ACCEPT: Final = "application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"
CAP_ACCEPT: Final = "application/cap+xml, application/xml;q=0.9, text/xml;q=0.8"


@dataclass(frozen=True)
class Fetched:
    body: bytes
    etag: str | None
    not_modified: bool = False


def new_client(timeout_seconds: float) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 5.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"user-agent": USER_AGENT},
    )


def require_http(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FeedUnavailable(f"{url!r} is not an http(s) address; only http and https are ever fetched")
    return url


def fetch(client: httpx.Client, url: str, *, max_bytes: int, accept: str, etag: str | None = None) -> Fetched:
    """The body of `url`, or FeedUnavailable saying why not (status, size, network)."""
    headers = {"accept": accept, **({"if-none-match": etag} if etag else {})}
    try:
        with client.stream("GET", require_http(url), headers=headers) as response:
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return Fetched(b"", etag, not_modified=True)
            if response.status_code != httpx.codes.OK:
                raise FeedUnavailable(f"{url} answered HTTP {response.status_code} {response.reason_phrase}")
            _refuse_declared_size(response, url, max_bytes)
            return Fetched(_bounded_body(response, url, max_bytes), response.headers.get("etag"))
    except httpx.HTTPError as error:
        raise FeedUnavailable(f"{url} could not be read ({type(error).__name__}: {error})") from None


def _too_large(url: str, max_bytes: int) -> FeedUnavailable:
    return FeedUnavailable(f"{url} is larger than {max_bytes // (1024 * 1024)} MiB; refused")


def _refuse_declared_size(response: httpx.Response, url: str, max_bytes: int) -> None:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
        raise _too_large(url, max_bytes)


def _bounded_body(response: httpx.Response, url: str, max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise _too_large(url, max_bytes)
    return bytes(body)
