"""Relational storage: SQLite by default, PostgreSQL for production; one schema, one migration tree."""
