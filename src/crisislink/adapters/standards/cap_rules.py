"""The CAP rules the schema does not check. Each rule has a stable code, a level and a check; `CORE` is
the table of CAP 1.2 and the platform's conventions, filled by the decorators below in the order of this
module (the order of a report); `cap_rules_eu.EU_PROFILE` adds the EU (MeteoAlarm) profile.

Levels: an ERROR breaks CAP 1.2 or a convention the platform relies on; a WARNING is something CAP allows
but that is usually a mistake or hides one (several <info> blocks in one language, an alert already
expired when sent: the real CAP-AU and MeteoAlarm examples do one each). What the platform emits must pass
strictly, warnings included (`cap_validation.Report.is_valid(strict=True)`).

Tree rules read the received element text (a `Z` time or a malformed polygon cannot be seen in the model);
model rules read the `cap.Alert` and are skipped when the message cannot be read into it.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final, NamedTuple

import shapely
from lxml import etree
from shapely.validation import explain_validity

from crisislink.adapters.standards import cap
from crisislink.adapters.standards.cap_lexical import (
    CAP_TIME,
    check_polygon_text,
    read_circle,
    read_references,
    time_text,
)
from crisislink.kernel.errors import InvalidInput


class Level(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Violation:
    code: str
    level: Level
    where: str  # e.g. alert/info[1]/area[2]/polygon[1]
    message: str


class Subject(NamedTuple):
    tree: cap.Tree
    alert: cap.Alert | None  # None: the message could not be read into the model


Finding = tuple[str, str]  # (where, message)
TreeCheck = Callable[[Subject], Iterator[Finding]]
ModelCheck = Callable[[cap.Alert], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    level: Level
    summary: str
    check: TreeCheck


class RuleSet:
    """A table of rules, filled by its decorators in the order of the module that defines them."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def tree(self, code: str, level: Level) -> Callable[[TreeCheck], TreeCheck]:
        def register(check: TreeCheck) -> TreeCheck:
            self.rules.append(Rule(code, level, (check.__doc__ or code).strip(), check))
            return check

        return register

    def model(self, code: str, level: Level) -> Callable[[ModelCheck], ModelCheck]:
        def register(check: ModelCheck) -> ModelCheck:
            def on_subject(subject: Subject) -> Iterator[Finding]:
                if subject.alert is None:  # unreadable, reported once as CAP-UNREADABLE
                    return iter(())
                return check(subject.alert)  # not `yield from`: one generator less per rule and alert

            self.rules.append(Rule(code, level, (check.__doc__ or code).strip(), on_subject))
            return check

        return register


CORE: Final = RuleSet()  # CAP 1.2 and the README's platform conventions


# ---------------------------------------------------------------------------------------------------------
# Data the rules read.

TIME_ELEMENTS: Final = frozenset({"sent", "effective", "onset", "expires"})
MSG_TYPES_THAT_REFERENCE: Final = frozenset({"Update", "Cancel", "Ack", "Error"})  # CAP 1.2, 3.2.1
FORBIDDEN_IN_IDS: Final = re.compile(r"[\s,<&]")  # identifier and sender (CAP 1.2, 3.2.1)
MIN_POLYGON_POINTS: Final = 4
# What must agree between the languages of one alert.
TRANSLATED_FIELDS: Final = ("urgency", "severity", "certainty", "effective", "onset", "expires")


# ---------------------------------------------------------------------------------------------------------
# Rules on the received text.


def _where(element: etree._Element) -> str:
    steps = []
    current = element
    while (parent := current.getparent()) is not None:
        # Its number among its namesakes; lxml picks out the preceding ones, in C, without listing the rest.
        number = 1 + sum(1 for _ in current.itersiblings(current.tag, preceding=True))
        steps.append(f"{etree.QName(current).localname}[{number}]")
        current = parent
    return "/".join(["alert", *reversed(steps)])


def _elements(subject: Subject, names: Iterable[str]) -> Iterator[etree._Element]:
    """The elements called `names` in the message's namespace, in document order."""
    # lxml matches the tags while it walks, in C: no Python object for the elements that are not wanted.
    return subject.tree.root.iter(*(f"{{{subject.tree.namespace}}}{name}" for name in names))


