"""Pose over a long video on several cores, with results that do not depend on the core count.

MediaPipe's VIDEO mode tracks each frame from the previous one, so its output depends on where
tracking started: two runs of the same clip started 20 frames apart still differ by 4-9 px on
visible joints 60 frames later (measured on lunge_forward_front_form_overlays.mp4, docs/POSE.md
"Throughput"). A video split at a cut therefore cannot match a single run after the cut.

So the cut is part of the analysis itself, not of the machine: a video longer than
``MIN_SPLIT_S`` is cut into an even number of equal segments (about ``SEGMENT_S`` each) from its
length alone, and every segment is tracked by a fresh pipeline that starts ``WARMUP_S`` before
the segment (frames it sees only to settle: the detector finds the person, the One Euro filter,
``min_cutoff`` 0.8 Hz, time constant 0.2 s, settles to within 1 % in 1 s). One core runs the
segments in turn on one pass over the video; two cores run the first half of the segments here
and the second half in a worker process. Both give the same frames, bit for bit.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from game.errors import RingsideError, SourceError
from game.pose.backend import native_stderr_hidden
from game.pose.pipeline import PipelineOptions, PosePipeline, player_pose, recording_options
from game.pose.sources import VideoSource, open_source
from game.pose.tracking import body_scale_px, torso_centre
from game.pose.types import Frame, PoseFrame, TrackedPose

SEGMENT_S = 20.0
MIN_SPLIT_S = 8.0
WARMUP_S = 1.0
BATCH = 32  # frames per message from the worker process


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class Segment:
    """Frames ``start`` .. ``stop`` - 1 (``stop`` None: to the end) tracked by one pipeline that
    starts at frame ``warm_from`` (<= start; the frames before ``start`` only warm it up)."""

    warm_from: int
    start: int
    stop: int | None

    def runs(self, index: int) -> bool:
        return index >= self.warm_from and (self.stop is None or index < self.stop)


def plan_segments(frame_count: int, fps: float, *, segment_s: float = SEGMENT_S,
                  warmup_s: float = WARMUP_S, min_split_s: float = MIN_SPLIT_S) -> tuple[Segment, ...]:
    """The segments of a video of ``frame_count`` frames at ``fps`` (the container's figures; an
    unknown count gives one segment). Depends on the video only, never on the cores."""
    if frame_count <= 0 or fps <= 0 or frame_count / fps < min_split_s:
        return (Segment(0, 0, None),)
    parts = 2 * math.ceil(frame_count / fps / (2.0 * segment_s))
    bounds = [round(k * frame_count / parts) for k in range(parts)]
    warm = max(1, round(warmup_s * fps))
    return tuple(Segment(warm_from=max(0, b - warm) if k else 0, start=b,
                         stop=bounds[k + 1] if k + 1 < parts else None)
                 for k, b in enumerate(bounds))


def share(segments: Sequence[Segment], workers: int) -> list[tuple[Segment, ...]]:
    """Contiguous runs of segments, one per worker (fewer when there are fewer segments)."""
    n = max(1, min(workers, len(segments)))
    size, extra = divmod(len(segments), n)
    groups, start = [], 0
    for k in range(n):  # sizes differ by at most one, the larger ones first
        stop = start + size + (k < extra)
        groups.append(tuple(segments[start:stop]))
        start = stop
    return groups


def segment_poses(frames: Iterable[Frame], segments: Sequence[Segment],
                  make_pipeline: Callable[[], Any],
                  timings_ms: list[float] | None = None, *,
                  everyone: bool = False) -> Iterator[Any]:
    """PoseFrames of ``segments`` (in order, contiguous) from one pass over ``frames``: each
    segment gets a fresh pipeline from ``make_pipeline()`` (anything with ``process(frame)``,
    ``close()`` and ``timings_ms``). Frames before the first segment are decoded, not processed.

    ``everyone``: the pipelines' ``process_all`` instead, and each item is ``(player's frame,
    everyone tracked, seam)``: ``seam`` is None but on a later segment's first frame, where it is
    everyone that segment's pipeline tracked in the frame before (its last warm-up frame, which
    the segment before gave out): :class:`SeamStitcher` matches the two so identities carry on.
    """
    seams: dict[int, tuple[TrackedPose, ...]] = {}
    segs = list(segments)
    first = segs[0].warm_from
    end = segs[-1].stop
    running: dict[int, Any] = {}

    def retire(k: int) -> None:
        pipe = running.pop(k)
        if timings_ms is not None:
            timings_ms.extend(pipe.timings_ms)
        pipe.close()

    try:
        for frame in frames:
            i = frame.index
            if end is not None and i >= end:
                break
            if i < first:
                continue
            out: Any = None  # a PoseFrame, or with everyone (frame, people, seam)
            for k, seg in enumerate(segs):
                if seg.runs(i):
                    if k not in running:
                        running[k] = make_pipeline()
                    if not everyone:
                        pf = running[k].process(frame)
                        if i >= seg.start:
                            out = pf
                        continue
                    people = tuple(running[k].process_all(frame))
                    if i == seg.start - 1:
                        seams[k] = people
                    elif i >= seg.start:
                        player = player_pose(people, frame.timestamp_ms, frame.size, frame.index)
                        out = (player, people, seams.pop(k, None) if k else None)
                elif k in running:
                    retire(k)
            if out is not None:
                yield out
    finally:
        for k in list(running):
            retire(k)


# -- the worker process ------------------------------------------------------------------------

def _worker(source: str, fps: float, segments: tuple[Segment, ...], out: Any,
            everyone: bool = False) -> None:
    """Entry point of the worker process: streams batches of PoseFrames, then ("end", timings)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    with native_stderr_hidden():
        try:
            timings: list[float] = []
            batch: list[PoseFrame] = []
            for pf in _local_poses(source, fps, segments, timings, everyone=everyone):
                batch.append(pf)
                if len(batch) >= BATCH:
                    out.put(("frames", batch))
                    batch = []
            out.put(("frames", batch))
            out.put(("end", timings))
        except RingsideError as err:
            out.put(("error", str(err)))
        except Exception as exc:  # noqa: BLE001 - process boundary: any failure must reach the parent (it says it in one line), or it waits for frames that never come
            out.put(("error", f"pose worker: {type(exc).__name__}: {exc}"))


