"""The kind model's per-frame inputs, computed on stacked arrays (``features._frame_vectors``),
against their frame-by-frame definition kept here as the readable reference: the same numbers on
random bodies, hidden other arms and degenerate (zero-length) limbs included."""

from __future__ import annotations

import numpy as np
import pytest

from game.boxing.features import FEATURES, _frame_vectors, window_features
from game.boxing.kinematics import ArmSample, BodySample


def reference_frame_vector(s: BodySample, hand: str, arm_m: float) -> np.ndarray:
    """One frame, one quantity at a time (the definition the model was trained on)."""
    a = s.arm(hand)
    o = s.left if hand == "right" else s.right
    fore = a.wrist_m - a.elbow_m
    upper = a.elbow_m - a.shoulder_m
    out = np.zeros(FEATURES)
    out[0] = a.straightness
    out[1] = (a.wrist_m[1] - a.shoulder_m[1]) / arm_m
    out[2] = (a.elbow_m[1] - a.shoulder_m[1]) / arm_m
    out[3] = fore[1] / (np.linalg.norm(fore) or 1e-9)
    out[4] = upper[1] / (np.linalg.norm(upper) or 1e-9)
    out[5] = float(np.hypot(*(a.wrist_m - a.shoulder_m)[[0, 2]])) / arm_m
    out[6] = float(np.linalg.norm(a.wrist_m - s.nose_m)) / arm_m
    out[7] = float(np.hypot(*(a.wrist_m - s.other_shoulder[hand])[[0, 2]])) / arm_m
    if o.is_valid:
        out[9] = o.straightness
        out[10] = (o.wrist_m[1] - o.shoulder_m[1]) / arm_m
        out[11] = float(np.linalg.norm(o.wrist_m - s.nose_m)) / arm_m
    else:
        out[9], out[10], out[11] = 0.6, 0.0, 0.6
    out[14] = float(np.hypot(*(a.elbow_m - a.shoulder_m)[[0, 2]])) / arm_m
    out[15] = s.nose_m[1] / arm_m
    return out


def _arm(rng: np.random.Generator, valid: bool, degenerate: bool) -> ArmSample:
    shoulder = rng.normal(0.0, 0.2, 3)
    elbow = shoulder if degenerate else shoulder + rng.normal(0.0, 0.3, 3)
    wrist = elbow if degenerate else elbow + rng.normal(0.0, 0.3, 3)
    return ArmSample(valid, wrist, elbow, shoulder, float(rng.uniform(0.2, 1.0)), 0.6)


def random_bodies(seed: int, n: int = 40) -> list[BodySample]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        out.append(BodySample(
            t_s=i / 30.0, is_3d=bool(rng.integers(2)),
            left=_arm(rng, bool(rng.random() > 0.2), bool(rng.random() < 0.05)),
            right=_arm(rng, bool(rng.random() > 0.2), bool(rng.random() < 0.05)),
            nose_m=rng.normal(0.0, 0.2, 3),
            other_shoulder={"left": rng.normal(0.0, 0.2, 3), "right": rng.normal(0.0, 0.2, 3)},
            shoulder_mid_px=np.array([320.0, 200.0]), torso_px=150.0))
    return out


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("hand", ["left", "right"])
def test_stacked_frame_vectors_are_the_frame_by_frame_definition(seed: int, hand: str) -> None:
    bodies = random_bodies(seed)
    arm_m = 0.6
    want = np.stack([reference_frame_vector(s, hand, arm_m) for s in bodies])
    got = _frame_vectors(bodies, hand, arm_m)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_a_window_is_sixteen_steps_of_finite_numbers() -> None:
    bodies = random_bodies(7)
    win = window_features(bodies, "left", bodies[-1].t_s, bodies[-1].t_s - 0.1, 0.6)
    assert win is not None and win.shape == (16, FEATURES) and np.isfinite(win).all()