def _time_problem(text: str) -> str | None:
    if CAP_TIME.fullmatch(text):
        return None
    if text.upper().endswith("Z"):
        return f"{text!r} uses Z for UTC; CAP writes +00:00"
    if re.search(r":\d\d[.,]\d", text):
        return f"{text!r} has fractional seconds; CAP times are whole seconds"
    return f"{text!r} is not YYYY-MM-DDThh:mm:ss±hh:mm"


@CORE.tree("CAP-TIME-FORMAT", Level.ERROR)
def check_time_format(subject: Subject) -> Iterator[Finding]:
    """sent, effective, onset and expires are YYYY-MM-DDThh:mm:ss±hh:mm: no Z, no fractions."""
    for element in _elements(subject, TIME_ELEMENTS):
        problem = _time_problem(cap.text_of(element).strip())
        if problem:
            yield _where(element), problem


def _syntax(subject: Subject, name: str, read: Callable[[str, str], object]) -> Iterator[Finding]:
    for element in _elements(subject, [name]):
        try:
            read(cap.text_of(element), _where(element))
        except InvalidInput as error:
            yield _where(element), error.message


@CORE.tree("CAP-POLYGON-SYNTAX", Level.ERROR)
def check_polygon_syntax(subject: Subject) -> Iterator[Finding]:
    """A polygon is whitespace-separated lat,lon pairs."""
    return _syntax(subject, "polygon", check_polygon_text)  # the text only: reading the points is the model's


@CORE.tree("CAP-CIRCLE-SYNTAX", Level.ERROR)
def check_circle_syntax(subject: Subject) -> Iterator[Finding]:
    """A circle is 'lat,lon radius', the radius in km."""
    return _syntax(subject, "circle", read_circle)


@CORE.tree("CAP-REFERENCES-SYNTAX", Level.ERROR)
def check_references_syntax(subject: Subject) -> Iterator[Finding]:
    """references is space-separated sender,identifier,sent triplets."""
    return _syntax(subject, "references", read_references)


@CORE.tree("CAP-REFERENCES-TIME", Level.ERROR)
def check_reference_times(subject: Subject) -> Iterator[Finding]:
    """The sent time of a reference is a CAP time."""
    for element in _elements(subject, ["references"]):
        for triplet in cap.text_of(element).split():
            problem = _time_problem(triplet.rsplit(",", 1)[-1])
            if problem and triplet.count(",") == 2:
                yield _where(element), f"in {triplet!r}: {problem}"


# ---------------------------------------------------------------------------------------------------------
# Rules on the model: the alert and its references.


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@CORE.model("CAP-ID-CHARACTERS", Level.ERROR)
def check_id_characters(alert: cap.Alert) -> Iterator[Finding]:
    """identifier and sender hold no spaces, commas, '<' or '&'."""
    for name in ("identifier", "sender"):
        value = getattr(alert, name)
        if not value or FORBIDDEN_IN_IDS.search(value):
            yield f"alert/{name}", f"{value!r} is empty or holds spaces, commas, '<' or '&'"


@CORE.model("CAP-REFERENCES-MISSING", Level.ERROR)
def check_references_present(alert: cap.Alert) -> Iterator[Finding]:
    """An Update, Cancel, Ack or Error references the messages it is about."""
    if alert.msg_type in MSG_TYPES_THAT_REFERENCE and not alert.references:
        yield "alert/references", f"an {alert.msg_type} must list the messages it is about in <references>"


@CORE.model("CAP-REFERENCES-SELF", Level.ERROR)
def check_references_not_self(alert: cap.Alert) -> Iterator[Finding]:
    """An alert does not reference itself: an update is a new message with a new identifier."""
    for ref in alert.references:
        if (ref.sender, ref.identifier) == (alert.sender, alert.identifier):
            yield "alert/references", "the alert references itself; an update needs a new identifier"


