"""Pose backends behind one small interface. MediaPipe BlazePose is the one we ship.

The adapter converts MediaPipe's protobuf landmarks once into numpy arrays in pixels (image) and
metres (world); nothing downstream sees a MediaPipe type.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from game.errors import ModelError
from game.pose.types import NUM_LANDMARKS, FloatArray


class PoseBackend(Protocol):
    name: str

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> tuple[FloatArray | None, FloatArray | None]:
        """Return (landmarks_px (33,4), world_m (33,3)) or (None, None) when nobody is found."""
        ...

    def close(self) -> None: ...


def mediapipe_model_paths() -> dict[str, Path]:
    """Where the bundled BlazePose models live inside the mediapipe wheel."""
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or spec.origin is None:
        raise ModelError("mediapipe is not installed: run 'make install'")
    root = Path(spec.origin).parent / "modules"
    return {
        "detector": root / "pose_detection" / "pose_detection.tflite",
        "landmark_full": root / "pose_landmark" / "pose_landmark_full.tflite",
    }


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Native libraries (MediaPipe's glog/absl, TFLite, FFmpeg inside OpenCV) log start-up
    chatter straight to fd 2, ignoring Python's settings; hide it around the calls that emit it
    so the CLI's stderr holds only our messages."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@contextlib.contextmanager
def native_stderr_hidden() -> Iterator[None]:
    """For a whole command: native code's writes to fd 2 are dropped while Python's ``sys.stderr``
    (our messages, progress bars, tracebacks) keeps going to the real stderr.

    Native loggers write from the graph's own threads, sometimes just after ``process()`` has
    returned, so silencing around calls alone races with them. Does nothing when ``sys.stderr``
    is not fd 2 (e.g. captured by a test runner).
    """
    try:
        is_fd2 = sys.stderr is not None and sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):
        is_fd2 = False
    if not is_fd2:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    old = sys.stderr
    py_err = os.fdopen(os.dup(saved), "w", buffering=1, encoding=old.encoding or "utf-8",
                       errors="backslashreplace")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    sys.stderr = py_err
    try:
        yield
    finally:
        sys.stderr = old
        py_err.close()
        os.dup2(saved, 2)
        os.close(saved)


class MediaPipeBackend:
    """BlazePose full (``model_complexity=1``) through MediaPipe's bundled solution graph.

    Works offline: both models ship inside the mediapipe 0.10.21 wheel. MediaPipe's own landmark
    smoothing is off because the pipeline applies a tuned One Euro filter with timestamps.
    """

    name = "mediapipe-blazepose-full"

    def __init__(self, *, static_image_mode: bool = False, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5) -> None:
        for role, path in mediapipe_model_paths().items():
            if not path.is_file():
                raise ModelError(
                    f"BlazePose {role} model missing at {path}: reinstall with "
                    "'pip install --force-reinstall mediapipe==0.10.21' (newer releases do not "
                    "bundle it)"
                )
        try:
            from mediapipe.python.solutions import pose as mp_pose
        except Exception as exc:  # pragma: no cover - broken install
            raise ModelError(f"cannot load mediapipe ({exc}): run 'make install'") from exc
        # The graph logs while it starts (TFLite's XNNPACK line, absl's feedback-manager warnings).
        # Hiding it around calls is best effort (its threads may log just after a call returns);
        # the CLI hides native stderr for the whole command (native_stderr_hidden).
        self._started = False
        with native_stderr_silenced():
            self._pose: Any = mp_pose.Pose(
                static_image_mode=static_image_mode,
                model_complexity=1,
                smooth_landmarks=False,
                enable_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> tuple[FloatArray | None, FloatArray | None]:
        h, w = image_bgr.shape[:2]
        # BlazePose expects RGB; a reversed view costs one copy inside MediaPipe either way.
        rgb = np.ascontiguousarray(image_bgr[..., ::-1])
        if self._started:
            result = self._pose.process(rgb)
        else:
            # Only the first call: fd 2 is process-wide, and other threads' errors must get through.
            with native_stderr_silenced():
                result = self._pose.process(rgb)
            self._started = True
        if result.pose_landmarks is None:
            return None, None
        px = np.empty((NUM_LANDMARKS, 4), dtype=np.float64)
        for i, lm in enumerate(result.pose_landmarks.landmark):
            px[i] = (lm.x * w, lm.y * h, lm.z * w, lm.visibility)
        world: FloatArray | None = None
        if result.pose_world_landmarks is not None:
            world = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks.landmark],
                             dtype=np.float64)
        return px, world

    def close(self) -> None:
        self._pose.close()
