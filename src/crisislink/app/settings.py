"""Settings come from the environment (12-factor), read once by the entry point and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crisislink.app import env_values
from crisislink.app.readiness_settings import ReadinessSettings


@dataclass(frozen=True)
class Settings:
    database_url: str
    node_code: str = "be"
    nats_url: str | None = None
    nats_subject_prefix: str = ""  # before every subject published on NATS (docs/dataset-delivery.md)
    secure_cookies: bool = False
    session_hours: int = 12
    max_body_bytes: int = 1_000_000
    argon2_fast: bool = False
    tile_url: str | None = None
    # The border rule: an incident this close to a border (km) notifies the partners across it.
    neighbour_distance_km: float = 5.0
    # An unacknowledged notification moves to the next contact after this many minutes.
    escalate_after_minutes: int = 15
    # A reminder goes out this many minutes before the next situation report is due.
    sitrep_reminder_minutes: int = 15
    # The node's own files (signing key, imported road graphs); the default database lives here too.
    data_dir: Path = Path("var")
    # CAP `sender` of the warnings this node issues; None: derived from the node code.
    cap_sender: str | None = None
    # A TOML file naming the public channels (national gateways, Mastodon); None: no push channel.
    channels_file: Path | None = None
    # The public address of this node, for links in feeds and posts (e.g. https://crisislink.example).
    public_url: str = "http://127.0.0.1:8000"
    # Rota and communication tests (line 4): escalation, the SMTP relay, the recorded outbox.
    readiness: ReadinessSettings = field(default_factory=ReadinessSettings)
    # Reverse proxies (addresses or networks) whose X-Forwarded-For names the real client. Behind one,
    # every request otherwise comes from the proxy, and the sign-in throttle per address would lock
    # everybody out together.
    trusted_proxies: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env
        data_dir = Path(source.get("CRISISLINK_DATA_DIR", "var"))
        default_db = f"sqlite:///{data_dir / 'crisislink.db'}"
        return cls(
            database_url=source.get("CRISISLINK_DATABASE_URL", default_db),
            node_code=source.get("CRISISLINK_NODE", "be").lower(),
            nats_url=source.get("CRISISLINK_NATS_URL") or None,
            nats_subject_prefix=source.get("CRISISLINK_NATS_PREFIX", ""),
            secure_cookies=source.get("CRISISLINK_SECURE_COOKIES", "0") == "1",
            session_hours=env_values.integer(source, "CRISISLINK_SESSION_HOURS", 12),
            max_body_bytes=env_values.integer(source, "CRISISLINK_MAX_BODY_BYTES", 1_000_000),
            tile_url=source.get("CRISISLINK_TILE_URL") or None,
            neighbour_distance_km=env_values.decimal(source, "CRISISLINK_NEIGHBOUR_DISTANCE_KM", 5.0),
            escalate_after_minutes=env_values.integer(source, "CRISISLINK_ESCALATE_AFTER_MINUTES", 15),
            sitrep_reminder_minutes=env_values.integer(source, "CRISISLINK_SITREP_REMINDER_MINUTES", 15),
            data_dir=data_dir,
            cap_sender=source.get("CRISISLINK_CAP_SENDER") or None,
            channels_file=Path(source["CRISISLINK_CHANNELS"]) if source.get("CRISISLINK_CHANNELS") else None,
            public_url=source.get("CRISISLINK_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            readiness=ReadinessSettings.from_env(source),
            trusted_proxies=env_values.networks(source, "CRISISLINK_TRUSTED_PROXIES"),
        )

    @property
    def sender(self) -> str:
        return self.cap_sender or f"{self.node_code}.crisislink.example"

    def routing_dir(self) -> Path:
        """Where imported road graphs live (`crisislink routing import`)."""
        return self.data_dir / "routing"

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        return Path(self.database_url[len(prefix) :]) if self.database_url.startswith(prefix) else None
