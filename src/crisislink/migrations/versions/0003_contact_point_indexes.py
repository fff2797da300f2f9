"""contact point indexes for the policy filter and the directory order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 18:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:
        batch.drop_index("ix_contact_points_owner_partner_id")
        batch.create_index("ix_contact_points_marking_owner", ["marking", "owner_partner_id"])
        batch.create_index("ix_contact_points_owner_role_name", ["owner_partner_id", "role", "name"])


def downgrade() -> None:
    with op.batch_alter_table("contact_points") as batch:
        batch.drop_index("ix_contact_points_owner_role_name")
        batch.drop_index("ix_contact_points_marking_owner")
        batch.create_index("ix_contact_points_owner_partner_id", ["owner_partner_id"])
