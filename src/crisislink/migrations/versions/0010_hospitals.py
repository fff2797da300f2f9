"""hospitals: the register, identifiers, status reports and beds

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 23:54:16.139838
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crisislink.adapters.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hospitals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("postcode", sa.String(length=20), nullable=True),
        sa.Column("beds", sa.Integer(), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=True),
        sa.Column("kind", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("registered_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status_report_id", sa.Uuid(), nullable=True),
        sa.Column("last_report_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')", name=op.f("ck_hospitals_marking")
        ),
        sa.ForeignKeyConstraint(["home_node_id"], ["nodes.id"], name=op.f("fk_hospitals_home_node_id_nodes")),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_hospitals_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospitals")),
        sa.UniqueConstraint("code", name=op.f("uq_hospitals_code")),
    )
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.create_index("ix_hospitals_country_lat", ["country", "lat"], unique=False)
        batch_op.create_index("ix_hospitals_lat_lon", ["lat", "lon"], unique=False)

    op.create_table(
        "hospital_identifiers",
        sa.Column("hospital_id", sa.Uuid(), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.id"], name=op.f("fk_hospital_identifiers_hospital_id_hospitals")
        ),
        sa.PrimaryKeyConstraint("hospital_id", "identifier", name=op.f("pk_hospital_identifiers")),
    )
    with op.batch_alter_table("hospital_identifiers", schema=None) as batch_op:
        batch_op.create_index("ix_hospital_identifiers_identifier", ["identifier"], unique=False)

    op.create_table(
        "hospital_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("hospital_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("distribution", sa.String(length=12), nullable=True),
        sa.Column("reported_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("received_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reported_by", sa.Uuid(), nullable=True),
        sa.Column("ems_traffic", sa.String(length=16), nullable=True),
        sa.Column("ems_reason", sa.Text(), nullable=True),
        sa.Column("ed_capacity", sa.Integer(), nullable=True),
        sa.Column("facility_status", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["hospital_id"], ["hospitals.id"], name=op.f("fk_hospital_reports_hospital_id_hospitals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_reports")),
        sa.UniqueConstraint(
            "hospital_id", "message_id", name=op.f("uq_hospital_reports_hospital_id_message_id")
        ),
    )
    with op.batch_alter_table("hospital_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hospital_reports_hospital_id_received_at", ["hospital_id", "received_at"], unique=False
        )

    op.create_table(
        "hospital_beds",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("bed_type", sa.String(length=32), nullable=False),
        sa.Column("available", sa.Integer(), nullable=True),
        sa.Column("baseline", sa.Integer(), nullable=True),
        sa.Column("vacant", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["hospital_reports.id"], name=op.f("fk_hospital_beds_report_id_hospital_reports")
        ),
        sa.PrimaryKeyConstraint("report_id", "bed_type", name=op.f("pk_hospital_beds")),
    )


def downgrade() -> None:
    op.drop_table("hospital_beds")
    with op.batch_alter_table("hospital_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_hospital_reports_hospital_id_received_at")

    op.drop_table("hospital_reports")
    with op.batch_alter_table("hospital_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_hospital_identifiers_identifier")

    op.drop_table("hospital_identifiers")
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.drop_index("ix_hospitals_lat_lon")
        batch_op.drop_index("ix_hospitals_country_lat")

    op.drop_table("hospitals")
