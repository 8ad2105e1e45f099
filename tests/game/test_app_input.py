"""One input module: pose pointing and dwell selection behave like a mouse click."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from game.input import DWELL_MS, HoverSelect, hand_pointers
from game.moves import GUARD, STAND, Camera, KeyPose, pose_frame

TARGETS = {"a": (0.0, 0.0, 100.0, 100.0), "b": (200.0, 0.0, 100.0, 100.0)}


def test_dwell_fires_once_after_the_dwell_time() -> None:
    hs = HoverSelect()
    fired = [hs.update([(50, 50)], TARGETS, t) for t in np.arange(0, 3000, 16.0)]
    presses = [f for f in fired if f]
    assert presses == ["a"], "held still: exactly one press"
    first = next(i for i, f in enumerate(fired) if f) * 16.0
    assert DWELL_MS <= first <= DWELL_MS + 16


@given(st.lists(st.sampled_from([(50.0, 50.0), (250.0, 50.0), (500.0, 500.0)]), min_size=1,
                max_size=200))
def test_sweeping_a_hand_presses_nothing_it_did_not_rest_on(path: list[tuple[float, float]]) -> None:
    """Each point is held for one 100 ms frame: no press unless 10+ frames in a row on one button
    (a short gap off the button is tolerated, as jitter)."""
    hs = HoverSelect()
    t = 0.0
    presses = []
    for p in path:
        got = hs.update([p], TARGETS, t)
        if got:
            presses.append((got, t))
        t += 100.0
    for key, _ in presses:
        assert key in TARGETS


def test_moving_off_resets_progress() -> None:
    hs = HoverSelect()
    for t in range(0, 600, 16):
        hs.update([(50, 50)], TARGETS, t)
    assert hs.progress > 0.5
    for t in range(600, 1200, 16):
        hs.update([(900, 900)], TARGETS, t)
    assert hs.hover_id is None and hs.progress == 0.0


def _frame(pose: KeyPose) -> np.ndarray:
    f = pose_frame(pose, Camera(view="front"), 0.0)
    assert f.landmarks_px is not None
    return f.landmarks_px


def test_hands_at_rest_do_not_point_raised_hands_do() -> None:
    assert hand_pointers(_frame(STAND), (640, 480), (1280, 720), mirror=True) == []
    pts = hand_pointers(_frame(GUARD), (640, 480), (1280, 720), mirror=True)
    assert len(pts) == 2
    for x, y in pts:
        assert 0 <= x < 1280 and 0 <= y < 720


def test_mirror_flips_pointer_side() -> None:
    raised = KeyPose(hand_r=(0.1, 0.25, -0.45), hand_l=(0.05, -0.58, 0.03))
    lm = _frame(raised)
    (x_m, _), = hand_pointers(lm, (640, 480), (1280, 720), mirror=True)
    (x_n, _), = hand_pointers(lm, (640, 480), (1280, 720), mirror=False)
    assert (x_m - 640) * (x_n - 640) < 0
    # the player's right hand, held out to their right, is on the right of a mirrored screen
    assert x_m > 640


def test_both_hands_over_the_head_pause_once_and_nothing_else_does() -> None:
    from game.input import PAUSE_HOLD_MS, PauseGesture
    from game.moves import MOVES, pose_at

    overhead = KeyPose(hand_l=(0.05, 0.62, 0.05), hand_r=(0.05, 0.62, -0.05))
    g = PauseGesture()
    fired = [g.update(_frame(overhead), t) for t in np.arange(0, 3000, 33.0)]
    assert sum(fired) == 1
    assert next(i for i, f in enumerate(fired) if f) * 33.0 >= PAUSE_HOLD_MS
    # a whole squat, lunge, jab or cross never pauses
    for key in ("squat", "lunge", "jab", "cross", "slip"):
        g = PauseGesture()
        move = MOVES[key]
        for k in range(200):
            t = k * 33.0
            pf = pose_frame(pose_at(move, (t / 1000.0) % move.duration_s)[0],
                            Camera(view=move.view), t)
            assert not g.update(pf.landmarks_px, t), key


def test_a_player_out_of_view_for_a_while_is_noticed_once() -> None:
    from game.input import AWAY_PAUSE_MS, AwayWatch

    person = np.zeros((33, 4))
    w = AwayWatch()
    # nobody from the start: nothing to notice (the scene says "step into view")
    assert not any(w.update(None, t) for t in np.arange(0, 6000, 33.0))
    w = AwayWatch()
    assert not any(w.update(person, t) for t in np.arange(0, 1000, 33.0))
    fired = [w.update(None, t) for t in np.arange(1000, 1000 + 2 * AWAY_PAUSE_MS, 33.0)]
    assert sum(fired) == 1 and fired.index(True) * 33.0 >= AWAY_PAUSE_MS - 33.0
    # a short detection dropout is not leaving
    w = AwayWatch()
    w.update(person, 0.0)
    assert not any(w.update(None if k % 10 else person, k * 33.0) for k in range(1, 400))
