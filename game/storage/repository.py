"""The repository: a small API over one SQLAlchemy session. The caller owns the transaction
(:meth:`game.storage.database.Database.transaction`); nothing here commits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, defer

from game.errors import StorageError
from game.hrv.plan import CoachOverride
from game.hrv.records import Measurement
from game.storage.models import (
    CoachOverrideRow,
    HrvRecordRow,
    ProfileRow,
    PunchRow,
    ReadinessDayRow,
    RepRow,
    SessionRow,
)
from game.storage.types import (
    Profile,
    PunchRecord,
    RepRecord,
    SessionRecord,
    StoredReadiness,
    StoredSession,
)


class Repository:
    """Reads and writes the local store. ``now`` arguments are aware UTC datetimes (no clock here)."""

    def __init__(self, session: Session) -> None:
        self._s = session

    # ---------------------------------------------------------------- profile
    def profile(self, *, now: datetime) -> Profile:
        """The local player's profile, created on first use."""
        row = self._s.scalar(select(ProfileRow).where(ProfileRow.id == 1))
        if row is None:
            row = ProfileRow(id=1, player_uid=str(uuid.uuid4()), display_name="Player", created_at=now, settings_json="{}")
            self._s.add(row)
            self._s.flush()
        return Profile(row.player_uid, row.display_name, row.created_at, json.loads(row.settings_json))

    def update_profile(self, *, now: datetime, display_name: str | None = None,
                       settings: Mapping[str, Any] | None = None) -> Profile:
        self.profile(now=now)
        row = self._s.get(ProfileRow, 1)
        assert row is not None
        if display_name is not None:
            name = display_name.strip()
            if not name or len(name) > 80:
                raise StorageError("a display name must be 1-80 characters")
            row.display_name = name
        if settings is not None:
            merged = {**json.loads(row.settings_json), **dict(settings)}
            row.settings_json = json.dumps(merged, sort_keys=True)
        self._s.flush()
        return Profile(row.player_uid, row.display_name, row.created_at, json.loads(row.settings_json))

    # ---------------------------------------------------------------- HRV
    def add_measurements(self, measurements: Iterable[Measurement], *, now: datetime) -> int:
        """Insert measurements; ones already stored (same uid) are skipped. Returns how many were new."""
        return len(self.add_new_measurements(measurements, now=now))

    def add_new_measurements(self, measurements: Iterable[Measurement], *, now: datetime) -> set[str]:
        """Like :meth:`add_measurements`, returning the uids that were new."""
        added: set[str] = set()
        batch: list[dict[str, Any]] = []
        for m in measurements:
            batch.append(_measurement_row(m, now))
            if len(batch) >= 500:
                added |= self._insert_ignore(batch)
                batch = []
        if batch:
            added |= self._insert_ignore(batch)
        return added

    def _insert_ignore(self, rows: list[dict[str, Any]]) -> set[str]:
        uids = [r["uid"] for r in rows]
        existing = set(self._s.scalars(select(HrvRecordRow.uid).where(HrvRecordRow.uid.in_(uids))))
        fresh = {r["uid"]: r for r in rows if r["uid"] not in existing}
        if not fresh:
            return set()
        stmt = sqlite_insert(HrvRecordRow).on_conflict_do_nothing(index_elements=["uid"])
        self._s.execute(stmt, list(fresh.values()))
        return set(fresh)

    def move_measurements(self, measurements: Iterable[Measurement]) -> set[str]:
        """Give stored measurements the start (and day, notes, origin) of these ones with the same
        uid: the player told us when an undated recording was made. Returns the uids moved."""
        moved: set[str] = set()
        for m in measurements:
            row = self._s.scalars(select(HrvRecordRow).where(HrvRecordRow.uid == m.uid)).one_or_none()
            if row is None or (row.start_utc == m.start_utc and row.utc_offset_min == m.utc_offset_min):
                continue
            row.start_utc, row.utc_offset_min, row.day = m.start_utc, m.utc_offset_min, m.day
            row.notes_json, row.origin = json.dumps(list(m.notes)), m.origin
            moved.add(m.uid)
        self._s.flush()
        return moved

    def measurements(self, *, since: date | None = None, until: date | None = None,
                     with_beats: bool = True) -> list[Measurement]:
        """Stored measurements ordered by time, optionally limited to local days [since, until].
        ``with_beats=False`` leaves ``rr_ms`` empty (readiness never needs the beats)."""
        q = select(HrvRecordRow).order_by(HrvRecordRow.start_utc, HrvRecordRow.id)
        if not with_beats:
            q = q.options(defer(HrvRecordRow.rr_ms_json))
        if since is not None:
            q = q.where(HrvRecordRow.day >= since)
        if until is not None:
            q = q.where(HrvRecordRow.day <= until)
        return [_measurement_from_row(r, with_beats) for r in self._s.scalars(q)]

    def measurement_count(self) -> int:
        return int(self._s.scalar(select(func.count()).select_from(HrvRecordRow)) or 0)

    def replace_readiness(self, days: Sequence[StoredReadiness], *, now: datetime) -> None:
        """Replace the stored readiness history (it is derived data, recomputed after imports)."""
        self._s.execute(delete(ReadinessDayRow))
        for d in days:
            self._s.add(ReadinessDayRow(
                series_key=d.series_key, day=d.day, state=d.state, value_ln=d.value_ln,
                rolling7_ln=d.rolling7_ln, band_low_ln=d.band_low_ln, band_high_ln=d.band_high_ln,
                resting_hr_bpm=d.resting_hr_bpm, detail_json=json.dumps(dict(d.detail), default=str),
                computed_at=now,
            ))
        self._s.flush()

    def readiness_history(self, *, series_key: str | None = None) -> list[StoredReadiness]:
        q = select(ReadinessDayRow).order_by(ReadinessDayRow.series_key, ReadinessDayRow.day)
        if series_key is not None:
            q = q.where(ReadinessDayRow.series_key == series_key)
        return [
            StoredReadiness(r.series_key, r.day, r.state, r.value_ln, r.rolling7_ln, r.band_low_ln,
                            r.band_high_ln, r.resting_hr_bpm, json.loads(r.detail_json))
            for r in self._s.scalars(q)
        ]

    # ---------------------------------------------------------------- sessions, reps, punches
    def add_session(self, record: SessionRecord) -> int:
        """Save a finished session; returns its id. Saving the same ``uid`` again returns the
        existing id and changes nothing (the game and the network client may both retry)."""
        existing = self._s.scalar(select(SessionRow.id).where(SessionRow.uid == record.uid))
        if existing is not None:
            return int(existing)
        if record.duration_s < 0 or record.load_au < 0:
            raise StorageError("a session's duration and load cannot be negative")
        if record.started_utc.tzinfo is None:
            raise StorageError("a session's started_utc must be timezone-aware (UTC)")
        row = SessionRow(
            uid=record.uid, kind=record.kind, started_utc=record.started_utc, duration_s=record.duration_s,
            load_au=record.load_au, rpe=record.rpe, score=record.score,
            plan_json=json.dumps(dict(record.plan), default=str), summary_json=json.dumps(dict(record.summary), default=str),
        )
        self._s.add(row)
        self._s.flush()
        return int(row.id)

    def add_reps(self, session_id: int, reps: Iterable[RepRecord]) -> int:
        """Attach reps to a session; a rep index already stored for it is skipped. Returns new count."""
        self._require_session(session_id)
        have = set(self._s.scalars(select(RepRow.idx).where(RepRow.session_id == session_id)))
        n = 0
        for r in reps:
            if r.idx in have:
                continue
            have.add(r.idx)
            self._s.add(RepRow(session_id=session_id, idx=r.idx, exercise=r.exercise, t_ms=r.t_ms,
                               is_counted=r.is_counted, depth_deg=r.depth_deg, velocity_mps=r.velocity_mps,
                               score=r.score, metrics_json=json.dumps(dict(r.metrics), default=str)))
            n += 1
        self._s.flush()
        return n

    def add_punches(self, session_id: int, punches: Iterable[PunchRecord]) -> int:
        """Attach punches to a session; an index already stored for it is skipped. Returns new count."""
        self._require_session(session_id)
        have = set(self._s.scalars(select(PunchRow.idx).where(PunchRow.session_id == session_id)))
        n = 0
        for p in punches:
            if p.idx in have:
                continue
            have.add(p.idx)
            self._s.add(PunchRow(session_id=session_id, idx=p.idx, t_ms=p.t_ms, hand=p.hand, kind=p.kind,
                                 is_hit=p.is_hit, speed_mps=p.speed_mps, score=p.score,
                                 metrics_json=json.dumps(dict(p.metrics), default=str)))
            n += 1
        self._s.flush()
        return n

    def sessions(self, *, since_utc: datetime | None = None, unsynced_only: bool = False) -> list[StoredSession]:
        q = select(SessionRow).order_by(SessionRow.started_utc, SessionRow.id)
        if since_utc is not None:
            q = q.where(SessionRow.started_utc >= since_utc)
        if unsynced_only:
            q = q.where(SessionRow.synced_at.is_(None))
        out = []
        for row in self._s.scalars(q):
            reps = self._s.scalar(select(func.count()).select_from(RepRow).where(RepRow.session_id == row.id))
            punches = self._s.scalar(select(func.count()).select_from(PunchRow).where(PunchRow.session_id == row.id))
            out.append(StoredSession(row.id, _session_record(row), int(reps or 0), int(punches or 0), row.synced_at))
        return out

    def reps(self, session_id: int) -> list[RepRecord]:
        q = select(RepRow).where(RepRow.session_id == session_id).order_by(RepRow.idx)
        return [RepRecord(r.idx, r.exercise, r.t_ms, r.is_counted, r.depth_deg, r.velocity_mps, r.score,
                          json.loads(r.metrics_json)) for r in self._s.scalars(q)]

    def punches(self, session_id: int) -> list[PunchRecord]:
        q = select(PunchRow).where(PunchRow.session_id == session_id).order_by(PunchRow.idx)
        return [PunchRecord(p.idx, p.t_ms, p.hand, p.kind, p.is_hit, p.speed_mps, p.score,
                            json.loads(p.metrics_json)) for p in self._s.scalars(q)]

    def mark_synced(self, session_uid: str, *, now: datetime) -> None:
        row = self._s.scalar(select(SessionRow).where(SessionRow.uid == session_uid))
        if row is None:
            raise StorageError(f"no session {session_uid!r} to mark as synced")
        row.synced_at = now
        self._s.flush()

    def daily_load(self, *, since_utc: datetime, utc_offset_min: int = 0) -> list[tuple[date, float]]:
        """(local day, load) per stored session since ``since_utc``, for the training-load figure."""
        tz = timezone(timedelta(minutes=utc_offset_min))
        q = select(SessionRow.started_utc, SessionRow.load_au).where(SessionRow.started_utc >= since_utc)
        return [(t.astimezone(tz).date(), float(load)) for t, load in self._s.execute(q)]

    def _require_session(self, session_id: int) -> None:
        if self._s.get(SessionRow, session_id) is None:
            raise StorageError(f"no session with id {session_id}")

    # ---------------------------------------------------------------- coach overrides
    def set_override(self, override: CoachOverride, *, now: datetime) -> None:
        """Set the coach's plan for a day; replaces an earlier one from the same origin."""
        row = self._s.scalar(select(CoachOverrideRow).where(
            CoachOverrideRow.day == override.day, CoachOverrideRow.origin == override.origin))
        if row is None:
            row = CoachOverrideRow(day=override.day, origin=override.origin)
            self._s.add(row)
        row.coach = override.coach
        row.preset = override.preset
        row.patch_json = json.dumps(dict(override.adjustments), sort_keys=True)
        row.note = override.note
        row.created_at = override.created_utc or now
        self._s.flush()

    def clear_override(self, day: date, *, origin: str | None = None) -> int:
        """Remove the override(s) for a day; returns how many were removed."""
        q = delete(CoachOverrideRow).where(CoachOverrideRow.day == day)
        if origin is not None:
            q = q.where(CoachOverrideRow.origin == origin)
        result = self._s.execute(q)
        return int(getattr(result, "rowcount", 0) or 0)

    def override_for(self, day: date) -> CoachOverride | None:
        """The override that applies to ``day``: the most recently set one, whatever its origin."""
        row = self._s.scalar(select(CoachOverrideRow).where(CoachOverrideRow.day == day)
                             .order_by(CoachOverrideRow.created_at.desc(), CoachOverrideRow.id.desc()))
        if row is None:
            return None
        return CoachOverride(day=row.day, coach=row.coach, preset=row.preset,
                             adjustments=tuple(sorted(json.loads(row.patch_json).items())),
                             note=row.note, origin=row.origin, created_utc=row.created_at)


