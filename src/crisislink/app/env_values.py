"""Reading numbers and lists from the environment, with errors that name the variable to fix."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import TypeVar

N = TypeVar("N", int, float)


class ConfigurationError(ValueError):
    """A setting the node cannot start with; the message names the variable and what it expects."""


def integer(source: Mapping[str, str], name: str, default: int) -> int:
    return _number(source, name, default, int, "a whole number")


def decimal(source: Mapping[str, str], name: str, default: float) -> float:
    return _number(source, name, default, float, "a number")


def _number(source: Mapping[str, str], name: str, default: N, parse: Callable[[str], N], what: str) -> N:
    raw = source.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is not {what} (default: {default})") from None


def networks(source: Mapping[str, str], name: str) -> tuple[str, ...]:
    """`10.0.0.5, 10.1.0.0/16` -> the addresses and networks, each checked (a typo must not start a node
    that trusts nobody, or somebody else)."""
    entries = tuple(part.strip() for part in source.get(name, "").split(",") if part.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigurationError(
                f"{name}: {entry!r} is not an IP address or network (for example 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return entries
