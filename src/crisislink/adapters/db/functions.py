"""SQL functions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
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