@CORE.model("CAP-REFERENCES-POSTDATED", Level.WARNING)
def check_references_not_postdated(alert: cap.Alert) -> Iterator[Finding]:
    """Referenced messages were sent before this one."""
    for ref in alert.references:
        if ref.sent > alert.sent:
            yield "alert/references", f"{ref.identifier} was sent ({time_text(ref.sent)}) after this alert"


@CORE.model("CAP-RESTRICTION-SCOPE", Level.ERROR)
def check_restriction(alert: cap.Alert) -> Iterator[Finding]:
    """restriction is given if and only if the scope is Restricted."""
    if not _blank(alert.restriction) and alert.scope != "Restricted":
        yield "alert/restriction", f"<restriction> is only for scope Restricted, this alert is {alert.scope}"
    if _blank(alert.restriction) and alert.scope == "Restricted":
        yield "alert/restriction", "scope Restricted needs a <restriction> saying who may see the alert"


@CORE.model("CAP-ADDRESSES-PRIVATE", Level.ERROR)
def check_addresses(alert: cap.Alert) -> Iterator[Finding]:
    """Scope Private names its recipients in addresses."""
    if alert.scope == "Private" and _blank(alert.addresses):
        yield "alert/addresses", "scope Private needs <addresses>: the recipients"


# ---------------------------------------------------------------------------------------------------------
# Rules on the model: areas.


def areas(alert: cap.Alert) -> Iterator[tuple[str, cap.Area]]:
    """(where, area) of every area of every info."""
    for i, info in enumerate(alert.infos, 1):
        for j, area in enumerate(info.areas, 1):
            yield f"alert/info[{i}]/area[{j}]", area


def _polygons(alert: cap.Alert) -> Iterator[tuple[str, cap.Polygon]]:
    for where, area in areas(alert):
        for k, polygon in enumerate(area.polygons, 1):
            yield f"{where}/polygon[{k}]", polygon


@CORE.model("CAP-POLYGON-POINTS", Level.ERROR)
def check_polygon_points(alert: cap.Alert) -> Iterator[Finding]:
    """A polygon has at least 4 points (a triangle and its first point again)."""
    for where, polygon in _polygons(alert):
        if len(polygon) < MIN_POLYGON_POINTS:
            yield (
                where,
                f"{len(polygon)} points; a polygon needs {MIN_POLYGON_POINTS}, the last equal to the first",
            )


@CORE.model("CAP-POLYGON-NOT-CLOSED", Level.ERROR)
def check_polygon_closed(alert: cap.Alert) -> Iterator[Finding]:
    """A polygon's last point is its first."""
    for where, polygon in _polygons(alert):
        if polygon[0] != polygon[-1]:
            yield where, f"not closed: the first point {polygon[0]} is not the last {polygon[-1]}"


@CORE.model("CAP-POLYGON-SELF-INTERSECTION", Level.ERROR)
def check_polygon_simple(alert: cap.Alert) -> Iterator[Finding]:
    """A polygon's edges do not cross."""
    for where, polygon in _polygons(alert):
        if len(polygon) >= MIN_POLYGON_POINTS and polygon[0] == polygon[-1]:
            # shapely.polygons converts the points in one go; `Polygon(points)` checks them one by one.
            shape = shapely.polygons([(lon, lat) for lat, lon in polygon])
            if not shape.is_valid:  # shapely explains in x y (lon lat) order; CAP readers expect lat,lon
                explained = re.sub(r"\[(\S+) (\S+)\]", r" near \2,\1", explain_validity(shape))
                yield where, f"the polygon's edges cross: {explained}"


@CORE.model("CAP-COORDINATE-RANGE", Level.ERROR)
def check_coordinate_ranges(alert: cap.Alert) -> Iterator[Finding]:
    """Points are lat,lon within ±90,±180 (a swapped pair often is not)."""
    for where, area in areas(alert):
        # Each polygon or circle's place is written once, not once per point: polygons have hundreds.
        shapes = [(f"{where}/polygon[{k}]", polygon) for k, polygon in enumerate(area.polygons, 1)]
        shapes += [(f"{where}/circle[{k}]", ((c.lat, c.lon),)) for k, c in enumerate(area.circles, 1)]
        for place, points in shapes:
            wrong = [p for p in points if not (-90 <= p[0] <= 90 and -180 <= p[1] <= 180)]
            if wrong:  # one finding per polygon or circle, naming its last wrong point
                lat, lon = wrong[-1]
                message = f"{lat},{lon} is not a lat,lon point (latitude comes first in CAP, unlike GeoJSON)"
                yield place, message


