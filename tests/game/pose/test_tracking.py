"""Identity tracking on synthetic skeletons: crossing paths and leaving/returning never swap people."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pytest

from game.pose.tracking import PoseTracker, TrackerOptions, body_scale_px
from game.pose.types import LM, NUM_LANDMARKS
from tests.support.fuzz import cases

W, H = 640, 480

# A standing person's landmarks as offsets from the torso centre, in torso lengths (y down).
_BASE = np.zeros((NUM_LANDMARKS, 2))
_BASE[LM.NOSE] = (0.0, -0.95)
for i in range(1, 11):
    _BASE[i] = (0.08 * ((i % 3) - 1), -0.9 - 0.02 * (i % 2))
_BASE[LM.LEFT_SHOULDER], _BASE[LM.RIGHT_SHOULDER] = (0.22, -0.5), (-0.22, -0.5)
_BASE[LM.LEFT_ELBOW], _BASE[LM.RIGHT_ELBOW] = (0.3, -0.05), (-0.3, -0.05)
_BASE[LM.LEFT_WRIST], _BASE[LM.RIGHT_WRIST] = (0.32, 0.35), (-0.32, 0.35)
for j, side in ((17, 1), (18, -1), (19, 1), (20, -1), (21, 1), (22, -1)):
    _BASE[j] = (0.33 * side, 0.45)
_BASE[LM.LEFT_HIP], _BASE[LM.RIGHT_HIP] = (0.15, 0.5), (-0.15, 0.5)
_BASE[LM.LEFT_KNEE], _BASE[LM.RIGHT_KNEE] = (0.16, 1.2), (-0.16, 1.2)
_BASE[LM.LEFT_ANKLE], _BASE[LM.RIGHT_ANKLE] = (0.16, 1.9), (-0.16, 1.9)
for j, side in ((29, 1), (30, -1), (31, 1), (32, -1)):
    _BASE[j] = (0.17 * side, 2.0)


def person(x: float, y: float, torso_px: float, rng: np.random.Generator, *, noise_px: float = 1.5,
           arm_phase: float = 0.0) -> np.ndarray:
    """A synthetic skeleton (33, 4) centred at (x, y) px with the given torso length."""
    offsets = _BASE.copy()
    # Arms swing (a punch, a wave) so posture changes over time.
    for wrist, elbow, side in ((LM.LEFT_WRIST, LM.LEFT_ELBOW, 1), (LM.RIGHT_WRIST, LM.RIGHT_ELBOW, -1)):
        offsets[wrist] += (0.3 * side * np.sin(arm_phase), -0.4 * abs(np.sin(arm_phase)))
        offsets[elbow] += (0.15 * side * np.sin(arm_phase), -0.2 * abs(np.sin(arm_phase)))
    xy = np.array([x, y]) + offsets * torso_px + rng.normal(0, noise_px, offsets.shape)
    return np.column_stack([xy, np.zeros(NUM_LANDMARKS), np.full(NUM_LANDMARKS, 0.95)])


def run(tracker: PoseTracker, frames: list[list[tuple[str, np.ndarray]]], fps: float,
        rng: np.random.Generator) -> dict[str, set[int]]:
    """Feed frames of (true name, skeleton) in shuffled order; the ids each true person got."""
    got: dict[str, set[int]] = {}
    for k, people in enumerate(frames):
        order: Iterable[int] = rng.permutation(len(people)) if people else []
        shown = [people[i] for i in order]
        for a in tracker.update([sk for _, sk in shown], k * 1000.0 / fps, (W, H)):
            got.setdefault(shown[a.detection][0], set()).add(a.person_id)
    return got


def crossing(rng: np.random.Generator, *, fps: float, seconds: float, torso_a: float, torso_b: float,
             occlude: bool, dy: float) -> list[list[tuple[str, np.ndarray]]]:
    """A walks left to right, B right to left (possibly at different depths); they cross mid-way.
    When ``occlude``, whoever is behind is not detected while their torsos overlap."""
    n = int(fps * seconds)
    frames = []
    for k in range(n):
        u = k / (n - 1)
        xa, xb = 80 + u * (W - 160), W - 80 - u * (W - 160)
        a = ("A", person(xa, 220, torso_a, rng, arm_phase=6 * u))
        b = ("B", person(xb, 220 + dy, torso_b, rng, arm_phase=-5 * u + 1))
        people = [a, b]
        if occlude and abs(xa - xb) < 0.5 * max(torso_a, torso_b):
            people = [a] if torso_a >= torso_b else [b]  # the nearer (bigger) one hides the other
        frames.append(people)
    return frames


def test_two_people_crossing_never_swap() -> None:
    rng = np.random.default_rng(1)
    frames = crossing(rng, fps=30, seconds=3, torso_a=90, torso_b=90, occlude=True, dy=0)
    tracker = PoseTracker()
    got = run(tracker, frames, 30, rng)
    assert len(got["A"]) == 1 and len(got["B"]) == 1 and got["A"] != got["B"], got


@pytest.mark.fuzz
def test_crossing_fuzz_never_swaps() -> None:
    """Seeded variations: frame rate, sizes (adult and child), depth offset, occlusion, noise."""
    for case in cases(min_cases=20):
        rng = np.random.default_rng(1000 + case)
        fps = float(rng.choice([15, 20, 30, 60]))
        ta = float(rng.uniform(60, 130))
        tb = ta * float(rng.uniform(0.6, 1.0)) if rng.random() < 0.5 else ta
        frames = crossing(rng, fps=fps, seconds=float(rng.uniform(1.5, 4)), torso_a=ta, torso_b=tb,
                          occlude=bool(rng.random() < 0.7), dy=float(rng.uniform(-20, 20)))
        got = run(PoseTracker(), frames, fps, rng)
        assert len(got["A"]) == 1 and len(got["B"]) == 1 and got["A"] != got["B"], (case, got)


def test_one_leaves_and_comes_back_keeps_identity_and_slot() -> None:
    rng = np.random.default_rng(2)
    tracker = PoseTracker()
    slots: dict[str, set[str]] = {"A": set(), "B": set()}
    ids: dict[str, set[int]] = {"A": set(), "B": set()}
    for k in range(300):
        people = [("A", person(180, 220, 80, rng))]
        if not 60 <= k < 200:  # B (a child, smaller) is away for over 4 s, then comes back
            people.append(("B", person(470, 260, 55, rng)))
        for a in tracker.update([sk for _, sk in people], k * 33.3, (W, H)):
            name = people[a.detection][0]
            slots[name].add(a.slot)
            ids[name].add(a.person_id)
    assert slots == {"A": {"left"}, "B": {"right"}}
    assert len(ids["A"]) == len(ids["B"]) == 1 and ids["A"] != ids["B"]


def test_player_is_the_one_who_started_and_nobody_else_becomes_player() -> None:
    rng = np.random.default_rng(3)
    tracker = PoseTracker()
    players = set()
    for k in range(200):
        people = []
        if k < 120:
            people.append(("P", person(320, 220, 85, rng)))  # the player, then leaves
        if k >= 40:
            people.append(("S", person(450 - k, 230, 80, rng)))  # someone walks in
        for a in tracker.update([sk for _, sk in people], k * 33.3, (W, H)):
            if a.is_player:
                players.add(people[a.detection][0])
    assert players == {"P"}


def test_two_appearing_together_get_left_and_right_by_position_and_the_bigger_is_player() -> None:
    rng = np.random.default_rng(4)
    tracker = PoseTracker()
    small_right = person(480, 240, 50, rng)
    big_left = person(150, 240, 90, rng)
    out = tracker.update([small_right, big_left], 0.0, (W, H))
    by_det = {a.detection: a for a in out}
    assert by_det[0].slot == "right" and by_det[1].slot == "left"
    assert by_det[1].is_player and not by_det[0].is_player


def test_a_third_person_gets_no_identity_when_two_are_tracked() -> None:
    rng = np.random.default_rng(5)
    tracker = PoseTracker(TrackerOptions(max_people=2))
    dets = [person(100, 240, 70, rng), person(320, 240, 70, rng), person(540, 240, 70, rng)]
    assert len(tracker.update(dets, 0.0, (W, H))) == 2
    assert tracker.people == 2


def test_confidence_drops_when_two_people_overlap() -> None:
    rng = np.random.default_rng(6)
    tracker = PoseTracker()
    apart = [person(150, 240, 80, rng), person(490, 240, 80, rng)]
    conf_apart = min(a.confidence for a in tracker.update(apart, 0.0, (W, H)))
    tracker.update([person(150, 240, 80, rng), person(490, 240, 80, rng)], 33.0, (W, H))
    tracker2 = PoseTracker()
    tracker2.update([person(300, 240, 80, rng), person(340, 240, 80, rng)], 0.0, (W, H))
    near = tracker2.update([person(302, 240, 80, rng), person(338, 240, 80, rng)], 33.0, (W, H))
    far = tracker.update([person(152, 240, 80, rng), person(488, 240, 80, rng)], 66.0, (W, H))
    assert conf_apart == 1.0
    assert min(a.confidence for a in near) < min(a.confidence for a in far)


def test_body_scale_is_the_torso_or_a_third_of_the_bounding_box() -> None:
    rng = np.random.default_rng(7)
    sk = person(320, 240, 100, rng, noise_px=0.0)
    assert body_scale_px(sk) == pytest.approx(np.hypot(0.07, 1.0) * 100, rel=0.01)
    sk[[LM.LEFT_HIP, LM.RIGHT_HIP], 3] = 0.0
    diag = np.linalg.norm(sk[sk[:, 3] >= 0.5, :2].max(axis=0) - sk[sk[:, 3] >= 0.5, :2].min(axis=0))
    assert body_scale_px(sk) == pytest.approx(diag / 3.0)


def test_a_jump_cut_hands_the_player_identity_over_after_a_second() -> None:
    # One person; the video cuts and they stand elsewhere, larger: a new identity at first
    # (it could be someone else), the player's once the player has been gone for a second.
    rng = np.random.default_rng(8)
    tracker = PoseTracker()
    got = []
    for k in range(120):
        sk = person(180, 220, 80, rng) if k < 30 else person(470, 200, 110, rng)
        (a,) = tracker.update([sk], k * 33.3, (W, H))
        got.append((a.person_id, a.slot, a.is_player))
    assert got[0] == (1, "left", True) and got[29] == (1, "left", True)
    assert not got[31][2]  # not yet: 33 ms after the cut
    assert got[-1] == (1, "left", True)  # the identity (and slot) live on
    assert tracker.people == 1


def test_someone_seen_together_with_the_player_never_takes_over() -> None:
    rng = np.random.default_rng(9)
    tracker = PoseTracker()
    players = set()
    for k in range(150):
        people = [("S", person(470, 230, 80, rng))]
        if k < 40:
            people.append(("P", person(170, 230, 95, rng)))  # nearer: the player
        for a in tracker.update([sk for _, sk in people], k * 33.3, (W, H)):
            if a.is_player:
                players.add(people[a.detection][0])
    assert players == {"P"}


def test_after_a_cut_the_player_is_re_identified_at_once() -> None:
    rng = np.random.default_rng(10)
    tracker = PoseTracker()
    for k in range(30):
        tracker.update([person(180, 220, 80, rng)], k * 33.3, (W, H))
    (a,) = tracker.update([person(470, 200, 110, rng)], 30 * 33.3, (W, H), cut=True)
    assert (a.person_id, a.slot, a.is_player) == (1, "left", True)
