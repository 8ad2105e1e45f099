"""The pose worker: frames the model cannot keep up with are dropped before it runs; a finished
file is reported; privacy keeps pixels on the worker."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.feed import FeedStatus, PoseFeed, pose_opener
from game.pose.types import Frame, PoseFrame


def _video(path: Path, frames: int = 45, fps: float = 30.0) -> Path:
    cv2 = pytest.importorskip("cv2")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (64, 48))
    for i in range(frames):
        img = np.full((48, 64, 3), (i * 5) % 255, np.uint8)
        writer.write(img)
    writer.release()
    return path


class SlowPipeline:
    """A stand-in for the pose model that takes ``cost_s`` per frame and finds nobody."""

    def __init__(self, cost_s: float) -> None:
        self.cost_s = cost_s
        self.seen: list[float] = []

    def process(self, frame: Frame) -> PoseFrame:
        time.sleep(self.cost_s)
        self.seen.append(frame.timestamp_ms)
        return PoseFrame(timestamp_ms=frame.timestamp_ms, image_size=frame.size, landmarks_px=None)


def _drain(feed: PoseFeed, timeout_s: float = 20.0) -> list[Any]:
    items: list[Any] = []
    deadline = time.monotonic() + timeout_s
    while not feed.is_exhausted and time.monotonic() < deadline:
        items += feed.poll()
        time.sleep(0.005)
    return items + feed.poll()


def test_a_slow_model_gets_only_the_frames_it_can_keep_up_with(tmp_path: Path) -> None:
    video = _video(tmp_path / "clip.avi")
    pipe = SlowPipeline(cost_s=0.08)  # 12 frames/s against a 30 fps clip
    feed = PoseFeed(pose_opener(str(video), drop_late=True, pipeline_factory=lambda: pipe),
                    label="clip", pacing="wall", max_queue=100).start()
    items = _drain(feed)
    assert feed.status == FeedStatus.ENDED
    assert 5 <= len(pipe.seen) < 30, "late frames are skipped before the model runs"
    ts = [i.pose.timestamp_ms for i in items]
    assert ts == sorted(ts) and len(items) == len(pipe.seen)
    assert all(i.image_rgb is not None and i.image_rgb.shape[2] == 3 for i in items)
    assert all(i.pose_latency_ms >= 75.0 for i in items), "capture time is taken before the model"


def test_lockstep_gets_every_frame_on_the_game_clock(tmp_path: Path) -> None:
    video = _video(tmp_path / "clip.avi", frames=30)
    pipe = SlowPipeline(cost_s=0.01)
    feed = PoseFeed(pose_opener(str(video), drop_late=False, pipeline_factory=lambda: pipe),
                    label="clip", pacing="lockstep").start()
    got = feed.poll(500.0)
    assert [round(i.pose.timestamp_ms) for i in got] == [round(t) for t in pipe.seen[:len(got)]]
    assert all(i.pose.timestamp_ms <= 500.0 + 1e-6 for i in got) and len(got) >= 15
    rest = feed.poll(10_000.0)
    assert len(got) + len(rest) == 30
    feed.stop()


def test_privacy_worker_never_hands_out_images(tmp_path: Path) -> None:
    video = _video(tmp_path / "clip.avi", frames=10)
    feed = PoseFeed(pose_opener(str(video), drop_late=False,
                                pipeline_factory=lambda: SlowPipeline(0.0)),
                    label="clip", pacing="lockstep", privacy=True).start()
    items = feed.poll(10_000.0)
    assert len(items) == 10 and all(i.image_rgb is None for i in items)
    feed.stop()


def test_an_unreadable_file_fails_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"nope")
    feed = PoseFeed(pose_opener(str(bad), drop_late=False), label="bad.mp4",
                    pacing="lockstep").start()
    assert feed.poll(1000.0) == []
    assert feed.status == FeedStatus.FAILED and "bad.mp4" in feed.message
    feed.stop()


class FakeCv2:
    """Just enough of cv2 for WebcamSource: a device that can be unplugged and plugged back."""

    CAP_PROP_FRAME_WIDTH, CAP_PROP_FRAME_HEIGHT, CAP_PROP_BUFFERSIZE, CAP_PROP_FPS = 3, 4, 38, 5
    plugged = True

    class VideoCapture:
        def __init__(self, index: int) -> None:
            self.index = index

        def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
            return FakeCv2.plugged

        def set(self, *args: Any) -> bool:
            return True

        def get(self, prop: int) -> float:
            return 30.0

        def read(self) -> tuple[bool, Any]:
            time.sleep(1 / 60)
            if not FakeCv2.plugged:
                return False, None
            return True, np.zeros((48, 64, 3), np.uint8)

        def release(self) -> None:
            pass


def test_a_real_webcam_source_unplugged_and_replugged(monkeypatch: pytest.MonkeyPatch) -> None:
    import game.pose.sources as sources

    FakeCv2.plugged = True
    monkeypatch.setattr(sources, "_cv2", lambda: FakeCv2)
    feed = PoseFeed(pose_opener("camera:0", drop_late=False,
                                pipeline_factory=lambda: SlowPipeline(0.0)),
                    label="camera 0", pacing="wall", is_camera=True, retry_s=0.1).start()

    def wait_for(status: FeedStatus, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while feed.status != status and time.monotonic() < deadline:
            feed.poll()
            time.sleep(0.02)
        assert feed.status == status, (feed.status, feed.message)

    wait_for(FeedStatus.LIVE)
    FakeCv2.plugged = False
    wait_for(FeedStatus.LOST)
    assert "Camera lost" in feed.message
    FakeCv2.plugged = True
    wait_for(FeedStatus.LIVE)
    assert feed.losses == 1 and feed.poll() is not None
    feed.stop()


def test_a_slow_model_runs_on_the_newest_frame_and_the_drops_are_counted(tmp_path: Path) -> None:
    video = _video(tmp_path / "clip.avi", frames=45)
    pipe = SlowPipeline(cost_s=0.08)  # 12 frames/s against a 30 fps clip
    feed = PoseFeed(pose_opener(str(video), drop_late=True, pipeline_factory=lambda: pipe),
                    label="clip", pacing="wall", max_queue=100).start()
    _drain(feed)
    assert feed.frames_skipped + len(pipe.seen) == 45  # every frame either judged or counted dropped
    gaps = np.diff(pipe.seen)
    # Never queued behind the model: the next frame judged is the newest one due when the model
    # is free, so gaps stay within the model's time plus one frame (80 + 33 ms; slack for load).
    assert gaps.max() <= 80 + 33.4 + 40 and np.median(gaps) >= 60


def test_pose_rate_over_a_sliding_window() -> None:
    from game.feed import PoseRate

    rate = PoseRate(window_s=2.0)
    assert rate.fps(0.0) is None
    for i in range(40):  # 20 skeletons/s for 2 s
        rate.add(100.0 + i * 0.05)
    assert rate.fps(101.5) is None  # not yet 2 s of history: nothing said about the machine
    assert rate.fps(102.0) == pytest.approx(20.0, abs=0.5)
    assert not rate.is_below(10.0, 102.0) and rate.is_below(24.0, 102.0)
    for i in range(10):  # then the machine falls behind: 5 skeletons/s
        rate.add(102.0 + i * 0.2)
    assert rate.fps(104.0) == pytest.approx(5.0, abs=0.5) and rate.is_below(10.0, 104.0)


def _paced_opener(rate_hz: float, seconds: float) -> Any:
    def open_() -> Any:
        img = np.zeros((4, 4, 3), np.uint8)
        t0 = time.perf_counter()
        i = 0
        while time.perf_counter() - t0 < seconds:
            yield (PoseFrame(timestamp_ms=i * 1000.0 / rate_hz, image_size=(4, 4), landmarks_px=None, index=i),
                   img, time.perf_counter())
            i += 1
            time.sleep(max(0.0, t0 + i / rate_hz - time.perf_counter()))
    return open_


@pytest.mark.parametrize("rate_hz, too_slow", [(5.0, True), (30.0, False)])
def test_too_slow_to_judge_is_measured_against_what_the_detector_needs(rate_hz: float, too_slow: bool) -> None:
    from game.feed import MIN_POSE_FPS

    feed = PoseFeed(_paced_opener(rate_hz, 3.5), label="camera", pacing="wall", is_camera=True).start()
    feed.min_pose_fps = MIN_POSE_FPS["reps"]
    try:
        deadline = time.monotonic() + 10
        while feed.pose_fps is None and time.monotonic() < deadline:
            feed.poll()
            time.sleep(0.05)
        measured = feed.pose_fps
        assert measured is not None and abs(measured - rate_hz) < 0.5 * rate_hz
        assert feed.is_too_slow_to_judge is too_slow
        assert feed.is_too_slow_for("reps") is too_slow and feed.is_too_slow_for("boxing") is (rate_hz < 24)
    finally:
        feed.stop()


def test_the_render_loop_can_sleep_until_a_skeleton_is_ready() -> None:
    def late_frame() -> Any:
        time.sleep(0.2)
        yield (PoseFrame(timestamp_ms=0.0, image_size=(4, 4), landmarks_px=None), None, time.perf_counter())
        time.sleep(5)

    feed = PoseFeed(late_frame, label="camera", pacing="wall", is_camera=True).start()
    try:
        assert feed.wait_for_items(0.05) is False  # nothing yet: sleeps the whole frame
        t0 = time.perf_counter()
        assert feed.wait_for_items(2.0) is True
        woke = time.perf_counter()
        item = feed.poll()[0]
        assert woke - t0 < 1.0 and woke - item.ready_s < 0.05  # woken as soon as it was ready
    finally:
        feed.stop(timeout_s=0.1)


def test_a_lockstep_source_that_answers_the_game_is_made_only_read_ahead_frames_early() -> None:
    """The demo boxer reads its orders as each frame is made: what the game asks must reach the
    stream within ``read_ahead`` frames (plus the one in hand), however far ahead an idle worker could run."""
    asked: list[float] = []  # the game's latest request, read as each frame is made

    def answering() -> Any:
        i = 0
        while True:
            mark = asked[-1] if asked else -1.0
            yield (PoseFrame(timestamp_ms=i * 100.0, image_size=(4, 4), landmarks_px=None,
                             index=int(mark)), None, time.perf_counter())
            i += 1

    feed = PoseFeed(answering, label="demo", pacing="lockstep", read_ahead=3).start()
    try:
        assert [i.pose.timestamp_ms for i in feed.poll(0.0)] == [0.0]
        deadline = time.monotonic() + 5
        while feed.queued < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)  # an idle worker: it must not run further ahead
        assert feed.queued == 3
        asked.append(7.0)  # the game asks for something new at 0 ms
        got = feed.poll(1000.0)
        assert [i.pose.timestamp_ms for i in got] == [100.0 * k for k in range(1, 11)]
        # frames 1-3 were queued and frame 4 in hand before the request; every later one has it
        assert [i.pose.index for i in got] == [-1] * 4 + [7] * 6
    finally:
        feed.stop(timeout_s=0.5)


def test_a_recording_of_everyone_hands_out_everyone(tmp_path: Path) -> None:
    """``ringside record`` writes everyone tracked; played as the camera, the recording hands
    them out as the video would (the scene judges the player among them, game/players.py). A
    recording of one person hands out none: its pose is the only person."""
    from game.pose.recording import RecordingWriter
    from tests.game.pose.test_recording import _frames, _people_frames, _write

    frames = _people_frames(12)
    two = tmp_path / "two.rsk"
    with RecordingWriter(two, image_size=(640, 480), people=True) as w:
        for player, people in frames:
            w.write(player, people)
    one = tmp_path / "one.rsk"
    _write(one, _frames(12))
    got = {}
    for path in (two, one):
        feed = PoseFeed(pose_opener(str(path), drop_late=False), label=path.name,
                        pacing="lockstep").start()
        got[path.name] = feed.poll(10_000.0)
        feed.stop()
    assert [[(p.person_id, p.is_player) for p in i.people] for i in got["two.rsk"]] == \
        [[(p.person_id, p.is_player) for p in people] for _, people in frames]
    assert any(len(i.people) == 2 for i in got["two.rsk"])
    assert len(got["one.rsk"]) == 12 and all(i.people == () for i in got["one.rsk"])
