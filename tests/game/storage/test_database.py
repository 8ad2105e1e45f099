"""Opening the store: migrations, damaged or foreign files, newer schemas, backups."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from game.errors import StorageError
from game.storage import DB_FILENAME, open_database
from game.storage.database import alembic_config

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
TABLES = {"profile", "hrv_records", "readiness_days", "sessions", "reps", "punches", "coach_overrides"}


def test_opens_in_data_dir_and_migrates_to_head(tmp_path: Path) -> None:
    with open_database(environ={"RINGSIDE_HOME": str(tmp_path)}) as db:
        assert db.path == tmp_path / DB_FILENAME
        with db.transaction() as repo:
            assert repo.profile(now=NOW).display_name == "Player"
    engine = create_engine(f"sqlite:///{tmp_path / DB_FILENAME}")
    with engine.connect() as conn:
        assert TABLES <= set(inspect(conn).get_table_names())
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0001_initial"
    engine.dispose()


def test_migration_schema_matches_the_models(tmp_path: Path) -> None:
    """Autogenerate finds nothing to do: the shipped migration and the models agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from game.storage.models import Base

    path = tmp_path / "x.db"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "x.db"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert not TABLES & set(inspect(conn).get_table_names())
    engine.dispose()
    open_database(path).close()  # upgrades again


def test_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with open_database(path) as db, db.transaction() as repo:
        uid = repo.profile(now=NOW).player_uid
    with open_database(path) as db, db.transaction() as repo:
        assert repo.profile(now=NOW).player_uid == uid


def test_damaged_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    junk = b"this is not sqlite" * 100
    path.write_bytes(junk)
    with pytest.raises(StorageError, match="damaged or is not a Ringside database"):
        open_database(path)
    assert path.read_bytes() == junk


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    con = sqlite3.connect(path)
    con.execute("create table notes (id integer primary key, body text)")
    con.execute("insert into notes (body) values ('keep me')")
    con.commit()
    con.close()
    with pytest.raises(StorageError, match="no Ringside schema version"):
        open_database(path)
    con = sqlite3.connect(path)
    assert con.execute("select body from notes").fetchone() == ("keep me",)
    con.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("update alembic_version set version_num = '9999_future'")
    con.commit()
    con.close()
    with pytest.raises(StorageError, match="newer Ringside"):
        open_database(path)


def test_upgrade_keeps_data_and_a_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database at revision 0001 meets a newer Ringside (a test-only revision 0002): data is
    kept, the new column appears, and a copy of the old file is left next to it."""
    import shutil

    import game.storage.database as database

    path = tmp_path / DB_FILENAME
    with open_database(path) as db, db.transaction() as repo:
        uid = repo.profile(now=NOW).player_uid
    scripts = tmp_path / "migrations"
    shutil.copytree(database.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0002_test.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n"
        "revision = '0002_test'\ndown_revision = '0001_initial'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n    op.add_column('profile', sa.Column('avatar', sa.String(20), nullable=True))\n"
        "def downgrade():\n    op.drop_column('profile', 'avatar')\n"
    )
    monkeypatch.setattr(database, "MIGRATIONS_DIR", scripts)
    with open_database(path) as db, db.transaction() as repo:
        assert repo.profile(now=NOW).player_uid == uid
    backup = tmp_path / f"{DB_FILENAME}.bak-0001_initial"
    assert backup.exists()
    con = sqlite3.connect(path)
    assert "avatar" in [r[1] for r in con.execute("pragma table_info(profile)")]
    assert con.execute("select version_num from alembic_version").fetchone() == ("0002_test",)
    con.close()
    con = sqlite3.connect(backup)
    assert con.execute("select player_uid from profile").fetchone() == (uid,)
    con.close()


def test_in_memory_database() -> None:
    with open_database(Path(":memory:")) as db, db.transaction() as repo:
        assert repo.measurement_count() == 0


def test_a_data_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    """RINGSIDE_HOME under a plain file (or a read-only disk): a StorageError naming it, no traceback."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    for home in (blocker, blocker / "sub"):
        with pytest.raises(StorageError, match="not-a-folder"):
            open_database(environ={"RINGSIDE_HOME": str(home)})
