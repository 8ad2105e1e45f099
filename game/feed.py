"""The pose worker: camera/video/recording -> PoseFrames on a thread, off the render loop.

The render loop polls :meth:`PoseFeed.poll` once per fixed step and gets the new
:class:`FeedItem` objects (a PoseFrame, a display-ready RGB image or None, and wall-clock marks for
the latency overlay). The worker runs the pose model at the source's rate; the game keeps drawing
at 60 fps whatever the model costs.

Pacing:
- ``"wall"``: frames are released on the wall clock at their own timestamps (a video or a
  recording plays in real time). When the model falls behind, it runs on the newest frame only:
  a frame whose successor is already due is dropped before the model, never queued (a camera's
  grabber keeps only its newest frame the same way). A camera is always live.
- ``"lockstep"``: frames are released when the *game* clock reaches their timestamp, and the
  game waits for the worker if needed. Scripted runs use it, so a run is the same on a fast or a
  slow machine. The worker reads at most ``read_ahead`` frames ahead of the game; a source that
  answers the game (the demo boxer throws what the boxing scene orders, read as each frame is
  made) keeps it short, so what the game asks reaches the stream within that many frames (plus
  the one in hand) whatever the machine's load. The app stops the game clock it passes while the pause menu is
  up (``BaseScene.holds_source``), so nothing is released or made stale during a pause.

A camera that stops delivering (unplugged) sets :attr:`status` to ``LOST`` with a message; the
worker retries once a second and goes back to ``LIVE`` by itself when it returns.
Privacy mode: the worker never hands out pixels (``image_rgb`` is always None).

Adaptive sampling shows in :attr:`PoseFeed.pose_fps` (skeletons per second, measured over the last
2 s) and :attr:`PoseFeed.is_too_slow_to_judge` (below ``min_pose_fps``, which the scene sets from
``MIN_POSE_FPS``: what the rep engine and the punch detector need), for the scenes to show.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from game.errors import RingsideError, SourceError
from game.pose.backend import MediaPipeBackend, is_new_stream
from game.pose.pacing import RealtimePacer
from game.pose.pipeline import PipelineOptions, PosePipeline, player_pose, recording_options
from game.pose.recording import Recording
from game.pose.sources import open_source, parse_camera_spec
from game.pose.types import PoseFrame, TrackedPose
from ringside_protocol import Kind, kind_of

ImageArray = npt.NDArray[np.uint8]


class FeedStatus(Enum):
    STARTING = "starting"
    LIVE = "live"
    LOST = "lost"  # camera stopped delivering; retrying
    ENDED = "ended"  # a file source reached its end
    FAILED = "failed"  # could not be opened at all (message says why)


@dataclass(frozen=True, slots=True)
class FeedItem:
    pose: PoseFrame
    image_rgb: ImageArray | None  # HxWx3 uint8, already downscaled for display; None in privacy
    capture_s: float  # perf_counter when the frame was in hand
    ready_s: float  # perf_counter when its skeleton was ready
    # Every tracked person in the frame (stable "left"/"right" slots): both players in versus,
    # everyone followed by a single-player feed that looks for a second person (the scene judges
    # the player among them, game/players.py), everyone a recording of everyone holds. Empty for
    # a recording of one person, a generated player and a feed that never looks: ``pose`` is then
    # the only person.
    people: tuple[TrackedPose, ...] = ()

    @property
    def pose_latency_ms(self) -> float:
        return (self.ready_s - self.capture_s) * 1000.0


# A source opener returns an iterator of (PoseFrame, BGR image or None, capture perf_counter),
# optionally followed by the tracked people of that frame (a 4th item, two-player feeds);
# a pose of None marks a frame dropped before the model (counted in PoseFeed.frames_skipped).
Opener = Callable[[], Iterator[tuple[Any, ...]]]

# The pose rate each detector needs to judge, derived from the detectors themselves:
# - reps: 10 frames/s. The rep engine is built and tested down to sparse streams (it follows up to
#   three phase changes per frame, and takes "two frames in a row at depth" or one frame at 11 fps
#   or less, game/reps/engine.py); the shared 10 fps clips (squat_front_darkgym_10fps,
#   squat_goblet_front_10fps, squat_prisoner_front_10fps) are labelled and judged. Below 10 a
#   0.3 s bottom can fall between frames.
# - points (shadowboxing): 24 frames/s. The punch detector's frame-gap rules are stated for 24-30+ fps
#   (game/boxing/detector.py: at 24-30 fps a snapped jab is locked out for less than a frame,
#   and only a regular 30+ fps gap may condemn a one-frame extension); a jab's extension lasts
#   about 0.1-0.15 s, 2-3 frames at 24 fps, so below it punches are missed or misjudged.
MIN_POSE_FPS: dict[Kind, float] = {"reps": 10.0, "points": 24.0}  # by the exercise's kind


def needed_pose_fps(activity: str) -> float:
    """MIN_POSE_FPS of an exercise (its wire name: ``squat``, the shadowboxing mode) or of a
    kind (``reps``, ``points``). Any other name needs what reps need."""
    kind = kind_of(activity)
    if kind is None:
        kind = "points" if activity == "points" else "reps"
    return MIN_POSE_FPS[kind]
RATE_WINDOW_S = 2.0  # the pose rate is measured over the last 2 s of skeletons
# Lockstep read-ahead: 8 s at 30 fps keeps a scripted run over a file from waiting on the model.
LOCKSTEP_READ_AHEAD = 240
# A generated player that answers the game (the demo boxers) is made ~0.5 s ahead at most: the
# boxing rules hand their orders over at least a 3 s countdown before the first target
# (game.boxing.rules.COUNTDOWN_S), so every order is in the stream before its punch begins.
ANSWERING_READ_AHEAD = 15


def is_camera_spec(spec: str) -> bool:
    return parse_camera_spec(str(spec)) is not None


def pose_opener(spec: str, *, drop_late: bool,
                pipeline_factory: Callable[[], Any] | None = None, people: int = 1,
                hands_out_everyone: bool = False) -> Opener:
    """An opener for any source spec: camera[:N], a video, an image folder or a .rsk recording.

    ``drop_late``: play a video in real time the way a camera delivers it: frames wait for their
    moment, and frames the model is too slow for are skipped before it runs.
    ``people``: 2 (or more) for two-player scenes: every tracked person is handed out
    (``FeedItem.people``, from ``PosePipeline.process_all``); 1 runs ``process`` as before.
    ``hands_out_everyone``: a single-person pipeline that looks for a second person
    (``PipelineOptions.watch_others_ms``) hands out everyone it tracks too, so a single-player
    scene judges the player among them (``game.players.PlayerLock``).
    A recording's items carry everyone it holds (``ringside record`` writes everyone tracked:
    ``RecordingWriter(people=True)``), so a scene judges the player among them as it would on
    the video; a recording of one person carries none (``pose`` is that person).
    """
    if people < 1:
        raise ValueError("people must be at least 1")

    def open_rsk() -> Iterator[tuple[Any, ...]]:  # (pose, image, captured[, tracked people])
        rec = Recording(spec, salvage=True)
        for frame, tracked in rec.people():
            if rec.holds_people:
                yield frame, None, time.perf_counter(), tracked
            else:
                yield frame, None, time.perf_counter()

    def open_frames() -> Iterator[tuple[Any, ...]]:  # (pose, image, captured[, tracked people])

        source = open_source(spec, realtime=False)
        if pipeline_factory is not None:
            pipe = pipeline_factory()
        else:
            pipe = PosePipeline(PipelineOptions(max_people=people))
        everyone = people > 1 or hands_out_everyone
        period_s = 1.0 / max(1.0, float(getattr(source, "fps", 30.0) or 30.0))
        pacer = RealtimePacer(clock=time.perf_counter)
        try:
            for frame in source:
                captured = time.perf_counter()
                if drop_late and pacer.is_anchored:
                    # Real time, like a camera: wait for a frame's moment; when the model was busy
                    # past it, run the model on the newest frame only: a frame whose successor is
                    # already due is dropped before the model (never queued behind it).
                    late_s = pacer.wait(frame.timestamp_ms)
                    due = pacer.due_s(frame.timestamp_ms)
                    if late_s >= period_s:
                        yield None, None, due
                        continue
                    captured = due  # latency counts from the moment the frame was due
                if everyone:
                    tracked = tuple(pipe.process_all(frame))
                    pose = player_pose(tracked, frame.timestamp_ms, frame.size, frame.index)
                else:
                    pose = pipe.process(frame)
                if drop_late and not pacer.is_anchored:
                    # the clock starts once the model is loaded (the first frame pays for it)
                    pacer.anchor(frame.timestamp_ms)
                if everyone:
                    yield pose, frame.image_bgr, captured, tracked
                else:
                    yield pose, frame.image_bgr, captured
        finally:
            source.close()
            if pipeline_factory is None:
                pipe.close()

    if str(spec).lower().endswith(".rsk"):
        return open_rsk
    return open_frames


class PoseRate:
    """Skeletons per second over a sliding window of wall-clock times (seconds, any origin).

    Pure: the caller passes the times. ``fps`` is None until the window holds a full
    ``window_s`` of history (the first second after start-up says nothing about the machine).
    """

    def __init__(self, window_s: float = RATE_WINDOW_S) -> None:
        self.window_s = window_s
        self._times: deque[float] = deque()
        self._first: float | None = None

    def add(self, t_s: float) -> None:
        if self._first is None:
            self._first = t_s
        self._times.append(t_s)
        self._trim(t_s)

    def _trim(self, now_s: float) -> None:
        while self._times and self._times[0] <= now_s - self.window_s:
            self._times.popleft()

    def fps(self, now_s: float) -> float | None:
        if self._first is None or now_s - self._first < self.window_s:
            return None
        self._trim(now_s)
        return len(self._times) / self.window_s

    def is_below(self, need_fps: float, now_s: float) -> bool:
        rate = self.fps(now_s)
        return rate is not None and rate < need_fps


class SharedBackend:
    """One pose model for the whole run, loaded on first use (loading costs about a second) and
    shared by every feed the app opens (a clip restarted at "Go", a camera plugged back in).
    A lock keeps an old worker that is still finishing a frame from using it concurrently.
    A source that restarts (its frames' times jump back) gets a fresh model: the one shared
    tracks from the last frame seen, and carried from a clip's 3rd second into its restart at
    "Go" it hid 1 of the 5 punches of the shared shadowboxing clip and halved their speed.
    """

    def __init__(self, make: Callable[[], Any] = MediaPipeBackend, *,
                 is_per_stream: bool = True) -> None:
        """``is_per_stream=False``: a model without memory between frames (still-image mode)
        is kept when a source restarts."""
        self._lock = threading.Lock()
        self._make = make
        self._is_per_stream = is_per_stream
        self._backend: Any = None
        self._last_ms: float | None = None

    def _model(self, timestamp_ms: float) -> Any:
        """The model for a frame at ``timestamp_ms`` (call with the lock held)."""
        if self._is_per_stream and self._backend is not None and self._last_ms is not None \
                and is_new_stream(self._last_ms, timestamp_ms):
            self._backend.close()
            self._backend = None
        self._last_ms = timestamp_ms
        if self._backend is None:
            self._backend = self._make()
        return self._backend

    def detect(self, image_bgr: ImageArray, timestamp_ms: float) -> Any:
        with self._lock:
            return self._model(timestamp_ms).detect(image_bgr, timestamp_ms)

    def load(self, *, fresh: bool = False) -> None:
        """Load the model now (on the calling thread), not on its first frame; ``fresh``: a
        new one even when loaded (a stream starts: no tracking carried over from the last)."""
        with self._lock:
            if fresh and self._backend is not None:
                self._backend.close()
                self._backend = None
            if self._backend is None:
                self._backend = self._make()
            self._last_ms = None

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None


class SharedPeopleBackend(SharedBackend):
    """A shared model asked for two people (the look for a second person, and following both:
    ``PosePipeline``'s ``backend_factory``): everyone it finds, by ``detect_all``."""

    def detect_all(self, image_bgr: ImageArray, timestamp_ms: float) -> Any:
        with self._lock:
            return self._model(timestamp_ms).detect_all(image_bgr, timestamp_ms)


def watching_pipeline(backend: Any, look: SharedBackend, both: SharedBackend) -> PosePipeline:
    """A single-player pipeline that looks for a second person once a second and follows both
    while two are in view (``recording_options()``): ``backend`` follows one person, ``look``
    (still image, two people) and ``both`` (video, two people) are shared models. Call it on
    the feed's worker thread: the two extra models are loaded here, before the first frame,
    never mid-round (``both`` anew: no tracking carried over from the last stream)."""
    look.load()
    both.load(fresh=True)
    models: dict[bool, Any] = {True: look, False: both}
    return PosePipeline(recording_options(), backend=backend,
                        backend_factory=lambda _n, still: models[still])


def synthetic_opener(frames: Callable[[], Iterator[PoseFrame]]) -> Opener:
    """An opener over generated PoseFrames (demo mode): no image, nothing to process."""

    def open_() -> Iterator[tuple[PoseFrame, ImageArray | None, float]]:
        for frame in frames():
            yield frame, None, time.perf_counter()

    return open_


def synthetic_people_opener(frames: Callable[[], Iterator[tuple[TrackedPose, ...]]]) -> Opener:
    """An opener over generated groups of tracked people (the two-player demo): each item's
    ``pose`` is the player's, ``people`` all of them."""

    def open_() -> Iterator[tuple[Any, ...]]:
        for people in frames():
            if not people:
                continue
            first = people[0].pose
            pose = player_pose(people, first.timestamp_ms, first.image_size, first.index)
            yield pose, None, time.perf_counter(), people

    return open_


def display_image(image_bgr: ImageArray, max_height: int = 540) -> ImageArray:
    """BGR camera image -> RGB, downscaled so the render thread only has to blit it."""
    import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video, image or camera is read

    h, w = image_bgr.shape[:2]
    img: Any = image_bgr
    if h > max_height:
        scale = max_height / h
        img = cv2.resize(img, (int(w * scale), max_height), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), dtype=np.uint8)


class PoseFeed:
    """Runs an opener on a worker thread and hands out new items to the game loop."""

    def __init__(self, opener: Opener, *, label: str, pacing: str = "wall",
                 is_camera: bool = False, privacy: bool = False, retry_s: float = 1.0,
                 max_queue: int = 4, read_ahead: int = LOCKSTEP_READ_AHEAD) -> None:
        self.label = label
        self.pacing = pacing
        self.is_camera = is_camera
        self.privacy = privacy
        self._opener = opener
        self._retry_s = retry_s
        self.read_ahead = max(1, read_ahead)  # lockstep: frames made ahead of the game clock
        self._lock = threading.Condition()
        self._queue: deque[FeedItem] = deque(maxlen=None if pacing == "lockstep" else max_queue)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.status = FeedStatus.STARTING
        self.message = ""
        self.latest: FeedItem | None = None
        self.frames_done = 0
        self.frames_skipped = 0
        self.losses = 0
        # Recordings and generated players are released at their timestamps (a stop wakes it).
        self._pacer = RealtimePacer(clock=time.perf_counter, sleep=self._stop.wait)
        self._first_ts_ms: float | None = None
        self._rate = PoseRate()
        # The rate the current activity needs (MIN_POSE_FPS); the scene in charge sets it.
        self.min_pose_fps = MIN_POSE_FPS["reps"]

    # -- life ---------------------------------------------------------------------------
    def start(self) -> PoseFeed:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"pose-{self.label}",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)

    @property
    def is_exhausted(self) -> bool:
        """A file source has ended (or failed) and every item has been handed out."""
        with self._lock:
            return self.status in (FeedStatus.ENDED, FeedStatus.FAILED) and not self._queue

    # -- game side ----------------------------------------------------------------------
    def poll(self, game_ms: float | None = None, *, wait_s: float = 30.0) -> list[FeedItem]:
        """New items since the last poll.

        In lockstep pacing pass the game clock (ms since the feed started); the call returns every
        item up to that time, waiting for the worker (at most ``wait_s``) when it lags behind.
        """
        with self._lock:
            if self.pacing != "lockstep":
                items = list(self._queue)
                self._queue.clear()
            else:
                assert game_ms is not None, "lockstep pacing needs the game clock"
                deadline = time.perf_counter() + wait_s
                items = []
                while True:
                    while self._queue and self._rel_ms(self._queue[0]) <= game_ms:
                        items.append(self._queue.popleft())
                    if self._queue or self.status in (FeedStatus.ENDED, FeedStatus.FAILED,
                                                      FeedStatus.LOST) or self._stop.is_set():
                        break
                    remaining = deadline - time.perf_counter()
                    if remaining <= 0:
                        break
                    self._lock.notify_all()
                    self._lock.wait(min(remaining, 0.05))
                self._lock.notify_all()
                # Game-clocked frames are "captured" when the game clock releases them.
                now = time.perf_counter()
                items = [replace(i, capture_s=now, ready_s=now) for i in items]
        if items:
            self.latest = items[-1]
        return items

    @property
    def queued(self) -> int:
        """Items made and waiting for the game (in lockstep, at most ``read_ahead``)."""
        with self._lock:
            return len(self._queue)

    @property
    def pose_fps(self) -> float | None:
        """Skeletons per second delivered over the last RATE_WINDOW_S (None until measured)."""
        with self._lock:
            return self._rate.fps(time.perf_counter())

    @property
    def is_too_slow_to_judge(self) -> bool:
        """True while a live feed delivers fewer skeletons per second than ``min_pose_fps``:
        the machine (or the camera) is too slow for the detectors to judge fairly."""
        return self.is_too_slow_for(self.min_pose_fps)

    def is_too_slow_for(self, need: str | float) -> bool:
        """Whether the measured pose rate is below ``need``: frames per second, or what an
        exercise or a kind needs (:func:`needed_pose_fps`). False until measured and when not live."""
        fps = needed_pose_fps(need) if isinstance(need, str) else float(need)
        with self._lock:
            if self.status != FeedStatus.LIVE or self.pacing == "lockstep":
                return False
            return self._rate.is_below(fps, time.perf_counter())

    def wait_for_items(self, timeout_s: float) -> bool:
        """Block up to ``timeout_s`` until an item is ready to poll; True when one is. The render
        loop sleeps here between frames, so a skeleton is drawn as soon as it is ready instead of
        at the next 60 Hz tick (up to 16.7 ms later). Lockstep feeds return False at once."""
        if self.pacing == "lockstep":
            return False
        deadline = time.perf_counter() + timeout_s
        with self._lock:
            while not self._queue:
                remaining = deadline - time.perf_counter()
                if remaining <= 0 or self._stop.is_set():
                    return False
                self._lock.wait(remaining)
            return True

    def _rel_ms(self, item: FeedItem) -> float:
        first = self._first_ts_ms if self._first_ts_ms is not None else item.pose.timestamp_ms
        return item.pose.timestamp_ms - first

    # -- worker -------------------------------------------------------------------------
    def _set(self, status: FeedStatus, message: str = "") -> None:
        with self._lock:
            self.status = status
            self.message = message
            self._lock.notify_all()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                stream = self._opener()
                got_any = False
                for row in stream:
                    pose, image, captured = row[0], row[1], row[2]
                    people: tuple[TrackedPose, ...] = tuple(row[3]) if len(row) > 3 else ()
                    if self._stop.is_set():
                        return
                    if pose is None:  # dropped before the model: the machine fell behind
                        with self._lock:
                            self.frames_skipped += 1
                        continue
                    if not got_any:
                        got_any = True
                        self._set(FeedStatus.LIVE)
                    self._deliver(pose, image, captured, people)
                if not got_any and not self.is_camera:
                    self._set(FeedStatus.FAILED, f"{self.label} has no frames")
                    return
                if not self.is_camera:
                    self._set(FeedStatus.ENDED, f"{self.label} finished")
                    return
                raise SourceError("the camera stopped sending frames")
            except RingsideError as err:
                if not self.is_camera:
                    self._set(FeedStatus.FAILED, str(err))
                    return
                if self.frames_done == 0:
                    # Never worked yet: say why; keep trying so a camera plugged in now is found.
                    self._set(FeedStatus.FAILED, str(err))
                else:
                    if self.status == FeedStatus.LIVE:
                        self.losses += 1
                    self._set(FeedStatus.LOST, "Camera lost. Plug it back in or check the cable: "
                              "the game resumes by itself.")
                self._stop.wait(self._retry_s)
            except Exception as exc:  # noqa: BLE001 - thread boundary: a library failure (MediaPipe, OpenCV) or a bug is shown as the feed's status, never kills the game
                self._set(FeedStatus.FAILED, f"{self.label}: {type(exc).__name__}: {exc}")
                return

    def _deliver(self, pose: PoseFrame, image: ImageArray | None, captured: float,
                 people: tuple[TrackedPose, ...] = ()) -> None:
        if self._first_ts_ms is None:
            self._first_ts_ms = pose.timestamp_ms
            self._pacer.anchor(pose.timestamp_ms)
        if self.pacing == "wall" and not self.is_camera and image is None:
            # recordings and generated players are paced here; videos by their opener
            if self._pacer.wait(pose.timestamp_ms) > 0.1:
                # A recording that fell behind (the machine stalled): skip to catch up.
                self.frames_skipped += 1
                return
        rgb = None if (self.privacy or image is None) else display_image(image)
        if image is None:
            # A recording or a generated player: the frame "happens" when it is released.
            captured = time.perf_counter()
        item = FeedItem(pose=pose, image_rgb=rgb, capture_s=captured, ready_s=time.perf_counter(),
                        people=people)
        with self._lock:
            if self.pacing == "lockstep":
                # Bounded read-ahead: the worker waits while the game digests.
                while len(self._queue) >= self.read_ahead and not self._stop.is_set():
                    self._lock.wait(0.05)
            self._queue.append(item)
            self.frames_done += 1
            self._rate.add(item.ready_s)
            self._lock.notify_all()


def describe_source(spec: str) -> str:
    if is_camera_spec(spec):
        return f"camera {spec.split(':')[-1] if ':' in spec else '0'}"
    return Path(spec).name
