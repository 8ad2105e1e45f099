"""Frame sources: webcam, video file, still image, image folder.

Each source is an iterator of :class:`~game.pose.types.Frame` with ``timestamp_ms``:
- a video file yields frames at the file's own timestamps, as fast as possible (analysis) or paced
  at real speed (``realtime=True``, play), upright whatever rotation tag it carries (phone videos);
- the webcam runs a capture thread that keeps only the newest frame, so nothing queues up behind
  a slow consumer (the OpenCV/V4L2 buffer alone holds about four frames, ~130 ms at 30 fps);
- an image folder yields its images in name order at a nominal frame rate.

Skeleton recordings are not frame sources (they hold no pixels): see ``game.pose.recording``
and ``game.pose.pipeline.pose_stream``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from game.errors import CameraUnavailableError, SourceError
from game.pose.backend import native_stderr_silenced
from game.pose.pacing import RealtimePacer
from game.pose.types import Frame

# Consecutive frames that fail to decode before a video is taken to have ended.
MAX_DECODE_FAILURES = 10

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}
RECORDING_SUFFIXES = {".rsk"}


class FrameSource(Protocol):
    fps: float

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


def _cv2() -> Any:
    import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video, image or camera is read

    # OpenCV logs probe failures (e.g. "can't open camera by index") to stderr itself; we report
    # them as one clear error instead.
    # (cv2.utils.logging is where both OpenCV 4 and 5 keep it; OpenCV 5 dropped cv2.setLogLevel.)
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    return cv2


class VideoSource:
    """Frames of a video file at the file's own timestamps.

    Raises :class:`SourceError` when the file is missing or not a readable video.
    """

    def __init__(self, path: str | Path, *, realtime: bool = False,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 capture_factory: Callable[[str], Any] | None = None) -> None:
        cv2 = _cv2()
        self.path = Path(path)
        if not self.path.is_file():
            raise SourceError(f"video not found: {self.path}")
        if capture_factory is None:
            with native_stderr_silenced():  # FFmpeg logs its own complaint ("moov atom not found")
                self._cap = cv2.VideoCapture(str(self.path))
        else:
            self._cap = capture_factory(str(self.path))
        if not self._cap.isOpened():
            raise SourceError(f"cannot read video {self.path}: not a video file OpenCV can decode")
        self.rotation_deg, self._rotate = _upright(cv2, self._cap)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.realtime = realtime
        self._clock = clock
        self._sleep = sleep

    def __iter__(self) -> Iterator[Frame]:
        cv2 = _cv2()
        index = 0
        reads = 0
        failures = 0
        pacer = RealtimePacer(clock=self._clock, sleep=self._sleep)
        last_ts = 0.0
        offset = 0.0
        period = 1000.0 / self.fps
        while True:
            ok, image = self._cap.read()
            reads += 1
            if not ok or image is None:
                # A frame that fails to decode (a damaged packet, even the very first) is skipped,
                # not taken for the end, while the container says more frames follow.
                failures += 1
                more = self.frame_count <= 0 or reads < self.frame_count
                if more and failures < MAX_DECODE_FAILURES:
                    continue
                break
            failures = 0
            if self._rotate is not None:
                image = cv2.rotate(image, self._rotate)
            raw = float(self._cap.get(cv2.CAP_PROP_POS_MSEC))
            if index == 0:
                # Times count from the first frame shown: a stream that starts at 5 s, or whose
                # first frame reports a negative time (edit lists), starts at 0 all the same.
                offset = raw if math.isfinite(raw) and raw > 0.0 else 0.0
                ts = 0.0
            else:
                ts = raw - offset
                # Some containers report 0 or non-monotonic times: fall back to the nominal rate.
                if not math.isfinite(ts) or ts <= last_ts or raw == 0.0:
                    ts = max(index * period, last_ts + period)
            last_ts = ts
            if self.realtime:
                pacer.wait(ts)
            yield Frame(image_bgr=image, timestamp_ms=ts, index=index)
            index += 1
        if index == 0:
            raise SourceError(f"cannot read video {self.path}: no frame could be decoded")

    def close(self) -> None:
        self._cap.release()


def _upright(cv2: Any, cap: Any) -> tuple[int, int | None]:
    """Phone videos are stored sideways with a rotation tag (the MP4 track matrix); frames must
    arrive upright. Asks OpenCV to apply the tag itself (CAP_PROP_ORIENTATION_AUTO: its default
    differs between releases and backends); when the backend will not, we rotate each frame.
    Returns (the tag's clockwise rotation in degrees, the cv2.rotate code we apply or None)."""
    try:
        meta = int(round(float(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0.0))) % 360
    except (cv2.error, AttributeError, ValueError):  # a capture without the property (fakes, other backends)
        return 0, None
    if meta not in (90, 180, 270):
        return 0, None
    try:
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        if bool(cap.get(cv2.CAP_PROP_ORIENTATION_AUTO)):
            return meta, None
    except (cv2.error, AttributeError):  # a backend that cannot: we rotate each frame
        pass
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return meta, codes[meta]


class ImageSource:
    """One still image as a single frame at t = 0."""

    fps = 1.0

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.image = read_image(self.path)

    def __iter__(self) -> Iterator[Frame]:
        yield Frame(image_bgr=self.image, timestamp_ms=0.0, index=0)

    def close(self) -> None:
        pass


class ImageFolderSource:
    """The images of a folder, in name order, at a nominal frame rate (default 30 fps)."""

    def __init__(self, folder: str | Path, *, fps: float = 30.0) -> None:
        self.folder = Path(folder)
        self.paths = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.paths:
            raise SourceError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) in folder {self.folder}")
        self.fps = fps

    def __iter__(self) -> Iterator[Frame]:
        for i, path in enumerate(self.paths):
            yield Frame(image_bgr=read_image(path), timestamp_ms=i * 1000.0 / self.fps, index=i)

    def close(self) -> None:
        pass


