"""The first-time tutorial: every move is tried and confirmed by the detector before the next;
a wrong try gets a hint saying what to do and does not move on."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest

from game.boxing.tutorial import STEPS, Tutorial, TutorialEvent
from game.pose.types import PoseFrame
from models.punch_synth import scheduled_clip


def _play(tut: Tutorial, frames: Iterable[PoseFrame]) -> list[TutorialEvent]:
    events: list[TutorialEvent] = []
    for f in frames:
        events += tut.update(f)
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_player_who_does_each_move_goes_through_all_seven(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # guard from the start; then, 2.5 s apart: jab (lead = left), cross, hook, uppercut, slip, duck
    clip = scheduled_clip([(3.5, "jab", "left"), (6.0, "cross", "right"), (8.5, "hook", "left"),
                           (11.0, "uppercut", "right")], 17.0, rng,
                          slips=[(13.5, "left")], ducks=[16.0])
    tut = Tutorial(orthodox=True)
    events = _play(tut, clip.frames)
    confirmed = [e.step for e in events if e.type == "confirmed"]
    assert confirmed == [s.key for s in STEPS], [(e.type, e.step, e.text) for e in events]
    assert events[-1].type == "done" or tut.view().is_confirmed


def test_the_wrong_hand_gets_a_hint_and_the_step_waits() -> None:
    rng = np.random.default_rng(7)
    clip = scheduled_clip([(3.5, "jab", "right"), (5.5, "jab", "right")], 7.0, rng)
    tut = Tutorial(orthodox=True)
    events = _play(tut, clip.frames)
    assert [e.step for e in events if e.type == "confirmed"] == ["guard"]
    hints = [e.text for e in events if e.type == "hint"]
    assert hints and "other hand" in hints[0] and "left" in hints[0]
    assert tut.view().step.key == "jab"


def test_standing_still_never_confirms_a_dodge_and_skip_moves_on() -> None:
    rng = np.random.default_rng(3)
    clip = scheduled_clip([], 8.0, rng)
    tut = Tutorial(orthodox=True)
    _play(tut, clip.frames[:60])
    for _ in range(4):  # skip jab .. uppercut by hand
        tut.skip()
    tut.skip()
    assert tut.view().step.key in ("slip", "duck")
    events = _play(tut, clip.frames[60:])
    assert not [e for e in events if e.type == "confirmed" and e.step in ("slip", "duck")]
    while not tut.done:
        tut.skip()
    assert tut.view().is_done
