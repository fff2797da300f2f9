"""mutual assistance: units, requests for assistance, offers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 23:16:43.768052
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import crisislink.adapters.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistance_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("staging", sa.JSON(), nullable=False),
        sa.Column("starts_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("respond_by", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("support", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column("addressees", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("created_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_assistance_requests_marking"),
        ),
        sa.CheckConstraint("quantity > 0 AND accepted >= 0", name=op.f("ck_assistance_requests_quantities")),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_assistance_requests_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"],
            ["partners.id"],
            name=op.f("fk_assistance_requests_owner_partner_id_partners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_requests")),
    )
    with op.batch_alter_table("assistance_requests", schema=None) as batch_op:
        batch_op.create_index("ix_assistance_requests_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_assistance_requests_incident_id", ["incident_id"], unique=False)
        batch_op.create_index(
            "ix_assistance_requests_status_respond_by", ["status", "respond_by"], unique=False
        )

    op.create_table(
        "assistance_offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("available_from", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("accepted_units", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("offered_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("offered_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_assistance_offers_marking"),
        ),
        sa.CheckConstraint(
            "quantity > 0 AND accepted >= 0 AND accepted <= quantity",
            name=op.f("ck_assistance_offers_quantities"),
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_assistance_offers_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_assistance_offers_owner_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["assistance_requests.id"],
            name=op.f("fk_assistance_offers_request_id_assistance_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["partners.id"], name=op.f("fk_assistance_offers_requester_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_offers")),
    )
    with op.batch_alter_table("assistance_offers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_offers_request_id_offered_at", ["request_id", "offered_at"], unique=False
        )

    op.create_table(
        "assistance_units",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_partner_id", sa.Uuid(), nullable=False),
        sa.Column("home_node_id", sa.Uuid(), nullable=False),
        sa.Column("marking", sa.String(length=12), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("call_sign", sa.String(length=64), nullable=True),
        sa.Column("home_base", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("position", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("crew_languages", sa.JSON(), nullable=False),
        sa.Column("radio", sa.JSON(), nullable=False),
        sa.Column("arrangements", sa.JSON(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", crisislink.adapters.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "marking IN ('CLEAR','GREEN','AMBER','AMBER+STRICT','RED')",
            name=op.f("ck_assistance_units_marking"),
        ),
        sa.ForeignKeyConstraint(
            ["home_node_id"], ["nodes.id"], name=op.f("fk_assistance_units_home_node_id_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["assistance_offers.id"],
            name=op.f("fk_assistance_units_offer_id_assistance_offers"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"], ["partners.id"], name=op.f("fk_assistance_units_owner_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_units")),
    )
    with op.batch_alter_table("assistance_units", schema=None) as batch_op:
        batch_op.create_index("ix_assistance_units_capability_status", ["capability", "status"], unique=False)
        batch_op.create_index(
            "ix_assistance_units_owner_partner_id_capability",
            ["owner_partner_id", "capability"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assistance_units", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_units_owner_partner_id_capability")
        batch_op.drop_index("ix_assistance_units_capability_status")

    op.drop_table("assistance_units")
    with op.batch_alter_table("assistance_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_offers_request_id_offered_at")

    op.drop_table("assistance_offers")
    with op.batch_alter_table("assistance_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_requests_status_respond_by")
        batch_op.drop_index("ix_assistance_requests_incident_id")
        batch_op.drop_index("ix_assistance_requests_created_at")

    op.drop_table("assistance_requests")
