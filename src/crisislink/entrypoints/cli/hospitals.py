"""crisislink hospitals …: import an EDXL-HAVE report from a file (a hospital system's drop, a test)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crisislink.app.hospitals import import_have
from crisislink.entrypoints.cli.common import console, platform, run
from crisislink.kernel.errors import InvalidInput
from crisislink.kernel.messages import SYSTEM

app = typer.Typer(help="The hospital register: import EDXL-HAVE status reports.", no_args_is_help=True)
MAX_BYTES = 5 * 1024 * 1024  # the XML reader's own bound: refuse before reading more


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput(f"{path.name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read {path.name}: {error.strerror}") from None


@app.command("import-have")
def import_have_file(
    file: Annotated[Path, typer.Argument(help="EDXL-HAVE 1.0 report, bare or in an EDXL-DE 1.0 envelope")],
) -> None:
    """Import a HAVE report: every hospital of it matched (or created) and its status kept, or nothing."""
    data = run(lambda: _read(file))
    with platform() as node:
        # The operator at the node's console acts as the system (as for `crisislink seed`).
        result = run(lambda: import_have(node, SYSTEM, data))
    console.print(
        f"{result.message_id} ({result.distribution or 'bare report'}): {len(result.hospital_ids)} hospitals, "
        f"{len(result.created)} new; {result.recorded} reports recorded, {result.current} now current, "
        f"{result.duplicates} already known"
    )
