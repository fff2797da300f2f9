"""A real HTTP server on 127.0.0.1 for testing HTTP clients without mocking them.

It records every request (method, path, headers, body) and answers as scripted: a status, body and headers
per request, failures before a recovery, a delay (to run a client into its timeout), or a dropped
connection; or it hands each request to a function (to emulate a service such as Mastodon). With `tls=True`
it serves HTTPS with a self-signed certificate for 127.0.0.1, whose file is `ca_file`.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it; header names in lower case."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    drop: bool = False  # close the connection without answering

    @staticmethod
    def json(payload: object, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        return Reply(status, json.dumps(payload), {"Content-Type": "application/json", **(headers or {})})


Responder = Callable[[Recorded], Reply]


class ScriptedServer:
    """Answers each request with the next scripted reply, then with `then` (a reply or a responder)."""

    def __init__(self, *, certificate: tuple[Path, Path] | None = None) -> None:
        self._lock = threading.Lock()
        self._requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._then: Reply | Responder = Reply()
        self.stopping = threading.Event()  # wakes delayed answers when the server closes
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.ca_file: Path | None = None
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.ca_file = certificate[0]
        scheme = "https" if certificate else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def script(self, *replies: Reply, then: Reply | Responder = Reply()) -> None:
        with self._lock:
            self._script = deque(replies)
            self._then = then

    def fail_then_recover(self, times: int, failure: Reply, recovery: Reply = Reply()) -> None:
        self.script(*([failure] * times), then=recovery)

    def respond_with(self, responder: Responder) -> None:
        self.script(then=responder)

    def answer(self, request: Recorded) -> Reply:
        with self._lock:
            self._requests.append(request)
            scripted = self._script.popleft() if self._script else None
            then = self._then
        if scripted is not None:
            return scripted
        return then if isinstance(then, Reply) else then(request)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Server(ThreadingHTTPServer):
    owner: ScriptedServer
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that timed out or refused the certificate is what some tests are about."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers: the client's pool is exercised too
    timeout = 5  # an idle kept-alive connection ends, so no handler thread outlives its test for long
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        """Quiet."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        owner = self.server.owner
        reply = owner.answer(Recorded(self.command, self.path, headers, body))
        if reply.delay:
            owner.stopping.wait(reply.delay)
        if reply.drop or owner.stopping.is_set():
            self.close_connection = True
            return
        payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def serving(*, tls_directory: Path | None = None) -> Iterator[ScriptedServer]:
    """A started server, closed on exit; HTTPS with a fresh self-signed certificate when given a directory."""
    certificate = self_signed_certificate(tls_directory) if tls_directory is not None else None
    server = ScriptedServer(certificate=certificate)
    server.start()
    try:
        yield server
    finally:
        server.close()


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files in `directory`: (certificate, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "server.crt", directory / "server.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file
