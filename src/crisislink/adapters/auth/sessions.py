"""Sessions, API-token look-up and sign-in throttling, in SQL. Writes go through the caller's unit of work."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t

SESSION_SCOPES = frozenset({"read", "write"})


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    user_id: uuid.UUID
    username: str
    partner_id: uuid.UUID
    roles: frozenset[str]
    locale: str | None
    timezone: str
    scopes: frozenset[str]
    csrf_token: str | None
    expires_at: datetime


_USER_COLUMNS = (
    t.users.c.id,
    t.users.c.username,
    t.users.c.partner_id,
    t.users.c.roles,
    t.users.c.locale,
    t.users.c.timezone,
)


def _identity(query: sa.Select[Any], engine: Engine, scopes: frozenset[str] | None) -> Identity | None:
    """The signed-in person of a session or token row; `scopes` None means the token's own scopes."""
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return Identity(
        user_id=row.id,
        username=row.username,
        partner_id=row.partner_id,
        roles=frozenset(row.roles),
        locale=row.locale,
        timezone=row.timezone,
        scopes=scopes if scopes is not None else frozenset(row.scopes),
        csrf_token=row.csrf_token if scopes is not None else None,
        expires_at=row.expires_at,
    )


def session_identity(engine: Engine, token: str, now: datetime) -> Identity | None:
    query = (
        sa.select(*_USER_COLUMNS, t.sessions.c.csrf_token, t.sessions.c.expires_at)
        .join(t.users, t.users.c.id == t.sessions.c.user_id)
        .where(
            t.sessions.c.token_hash == digest(token),
            t.sessions.c.expires_at > now,
            t.users.c.active.is_(True),
        )
    )
    return _identity(query, engine, SESSION_SCOPES)


def token_identity(engine: Engine, token_id: uuid.UUID, secret_hash: str, now: datetime) -> Identity | None:
    query = (
        sa.select(*_USER_COLUMNS, t.api_tokens.c.scopes, t.api_tokens.c.expires_at)
        .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
        .where(
            t.api_tokens.c.id == token_id,
            t.api_tokens.c.secret_hash == secret_hash,
            t.api_tokens.c.revoked.is_(False),
            t.api_tokens.c.expires_at > now,
            t.users.c.active.is_(True),
        )
    )
    return _identity(query, engine, None)


@dataclass(frozen=True)
class Failures:
    """Failed sign-ins in the throttle window: for the name from this client, for the name, from the client."""

    pair: int
    username: int
    client: int


def recent_failures(engine: Engine, username: str, client: str, since: datetime) -> Failures:
    failed = sa.and_(t.login_attempts.c.at > since, t.login_attempts.c.succeeded.is_(False))
    a = t.login_attempts.c
    query = sa.select(
        sa.func.count().filter(sa.and_(a.username == username, a.client == client)),
        sa.func.count().filter(a.username == username),
        sa.func.count().filter(a.client == client),
    ).where(failed, sa.or_(a.username == username, a.client == client))
    with engine.connect() as conn:
        pair, by_user, by_client = conn.execute(query).one()
    return Failures(int(pair), int(by_user), int(by_client))


def record_attempt(conn: sa.Connection, username: str, client: str, at: datetime, succeeded: bool) -> None:
    conn.execute(
        t.login_attempts.insert().values(username=username, client=client, at=at, succeeded=succeeded)
    )


def open_session(
    conn: sa.Connection, user_id: uuid.UUID, token: str, csrf: str, now: datetime, lifetime: timedelta
) -> None:
    conn.execute(
        t.sessions.insert().values(
            token_hash=digest(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    conn.execute(t.sessions.delete().where(t.sessions.c.expires_at <= now))


def close_session(conn: sa.Connection, token: str) -> int:
    return int(conn.execute(t.sessions.delete().where(t.sessions.c.token_hash == digest(token))).rowcount)


def prune_attempts(conn: sa.Connection, before: datetime) -> None:
    conn.execute(t.login_attempts.delete().where(t.login_attempts.c.at < before))


def close_sessions_of(conn: sa.Connection, user_id: uuid.UUID) -> int:
    return int(conn.execute(t.sessions.delete().where(t.sessions.c.user_id == user_id)).rowcount)


def forget_failures(conn: sa.Connection, username: str) -> None:
    conn.execute(
        t.login_attempts.delete().where(
            t.login_attempts.c.username == username, t.login_attempts.c.succeeded.is_(False)
        )
    )
