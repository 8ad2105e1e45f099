"""Local storage: SQLAlchemy 2.x on SQLite in the data directory, with alembic migrations.

Open once, then work in transactions that the caller owns::

    db = open_database()                       # <data_dir>/ringside.db, migrated to head
    with db.transaction() as repo:             # commits on success, rolls back on error
        sid = repo.add_session(SessionRecord(...))
        repo.add_reps(sid, reps)

Rows never leave this package: the repository takes and returns frozen dataclasses
(:mod:`game.storage.types`, :class:`game.hrv.records.Measurement`, :class:`game.hrv.plan.CoachOverride`).
"""

from game.storage.database import DB_FILENAME, Database, open_database
from game.storage.repository import Repository
from game.storage.types import (
    Profile,
    PunchRecord,
    RepRecord,
    SessionRecord,
    StoredReadiness,
    StoredSession,
)

__all__ = [
    "DB_FILENAME",
    "Database",
    "Profile",
    "PunchRecord",
    "RepRecord",
    "Repository",
    "SessionRecord",
    "StoredReadiness",
    "StoredSession",
    "open_database",
]
