"""The punch-kind model's input: a short window of normalised upper-body landmarks.

Shared by the training script (``models/train_punch_model.py``) and the runtime
(``game/boxing/model_kind.py``) so both see exactly the same numbers.

Window: ``WINDOW`` steps at 30 Hz ending at the frame that confirmed the peak (what the detector
has at that moment; no look-ahead), linearly resampled from the frames' own timestamps.
Per step, ``FEATURES`` values that do not depend on the camera's position: the punching arm's
straightness, heights of wrist and elbow above the shoulder, how vertical forearm and upper arm
are, horizontal reach, distances to the nose and the other shoulder, wrist speed and distance
travelled in the window, and the other arm's straightness, height, distance to the nose and speed
(lengths in arm lengths, speeds in arm lengths per second). A left and a right hook seen from any
camera yaw give the same picture, and BlazePose's weak depth matters little.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from game.boxing.kinematics import BodySample

if TYPE_CHECKING:
    from game.boxing.detector import Candidate

WINDOW = 16
STEP_S = 1.0 / 30.0
FEATURES = 16
CLASSES = ("straight", "hook", "uppercut", "none")


def _frame_vector(s: BodySample, hand: str, arm_m: float) -> np.ndarray:
    """Quantities of one frame that do not depend on where the camera stands (heights, lengths,
    angles to the vertical), nor much on BlazePose's weak depth -- the same kind of evidence the
    rules use, which is what carries from generated bodies to real ones."""
    a = s.arm(hand)
    o = s.left if hand == "right" else s.right
    L = arm_m
    fore = a.wrist_m - a.elbow_m
    upper = a.elbow_m - a.shoulder_m
    out = np.empty(FEATURES)
    out[0] = a.straightness
    out[1] = (a.wrist_m[1] - a.shoulder_m[1]) / L
    out[2] = (a.elbow_m[1] - a.shoulder_m[1]) / L
    out[3] = fore[1] / (np.linalg.norm(fore) or 1e-9)
    out[4] = upper[1] / (np.linalg.norm(upper) or 1e-9)
    out[5] = float(np.hypot(*(a.wrist_m - a.shoulder_m)[[0, 2]])) / L
    out[6] = float(np.linalg.norm(a.wrist_m - s.nose_m)) / L
    out[7] = float(np.hypot(*(a.wrist_m - s.other_shoulder[hand])[[0, 2]])) / L
    out[8] = 0.0  # wrist speed, filled in on the time grid
    if o.is_valid:
        out[9] = o.straightness
        out[10] = (o.wrist_m[1] - o.shoulder_m[1]) / L
        out[11] = float(np.linalg.norm(o.wrist_m - s.nose_m)) / L
    else:
        # The other arm is hidden (the far arm in a side view): BlazePose's guess for it is not
        # evidence, so the model sees a neutral guard instead.
        out[9], out[10], out[11] = 0.6, 0.0, 0.6
    out[12] = 0.0  # other wrist speed, filled in on the time grid
    out[13] = 0.0  # distance from the window's first wrist position, filled in on the grid
    out[14] = float(np.hypot(*(a.elbow_m - a.shoulder_m)[[0, 2]])) / L
    out[15] = (s.nose_m[1]) / L
    return out


def window_features(samples: Sequence[BodySample], hand: str, t_end_s: float, t_peak_s: float,
                    arm_m: float) -> np.ndarray | None:
    """(WINDOW, FEATURES) float32, or None when the window is not covered by samples."""
    if len(samples) < 4 or arm_m <= 0:
        return None
    # Only the frames the window covers (and one either side) are needed.
    t_from = t_end_s - STEP_S * (WINDOW + 1)
    recent = [s for s in samples if s.t_s >= t_from]
    if len(recent) < 4:
        recent = list(samples)[-4:]
    samples = recent
    times = np.array([s.t_s for s in samples])
    vecs = np.stack([_frame_vector(s, hand, arm_m) for s in samples])
    wrist = np.stack([s.arm(hand).wrist_m for s in samples]) / arm_m
    other = np.stack([o.wrist_m if o.is_valid else o.shoulder_m
                      for o in ((s.left if hand == "right" else s.right) for s in samples)]) / arm_m
    grid = t_end_s - STEP_S * np.arange(WINDOW - 1, -1, -1)
    if grid[0] < times[0] - 2 * STEP_S:
        # Not enough history (the track just started): pad with the earliest frame.
        grid = np.maximum(grid, times[0])
    out = np.empty((WINDOW, FEATURES), dtype=np.float32)
    for j in range(FEATURES):
        out[:, j] = np.interp(grid, times, vecs[:, j])
    wg = np.stack([np.interp(grid, times, wrist[:, k]) for k in range(3)], axis=1)
    og = np.stack([np.interp(grid, times, other[:, k]) for k in range(3)], axis=1)
    out[1:, 8] = np.linalg.norm(np.diff(wg, axis=0), axis=1) / STEP_S
    out[0, 8] = out[1, 8]
    out[1:, 12] = np.linalg.norm(np.diff(og, axis=0), axis=1) / STEP_S
    out[0, 12] = out[1, 12]
    out[:, 13] = np.linalg.norm(wg - wg[0], axis=1)
    return out


# -- the excursion judge's input ------------------------------------------------------------------

JUDGE_CLASSES = ("none", "straight", "hook", "uppercut")
RULE_FAMILIES = ("none", "straight", "hook", "uppercut")
EXCURSION_FEATURES = (
    "travel", "log_peak_speed", "extension", "start_extension", "extension_gain", "guard_height",
    "guard_radius", "wrist_height", "wrist_over_nose", "elbow_height", "forearm_up", "drive_up",
    "rise", "sweep", "home_s", "duration_s", "flail", "wrist_to_nose", "reach", "is_3d",
    "rules_refused", "rules_none", "rules_straight", "rules_hook", "rules_uppercut", "rules_complete",
)


def excursion_features(c: Candidate, refused: bool, rule_family: str, rule_complete: bool) -> np.ndarray:
    """One excursion of one hand (the detector's :class:`Candidate`) as a vector for the judge
    model: the same body-scaled evidence the rules read (lengths in arm lengths, heights against
    the shoulders, speeds in arm lengths per second), plus the rules' own verdict, so the model
    learns where the rules are wrong rather than everything from scratch. Nothing here depends on
    where the camera stands or which hand punched."""
    elbow_up = float(c.peak_elbow[1] - c.peak_shoulder[1])
    fore = c.peak_wrist - c.peak_elbow
    drive = c.peak_wrist - c.start
    rel = c.peak_wrist - c.peak_shoulder
    v = [
        min(c.travel, 2.0),
        float(np.log(max(c.peak_speed, 0.1))),
        c.extension,
        c.start_extension,
        c.extension - c.start_extension,
        float(c.guard[1]),
        float(np.hypot(c.guard[0], c.guard[2])),
        float(rel[1]),
        float(c.peak_wrist[1] - c.nose[1]),
        elbow_up,
        float(fore[1] / (np.linalg.norm(fore) or 1e-9)),
        float(drive[1] / (np.linalg.norm(drive) or 1e-9)),
        float(np.clip(c.rise, -1.0, 2.0)),
        float(np.clip(c.sweep, -1.0, 2.0)),
        min(c.home_s, 1.0),
        min(c.t_peak_s - c.onset_s, 1.0),
        float(c.flail),
        float(np.linalg.norm(c.peak_wrist - c.nose)),
        float(np.hypot(rel[0], rel[2])),
        float(c.is_3d),
        float(refused),
        *[float(rule_family == f) for f in RULE_FAMILIES[:]],
        float(rule_complete and not refused),
    ]
    return np.asarray(v, dtype=np.float64)
