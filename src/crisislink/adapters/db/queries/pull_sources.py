"""Read side of pull sources: where this node fetches a dataset from, and how the polling goes.

A pull source has no label of its own: it is seen through its dataset (`visible_to`), so a dataset the
reader may not see is a 404 here, as on every other read. Whoever may see the dataset sees how the polling
goes; the address and the last error (which quotes it) only the owner partner's staff, who set them: an
address can name an internal host or carry a key. Even to them, credentials in it (`https://user:password@
host/…`, `?api_key=…`) are shown as ***; a key hidden in the path itself cannot be told from a path.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any, Final
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.access import visible_to
from crisislink.adapters.db.queries.dataset_views import PullSourceView
from crisislink.domains.datasets.pull_schedule import wait_after
from crisislink.domains.sharing.policy import Viewer
from crisislink.kernel.errors import NotFound

HIDDEN: Final = "***"
# Parameter names that carry a credential in the APIs partners publish (api_key, access_token, sig, …).
# Hiding a harmless parameter by mistake costs nothing; showing a key costs the partner a rotation.
SECRET_NAME: Final = re.compile(r"token|key|secret|pass|pwd|sig|auth|cred|session", re.IGNORECASE)


def _secret_parameters(part: str) -> list[str]:
    """The `name=value` pairs of a query (or fragment) whose name looks like a credential."""
    found = []
    for pair in part.split("&"):
        name, equals, value = pair.partition("=")
        if equals and value and SECRET_NAME.search(unquote_plus(name)):
            found.append(pair)
    return found


def _without_secret_parameters(part: str) -> str:
    secret = set(_secret_parameters(part))
    return "&".join(
        f"{pair.partition('=')[0]}={HIDDEN}" if pair in secret else pair for pair in part.split("&")
    )


def _userinfo(parts: SplitResult) -> str | None:
    return parts.netloc.rpartition("@")[0] if "@" in parts.netloc else None


def hide_credentials(url: str) -> str:
    """The address with its user and password, and any credential-like parameter, shown as ***."""
    parts = urlsplit(url)
    netloc = parts.netloc if _userinfo(parts) is None else f"{HIDDEN}@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(
        parts._replace(
            netloc=netloc,
            query=_without_secret_parameters(parts.query),
            fragment=_without_secret_parameters(parts.fragment),
        )
    )


def hide_credentials_in(text: str, url: str) -> str:
    """A message about `url` (an error quoting it whole, or only its parts) with its credentials hidden."""
    parts = urlsplit(url)
    shown = text.replace(url, hide_credentials(url))
    userinfo = _userinfo(parts)
    if userinfo:
        shown = shown.replace(f"{userinfo}@", f"{HIDDEN}@")
    for pair in (*_secret_parameters(parts.query), *_secret_parameters(parts.fragment)):
        shown = shown.replace(pair, f"{pair.partition('=')[0]}={HIDDEN}")
    return shown


def _view(row: dict[str, Any], owner: bool) -> PullSourceView:
    url, failures = row["url"], row["failures"]
    wait = wait_after(timedelta(seconds=row["interval_seconds"]), failures)
    error = row["last_error"]
    return PullSourceView(
        dataset_id=row["dataset_id"],
        url=hide_credentials(url) if owner else None,
        format=row["format"],
        interval_seconds=row["interval_seconds"],
        last_attempt_at=row["last_polled_at"],
        last_success_at=row["last_success_at"],
        last_stored=row["last_stored"],
        consecutive_failures=failures,
        next_attempt_at=row["next_poll_at"],
        wait_seconds=int(wait.total_seconds()),
        backing_off=failures > 0,
        last_error=None if error is None or not owner else hide_credentials_in(error, url),
        created_at=row["created_at"],
    )


def pull_source(engine: Engine, viewer: Viewer, dataset_id: uuid.UUID) -> PullSourceView | None:
    """The dataset's pull source (None: its records are pushed); NotFound if the viewer may not see it."""
    d, p = t.datasets, t.dataset_pull_sources
    with engine.connect() as conn:
        seen = conn.execute(
            sa.select(d.c.owner_partner_id).where(
                d.c.id == dataset_id, visible_to(viewer, d, correlated=True)
            )
        ).first()
        if seen is None:
            raise NotFound(f"no dataset with id {dataset_id} that you may see")
        row = conn.execute(sa.select(p).where(p.c.dataset_id == dataset_id)).mappings().first()
    owner = viewer.partner_id is not None and viewer.partner_id == seen.owner_partner_id
    return None if row is None else _view(dict(row), owner)
