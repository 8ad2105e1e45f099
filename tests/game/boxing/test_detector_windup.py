"""A hook's wind-up flung down and out is not a complete straight.

On punch_hooks_front_boxinggym both hooks are preceded by the arm flung down and out (the fist
0.38-0.46 arm lengths below the shoulder). The old engine read that arm 0.84 and 0.73 straight (a
half straight, not counted), the new one 0.86 (a complete jab or cross: a phantom). Between the
straightness of a straight (0.85) and a lock-out (0.92) where the fist ended decides.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from game.boxing.detector import Candidate, DetectorOptions, rule_kind, straight_is_complete

OPT = DetectorOptions()


def straight_arm(extension: float, fist_below_shoulder: float) -> Candidate:
    """A right arm reaching forward (depth) with its fist ``fist_below_shoulder`` arm lengths
    below the shoulder, the elbow on the line between (arm lengths, shoulders' midpoint origin)."""
    shoulder = np.array([-0.3, 0.0, 0.0])
    wrist = shoulder + np.array([0.0, -fist_below_shoulder, -0.8])
    elbow = (shoulder + wrist) / 2
    return Candidate(
        hand="right", onset_s=1.0, t_peak_s=1.2, detected_s=1.25,
        guard=np.array([-0.2, -0.1, -0.2]), start=np.array([-0.2, -0.1, -0.2]),
        peak_wrist=wrist, peak_elbow=elbow, peak_shoulder=shoulder, peak_other_shoulder=-shoulder,
        onset_shoulder=shoulder, onset_other_shoulder=-shoulder, nose=np.array([0.0, 0.25, -0.1]),
        travel=0.7, peak_speed=5.0, peak_speed_mps=3.0, extension=extension, start_extension=0.5,
        arm_m=0.6, flail=False, home_s=0.5, onset_gap_s=1 / 30, rise=0.0, sweep=0.0,
    )


@pytest.mark.parametrize("extension", [0.86, 0.9])
def test_a_straightish_arm_flung_low_is_not_a_complete_straight(extension: float) -> None:
    c = straight_arm(extension, fist_below_shoulder=0.42)
    assert rule_kind(c, OPT) == ("straight", False)


@pytest.mark.parametrize("fist_below_shoulder", [-0.1, 0.0, 0.2])
def test_a_straight_at_chest_height_or_above_is_complete(fist_below_shoulder: float) -> None:
    assert rule_kind(straight_arm(0.86, fist_below_shoulder), OPT) == ("straight", True)


def test_a_locked_out_arm_is_complete_wherever_the_fist_ends() -> None:
    """A straight to the body that locks out still counts."""
    assert rule_kind(straight_arm(0.95, fist_below_shoulder=0.45), OPT) == ("straight", True)


def test_the_model_path_judges_completeness_alike() -> None:
    c = straight_arm(0.87, fist_below_shoulder=0.42)
    assert not straight_is_complete(c, OPT)
    assert straight_is_complete(dataclasses.replace(c, extension=0.93), OPT)
