"""The one Alembic migration tree."""
