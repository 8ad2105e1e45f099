"""Run the detectors over every labelled clip (skeletons from the cache) and judge them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from game import exercises
from game.analysis import make_detector
from game.errors import RingsideError, UsageError
from game.evaluation.cache import cached_path, ensure_cached
from game.evaluation.labels import ClipLabel, load_labels
from game.evaluation.scoring import ClipResult, boxing_mode_phantoms, failed, judge, totals
from game.players import PlayerLock, person_frames
from game.pose.recording import Recording
from game.pose.types import PoseFrame
from models.coco17 import read_coco17_csv


def detector_events(recording: Path, exercise: str) -> list[dict[str, Any]]:
    """Every event the game's detector for ``exercise`` gives on a skeleton recording, for the
    player: whoever does the exercise's movement first when the recording holds several people
    (:class:`game.players.PlayerLock`), the one person recorded otherwise."""
    lock = PlayerLock(lambda: make_detector(exercise))
    events: list[dict[str, Any]] = []
    for pf, people in Recording(recording).people():
        events.extend(ev.to_json() for ev in lock.update(pf, people))
    events.extend(ev.to_json() for ev in lock.finish())
    return events


def player_frames(recording: Path, exercise: str) -> list[PoseFrame]:
    """The frames of the person :func:`detector_events` judges (the locked player, or without a
    lock the most prominent person), e.g. to replay them as other cameras would give them."""
    lock = PlayerLock(lambda: make_detector(exercise))
    frames = list(Recording(recording).people())
    for pf, people in frames:
        lock.update(pf, people)
    lock.finish()
    return person_frames(frames, lock.followed_id)


def hook_drills(folder: Path) -> dict[str, Any] | None:
    """Punches the detector finds in the COCO-17 hook-drill keypoints, and how many it names hook."""
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        return None

    punches = hooks = 0
    for f in files:
        detector = make_detector(exercises.BOXING)
        evs = [ev.to_json() for pf in read_coco17_csv(f) for ev in detector.update(pf)]
        evs += [ev.to_json() for ev in detector.finish()]
        done = [e for e in evs if e.get("type") == "punch" and e.get("complete")]
        punches += len(done)
        hooks += sum(1 for e in done if e.get("kind") == "hook")
    return {"files": len(files), "punches": punches, "hooks": hooks}


def boxing_mode(labels: Sequence[ClipLabel], videos: Sequence[Path], cache_dir: Path,
                skip: set[Path]) -> dict[str, Any]:
    """Every non-boxing clip (reps and their negatives) run in boxing mode: punches nobody threw
    (``scoring.boxing_mode_phantoms``; docs/ACCURACY.md). Clips that could not be run are left out."""
    runs = []
    for lab, video in zip(labels, videos, strict=True):
        if lab.exercise == exercises.BOXING or video in skip:
            continue
        try:
            runs.append((lab, detector_events(cached_path(cache_dir, video), exercises.BOXING)))
        except RingsideError:
            continue  # already reported on the clip's own row
    return boxing_mode_phantoms(runs)


def row(result: ClipResult) -> dict[str, Any]:
    lab = result.label
    kinds = [f"{p.label.kind or '?'}->{p.kind if p.t_s is not None else 'missed'}"
             for p in result.pairs if p.label.kind is not None]
    return {
        "type": "clip", "clip": lab.stem, "file": lab.name, "exercise": lab.exercise, "check": lab.kind,
        "want": result.expected, "got": result.got, "ok": result.ok, "hits": result.hits,
        "labelled": result.labelled, "phantoms": result.phantoms, "off_time": result.off_time,
        "why": result.why, "error": result.error, "kinds": ", ".join(kinds),
        "timing_s": [round(p.t_s - p.label.t_s, 3) for p in result.pairs
                     if p.t_s is not None and p.label.t_s is not None],
    }


def run_all(labels_path: Path, *, cache_dir: Path, only: Sequence[str] = (), jobs: int | None = None,
            progress: Callable[[Path, str | None], None] | None = None) -> dict[str, Any]:
    """The report: ``{"clips": [row, ...], "totals": {...}}``. Raises UsageError for bad labels."""
    labels: list[ClipLabel] = load_labels(labels_path)
    if only:
        labels = [lab for lab in labels if any(o in lab.name for o in only)]
        if not labels:
            raise UsageError(f"no labelled clip matches {', '.join(only)}")
    root = labels_path.parent
    videos = [root / lab.name for lab in labels]
    missing = {v for v in videos if not v.is_file()}
    errors = ensure_cached([v for v in videos if v not in missing], cache_dir, jobs=jobs, progress=progress)
    results: list[ClipResult] = []
    for lab, video in zip(labels, videos, strict=True):
        if video in missing:
            results.append(failed(lab, f"video not found: {video}"))
        elif video in errors:
            results.append(failed(lab, errors[video]))
        else:
            try:
                results.append(judge(lab, detector_events(cached_path(cache_dir, video), lab.exercise)))
            except RingsideError as exc:
                results.append(failed(lab, str(exc)))
    tot = dataclasses.asdict(totals(results))
    tot["boxing_mode"] = boxing_mode(labels, videos, cache_dir, missing | set(errors))
    if not only or any("hook" in o or "coco" in o for o in only):
        tot["hook_drills"] = hook_drills(root / "landmarks" / "shadowboxer_coco17" / "hook")
    return {"clips": [row(r) for r in results], "totals": tot}
