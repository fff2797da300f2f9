"""What the public sees of warnings: the public pages, the Atom feeds and the CAP files they link.

THE ONE READ PATH THAT IS NOT FILTERED BY THE SHARING POLICY. Every other query of the platform goes
through `access.visible_to`; this one does not, because it only ever reads *whole-message publications of
status Actual* (`warning_publications` rows with country "" and status "Actual"): the signed CAP messages
the platform has published to the public by definition. A draft, an approved warning not yet issued, an
Exercise, Test or System message, or one country's part alone never has such a row, so it can never appear
here, whatever its marking. Keep every query in this module behind `_PUBLISHED` and nothing else.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.kernel.errors import NotFound

P = t.warning_publications
M = t.warning_messages
ACTUAL: Final = "Actual"
CANCEL: Final = "Cancel"
FEED_SIZE: Final = 200
# Only whole messages (country "") the platform published as Actual: the only thing the public may read.
_PUBLISHED = sa.and_(P.c.country == "", P.c.status == ACTUAL)


class PublicText(msgspec.Struct, frozen=True):
    language: str
    headline: str
    description: str
    instruction: str
    web: str | None = None
    contact: str | None = None


class PublicMessage(msgspec.Struct, frozen=True):
    """One published CAP message of a warning, as the public reads it."""

    warning_id: uuid.UUID
    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    note: str
    status: str
    hazard: str
    severity: str
    urgency: str
    certainty: str
    response_types: list[str]
    onset: datetime
    expires: datetime
    area_description: str
    texts: list[PublicText]

    @property
    def cancelled(self) -> bool:
        return self.msg_type == CANCEL

    def in_force(self, now: datetime) -> bool:
        return not self.cancelled and self.expires > now

    def text(self, language: str | None) -> PublicText:
        """The text in `language`, else the first one the message carries."""
        return next((text for text in self.texts if text.language == language), self.texts[0])


def _message(row: Any) -> PublicMessage:
    content = row["content"]
    texts = [PublicText(language=code, **text) for code, text in content["texts"]]
    return PublicMessage(
        warning_id=row["warning_id"],
        identifier=row["identifier"],
        sender=row["sender"],
        sent=row["sent"],
        msg_type=row["msg_type"],
        note=row["note"],
        status=content["status"],
        hazard=content["hazard"]["code"],
        severity=content["severity"],
        urgency=content["urgency"],
        certainty=content["certainty"],
        response_types=list(content["response_types"]),
        onset=datetime.fromisoformat(content["onset"]),
        expires=datetime.fromisoformat(content["expires"]),
        area_description=content["area_description"],
        texts=texts,
    )


def _published_messages() -> sa.Select[Any]:
    return (
        sa.select(
            P.c.warning_id, P.c.identifier, M.c.seq, M.c.sender, M.c.sent, M.c.msg_type, M.c.content, M.c.note
        )
        .join(M, (M.c.warning_id == P.c.warning_id) & (M.c.identifier == P.c.identifier))
        .where(_PUBLISHED)
    )


def _latest_of_each() -> sa.Select[Any]:
    """The latest published message of each warning (an Update or Cancel replaces what came before)."""
    latest = (
        sa.select(P.c.warning_id, sa.func.max(M.c.seq).label("seq"))
        .join(M, (M.c.warning_id == P.c.warning_id) & (M.c.identifier == P.c.identifier))
        .where(_PUBLISHED)
        .group_by(P.c.warning_id)
        .subquery()
    )
    published = _published_messages().subquery()
    return sa.select(published).join(
        latest, (latest.c.warning_id == published.c.warning_id) & (latest.c.seq == published.c.seq)
    )


def active(engine: Engine, now: datetime) -> list[PublicMessage]:
    """Warnings in force: the latest published message is not a Cancel and has not expired. Most severe
    first would hide a new warning under an old one, so newest first."""
    with engine.connect() as conn:
        rows = conn.execute(_latest_of_each()).mappings().all()
    messages = [_message(row) for row in rows]
    return sorted((m for m in messages if m.in_force(now)), key=lambda m: m.sent, reverse=True)


def latest(engine: Engine, warning_id: uuid.UUID) -> PublicMessage:
    """The latest published message of one warning, even a Cancel (a link someone followed must say so)."""
    query = _published_messages().where(P.c.warning_id == warning_id).order_by(M.c.seq.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no public warning {warning_id}")
    return _message(row)


def feed(engine: Engine, limit: int = FEED_SIZE) -> list[PublicMessage]:
    """Every published message, newest first, Updates and Cancels included: a feed reader must hear that a
    warning was cancelled."""
    query = _published_messages().order_by(M.c.sent.desc(), P.c.identifier).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [_message(row) for row in rows]


def cap_xml(engine: Engine, identifier: str) -> bytes:
    """The signed CAP bytes of one published whole message, exactly as they went out."""
    query = sa.select(P.c.cap_xml).where(P.c.identifier == identifier, _PUBLISHED)
    with engine.connect() as conn:
        found: bytes | None = conn.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no public CAP message {identifier}")
    return found
