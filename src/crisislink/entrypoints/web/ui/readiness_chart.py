"""A partner's results chart in the reader's language and time zone (the SVG itself: documents/)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from crisislink.adapters.db.queries import comm_tests, directory
from crisislink.adapters.db.queries.readiness_views import PartnerResultView
from crisislink.adapters.documents.readiness_chart import ChartPoint, ChartText, comm_test_chart
from crisislink.app.bootstrap import Platform
from crisislink.app.layers import N_
from crisislink.domains.sharing.policy import Viewer
from crisislink.entrypoints.web.i18n import translations, zone

TITLE = N_("Communication tests of %(partner)s")
SUMMARY = N_(
    "%(runs)s tests from %(first)s to %(last)s. Latest: %(answered)s of %(contacts)s points of contact "
    "answered; median delay %(median)s, longest %(longest)s."
)
NO_RUNS = N_("No communication test of this partner that you may see yet.")
POINT = N_(
    "%(name)s, %(date)s: %(answered)s of %(contacts)s answered (%(escalated)s after escalation); "
    "median delay %(median)s, longest %(longest)s."
)
MINUTES = N_("%(minutes)s min")
NOT_APPLICABLE = N_("none")
IN_PROGRESS = N_("(still open)")
Gettext = Callable[[str], str]


def _minutes(seconds: float | None, gettext: Gettext) -> str:
    if seconds is None:
        return gettext(NOT_APPLICABLE)
    return gettext(MINUTES) % {"minutes": f"{seconds / 60:.1f}".rstrip("0").rstrip(".")}


def _point(result: PartnerResultView, timezone: str, gettext: Gettext) -> ChartPoint:
    date = result.started_at.astimezone(zone(timezone)).strftime("%Y-%m-%d")
    detail = gettext(POINT) % {
        "name": result.run_name,
        "date": date,
        "answered": result.answered,
        "contacts": result.contacts,
        "escalated": result.after_escalation,
        "median": _minutes(result.median_seconds, gettext),
        "longest": _minutes(result.max_seconds, gettext),
    }
    if not result.closed:
        detail += " " + gettext(IN_PROGRESS)
    return ChartPoint(
        label=date if result.closed else f"{date}*",
        median_minutes=None if result.median_seconds is None else result.median_seconds / 60,
        max_minutes=None if result.max_seconds is None else result.max_seconds / 60,
        answer_rate=result.answer_rate,
        detail=detail,
    )


def _description(points: list[ChartPoint], results: list[PartnerResultView], gettext: Gettext) -> str:
    if not results:
        return gettext(NO_RUNS)
    latest = results[-1]
    return gettext(SUMMARY) % {
        "runs": len(results),
        "first": points[0].label,
        "last": points[-1].label,
        "answered": latest.answered,
        "contacts": latest.contacts,
        "median": _minutes(latest.median_seconds, gettext),
        "longest": _minutes(latest.max_seconds, gettext),
    }


def partner_chart(
    platform: Platform, viewer: Viewer, partner_id: uuid.UUID, language: str, timezone: str
) -> str:
    partner = directory.get_partner(platform.engine, partner_id)
    results = comm_tests.partner_results(platform.engine, viewer, partner_id)
    gettext = translations(language).gettext
    points = [_point(result, timezone, gettext) for result in results]
    text = ChartText(
        title=gettext(TITLE) % {"partner": partner.names.get(language, partner.name)},
        description=_description(points, results, gettext),
        delay_axis=gettext(N_("Delay (minutes)")),
        rate_axis=gettext(N_("Answered")),
        median=gettext(N_("Median delay")),
        longest=gettext(N_("Longest delay")),
        rate=gettext(N_("Answer rate")),
        no_answer=gettext(N_("no answer")),
        empty=gettext(NO_RUNS),
    )
    return comm_test_chart(points, text)