def read_image(path: Path) -> np.ndarray:
    """Read an image as BGR uint8, or raise SourceError saying why not."""
    cv2 = _cv2()
    if path.is_dir():
        raise SourceError(f"{path} is a folder, not an image: give one image file")
    if not path.is_file():
        raise SourceError(f"image not found: {path}")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"cannot read image {path}: not an image format OpenCV can decode")
    return image


class LatestFrameGrabber:
    """Runs ``capture.read()`` on a thread and keeps only the newest frame.

    ``capture`` is anything with OpenCV's ``read() -> (ok, image)`` and ``release()``; the real
    webcam passes a ``cv2.VideoCapture``, tests pass a fake device. ``get(after_seq)`` blocks until
    a frame newer than ``after_seq`` exists and returns ``(seq, frame, grabbed_at)``; older frames
    are dropped, never queued.
    """

    def __init__(self, capture: Any, *, clock: Callable[[], float] = time.monotonic,
                 max_failures: int = 30, close_timeout_s: float = 2.0) -> None:
        self._capture = capture
        self._close_timeout_s = close_timeout_s
        self._clock = clock
        self._cond = threading.Condition()
        self._latest: tuple[int, np.ndarray, float] | None = None
        self._seq = 0
        self._running = True
        self._failures = 0
        self._max_failures = max_failures
        self.error: str | None = None
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="camera-grabber", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            # Released here, by the thread that reads: releasing from close() while a read is
            # still in progress (a stalled USB transfer) is what crashes real drivers.
            self._capture.release()

    def _loop(self) -> None:
        while self._running:
            try:
                ok, image = self._capture.read()
            except (_cv2().error, RuntimeError, OSError):  # a driver that throws (cv2.error on a USB fault) is a failed read
                ok, image = False, None
            now = self._clock()
            with self._cond:
                if not ok or image is None:
                    self._failures += 1
                    if self._failures >= self._max_failures:
                        self.error = "the camera stopped sending frames (unplugged or in use?)"
                        self._cond.notify_all()
                        # Keep trying slowly: a replugged camera resumes the stream.
                        self._cond.wait(0.5)
                    continue
                self._failures = 0
                self.error = None
                self._seq += 1
                self._latest = (self._seq, image, now)
                self._cond.notify_all()

    def get(self, after_seq: int, timeout_s: float = 2.0) -> tuple[int, np.ndarray, float] | None:
        """The newest frame with a sequence number above ``after_seq``, or None on timeout."""
        deadline = self._clock() + timeout_s
        with self._cond:
            while self._running:
                if self._latest is not None and self._latest[0] > after_seq:
                    self.dropped += self._latest[0] - after_seq - 1
                    return self._latest
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
        return None

    def close(self) -> None:
        """Stop the thread; the device is released as soon as its current read returns."""
        with self._cond:
            self._running = False
            self._cond.notify_all()
        self._thread.join(timeout=self._close_timeout_s)


