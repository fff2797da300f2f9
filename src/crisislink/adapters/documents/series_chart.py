"""One series of a dataset over time, with its thresholds, as a small server-rendered SVG chart.

Written with the standard library, like the readiness chart: an accessible <title> and <desc>, time labels
in the reader's time zone, every threshold drawn as a dashed line with its name and level written beside
it (never colour alone), the values as a line with a marker on the newest one, a gap where a reading was
missing (a line never bridges a null value), no script, no external font or stylesheet.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET  # builds the SVG; it never parses anything
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 40, 270
INK, LINE, THRESHOLD, GRID = "#1b1b1b", "#1f4e8c", "#8a4b08", "#d0d0d0"
TICKS = 6


@dataclass(frozen=True)
class ChartThreshold:
    name: str
    level: float


@dataclass(frozen=True)
class ChartText:
    """Every word the chart shows, already translated."""

    title: str
    description: str
    value_axis: str  # e.g. "Water level (cm)"
    empty: str


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_range(low: float, high: float) -> tuple[float, float, float]:
    """Round bounds and a round step for the value axis, covering low..high."""
    if high <= low:
        high = low + 1
    raw = (high - low) / (TICKS - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


class _Scale:
    def __init__(self, start: datetime, end: datetime, low: float, high: float) -> None:
        self.start, self.span = start, max((end - start).total_seconds(), 1.0)
        self.low, self.high, self.step = _nice_range(low, high)

    def x(self, moment: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (moment - self.start).total_seconds() / self.span

    def y(self, value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * (value - self.low) / (self.high - self.low)


def _axes(
    svg: ET.Element, scale: _Scale, start: datetime, end: datetime, tz: ZoneInfo, text: ChartText
) -> None:
    axes = _el(svg, "g", class_="axes", font_size=11, fill=INK)
    value = scale.low
    while value <= scale.high + scale.step / 2:
        y = scale.y(value)
        _el(axes, "line", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y, stroke=GRID, stroke_width=1)
        _el(axes, "text", _fmt(value), x=LEFT - 6, y=y + 4, text_anchor="end")
        value += scale.step
    _el(axes, "line", x1=LEFT, y1=BOTTOM, x2=WIDTH - RIGHT, y2=BOTTOM, stroke=INK, stroke_width=1)
    _el(axes, "line", x1=LEFT, y1=TOP, x2=LEFT, y2=BOTTOM, stroke=INK, stroke_width=1)
    middle = (TOP + BOTTOM) / 2
    _el(
        axes,
        "text",
        text.value_axis,
        x=14,
        y=middle,
        text_anchor="middle",
        transform=f"rotate(-90 14 {middle})",
    )
    ticks = _el(svg, "g", class_="time", font_size=11, fill=INK, text_anchor="middle")
    count = 1 if end == start else 5
    for index in range(count + 1):
        moment = start + (end - start) * index / count if count else start
        local = moment.astimezone(tz)
        x = scale.x(moment)
        _el(ticks, "line", x1=x, y1=BOTTOM, x2=x, y2=BOTTOM + 4, stroke=INK, stroke_width=1)
        label = _el(ticks, "text", x=x, y=BOTTOM + 17)
        label.text = local.strftime("%d/%m %H:%M")
    offset = end.astimezone(tz).strftime("%z")
    _el(
        ticks, "text", f"{tz.key} (UTC{offset[:3]}:{offset[3:]})", x=(LEFT + WIDTH - RIGHT) / 2, y=BOTTOM + 35
    )


def _thresholds(svg: ET.Element, scale: _Scale, thresholds: Sequence[ChartThreshold], unit: str) -> None:
    group = _el(svg, "g", class_="thresholds", font_size=11, fill=INK)
    for threshold in sorted(thresholds, key=lambda t: t.level):
        y = scale.y(threshold.level)
        line = _el(
            group,
            "line",
            class_="threshold",
            x1=LEFT,
            y1=y,
            x2=WIDTH - RIGHT,
            y2=y,
            stroke=THRESHOLD,
            stroke_width=1.5,
            stroke_dasharray="6 4",
            data_threshold=threshold.name,
        )
        _el(line, "title", f"{threshold.name}: {_fmt(threshold.level)} {unit}")
        _el(group, "text", f"{threshold.name} {_fmt(threshold.level)} {unit}", x=WIDTH - RIGHT + 6, y=y + 4)


def _stretches(points: Sequence[tuple[datetime, float | None]]) -> list[list[tuple[datetime, float]]]:
    stretches: list[list[tuple[datetime, float]]] = [[]]
    for moment, value in points:
        if value is None or math.isnan(value):
            stretches.append([])
        else:
            stretches[-1].append((moment, value))
    return [stretch for stretch in stretches if stretch]


def series_chart(
    points: Sequence[tuple[datetime, float | None]],
    thresholds: Sequence[ChartThreshold],
    unit: str,
    timezone: str,
    text: ChartText,
) -> str:
    """The chart as an SVG document (UTF-8 text). `points` are in time order."""
    tz = ZoneInfo(timezone)
    ET.register_namespace("", SVG_NS)
    svg = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "width": str(WIDTH),
            "height": str(HEIGHT),
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "aria-labelledby": "chart-title chart-desc",
            "font-family": "sans-serif",
        },
    )
    _el(svg, "title", text.title, id="chart-title")
    _el(svg, "desc", text.description, id="chart-desc")
    _el(svg, "rect", x=0, y=0, width=WIDTH, height=HEIGHT, fill="white")
    _el(svg, "text", text.title, x=LEFT, y=22, font_size=13, fill=INK)
    values = [v for _, v in points if v is not None and not math.isnan(v)]
    levels = [t.level for t in thresholds]
    every = values + levels or [0.0]
    start = points[0][0] if points else datetime.now(tz)
    end = points[-1][0] if points else start
    scale = _Scale(start, end, min(every), max(every))
    _axes(svg, scale, start, end, tz, text)
    _thresholds(svg, scale, thresholds, unit)
    if not values:
        _el(svg, "text", text.empty, x=(LEFT + WIDTH - RIGHT) / 2, y=(TOP + BOTTOM) / 2, text_anchor="middle")
        return ET.tostring(svg, encoding="unicode", xml_declaration=False)
    for stretch in _stretches(points):
        path = " ".join(f"{scale.x(m):.1f},{scale.y(v):.1f}" for m, v in stretch)
        if len(stretch) > 1:
            _el(svg, "polyline", class_="values", points=path, fill="none", stroke=LINE, stroke_width=2)
        else:
            moment, value = stretch[0]
            _el(svg, "circle", class_="values", cx=scale.x(moment), cy=scale.y(value), r=2.5, fill=LINE)
    last_moment, last_value = next((m, v) for m, v in reversed(points) if v is not None and not math.isnan(v))
    newest = _el(svg, "g", class_="newest")
    _el(
        newest, "title", f"{last_moment.astimezone(tz).strftime('%d/%m/%Y %H:%M')}: {_fmt(last_value)} {unit}"
    )
    x, y = scale.x(last_moment), scale.y(last_value)
    _el(newest, "circle", cx=x, cy=y, r=5, fill="white", stroke=LINE, stroke_width=2)
    _el(newest, "text", f"{_fmt(last_value)} {unit}", x=x + 8, y=y - 8, font_size=12, fill=INK)
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)
