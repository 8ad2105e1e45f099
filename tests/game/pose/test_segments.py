"""Pose on several cores: segments planned from the video alone, the same frames on 1 or 2 cores."""

from __future__ import annotations

import queue
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from game.errors import SourceError
from game.pose.segments import Segment, SegmentedPoses, plan_segments, segment_poses, share
from game.pose.types import Frame, PoseFrame, TrackedPose
from tests.support.arrays import same_or_both_missing


@given(st.integers(0, 200_000), st.sampled_from([10.0, 25.0, 29.97, 30.0, 60.0]))
def test_segments_cover_every_frame_once(frame_count: int, fps: float) -> None:
    segs = plan_segments(frame_count, fps)
    assert segs[0].start == 0 and segs[0].warm_from == 0 and segs[-1].stop is None
    for a, b in zip(segs, segs[1:]):
        assert a.stop == b.start and b.warm_from < b.start and b.start - b.warm_from == round(fps)
    if frame_count / fps >= 8.0:
        assert len(segs) % 2 == 0  # two cores share them evenly
        lengths = [((s.stop or frame_count) - s.start) / fps for s in segs]
        assert max(lengths) <= 20.0 + 1 / fps and min(lengths) >= 4.0 - 1 / fps
    else:
        assert len(segs) == 1


def test_shares_are_contiguous_and_balanced() -> None:
    segs = plan_segments(30 * 95, 30.0)  # 95 s: 6 segments
    groups = share(segs, 2)
    assert [len(g) for g in groups] == [3, 3] and groups[0] + groups[1] == segs
    assert share(segs[:1], 2) == [segs[:1]]
    assert [len(g) for g in share(segs[:4], 3)] == [2, 1, 1]


class _PathDependentPipeline:
    """A stand-in for tracking: each output depends on every frame this pipeline has seen."""

    def __init__(self) -> None:
        self.state = 0.0
        self.timings_ms: list[float] = []

    def process(self, frame: Frame) -> PoseFrame:
        self.state = 0.5 * self.state + frame.index
        self.timings_ms.append(1.0)
        return PoseFrame(timestamp_ms=frame.index * 10.0, image_size=(4, 4),
                         landmarks_px=np.full((33, 4), self.state), index=frame.index)

    def close(self) -> None: ...


def _state(f: PoseFrame) -> float:
    """The stand-in pipeline's state a frame carries (in every landmark coordinate)."""
    assert f.landmarks_px is not None
    return float(f.landmarks_px[0, 0])


def _frames(n: int) -> list[Frame]:
    img = np.zeros((4, 4, 3), np.uint8)
    return [Frame(image_bgr=img, timestamp_ms=i * 10.0, index=i) for i in range(n)]


def test_one_pass_equals_the_segments_run_apart() -> None:
    segs = plan_segments(100, 10.0, segment_s=2.5, min_split_s=1.0)  # 4 segments, warm-up 10 frames
    assert len(segs) == 4
    timings: list[float] = []
    together = list(segment_poses(_frames(100), segs, _PathDependentPipeline, timings))
    apart = [pf for group in share(segs, 2)
             for pf in segment_poses(_frames(100), group, _PathDependentPipeline)]
    assert [f.index for f in together] == list(range(100))
    assert [_state(f) for f in together] == [_state(f) for f in apart]
    assert len(timings) == 100 + 3 * 10  # every frame once, plus each later segment's warm-up
    # and the cut matters: one pipeline over the whole clip gives other numbers after a cut
    whole = list(segment_poses(_frames(100), [Segment(0, 0, None)], _PathDependentPipeline))
    assert _state(whole[segs[1].start]) != _state(together[segs[1].start])


def test_a_failing_worker_is_one_source_error() -> None:
    poses = SegmentedPoses.__new__(SegmentedPoses)
    out: queue.Queue[object] = queue.Queue()
    out.put(("frames", []))
    out.put(("error", "cannot read video x.mp4: no frame could be decoded"))
    with pytest.raises(SourceError, match="no frame could be decoded"):
        list(poses._drain(None, out))


def test_one_and_two_cores_give_the_same_frames_and_events(shared_data: Path) -> None:
    from game.analysis import make_detector

    video = str(shared_data / "video/squat_front_band.mp4")
    # A 2 s clip cut like a long one (4 segments, warm-up 0.3 s), so the test stays quick.
    segs = plan_segments(65, 30.0, segment_s=0.6, warmup_s=0.3, min_split_s=1.0)
    assert len(segs) == 4
    runs = []
    for workers in (1, 2):
        poses = SegmentedPoses(video, workers=workers, segments=segs)
        assert poses.workers == workers
        frames = list(poses)
        det = make_detector("squat")
        events = [ev.to_json() for pf in frames for ev in det.update(pf)] + \
            [ev.to_json() for ev in det.finish()]
        runs.append((frames, events, det.summary(), len(poses.timings_ms)))
    f1, e1, s1, n1 = runs[0]
    for f2, e2, s2, n2 in runs[1:]:
        assert len(f1) == len(f2) == 65 and n1 == n2 == 65 + 3 * 9
        for a, b in zip(f1, f2):
            assert a.index == b.index and a.timestamp_ms == b.timestamp_ms
            assert (a.landmarks_px is None) == (b.landmarks_px is None)
            if a.landmarks_px is not None:
                assert same_or_both_missing(a.landmarks_px, b.landmarks_px)  # bit for bit
                assert same_or_both_missing(a.world_m, b.world_m)
        assert e1 == e2 and s1 == s2


def _person(pid: int, x: float, i: int, *, is_player: bool = False) -> TrackedPose:


    lm = np.zeros((33, 4))
    lm[:, 0] = x
    lm[:, 1] = np.linspace(100.0, 300.0, 33)  # a body 200 px tall: torso length well above 0
    lm[:, 3] = 1.0
    return TrackedPose(pid, "left" if pid == 1 else "right", is_player,
                       PoseFrame(timestamp_ms=i * 33.0, image_size=(640, 480), landmarks_px=lm, index=i))


def _x(person: TrackedPose) -> float:
    assert person.pose.landmarks_px is not None
    return float(person.pose.landmarks_px[0, 0])


def test_identities_carry_over_a_seam_where_the_new_pipeline_numbers_people_its_own_way() -> None:
    from game.pose.segments import SeamStitcher

    stitch = SeamStitcher()
    nobody = PoseFrame(timestamp_ms=0.0, image_size=(640, 480), landmarks_px=None)
    # segment 1: person 1 at x=100 (the player), person 2 at x=400
    first = (_person(1, 100.0, 0, is_player=True), _person(2, 400.0, 0))
    _, got = stitch.feed(nobody, first, None)
    assert [(p.person_id, _x(p)) for p in got] == [(1, 100.0), (2, 400.0)]
    # segment 2 numbers the person at x=400 as 1 and calls them its player; a third person
    # (x=250) was not in view at the seam
    seam = (_person(1, 401.0, 0, is_player=True), _person(2, 99.0, 0))
    second = (_person(1, 402.0, 1, is_player=True), _person(2, 98.0, 1), _person(3, 250.0, 1))
    player, got = stitch.feed(nobody, second, seam)
    ids = {p.person_id: _x(p) for p in got}
    assert ids == {1: 98.0, 2: 402.0, 3: 250.0}
    # the player stays the person who was the player
    assert [p.person_id for p in got if p.is_player] == [1]
    assert player.landmarks_px is not None and player.landmarks_px[0, 0] == 98.0
