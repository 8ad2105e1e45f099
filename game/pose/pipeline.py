"""From frames to smoothed, gated skeletons: the pose pipeline.

``PosePipeline.process(frame)`` = low-light enhancement -> BlazePose (up to ``max_people``) ->
identity tracking (cuts in edited videos detected) -> visibility gating -> One Euro smoothing per person, returning the player's
:class:`PoseFrame` (with ``landmarks_px=None`` when the player is not in view);
``process_all(frame)`` returns every tracked person as a :class:`TrackedPose`. With
``watch_others_ms`` a single-person pipeline looks for a second person once in that much stream
time and, once one is found, follows both (see :class:`PipelineOptions`). ``pose_stream(spec)`` turns any source spec -- a video, an image, an image folder, a
``.rsk`` skeleton recording or ``camera[:N]`` -- into a stream of PoseFrames.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from game.pose.backend import Detection, MediaPipeBackend, PoseBackend
from game.pose.lowlight import LowLightEnhancer, LowLightOptions
from game.pose.pacing import RealtimePacer
from game.pose.recording import SUFFIX, Recording
from game.pose.smoothing import OneEuroFilter, OneEuroParams
from game.pose.sources import IMAGE_SUFFIXES, FrameSource, open_source
from game.pose.tracking import PoseTracker, TrackerOptions, body_scale_px, torso_centre
from game.pose.types import Frame, PoseFrame, TrackedPose

# Bump when a change to the pipeline changes its output, so cached recordings are rebuilt.
# 3: MediaPipe Tasks 1.2 from our .task bundle, two people tracked; 4: the recordings of the
# evaluation look for a second person (``watch_others_ms``) and hold everyone tracked.
PIPELINE_VERSION = "4"


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    smoothing: bool = True
    one_euro: OneEuroParams = OneEuroParams()
    # Landmarks below this visibility pass through unsmoothed and restart their filter: BlazePose
    # guesses hidden joints, and a filter fed guesses drags the joint when it reappears.
    visibility_gate: float = 0.5
    lowlight: LowLightOptions = field(default_factory=LowLightOptions)
    static_image: bool = False
    min_detection_confidence: float = 0.5
    # People the model looks for in each frame (MediaPipe's num_poses). 1 for the single-player
    # modes: with 2 and one person in view, Tasks re-runs its detector on every frame (measured:
    # ~3x the time per frame, and 7.2 vs 6.0 px raw error on squat_front_band). Two-player modes
    # set 2. Either way the tracker keeps identities for (at least) two people, so someone else
    # who steps in is never taken for the player.
    max_people: int = 1
    tracking: TrackerOptions = field(default_factory=TrackerOptions)
    # With max_people=1: every this many ms of stream time, one still-image pass of the model that
    # finds up to two people; when it finds a second person the pipeline follows both (the model
    # asked for two, in video mode) until only one has been found for others_gone_ms, then goes
    # back to one. None: never look (one person stays one person). Cost: one frame in 30 at 30 fps
    # pays for the still-image pass (about 3x a tracked frame, docs/BENCHMARKS.md); the ~3x per
    # frame of asking for two people is paid only while two are in view. Why a second: a partner
    # in a drill is in view for seconds, and a punch thrown in the first second before the look
    # would be missed (the shared partner drills punch at 0.7-0.95 s: the first look is at 0 s).
    watch_others_ms: float | None = None
    # Back to one person after this long with only one in view: longer than the model losing one
    # of two people for a few frames (the partner ducking behind the other, about 1 s in the
    # shared drills), short enough that a partner who walked away costs little.
    others_gone_ms: float = 3000.0


# How often a single-person pipeline looks for a second person (PipelineOptions.watch_others_ms):
# once a second costs one still-image pass in 30 frames, and finds a partner who is in view from
# the start on the first frame.
WATCH_OTHERS_MS = 1000.0


def recording_options() -> PipelineOptions:
    """The options of a recording that holds everyone (the evaluation's cache, ``analyze``): one
    person followed, a second one looked for once a second and followed once found."""
    return PipelineOptions(watch_others_ms=WATCH_OTHERS_MS)


def player_pose(people: Sequence[TrackedPose], timestamp_ms: float, image_size: tuple[int, int],
                index: int = 0) -> PoseFrame:
    """The player's skeleton among tracked people (as :meth:`PosePipeline.process` returns it),
    or a "nobody" frame when the player is not among them."""
    for person in people:
        if person.is_player:
            return person.pose
    return PoseFrame(timestamp_ms=timestamp_ms, image_size=image_size, landmarks_px=None,
                     index=index)


# A cut: more than CUT_FRACTION of a 1/16-size grey copy changed by more than CUT_LEVEL grey levels
# from the previous frame. A person moving (even close to the camera) changes a part of the
# picture; a cut changes most of it. Measured on the 52 shared videos (2026-12-05): frame to frame
# at most 0.16 of the picture changes within a shot (jumping jacks, a tracking camera, people
# walking toward the camera), 0.51-0.92 at the cuts of jab_tutorial.
CUT_LEVEL = 25
CUT_FRACTION = 0.35


def _grey_thumb(image_bgr: np.ndarray) -> np.ndarray:
    small = image_bgr[::16, ::16].astype(np.int16)
    return (small[..., 0] * 29 + small[..., 1] * 150 + small[..., 2] * 77) >> 8  # BT.601 luma


def is_cut(previous: np.ndarray | None, current: np.ndarray) -> bool:
    """Whether two grey thumbnails (:func:`_grey_thumb`) are different shots."""
    if previous is None or previous.shape != current.shape:
        return False
    return float(np.mean(np.abs(current - previous) > CUT_LEVEL)) > CUT_FRACTION


class _PersonFilters:
    """One person's smoothing state (image and world landmarks)."""

    def __init__(self, options: PipelineOptions, height_px: int) -> None:
        self.px = OneEuroFilter(options.one_euro, scale=float(height_px))
        self.world = OneEuroFilter(options.one_euro, scale=1.0)


class PosePipeline:
    """Stateful (filters, tracker) but clock-free: timings are measured, never used in results.

    ``last_ms`` is the time of the last :meth:`process` / :meth:`process_all` call, from frame in
    hand to smoothed skeletons; ``timings_ms`` collects all of them.
    """

    def __init__(self, options: PipelineOptions = PipelineOptions(),
                 backend: PoseBackend | None = None,
                 perf_counter: Callable[[], float] = time.perf_counter,
                 backend_factory: BackendFactory | None = None) -> None:
        self.options = options
        # Loaded on the first frame, so a source that cannot be opened fails fast, before the
        # model's second or so of start-up.
        self._backend: PoseBackend | None = backend
        # Watching for a second person (options.watch_others_ms): the still-image look and the
        # two-person model, made by backend_factory(num_poses, still_image) when first needed.
        self._factory = backend_factory or self._mediapipe
        self._look: PoseBackend | None = None
        self._both: PoseBackend | None = None
        self._is_following_both = False
        self._next_look_ms: float | None = None
        self._two_seen_ms = 0.0
        self.switches = 0  # times the pipeline started following two people (for reports)
        self.enhancer = LowLightEnhancer(options.lowlight)
        self.tracker = PoseTracker(replace(options.tracking, max_people=max(2, options.max_people)))
        self._filters: dict[int, _PersonFilters] = {}
        self._thumb: np.ndarray | None = None
        self._perf = perf_counter
        self.last_ms = 0.0
        self.timings_ms: list[float] = []

    def _mediapipe(self, num_poses: int, still_image: bool) -> PoseBackend:
        return MediaPipeBackend(static_image_mode=still_image,
                                min_detection_confidence=self.options.min_detection_confidence,
                                num_poses=num_poses)

    @property
    def is_following_both(self) -> bool:
        """Whether the model is being asked for two people now (a second person was found)."""
        return self._is_following_both

    @property
    def backend(self) -> PoseBackend:
        if self._backend is None:
            self._backend = MediaPipeBackend(static_image_mode=self.options.static_image,
                                             min_detection_confidence=self.options.min_detection_confidence,
                                             num_poses=self.options.max_people)
        return self._backend

    def _detect(self, image: np.ndarray, timestamp_ms: float) -> list[Detection]:
        """Everyone the model finds in this frame: with ``watch_others_ms``, the single-person
        model plus a look for two when one is due, or the two-person model while following both."""
        watch = self.options.watch_others_ms
        if watch is None or self.options.max_people > 1:
            return _detect_with(self.backend, image, timestamp_ms)
        if self._is_following_both:
            assert self._both is not None
            found = _detect_with(self._both, image, timestamp_ms)
            if holds_two_people(found):
                self._two_seen_ms = timestamp_ms
            elif timestamp_ms - self._two_seen_ms > self.options.others_gone_ms:
                self._is_following_both = False
                self._next_look_ms = timestamp_ms + watch
            return found
        found = _detect_with(self.backend, image, timestamp_ms)
        due = self._next_look_ms
        if due is not None and due - watch <= timestamp_ms < due:  # (time going back: look now)
            return found
        self._next_look_ms = timestamp_ms + watch
        if self._look is None:
            self._look = self._factory(2, True)
        if not holds_two_people(_detect_with(self._look, image, timestamp_ms)):
            return found
        # A second person: from this frame on the model follows both (its own tracking, in video
        # mode); the tracker keeps the player's identity by place.
        if self._both is None:
            self._both = self._factory(2, False)
        self._is_following_both = True
        self._two_seen_ms = timestamp_ms
        self.switches += 1
        return _detect_with(self._both, image, timestamp_ms)

    def process_all(self, frame: Frame) -> tuple[TrackedPose, ...]:
        """Every tracked person in this frame, in ``person_id`` order (empty: nobody in view)."""
        return self._run(frame)[0]

    def process(self, frame: Frame) -> PoseFrame:
        """The player's skeleton in this frame (``landmarks_px=None`` when they are not in view).

        Nobody else ever takes the player's place: another person in view is tracked under their
        own identity and left out here.
        """
        people, brightness, enhanced = self._run(frame)
        for person in people:
            if person.is_player:
                return person.pose
        return PoseFrame(timestamp_ms=frame.timestamp_ms, image_size=frame.size, landmarks_px=None,
                         world_m=None, index=frame.index, brightness=brightness, enhanced=enhanced)

    def _run(self, frame: Frame) -> tuple[tuple[TrackedPose, ...], float | None, bool]:
        if frame.image_bgr.size == 0:
            # A camera hiccup can hand over an empty image: nobody can be in it, and neither
            # OpenCV nor the model accepts it.
            self._filters.clear()
            self.tracker.update([], frame.timestamp_ms, frame.size)
            return (), None, False
        _ = self.backend  # loading the model is not part of a frame's time
        start = self._perf()
        image, brightness, enhanced = self.enhancer.process(frame.image_bgr)
        found = self._detect(image, frame.timestamp_ms)
        size = frame.size
        thumb = _grey_thumb(frame.image_bgr)
        cut = is_cut(self._thumb, thumb)
        self._thumb = thumb
        assigned = self.tracker.update([px for px, _ in found], frame.timestamp_ms, size, cut=cut)
        people: list[TrackedPose] = []
        for a in assigned:
            px, world = found[a.detection]
            if self.options.smoothing:
                filters = self._filters.get(a.person_id)
                if filters is None:
                    filters = self._filters[a.person_id] = _PersonFilters(self.options, size[1])
                mask = (px[:, 3] >= self.options.visibility_gate)[:, None]
                px = px.copy()
                px[:, :3] = filters.px.filter(px[:, :3], frame.timestamp_ms, mask)
                if world is not None:
                    world = filters.world.filter(world, frame.timestamp_ms, mask)
            pose = PoseFrame(timestamp_ms=frame.timestamp_ms, image_size=size, landmarks_px=px,
                             world_m=world, index=frame.index, brightness=brightness, enhanced=enhanced)
            people.append(TrackedPose(a.person_id, a.slot, a.is_player, pose, a.confidence))
        # Someone out of view restarts their filters when they come back (no drag from old values).
        seen = {a.person_id for a in assigned}
        for pid in [pid for pid in self._filters if pid not in seen]:
            del self._filters[pid]
        self.last_ms = (self._perf() - start) * 1000.0
        self.timings_ms.append(self.last_ms)
        return tuple(sorted(people, key=lambda p: p.person_id)), brightness, enhanced

    def close(self) -> None:
        for backend in (self._backend, self._look, self._both):
            if backend is not None:
                backend.close()


BackendFactory = Callable[[int, bool], PoseBackend]  # (num_poses, still_image) -> a backend


def _detect_with(backend: PoseBackend, image: np.ndarray, timestamp_ms: float) -> list[Detection]:
    detect_all = getattr(backend, "detect_all", None)
    if detect_all is not None:
        found: list[Detection] = detect_all(image, timestamp_ms)
        return found
    px, world = backend.detect(image, timestamp_ms)
    return [] if px is None else [(px, world)]


def holds_two_people(found: list[Detection], visibility: float = 0.5) -> bool:
    """Whether a look found two different people: two skeletons whose torso centres are at least
    half the smaller one's torso length apart (the model reporting one body twice, slightly
    shifted, is not a second person)."""
    if len(found) < 2:
        return False
    obs = [(torso_centre(px, visibility), body_scale_px(px, visibility)) for px, _ in found]
    return any(float(np.linalg.norm(a[0] - b[0])) >= 0.5 * min(a[1], b[1])
               for i, a in enumerate(obs) for b in obs[i + 1:])


def is_recording(spec: str | Path) -> bool:
    return str(spec).lower().endswith(SUFFIX)


def pose_stream(spec: str | Path, *, realtime: bool = False,
                options: PipelineOptions | None = None,
                pipeline: PosePipeline | None = None,
                salvage: bool = False,
                fps: float = 30.0,
                sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic) -> Iterator[PoseFrame]:
    """PoseFrames from any source spec. A ``.rsk`` recording replays exactly what it holds
    (paced at its own timestamps when ``realtime``); anything else runs through a pipeline.
    ``fps`` is the frame rate of an image folder (videos and cameras carry their own).

    Raises :class:`~game.errors.SourceError` (or a subclass) when the source cannot be used.
    """
    if is_recording(spec):
        yield from _replay(Recording(spec, salvage=salvage), realtime, sleep, clock)
        return
    source: FrameSource = open_source(spec, realtime=realtime, fps=fps)
    suffix = Path(str(spec)).suffix.lower()
    static = options.static_image if options else suffix in IMAGE_SUFFIXES
    own = pipeline is None
    pipe = pipeline or PosePipeline(options or PipelineOptions(static_image=static))
    try:
        for frame in source:
            yield pipe.process(frame)
    finally:
        source.close()
        if own:
            pipe.close()


def _replay(rec: Recording, realtime: bool, sleep: Callable[[float], None],
            clock: Callable[[], float]) -> Iterator[PoseFrame]:
    pacer = RealtimePacer(clock=clock, sleep=sleep)
    for frame in rec:
        if realtime:
            pacer.wait(frame.timestamp_ms)
        yield frame


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) or None for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values), q))
