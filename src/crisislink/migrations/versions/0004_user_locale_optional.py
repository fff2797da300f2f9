"""a user's interface language is optional: without one, the browser's language applies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 19:05:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.alter_column("locale", existing_type=sa.String(length=8), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE users SET locale = 'en' WHERE locale IS NULL")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("locale", existing_type=sa.String(length=8), nullable=False)
