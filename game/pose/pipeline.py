"""From frames to smoothed, gated skeletons: the pose pipeline.

``PosePipeline.process(frame)`` = low-light enhancement -> BlazePose -> visibility gating ->
One Euro smoothing, returning a :class:`PoseFrame` (with ``landmarks_px=None`` when nobody is in
view). ``pose_stream(spec)`` turns any source spec -- a video, an image, an image folder, a
``.rsk`` skeleton recording or ``camera[:N]`` -- into a stream of PoseFrames.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from game.pose.backend import MediaPipeBackend, PoseBackend
from game.pose.lowlight import LowLightEnhancer, LowLightOptions
from game.pose.recording import SUFFIX, Recording
from game.pose.smoothing import OneEuroFilter, OneEuroParams
from game.pose.sources import IMAGE_SUFFIXES, FrameSource, open_source
from game.pose.types import Frame, PoseFrame


# Bump when a change to the pipeline changes its output, so cached recordings are rebuilt.
PIPELINE_VERSION = "2"


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


class PosePipeline:
    """Stateful (filters, tracker) but clock-free: timings are measured, never used in results.

    ``last_ms`` is the time of the last :meth:`process` call, from frame in hand to smoothed
    skeleton; ``timings_ms`` collects all of them.
    """

    def __init__(self, options: PipelineOptions = PipelineOptions(),
                 backend: PoseBackend | None = None,
                 perf_counter: Callable[[], float] = time.perf_counter) -> None:
        self.options = options
        # Loaded on the first frame, so a source that cannot be opened fails fast, before the
        # model's second or so of start-up.
        self._backend: PoseBackend | None = backend
        self.enhancer = LowLightEnhancer(options.lowlight)
        self._px_filter: OneEuroFilter | None = None
        self._world_filter = OneEuroFilter(options.one_euro, scale=1.0)
        self._perf = perf_counter
        self.last_ms = 0.0
        self.timings_ms: list[float] = []

    @property
    def backend(self) -> PoseBackend:
        if self._backend is None:
            self._backend = MediaPipeBackend(static_image_mode=self.options.static_image,
                                             min_detection_confidence=self.options.min_detection_confidence)
        return self._backend

    def process(self, frame: Frame) -> PoseFrame:
        if frame.image_bgr.size == 0:
            # A camera hiccup can hand over an empty image: nobody can be in it, and neither
            # OpenCV nor the model accepts it.
            return self._nobody(frame, None, False)
        backend = self.backend  # loading the model is not part of a frame's time
        start = self._perf()
        image, brightness, enhanced = self.enhancer.process(frame.image_bgr)
        px, world = backend.detect(image, frame.timestamp_ms)
        size = frame.size
        if px is None:
            out = self._nobody(frame, brightness, enhanced)
        else:
            if self.options.smoothing:
                if self._px_filter is None:
                    self._px_filter = OneEuroFilter(self.options.one_euro, scale=float(size[1]))
                mask = (px[:, 3] >= self.options.visibility_gate)[:, None]
                px = px.copy()
                px[:, :3] = self._px_filter.filter(px[:, :3], frame.timestamp_ms, mask)
                if world is not None:
                    world = self._world_filter.filter(world, frame.timestamp_ms, mask)
            out = PoseFrame(timestamp_ms=frame.timestamp_ms, image_size=size, landmarks_px=px,
                            world_m=world, index=frame.index, brightness=brightness, enhanced=enhanced)
        self.last_ms = (self._perf() - start) * 1000.0
        self.timings_ms.append(self.last_ms)
        return out

    def _nobody(self, frame: Frame, brightness: float | None, enhanced: bool) -> PoseFrame:
        if self._px_filter is not None:
            self._px_filter.reset()
        self._world_filter.reset()
        return PoseFrame(timestamp_ms=frame.timestamp_ms, image_size=frame.size, landmarks_px=None,
                         world_m=None, index=frame.index, brightness=brightness, enhanced=enhanced)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()


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
    start: float | None = None
    for frame in rec:
        if realtime:
            now = clock()
            if start is None:
                start = now - frame.timestamp_ms / 1000.0
            delay = start + frame.timestamp_ms / 1000.0 - now
            if delay > 0:
                sleep(delay)
        yield frame


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) or None for no values."""
    if not values:
        return None
    return float(np.percentile(np.asarray(values), q))
