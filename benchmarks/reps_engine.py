"""Rep engine figures: what the engine adds per frame (goal: under 1 ms), and counts on the real videos.

Each frame's time is the best of 3 runs of a fresh engine over the same frames (as in the boxing
benchmark): a single run's wall clock includes being preempted by other processes on a shared
machine (p99 4-8 ms at load 3 on 2026-12-05 against 0.4 ms for the best of 3); the thread CPU time
is what the engine itself costs.

- synthetic sets (game.reps.synthetic) of squats, push-ups and lunges at 30 fps, front and side on:
  ``update()`` per frame p50 / p95 / p99 / max, ``view()`` per frame, and the frames that close a
  rep (judging, scoring, cues) on their own;
- the skeleton recordings of the shared squat videos, from the skeleton cache that ``ringside eval``
  and the pose tests share (``.cache/eval/pipeline-N/<stem>.rsk``; ``ringside eval`` or
  ``python -m tests.support.recordings STEM`` makes them; skipped when absent): the same timing on
  real tracker output, and the counts against ``labels.json``. ``RINGSIDE_BENCH_RECORDINGS=DIR``
  reads them from DIR instead (to time two versions of the code on the same skeletons).

Ends with a ``GOAL`` line (``python -m benchmarks`` repeats it at the end): the worst set's mean
and p99 per frame against the 1 ms goal, and the worst single frame. Prints plain lines; recorded
in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from game.pose.pipeline import PIPELINE_VERSION
from game.pose.recording import read_recording
from game.pose.types import PoseFrame
from game.reps import DEFINITIONS, SQUAT, RepEvent, make_rep_detector
from game.reps.synthetic import Camera, Move, simulate

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RECORDINGS = Path(os.environ.get("RINGSIDE_BENCH_RECORDINGS")
                  or ROOT / ".cache" / "eval" / f"pipeline-{PIPELINE_VERSION}")
GOAL_MS = 1.0  # issue 14: the rep engine adds under 1 ms per frame
REPEATS = 3  # runs per set; each frame's best counts (the boxing benchmark does the same)
SQUAT_VIDEOS = ["squat_front_band", "squat_side_deep", "squat_threequarter_8", "squat_barbell_side", "squat_side_slow"]


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def time_run(exercise: str, frames: list[PoseFrame], repeats: int = REPEATS) -> dict[str, Any]:
    """Per-frame ``update()`` wall and thread-CPU time (ms), the best of ``repeats`` runs of a fresh
    engine for each frame: a frame's best is its own cost, its worst mostly whoever else had the
    core (the engine is deterministic, so every run does the same work on the same frame)."""
    upd = np.full(len(frames), np.inf)
    cpu = np.full(len(frames), np.inf)
    view = np.full(len(frames), np.inf)
    closes = np.zeros(len(frames), dtype=bool)
    reps = 0
    for _ in range(repeats):
        det = make_rep_detector(exercise)
        for i, f in enumerate(frames):
            c0 = time.thread_time_ns()
            t0 = time.perf_counter_ns()
            ev = det.update(f)
            t1 = time.perf_counter_ns()
            c1 = time.thread_time_ns()
            det.view()
            t2 = time.perf_counter_ns()
            upd[i] = min(upd[i], (t1 - t0) / 1e6)
            cpu[i] = min(cpu[i], (c1 - c0) / 1e6)
            view[i] = min(view[i], (t2 - t1) / 1e6)
            closes[i] = any(isinstance(e, RepEvent) for e in ev)
        det.finish()
        reps = det.summary()["reps"]
    return {"update": upd.tolist(), "cpu": cpu.tolist(), "view": view.tolist(),
            "judge": upd[closes].tolist(), "reps": reps}


def line(name: str, r: dict[str, Any]) -> None:
    u = r["update"]
    j = r["judge"]
    c = r["cpu"]
    print(
        f"{name:<24} frames {len(u):4d}  update wall p50 {pct(u, 50):.3f} p95 {pct(u, 95):.3f} p99 {pct(u, 99):.3f} "
        f"max {max(u):.3f} ms, mean {sum(u) / len(u):.3f} | thread CPU p99 {pct(c, 99):.3f} mean {sum(c) / len(c):.3f} ms | view p50 {pct(r['view'], 50) * 1000:.1f} us | rep-closing frames "
        f"{f'p50 {pct(j, 50):.3f} max {max(j):.3f} ms' if j else '-'} | reps {r['reps']}"
    )


def synthetic() -> list[dict[str, Any]]:
    print(f"# synthetic sets, 30 fps, 10 reps each (time per frame, ms, best of {REPEATS} runs per frame)")
    runs = []
    for exercise in DEFINITIONS:
        for yaw in (0.0, 90.0):
            script = [Move("stand", 1.5)] + [Move("rep", 2.2), Move("stand", 0.6)] * 10
            frames = simulate(exercise, script, rng=np.random.default_rng(7), camera=Camera(yaw_deg=yaw), fps=30.0)
            time_run(exercise, frames[:60], 1)  # warm-up
            r = time_run(exercise, frames)
            line(f"{exercise} yaw {yaw:.0f}", r)
            runs.append(r)
    return runs


def real() -> list[dict[str, Any]]:
    labels_path = SHARED / "labels.json"
    if not labels_path.is_file():
        print("# real videos: skipped (../shared/data not found)")
        return []
    labels = json.loads(labels_path.read_text())["videos"]
    print(f"# real squat videos (skeleton recordings made by our pipeline, {RECORDINGS})")
    total = 0
    runs = []
    for stem in SQUAT_VIDEOS:
        rec = RECORDINGS / f"{stem}.rsk"
        if not rec.is_file():
            print(f"{stem:<24} skipped: not in the skeleton cache "
                  f"(`ringside eval` or `python -m tests.support.recordings {stem}` makes it)")
            continue
        frames = list(read_recording(rec))
        r = time_run(SQUAT.name, frames)
        runs.append(r)
        truth = labels[f"video/{stem}.mp4"]["complete_reps"]
        total += int(r["reps"] != truth)
        line(stem, r)
        print(f"{'':<24} counted {r['reps']} / labelled {truth}  {'OK' if r['reps'] == truth else 'WRONG'}")
    print(f"videos with a wrong count: {total}")
    return runs


def goal(runs: list[dict[str, Any]]) -> None:
    """One line: is ``update()`` under 1 ms per frame? Judged on each set's mean and p99 of the best
    of 3 runs per frame; the single worst frame is shown as well."""
    mean = max(sum(r["update"]) / len(r["update"]) for r in runs)
    p99 = max(pct(r["update"], 99) for r in runs)
    worst = max(max(r["update"]) for r in runs)
    cpu = max(sum(r["cpu"]) / len(r["cpu"]) for r in runs)
    ok = mean < GOAL_MS and p99 < GOAL_MS
    print(f"GOAL rep engine update() < {GOAL_MS:g} ms per frame ({len(runs)} sets, worst set): mean {mean:.3f} ms, "
          f"p99 {p99:.3f} ms, worst frame {worst:.3f} ms, thread CPU mean {cpu:.3f} ms -> "
          f"{'met' if ok else 'NOT MET'}")


def main() -> None:
    goal(synthetic() + real())


if __name__ == "__main__":
    main()
