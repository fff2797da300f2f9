"""The results chart: valid SVG, accessible, one group per run, no line across a run nobody answered."""

from __future__ import annotations

from lxml import etree

from crisislink.adapters.documents.readiness_chart import ChartPoint, ChartText, comm_test_chart

SVG = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="Tests of <NCCN> & co",
    description="Four tests",
    delay_axis="Delay (minutes)",
    rate_axis="Answered",
    median="Median delay",
    longest="Longest delay",
    rate="Answer rate",
    no_answer="no answer",
    empty="No test yet",
)


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode(), etree.XMLParser(resolve_entities=False, no_network=True))


def _point(label: str, median: float | None, longest: float | None, rate: float) -> ChartPoint:
    return ChartPoint(
        label=label, median_minutes=median, max_minutes=longest, answer_rate=rate, detail=f"{label}: ok"
    )


def test_one_group_per_run_with_its_own_title_and_no_line_across_a_silent_run() -> None:
    points = [
        _point("2025-01-06", 3, 12, 0.8),
        _point("2025-04-01", 4, 9, 1.0),
        _point("2025-07-01", None, None, 0.0),
        _point("2025-10-01", 2, 4, 0.5),
    ]
    root = _parse(comm_test_chart(points, TEXT))
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == "Tests of <NCCN> & co"  # escaped in, read back whole
    assert root.findtext(f"{SVG}desc") == "Four tests"
    assert root.get("aria-labelledby") == "chart-title chart-desc"
    runs = root.findall(f".//{SVG}g[@class='run']")
    assert [run.findtext(f"{SVG}title") for run in runs] == [f"{p.label}: ok" for p in points]
    assert len(root.findall(f".//{SVG}circle[@class='median']")) == 3
    assert len(root.findall(f".//{SVG}rect[@class='longest']")) == 3
    assert len(root.findall(f".//{SVG}path[@class='none']")) == 1
    # Median and longest: one line each over the first two runs; the last run stands alone.
    assert len(root.findall(f".//{SVG}polyline")) == 2
    assert {text.text for text in root.iter(f"{SVG}text")} >= {
        "Median delay",
        "Longest delay",
        "Answer rate",
        "80%",
    }


def test_an_empty_chart_says_so() -> None:
    root = _parse(comm_test_chart([], TEXT))
    assert root.findall(f".//{SVG}g[@class='run']") == []
    assert "No test yet" in {text.text for text in root.iter(f"{SVG}text")}
