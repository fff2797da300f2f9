"""`alembic check` for crisislink: migrate a fresh SQLite database and compare it with the code's tables."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from crisislink.adapters.db import migrate
from crisislink.adapters.db.engine import make_engine


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'check.db'}")
        migrate.upgrade(engine)
        differences = migrate.drift(engine)
        engine.dispose()
    for difference in differences:
        print(f"drift between migrations and tables: {difference}", file=sys.stderr)
    if not differences:
        print("migrations match the code")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
