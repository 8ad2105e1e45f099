"""The punch-kind model's input: a short window of normalised upper-body landmarks.

Shared by the training script (``models/train_punch_model.py``) and the runtime
(``game/boxing/model_kind.py``) so both see exactly the same numbers.

Window: ``WINDOW`` steps at 30 Hz ending at the frame that confirmed the peak (what the detector
has at that moment; no look-ahead), linearly resampled from the frames' own timestamps.
Per step, ``FEATURES`` values in arm lengths, in a body frame: origin the shoulder midpoint, y up,
x from the punching side's shoulder to the other shoulder, z forward (the side the nose is on);
so a left and a right hook, seen from any camera yaw, give the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from game.boxing.kinematics import BodySample

WINDOW = 16
STEP_S = 1.0 / 30.0
FEATURES = 16
CLASSES = ("straight", "hook", "uppercut", "none")


def _body_rotation(s: BodySample, hand: str) -> np.ndarray:
    own = s.arm(hand).shoulder_m
    other = s.other_shoulder[hand]
    v = other - own
    ang = float(np.arctan2(v[2], v[0])) if s.is_3d and np.hypot(v[0], v[2]) > 1e-6 else 0.0
    c, si = np.cos(ang), np.sin(ang)
    # Rotate about y so that v lies along +x.
    R = np.array([[c, 0.0, si], [0.0, 1.0, 0.0], [-si, 0.0, c]])
    if not s.is_3d and v[0] < 0:
        R = np.diag([-1.0, 1.0, 1.0])
    nose = R @ s.nose_m
    if nose[2] < 0:
        R = np.diag([1.0, 1.0, -1.0]) @ R
    return R


def _frame_vector(s: BodySample, hand: str, R: np.ndarray, arm_m: float) -> np.ndarray:
    a = s.arm(hand)
    o = s.left if hand == "right" else s.right
    pts = (a.wrist_m, a.elbow_m, a.shoulder_m, o.wrist_m, s.nose_m)
    out = np.empty(FEATURES)
    for i, p in enumerate(pts):
        out[3 * i : 3 * i + 3] = (R @ p) / arm_m
    out[15] = a.straightness
    return out


def window_features(samples: Sequence[BodySample], hand: str, t_end_s: float, t_peak_s: float,
                    arm_m: float) -> np.ndarray | None:
    """(WINDOW, FEATURES) float32, or None when the window is not covered by samples."""
    if len(samples) < 4 or arm_m <= 0:
        return None
    times = np.array([s.t_s for s in samples])
    peak_i = int(np.argmin(np.abs(times - t_peak_s)))
    R = _body_rotation(samples[peak_i], hand)
    vecs = np.stack([_frame_vector(s, hand, R, arm_m) for s in samples])
    grid = t_end_s - STEP_S * np.arange(WINDOW - 1, -1, -1)
    if grid[0] < times[0] - 2 * STEP_S:
        # Not enough history (the track just started): pad with the earliest frame.
        grid = np.maximum(grid, times[0])
    out = np.empty((WINDOW, FEATURES), dtype=np.float32)
    for j in range(FEATURES):
        out[:, j] = np.interp(grid, times, vecs[:, j])
    return out
