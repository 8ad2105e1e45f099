"""Calibration: the body in front of the camera, its top position and its own range of motion.

Two ways in, same result (:class:`Calibration`):
- explicit: :func:`calibrate` over a few seconds of standing (plank for push-ups), optionally
  followed by one slow rep, before the set starts;
- automatic: the engine calls :func:`from_ready_window` on the frames in which the person stood
  still in the top position just before the first rep (this is what ``ringside analyze`` uses).

Everything is relative to the person: the top angle is their own (tracked standing knees read
161-178 degrees depending on the person and the view), distances are fractions of their own height
in the image, velocities are in metres from BlazePose's metric world landmarks.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from game.calibration import BodyProfile
from game.errors import CalibrationError
from game.pose.types import PoseFrame
from game.reps.definitions import ExerciseDefinition
from game.reps.features import Features, extract_all

# Share of the calibration rep's flexion that later reps must reach when the person's own range is
# short of the standard: their best effort minus tracker noise and smoothing (about 5 degrees).
OWN_RANGE_SHARE = 0.9


@dataclass(frozen=True, slots=True)
class Calibration:
    top_angle_deg: float  # the primary angle (knee, elbow) at the top, this person, this view
    top_secondary_deg: float | None  # e.g. thigh inclination when standing
    required_flexion_deg: float  # flexion from the top that counts as full range
    height_px: float  # hips above ankles (shoulders above wrists) in the image, pixels
    height_m: float | None  # the same in metres (world landmarks)
    planted_xy_px: tuple[float, float]  # where the feet (hands) are on the floor
    feet_low_y_px: tuple[float, float]  # floor line under each foot
    heel_minus_toe_px: float
    yaw_deg: float | None
    view: str  # "front" | "three_quarter" | "side" | "unknown"
    source: str  # "stream" | "explicit"
    own_max_flexion_deg: float | None = None  # deepest flexion seen in a calibration rep


def classify_view(yaw_deg: float | None) -> str:
    """Body yaw to the camera: shoulders and hips square to it (front) or in line with it (side)."""
    if yaw_deg is None:
        return "unknown"
    if yaw_deg < 30.0:
        return "front"
    if yaw_deg < 60.0:
        return "three_quarter"
    return "side"


def is_top_posture(defn: ExerciseDefinition, f: Features) -> bool:
    """Standing tall (plank with straight arms for push-ups): a valid start for a rep."""
    if f.primary_deg < defn.ready_min_angle_deg:
        return False
    if defn.posture == "upright":
        return f.torso_from_vertical_deg <= defn.torso_ready_deg
    return f.torso_from_vertical_deg >= defn.torso_ready_deg


def _median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))


def from_ready_window(defn: ExerciseDefinition, window: Sequence[Features], *, source: str = "stream") -> Calibration:
    """Calibrate from frames of the top position (at least one). Medians resist tracker glitches."""
    if not window:
        raise CalibrationError("No frames of the start position: stand tall and still in view, then try again")
    secs = [f.secondary_deg for f in window if f.secondary_deg is not None]
    hs = [f.height_m for f in window if f.height_m is not None]
    yaws = [f.yaw_deg for f in window if f.yaw_deg is not None]
    yaw = _median(yaws) if yaws else None
    return Calibration(
        top_angle_deg=_median([f.primary_deg for f in window]),
        top_secondary_deg=_median(secs) if secs else None,
        required_flexion_deg=defn.required_flexion_deg,
        height_px=max(1.0, _median([f.height_px for f in window])),
        height_m=_median(hs) if hs else None,
        planted_xy_px=(_median([f.planted_xy_px[0] for f in window]), _median([f.planted_xy_px[1] for f in window])),
        feet_low_y_px=(_median([f.feet_low_y_px[0] for f in window]), _median([f.feet_low_y_px[1] for f in window])),
        heel_minus_toe_px=_median([f.heel_minus_toe_px for f in window]),
        yaw_deg=yaw,
        view=classify_view(yaw),
        source=source,
    )


def calibrate(defn: ExerciseDefinition, frames: Iterable[PoseFrame]) -> Calibration:
    """Explicit calibration: a few seconds in the top position, then (optionally) one slow rep.

    The standing frames give the top angle, size in the image and floor line. If the frames also
    hold a rep, its deepest flexion is the person's own range: when that is short of the standard
    (a mobility limit), the counting depth is relaxed to 90 % of it, but never below the
    definition's ``min_required_flexion_deg`` (so a quarter squat never counts).

    Raises :class:`CalibrationError` when no frame shows the start position.
    """
    feats = [f for f in extract_all(defn, frames) if isinstance(f, Features)]
    top = [f for f in feats if is_top_posture(defn, f)]
    if len(top) < 3:
        raise CalibrationError(
            f"Calibration needs you in the start position for a moment: {defn.cues.get('getting_ready', 'stand still')}"
        )
    cal = from_ready_window(defn, top, source="explicit")
    flex = [cal.top_angle_deg - f.primary_deg for f in feats]
    # Median of three neighbours: one glitchy frame must not set someone's range.
    smooth = [sorted(flex[max(0, i - 1) : i + 2])[len(flex[max(0, i - 1) : i + 2]) // 2] for i in range(len(flex))]
    max_flex = max(smooth)
    if max_flex >= 0.5 * defn.required_flexion_deg:
        required = min(defn.required_flexion_deg, max(defn.min_required_flexion_deg, OWN_RANGE_SHARE * max_flex))
        cal = replace(cal, required_flexion_deg=required, own_max_flexion_deg=max_flex)
    return cal


def from_profile(defn: ExerciseDefinition, profile: BodyProfile) -> Calibration | None:
    """The start position from the set-up scene's profile (the frames the player held still in),
    or None when those frames do not show this exercise's start position (a push-up starts in a
    plank, not standing): the engine then finds the start position itself, as it always re-fits
    it at the first still top of the set."""
    feats = [f for f in extract_all(defn, profile.frames) if isinstance(f, Features)]
    top = [f for f in feats if is_top_posture(defn, f)]
    if len(top) < 3:
        return None
    return from_ready_window(defn, top, source="explicit")


def refit(defn: ExerciseDefinition, base: Calibration, window: Sequence[Features]) -> Calibration:
    """A new start position for the same person: keep their own range, re-measure the rest."""
    fresh = from_ready_window(defn, window, source=base.source)
    return replace(fresh, required_flexion_deg=base.required_flexion_deg, own_max_flexion_deg=base.own_max_flexion_deg)
