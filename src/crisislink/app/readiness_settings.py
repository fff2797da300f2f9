"""Settings of the readiness capability (rota, communication tests), read with the node's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crisislink.app import env_values


@dataclass(frozen=True)
class ReadinessSettings:
    # An unacknowledged test message moves to the next step of the chain after this many minutes.
    escalate_after_minutes: int = 15
    # An SMTP relay for the e-mail channel; None: e-mail messages are recorded like the others.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "crisislink@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    # Where the recording sender appends the messages an operator relays (phone, radio); None: memory only.
    outbox_file: Path | None = None

    @classmethod
    def from_env(cls, source: Mapping[str, str]) -> ReadinessSettings:
        outbox = source.get("CRISISLINK_COMM_TEST_OUTBOX")
        return cls(
            escalate_after_minutes=env_values.integer(source, "CRISISLINK_COMM_TEST_ESCALATE_MINUTES", 15),
            smtp_host=source.get("CRISISLINK_SMTP_HOST") or None,
            smtp_port=env_values.integer(source, "CRISISLINK_SMTP_PORT", 25),
            smtp_from=source.get("CRISISLINK_SMTP_FROM", "crisislink@localhost"),
            smtp_starttls=source.get("CRISISLINK_SMTP_STARTTLS", "0") == "1",
            smtp_user=source.get("CRISISLINK_SMTP_USER") or None,
            smtp_password=source.get("CRISISLINK_SMTP_PASSWORD") or None,
            outbox_file=Path(outbox) if outbox else None,
        )
