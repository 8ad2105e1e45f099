"""Per-rep metrics, the 0-100 form score with its parts, and the coach that picks cues.

Pure functions of the frames of one attempt (plus the set so far). Nothing here names an
exercise: a definition lists the extra metrics it measures (:data:`METRICS`, by name), the scored
parts (:data:`SCORERS`, by name) and their limits (``ExerciseDefinition.limits``); where the
limits come from is in docs/REPS.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from game.reps.calibration import Calibration
from game.reps.definitions import ExerciseDefinition
from game.reps.events import Cue
from game.reps.features import Features

WEIGHTS = {"depth": 35, "torso": 20, "body_line": 20, "knees": 15, "heels": 10, "symmetry": 10, "control": 10,
           "spread": 20}

# Velocity loss against the set's best rep. 20 % and 30 % are the usual stop-the-set thresholds
# in velocity-based training (Sanchez-Medina & Gonzalez-Badillo 2011; Pareja-Blanco et al. 2017).
FATIGUE_WARN_PCT = 20.0
FATIGUE_STOP_PCT = 30.0


@dataclass(frozen=True, slots=True)
class Sample:
    """One judged frame of an attempt."""

    p: float
    f: Features


def _lin(value: float, good: float, bad: float) -> float:
    """100 at ``good`` (or better), 0 at ``bad`` (or worse); works for either direction."""
    if good == bad:
        return 100.0
    x = (value - bad) / (good - bad)
    return 100.0 * max(0.0, min(1.0, x))


def _quantile(xs: Sequence[float], q: float) -> float:
    ys = sorted(xs)
    return ys[min(len(ys) - 1, max(0, round(q * (len(ys) - 1))))]


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None or not math.isfinite(x) else round(x, nd)


@dataclass(frozen=True, slots=True)
class Attempt:
    """What a named metric reads: the frames of one attempt, its deepest frame, and the frames of
    its bottom half (at least half the peak's progress)."""

    defn: ExerciseDefinition
    cal: Calibration
    frames: Sequence[Features]
    peak: Sample
    bottom_half: Sequence[Features]


def _below_parallel(a: Attempt) -> bool:
    """Hip crease at or below the top of the knee = thigh at or below level (NSCA depth)."""
    secs = [f.secondary_deg for f in a.frames if f.secondary_deg is not None]
    return bool(secs and min(secs) <= 0.0)


def _torso_shin_diff(a: Attempt) -> float | None:
    return _r(a.peak.f.torso_from_vertical_deg - a.peak.f.shin_from_vertical_deg)


def _heel_lift(a: Attempt) -> float | None:
    lifts = [(a.cal.heel_minus_toe_px - f.heel_minus_toe_px) / a.cal.height_px for f in a.frames]
    return _r(max(0.0, max(lifts)), 3)


# Front view only: knees caving in is a left-right movement, which BlazePose measures well face on;
# turned away, it lies in depth, its weakest axis. Quartiles over the bottom half rather than
# extremes: a fault is held, jitter is not.
def _knee_ratio(a: Attempt) -> float | None:
    ratios = [f.knee_ratio for f in a.bottom_half if f.knee_ratio is not None]
    return _r(_quantile(ratios, 0.25), 2) if ratios and a.cal.view == "front" else None


def _front_knee_medial(a: Attempt) -> float | None:
    medial = [f.front_knee_medial for f in a.bottom_half if f.front_knee_medial is not None]
    return _r(_quantile(medial, 0.75), 2) if medial and a.cal.view == "front" else None


def _body_line(a: Attempt) -> float | None:
    return _r(min(f.body_line_deg for f in a.frames))


#: Extra per-rep metrics a definition can ask for (``ExerciseDefinition.metrics``), by key.
METRICS: dict[str, Callable[[Attempt], Any]] = {
    "below_parallel": _below_parallel,
    "torso_shin_diff_deg": _torso_shin_diff,
    "heel_lift_ratio": _heel_lift,
    "knee_ratio": _knee_ratio,
    "front_knee_medial": _front_knee_medial,
    "body_line_deg": _body_line,
}


def measure(
    defn: ExerciseDefinition,
    cal: Calibration,
    samples: Sequence[Sample],
    *,
    start_s: float,
    bottom_s: float,
    end_s: float,
    turn_s: float | None,
) -> dict[str, Any]:
    """Metrics of one attempt. Keys are stable (documented in docs/REPS.md); None = not measurable."""
    if not samples:
        return {}
    peak = max(samples, key=lambda s: s.p)
    fs = [s.f for s in samples]
    m: dict[str, Any] = {}
    name = defn.primary.name
    m["rom_pct"] = round(100.0 * peak.p)
    lowest = min(f.primary_deg for f in fs)
    if defn.primary.opens:
        # The features turn an opening joint around (180 - angle); report the angle itself.
        m[f"max_{name}_deg"] = _r(180.0 - lowest)
        m[f"{name}_opening_deg"] = _r(cal.top_angle_deg - lowest)
    else:
        m[f"min_{name}_deg"] = _r(lowest)
        m[f"{name}_flexion_deg"] = _r(cal.top_angle_deg - lowest)
    if defn.secondary is not None:
        secs = [f.secondary_deg for f in fs if f.secondary_deg is not None]
        m[f"min_{defn.secondary.name}_incline_deg"] = _r(min(secs)) if secs else None
    bottom_half = [s.f for s in samples if s.p >= 0.5 * peak.p] or fs
    if defn.posture == "upright":
        m["torso_lean_deg"] = _r(max(f.torso_from_vertical_deg for f in fs))
    if defn.spread is not None:
        # How far the points moved apart in this attempt (it starts at the top), scale lengths.
        spreads = [f.spread_ratio for f in fs if f.spread_ratio is not None]
        m["spread_gain"] = _r(max(spreads) - min(spreads), 2) if spreads else None
    attempt = Attempt(defn, cal, fs, peak, bottom_half)
    for key in defn.metrics:
        m[key] = METRICS[key](attempt)
    pairs = [
        abs(f.primary_left_deg - f.primary_right_deg)
        for f in bottom_half
        if f.primary_left_deg is not None and f.primary_right_deg is not None
    ]
    # From the side the far limb is hidden and its angle is a guess: no asymmetry claim there.
    m["asymmetry_deg"] = _r(sum(pairs) / len(pairs)) if pairs and cal.view != "side" else None
    m["descent_ms"] = round(1000.0 * (bottom_s - start_s))
    m["ascent_ms"] = round(1000.0 * (end_s - (turn_s if turn_s is not None else bottom_s)))
    m["bottom_ms"] = round(1000.0 * ((turn_s if turn_s is not None else bottom_s) - bottom_s))
    m["duration_ms"] = round(1000.0 * (end_s - start_s))
    mean_v, peak_v = concentric_velocity(samples, bottom_s) if defn.measures_velocity else (None, None)
    m["mean_velocity_mps"] = _r(mean_v, 3)
    m["peak_velocity_mps"] = _r(peak_v, 3)
    m["view"] = cal.view
    return m


def concentric_velocity(samples: Sequence[Sample], bottom_s: float) -> tuple[float | None, float | None]:
    """Mean and peak upward speed (m/s) of the moving points from the bottom to the end of the
    attempt, from world-landmark heights (bar speed in velocity-based training terms)."""
    up = [(s.f.t_s, s.f.height_m) for s in samples if s.f.t_s >= bottom_s and s.f.height_m is not None]
    if len(up) < 2:
        return None, None
    t0, h0 = up[0]
    t1, h1 = up[-1]
    lo = min(h for _, h in up)
    if t1 - t0 <= 0:
        return None, None
    mean_v = max(0.0, (h1 - lo) / (t1 - t0))
    # Peak over windows of at least 100 ms: frame-to-frame differences mostly measure jitter.
    peak_v = 0.0
    j = 0
    for i in range(len(up)):
        while j < len(up) and up[j][0] - up[i][0] < 0.1:
            j += 1
        if j >= len(up):
            break
        peak_v = max(peak_v, (up[j][1] - up[i][1]) / (up[j][0] - up[i][0]))
    return mean_v, (peak_v if peak_v > 0 else mean_v)


Limits = dict[str, tuple[float, float]]


def _depth(m: dict[str, Any], lim: Limits, peak_p: float, counted: bool) -> float | None:
    """70 at counting depth, 100 with 30 % more range (or at/below parallel where measured)."""
    v = 70.0 + 100.0 * (peak_p - 1.0) if counted else 70.0 * min(1.0, peak_p)
    if m.get("below_parallel"):
        v = 100.0
    return max(0.0, min(100.0, v))


def _torso(m: dict[str, Any], lim: Limits, peak_p: float, counted: bool) -> float | None:
    if m.get("torso_lean_deg") is None:
        return None
    v = _lin(m["torso_lean_deg"], *lim["torso_lean_deg"])
    if m.get("torso_shin_diff_deg") is not None and "torso_shin_diff_deg" in lim:
        v = 0.5 * (v + _lin(abs(m["torso_shin_diff_deg"]), *lim["torso_shin_diff_deg"]))
    return v


def _metric_part(*keys: str) -> Callable[[dict[str, Any], Limits, float, bool], float | None]:
    """A part scored from the first of ``keys`` that this rep measured, against its limits."""

    def score(m: dict[str, Any], lim: Limits, peak_p: float, counted: bool) -> float | None:
        key = next((k for k in keys if m.get(k) is not None), None)
        return None if key is None else _lin(m[key], *lim[key])

    return score


#: The scored parts a definition can list (``ExerciseDefinition.parts``), by name: each returns
#: 0-100, or None when this rep (this view) cannot measure it.
SCORERS: dict[str, Callable[[dict[str, Any], Limits, float, bool], float | None]] = {
    "depth": _depth,
    "torso": _torso,
    "knees": _metric_part("knee_ratio", "front_knee_medial"),
    "heels": _metric_part("heel_lift_ratio"),
    "symmetry": _metric_part("asymmetry_deg"),
    "body_line": _metric_part("body_line_deg"),
    "control": _metric_part("descent_ms"),
    "spread": _metric_part("spread_gain"),
}


def score_parts(defn: ExerciseDefinition, metrics: dict[str, Any], peak_p: float, counted: bool) -> dict[str, int]:
    """Each applicable part 0-100. Parts that cannot be measured in this view are left out."""
    parts: dict[str, float] = {}
    for part in defn.parts:
        v = SCORERS[part](metrics, defn.limits, peak_p, counted)
        if v is not None:
            parts[part] = v
    return {k: round(v) for k, v in parts.items()}


def total_score(parts: dict[str, int]) -> int:
    """Weighted mean of the parts present (weights renormalised over what this view can see)."""
    if not parts:
        return 0
    wsum = sum(WEIGHTS[k] for k in parts)
    return round(sum(WEIGHTS[k] * v for k, v in parts.items()) / wsum)


# Corrective cues by priority (safety first), each with the part and the level that triggers it.
_FAULTS: tuple[tuple[str, str, int], ...] = (
    ("knees_in", "knees", 60),
    ("body_line", "body_line", 60),
    ("torso", "torso", 55),
    ("heels", "heels", 50),
    ("asymmetry", "symmetry", 50),
    ("tempo", "control", 40),
)
_SAFETY = frozenset({"knees_in", "body_line"})
_POSITIVES: tuple[tuple[str, str, int], ...] = (
    ("good_depth", "depth", 90),
    ("good_knees", "knees", 90),
    ("good_line", "body_line", 90),
    ("good_control", "control", 90),
)


@dataclass
class Coach:
    """Chooses at most one or two cues per attempt: prioritised, rate-limited, often positive.

    - A rep that did not count always says why (that is the pause message).
    - A fix is praised right away ("Better: that one was deep enough").
    - Corrective cues: highest-priority fault first; the same cue at most every ``repeat_s``
      seconds, and no two corrective cues in a row unless safety-related, so the user hears what
      went right about as often as what to fix.
    - Fatigue (velocity loss) is announced when it crosses 20 % and again at 30 %.
    """

    defn: ExerciseDefinition
    repeat_s: float = 10.0
    last_given_s: dict[str, float] = field(default_factory=dict)
    last_kind: str | None = None
    last_reason: str | None = None
    fatigue_level: int = 0

    def _text(self, key: str, **fmt: float) -> str:
        text = self.defn.cues.get(key, key)
        return text.format(**fmt) if fmt else text

    def _recent(self, key: str, t_s: float) -> bool:
        last = self.last_given_s.get(key)
        return last is not None and t_s - last < self.repeat_s

    def cues_for(
        self, t_s: float, counted: bool, reason: str | None, parts: dict[str, int], velocity_loss_pct: float | None
    ) -> tuple[Cue, ...]:
        out: list[Cue] = []
        if not counted:
            key = reason or "not_deep_enough"
            out.append(Cue(key, self._text(key), "corrective"))
        else:
            if self.last_reason in ("not_deep_enough", "no_lockout"):
                key = "improved_depth" if self.last_reason == "not_deep_enough" else "improved_lockout"
                out.append(Cue(key, self._text(key), "positive"))
            if velocity_loss_pct is not None:
                level = 2 if velocity_loss_pct >= FATIGUE_STOP_PCT else 1 if velocity_loss_pct >= FATIGUE_WARN_PCT else 0
                if level > self.fatigue_level:
                    out.append(Cue("fatigue", self._text("fatigue", vl=velocity_loss_pct), "corrective"))
                self.fatigue_level = max(self.fatigue_level, level)
            if not out:
                fault = next(
                    (
                        k
                        for k, part, below in _FAULTS
                        if part in parts and parts[part] < below and k in self.defn.cues and not self._recent(k, t_s)
                        and (k in _SAFETY or self.last_kind != "corrective")
                    ),
                    None,
                )
                if fault is not None:
                    out.append(Cue(fault, self._text(fault), "corrective"))
                else:
                    good = [k for k, part, above in _POSITIVES if parts.get(part, 0) >= above and k in self.defn.cues]
                    fresh = [k for k in good if not self._recent(k, t_s)]
                    key = fresh[0] if fresh else "good_rep"
                    if not self._recent(key, t_s):
                        out.append(Cue(key, self._text(key), "positive"))
        for c in out:
            self.last_given_s[c.key] = t_s
        if out:
            self.last_kind = out[-1].kind
        self.last_reason = reason
        return tuple(out)
