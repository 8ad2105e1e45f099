"""The shipped Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from leaderboard_server.db import current_revision, database_url, make_engine, migrate
from leaderboard_server.models import Base


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = make_engine(database_url(None, tmp_path))
    assert current_revision(engine) is None
    migrate(engine)
    migrate(engine)  # idempotent
    assert current_revision(engine) == "0002"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert (tmp_path / "leaderboard.sqlite3").exists()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_migrations_run_on_postgres() -> None:
    from tests.leaderboard_server.support import fresh_postgres_database

    with fresh_postgres_database() as url:
        engine = make_engine(database_url(url, Path(".")))
        migrate(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        engine.dispose()


def test_database_urls() -> None:
    import pytest

    from leaderboard_server.errors import ServerSetupError

    assert database_url("postgresql://u@h/db", Path(".")) == "postgresql+psycopg://u@h/db"
    assert database_url(None, Path("/x")) == "sqlite:////x/leaderboard.sqlite3"
    with pytest.raises(ServerSetupError, match="not a database URL"):
        database_url("not a url", Path("."))
    with pytest.raises(ServerSetupError, match="unsupported"):
        database_url("mysql://u@h/db", Path("."))