def _measurement_row(m: Measurement, now: datetime) -> dict[str, Any]:
    return {
        "uid": m.uid, "source": m.source, "device": m.device[:120], "kind": m.kind,
        "start_utc": m.start_utc,
        "utc_offset_min": m.utc_offset_min, "day": m.day, "context": m.context,
        "rmssd_ms": m.rmssd_ms, "sdnn_ms": m.sdnn_ms, "resting_hr_bpm": m.resting_hr_bpm,
        "mean_hr_bpm": m.mean_hr_bpm, "duration_s": m.duration_s, "beats_total": m.beats_total,
        "beats_used": m.beats_used, "artefacts_corrected": m.artefacts_corrected, "quality": m.quality,
        "is_usable": m.is_usable, "reject_reason": m.reject_reason, "notes_json": json.dumps(list(m.notes)),
        "rr_ms_json": json.dumps([round(x, 1) for x in m.rr_ms]), "origin": m.origin,
        "imported_at": now,
    }


def _measurement_from_row(r: HrvRecordRow, with_beats: bool = True) -> Measurement:
    return Measurement(
        uid=r.uid, source=r.source, device=r.device, start_utc=r.start_utc, utc_offset_min=r.utc_offset_min,
        day=r.day, context=r.context,  # type: ignore[arg-type]
        origin=r.origin, rmssd_ms=r.rmssd_ms, sdnn_ms=r.sdnn_ms, resting_hr_bpm=r.resting_hr_bpm,
        mean_hr_bpm=r.mean_hr_bpm, duration_s=r.duration_s, beats_total=r.beats_total, beats_used=r.beats_used,
        artefacts_corrected=r.artefacts_corrected, quality=r.quality, is_usable=r.is_usable,
        reject_reason=r.reject_reason, notes=tuple(json.loads(r.notes_json)),
        rr_ms=tuple(json.loads(r.rr_ms_json)) if with_beats else (), kind=r.kind,
    )


def _session_record(row: SessionRow) -> SessionRecord:
    return SessionRecord(uid=row.uid, kind=row.kind, started_utc=row.started_utc, duration_s=row.duration_s,
                         load_au=row.load_au, rpe=row.rpe, score=row.score, plan=json.loads(row.plan_json),
                         summary=json.loads(row.summary_json))
