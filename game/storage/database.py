"""Opening the local database: the engine, SQLite settings and migrations at open time.

Saved data is never put at risk by opening: a damaged or foreign file is left untouched and
reported; a database written by a newer Ringside is refused rather than altered; before an older
database is migrated, a copy is kept next to it (``ringside.db.bak-<revision>``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from game.config import data_dir
from game.errors import StorageError
from game.storage.repository import Repository

DB_FILENAME = "ringside.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Database:
    """An open, migrated database. Use :meth:`transaction` for every unit of work."""

    def __init__(self, engine: Engine, path: Path | None) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[Repository]:
        """A repository bound to one transaction: committed on success, rolled back on error."""
        session: Session = self._sessions()
        try:
            yield Repository(session)
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StorageError(f"the database {self.path} could not be written ({exc.orig}); nothing was changed") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The game opens the database from worker threads (today's plan, an HRV import, saving a
# session) at the same time; two alembic upgrades running at once share alembic's global
# ``context`` and crashed the interpreter (seen as "sqlite3.Connection returned NULL").
_MIGRATE_LOCK = threading.Lock()


def make_folder(folder: Path) -> Path:
    """Create ``folder`` if needed (a database's or ``--data-dir``'s folder). Raises
    :class:`~game.errors.StorageError` naming it when it cannot be created."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {folder} ({exc.strerror}); "
                           "set RINGSIDE_HOME to a folder you can write") from None
    return folder


def open_database(path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> Database:
    """Open (creating if needed) the database at ``path`` or ``<data_dir>/ringside.db``.

    Runs pending migrations. Raises :class:`~game.errors.StorageError` if the file is damaged,
    not a Ringside database, or written by a newer version. ``path=Path(":memory:")`` gives a
    throw-away in-memory database (tests).
    """
    if path is None:
        path = data_dir(environ) / DB_FILENAME
    in_memory = str(path) == ":memory:"
    if not in_memory:
        make_folder(path.parent)
    url = "sqlite://" if in_memory else f"sqlite:///{path}"
    kwargs: dict[str, Any] = {}
    if in_memory:
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with _MIGRATE_LOCK:  # alembic's migration context is process-global: one at a time
            _migrate(engine, None if in_memory else path)
    except StorageError:
        engine.dispose()
        raise
    except (DatabaseError, sqlite3.DatabaseError) as exc:
        engine.dispose()
        raise StorageError(
            f"{path} is damaged or is not a Ringside database ({getattr(exc, 'orig', exc)}); it was left "
            "untouched. Move it aside (or set RINGSIDE_HOME) to start a fresh one."
        ) from None
    return Database(engine, None if in_memory else path)


def _backup(src: Path, dest: Path) -> None:
    """A consistent copy through SQLite's backup API (includes pages still in the WAL)."""
    source = sqlite3.connect(src)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def alembic_config() -> Any:
    from alembic.config import Config  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _migrate(engine: Engine, path: Path | None) -> None:
    from alembic import command  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated
    from alembic.util.exc import CommandError  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        tables = set(inspect(conn).get_table_names())
    if current == head:
        return
    if current is None and tables - {"alembic_version"}:
        raise StorageError(
            f"{path} holds tables but no Ringside schema version; it was left untouched. "
            "Move it aside (or set RINGSIDE_HOME) to start a fresh one."
        )
    if current is not None:
        try:
            script.get_revision(current)
        except CommandError:
            raise StorageError(
                f"{path} was written by a newer Ringside (schema {current}); update Ringside to open it"
            ) from None
        if path is not None and path.exists():
            _backup(path, path.with_name(f"{path.name}.bak-{current}"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
