"""Uppercuts really thrown are found: the front-view uppercuts (each preceded by a body dip, the
fist dropped to the hip) and the cable uppercuts (driven up from the hip against a cable that
pulls the fist back down), on our skeleton recordings of the shared videos. Skipped, with the
reason, when the shared data is absent.

Before the rise cue (docs/BOXING.md, "Uppercuts: the rise of the fist") 1 of 2 front and 2 of 6
cable uppercuts were found, the cable's dips reported as a "cross". Before "The body turns into an
uppercut" the cable clip counted 7 for 6: the right fist lifted to the chin at 7.38 s as the boxer
turns away to walk off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.game.boxing.test_detector_real import complete_punches, match

pytestmark = pytest.mark.shared_data

UPPERCUT_CLIPS = ("punch_uppercuts_front_boxinggym", "punch_uppercut_cable_gym")


@pytest.mark.parametrize("stem", UPPERCUT_CLIPS)
def test_thrown_uppercuts_are_found_as_uppercuts_and_nothing_else_counts(
        stem: str, shared_recording: Callable[[str], Path], labels: dict[str, Any]) -> None:
    kinds = labels["videos"][f"video/{stem}.mp4"]["kinds"]
    found = complete_punches(shared_recording(stem))
    got = match(kinds, found)
    named = [i for i, e in got.items() if e.kind == "uppercut" and e.hand == kinds[i]["hand"]]
    # Every labelled uppercut but at most one of the six cable ones: the first starts with the
    # clip and is found as a left uppercut (``test_the_cable_clips_first_uppercut_is_the_right_hands``).
    assert len(named) >= len(kinds) - len(kinds) // 6, (
        [(lab["t"], got[i].kind if i in got else None) for i, lab in enumerate(kinds)], [e.to_json() for e in found])
    invented = [e for e in found if e not in got.values()]
    assert not invented, [e.to_json() for e in invented]


@pytest.mark.xfail(strict=True, reason=(
    "known limitation (docs/BOXING.md Limitations): the right fist's drive at 0.04-0.33 s leaps 0.42 "
    "of its 0.75 arm lengths in one frame (refused 'no extension phase'); the LEFT wrist landmark "
    "drops onto the right fist crossing the chest at 0.40 s and rises back with it: reported as a "
    "left uppercut at 0.50 s"))
def test_the_cable_clips_first_uppercut_is_the_right_hands(
        shared_recording: Callable[[str], Path], labels: dict[str, Any]) -> None:
    kinds = labels["videos"]["video/punch_uppercut_cable_gym.mp4"]["kinds"]
    got = match(kinds, complete_punches(shared_recording("punch_uppercut_cable_gym")))
    assert 0 in got, "the first uppercut is not found at all"
    assert (got[0].kind, got[0].hand) == ("uppercut", kinds[0]["hand"]), got[0].to_json()
