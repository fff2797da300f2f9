"""Repository of public warnings. The message chain is append-only: only new messages are written."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec
import sqlalchemy as sa

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.incident_repositories import _StampedRepository
from crisislink.adapters.db.repositories import Row, _area_from_json, _area_to_json
from crisislink.adapters.geo.points import representative_point
from crisislink.domains.warnings.approvals import ApprovalState, Comment
from crisislink.domains.warnings.chain import CapMessageRecord, CapReference, WarningContent
from crisislink.domains.warnings.codes import Certainty, MsgType, ResponseType, Severity, Status, Urgency
from crisislink.domains.warnings.model import PublicWarning, WarningState
from crisislink.domains.warnings.parts import IssuedPart
from crisislink.domains.warnings.values import Hazard, Targeting, WarningText


def _json(value: object) -> Any:
    return msgspec.to_builtins(value, order="sorted")


class WarningRepository(_StampedRepository[PublicWarning]):
    table = t.public_warnings
    noun = "warning"

    def _to_row(self, warning: PublicWarning) -> Row:
        return {
            "id": warning.id,
            **self._label_row(warning.label),
            "incident_id": warning.incident_id,
            "hazard": _json(warning.hazard),
            "status": warning.status.value,
            "severity": warning.severity.value,
            "urgency": warning.urgency.value,
            "certainty": warning.certainty.value,
            "response_types": [r.value for r in warning.response_types],
            "texts": _json(warning.texts),
            "onset": warning.onset,
            "expires": warning.expires,
            "area": _area_to_json(warning.area),
            "area_description": warning.area_description,
            "targeting": _json(warning.targeting),
            "created_at": warning.created_at,
            "created_by": warning.created_by,
            "state": warning.state.value,
            "revision": warning.revision,
            "issued_revision": warning.issued_revision,
            "approvals": _json(warning.required_approvers),
            "comments": _json(warning.comments),
            "parts": _json(warning.parts),
            "messages": len(warning.messages),
        }

    def _written_row(self, warning: PublicWarning) -> Row:
        row = super()._written_row(warning)
        del row["messages"]
        row["anchor"] = representative_point(dict(warning.area.geometry))
        row["due_at"] = warning.next_due()
        return row

    def _from_row(self, row: Mapping[str, Any]) -> PublicWarning:
        area = _area_from_json(row["area"])
        assert area is not None
        return PublicWarning(
            id=row["id"],
            version=row["version"],
            label=self._label_from_row(row),
            incident_id=row["incident_id"],
            hazard=msgspec.convert(row["hazard"], type=Hazard),
            status=Status(row["status"]),
            severity=Severity(row["severity"]),
            urgency=Urgency(row["urgency"]),
            certainty=Certainty(row["certainty"]),
            response_types=tuple(ResponseType(r) for r in row["response_types"]),
            texts=msgspec.convert(row["texts"], type=dict[str, WarningText]),
            onset=row["onset"],
            expires=row["expires"],
            area=area,
            area_description=row["area_description"],
            targeting=msgspec.convert(row["targeting"], type=Targeting),
            created_at=row["created_at"],
            created_by=row["created_by"],
            state=WarningState(row["state"]),
            revision=row["revision"],
            issued_revision=row["issued_revision"],
            required_approvers=msgspec.convert(row["approvals"], type=dict[str, ApprovalState]),
            comments=msgspec.convert(row["comments"], type=list[Comment]),
            parts=msgspec.convert(row["parts"], type=dict[str, IssuedPart]),
            messages=self._messages(row["id"]),
        )

    def _messages(self, warning_id: uuid.UUID) -> list[CapMessageRecord]:
        rows = self._conn.execute(
            sa.select(t.warning_messages)
            .where(t.warning_messages.c.warning_id == warning_id)
            .order_by(t.warning_messages.c.seq)
        ).mappings()
        return [_message_from_row(dict(row)) for row in rows]

    def _after_insert(self, warning: PublicWarning) -> None:
        super()._after_insert(warning)
        self._write_messages(warning, 0)

    def _after_update(self, warning: PublicWarning) -> None:
        super()._after_update(warning)
        stored = self._conn.execute(
            sa.select(sa.func.count()).where(t.warning_messages.c.warning_id == warning.id)
        ).scalar_one()
        self._write_messages(warning, stored)

    def _write_messages(self, warning: PublicWarning, stored: int) -> None:
        new = warning.messages[stored:]
        if new:
            self._conn.execute(
                t.warning_messages.insert(),
                [_message_row(warning.id, stored + i, message) for i, message in enumerate(new)],
            )

    def due(self, moment: datetime) -> list[PublicWarning]:
        return self._all(t.public_warnings.c.due_at <= moment)


def _message_row(warning_id: uuid.UUID, seq: int, message: CapMessageRecord) -> Row:
    return {
        "warning_id": warning_id,
        "seq": seq,
        "identifier": message.identifier,
        "sender": message.sender,
        "sent": message.sent,
        "msg_type": message.msg_type.value,
        "references": _json(message.references),
        "revision": message.revision,
        "content": _json(message.content),
        "note": message.note,
    }


def _message_from_row(row: Mapping[str, Any]) -> CapMessageRecord:
    return CapMessageRecord(
        identifier=row["identifier"],
        sender=row["sender"],
        sent=row["sent"],
        msg_type=MsgType(row["msg_type"]),
        references=msgspec.convert(row["references"], type=tuple[CapReference, ...]),
        revision=row["revision"],
        content=msgspec.convert(row["content"], type=WarningContent),
        note=row["note"],
    )


def warning_from_row(connection: sa.Connection, row: Mapping[str, Any]) -> PublicWarning:
    """A stored warning as the domain sees it, for read models that show what the domain derives."""
    return WarningRepository(connection, lambda: row["updated_at"])._from_row(row)
