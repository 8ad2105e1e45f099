"""The player's finished sessions and personal bests, kept in ``<data_dir>/history.json``.

A small local log the results screen reads for personal bests; it works whether or not the
database (``game.storage``) is available. Writes are atomic; a damaged file is moved aside
(``history.json.corrupt-<n>``), never overwritten, and the player is told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game.session_result import POINTS_GROUP, REP_GROUP, SessionResult
from game.settings import backup_corrupt, write_json_atomic

HISTORY_FILE = "history.json"
MAX_SESSIONS = 500

# Personal-best metrics per history group (``SessionResult.mode``): (key in the result's
# ``stats``, label, higher is better).
BEST_METRICS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    REP_GROUP: (("reps", "Reps", True), ("avg_score", "Average form", True),
                ("best_score", "Best rep", True)),
    POINTS_GROUP: (("score", "Score", True), ("hits", "Hits", True), ("best_combo", "Best combo", True),
                   ("accuracy_pct", "Accuracy", True)),
}


@dataclass
class History:
    path: Path
    sessions: list[dict[str, Any]] = field(default_factory=list)
    notice: str | None = None

    @classmethod
    def load(cls, home: Path) -> History:
        path = home / HISTORY_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            sessions = data.get("sessions") if isinstance(data, dict) else None
            if not isinstance(sessions, list) or not all(isinstance(s, dict) for s in sessions):
                raise ValueError("no session list")
            return cls(path, sessions)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            try:
                backup = backup_corrupt(path)
                where = f"kept a copy as {backup.name}"
            except OSError:
                where = "could not move it aside"
            return cls(path, [], notice=f"Your workout history was damaged ({exc}); {where} and "
                       "started a new one.")

    def bests(self, mode_key: str, exercise: str,
              exclude_uid: str | None = None) -> dict[str, float]:
        """Best value of each metric over sessions of the same exercise (but ``exclude_uid``)."""
        out: dict[str, float] = {}
        for s in self.sessions:
            if (exclude_uid is not None and s.get("uid") == exclude_uid) or \
                    s.get("exercise") != exercise or s.get("warmup") or \
                    (s.get("stats") or {}).get("scoring") == "free":
                continue  # a warm-up is easy on purpose, a free-scored clip not the game: no best
            for key, _, higher in BEST_METRICS.get(mode_key, ()):
                v = s.get("stats", {}).get(key)
                if isinstance(v, (int, float)):
                    if key not in out or (v > out[key] if higher else v < out[key]):
                        out[key] = float(v)
        return out

    def add(self, result: SessionResult, *, for_leaderboard: bool | None = None) -> list[str]:
        """Record a finished session and save; returns labels of the personal bests it set.

        A session already here (same ``uid``: a journal replayed after a crash) is not added
        again and sets no new best."""
        if result.uid and self.has(result.uid):
            return []
        new: list[str] = []
        if result.is_ranked:  # not a warm-up, nor a free-scored clip
            before = self.bests(result.mode, result.exercise)
            for key, label, higher in BEST_METRICS[result.mode]:
                v = result.stat(key)
                if not isinstance(v, (int, float)) or v <= 0:
                    continue
                old = before.get(key)
                if old is None or (v > old if higher else v < old):
                    if old is not None:  # the first session is not a "new best"
                        new.append(label)
        self.sessions.append(history_row(result, new, for_leaderboard=for_leaderboard))
        del self.sessions[:-MAX_SESSIONS]
        write_json_atomic(self.path, {"version": 1, "sessions": self.sessions})
        return new

    def has(self, uid: str) -> bool:
        return any(s.get("uid") == uid for s in self.sessions)

    def recent(self, n: int = 10) -> list[dict[str, Any]]:
        return list(reversed(self.sessions[-n:]))


def history_row(result: SessionResult, personal_bests: list[str], *,
                for_leaderboard: bool | None = None) -> dict[str, Any]:
    """The row history.json keeps for a finished session: the result's JSON, whether it was
    meant for the leaderboard (a scripted run's never is) and the bests it set. Rows written by
    earlier versions have the same shape (:meth:`SessionResult.from_json` reads both)."""
    row = result.to_json()
    if for_leaderboard is not None:
        row["for_leaderboard"] = for_leaderboard
    row["personal_bests"] = list(personal_bests)
    return row
