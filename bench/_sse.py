"""Live-feed subscribers for the benchmarks: many GET /api/events streams over raw asyncio sockets.

They run in a child process (their own interpreter lock, so parsing SSE does not slow the load generator)
and note, for every event of the given type, `time.monotonic()` when it arrived: CLOCK_MONOTONIC, so the
parent can compare it with the moment it sent the request that caused the event.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder()


@dataclass
class Receipts:
    """Per subscriber: event key -> when it arrived; and what went wrong, if anything."""

    arrived: list[dict[str, float]] = field(default_factory=list)
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


async def _chunks(reader: asyncio.StreamReader) -> Any:
    """The body of a chunked HTTP/1.1 response, chunk by chunk."""
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip() or b"0", 16)
        if size == 0:
            return
        data = await reader.readexactly(size + 2)
        yield data[:-2]


async def _subscribe(
    host: str,
    port: int,
    token: str,
    event_type: str,
    key: str,
    arrived: dict[str, float],
    ready: asyncio.Event,
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"GET /api/events HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\nAccept-Encoding: identity\r\n\r\n"
    )
    writer.write(request.encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"the live feed answered {head[:80]!r}")
    duplicates, buffer, marker = 0, b"", f'"type":"{event_type}"'.encode()
    try:
        async for chunk in _chunks(reader):
            now = time.monotonic()
            buffer += chunk
            *messages, buffer = buffer.split(b"\r\n\r\n")  # Litestar ends SSE lines with CRLF
            for message in messages:
                if b"event: ready" in message:
                    ready.set()
                elif marker in message:
                    data = next(line[6:] for line in message.split(b"\r\n") if line.startswith(b"data: "))
                    value = str(_decoder.decode(data)["payload"][key])
                    duplicates += value in arrived
                    arrived.setdefault(value, now)
    finally:
        writer.close()
    return duplicates


async def _run(
    host: str, port: int, tokens: Sequence[str], event_type: str, key: str, control: Connection
) -> Receipts:
    receipts = Receipts(arrived=[{} for _ in tokens])
    ready = [asyncio.Event() for _ in tokens]
    tasks = [
        asyncio.create_task(_subscribe(host, port, token, event_type, key, receipts.arrived[i], ready[i]))
        for i, token in enumerate(tokens)
    ]
    await asyncio.wait_for(asyncio.gather(*(flag.wait() for flag in ready)), timeout=60)
    control.send("ready")
    loop = asyncio.get_running_loop()
    expected, deadline = await loop.run_in_executor(None, control.recv)  # how many events, and until when
    while time.monotonic() < deadline and min(len(a) for a in receipts.arrived) < expected:
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, int):
            receipts.duplicates += result
        elif not isinstance(result, asyncio.CancelledError):
            receipts.errors.append(repr(result))
    return receipts


def _main(host: str, port: int, tokens: list[str], event_type: str, key: str, control: Connection) -> None:
    receipts = asyncio.run(_run(host, port, tokens, event_type, key, control))
    control.send((receipts.arrived, receipts.duplicates, receipts.errors))


class Subscribers:
    """`count` live-feed readers in a child process; `wait` collects when each event reached each reader."""

    def __init__(self, host: str, port: int, tokens: list[str], event_type: str, key: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._control, child = context.Pipe()
        self._process = context.Process(
            target=_main, args=(host, port, tokens, event_type, key, child), daemon=True
        )
        self._process.start()
        if not self._control.poll(90) or self._control.recv() != "ready":
            self._process.kill()
            raise RuntimeError("the subscribers did not all connect within 90 s")

    def wait(self, expected: int, seconds: float) -> Receipts:
        self._control.send((expected, time.monotonic() + seconds))
        if not self._control.poll(seconds + 60):
            self._process.kill()
            raise RuntimeError("the subscriber process did not report")
        arrived, duplicates, errors = self._control.recv()
        self._process.join(timeout=30)
        return Receipts(arrived, duplicates, errors)
