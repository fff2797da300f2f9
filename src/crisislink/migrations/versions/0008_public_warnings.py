"""public warnings: drafts, message chain, signed publications, channel deliveries, external CAP feeds

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 22:58:35.265216
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crisislink.adapters.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.add_column(
            sa.Column("approves_warnings", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_table(
        "external_feeds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_polled_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_ok_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_external_feeds_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_external_feeds_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_external_feeds_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_external_feeds_url")),
    )
    with op.batch_alter_table("external_feeds", schema=None) as batch_op:
        batch_op.create_index("ix_external_feeds_next_poll_at", ["next_poll_at"], unique=False)

    op.create_table(
        "external_alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("feed_id", sa.Uuid(), nullable=False),
        sa.Column("sender", sa.String(length=300), nullable=False),
        sa.Column("identifier", sa.String(length=300), nullable=False),
        sa.Column("sent", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("msg_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("certainty", sa.String(length=10), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("onset", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("expires", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("area", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("area_description", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("replaced_by", sa.String(length=300), nullable=True),
        sa.Column("cap_xml", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_external_alerts_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["external_feeds.id"], name=op.f("fk_external_alerts_feed_id_external_feeds")
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_external_alerts_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_external_alerts_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_alerts")),
        sa.UniqueConstraint(
            "sender", "identifier", "sent", name=op.f("uq_external_alerts_sender_identifier_sent")
        ),
    )
    with op.batch_alter_table("external_alerts", schema=None) as batch_op:
        batch_op.create_index("ix_external_alerts_active_expires", ["active", "expires"], unique=False)

    op.create_table(
        "public_warnings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("hazard", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("certainty", sa.String(length=10), nullable=False),
        sa.Column("response_types", sa.JSON(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("onset", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("anchor", sa.JSON(), nullable=False),
        sa.Column("area_description", sa.Text(), nullable=False),
        sa.Column("targeting", sa.JSON(), nullable=False),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("issued_revision", sa.Integer(), nullable=False),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("due_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_public_warnings_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_public_warnings_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_public_warnings_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_public_warnings_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_warnings")),
    )
    with op.batch_alter_table("public_warnings", schema=None) as batch_op:
        batch_op.create_index("ix_public_warnings_due_at", ["due_at"], unique=False)
        batch_op.create_index("ix_public_warnings_incident_id", ["incident_id"], unique=False)
        batch_op.create_index("ix_public_warnings_state_updated_at", ["state", "updated_at"], unique=False)

    op.create_table(
        "warning_messages",
        sa.Column("warning_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("sent", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("msg_type", sa.String(length=10), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["public_warnings.id"],
            name=op.f("fk_warning_messages_warning_id_public_warnings"),
        ),
        sa.PrimaryKeyConstraint("warning_id", "seq", name=op.f("pk_warning_messages")),
        sa.UniqueConstraint("sender", "identifier", name=op.f("uq_warning_messages_sender_identifier")),
    )
    op.create_table(
        "warning_publications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("warning_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cap_xml", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["public_warnings.id"],
            name=op.f("fk_warning_publications_warning_id_public_warnings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_publications")),
        sa.UniqueConstraint("identifier", "country", name=op.f("uq_warning_publications_identifier_country")),
    )
    with op.batch_alter_table("warning_publications", schema=None) as batch_op:
        batch_op.create_index("ix_warning_publications_warning_id", ["warning_id"], unique=False)

    op.create_table(
        "warning_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("publication_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["warning_publications.id"],
            name=op.f("fk_warning_deliveries_publication_id_warning_publications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_deliveries")),
        sa.UniqueConstraint(
            "publication_id", "channel", name=op.f("uq_warning_deliveries_publication_id_channel")
        ),
    )
    with op.batch_alter_table("warning_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_warning_deliveries_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("approves_warnings")
    with op.batch_alter_table("warning_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_warning_deliveries_status_next_attempt_at")

    op.drop_table("warning_deliveries")
    with op.batch_alter_table("warning_publications", schema=None) as batch_op:
        batch_op.drop_index("ix_warning_publications_warning_id")

    op.drop_table("warning_publications")
    op.drop_table("warning_messages")
    with op.batch_alter_table("public_warnings", schema=None) as batch_op:
        batch_op.drop_index("ix_public_warnings_state_updated_at")
        batch_op.drop_index("ix_public_warnings_incident_id")
        batch_op.drop_index("ix_public_warnings_due_at")

    op.drop_table("public_warnings")
    with op.batch_alter_table("external_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_external_alerts_active_expires")

    op.drop_table("external_alerts")
    with op.batch_alter_table("external_feeds", schema=None) as batch_op:
        batch_op.drop_index("ix_external_feeds_next_poll_at")

    op.drop_table("external_feeds")
    # ### end Alembic commands ###
