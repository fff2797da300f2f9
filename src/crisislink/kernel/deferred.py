"""Reusing command handlers inside one command: an import is the commands a person would have given, each
checked by its own handler, recorded in one transaction — all of it, or nothing."""

from __future__ import annotations

from typing import Any, TypeVar, cast

U = TypeVar("U")


class _DeferredCommits:
    def __init__(self, uow: object) -> None:
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)

    def commit(self) -> None:
        """Deferred: the outer command commits once, after its last part."""


def deferring_commits(uow: U) -> U:
    """`uow` as the reused handlers see it: everything as it is, except that their commits wait."""
    return cast(U, _DeferredCommits(uow))
