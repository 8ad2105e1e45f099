"""The augmentations of the generalisation check (``ringside eval --augment``): each does what it
says to a skeleton stream, and the rep engine holds on a synthetic set under every one of them."""

from __future__ import annotations

import numpy as np
import pytest

from game.evaluation.augment import AUGMENTATIONS, _result_row, mirror, resample, roll, summarise, zoom
from game.evaluation.labels import ClipLabel, LabelledPunch
from game.evaluation.scoring import judge
from game.exercises import BOXING
from game.pose.types import LM, PoseFrame
from game.reps.synthetic import Camera, Move, simulate
from tests.game.reps.support import run


def _set(seed: int = 1, fps: float = 30.0) -> list[PoseFrame]:
    # A moment at the top between reps: a 0.3 s hole in the stream right over a lockout with no
    # pause hides it (reported as no_lockout; docs/ACCURACY.md, "Generalisation check").
    top = Move("stand", 0.5)
    return simulate("squat", [Move("stand", 1.0)] + [Move("rep", 2.0), top] * 3 + [Move("stand", 1.0)],
                    rng=np.random.default_rng(seed), camera=Camera(yaw_deg=40.0), fps=fps)


def test_mirror_flips_the_picture_and_swaps_the_sides() -> None:
    frames = _set()
    once = mirror(frames, np.random.default_rng(0))
    f, m = frames[0], once[0]
    assert f.landmarks_px is not None and m.landmarks_px is not None
    w = f.image_size[0]
    assert m.landmarks_px[LM.LEFT_KNEE, 0] == pytest.approx(w - f.landmarks_px[LM.RIGHT_KNEE, 0])
    assert m.landmarks_px[LM.NOSE, 0] == pytest.approx(w - f.landmarks_px[LM.NOSE, 0])
    twice = mirror(once, np.random.default_rng(0))
    assert twice[5].landmarks_px is not None and frames[5].landmarks_px is not None
    assert np.allclose(twice[5].landmarks_px, frames[5].landmarks_px)


@pytest.mark.parametrize("fps", [10.0, 15.0, 60.0])
def test_resample_gives_the_frame_rate_asked_for(fps: float) -> None:
    frames = _set()
    out = resample(fps)(frames, np.random.default_rng(0))
    dt = np.diff([f.timestamp_ms for f in out])
    assert np.allclose(dt, 1000.0 / fps)
    span = frames[-1].timestamp_ms - frames[0].timestamp_ms
    assert abs(len(out) - span * fps / 1000.0) <= 2


def test_zoom_scales_the_picture_and_leaves_the_body_alone() -> None:
    frames = _set()
    out = zoom(frames, np.random.default_rng(3))
    first, last = frames[-1], out[-1]
    assert first.landmarks_px is not None and last.landmarks_px is not None
    size0 = np.ptp(first.landmarks_px[:, 1])
    size1 = np.ptp(last.landmarks_px[:, 1])
    assert size1 / size0 == pytest.approx(0.8, abs=0.01) or size1 / size0 == pytest.approx(1.25, abs=0.01)
    assert first.world_m is not None and last.world_m is not None
    assert np.array_equal(first.world_m, last.world_m)


def test_roll_turns_image_and_world_together() -> None:
    frames = _set()
    out = roll(frames, np.random.default_rng(4))
    f, r = frames[0], out[0]
    assert f.landmarks_px is not None and r.landmarks_px is not None and f.world_m is not None and r.world_m is not None

    def tilt(p: np.ndarray) -> float:
        d = p[LM.LEFT_SHOULDER, :2] - p[LM.LEFT_ANKLE, :2]
        return float(np.degrees(np.arctan2(d[0], -d[1])))

    turned = tilt(r.landmarks_px) - tilt(f.landmarks_px)
    assert 4.0 <= abs(turned) <= 8.0
    assert tilt(r.world_m) - tilt(f.world_m) == pytest.approx(turned, abs=0.5)


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_the_engine_counts_a_synthetic_set_under_every_augmentation(name: str) -> None:
    for seed in range(2):
        frames = AUGMENTATIONS[name](_set(seed), np.random.default_rng(seed))
        det, _ = run(frames, "squat")
        assert det.count == 3, (name, seed, [(r.counted, r.reason) for r in det.reps])


def _punch_event(t: float, kind: str, complete: bool = True) -> dict[str, object]:
    return {"type": "punch", "t": t, "kind": kind, "hand": "left", "complete": complete}


def test_punch_clips_are_judged_and_summed_per_augmentation() -> None:
    """The generalisation check covers the punch detector too: a punch clip's run carries its
    labelled/found/invented punches and kinds, summed per augmentation apart from the rep runs."""
    punch_clip = ClipLabel("video/p.mp4", exercise=BOXING, punches=3,
                           punch_list=(LabelledPunch(1.0, "jab"), LabelledPunch(2.0, "hook"), LabelledPunch(3.0, "uppercut")))
    negative = ClipLabel("video/n.mp4", exercise=BOXING, count_max=0)
    squat = ClipLabel("video/s.mp4", exercise="squat", reps=1, bottoms_s=(1.0,))
    # Found: the jab (right kind), the hook named jab (wrong kind); the uppercut missed; one invented.
    found = [_punch_event(1.1, "jab"), _punch_event(2.05, "jab"), _punch_event(5.0, "cross"),
             _punch_event(3.0, "uppercut", complete=False)]
    rows = [_result_row(punch_clip, "fps10", 0, judge(punch_clip, found)),
            _result_row(negative, "fps10", 0, judge(negative, [_punch_event(0.5, "jab")])),
            _result_row(squat, "fps10", 0, judge(squat, [{"type": "rep", "counted": True, "bottom": 1.0}]))]
    assert rows[0].is_punch_run and rows[1].is_punch_run and not rows[2].is_punch_run
    assert (rows[0].labelled, rows[0].found, rows[0].invented) == (3, 2, 1)
    assert (rows[0].kinds_judged, rows[0].kinds_right) == (2, 1)
    s = summarise(rows)["fps10"]
    assert s["reps"] == {"runs": 1, "ok": 1}
    p = s["punches"]
    assert (p["runs"], p["ok"]) == (2, 1)  # 3 found vs 3 labelled is within tolerance; the negative is not
    assert (p["labelled"], p["found"], p["invented"], p["kinds_right"], p["kinds_judged"]) == (3, 2, 2, 1, 2)
