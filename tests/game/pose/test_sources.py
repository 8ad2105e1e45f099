"""Frame sources; the webcam grabber is driven by a fake device (no camera on CI)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.errors import CameraUnavailableError, SourceError
from game.pose.sources import ImageFolderSource, LatestFrameGrabber, WebcamSource, open_source, parse_camera_spec


class FakeCamera:
    """Produces frames at ``fps`` like a device: read() blocks until the next frame is due, and
    the frame carries its capture time in pixel (0, 0)."""

    def __init__(self, fps: float = 30.0, fail_after: int | None = None) -> None:
        self.period = 1.0 / fps
        self.next_t = time.monotonic()
        self.count = 0
        self.fail_after = fail_after
        self.released = threading.Event()

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        if self.fail_after is not None and self.count >= self.fail_after:
            time.sleep(0.005)
            return False, None
        delay = self.next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.next_t += self.period
        self.count += 1
        img = np.zeros((4, 4, 3), np.uint8)
        img[0, 0, 0] = self.count % 256
        return True, img

    def get(self, prop: int) -> float:
        return 1.0 / self.period

    def release(self) -> None:
        self.released.set()


def test_grabber_hands_over_newest_frame_to_a_slow_consumer() -> None:
    cam = FakeCamera(fps=60.0)
    grabber = LatestFrameGrabber(cam)
    try:
        seq = 0
        ages = []
        for _ in range(8):
            time.sleep(0.05)  # a consumer slower than the camera (3 frame periods)
            got = grabber.get(seq)
            assert got is not None
            new_seq, _img, grabbed_at = got
            assert new_seq > seq
            ages.append(time.monotonic() - grabbed_at)
            seq = new_seq
        # Newest frame: never older than about one frame period (plus scheduling slack).
        assert np.median(ages) < 2 * cam.period
        assert grabber.dropped > 0
    finally:
        grabber.close()
    assert cam.released.is_set()


def test_camera_missing_gives_a_clear_error() -> None:
    class Closed:
        def isOpened(self) -> bool:
            return False

        def release(self) -> None:
            pass

    with pytest.raises(CameraUnavailableError, match="no camera at index 3"):
        WebcamSource(3, capture_factory=lambda i: Closed())


def test_camera_that_stops_reports_an_error() -> None:
    cam = FakeCamera(fps=100.0, fail_after=3)
    src = WebcamSource(0, capture_factory=lambda i: cam)
    try:
        deadline = time.monotonic() + 3
        while src.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert src.error is not None and "stopped" in src.error
    finally:
        src.close()


def test_camera_specs() -> None:
    assert parse_camera_spec("camera") == 0
    assert parse_camera_spec("camera:2") == 2
    assert parse_camera_spec("1") == 1
    assert parse_camera_spec("clip.mp4") is None


def test_missing_and_unreadable_sources(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="source not found"):
        open_source(tmp_path / "nope.mp4")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"definitely not a video")
    with pytest.raises(SourceError, match="bad.mp4"):
        list(open_source(bad))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no images"):
        ImageFolderSource(tmp_path / "empty")


def test_image_folder_in_name_order(tmp_path: Path) -> None:
    import cv2

    for i in (2, 0, 1):
        cv2.imwrite(str(tmp_path / f"f{i}.png"), np.full((8, 8, 3), i * 50, np.uint8))
    frames = list(ImageFolderSource(tmp_path, fps=10))
    assert [int(f.image_bgr[0, 0, 0]) for f in frames] == [0, 50, 100]
    assert [f.timestamp_ms for f in frames] == [0.0, 100.0, 200.0]


class FakeVideo:
    """A decoder with OpenCV's VideoCapture surface: ``pos_ms`` per frame (what POS_MSEC reports
    after reading it); ``None`` marks a frame that fails to decode."""

    def __init__(self, pos_ms: Sequence[float | None], fps: float = 30.0) -> None:
        self.pos_ms = pos_ms
        self.fps = fps
        self.i = 0
        self.last: float = 0.0

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        if self.i >= len(self.pos_ms):
            return False, None
        pos = self.pos_ms[self.i]
        self.i += 1
        if pos is None:
            return False, None
        self.last = pos
        return True, np.full((4, 4, 3), self.i, np.uint8)

    def get(self, prop: int) -> float:
        import cv2

        if prop == cv2.CAP_PROP_FPS:
            return self.fps
        if prop == cv2.CAP_PROP_FRAME_COUNT:
            return float(len(self.pos_ms))
        if prop == cv2.CAP_PROP_POS_MSEC:
            return self.last
        return 0.0

    def release(self) -> None:
        pass


def _video(tmp_path: Path, fake: FakeVideo) -> list[Any]:
    from game.pose.sources import VideoSource

    path = tmp_path / "clip.mp4"
    path.write_bytes(b"stand-in: the fake decoder is used")
    return list(VideoSource(path, capture_factory=lambda p: fake))


@pytest.mark.parametrize("first_ms, later_ms", [(-33.0, 0.0), (5000.0, 5000.0), (0.0, 0.0)])
def test_video_times_start_at_zero_and_keep_the_frame_spacing(tmp_path: Path, first_ms: float,
                                                             later_ms: float) -> None:
    # A negative first time (edit lists) or a stream that starts at 5 s: frames still start at 0
    # and stay one frame period apart (no 1 ms step after frame 0, no 5 s gap after it).
    pos = [first_ms] + [later_ms + i * 1000.0 / 30.0 for i in range(1, 6)]
    times = [f.timestamp_ms for f in _video(tmp_path, FakeVideo(pos))]
    assert times[0] == 0.0
    assert np.allclose(np.diff(times), 1000.0 / 30.0, atol=1.0), times


def test_video_frames_that_fail_to_decode_are_skipped_not_the_end(tmp_path: Path) -> None:
    pos: list[float | None] = [None, None] + [i * 1000.0 / 30.0 for i in range(2, 8)] + [None] + [
        i * 1000.0 / 30.0 for i in range(9, 12)]
    frames = _video(tmp_path, FakeVideo(pos))
    assert len(frames) == 9
    times = [f.timestamp_ms for f in frames]
    assert times[0] == 0.0 and all(b > a for a, b in zip(times, times[1:]))


def test_video_with_no_decodable_frame_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no frame could be decoded"):
        _video(tmp_path, FakeVideo([None] * 20))


class RaisingCamera(FakeCamera):
    """A driver that throws (OpenCV raises cv2.error on some USB faults) after a few frames."""

    def read(self) -> tuple[bool, Any]:
        if self.count >= 3:
            time.sleep(0.005)
            raise RuntimeError("VIDIOC_DQBUF: No such device")
        return super().read()


def test_camera_read_that_raises_is_an_error_not_a_silent_hang() -> None:
    src = WebcamSource(0, capture_factory=lambda i: RaisingCamera(fps=100.0))
    try:
        deadline = time.monotonic() + 3
        while src.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert src.error is not None
        with pytest.raises(CameraUnavailableError):
            for _ in src:
                pass
    finally:
        src.close()


class SlowReadCamera(FakeCamera):
    """read() blocks for a long time once (a stalled USB transfer); release() during a read
    is what crashes real drivers, so it is recorded."""

    def __init__(self) -> None:
        super().__init__(fps=100.0)
        self.in_read = threading.Event()
        self.released_during_read = False

    def read(self) -> tuple[bool, Any]:
        self.in_read.set()
        try:
            if self.count == 2:
                time.sleep(0.6)
            return super().read()
        finally:
            self.in_read.clear()

    def release(self) -> None:
        if self.in_read.is_set():
            self.released_during_read = True
        super().release()


def test_close_never_releases_the_device_under_a_read_in_progress() -> None:
    cam = SlowReadCamera()
    grabber = LatestFrameGrabber(cam, close_timeout_s=0.1)
    while cam.count < 2:
        time.sleep(0.005)
    time.sleep(0.05)  # now inside the slow read
    grabber.close()
    assert cam.released.wait(2.0)  # released once the read returned
    assert not cam.released_during_read


def test_a_folder_given_as_an_image_says_so(tmp_path: Path) -> None:
    from game.pose.sources import ImageSource

    with pytest.raises(SourceError, match="is a folder"):
        ImageSource(tmp_path)
