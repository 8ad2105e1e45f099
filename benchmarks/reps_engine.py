"""Rep engine figures: what the engine adds per frame (goal: under 1 ms), and counts on the real videos.

Wall-clock figures include being preempted by other processes on a shared machine; the thread
CPU time is what the engine itself costs.

- synthetic sets (game.reps.synthetic) of squats, push-ups and lunges at 30 fps, front and side on:
  ``update()`` per frame p50 / p95 / p99 / max, ``view()`` per frame, and the frames that close a
  rep (judging, scoring, cues) on their own;
- the skeleton recordings of the shared squat videos (``.cache/recordings/<stem>.rsk``, made by
  the pose tests; skipped when absent): the same timing on real tracker output, and the counts
  against ``labels.json``.

Prints plain lines; recorded in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from game.pose.recording import read_recording
from game.pose.types import PoseFrame
from game.reps import DEFINITIONS, SQUAT, RepEvent, make_rep_detector
from game.reps.synthetic import Camera, Move, simulate

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RECORDINGS = ROOT / ".cache" / "recordings"
SQUAT_VIDEOS = ["squat_front_band", "squat_side_deep", "squat_threequarter_8", "squat_barbell_side", "squat_side_slow"]


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q))


def time_run(exercise: str, frames: list[PoseFrame]) -> dict[str, Any]:
    det = make_rep_detector(exercise)
    upd: list[float] = []
    cpu: list[float] = []
    judge: list[float] = []
    view: list[float] = []
    for f in frames:
        c0 = time.thread_time_ns()
        t0 = time.perf_counter_ns()
        ev = det.update(f)
        t1 = time.perf_counter_ns()
        c1 = time.thread_time_ns()
        det.view()
        t2 = time.perf_counter_ns()
        ms = (t1 - t0) / 1e6
        upd.append(ms)
        cpu.append((c1 - c0) / 1e6)
        view.append((t2 - t1) / 1e6)
        if any(isinstance(e, RepEvent) for e in ev):
            judge.append(ms)
    det.finish()
    return {"update": upd, "cpu": cpu, "view": view, "judge": judge, "reps": det.summary()["reps"]}


def line(name: str, r: dict[str, Any]) -> None:
    u = r["update"]
    j = r["judge"]
    c = r["cpu"]
    print(
        f"{name:<24} frames {len(u):4d}  update wall p50 {pct(u, 50):.3f} p95 {pct(u, 95):.3f} p99 {pct(u, 99):.3f} "
        f"max {max(u):.3f} ms, mean {sum(u) / len(u):.3f} | thread CPU p99 {pct(c, 99):.3f} mean {sum(c) / len(c):.3f} ms | view p50 {pct(r['view'], 50) * 1000:.1f} us | rep-closing frames "
        f"{f'p50 {pct(j, 50):.3f} max {max(j):.3f} ms' if j else '-'} | reps {r['reps']}"
    )


def synthetic() -> None:
    print("# synthetic sets, 30 fps, 10 reps each (time per frame, ms)")
    for exercise in DEFINITIONS:
        for yaw in (0.0, 90.0):
            script = [Move("stand", 1.5)] + [Move("rep", 2.2), Move("stand", 0.6)] * 10
            frames = simulate(exercise, script, rng=np.random.default_rng(7), camera=Camera(yaw_deg=yaw), fps=30.0)
            time_run(exercise, frames[:60])  # warm-up
            line(f"{exercise} yaw {yaw:.0f}", time_run(exercise, frames))


def real() -> None:
    labels_path = SHARED / "labels.json"
    if not labels_path.is_file():
        print("# real videos: skipped (../shared/data not found)")
        return
    labels = json.loads(labels_path.read_text())["videos"]
    print("# real squat videos (skeleton recordings made by our pipeline)")
    total = 0
    for stem in SQUAT_VIDEOS:
        rec = RECORDINGS / f"{stem}.rsk"
        if not rec.is_file():
            print(f"{stem:<24} skipped: no recording (run the pose tests first to make it)")
            continue
        frames = list(read_recording(rec))
        r = time_run(SQUAT.name, frames)
        truth = labels[f"video/{stem}.mp4"]["complete_reps"]
        total += int(r["reps"] != truth)
        line(stem, r)
        print(f"{'':<24} counted {r['reps']} / labelled {truth}  {'OK' if r['reps'] == truth else 'WRONG'}")
    print(f"videos with a wrong count: {total}")


def main() -> None:
    synthetic()
    real()


if __name__ == "__main__":
    main()
