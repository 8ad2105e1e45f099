"""Frozen records the repository takes and returns (rows never leave the storage package)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Profile:
    player_uid: str
    display_name: str
    created_at: datetime
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionRecord:
    """A finished training session, as the game saves it.

    ``uid`` is chosen by the caller (a UUID) so the network client can sync it idempotently.
    ``load_au`` is training load in arbitrary units, minutes x intensity (session-RPE method,
    Foster 2001); :func:`game.hrv.plan.session_load_au` computes it. ``started_utc`` must be aware.
    """

    uid: str
    kind: str
    started_utc: datetime
    duration_s: float
    load_au: float
    rpe: float | None = None
    score: float | None = None
    plan: Mapping[str, Any] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredSession:
    id: int
    record: SessionRecord
    rep_count: int
    punch_count: int
    synced_at: datetime | None


@dataclass(frozen=True)
class RepRecord:
    """One rep attempt. ``is_counted`` is false for a shallow rep the counter refused."""

    idx: int
    exercise: str
    t_ms: int
    is_counted: bool
    depth_deg: float | None = None
    velocity_mps: float | None = None
    score: float | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PunchRecord:
    """One punch thrown. ``is_hit`` says whether it landed on a target in time."""

    idx: int
    t_ms: int
    hand: str
    kind: str
    is_hit: bool
    speed_mps: float | None = None
    score: float | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredReadiness:
    """One stored readiness day (the numbers behind the state, for history and the chart)."""

    series_key: str
    day: date
    state: str
    value_ln: float | None
    rolling7_ln: float | None
    band_low_ln: float | None
    band_high_ln: float | None
    resting_hr_bpm: float | None
    detail: Mapping[str, Any] = field(default_factory=dict)
