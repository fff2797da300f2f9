"""SQL functions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

SQLITE_FOLD = "crisislink_fold"


class fold(GenericFunction[str]):  # noqa: N801 -- SQL function names are lower case
    """Lower-cased text for case-insensitive search, beyond ASCII (SQLite's own lower() stops at ASCII)."""

    type = sa.String()
    inherit_cache = True


@compiles(fold, "sqlite")
def _fold_sqlite(element: fold, compiler: Any, **kw: Any) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


@compiles(fold)
def _fold_default(element: fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def sqlite_fold(value: str | None) -> str | None:
    """Registered on every SQLite connection under SQLITE_FOLD; PostgreSQL's lower() does the same."""
    return None if value is None else value.lower()


def insert_ignoring_duplicates(conn: sa.Connection, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT DO NOTHING (the two databases crisislink runs on)."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
