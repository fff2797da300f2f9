"""What the HTTP channels share: a safe endpoint, a TLS setting, and answers turned into DeliveryErrors.

Retry policy: 408, 425, 429 and 5xx answers, timeouts and network failures are retryable (the other side
may recover, and the idempotency key keeps a retry from delivering twice); any other answer is not, since
sending the same request again would get the same refusal.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

import httpx

from crisislink.adapters.channels.base import DeliveryError

RETRYABLE_STATUSES: Final = frozenset({408, 425, 429})
EXCERPT: Final = 200
USER_AGENT: Final = "crisislink"
# An idempotency key travels in a header: visible ASCII, bounded (Mastodon keeps keys in Redis).
_KEY: Final = re.compile(r"[!-~]{1,200}")

Verify = bool | str | os.PathLike[str] | ssl.SSLContext


def endpoint(url: str, what: str) -> httpx.URL:
    """`url` if it is https, or http to a loopback address (tests); ValueError otherwise.

    Plain http to another host would let anyone on the path read the credentials and drop or delay a
    warning. Credentials in the URL are refused too: URLs end up in logs.
    """
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise ValueError(f"{what}: {url!r} is not a URL ({error})") from None
    if not parsed.host:
        raise ValueError(f"{what}: {url!r} names no host; give a full https:// URL")
    if parsed.userinfo:
        raise ValueError(
            f"{what}: put credentials in the channel's settings, not in the URL (URLs are logged)"
        )
    if parsed.scheme == "https" or (parsed.scheme == "http" and is_loopback(parsed.host)):
        return parsed
    raise ValueError(
        f"{what}: {url!r} must use https:// (plain http:// is allowed only to a loopback address, for tests)"
    )


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_verify(verify: Verify, url: httpx.URL, what: str) -> ssl.SSLContext | bool:
    """httpx's `verify` from True, a CA file or an SSLContext; False is allowed for loopback tests only."""
    if verify is False and not is_loopback(url.host):
        raise ValueError(f"{what}: TLS verification may be switched off only for a loopback address")
    if isinstance(verify, bool | ssl.SSLContext):
        return verify
    try:
        return ssl.create_default_context(cafile=os.fspath(verify))
    except (OSError, ssl.SSLError) as error:
        raise ValueError(f"{what}: the CA file {os.fspath(verify)!r} cannot be read ({error})") from None


def client(
    timeout: float, verify: ssl.SSLContext | bool, headers: dict[str, str], *, auth: httpx.Auth | None = None
) -> httpx.Client:
    # Redirects are not followed: a POST that moved means the configuration is out of date.
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        verify=verify,
        auth=auth,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, **headers},
    )


def check_key(idempotency_key: str, what: str) -> None:
    if not _KEY.fullmatch(idempotency_key):
        raise DeliveryError(
            f"{what}: the idempotency key {idempotency_key[:40]!r} must be 1 to 200 visible ASCII characters; "
            "the worker must give every delivery such a key",
            retryable=False,
        )


def transport_failure(
    what: str, other_side: str, error: httpx.TransportError, timeout: float
) -> DeliveryError:
    """A request that got no HTTP answer. Retryable, except when the request itself cannot be sent."""
    if isinstance(error, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return DeliveryError(
            f"{what}: the request cannot be sent ({error}); fix the configuration", retryable=False
        )
    if isinstance(error, httpx.TimeoutException):
        reason = f"{other_side} did not answer within {timeout:g} s"
    elif isinstance(error, httpx.ConnectError):
        reason = f"could not connect to {other_side} ({error or type(error).__name__})"
    elif isinstance(error, httpx.RemoteProtocolError):
        reason = f"{other_side} closed the connection without a complete answer ({error})"
    else:
        reason = f"the connection to {other_side} failed ({type(error).__name__}: {error})"
    return DeliveryError(f"{what}: {reason}; will retry", retryable=True)


def answer_failure(what: str, other_side: str, response: httpx.Response) -> DeliveryError:
    """The DeliveryError for a non-2xx answer."""
    status = f"{response.status_code} {response.reason_phrase}".strip()
    if response.status_code in RETRYABLE_STATUSES or response.status_code >= 500:
        wait = retry_after(response)
        when = f" in {wait:g} s, as it asked" if wait is not None else ""
        return DeliveryError(
            f"{what}: {other_side} answered {status}; will retry{when}", retryable=True, retry_after=wait
        )
    if 300 <= response.status_code < 400:
        moved = response.headers.get("Location", "(no Location)")
        return DeliveryError(
            f"{what}: {other_side} answered {status} to {moved}; configure the new address", retryable=False
        )
    advice = (
        "check the channel's credentials"
        if response.status_code in {401, 403}
        else "fix the configuration or the message"
    )
    return DeliveryError(
        f"{what}: {other_side} refused the message ({response.status_code}): {excerpt(response)}; {advice}",
        retryable=False,
    )


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date), else Mastodon's X-RateLimit-Reset."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    if value:
        return _seconds_until(_http_date(value))
    reset = response.headers.get("X-RateLimit-Reset", "").strip()
    return _seconds_until(_iso_date(reset)) if reset else None


def excerpt(response: httpx.Response) -> str:
    """The first characters of the body on one line, for an operator to read; never the whole page."""
    text = " ".join(response.text.split())
    return text[:EXCERPT] if text else "(empty body)"


def json_object(response: httpx.Response) -> dict[str, object]:
    try:
        found = json.loads(response.content)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _http_date(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _iso_date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _seconds_until(moment: datetime | None) -> float | None:
    if moment is None or moment.utcoffset() is None:
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
