"""Exports of what the caller may see (the rows come from policy-filtered queries)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from crisislink.adapters.db.queries.incident_views import LogEntryView
from crisislink.adapters.db.queries.views import ContactPointView

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    # A cell starting like a formula would run in a spreadsheet; prefix it so it stays text.
    return "'" + value if value.startswith(_FORMULA_START) else value


def contacts_csv(rows: Iterable[ContactPointView]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(
        ["id", "owner_partner_id", "marking", "role", "name", "channels", "languages", "staffed_now"]
    )
    for row in rows:
        channels = "; ".join(f"{c.kind}: {c.value}" for c in row.channels)
        out.writerow(
            [
                str(row.id),
                str(row.owner_partner_id),
                row.marking,
                row.role,
                _cell(row.name),
                _cell(channels),
                " ".join(row.languages),
                "yes" if row.staffed_now else "no",
            ]
        )
    return buffer.getvalue()


def log_csv(rows: Iterable[LogEntryView]) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(
        [
            "id",
            "occurred_at",
            "recorded_at",
            "owner_partner_id",
            "marking",
            "kind",
            "text",
            "decided_by",
            "basis",
            "source",
        ]
    )
    for row in rows:
        out.writerow(
            [
                str(row.id),
                row.occurred_at.isoformat(),
                row.recorded_at.isoformat(),
                str(row.owner_partner_id),
                row.marking,
                row.kind,
                _cell(row.text),
                _cell(row.decided_by or ""),
                _cell(row.basis or ""),
                _cell(row.source or ""),
            ]
        )
    return buffer.getvalue()
