"""partners get a stored anchor point inside their jurisdiction (computed here for existing rows)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 19:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crisislink.adapters.geo.points import representative_point

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

partners = sa.table(
    "partners",
    sa.column("id", sa.Uuid()),
    sa.column("jurisdiction", sa.JSON(none_as_null=True)),
    sa.column("jurisdiction_anchor", sa.JSON(none_as_null=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("jurisdiction_anchor", sa.JSON(none_as_null=True), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(partners.c.id, partners.c.jurisdiction)).all()
    for row in rows:
        if row.jurisdiction:
            anchor = representative_point(row.jurisdiction["geometry"])
            connection.execute(
                partners.update().where(partners.c.id == row.id).values(jurisdiction_anchor=anchor)
            )


def downgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("jurisdiction_anchor")