def _local_poses(source: str | Any, fps: float, segments: Sequence[Segment],
                 timings_ms: list[float], *, everyone: bool = False) -> Iterator[Any]:
    """``source``: a spec to open, or a source already opened (closed here either way)."""
    src = open_source(source, realtime=False, fps=fps) if isinstance(source, str) else source
    options = recording_options() if everyone else PipelineOptions()
    try:
        yield from segment_poses(src, segments, lambda: PosePipeline(options), timings_ms,
                                 everyone=everyone)
    finally:
        src.close()


class SegmentedPoses:
    """The PoseFrames of a video, its segments shared over ``workers`` (1 or 2) cores.

    Iterate it once; ``timings_ms`` holds every pose call's time when it is done. Raises
    :class:`SourceError` when the source cannot be read or the worker process fails.
    """

    def __init__(self, source: str, *, fps: float = 30.0, workers: int = 2,
                 segments: Sequence[Segment] | None = None, everyone: bool = False) -> None:
        """``everyone``: items are ``(player's PoseFrame, everyone tracked)`` with identities
        kept across segments (:class:`SeamStitcher`); the pipelines look for a second person
        (``recording_options()``) as the evaluation's recordings do."""
        self.source = source
        self.fps = fps
        self.everyone = everyone
        # Opened now, so a source that cannot be used fails before any work; it serves the
        # first group of segments (a camera is opened once, and is always one segment).
        self._src: Any = open_source(source, realtime=False, fps=fps)
        is_video = isinstance(self._src, VideoSource)
        self.frame_count: int = self._src.frame_count if isinstance(self._src, VideoSource) else 0
        self.source_fps: float = float(self._src.fps)
        if segments is None:
            segments = plan_segments(self.frame_count, self.source_fps) if is_video else \
                (Segment(0, 0, None),)
        self.segments = tuple(segments)
        self.groups = share(self.segments, workers)
        self.timings_ms: list[float] = []
        self._procs: list[Any] = []

    @property
    def workers(self) -> int:
        return len(self.groups)

    def __iter__(self) -> Iterator[Any]:
        if not self.everyone:
            yield from self._items()
            return
        stitch = SeamStitcher()
        for pf, people, seam in self._items():
            yield stitch.feed(pf, people, seam)

    def _items(self) -> Iterator[Any]:
        ctx = mp.get_context("spawn")  # never fork a process that holds MediaPipe's threads
        outs: list[Any] = []
        for group in self.groups[1:]:  # their models load while ours does
            out = ctx.Queue()
            proc = ctx.Process(target=_worker, name="pose-worker", daemon=True,
                               args=(self.source, self.fps, group, out, self.everyone))
            proc.start()
            self._procs.append(proc)
            outs.append((proc, out))
        try:
            src, self._src = self._src, None
            yield from _local_poses(src, self.fps, self.groups[0], self.timings_ms,
                                    everyone=self.everyone)
            for proc, out in outs:
                yield from self._drain(proc, out)
        finally:
            self.close()

    def _drain(self, proc: Any, out: Any) -> Iterator[Any]:
        while True:
            try:
                kind, payload = out.get(timeout=1.0)
            except queue.Empty:
                if proc is not None and not proc.is_alive():
                    raise SourceError(f"a pose worker stopped (exit status {proc.exitcode}) while "
                                      f"reading {self.source}") from None
                continue
            if kind == "frames":
                yield from payload
            elif kind == "end":
                self.timings_ms.extend(payload)
                return
            else:
                raise SourceError(str(payload))

    def close(self) -> None:
        """Release the source and stop the worker process (safe to call more than once)."""
        src, self._src = self._src, None
        if src is not None:
            src.close()
        procs, self._procs = self._procs, []
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=5.0)


