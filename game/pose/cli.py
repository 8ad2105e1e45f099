"""``ringside record``, ``ringside analyze`` and ``ringside pose``: the headless pose tools."""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from game.errors import RingsideError, SourceError, StorageError, UsageError
from ringside_protocol import EXERCISE_MODES

P = ParamSpec("P")
R = TypeVar("R")


def _quiet_native(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a command with native libraries' stderr chatter dropped (see native_stderr_hidden)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from game.pose.backend import native_stderr_hidden  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

        with native_stderr_hidden():
            return fn(*args, **kwargs)

    return wrapper


class _StopRequest:
    """Set by Ctrl-C while a recording is written (see _ctrl_c_between_frames)."""

    def __init__(self) -> None:
        self.is_set = False


@contextlib.contextmanager
def _ctrl_c_between_frames() -> Iterator[_StopRequest]:
    """Ctrl-C sets a flag checked between frames instead of raising wherever Python happens to be:
    a KeyboardInterrupt inside a write (between gzip compressing a line and writing it out) would
    lose that frame or corrupt the stream. A second Ctrl-C raises (a source stuck waiting for a
    frame must not make the command unstoppable); outside the main thread, Ctrl-C raises as usual."""
    stop = _StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_sigint(signum: int, frame: object) -> None:
        if stop.is_set:  # pressed again: the source may be stuck waiting, so stop right here
            raise KeyboardInterrupt
        stop.is_set = True

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _json_safe(obj: Any) -> Any:
    """``obj`` with every NaN or infinite float replaced by None: JSON has no such numbers."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def _emit(obj: dict[str, Any]) -> None:
    """One JSON line on stdout, always valid JSON (allow_nan=False is the guarantee)."""
    sys.stdout.write(json.dumps(_json_safe(obj), separators=(", ", ": "), allow_nan=False) + "\n")
    sys.stdout.flush()


def _workers_option(workers: int | None) -> int:
    from game.pose.segments import usable_cores  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    return min(2, usable_cores()) if workers is None else workers


_WORKERS_HELP = ("Cores for the pose model on a long video (its segments are shared out; the "
                 "results are the same for any number). Default: 2 when there are two cores.")


def _pose_frames(source: str, *, fps: float, workers: int, timings_ms: list[float],
                 info: dict[str, Any] | None = None,
                 everyone: bool = False) -> Generator[Any, None, None]:
    """PoseFrames of a video, image, image folder or camera (see game.pose.segments); fills
    ``timings_ms`` with every pose call's time and ``info`` with the source's figures.
    ``everyone``: ``(player's PoseFrame, everyone tracked)`` pairs, a second person looked for
    as in the evaluation's recordings (``SegmentedPoses(everyone=True)``)."""
    from game.pose.segments import SegmentedPoses  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    poses = SegmentedPoses(source, fps=fps, workers=workers, everyone=everyone)
    if info is not None:
        info.update(frame_count=poses.frame_count, fps=poses.source_fps, workers=poses.workers,
                    segments=len(poses.segments))
    try:
        yield from poses
    finally:
        poses.close()
        timings_ms.extend(poses.timings_ms)


def _with_people(item: Any) -> tuple[Any, tuple[Any, ...]]:
    """``(PoseFrame, everyone tracked)`` of a stream item: a pair as it comes, or a lone
    PoseFrame (a source of one person) with that person as everyone."""
    if isinstance(item, tuple):
        return item[0], tuple(item[1])
    from game.players import everyone  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    return item, everyone(item, ())


@click.command()
@click.argument("source")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The .rsk skeleton recording to write.")
@click.option("--seconds", type=float, default=None,
              help="Stop after this many seconds of source time (needed for a camera unless you press Ctrl-C).")
@click.option("--fps", type=click.FloatRange(1.0, 240.0), default=30.0, show_default=True,
              help="Frame rate of an image folder (videos and cameras carry their own).")
@click.option("--workers", type=click.IntRange(1, 8), default=None, help=_WORKERS_HELP)
@_quiet_native
def record(source: str, output: str, seconds: float | None, fps: float, workers: int | None) -> None:
    """Record the skeletons (never pixels) of SOURCE into a .rsk file.

    SOURCE is a video, an image folder, an image or camera[:N].
    """
    from tqdm import tqdm  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    from game.pose.pipeline import is_recording, percentile  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.recording import SUFFIX, RecordingWriter  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    out = Path(output)
    if out.suffix.lower() != SUFFIX:
        raise UsageError(f"the output must end in {SUFFIX} (got {out.name})")
    if is_recording(source):
        raise UsageError(f"{source} is already a skeleton recording")
    timings: list[float] = []
    info: dict[str, Any] = {}
    # --seconds stops early: the second half of the video would be tracked for nothing.
    stream = _pose_frames(source, fps=fps, workers=1 if seconds is not None else _workers_option(workers),
                          timings_ms=timings, info=info, everyone=True)
    first = next(stream, None)  # opens the source (and fails here if it cannot be used)
    total = info.get("frame_count") or None
    tmp = out.with_name(out.name + ".part")
    writer: RecordingWriter | None = None
    frames = with_pose = 0
    interrupted = False
    try:
        with tqdm(total=total, unit="frame", desc="recording", disable=None, file=sys.stderr) as bar, \
                _ctrl_c_between_frames() as stop:
            try:
                for item in itertools.chain([] if first is None else [first], stream):
                    pf, people = _with_people(item)
                    if seconds is not None and pf.timestamp_ms > seconds * 1000.0:
                        break
                    if writer is None:
                        # everyone tracked, so `analyze` of the recording judges the player
                        # among them (game/players.py), as of the video itself
                        writer = RecordingWriter(tmp, image_size=pf.image_size, fps=info["fps"],
                                                 source=Path(source).name, people=True)
                    writer.write(pf, people)
                    frames += 1
                    with_pose += pf.has_person
                    bar.update(1)
                    if stop.is_set:
                        break
            except KeyboardInterrupt:  # raised outside the main thread, or by a source's own wait
                interrupted = True
            interrupted = interrupted or stop.is_set
        if writer is not None:
            writer.close()
    except StorageError as err:
        # Disk full or drive gone: never lose the session. What reached the disk is a truncated
        # recording; give it the name the user asked for and say how to read it.
        if writer is not None:
            writer.close()
            if frames > 0 and tmp.is_file():
                tmp.replace(out)
                raise StorageError(f"{err}; what reached the disk of the {frames} frames before it "
                                   f"is in {out} (cut short: read it with --salvage)") from None
        raise
    finally:
        stream.close()
        if writer is not None:
            writer.close()
    if writer is None:
        if interrupted:
            raise UsageError("stopped by Ctrl-C before any frame was recorded")
        raise SourceError(f"no frames could be read from {source}")
    tmp.replace(out)
    p95 = percentile(timings, 95) or 0.0
    click.echo(f"wrote {out}: {frames} frames, {with_pose} with a person, "
               f"pose p95 {p95:.1f} ms{' (stopped by Ctrl-C)' if interrupted else ''}")


@click.command()
@click.argument("source")
@click.option("--exercise", type=click.Choice(EXERCISE_MODES), required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line (events, then a summary).")
@click.option("--salvage", is_flag=True, help="Use the complete frames of a truncated recording.")
@click.option("--fps", type=click.FloatRange(1.0, 240.0), default=30.0, show_default=True,
              help="Frame rate of an image folder (videos and cameras carry their own).")
@click.option("--workers", type=click.IntRange(1, 8), default=None, help=_WORKERS_HELP)
@_quiet_native
def analyze(source: str, exercise: str, as_json: bool, salvage: bool, fps: float,
            workers: int | None) -> None:
    """Analyse SOURCE (video, image folder, or .rsk recording) without a window.

    Prints the detectors' events as they happen and a final summary line. A recording that holds
    several people is judged on whoever does the exercise's movement first (game/players.py).
    """
    from game.analysis import make_detector  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.players import PlayerLock  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.pipeline import is_recording, percentile  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.recording import Recording  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.types import TrackedPose  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    detector = PlayerLock(lambda: make_detector(exercise))
    rec: Recording | None = None
    timings: list[float] = []
    info: dict[str, Any] = {}
    if is_recording(source):
        rec = Recording(source, salvage=salvage)
        stream: Iterator[Any] = rec.people()
    else:
        stream = _pose_frames(source, fps=fps, workers=_workers_option(workers), timings_ms=timings,
                              info=info, everyone=True)

    def everyone(frames: Iterator[Any]) -> Iterator[tuple[Any, tuple[TrackedPose, ...]]]:
        for item in frames:
            yield _with_people(item)
    frames = with_pose = 0
    present: bool | None = None
    last_t = 0.0
    wall0 = time.perf_counter()

    def show(event: dict[str, Any]) -> None:
        if as_json:
            _emit(event)
        elif event.get("type") == "summary":
            click.echo("summary: " + ", ".join(f"{k}={v}" for k, v in event.items() if k != "type"))
        else:
            rest = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("type", "t"))
            click.echo(f"{event.get('t', 0):8.2f}s  {event.get('type'):<12} {rest}")

    interrupted = False
    try:
        try:
            for pf, people in everyone(stream):
                frames += 1
                last_t = pf.t_s
                if pf.has_person != present:
                    # Frames without a person are reported, not dropped silently.
                    show({"type": "person_found" if pf.has_person else "no_person", "t": round(pf.t_s, 3)})
                    present = pf.has_person
                with_pose += pf.has_person
                for ev in detector.update(pf, people):
                    show(ev.to_json())
        except KeyboardInterrupt:
            # Ctrl-C ends a camera session (or a long file): what was seen still gets its summary.
            interrupted = True
        for ev in detector.finish():
            show(ev.to_json())
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # releases the source and the models, stops a worker process
    if frames == 0:
        if rec is not None and rec.truncated:
            raise SourceError(f"{rec.damage}; no complete frame before it")
        if interrupted:
            raise UsageError("stopped by Ctrl-C before any frame was analysed")
        raise SourceError(f"no frames in {source}")
    wall_s = time.perf_counter() - wall0
    summary: dict[str, Any] = {
        "type": "summary",
        "source": str(source),
        "exercise": exercise,
        "frames": frames,
        "frames_with_pose": with_pose,
        "duration_s": round(last_t, 3),
        "reps": None,
        "punches": None,
        "pose_ms_p50": None if not timings else round(percentile(timings, 50) or 0.0, 2),
        "pose_ms_p95": None if not timings else round(percentile(timings, 95) or 0.0, 2),
        "realtime_factor": round(last_t / wall_s, 2) if wall_s > 0 and last_t > 0 else None,
    }
    if "workers" in info:
        summary["workers"] = info["workers"]
    if interrupted:
        summary["interrupted"] = True
    if rec is not None and rec.truncated:
        summary["truncated"] = True
        click.echo(f"ringside: warning: {rec.damage}; analysed the {frames} complete frames before it",
                   err=True)
    summary.update(detector.summary())
    show(summary)


@click.command()
@click.argument("image", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help='Print {"landmarks": [[x, y, z, visibility] x 33]} (null when nobody is found).')
@_quiet_native
def pose(image: str, as_json: bool) -> None:
    """The 33 landmarks of one still IMAGE, in pixels."""
    from game.pose.pipeline import PipelineOptions, PosePipeline  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.sources import ImageSource  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.types import LM  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    src = ImageSource(image)
    pipe = PosePipeline(PipelineOptions(static_image=True, smoothing=False))
    try:
        pf = pipe.process(next(iter(src)))
    finally:
        pipe.close()
    lms = None if pf.landmarks_px is None else [[round(float(v), 2) for v in row[:3]] + [round(float(row[3]), 4)]
                                                 for row in pf.landmarks_px]
    if as_json:
        world = None if pf.world_m is None else [[round(float(v), 4) for v in row] for row in pf.world_m]
        _emit({"image": str(image), "image_size": list(pf.image_size), "landmarks": lms,
               "world_landmarks": world})
        return
    if lms is None:
        click.echo(f"{image}: nobody found")
        return
    for lm in LM:
        x, y, z, v = lms[lm]
        click.echo(f"{lm.name.lower():<18} x={x:8.1f} y={y:8.1f} z={z:8.1f} visibility={v:.2f}")


__all__ = ["record", "analyze", "pose", "RingsideError"]
