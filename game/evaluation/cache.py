"""Skeletons of the labelled videos, recorded once per video and pipeline version.

The pose model is the slow part of an evaluation (about real time per video); the detectors take
seconds over every clip. So each video's skeletons are written to
``<cache>/<pipeline version>/<stem>.rsk`` beside a ``.key`` naming the video and the version, and
reused until either changes. Missing recordings are made on every core, one video per process.
Each recording holds everyone the pipeline tracked (it looks for a second person once a second:
``PipelineOptions.watch_others_ms``), so the evaluation can judge whoever does the movement
(:mod:`game.players`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from game.errors import RingsideError
from game.pose.pipeline import PIPELINE_VERSION, PosePipeline, player_pose, recording_options
from game.pose.recording import RecordingWriter
from game.pose.sources import open_source


def cache_key(video: Path) -> str:
    st = video.stat()
    return f"{video.name}:{st.st_size}:pipeline {PIPELINE_VERSION}"


def cached_path(cache_dir: Path, video: Path) -> Path:
    return cache_dir / f"pipeline-{PIPELINE_VERSION}" / f"{video.stem}.rsk"


def is_fresh(cache_dir: Path, video: Path) -> bool:
    out = cached_path(cache_dir, video)
    key = out.with_suffix(".key")
    try:
        return out.is_file() and key.read_text().strip() == cache_key(video)
    except OSError:
        return False


def record_one(video: str, cache_dir: str) -> str:
    """Record one video's skeletons into the cache (runs in a worker process). Returns the path."""
    v, cdir = Path(video), Path(cache_dir)
    out = cached_path(cdir, v)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"{v.stem}.{os.getpid()}.part.rsk")
    src = open_source(str(v))
    pipe = PosePipeline(recording_options())
    writer: RecordingWriter | None = None
    try:
        for frame in src:
            people = pipe.process_all(frame)
            pf = player_pose(people, frame.timestamp_ms, frame.size, frame.index)
            if writer is None:
                writer = RecordingWriter(tmp, image_size=pf.image_size, fps=getattr(src, "fps", 30.0),
                                         source=v.name, meta={"pipeline": PIPELINE_VERSION},
                                         people=True)
            writer.write(pf, people)
    finally:
        src.close()
        pipe.close()
        if writer is not None:
            writer.close()
    if writer is None:
        raise RingsideError(f"no frames could be read from {v}")
    tmp.replace(out)
    out.with_suffix(".key").write_text(cache_key(v) + "\n")
    return str(out)


def ensure_cached(videos: Sequence[Path], cache_dir: Path, *, jobs: int | None = None,
                  progress: Callable[[Path, str | None], None] | None = None) -> dict[Path, str]:
    """Record every video not yet cached. Returns {video: error message} for those that failed."""
    todo = [v for v in videos if not is_fresh(cache_dir, v)]
    errors: dict[Path, str] = {}
    if not todo:
        return errors
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(record_one, str(v), str(cache_dir)): v for v in todo}
        for fut in as_completed(futures):
            v = futures[fut]
            try:
                fut.result()
                err = None
            except RingsideError as exc:
                err = str(exc)
            except Exception as exc:  # noqa: BLE001 - a worker's crash on one video must not end the run
                err = f"{type(exc).__name__}: {exc}"
            if err is not None:
                errors[v] = err
            if progress is not None:
                progress(v, err)
    return errors
