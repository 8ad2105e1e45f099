"""The on-disk outbox: every score is written here first and leaves only when the server has
acknowledged it.

A small SQLite file (``outbox.sqlite3`` in the data directory; WAL journal, ``synchronous=FULL``)
so that an enqueued submission survives a crash, a power cut or a week offline. Each submission
has a client-generated id; the server treats resends of the same id as duplicates, so "sent but
the acknowledgement was lost" is safe to retry.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ringside_protocol
from game.config import data_dir
from game.net.errors import OutboxError

FILENAME = "outbox.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'rejected')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    reply TEXT,
    updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_outbox_state ON outbox (state, created_at_ms);
"""
MODES = ringside_protocol.MODES


@dataclass(frozen=True)
class OutboxItem:
    id: str
    submission: dict[str, Any]
    created_at_ms: int
    state: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxCounts:
    pending: int
    sent: int
    rejected: int


def new_submission_id() -> str:
    """A client-generated, globally unique submission id (32 hex characters)."""
    return uuid.uuid4().hex


def make_submission(
    *,
    mode: str,
    score: float,
    played_at_ms: int,
    duration_ms: int,
    telemetry: Mapping[str, Any],
    challenge: str | None = None,
    submission_id: str | None = None,
) -> dict[str, Any]:
    """Build a protocol submission (see docs/PROTOCOL.md). Telemetry holds metrics and skeleton
    summaries only, never video. Raises ValueError for an unknown mode, a negative score, or
    anything else the server's schema would refuse (the message names the field). For a
    finished game session use :func:`game.net.session.submission_for`."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if score < 0 or duration_ms < 0:
        raise ValueError("score and duration must not be negative")
    if (mode == ringside_protocol.CHALLENGE_MODE) != (challenge is not None):
        raise ValueError(f"a challenge code is given exactly for mode {ringside_protocol.CHALLENGE_MODE!r}")
    sub: dict[str, Any] = {
        "id": submission_id or new_submission_id(),
        "mode": mode,
        "score": score,
        "played_at_ms": int(played_at_ms),
        "duration_ms": int(duration_ms),
        "telemetry": dict(telemetry),
    }
    if challenge is not None:
        sub["challenge"] = challenge.upper()
    _check_protocol(sub)
    return sub


def _check_protocol(sub: dict[str, Any]) -> None:
    """Refuse here, with the reason, what the server would refuse for good later."""
    try:
        ringside_protocol.validate({"v": ringside_protocol.PROTOCOL_VERSION, "type": "submit", "submission": sub})
    except ringside_protocol.ProtocolError as exc:
        raise ValueError(f"this submission breaks the leaderboard protocol: {exc}") from exc


class Outbox:
    """Thread-safe, crash-safe queue of submissions waiting for the server."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            # Reads (the game's screens) get their own connection: in WAL mode they never wait
            # for a write, and a write's fsync never holds them up.
            self._reader = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise OutboxError(
                f"the score outbox {self.path} cannot be opened ({exc}); move it aside and restart, "
                "unsent scores are in that file"
            ) from exc
        except OSError as exc:
            raise OutboxError(f"cannot create the folder for the score outbox {self.path} ({exc.strerror}); "
                              "set RINGSIDE_HOME to a folder you can write") from exc

    @classmethod
    def default(cls) -> Outbox:
        return cls(data_dir() / FILENAME)

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._db.close()
            self._reader.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        with self._lock:
            try:
                cur = self._db.execute(sql, args)
            except sqlite3.DatabaseError as exc:
                raise OutboxError(f"cannot write the score outbox {self.path}: {exc}") from exc
            return cur.rowcount

    def enqueue(self, submission: Mapping[str, Any], *, now_ms: int | None = None) -> str:
        """Store a submission durably (committed before this returns); returns its id.
        Enqueuing the same id twice keeps the first."""
        sid = str(submission["id"])
        t = int(time.time() * 1000) if now_ms is None else now_ms
        self._write(
            "INSERT OR IGNORE INTO outbox (id, payload, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?)",
            (sid, json.dumps(dict(submission), separators=(",", ":")), t, t),
        )
        return sid

    def pending(self, limit: int = 1000) -> list[OutboxItem]:
        """Unsent submissions, oldest first."""
        return self._select("WHERE state = 'pending' ORDER BY created_at_ms, id LIMIT ?", (limit,))

    def items(self) -> list[OutboxItem]:
        return self._select("ORDER BY created_at_ms, id", ())

    def _select(self, where: str, args: tuple[Any, ...]) -> list[OutboxItem]:
        with self._read_lock:
            rows = self._reader.execute(
                f"SELECT id, payload, created_at_ms, state, attempts, last_error FROM outbox {where}", args
            ).fetchall()
        return [OutboxItem(r[0], json.loads(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def mark_sent(self, sid: str, reply: Mapping[str, Any], *, now_ms: int | None = None) -> None:
        t = int(time.time() * 1000) if now_ms is None else now_ms
        self._write("UPDATE outbox SET state = 'sent', reply = ?, last_error = NULL, updated_at_ms = ? WHERE id = ?",
                    (json.dumps(dict(reply)), t, sid))

    def mark_rejected(self, sid: str, reason: str, *, now_ms: int | None = None) -> None:
        """The server refused it for good (e.g. implausible): keep it with the reason, stop sending."""
        t = int(time.time() * 1000) if now_ms is None else now_ms
        self._write("UPDATE outbox SET state = 'rejected', last_error = ?, updated_at_ms = ? WHERE id = ?",
                    (reason, t, sid))

    def mark_attempt(self, sid: str, error: str, *, now_ms: int | None = None) -> None:
        t = int(time.time() * 1000) if now_ms is None else now_ms
        self._write("UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at_ms = ? WHERE id = ?",
                    (error, t, sid))

    def reply_of(self, sid: str) -> dict[str, Any] | None:
        with self._read_lock:
            row = self._reader.execute("SELECT reply FROM outbox WHERE id = ?", (sid,)).fetchone()
        return None if row is None or row[0] is None else json.loads(row[0])

    def counts(self) -> OutboxCounts:
        with self._read_lock:
            rows = dict(self._reader.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        return OutboxCounts(rows.get("pending", 0), rows.get("sent", 0), rows.get("rejected", 0))

    def prune_sent(self, older_than_ms: int) -> int:
        """Forget acknowledged submissions last touched before ``older_than_ms``."""
        return self._write("DELETE FROM outbox WHERE state = 'sent' AND updated_at_ms < ?", (older_than_ms,))
