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
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (64, 48))
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
