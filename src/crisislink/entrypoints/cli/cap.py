"""crisislink cap: check CAP public-warning messages, make this node's signing key."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.table import Table
from rich.text import Text

from crisislink.adapters.standards import cap, cap_keys
from crisislink.adapters.standards.cap_validation import Report
from crisislink.entrypoints.cli.common import console, run

app = typer.Typer(
    help="CAP (Common Alerting Protocol) messages: validate them, make a signing key.", no_args_is_help=True
)

SHOWN_SCHEMA_ERRORS: Final = 10  # per file in the table; --json gives them all


@app.command("validate")
def validate_files(
    files: Annotated[
        list[Path], typer.Argument(help="CAP messages (XML)", exists=True, dir_okay=False, readable=True)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable list instead")] = False,
    strict: Annotated[bool, typer.Option(help="Warnings make a message invalid too")] = False,
    require_signature: Annotated[bool, typer.Option(help="An unsigned message is invalid")] = False,
) -> None:
    """Check messages against the CAP schema, the rules and their signature; exit 1 if any is invalid."""
    reports = [(path, cap.validate(_read_bounded(path))) for path in files]
    verdicts = [report.is_valid(strict=strict, require_signature=require_signature) for _, report in reports]
    if as_json:
        listed = [
            {"file": str(path), **report.to_dict(), "valid": valid}
            for (path, report), valid in zip(reports, verdicts, strict=True)
        ]
        typer.echo(json.dumps(listed, indent=2, ensure_ascii=False))
    else:
        for (path, report), valid in zip(reports, verdicts, strict=True):
            verdict = Text("VALID", style="bold green") if valid else Text("INVALID", style="bold red")
            console.print(Text.assemble(f"{path} ", verdict))  # above the table: a title would wrap with it
            console.print(_table(report))
    if not all(verdicts):
        raise typer.Exit(1)


def _read_bounded(path: Path) -> bytes:
    # One byte more than CAP accepts is enough for `validate` to refuse it; a huge file is never read whole.
    with path.open("rb") as received:
        return received.read(cap.MAX_MESSAGE_BYTES + 1)


def _table(report: Report) -> Table:
    table = Table("check", "result")
    if report.unreadable:
        table.add_row("message", Text(report.unreadable))
        return table
    table.add_row("version", f"CAP {report.version}")
    table.add_row("schema", _schema_cell(report.schema_errors))
    table.add_row("rules", _rules_cell(report))
    table.add_row("signature", _signature_cell(report))
    return table


def _schema_cell(errors: tuple[str, ...]) -> Text:
    if not errors:
        return Text("valid", style="green")
    lines = [f"{len(errors)} error(s):", *errors[:SHOWN_SCHEMA_ERRORS]]
    if len(errors) > SHOWN_SCHEMA_ERRORS:
        lines.append(f"... and {len(errors) - SHOWN_SCHEMA_ERRORS} more (--json lists them all)")
    return Text("\n".join(lines), style="red")


def _rules_cell(report: Report) -> Text:
    if not report.violations:
        return Text("all rules pass", style="green")
    cell = Text()
    for index, found in enumerate(report.violations):
        style = "red" if found in report.errors else "yellow"
        newline = "\n" if index else ""
        cell.append(f"{newline}{found.level} {found.code} at {found.where}: {found.message}", style=style)
    return cell


def _signature_cell(report: Report) -> Text:
    status = report.signature
    style = {"valid": "green", "invalid": "red"}.get(str(status.state), "")
    lines = [f"{status.state}: {status.reason}"]
    if status.signer:
        lines.append(f"signer: {status.signer}")
    lines += [f"note: {note}" for note in status.notes]
    return Text("\n".join(lines), style=style)


@app.command("keygen")
def keygen(
    out: Annotated[Path, typer.Option("--out", help="Folder for the key and certificate", file_okay=False)],
    name: Annotated[
        str | None, typer.Option(help="Name in the certificate (default: this host's name)")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing key")] = False,
) -> None:
    """Make this node's CAP signing key (ECDSA P-256) and a self-signed certificate for it."""

    def action() -> None:
        cap_keys.create(out, name or socket.getfqdn(), force=force)
        key_path, cert_path = out / cap_keys.KEY_FILE, out / cap_keys.CERT_FILE
        console.print(
            f"signing key: {key_path} (keep it secret)\ncertificate: {cert_path} (give it to partners)"
        )

    run(action)
