"""A user's own API tokens (metadata only; secrets are never stored)."""

from __future__ import annotations

import uuid

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from crisislink.adapters.db import tables as t
from crisislink.adapters.db.queries.views import TokenView, record


def tokens_of(engine: Engine, user_id: uuid.UUID) -> list[TokenView]:
    query = (
        sa.select(
            t.api_tokens.c.id,
            t.api_tokens.c.name,
            t.api_tokens.c.scopes,
            t.api_tokens.c.expires_at,
            t.api_tokens.c.revoked,
        )
        .where(t.api_tokens.c.user_id == user_id)
        .order_by(t.api_tokens.c.expires_at.desc())
    )
    with engine.connect() as conn:
        return [msgspec.convert(record(row), TokenView) for row in conn.execute(query).mappings()]
