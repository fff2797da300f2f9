"""incidents: shared incidents, level history, common log, tasks, situation reports, neighbour notifications

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 20:01:43.669381
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crisislink.adapters.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("context_id", sa.Uuid(), nullable=True))
    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hazard", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("area", sa.JSON(), nullable=False),
        sa.Column("anchor", sa.JSON(), nullable=False),
        sa.Column("location", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("lead_partner_id", sa.Uuid(), nullable=False),
        sa.Column("involved", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("occurred_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("declared_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("declared_by", sa.Uuid(), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')", name=op.f("ck_incidents_marking")
        ),
        sa.ForeignKeyConstraint(["home_node_id"], ["nodes.id"], name=op.f("fk_incidents_home_node_id_nodes")),
        sa.ForeignKeyConstraint(
            ["lead_partner_id"], ["partners.id"], name=op.f("fk_incidents_lead_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_incidents_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_status_declared_at", ["status", "declared_at"], unique=False)

    op.create_table(
        "incident_levels",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("previous", sa.String(length=20), nullable=True),
        sa.Column("at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("by_user_id", sa.Uuid(), nullable=True),
        sa.Column("by_partner_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_levels_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", "seq", name=op.f("pk_incident_levels")),
    )
    op.create_table(
        "incident_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("occurred_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by", sa.String(length=300), nullable=True),
        sa.Column("basis", sa.Text(), nullable=True),
        sa.Column("corrects", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')", name=op.f("ck_incident_log_marking")
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_incident_log_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_log_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_incident_log_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_log")),
    )
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_log_incident_id_occurred_at", ["incident_id", "occurred_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_incident_log_incident_id_recorded_at", ["incident_id", "recorded_at"], unique=False
        )

    op.create_table(
        "incident_tasks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("assignee_partner_id", sa.Uuid(), nullable=False),
        sa.Column("assignee_user_id", sa.Uuid(), nullable=True),
        sa.Column("due_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_incident_tasks_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_partner_id"],
            ["partners.id"],
            name=op.f("fk_incident_tasks_assignee_partner_id_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_incident_tasks_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_tasks_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_incident_tasks_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_tasks")),
    )
    with op.batch_alter_table("incident_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_tasks_incident_id_created_at", ["incident_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_incident_tasks_incident_id_updated_at", ["incident_id", "updated_at"], unique=False
        )

    op.create_table(
        "neighbour_notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("chain", sa.JSON(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=14), nullable=False),
        sa.Column("sent_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("escalate_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_neighbour_notifications_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_neighbour_notifications_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_neighbour_notifications_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"],
            ["partners.id"],
            name=op.f("fk_neighbour_notifications_owner_partner_id_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_neighbour_notifications_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_neighbour_notifications")),
        sa.UniqueConstraint(
            "incident_id", "partner_id", name=op.f("uq_neighbour_notifications_incident_id_partner_id")
        ),
    )
    with op.batch_alter_table("neighbour_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_neighbour_notifications_incident_id_updated_at", ["incident_id", "updated_at"], unique=False
        )
        batch_op.create_index(
            "ix_neighbour_notifications_status_escalate_at", ["status", "escalate_at"], unique=False
        )

    op.create_table(
        "sitreps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("languages_required", sa.JSON(), nullable=False),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("next_report_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("publish_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("published_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')", name=op.f("ck_sitreps_marking")
        ),
        sa.ForeignKeyConstraint(["home_node_id"], ["nodes.id"], name=op.f("fk_sitreps_home_node_id_nodes")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_sitreps_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_sitreps_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitreps")),
        sa.UniqueConstraint("incident_id", "number", name=op.f("uq_sitreps_incident_id_number")),
    )
    with op.batch_alter_table("sitreps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sitreps_incident_id_updated_at", ["incident_id", "updated_at"], unique=False
        )
        batch_op.create_index(
            "ix_sitreps_incident_id_created_at", ["incident_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_sitreps_status_next_report_at", ["status", "next_report_at"], unique=False)
        batch_op.create_index("ix_sitreps_status_publish_at", ["status", "publish_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("context_id")
    with op.batch_alter_table("sitreps", schema=None) as batch_op:
        batch_op.drop_index("ix_sitreps_status_publish_at")
        batch_op.drop_index("ix_sitreps_status_next_report_at")
        batch_op.drop_index("ix_sitreps_incident_id_updated_at")
        batch_op.drop_index("ix_sitreps_incident_id_created_at")

    op.drop_table("sitreps")
    with op.batch_alter_table("neighbour_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_neighbour_notifications_status_escalate_at")
        batch_op.drop_index("ix_neighbour_notifications_incident_id_updated_at")

    op.drop_table("neighbour_notifications")
    with op.batch_alter_table("incident_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_tasks_incident_id_updated_at")
        batch_op.drop_index("ix_incident_tasks_incident_id_created_at")

    op.drop_table("incident_tasks")
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_log_incident_id_recorded_at")
        batch_op.drop_index("ix_incident_log_incident_id_occurred_at")

    op.drop_table("incident_log")
    op.drop_table("incident_levels")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_declared_at")

    op.drop_table("incidents")
