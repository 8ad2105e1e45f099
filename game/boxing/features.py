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


def _frame_vectors(samples: Sequence[BodySample], hand: str, arm_m: float) -> np.ndarray:
    """Per sample, (N, FEATURES), quantities that do not depend on where the camera stands
    (heights, lengths, angles to the vertical), nor much on BlazePose's weak depth -- the same
    kind of evidence the rules use, which is what carries from generated bodies to real ones.
    Computed on stacked arrays (half the time of a frame-by-frame loop: the window is built on the
    frame a punch is confirmed, the frame the per-frame cost goal is about); the test keeps the
    frame-by-frame definition and checks these numbers against it. Columns 8, 12 and 13 (speeds,
    travel) are filled in on the time grid by :func:`window_features`."""
    arms = [s.arm(hand) for s in samples]
    others = [s.left if hand == "right" else s.right for s in samples]
    wrist = np.array([a.wrist_m for a in arms], dtype=np.float64)
    elbow = np.array([a.elbow_m for a in arms], dtype=np.float64)
    shoulder = np.array([a.shoulder_m for a in arms], dtype=np.float64)
    nose = np.array([s.nose_m for s in samples], dtype=np.float64)
    across = np.array([s.other_shoulder[hand] for s in samples], dtype=np.float64)
    L = arm_m
    fore = wrist - elbow
    upper = elbow - shoulder
    fore_n = np.linalg.norm(fore, axis=1)
    upper_n = np.linalg.norm(upper, axis=1)
    out = np.zeros((len(samples), FEATURES))
    out[:, 0] = [a.straightness for a in arms]
    out[:, 1] = (wrist[:, 1] - shoulder[:, 1]) / L
    out[:, 2] = (elbow[:, 1] - shoulder[:, 1]) / L
    out[:, 3] = fore[:, 1] / np.where(fore_n == 0.0, 1e-9, fore_n)
    out[:, 4] = upper[:, 1] / np.where(upper_n == 0.0, 1e-9, upper_n)
    reach = wrist - shoulder
    out[:, 5] = np.hypot(reach[:, 0], reach[:, 2]) / L
    out[:, 6] = np.linalg.norm(wrist - nose, axis=1) / L
    cross = wrist - across
    out[:, 7] = np.hypot(cross[:, 0], cross[:, 2]) / L
    valid = np.array([o.is_valid for o in others])
    o_wrist = np.array([o.wrist_m for o in others], dtype=np.float64)
    o_shoulder = np.array([o.shoulder_m for o in others], dtype=np.float64)
    # The other arm hidden (the far arm side-on): BlazePose's guess for it is not evidence, so
    # the model sees a neutral guard instead.
    out[:, 9] = np.where(valid, [o.straightness for o in others], 0.6)
    out[:, 10] = np.where(valid, (o_wrist[:, 1] - o_shoulder[:, 1]) / L, 0.0)
    out[:, 11] = np.where(valid, np.linalg.norm(o_wrist - nose, axis=1) / L, 0.6)
    bent = elbow - shoulder
    out[:, 14] = np.hypot(bent[:, 0], bent[:, 2]) / L
    out[:, 15] = nose[:, 1] / L
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
    vecs = _frame_vectors(samples, hand, arm_m)
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
