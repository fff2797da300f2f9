"""The recording sender: this node cannot ring a phone or key a radio, so it records the message.

Each message is kept in memory (the last `keep`, for the CLI and tests) and, when an outbox file is
configured, appended to it as one JSON line: the call sheet an operator (or a future phone, SMS or radio
gateway) works through to relay it. Plain notices (`send_notice`) go the same way, with a `notice_id`. The file holds the acknowledgement codes in clear, as any mailbox
would, so it is created readable by its owner only; the database keeps only their hashes.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import deque
from pathlib import Path

from crisislink.adapters.messaging.text import Rendered, render
from crisislink.domains.readiness.ports import DeliveryReport, Notice, OutgoingMessage
from crisislink.domains.readiness.runs import Recipient

log = logging.getLogger(__name__)


class RecordingSender:
    def __init__(self, base_url: str, outbox: Path | None = None, keep: int = 1000) -> None:
        self._base_url = base_url
        self._outbox = outbox
        self._lock = threading.Lock()
        self.sent: deque[tuple[OutgoingMessage, Rendered]] = deque(maxlen=keep)
        self.notices: deque[Notice] = deque(maxlen=keep)  # plain notices (e.g. to desks asked for help)

    def send(self, message: OutgoingMessage) -> DeliveryReport:
        rendered = render(message, self._base_url)
        with self._lock:
            self.sent.append((message, rendered))
            if self._outbox is not None:
                try:
                    self._append(message, rendered)
                except OSError as error:
                    return DeliveryReport(sent=False, detail=f"could not write the outbox file: {error}")
        # The log names who and how, never the code.
        log.info(
            "communication test %s: message for %s by %s recorded",
            message.run_name,
            message.recipient.name,
            message.recipient.channel,
        )
        where = "the outbox file" if self._outbox is not None else "this node's memory"
        return DeliveryReport(sent=True, detail=f"recorded in {where} for relay by an operator")

    def send_notice(self, notice: Notice) -> DeliveryReport:
        with self._lock:
            self.notices.append(notice)
            if self._outbox is not None:
                line = {
                    "notice_id": str(notice.notice_id),
                    **_columns(notice.recipient, notice.subject, notice.body),
                }
                try:
                    self._write(line)
                except OSError as error:
                    return DeliveryReport(sent=False, detail=f"could not write the outbox file: {error}")
        log.info("notice for %s by %s recorded", notice.recipient.name, notice.recipient.channel)
        where = "the outbox file" if self._outbox is not None else "this node's memory"
        return DeliveryReport(sent=True, detail=f"recorded in {where} for relay by an operator")

    def _append(self, message: OutgoingMessage, rendered: Rendered) -> None:
        ids = {"message_id": str(message.message_id), "run_id": str(message.run_id)}
        self._write({**ids, **_columns(message.recipient, rendered.subject, rendered.body)})

    def _write(self, line: dict[str, str]) -> None:
        assert self._outbox is not None
        self._outbox.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(line, ensure_ascii=False)
        descriptor = os.open(self._outbox, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    def for_run(self, run_id: object) -> list[tuple[OutgoingMessage, Rendered]]:
        with self._lock:
            return [(m, r) for m, r in self.sent if m.run_id == run_id]


def _columns(recipient: Recipient, subject: str, body: str) -> dict[str, str]:
    """A line of the call sheet: to whom, how, and the words."""
    return {
        "recipient": recipient.name,
        "channel": recipient.channel,
        "address": recipient.address,
        "subject": subject,
        "body": body,
    }
