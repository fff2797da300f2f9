"""A partner's communication-test results over time, as a small server-rendered SVG chart.

Written by hand with the standard library rather than a charting package: the chart is two panels and a
legend, and this way it carries exactly what the console needs — an accessible <title> and <desc>, a
<title> on every point (read out by screen readers, shown as a tooltip), shapes and words beside every
colour (median: filled circles on a solid line; longest: hollow squares on a dashed line; a run nobody
answered: a cross and the words "no answer"), no script, no external font or stylesheet.

Top panel: the acknowledgement delay per run, in minutes (median and longest). Bottom panel: the share of
the partner's points of contact that answered. Runs are evenly spaced in the order they ran, labelled
with their date: tests are quarterly, and an ad hoc test between two should not squeeze the others.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET  # builds the SVG; it never parses anything
from collections.abc import Sequence
from dataclasses import dataclass

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 720, 405
LEFT, RIGHT = 64, 20
DELAY_TOP, DELAY_BOTTOM = 60, 250
RATE_TOP, RATE_BOTTOM = 290, 370
LABELS_Y = 392
INK, MEDIAN, LONGEST, RATE, GRID = "#1b1b1b", "#1f4e8c", "#8a4b08", "#5b7fa6", "#d0d0d0"
_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 90, 120, 180, 240, 360, 480, 720, 1440)


@dataclass(frozen=True)
class ChartPoint:
    """One run. `detail` is a full sentence for the point's own <title> (already translated)."""

    label: str
    median_minutes: float | None
    max_minutes: float | None
    answer_rate: float
    detail: str


@dataclass(frozen=True)
class ChartText:
    """Every word the chart shows, already translated."""

    title: str
    description: str
    delay_axis: str
    rate_axis: str
    median: str
    longest: str
    rate: str
    no_answer: str
    empty: str


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = text
    return element


def _scale_top(points: Sequence[ChartPoint]) -> int:
    """The smallest step of the list at or above the longest delay: round numbers on the axis."""
    longest = max((p.max_minutes or p.median_minutes or 0.0 for p in points), default=0.0)
    return next((step for step in _STEPS if step >= longest), int(math.ceil(longest / 60) * 60))


def _x(index: int, count: int) -> float:
    return LEFT + (index + 0.5) * (WIDTH - LEFT - RIGHT) / count


def _delay_y(minutes: float, top: int) -> float:
    return DELAY_BOTTOM - (DELAY_BOTTOM - DELAY_TOP) * minutes / top


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _legend(svg: ET.Element, text: ChartText) -> None:
    legend = _el(svg, "g", font_size=12, fill=INK)
    _el(legend, "line", x1=LEFT, y1=30, x2=LEFT + 24, y2=30, stroke=MEDIAN, stroke_width=2)
    _el(legend, "circle", cx=LEFT + 12, cy=30, r=4, fill=MEDIAN)
    _el(legend, "text", text.median, x=LEFT + 30, y=34)
    _el(
        legend,
        "line",
        x1=LEFT + 200,
        y1=30,
        x2=LEFT + 224,
        y2=30,
        stroke=LONGEST,
        stroke_width=2,
        stroke_dasharray="5 3",
    )
    _el(legend, "rect", x=LEFT + 208, y=26, width=8, height=8, fill="white", stroke=LONGEST, stroke_width=2)
    _el(legend, "text", text.longest, x=LEFT + 230, y=34)
    _el(legend, "rect", x=LEFT + 420, y=24, width=14, height=12, fill=RATE)
    _el(legend, "text", text.rate, x=LEFT + 440, y=34)


def _axes(svg: ET.Element, top: int, text: ChartText) -> None:
    axes = _el(svg, "g", font_size=11, fill=INK)
    for tick in range(5):
        minutes = top * tick / 4
        y = _delay_y(minutes, top)
        _el(axes, "line", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y, stroke=GRID, stroke_width=1)
        _el(axes, "text", _fmt(minutes), x=LEFT - 6, y=y + 4, text_anchor="end")
    for share in (0, 50, 100):
        y = RATE_BOTTOM - (RATE_BOTTOM - RATE_TOP) * share / 100
        _el(axes, "line", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y, stroke=GRID, stroke_width=1)
        _el(axes, "text", f"{share}%", x=LEFT - 6, y=y + 4, text_anchor="end")
    middle = (DELAY_TOP + DELAY_BOTTOM) / 2
    _el(
        axes,
        "text",
        text.delay_axis,
        x=14,
        y=middle,
        text_anchor="middle",
        transform=f"rotate(-90 14 {middle})",
    )
    rate_middle = (RATE_TOP + RATE_BOTTOM) / 2
    _el(
        axes,
        "text",
        text.rate_axis,
        x=14,
        y=rate_middle,
        text_anchor="middle",
        transform=f"rotate(-90 14 {rate_middle})",
    )


