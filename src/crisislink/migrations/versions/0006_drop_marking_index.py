"""drop the marking index: SQLite planned the policy filter through it as a slow multi-index OR

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 19:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:
        batch.drop_index("ix_contact_points_marking_owner")


def downgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:
        batch.create_index("ix_contact_points_marking_owner", ["marking", "owner_partner_id"])
