"""Schema migrations with Alembic, run programmatically (`crisislink db upgrade`, first start)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from crisislink.adapters.db.engine import writer
from crisislink.adapters.db.tables import metadata


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "crisislink:migrations")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = _config(engine)
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    if engine.dialect.name == "sqlite":
        # Fresh statistics at every start: without them SQLite may pick the wrong index for the policy.
        with writer(engine).begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def location(engine: Engine) -> str:
    """Where the database is, for a message (a PostgreSQL password left out)."""
    return engine.url.render_as_string(hide_password=True)


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def drift(engine: Engine) -> list[object]:
    """Differences between the migrated database and the code's metadata (empty means none)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration (developer command)."""
    config = _config(engine)
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
