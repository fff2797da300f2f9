"""A received CAP message as a feed entry: validated first, by the same validator as every CAP received.

A message that fails validation (schema errors, rule errors, an invalid signature) is refused with the
reasons; it is never stored. Validation is the default verdict (`Report.is_valid()`): warnings of the
rules, e.g. a MeteoAlarm-profile recommendation, do not refuse a neighbour's message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from crisislink.adapters.feeds.cap_area import area_description, area_geometry
from crisislink.adapters.standards import cap, cap_validation
from crisislink.adapters.standards.cap_signature import SignatureState
from crisislink.domains.warnings.external_values import AlertKey, FeedEntry
from crisislink.kernel.errors import InvalidInput

MAX_KEY_CHARS: Final = 300  # the width of the stored sender and identifier
_SHOWN_PROBLEMS: Final = 3


def entry_from_cap(data: bytes) -> FeedEntry:
    """The message in `data` as a FeedEntry, or InvalidInput naming what is wrong with it."""
    report = cap_validation.validate(data)
    if not report.is_valid():
        raise InvalidInput(f"not valid CAP, left out: {'; '.join(_refusals(report)[:_SHOWN_PROBLEMS])}")
    alert = cap.parse(data).alert
    if max(len(alert.sender), len(alert.identifier)) > MAX_KEY_CHARS:
        raise InvalidInput(f"sender or identifier longer than {MAX_KEY_CHARS} characters, left out")
    return _entry(alert, data)


def _refusals(report: cap_validation.Report) -> list[str]:
    """Why `report` refuses the message, errors only (a rule's warning refuses nothing)."""
    found = [*filter(None, [report.unreadable]), *report.schema_errors]
    found += [f"{v.code} at {v.where}: {v.message}" for v in report.errors]
    if report.signature.state is SignatureState.INVALID:
        found.append(f"invalid signature: {report.signature.reason}")
    return found


def _entry(alert: cap.Alert, data: bytes) -> FeedEntry:
    first = alert.infos[0] if alert.infos else None
    return FeedEntry(
        sender=alert.sender,
        identifier=alert.identifier,
        sent=alert.sent,
        msg_type=alert.msg_type,
        status=alert.status,
        references=tuple(AlertKey(r.sender, r.identifier, r.sent) for r in alert.references),
        event="" if first is None else first.event.strip(),
        headline="" if first is None else (first.headline or first.event).strip(),
        severity="Unknown" if first is None else first.severity,
        urgency="Unknown" if first is None else first.urgency,
        certainty="Unknown" if first is None else first.certainty,
        languages=tuple(dict.fromkeys(info.effective_language for info in alert.infos)),
        onset=None if first is None else (first.onset or first.effective),
        expires=_expires(alert.infos),
        area=area_geometry(alert.infos),
        area_description=area_description(alert.infos),
        raw=data,
    )


def _expires(infos: tuple[cap.Info, ...]) -> datetime | None:
    """The latest expiry: the message is over when its last info is. None if any info never expires."""
    moments = [info.expires for info in infos]
    if not moments or any(moment is None for moment in moments):
        return None
    return max(moment for moment in moments if moment is not None)
