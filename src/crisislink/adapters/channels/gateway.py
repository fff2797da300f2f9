"""A national alerting gateway that takes a CAP message by HTTPS POST (NL-Alert, BE-Alert, LU-Alert, ...).

The body is the signed CAP message exactly as emitted: re-serialising it would break the signature.
Content-Type is `application/cap+xml`, the type the CAP community uses for CAP documents (MeteoAlarm's and
Google's CAP feeds link messages with it, the US National Weather Service API serves alerts with it, and
the IETF draft that registers a type for CAP names it); the charset says UTF-8, which is what the emitter
writes. A gateway that accepts only `application/xml` gets it through `content_type`. Gateways differ in
what else they want (SOAP for IPAWS-OPEN, vendor envelopes): those get an adapter of their own.
"""

from __future__ import annotations

from types import TracebackType
from typing import Final, Self

import httpx

from crisislink.adapters.channels import http_delivery as http
from crisislink.adapters.channels.base import Publication, Receipt, refuse_false_alarm

CAP_CONTENT_TYPE: Final = "application/cap+xml; charset=utf-8"
# Keys under which gateways commonly return their reference for a message, in the order tried.
_REFERENCE_KEYS: Final = ("reference", "id", "identifier", "messageId", "uuid")


class CapGateway:
    """POSTs the CAP bytes to `url` with an Idempotency-Key; basic auth or a bearer token if given."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        is_test_channel: bool = False,
        timeout: float = 10.0,
        verify: http.Verify = True,
        content_type: str = CAP_CONTENT_TYPE,
    ) -> None:
        what = f"channel {name}"
        self.name = name
        self.is_test_channel = is_test_channel
        self.url = http.endpoint(url, what)
        self.timeout = timeout
        self._content_type = content_type
        verified = http.tls_verify(verify, self.url, what)
        self._client = http.client(
            timeout, verified, _bearer(token), auth=_auth(what, username, password, token)
        )

    def __repr__(self) -> str:  # never the credentials
        return f"CapGateway({self.name!r}, {str(self.url)!r}, is_test_channel={self.is_test_channel})"

    def deliver(self, publication: Publication, *, idempotency_key: str) -> Receipt:
        refuse_false_alarm(self, publication)  # first, before any network access
        http.check_key(idempotency_key, self.name)
        response = self._post(publication.cap_xml, idempotency_key)
        if not response.is_success:
            raise http.answer_failure(self.name, "the gateway", response)
        return Receipt(channel=self.name, detail=_reference(response), items=1)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def _post(self, body: bytes, idempotency_key: str) -> httpx.Response:
        headers = {"Content-Type": self._content_type, "Idempotency-Key": idempotency_key}
        try:
            return self._client.post(self.url, content=body, headers=headers)
        except httpx.TransportError as error:
            raise http.transport_failure(self.name, "the gateway", error, self.timeout) from error


def _auth(what: str, username: str | None, password: str | None, token: str | None) -> httpx.Auth | None:
    if (username is None) != (password is None):
        raise ValueError(f"{what}: give both a username and a password for basic authentication, or neither")
    if token is not None and not token.strip():
        raise ValueError(f"{what}: the bearer token is empty")
    if username is not None and token is not None:
        raise ValueError(f"{what}: give either basic-auth credentials or a bearer token, not both")
    return httpx.BasicAuth(username, password) if username is not None and password is not None else None


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token is not None else {}


def _reference(response: httpx.Response) -> str:
    """The gateway's reference for the message: its Location, a reference in a JSON body, or the body."""
    location = str(response.headers.get("Location", ""))
    if location:
        return location
    found = http.json_object(response)
    for key in _REFERENCE_KEYS:
        value = found.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    text = http.excerpt(response)
    return text if response.content else f"HTTP {response.status_code}"
