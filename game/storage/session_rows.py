"""A finished session as the database's records: the one mapping from a
:class:`~game.session_result.SessionResult` to :class:`SessionRecord`, :class:`RepRecord` and
:class:`PunchRecord` (pure; the repository writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from game.hrv.plan import session_load_au
from game.session_result import SessionResult
from game.storage.types import PunchRecord, RepRecord, SessionRecord

# Session-RPE defaults when the player gave none (Foster 2001 scale): steady squat sets ~5,
# shadowboxing intervals ~6.
DEFAULT_RPE_POINTS = 6.0
DEFAULT_RPE_REPS = 5.0


@dataclass(frozen=True)
class SessionRows:
    session: SessionRecord
    reps: tuple[RepRecord, ...]
    punches: tuple[PunchRecord, ...]


def event_ms(t_s: float) -> int:
    """Session seconds as the integer milliseconds the database and the protocol keep. Rounded
    to the millisecond first, as the saved JSON is, so a session saved when it ends and the
    same session replayed from its journal give the same rows."""
    return int(round(t_s, 3) * 1000)


def session_rows(result: SessionResult) -> SessionRows:
    kind = result.exercise or "unknown"
    started = datetime.fromtimestamp(result.started_s, tz=timezone.utc)
    rpe = DEFAULT_RPE_POINTS if result.is_points else DEFAULT_RPE_REPS
    score = result.stat("score") if result.is_points else result.stat("avg_score")
    record = SessionRecord(uid=result.uid, kind=kind, started_utc=started,
                           duration_s=result.active_s,
                           load_au=session_load_au(result.active_s, rpe), rpe=None,
                           score=None if score is None else float(score),
                           plan=dict(result.plan or {}), summary=dict(result.stats))
    reps = tuple(RepRecord(idx=i, exercise=kind, t_ms=event_ms(r.t_s), is_counted=r.counted,
                           depth_deg=_num(r.metrics.get("depth_deg")),
                           velocity_mps=_num(r.metrics.get("peak_velocity_mps")),
                           score=_num(r.score), metrics=dict(r.metrics))
                 for i, r in enumerate(result.reps))
    punches = tuple(PunchRecord(idx=i, t_ms=event_ms(p.t_s), hand=str(p.hand or "?"),
                                kind=str(p.kind or "?"), is_hit=True, speed_mps=None,
                                score=_num(p.points), metrics={})
                    for i, p in enumerate(result.punches))
    return SessionRows(record, reps, punches)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
