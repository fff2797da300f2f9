"""Repositories of neighbours' warning feeds and the messages read from them. They never commit."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.incident_repositories import _StampedRepository
from crisislink.adapters.db.repositories import Row
from crisislink.domains.warnings.external import KNOWN_WINDOW, UNDATED_LIFETIME, ExternalAlert, ExternalFeed
from crisislink.domains.warnings.external_values import AlertKey, EntrySummary
from crisislink.kernel.clock import ensure_utc


class ExternalFeedRepository(_StampedRepository[ExternalFeed]):
    table = t.external_feeds
    noun = "external feed"

    def _to_row(self, feed: ExternalFeed) -> Row:
        return {
            "id": feed.id,
            **self._label_row(feed.label),
            "name": feed.name,
            "url": feed.url,
            "interval_seconds": feed.interval_seconds,
            "next_poll_at": feed.next_poll_at,
            "last_polled_at": feed.last_polled_at,
            "last_ok_at": feed.last_ok_at,
            "last_error": feed.last_error,
            "failures": feed.failures,
            "etag": feed.etag,
        }

    def _from_row(self, row: Mapping[str, Any]) -> ExternalFeed:
        return ExternalFeed(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            name=row["name"],
            url=row["url"],
            interval_seconds=row["interval_seconds"],
            next_poll_at=row["next_poll_at"],
            last_polled_at=row["last_polled_at"],
            last_ok_at=row["last_ok_at"],
            last_error=row["last_error"],
            failures=row["failures"],
            etag=row["etag"],
        )

    def by_url(self, url: str) -> ExternalFeed | None:
        return self._find(t.external_feeds.c.url == url)

    def due(self, moment: datetime) -> list[ExternalFeed]:
        return self._all(t.external_feeds.c.next_poll_at <= moment)


def _reference_text(key: AlertKey) -> str:
    return key.text()


def _reference_from_text(text: str) -> AlertKey:
    sender, identifier, sent = text.split(",")  # written by `AlertKey.text`: never a comma inside
    return AlertKey(sender, identifier, datetime.fromisoformat(sent))


class ExternalAlertRepository(_StampedRepository[ExternalAlert]):
    table = t.external_alerts
    noun = "external warning"

    def _to_row(self, alert: ExternalAlert) -> Row:
        return {
            "id": alert.id,
            **self._label_row(alert.label),
            "feed_id": alert.feed_id,
            "sender": alert.sender,
            "identifier": alert.identifier,
            "sent": alert.sent,
            "msg_type": alert.msg_type,
            "status": alert.status,
            "references": [_reference_text(key) for key in alert.references],
            "event": alert.event,
            "headline": alert.headline,
            "severity": alert.severity,
            "urgency": alert.urgency,
            "certainty": alert.certainty,
            "languages": list(alert.languages),
            "onset": alert.onset,
            "expires": alert.expires,
            "area": None if alert.area is None else dict(alert.area),
            "area_description": alert.area_description,
            "active": alert.active,
            "replaced_by": alert.replaced_by,
            "cap_xml": alert.raw,
            "received_at": alert.received_at,
        }

    def _from_row(self, row: Mapping[str, Any]) -> ExternalAlert:
        return ExternalAlert(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            feed_id=row["feed_id"],
            sender=row["sender"],
            identifier=row["identifier"],
            sent=row["sent"],
            msg_type=row["msg_type"],
            status=row["status"],
            references=tuple(_reference_from_text(text) for text in row["references"]),
            event=row["event"],
            headline=row["headline"],
            severity=row["severity"],
            urgency=row["urgency"],
            certainty=row["certainty"],
            languages=tuple(row["languages"]),
            onset=row["onset"],
            expires=row["expires"],
            area=row["area"],
            area_description=row["area_description"],
            active=row["active"],
            replaced_by=row["replaced_by"],
            raw=bytes(row["cap_xml"]),
            received_at=row["received_at"],
        )

    def contains(self, key: AlertKey) -> bool:
        a = t.external_alerts.c
        query = sa.select(a.id).where(
            a.sender == key.sender, a.identifier == key.identifier, a.sent == ensure_utc(key.sent)
        )
        return self._conn.execute(query.limit(1)).first() is not None

    def with_identifier(self, sender: str, identifier: str) -> list[ExternalAlert]:
        a = t.external_alerts.c
        return self._all(sa.and_(a.sender == sender, a.identifier == identifier))

    def referencing(self, sender: str, identifier: str) -> list[ExternalAlert]:
        """Candidates by a text match on the stored references; the domain checks each exactly."""
        needle = f"{sender},{identifier},"
        references = sa.cast(t.external_alerts.c.references, sa.Text)
        return self._all(references.contains(needle, autoescape=True))

    def of_feed(self, feed_id: uuid.UUID) -> list[ExternalAlert]:
        return self._all(t.external_alerts.c.feed_id == feed_id)

    def past_end(self, moment: datetime) -> list[ExternalAlert]:
        a = t.external_alerts.c
        over = sa.or_(a.expires <= moment, sa.and_(a.expires.is_(None), a.sent <= moment - UNDATED_LIFETIME))
        return self._all(sa.and_(a.active == sa.true(), over))

    def recent(self, moment: datetime) -> frozenset[EntrySummary]:
        a = t.external_alerts.c
        recent = sa.or_(a.received_at > moment - KNOWN_WINDOW, a.expires > moment)
        rows = self._conn.execute(sa.select(a.identifier, a.sent).where(recent))
        return frozenset((identifier, ensure_utc(sent)) for identifier, sent in rows)
