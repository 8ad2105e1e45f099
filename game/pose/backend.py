"""Pose backends behind one small interface. MediaPipe BlazePose (Tasks API) is the one we ship.

The adapter converts MediaPipe's landmark objects once into numpy arrays in pixels (image) and
metres (world); nothing downstream sees a MediaPipe type.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import os
import sys
import types
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from game.errors import ModelError
from game.pose.types import NUM_LANDMARKS, FloatArray

# One person as the backend found them: (landmarks_px (33, 4), world_m (33, 3) or None).
Detection = tuple[FloatArray, FloatArray | None]

BUNDLE = Path(__file__).with_name("pose_landmarker_full.task")


class PoseBackend(Protocol):
    name: str

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> tuple[FloatArray | None, FloatArray | None]:
        """Return (landmarks_px (33,4), world_m (33,3)) or (None, None) when nobody is found."""
        ...

    def close(self) -> None: ...


class MultiPoseBackend(PoseBackend, Protocol):
    def detect_all(self, image_bgr: np.ndarray, timestamp_ms: float) -> list[Detection]:
        """Every person found (at most the backend's ``num_poses``), in no particular order."""
        ...


def pose_model_path() -> Path:
    """The BlazePose full ``.task`` bundle shipped in the package (built by models/build_pose_task.py).

    Raises :class:`ModelError` when it is missing: nothing is ever downloaded at run time.
    """
    if not BUNDLE.is_file():
        raise ModelError(f"pose model missing at {BUNDLE}: reinstall Ringside ('make install'); "
                         "it ships inside the package and is never downloaded")
    return BUNDLE


def _import_tasks() -> Any:
    """MediaPipe Tasks' pose landmarker, without what ``import mediapipe`` drags in for drawing.

    ``mediapipe.tasks.python.vision`` imports its drawing helpers, which import matplotlib.pyplot
    (over a second of start-up and ~30 MB, for nothing we use). While we import, those two modules
    are placeholders; they are taken out of ``sys.modules`` afterwards, so anyone importing them
    later still gets the real ones.
    """
    names = {"mediapipe.tasks.python.vision.drawing_utils", "mediapipe.tasks.python.vision.drawing_styles"}

    class _Placeholder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        # An empty module, loaded through the import system so the parent package gets its attribute.
        def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
            if fullname in names and fullname not in sys.modules:
                return importlib.machinery.ModuleSpec(fullname, self)
            return None

        def create_module(self, spec: Any) -> None:
            return None

        def exec_module(self, module: types.ModuleType) -> None:
            module.__doc__ = "placeholder: not loaded by Ringside (it imports matplotlib)"

    finder = _Placeholder()
    sys.meta_path.insert(0, finder)
    try:
        from mediapipe.tasks.python.core import base_options  # noqa: PLC0415 - lazy: MediaPipe (0.8 s CPU to import) only when a pose model is built
        from mediapipe.tasks.python.vision import pose_landmarker  # noqa: PLC0415 - lazy: MediaPipe (0.8 s CPU to import) only when a pose model is built
        from mediapipe.tasks.python.vision.core import image, vision_task_running_mode  # noqa: PLC0415 - lazy: MediaPipe (0.8 s CPU to import) only when a pose model is built
    finally:
        sys.meta_path.remove(finder)
        for n in names:
            mod = sys.modules.get(n)
            spec = getattr(mod, "__spec__", None)
            if mod is not None and spec is not None and spec.loader is finder:
                del sys.modules[n]
                parent, _, attr = n.rpartition(".")
                if getattr(sys.modules.get(parent), attr, None) is mod:
                    delattr(sys.modules[parent], attr)
    return types.SimpleNamespace(BaseOptions=base_options.BaseOptions, pl=pose_landmarker,
                                 Image=image.Image, ImageFormat=image.ImageFormat,
                                 RunningMode=vision_task_running_mode.VisionTaskRunningMode)


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


def create_landmarker(*, video: bool, num_poses: int = 1, min_detection_confidence: float = 0.5,
                      min_tracking_confidence: float = 0.5, segmentation: bool = False,
                      model_path: Path | None = None) -> tuple[Any, Any]:
    """(the Tasks namespace of :func:`_import_tasks`, a ``PoseLandmarker``) on our bundle, in VIDEO
    or IMAGE mode. Unless ``segmentation``, the landmark model has no mask branch (same landmarks,
    less time: game/pose/bundle.py). Raises :class:`ModelError` when the model is missing or cannot
    be loaded."""
    path = model_path if model_path is not None else pose_model_path()
    if not path.is_file():
        raise ModelError(f"pose model missing at {path}: reinstall Ringside ('make install')")
    try:
        tasks = _import_tasks()
    except Exception as exc:  # pragma: no cover - broken install
        raise ModelError(f"cannot load mediapipe ({exc}): run 'make install'") from exc
    # Without masks, the landmark model runs without its segmentation branch (game/pose/bundle.py:
    # the same landmarks, bit for bit, in about two thirds of the time per frame).
    base = (tasks.BaseOptions(model_asset_path=str(path)) if segmentation
            else tasks.BaseOptions(model_asset_buffer=_landmarks_only(path)))
    options = tasks.pl.PoseLandmarkerOptions(
        base_options=base,
        running_mode=tasks.RunningMode.VIDEO if video else tasks.RunningMode.IMAGE,
        num_poses=num_poses,
        min_pose_detection_confidence=min_detection_confidence,
        min_pose_presence_confidence=min_detection_confidence,
        min_tracking_confidence=min_tracking_confidence,
        output_segmentation_masks=segmentation,
    )
    # The graph logs while it starts (TFLite's XNNPACK line, absl warnings). Hiding it around
    # calls is best effort; the CLI hides native stderr for the whole command.
    with native_stderr_silenced():
        try:
            return tasks, tasks.pl.PoseLandmarker.create_from_options(options)
        except Exception as exc:
            raise ModelError(f"cannot load the pose model {path.name} ({exc}): "
                             "reinstall Ringside ('make install')") from exc


def _landmarks_only(path: Path) -> bytes:
    stat = path.stat()
    return _landmarks_only_cached(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=2)
def _landmarks_only_cached(path: str, mtime_ns: int, size: int) -> bytes:
    # Derived once per process and model file (0.1-0.2 s); every landmarker after that reuses it.
    from game.pose.bundle import (  # noqa: PLC0415 - lazy: LiteRT's schema (0.14 s to import) only when a model loads
        landmarks_only_bundle,
    )

    return landmarks_only_bundle(Path(path))


def _close_quietly(landmarker: Any) -> None:
    try:
        landmarker.close()
    except RuntimeError:  # at interpreter exit MediaPipe's own executor may already be shut down
        pass


# A frame this much earlier than the last one starts a new stream (a source restarted, e.g. a clip
# replayed from its start at "Go"), not jitter; the new stream continues this long after the last
# frame, as after a short drop.
RESTART_JUMP_MS = 500.0
RESTART_GAP_MS = 1000


def is_new_stream(last_ms: float, timestamp_ms: float) -> bool:
    """A frame this much earlier than the last one: the source restarted (not jitter)."""
    return last_ms - timestamp_ms > RESTART_JUMP_MS


class ModelClock:
    """The timestamps VIDEO mode is given: strictly increasing (Tasks rejects any other), and
    spaced as the frames are, also after a source restarts: the model's own smoothing reads
    motion against them (on the shared shadowboxing clip restarted at "Go", frames 1 ms apart
    left the game 2 of its 5 punches at a peak of 1.2 m/s; with their own spacing 4, at 4.1 m/s;
    with a fresh model as well (``game.feed.SharedBackend``) all 5, at 9.4 m/s, as analysed)."""

    def __init__(self) -> None:
        self._last = -1
        self._offset_ms = 0.0

    def to_model(self, timestamp_ms: float) -> int:
        ts = round(timestamp_ms + self._offset_ms)
        if self._last >= 0 and is_new_stream(self._last, ts):
            self._offset_ms += self._last + RESTART_GAP_MS - ts
            ts = self._last + RESTART_GAP_MS
        ts = max(ts, self._last + 1)  # equal or slightly late times (jitter)
        self._last = ts
        return ts


class MediaPipeBackend:
    """BlazePose full through MediaPipe Tasks' ``PoseLandmarker``, from the bundle we ship.

    VIDEO mode (tracking between frames, with explicit timestamps) unless ``static_image_mode``;
    timestamps given to the model are made strictly increasing whatever the caller passes (a
    restarted source, equal times), because Tasks rejects any other (:class:`ModelClock`).
    ``num_poses`` people at most.
    Output is converted once to numpy: pixels (x, y, z, visibility) and metres.
    """

    name = "mediapipe-tasks-blazepose-full"

    def __init__(self, *, static_image_mode: bool = False, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5, num_poses: int = 1,
                 model_path: Path | None = None) -> None:
        self.num_poses = num_poses
        self._video = not static_image_mode
        self._tasks, self._landmarker = create_landmarker(
            video=self._video, num_poses=num_poses, min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence, model_path=model_path)
        # Closed before interpreter teardown even if the owner never calls close(): MediaPipe's
        # own __del__ fails noisily once its modules are gone.
        self._finalizer = weakref.finalize(self, _close_quietly, self._landmarker)
        self._clock = ModelClock()
        self._started = False

    def detect_all(self, image_bgr: np.ndarray, timestamp_ms: float) -> list[Detection]:
        import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video, image or camera is read

        h, w = image_bgr.shape[:2]
        # cv2 converts BGR->RGB ~20x faster than a reversed numpy view copied (0.07 vs 1.56 ms, 640x480).
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        image = self._tasks.Image(image_format=self._tasks.ImageFormat.SRGB, data=rgb)
        with contextlib.ExitStack() as stack:
            if not self._started:
                # Only the first call: fd 2 is process-wide, and other threads' errors must get through.
                stack.enter_context(native_stderr_silenced())
                self._started = True
            if self._video:
                result = self._landmarker.detect_for_video(image, self._clock.to_model(timestamp_ms))
            else:
                result = self._landmarker.detect(image)
        out: list[Detection] = []
        for i, landmarks in enumerate(result.pose_landmarks):
            px = np.array([(lm.x * w, lm.y * h, lm.z * w, lm.visibility) for lm in landmarks],
                          dtype=np.float64)
            if px.shape != (NUM_LANDMARKS, 4):
                continue
            world: FloatArray | None = None
            if i < len(result.pose_world_landmarks):
                world = np.array([(lm.x, lm.y, lm.z) for lm in result.pose_world_landmarks[i]],
                                 dtype=np.float64)
            # Tasks reports None for a visibility it did not compute; treat it as unseen.
            px[:, 3] = np.nan_to_num(px[:, 3], nan=0.0)
            out.append((px, world))
        return out

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> tuple[FloatArray | None, FloatArray | None]:
        found = self.detect_all(image_bgr, timestamp_ms)
        if not found:
            return None, None
        return found[0]

    def close(self) -> None:
        self._finalizer()