@CORE.model("CAP-CIRCLE-RADIUS", Level.ERROR)
def check_circle_radius(alert: cap.Alert) -> Iterator[Finding]:
    """A circle's radius is not negative (0 is a point)."""
    for where, area in areas(alert):
        for k, circle in enumerate(area.circles, 1):
            if circle.radius_km < 0:
                yield f"{where}/circle[{k}]", f"radius {circle.radius_km} km is negative"


@CORE.model("CAP-CEILING-WITHOUT-ALTITUDE", Level.ERROR)
def check_ceiling(alert: cap.Alert) -> Iterator[Finding]:
    """ceiling is given only with altitude."""
    for where, area in areas(alert):
        if area.ceiling is not None and area.altitude is None:
            yield f"{where}/ceiling", "<ceiling> needs <altitude>"


@CORE.model("CAP-CEILING-BELOW-ALTITUDE", Level.ERROR)
def check_ceiling_above_altitude(alert: cap.Alert) -> Iterator[Finding]:
    """ceiling is above altitude."""
    for where, area in areas(alert):
        if area.ceiling is not None and area.altitude is not None and area.ceiling <= area.altitude:
            yield f"{where}/ceiling", f"ceiling {area.ceiling} is not above altitude {area.altitude}"


# ---------------------------------------------------------------------------------------------------------
# Rules on the model: languages and times.


def _by_language(alert: cap.Alert) -> dict[str, list[cap.Info]]:
    found: dict[str, list[cap.Info]] = defaultdict(list)
    for info in alert.infos:
        found[info.effective_language.casefold()].append(info)
    return found


def _shown(value: object) -> str:
    return time_text(value) if isinstance(value, datetime) else "(absent)" if value is None else str(value)


@CORE.model("CAP-LANGUAGE-REPEATED", Level.WARNING)
def check_one_info_per_language(alert: cap.Alert) -> Iterator[Finding]:
    """One info per language (no language means en-US)."""
    for language, infos in _by_language(alert).items():
        if len(infos) > 1:
            yield "alert/info", f"{len(infos)} <info> blocks in {language} (no <language> means en-US)"


@CORE.model("CAP-TRANSLATIONS-DISAGREE", Level.ERROR)
def check_translations_agree(alert: cap.Alert) -> Iterator[Finding]:
    """Severity, urgency, certainty and times are the same in every language."""
    languages = _by_language(alert)
    for name in TRANSLATED_FIELDS if len(languages) > 1 else ():
        # Sorted lists per language, so that several infos in one language still compare.
        values = {
            lang: sorted(_shown(getattr(info, name)) for info in infos) for lang, infos in languages.items()
        }
        if len({tuple(found) for found in values.values()}) > 1:
            shown = "; ".join(f"{lang}: {', '.join(found)}" for lang, found in sorted(values.items()))
            yield f"alert/info/{name}", f"the languages disagree on {name} ({shown})"


@CORE.model("CAP-EXPIRES-BEFORE-SENT", Level.WARNING)
def check_expires_after_sent(alert: cap.Alert) -> Iterator[Finding]:
    """expires is not before sent: such an alert is over before anyone receives it."""
    for i, info in enumerate(alert.infos, 1):
        if info.expires is not None and info.expires < alert.sent:
            yield (
                f"alert/info[{i}]/expires",
                f"{time_text(info.expires)} is before sent {time_text(alert.sent)}",
            )


@CORE.model("CAP-EXPIRES-BEFORE-EFFECTIVE", Level.WARNING)
def check_expires_after_effective(alert: cap.Alert) -> Iterator[Finding]:
    """expires is not before effective."""
    for i, info in enumerate(alert.infos, 1):
        if info.expires is not None and info.effective is not None and info.expires < info.effective:
            yield f"alert/info[{i}]/expires", f"{time_text(info.expires)} is before effective"
