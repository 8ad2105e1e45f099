"""The game loop under load: frame times at 60 fps while the pose model runs at camera rate, and
movement-to-feedback latency (frame capture -> the rep or hit drawn on screen).

Runs the real app (``game.app.App.run``) headless (SDL dummy video driver: no vsync, so frame
pacing is the game's own 60 fps cap) for a fixed wall-clock time, in three set-ups:

1. rep challenge on a real video played as a camera (``squat_side_deep.mp4``, 30 fps): the video
   is decoded and BlazePose runs on the worker thread, frames the model cannot keep up with are
   dropped as a camera would; the render thread draws the camera image, skeleton and HUD;
2. the same with a generated skeleton (no model: the loop's own cost);
3. shadowboxing with a generated boxer (targets, effects, the busiest HUD).

Latency is measured per feedback event: ``perf_counter`` when the frame was in hand (before the
model) to the ``display.flip()`` that first showed the rep count or hit. Figures go to stdout.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from game.config import shared_data_dir

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.reps.definitions import SQUAT  # noqa: E402
from ringside_protocol import BOXING_MODE  # noqa: E402

RUN_S = float(os.environ.get("RINGSIDE_BENCH_GAME_S", "24"))


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def run(label: str, *, source: str | None = None, demo: str | None = None,
        mode: str = SQUAT.name) -> dict[str, Any]:
    from game.app import App, AppOptions  # noqa: PLC0415 - lazy: after the SDL/pygame settings at the top (pygame reads them when it loads)

    with tempfile.TemporaryDirectory() as home:
        opts = AppOptions(source=source, mode=mode, demo=demo is not None, calibrate=False,
                          target=50 if mode != BOXING_MODE else 1)
        app = App(opts, home=Path(home))
        stop = threading.Timer(RUN_S, lambda: setattr(app, "running", False))
        stop.start()
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        main0 = time.thread_time()
        t0 = time.perf_counter()
        app.run()
        wall = time.perf_counter() - t0
        cpu_main = time.thread_time() - main0
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu_all = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        stop.cancel()
    m = app.metrics
    frames = list(m.frame_ms)[30:]  # skip start-up (window, first model load)
    work = list(m.work_ms)[30:]
    pose = list(m.pose_ms)
    out = {
        "label": label,
        "wall_s": wall,
        "fps": len(frames) / (sum(frames) / 1000.0) if frames else 0.0,
        "frame_p50": pct(frames, 50), "frame_p95": pct(frames, 95), "frame_p99": pct(frames, 99),
        "work_p50": pct(work, 50), "work_p95": pct(work, 95),
        "pose_fps": m.pose_fps,  # over the last 120 skeletons (the clip, not the countdown)
        "pose_p50": pct(pose, 50), "pose_p95": pct(pose, 95),
        "feedback": list(m.feedback_ms),
        # CPU actually used, so the figures mean something on a shared machine: the loop thread
        # (game + drawing) per rendered frame, everything else (decode + model) per pose frame.
        "loop_cpu_ms": 1000.0 * cpu_main / max(1, len(m.frame_ms)),
        "pose_cpu_ms": 1000.0 * max(0.0, cpu_all - cpu_main) / max(1, app.feed.frames_done
                                                                   if app.feed else 1),
        "load": os.getloadavg()[0],
        "reps": [s.to_json().get("stats", {}).get("reps") for s in app.sessions],
    }
    return out


def report(r: dict[str, Any]) -> None:
    fb = r["feedback"]
    print(f"{r['label']}")
    print(f"  render: {r['fps']:.1f} fps; frame time p50 {r['frame_p50']:.1f} ms, "
          f"p95 {r['frame_p95']:.1f} ms, p99 {r['frame_p99']:.1f} ms "
          f"(work per frame p50 {r['work_p50']:.1f} / p95 {r['work_p95']:.1f} ms)")
    print(f"  pose: {r['pose_fps']:.1f} skeletons/s while the clip ran; capture -> skeleton p50 "
          f"{r['pose_p50']:.1f} ms, p95 {r['pose_p95']:.1f} ms")
    demand = (60 * r["loop_cpu_ms"] + 30 * r["pose_cpu_ms"]) / 1000.0
    print(f"  CPU: loop {r['loop_cpu_ms']:.1f} ms per rendered frame, decode+model "
          f"{r['pose_cpu_ms']:.1f} ms per pose frame -> at 60 fps + 30 pose fps the game needs "
          f"{demand:.2f} of the 2 cores (load average during the run {r['load']:.1f})")
    if fb:
        print(f"  movement -> feedback drawn: n={len(fb)}, p50 {pct(fb, 50):.0f} ms, "
              f"max {max(fb):.0f} ms")
    else:
        print("  movement -> feedback drawn: no feedback events in this run")


def main() -> int:
    print(f"headless, {RUN_S:.0f} s per run, 60 fps cap, 1280x720")
    video = shared_data_dir() / "video" / "squat_side_deep.mp4"
    if video.exists():
        report(run("rep challenge, squat_side_deep.mp4 as a 30 fps camera, BlazePose on the worker",
                   source=str(video)))
    else:
        print(f"(skipped the video run: {video} not found)")
    report(run("rep challenge, generated player (no model)", demo=SQUAT.name))
    report(run("shadowboxing, generated boxer (targets + effects)", demo=BOXING_MODE, mode=BOXING_MODE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
