"""The `crisislink` command line (Typer)."""