def _stretches(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive values: a line never bridges a run without a value (nobody answered)."""
    stretches: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            stretches.append([])
        else:
            stretches[-1].append((index, value))
    return [stretch for stretch in stretches if stretch]


def _line(svg: ET.Element, points: list[tuple[float, float]], colour: str, dashed: bool) -> None:
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        extra = {"stroke_dasharray": "5 3"} if dashed else {}
        _el(svg, "polyline", points=path, fill="none", stroke=colour, stroke_width=2, **extra)


def _run(svg: ET.Element, point: ChartPoint, index: int, count: int, top: int, text: ChartText) -> None:
    x = _x(index, count)
    group = _el(svg, "g", class_="run", data_index=index)
    _el(group, "title", point.detail)
    width = min(40.0, (WIDTH - LEFT - RIGHT) / count * 0.6)
    height = (RATE_BOTTOM - RATE_TOP) * point.answer_rate
    _el(
        group,
        "rect",
        class_="rate",
        x=x - width / 2,
        y=RATE_BOTTOM - height,
        width=width,
        height=height,
        fill=RATE,
    )
    _el(
        group,
        "text",
        f"{round(point.answer_rate * 100)}%",
        x=x,
        y=RATE_BOTTOM - height - 4,
        text_anchor="middle",
        font_size=11,
        fill=INK,
    )
    if point.max_minutes is not None:
        y = _delay_y(point.max_minutes, top)
        _el(
            group,
            "rect",
            class_="longest",
            x=x - 4,
            y=y - 4,
            width=8,
            height=8,
            fill="white",
            stroke=LONGEST,
            stroke_width=2,
        )
    if point.median_minutes is not None:
        _el(group, "circle", class_="median", cx=x, cy=_delay_y(point.median_minutes, top), r=5, fill=MEDIAN)
    else:
        cross = f"M{x - 5:.1f},{DELAY_BOTTOM - 13} l10,10 m0,-10 l-10,10"
        _el(group, "path", class_="none", d=cross, stroke=INK, stroke_width=2, fill="none")
        _el(
            group,
            "text",
            text.no_answer,
            x=x,
            y=DELAY_BOTTOM - 22,
            text_anchor="middle",
            font_size=10,
            fill=INK,
        )


def _labels(svg: ET.Element, points: Sequence[ChartPoint]) -> None:
    every = max(1, math.ceil(len(points) / 10))  # at most ten dates under the axis
    labels = _el(svg, "g", font_size=11, fill=INK, text_anchor="middle")
    for index, point in enumerate(points):
        if index % every == 0 or index == len(points) - 1:
            _el(labels, "text", point.label, x=_x(index, len(points)), y=LABELS_Y)


def comm_test_chart(points: Sequence[ChartPoint], text: ChartText) -> str:
    """The chart as an SVG document (UTF-8 text)."""
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
    _legend(svg, text)
    top = _scale_top(points)
    _axes(svg, top, text)
    if not points:
        _el(
            svg,
            "text",
            text.empty,
            x=WIDTH / 2,
            y=(DELAY_TOP + DELAY_BOTTOM) / 2,
            text_anchor="middle",
            font_size=14,
            fill=INK,
        )
    count = len(points)
    for key, colour, dashed in (("median_minutes", MEDIAN, False), ("max_minutes", LONGEST, True)):
        for stretch in _stretches([getattr(p, key) for p in points]):
            _line(svg, [(_x(i, count), _delay_y(value, top)) for i, value in stretch], colour, dashed)
    for index, point in enumerate(points):
        _run(svg, point, index, count, top, text)
    _labels(svg, points)
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)
