"""What the rep engine tells the game: rep attempts, status changes, input problems, and the live view.

All are frozen dataclasses with ``to_json()`` (JSON-ready dicts with ``type`` and ``t`` in seconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CueKind = Literal["positive", "corrective"]


@dataclass(frozen=True, slots=True)
class Cue:
    key: str  # stable id, e.g. "not_deep_enough", "good_depth"
    text: str  # what to say or show
    kind: CueKind

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "text": self.text, "kind": self.kind}


@dataclass(frozen=True, slots=True)
class RepEvent:
    """One attempt: counted or not, with why, what was measured and how it scored."""

    t_s: float  # when the attempt ended (locked out or was abandoned)
    exercise: str
    counted: bool
    reason: str | None  # None when counted; else "not_deep_enough", "no_lockout", "jump", ...
    count: int  # counted reps so far, including this one
    metrics: dict[str, Any]
    score: int | None  # 0-100 for counted reps; None when the attempt did not count
    score_parts: dict[str, int]
    cues: tuple[Cue, ...]
    start_s: float = 0.0
    bottom_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "rep",
            "t": round(self.t_s, 3),
            "exercise": self.exercise,
            "counted": self.counted,
            "reason": self.reason,
            "count": self.count,
            "start": round(self.start_s, 3),
            "bottom": round(self.bottom_s, 3),
            "metrics": self.metrics,
            "score": self.score,
            "score_parts": dict(self.score_parts),
            "cues": [c.text for c in self.cues],
            "cue_keys": [c.key for c in self.cues],
        }


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """The counter's state changed: "getting_ready", "ready", "paused" or "counting"."""

    t_s: float
    state: str
    cue: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"type": "status", "t": round(self.t_s, 3), "state": self.state, "cue": self.cue}


InputKind = Literal[
    "person_lost",
    "person_reentered",
    "two_people_suspected",
    "frozen_stream",
    "stream_resumed",
    "missing_joints",
    "joints_back",
    "bad_timestamps",
    "invalid_landmarks",
]


@dataclass(frozen=True, slots=True)
class InputEvent:
    """Something is wrong (or right again) with the input; nothing is counted from bad frames."""

    t_s: float
    kind: InputKind
    cue: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "input", "t": round(self.t_s, 3), "kind": self.kind, "cue": self.cue}
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True, slots=True)
class CalibrationEvent:
    """The engine (re)calibrated to the person in view."""

    t_s: float
    source: str  # "stream" (auto, from standing still) or "explicit" (a calibration step)
    view: str
    top_angle_deg: float
    required_flexion_deg: float
    height_m: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "calibration",
            "t": round(self.t_s, 3),
            "source": self.source,
            "view": self.view,
            "top_angle_deg": round(self.top_angle_deg, 1),
            "required_flexion_deg": round(self.required_flexion_deg, 1),
            "height_m": None if self.height_m is None else round(self.height_m, 3),
        }


@dataclass(frozen=True, slots=True)
class RepView:
    """Everything a scene needs to draw the rep HUD for the current frame (see docs/REPS.md)."""

    exercise: str
    t_s: float
    count: int  # counted reps
    attempts: int  # all attempts, counted or not
    phase: str  # "getting_ready" | "top" | "descent" | "bottom" | "ascent" | "interrupted"
    is_paused: bool  # the counter is paused: last attempt did not count, or the input is bad
    cue: str | None  # the line to show now (pause reason, or the latest rep's cue)
    cue_kind: str | None  # "positive" | "corrective" | None
    rom: float  # range of motion 0..1 (1 = deep enough to count), for a meter
    is_depth_reached: bool  # the current attempt has reached counting depth
    is_calibrated: bool
    view: str  # "front" | "three_quarter" | "side" | "unknown"
    last_score: int | None
    last_counted: bool | None
    last_cues: tuple[str, ...] = field(default_factory=tuple)
    velocity_loss_pct: float | None = None
