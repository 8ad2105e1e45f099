"""The punch detector on the labelled real punches of ../shared/data (front hooks and uppercuts,
side-on jab and cross, a labelled shadowboxing combination, cable uppercuts) and the boxing
negatives. Skipped, with the reason, when the shared data is absent.

These clips are checked as a whole (recall, precision, kinds over all of them), not tuned one by
one: the product is also judged on recordings of the same kinds that are not in this folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from game.boxing import PunchEvent
from game.evaluation.scoring import double_reports
from tests.game.boxing.test_real_recordings import run

pytestmark = pytest.mark.shared_data

MATCH_S = 0.35  # a detection this close to a labelled punch is that punch
LABELLED = ("punch_jab_side_boxinggym", "punch_cross_side_boxinggym", "punch_hooks_front_boxinggym",
            "punch_uppercuts_front_boxinggym", "punch_shadowbox_labelled_overlay", "punch_uppercut_cable_gym")


def complete_punches(path: Path) -> list[PunchEvent]:
    return [e for e in run(path) if e.complete]


def match(labels: list[dict[str, Any]], found: list[PunchEvent]) -> dict[int, PunchEvent]:
    """Labelled punch index -> the detection matched to it (nearest first, each used once)."""
    pairs = sorted((abs(lab["t"] - e.t_s), i, j) for i, lab in enumerate(labels) for j, e in enumerate(found)
                   if abs(lab["t"] - e.t_s) <= MATCH_S)
    out: dict[int, PunchEvent] = {}
    used: set[int] = set()
    for _, i, j in pairs:
        if i not in out and j not in used:
            out[i] = found[j]
            used.add(j)
    return out


@pytest.fixture(scope="module")
def results(shared_recording: Callable[[str], Path], labels: dict[str, Any]) -> list[tuple[str, dict[str, Any], PunchEvent | None]]:
    rows = []
    for stem in LABELLED:
        kinds = labels["videos"][f"video/{stem}.mp4"]["kinds"]
        found = complete_punches(shared_recording(stem))
        got = match(kinds, found)
        rows += [(stem, lab, got.get(i)) for i, lab in enumerate(kinds)]
        rows += [(stem, {"t": None, "kind": "none"}, e) for e in found if e not in got.values()]
    return rows


def test_most_labelled_punches_are_found_and_nothing_is_invented(results: list[tuple[str, dict[str, Any], PunchEvent | None]]) -> None:
    labelled = [r for r in results if r[1]["t"] is not None]
    found = [r for r in labelled if r[2] is not None]
    invented = [r for r in results if r[1]["t"] is None]
    # Before the relaunch from a wind-up, depth-weighted motion and dips read on hanging arms:
    # 4 of these 18 were found.
    assert len(found) >= 0.85 * len(labelled), [(s, lab["t"]) for s, lab, e in labelled if e is None]
    assert len(invented) <= 1, [(s, e.to_json()) for s, _, e in invented if e is not None]


def test_found_punches_are_named_right(results: list[tuple[str, dict[str, Any], PunchEvent | None]]) -> None:
    found = [(s, lab, e) for s, lab, e in results if lab["t"] is not None and e is not None]
    right = [r for r in found if r[1]["kind"] == r[2].kind]
    assert len(right) >= 0.85 * len(found), [(s, lab["t"], lab["kind"], e.kind) for s, lab, e in found]
    # Uppercuts driven from the hip read straight-armed to BlazePose seen from the front; they
    # are uppercuts all the same (before: every one of them was called a cross).
    ups = [r for r in found if r[1]["kind"] == "uppercut"]
    assert ups and all(e.kind == "uppercut" for _, _, e in ups), [(s, lab["t"], e.kind) for s, lab, e in ups]


@pytest.mark.parametrize("stem", ["neg_boxing_duck_walk", "neg_high_knees_gym_60fps"])
def test_boxing_negatives_count_nothing(stem: str, shared_recording: Callable[[str], Path]) -> None:
    assert complete_punches(shared_recording(stem)) == []


@pytest.mark.parametrize("stem", ["punch_uppercuts_front_boxinggym", "punch_uppercut_cable_gym"])
def test_an_uppercut_seen_half_then_complete_is_reported_once(stem: str, shared_recording: Callable[[str], Path]) -> None:
    """The state machine judged two of these uppercuts half at their peak and the rise cue complete
    0.07-0.1 s later (0.63 s and 2.75 s): the half report is superseded (``HalfHold``)."""
    assert double_reports([e.to_json() for e in run(shared_recording(stem))]) == 0


def test_the_cable_guard_hand_is_not_reported_punching_under_the_uppercuts(shared_recording: Callable[[str], Path]) -> None:
    """The left hand stays in guard (the label); the body's turn under each right uppercut carried
    it into 6 half "jabs" peaking during the uppercuts. None is reported now."""
    events = run(shared_recording("punch_uppercut_cable_gym"))
    uppercuts = [e for e in events if e.complete and e.hand == "right"]
    carried = [e for e in events if not e.complete and e.hand == "left"
               and any(u.onset_s <= e.t_s <= u.t_s for u in uppercuts)]
    assert len(uppercuts) >= 5 and carried == []
