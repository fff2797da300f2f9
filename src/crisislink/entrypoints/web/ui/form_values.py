"""Reading console forms, for every capability's pages: the submitted values, and the times and numbers in them.

Each reader raises InvalidInput naming the field, so a refused form is re-rendered with a reason the operator
can act on, and nothing reaches the bus. Times are `datetime-local` values in the operator's own time zone,
which the browser does not send.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.datastructures import UploadFile

from crisislink.entrypoints.web.i18n import zone
from crisislink.kernel.errors import InvalidInput

MAX_FIELD = 100_000  # a pasted polygon can be long; the request size limit bounds the whole form


@dataclass(frozen=True)
class FormInput:
    """A submitted form: its single values, its repeated values, and the uploaded area file if any."""

    fields: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    upload: bytes | None = None

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def all(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def text(self, language: str, name: str) -> str:
        return self.get(f"{language}.{name}")


async def read_form(request: Request[Any, Any, Any]) -> FormInput:
    form = await request.form()
    fields: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    upload: bytes | None = None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            upload = data or upload  # an empty file input sends a nameless empty part
            continue
        text = str(value)[:MAX_FIELD]
        fields[name] = text
        lists.setdefault(name, []).append(text)
    return FormInput(fields, lists, upload)


def enum_value(kind: Any, value: str, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a valid choice") from None


def local_time(value: str, timezone: str, what: str) -> datetime:
    """A `datetime-local` value, read in the operator's time zone."""
    if not value.strip():
        raise InvalidInput(f"{what}: give a date and time")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not a date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def whole_number(value: str, what: str) -> int:
    if not value.strip().isdigit():
        raise InvalidInput(f"{what}: {value!r} is not a whole number")
    return int(value)


def optional_uuid(value: str, what: str) -> uuid.UUID | None:
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise InvalidInput(f"{what}: {value!r} is not an id") from None


def optional_local_time(value: str, timezone: str, what: str) -> datetime | None:
    """A `datetime-local` value that may be left empty."""
    return local_time(value, timezone, what) if value.strip() else None


def local_input(moment: datetime, timezone: str) -> str:
    """The value of a `datetime-local` field, in the operator's zone (seconds only when there are any)."""
    local = moment.astimezone(zone(timezone))
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


def zone_label(timezone: str, now: datetime) -> str:
    offset = now.astimezone(zone(timezone)).strftime("%z")
    return f"{timezone}, UTC{offset[:3]}:{offset[3:]}"
