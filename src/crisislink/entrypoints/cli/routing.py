"""crisislink routing: import OpenStreetMap extracts as road graphs, list them, ask for travel times.

The routing adapter (osmium, scipy) is imported inside the commands: every other `crisislink` command
would otherwise pay for loading it.
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from crisislink.app.settings import Settings
from crisislink.entrypoints.cli.common import console, run
from crisislink.kernel.errors import InvalidInput

if TYPE_CHECKING:
    from crisislink.adapters.routing import GraphInfo, TravelTime

app = typer.Typer(
    help="Road travel times: import OpenStreetMap extracts, list them, ask for travel times.",
    no_args_is_help=True,
)


def _directory() -> Path:
    return Settings.from_env().routing_dir()


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="OpenStreetMap extract: .osm.pbf or .osm", dir_okay=False)],
    name: Annotated[str | None, typer.Option(help="Name of the graph (default: from the file name)")] = None,
    replace: Annotated[bool, typer.Option(help="Replace a graph of the same name")] = False,
) -> None:
    """Import an extract as a car road graph in CRISISLINK_DATA_DIR/routing (nothing is stored on error)."""
    from crisislink.adapters.routing import import_extract

    def action() -> GraphInfo:
        with _progress() as bar:
            task = bar.add_task("opening", total=None)

            def report(stage: str, done: int) -> None:
                bar.update(task, description=f"{stage}: {done:,}" if done else stage)

            return import_extract(file, _directory(), name, replace=replace, progress=report)

    started = time.perf_counter()
    info = run(action)
    elapsed = time.perf_counter() - started
    console.print(
        f"imported [bold]{info.name}[/] from {info.source}: {info.nodes:,} nodes, {info.edges:,} edges "
        f"({info.car_ways:,} car ways; largest strongly connected part kept: "
        f"{info.nodes / info.nodes_before_component:.1%} of the nodes)"
    )
    console.print(f"time {elapsed:.1f} s, peak memory {_peak_rss_mib():,.0f} MiB, stored in {_directory()}")


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@app.command("list")
def list_graphs(
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable list instead")] = False,
) -> None:
    """The imported road graphs."""
    from crisislink.adapters.routing import RoadGraphs

    infos = run(RoadGraphs(_directory()).infos)
    if as_json:
        typer.echo(json.dumps([asdict(info) for info in infos], indent=2))
        return
    if not infos:
        console.print(f"no road graph in {_directory()}: import one with `crisislink routing import FILE`")
        return
    table = Table("name", "source", "imported (UTC)", "nodes", "edges", "bbox (lon/lat)")
    for info in infos:
        bbox = ", ".join(f"{value:.3f}" for value in info.bbox)
        table.add_row(info.name, info.source, info.imported_at, f"{info.nodes:,}", f"{info.edges:,}", bbox)
    console.print(table)


@app.command("eta")
def eta(
    origin: Annotated[str, typer.Option("--from", help="Start as LON,LAT (longitude first)")],
    targets: Annotated[list[str], typer.Option("--to", help="Destination as LON,LAT; repeat for more")],
    limit: Annotated[float | None, typer.Option(help="Stop searching beyond this many seconds")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable list instead")] = False,
) -> None:
    """Travel times by car from one point to others, on the imported graphs or estimated."""
    from crisislink.adapters.routing import RoadGraphs

    def action() -> list[TravelTime]:
        start = parse_lonlat(origin)
        ends = [parse_lonlat(target) for target in targets]
        return RoadGraphs(_directory()).travel_times(start, ends, limit)

    answers = run(action)
    if as_json:
        listed = [
            {"to": target, **_finite(asdict(answer))} for target, answer in zip(targets, answers, strict=True)
        ]
        typer.echo(json.dumps(listed, indent=2, allow_nan=False))
        return
    table = Table("to", "time", "road km", "how", "note")
    for target, answer in zip(targets, answers, strict=True):
        how = "estimate" if answer.estimated else f"graph {answer.graph}"
        table.add_row(target, _duration(answer.seconds), _km(answer.metres), how, answer.reason or "")
    console.print(table)


def _finite(fields: dict[str, object]) -> dict[str, object]:
    """JSON has no infinity: a target beyond the limit has null seconds and metres."""
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in fields.items()
    }


def parse_lonlat(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        lon, lat = (float(part) for part in parts)
    except ValueError:
        raise InvalidInput(f"{text!r} is not LON,LAT (e.g. 6.13,49.61: longitude first)") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"{text!r} is out of range: LON,LAT with longitude first, in degrees")
    return lon, lat


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "beyond limit"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f}" if math.isfinite(metres) else "-"
