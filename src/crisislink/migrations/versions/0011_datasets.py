"""datasets: partners' datasets, observations and followers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 23:54:39.494864
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crisislink.adapters.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("record_schema", sa.JSON(), nullable=False),
        sa.Column("contact_point_id", sa.Uuid(), nullable=False),
        sa.Column("refresh_seconds", sa.Integer(), nullable=False),
        sa.Column("series", sa.JSON(), nullable=False),
        sa.Column("latest", sa.JSON(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("last_observed_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_received_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("stale_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("stale_since", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')", name=op.f("ck_datasets_marking")
        ),
        sa.CheckConstraint("refresh_seconds > 0", name=op.f("ck_datasets_refresh")),
        sa.ForeignKeyConstraint(["home_node_id"], ["nodes.id"], name=op.f("fk_datasets_home_node_id_nodes")),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_datasets_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_datasets_owner_partner_id_title", ["owner_partner_id", "title"], unique=False
        )
        batch_op.create_index("ix_datasets_stale_since_stale_at", ["stale_since", "stale_at"], unique=False)

    op.create_table(
        "dataset_followers",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("since", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_followers_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_dataset_followers_user_id_users")),
        sa.PrimaryKeyConstraint("dataset_id", "user_id", name=op.f("pk_dataset_followers")),
    )
    with op.batch_alter_table("dataset_followers", schema=None) as batch_op:
        batch_op.create_index("ix_dataset_followers_user_id", ["user_id"], unique=False)

    op.create_table(
        "dataset_observations",
        sa.Column("dataset_id", sa.Uuid(), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("observed_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("attributes", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("location", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("received_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_observations_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("dataset_id", "series", "observed_at", name=op.f("pk_dataset_observations")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("dataset_observations")
    with op.batch_alter_table("dataset_followers", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_followers_user_id")

    op.drop_table("dataset_followers")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index("ix_datasets_stale_since_stale_at")
        batch_op.drop_index("ix_datasets_owner_partner_id_title")

    op.drop_table("datasets")
