"""Database adapter: engine creation, migrations, and SQLite tuning.

SQLite (the default, a file in the data directory) runs in WAL mode with ``synchronous=FULL``:
a committed submission survives a killed process *and* a power cut. The server commits in small
groups (see ``server.DbWorker``) so the fsync cost is shared. PostgreSQL is used when the
``--db`` URL says so; ``postgresql://`` URLs are routed to the psycopg 3 driver.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import StaticPool

from leaderboard_server.errors import ServerSetupError

DB_FILENAME = "leaderboard.sqlite3"
#: The same variable the game reads, so a game and a server on one machine share one folder.
ENV_HOME = "RINGSIDE_HOME"


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the SQLite file: ``$RINGSIDE_HOME``, else the user's data folder for
    "ringside" (platformdirs). Not created here; see :func:`make_folder`."""
    env = os.environ if environ is None else environ
    override = env.get(ENV_HOME, "").strip()
    if override:
        return Path(override).expanduser()

    return Path(platformdirs.user_data_dir("ringside", appauthor=False))


def make_folder(folder: Path) -> Path:
    """Create ``folder`` if needed. Raises :class:`ServerSetupError` naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServerSetupError(f"cannot create the data folder {folder} ({exc.strerror}); "
                               f"pass --data-dir or set {ENV_HOME} to a folder you can write") from None
    return folder


def database_url(db: str | None, data_dir: Path) -> str:
    """The SQLAlchemy URL for ``--db`` (a URL, or None for the SQLite file in ``data_dir``)."""
    if not db:
        return f"sqlite:///{(data_dir / DB_FILENAME).as_posix()}"
    try:
        url = make_url(db)
    except ArgumentError as exc:
        raise ServerSetupError(
            f"--db {db!r} is not a database URL; use e.g. postgresql://user@host:5432/dbname "
            "or sqlite:////path/to/file.sqlite3"
        ) from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if not (url.drivername.startswith("postgresql") or url.drivername.startswith("sqlite")):
        raise ServerSetupError(f"unsupported database {url.drivername!r}: use SQLite or PostgreSQL")
    return url.render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """Create an engine; SQLite connections get WAL, FULL sync, foreign keys and a busy timeout."""
    is_sqlite = url.startswith("sqlite")
    kwargs: dict[str, Any] = {}
    is_memory = is_sqlite and (":memory:" in url or url in ("sqlite://", "sqlite:///"))
    if is_sqlite:
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if is_memory:
            kwargs["poolclass"] = StaticPool  # one shared connection, or each would see its own empty database
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if is_sqlite:

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if not is_memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent). Raises ServerSetupError."""
    from alembic import command  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated
    from alembic.config import Config  # noqa: PLC0415 - lazy: Alembic (0.4 s CPU to import) only when the schema is checked or migrated

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        raise ServerSetupError(f"cannot open the database: {exc.orig}") from exc


def current_revision(engine: Engine) -> str | None:
    """The schema's migration revision, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None

        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