class WebcamSource:
    """The newest frames of a webcam; timestamps are capture times on the monotonic clock."""

    def __init__(self, index: int = 0, *, width: int = 640, height: int = 480,
                 capture_factory: Callable[[int], Any] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.index = index
        self._clock = clock
        if capture_factory is None:
            cv2 = _cv2()

            def capture_factory(i: int) -> Any:
                cap = cv2.VideoCapture(i)
                if cap.isOpened():
                    cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
                    cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
                    cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
                return cap

        cap = capture_factory(index)
        if not getattr(cap, "isOpened", lambda: True)():
            cap.release()
            raise CameraUnavailableError(
                f"no camera at index {index} (none connected, or busy in another program): "
                "plug one in, close other camera apps, or use --source VIDEO_OR_RECORDING"
            )
        ok, first = cap.read()
        if not ok or first is None:
            cap.release()
            raise CameraUnavailableError(
                f"camera {index} opened but sends no frames (busy in another program?): "
                "close other camera apps or use --source VIDEO_OR_RECORDING"
            )
        fps = 0.0
        try:
            fps = float(cap.get(_cv2().CAP_PROP_FPS) or 0.0)
        except (_cv2().error, AttributeError):  # fakes without get()
            fps = 0.0
        self.fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._grabber = LatestFrameGrabber(cap, clock=clock)
        self._t0 = clock()

    @property
    def error(self) -> str | None:
        """Set while the camera is not delivering (unplugged); clears when frames resume."""
        return self._grabber.error

    @property
    def dropped(self) -> int:
        return self._grabber.dropped

    def read(self, after_seq: int, timeout_s: float = 2.0) -> tuple[int, Frame] | None:
        got = self._grabber.get(after_seq, timeout_s)
        if got is None:
            return None
        seq, image, grabbed_at = got
        return seq, Frame(image_bgr=image, timestamp_ms=(grabbed_at - self._t0) * 1000.0, index=seq)

    def __iter__(self) -> Iterator[Frame]:
        seq = 0
        while True:
            got = self.read(seq)
            if got is None:
                if self._grabber.error:
                    raise CameraUnavailableError(f"camera {self.index}: {self._grabber.error}")
                continue
            seq, frame = got
            yield frame

    def close(self) -> None:
        self._grabber.close()


def parse_camera_spec(spec: str) -> int | None:
    """``camera``, ``camera:N`` or a bare integer -> the camera index; otherwise None."""
    s = spec.strip().lower()
    if s in ("camera", "webcam", "cam"):
        return 0
    for prefix in ("camera:", "webcam:", "cam:"):
        if s.startswith(prefix) and s[len(prefix):].isdigit():
            return int(s[len(prefix):])
    if s.isdigit():
        return int(s)
    return None


def open_source(spec: str | Path, *, realtime: bool = False, fps: float = 30.0) -> FrameSource:
    """Open a frame source from a spec: ``camera[:N]``, a video, an image, or an image folder.

    Raises :class:`SourceError` (with what to do) when it cannot be opened.
    """
    text = str(spec)
    cam = parse_camera_spec(text)
    if cam is not None:
        return WebcamSource(cam)
    path = Path(text)
    if not path.exists():
        raise SourceError(f"source not found: {path} (give a video, an image, an image folder, "
                          "a .rsk recording, or camera[:N])")
    if path.is_dir():
        return ImageFolderSource(path, fps=fps)
    if path.suffix.lower() in RECORDING_SUFFIXES:
        raise SourceError(f"{path} is a skeleton recording, not a frame source: use pose_stream()")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoSource(path, realtime=realtime)
