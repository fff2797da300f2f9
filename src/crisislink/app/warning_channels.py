"""Which public channels this node delivers warnings to, read from a TOML file (CRISISLINK_CHANNELS).

    [[gateway]]                     # a national alerting gateway taking CAP over HTTPS
    name = "NL-Alert"
    countries = ["NL"]              # it gets the NL part of every warning
    url = "https://gateway.nl-alert.example/cap"
    token_env = "NL_ALERT_TOKEN"    # credentials come from the environment, never from the file
    # username_env = "..."  password_env = "..."  test = true  timeout = 10

    [[mastodon]]                    # one post per language, linking to the public page
    name = "Mastodon @crisislink"
    base_url = "https://social.example"
    token_env = "SOCIAL_ACCOUNT_TOKEN"
    # countries = ["BE"]  (default: the whole message once)  test = true  char_limit = 500

A channel with `test = true` also carries Exercise, Test and System messages; any other never does.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crisislink.adapters.channels.base import Channel
from crisislink.adapters.channels.gateway import CapGateway
from crisislink.adapters.channels.mastodon import Mastodon
from crisislink.kernel.errors import InvalidInput


@dataclass(frozen=True)
class Route:
    channel: Channel
    countries: frozenset[str] | None  # None: the whole message, once


class ChannelSet:
    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._routes = tuple(routes)
        names = [route.channel.name for route in self._routes]
        if len(set(names)) != len(names):
            raise InvalidInput(f"two channels share a name ({', '.join(sorted(names))}); name each one once")

    def for_part(self, country: str) -> tuple[Channel, ...]:
        return tuple(r.channel for r in self._routes if r.countries is not None and country in r.countries)

    def for_whole(self) -> tuple[Channel, ...]:
        return tuple(r.channel for r in self._routes if r.countries is None)

    def get(self, name: str) -> Channel | None:
        return next((r.channel for r in self._routes if r.channel.name == name), None)

    def __iter__(self) -> Any:
        return iter(self._routes)

    def close(self) -> None:
        for route in self._routes:
            close = getattr(route.channel, "close", None)
            if close is not None:
                close()


def _secret(spec: Mapping[str, Any], key: str, env: Mapping[str, str], where: str) -> str | None:
    variable = spec.get(f"{key}_env")
    if variable is None:
        return None
    value = env.get(str(variable))
    if not value:
        raise InvalidInput(
            f"{where}: the environment variable {variable} is not set; set it or remove {key}_env"
        )
    return value


def _countries(spec: Mapping[str, Any], where: str, *, required: bool) -> frozenset[str] | None:
    countries = spec.get("countries")
    if countries is None:
        if required:
            raise InvalidInput(f'{where}: name the countries whose part it gets, e.g. countries = ["NL"]')
        return None
    if not isinstance(countries, list) or not all(isinstance(c, str) and len(c) == 2 for c in countries):
        raise InvalidInput(f'{where}: countries is a list of two-letter codes, e.g. ["NL", "BE"]')
    return frozenset(c.upper() for c in countries)


def _gateway(spec: Mapping[str, Any], env: Mapping[str, str], where: str) -> Route:
    channel = CapGateway(
        str(spec["name"]),
        str(spec["url"]),
        username=_secret(spec, "username", env, where),
        password=_secret(spec, "password", env, where),
        token=_secret(spec, "token", env, where),
        is_test_channel=bool(spec.get("test", False)),
        timeout=float(spec.get("timeout", 10.0)),
    )
    return Route(channel, _countries(spec, where, required=True))


def _mastodon(spec: Mapping[str, Any], env: Mapping[str, str], where: str) -> Route:
    token = _secret(spec, "token", env, where)
    if token is None:
        raise InvalidInput(f"{where}: give token_env, the variable holding the account's access token")
    channel = Mastodon(
        str(spec["name"]),
        str(spec["base_url"]),
        token,
        char_limit=int(spec.get("char_limit", 500)),
        is_test_channel=bool(spec.get("test", False)),
        timeout=float(spec.get("timeout", 10.0)),
    )
    return Route(channel, _countries(spec, where, required=False))


_KINDS = {"gateway": _gateway, "mastodon": _mastodon}


def load_channels(path: Path | None, env: Mapping[str, str] | None = None) -> ChannelSet:
    """The channels of `path`; none when no file is configured. A bad file stops the start with its reason."""
    if path is None:
        return ChannelSet()
    source = os.environ if env is None else env
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidInput(f"the channels file {path} cannot be read: {error}") from None
    unknown = set(document) - set(_KINDS)
    if unknown:
        raise InvalidInput(
            f"{path}: unknown channel kind(s) {', '.join(sorted(unknown))}; use gateway or mastodon"
        )
    routes = []
    for kind, build in _KINDS.items():
        for i, spec in enumerate(document.get(kind, []), 1):
            where = f"{path}: {kind} {i}"
            try:
                routes.append(build(spec, source, where))
            except KeyError as missing:
                raise InvalidInput(f"{where} needs {missing}") from None
            except ValueError as error:
                raise InvalidInput(f"{where}: {error}") from None
    return ChannelSet(routes)