class SeamStitcher:
    """Identities across segments: each segment's pipeline numbers people from 1 again, so at
    a seam the new pipeline's people in the frame before the segment (its last warm-up frame)
    are matched to the people the segment before gave out in that same frame. Both pipelines saw
    that frame, so the same body is in the same place: torso centres closer than half the smaller
    torso length (the rule that tells two people from one body reported twice,
    ``game.pose.pipeline.holds_two_people``). Someone not matched gets a new identity. The
    player (``is_player``) stays the one it was when they are still in view. Pure.
    """

    def __init__(self) -> None:
        self._map: dict[int, int] | None = None  # None: the first segment keeps its own ids
        self._next = 1
        self._last: tuple[TrackedPose, ...] = ()
        self._player: int | None = None

    def feed(self, frame: PoseFrame, people: Sequence[TrackedPose],
             seam: Sequence[TrackedPose] | None) -> tuple[PoseFrame, tuple[TrackedPose, ...]]:
        """The item with everyone's identity carried over from the segments before."""
        if seam is not None:
            self._map = _match(seam, self._last)
        out: list[TrackedPose] = []
        for person in people:
            if self._map is None:
                gid = person.person_id
            else:
                gid = self._map.get(person.person_id, 0)
                if not gid:
                    gid = self._map[person.person_id] = self._next
            self._next = max(self._next, gid + 1)
            out.append(TrackedPose(gid, person.slot, person.is_player, person.pose,
                                   person.confidence))
        if self._player is not None and any(p.person_id == self._player for p in out):
            out = [TrackedPose(p.person_id, p.slot, p.person_id == self._player, p.pose,
                               p.confidence) for p in out]
        for p in out:
            if p.is_player:
                self._player = p.person_id
        self._last = tuple(sorted(out, key=lambda p: p.person_id))
        player = player_pose(self._last, frame.timestamp_ms, frame.image_size, frame.index)
        if player.landmarks_px is None:
            player = frame  # (nobody followed: the frame as it came, its brightness kept)
        return player, self._last


def _match(new: Sequence[TrackedPose], old: Sequence[TrackedPose]) -> dict[int, int]:
    """New segment id -> identity, for the people of ``new`` found where one of ``old`` is."""
    pairs = []
    for a in new:
        for b in old:
            if a.pose.landmarks_px is None or b.pose.landmarks_px is None:
                continue
            gap = float(np.linalg.norm(torso_centre(a.pose.landmarks_px)
                                       - torso_centre(b.pose.landmarks_px)))
            limit = 0.5 * min(body_scale_px(a.pose.landmarks_px), body_scale_px(b.pose.landmarks_px))
            if gap < limit:
                pairs.append((gap, a.person_id, b.person_id))
    out: dict[int, int] = {}
    for _, a_id, b_id in sorted(pairs):
        if a_id not in out and b_id not in out.values():
            out[a_id] = b_id
    return out
