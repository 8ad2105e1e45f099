"""The session journal: what a session in progress has done, so a crash never loses it.

One append-only JSON-lines file per session in ``<data_dir>/journal/<uid>.jsonl``; every line is
flushed and fsync'd before the game goes on. Lines:

- ``{"k": "start", "session": {...}}``: the session's identity (uid, exercise, start time, ...);
- ``{"k": "item", "key": "reps", "i": 3, "v": {...}}``: element ``i`` of a list of the session
  record (a rep, a punch, a round) was added or changed;
- ``{"k": "set", "key": "stats", "v": {...}}``: any other field of the record changed;
- ``{"k": "commit", "session": {...}, "targets": [...]}``: the finished session, to be written to
  each target (``history``, ``database``, ``outbox``).

Saving a finished session is "commit line, then each target, then delete the journal": every
target write is idempotent by the session's uid, so a journal found with a commit line at start-up
is simply applied again (:func:`pending_journals`), and a kill at any point leaves the history,
the database and the outbox agreeing after the next start. A journal without a commit line is a
session that was interrupted: the game offers it back (:meth:`JournalState.session`).

Only lines that parse are used: a line cut by the crash itself is ignored (one fsync per line, so
at most the last one can be partial).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game.session_result import SessionResult
from ringside_protocol import kind_of

JOURNAL_DIR = "journal"
SUFFIX = ".jsonl"


def journal_dir(home: Path) -> Path:
    return home / JOURNAL_DIR


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported here (e.g. Windows): the file's own fsync is what matters
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class SessionJournal:
    """The journal of one session (append-only). Raises OSError when the disk refuses."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None
        self._lists: dict[str, list[Any]] = {}
        self._fields: dict[str, Any] = {}

    @classmethod
    def create(cls, home: Path, header: dict[str, Any]) -> SessionJournal:
        """Start the journal of a new session; ``header`` must hold its ``uid``."""
        folder = journal_dir(home)
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(folder / f"{header['uid']}{SUFFIX}")
        journal.append({"k": "start", "session": header})
        _fsync_dir(folder)
        return journal

    @classmethod
    def reopen(cls, path: Path) -> SessionJournal:
        return cls(path)

    def append(self, line: dict[str, Any]) -> None:
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write(json.dumps(line, separators=(",", ":"), default=str,
                                  allow_nan=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def update(self, record: dict[str, Any]) -> int:
        """Append what changed in ``record`` since the last update; returns lines written.

        Lists are journalled element by element (a new rep is one line, not the whole set again);
        other fields as a whole when they changed.
        """
        written = 0
        for key, value in record.items():
            if isinstance(value, list):
                old = self._lists.setdefault(key, [])
                for i, v in enumerate(value):
                    if i >= len(old) or old[i] != v:
                        self.append({"k": "item", "key": key, "i": i, "v": _plain(v)})
                        written += 1
                self._lists[key] = [_copy(v) for v in value]
            elif self._fields.get(key, _MISSING) != value:
                self.append({"k": "set", "key": key, "v": _plain(value)})
                self._fields[key] = _copy(value)
                written += 1
        return written

    def commit(self, session: dict[str, Any], targets: list[str]) -> None:
        self.append({"k": "commit", "session": _plain(session), "targets": targets})

    def close(self) -> None:
        if self._fh is not None:
            try:
                self._fh.close()
            finally:
                self._fh = None

    def discard(self) -> None:
        """Delete the journal (its session is saved everywhere, or the player let it go)."""
        self.close()
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        _fsync_dir(self.path.parent)


_MISSING = object()


def _plain(value: Any) -> Any:
    """JSON-safe copy (NaN/Infinity become None: the journal must always parse back)."""
    return json.loads(json.dumps(value, default=str, allow_nan=True),
                      parse_constant=lambda _: None)


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass
class JournalState:
    """What a journal file says (pure: built from its lines)."""

    path: Path
    header: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    lists: dict[str, dict[int, Any]] = field(default_factory=dict)
    committed: dict[str, Any] | None = None
    targets: list[str] = field(default_factory=list)
    bad_lines: int = 0

    @property
    def uid(self) -> str:
        return str(self.header.get("uid") or self.path.stem)

    @property
    def is_committed(self) -> bool:
        return self.committed is not None

    def session(self) -> dict[str, Any]:
        """The session as far as it went (the committed one when there is a commit line)."""
        if self.committed is not None:
            return dict(self.committed)
        out: dict[str, Any] = dict(self.header)
        out.update(self.fields)
        for key, items in self.lists.items():
            out[key] = [items[i] for i in sorted(items)]
        out["uid"] = self.uid
        out["ended"] = "crash"
        return out

    def result(self) -> SessionResult:
        """:meth:`session` as a typed result (journals of earlier versions read the same)."""
        return SessionResult.from_json(self.session())

    @property
    def counted(self) -> int:
        """Reps counted (rep sessions) or points scored (boxing) so far, for the offer."""
        stats = self.session().get("stats") or {}
        key = "score" if kind_of(str(self.header.get("exercise") or "")) == "points" else "reps"
        v = stats.get(key)
        return int(v) if isinstance(v, (int, float)) else 0


def parse_journal(path: Path, lines: list[str]) -> JournalState:
    state = JournalState(path)
    for raw in lines:
        try:
            line = json.loads(raw)
        except ValueError:
            state.bad_lines += 1
            continue
        if not isinstance(line, dict):
            state.bad_lines += 1
            continue
        kind = line.get("k")
        if kind == "start" and isinstance(line.get("session"), dict):
            state.header = line["session"]
        elif kind == "set" and isinstance(line.get("key"), str):
            state.fields[line["key"]] = line.get("v")
        elif kind == "item" and isinstance(line.get("key"), str) and isinstance(line.get("i"), int):
            state.lists.setdefault(line["key"], {})[line["i"]] = line.get("v")
        elif kind == "commit" and isinstance(line.get("session"), dict):
            state.committed = line["session"]
            state.targets = [str(t) for t in line.get("targets") or []]
        else:
            state.bad_lines += 1
    return state


def read_journal(path: Path) -> JournalState:
    """Read one journal; unreadable lines are counted, never fatal."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return JournalState(path, bad_lines=1)
    return parse_journal(path, text.splitlines())


def pending_journals(home: Path) -> list[JournalState]:
    """Every journal left behind by an earlier run, oldest first."""
    folder = journal_dir(home)
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: (p.stat().st_mtime, p.name))
    return [read_journal(p) for p in paths]
