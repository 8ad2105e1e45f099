"""Grab-to-flip latency of the real game, over every frame and every rep and punch (issue 10 item 5).

Runs the app (``game.app.App.run``) headless (SDL dummy driver, 60 fps cap, 1280x720) on shared
videos played as a camera: each frame is due at its own timestamp on the wall clock, and frames
the model cannot keep up with are dropped as a camera would drop them.

Measured, with nothing inside the game changed (the benchmark wraps ``PoseFeed.poll``,
``pygame.display.flip`` and the game's punch detector's ``update``, ``ViewFusedDetector.update``):
- **every frame**: from the moment it was due (a camera: grabbed) to the ``display.flip()`` that
  first showed it (the flip after the loop handed it to the scene); frames dropped before the
  model are counted apart (they are never shown);
- **every rep and every punch**: from the due moment of the frame that completed the event to the
  flip that first drew its feedback (the rep count; the punch's hit or miss);
- **the punch's own delay**: how long after its peak (stream time) the detector confirmed it: the
  frames it must see after the peak, which no speed-up of the loop removes.

Load average is printed before and after each run: on a shared machine the figures mean little
without it. ``RINGSIDE_BENCH_LATENCY_S`` sets the seconds per run (default 24).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# The same headless set-up as the game-loop benchmark (SDL dummy drivers, the repo on sys.path).
from benchmarks.game_loop import pct  # noqa: E402
from game.boxing.fusion import ViewFusedDetector
from game.config import shared_data_dir
from game.feed import PoseFeed
from game.reps.definitions import SQUAT  # noqa: E402
from ringside_protocol import BOXING_MODE

RUN_S = float(os.environ.get("RINGSIDE_BENCH_LATENCY_S", "24"))
# Window size (WxH); a smaller one shows the loop's pacing when drawing 1280x720 saturates a
# loaded machine (the figures then say so).
SIZE = tuple(int(v) for v in os.environ.get("RINGSIDE_BENCH_LATENCY_SIZE", "1280x720").split("x"))
RUNS: list[tuple[str, str, str]] = [  # (label, video, mode): the clips the goal is stated on
    ("squat rep challenge", "squat_side_deep.mp4", SQUAT.name),
    ("shadowboxing", "punches_straight_profile.mp4", BOXING_MODE),
]


class Probe:
    """Instrumentation of one run: every polled frame and every event, timed to the next flip."""

    def __init__(self) -> None:
        self.app: Any = None
        self.pending_frames: list[tuple[float, float]] = []
        self.pending_events: list[tuple[str, float]] = []
        self.frame_ms: list[float] = []
        self.loop_ms: list[float] = []  # skeleton ready -> flip: the game loop's own share
        self.event_ms: dict[str, list[float]] = {"rep": [], "punch": []}
        self.punch_delay_ms: list[float] = []
        self.polled = 0

    def on_poll(self, items: list[Any]) -> None:
        self.polled += len(items)
        self.pending_frames.extend((i.capture_s, i.ready_s) for i in items)

    def on_punches(self, punches: list[Any]) -> None:
        item = getattr(self.app, "latest", None)
        for p in punches:
            self.punch_delay_ms.append((p.detected_s - p.t_s) * 1000.0)
            if item is not None:
                self.pending_events.append(("punch", item.capture_s))

    def on_flip(self) -> None:
        now = time.perf_counter()
        self.frame_ms.extend((now - c) * 1000.0 for c, _ in self.pending_frames)
        self.loop_ms.extend((now - r) * 1000.0 for _, r in self.pending_frames)
        self.pending_frames.clear()
        for kind, c in self.pending_events:
            self.event_ms[kind].append((now - c) * 1000.0)
        self.pending_events.clear()
        m = getattr(self.app, "metrics", None)
        if m is not None and m.pending_feedback:
            # the app's own rep/hit feedback marks (drawn at this flip): reps come from here
            self.event_ms["rep"].extend((now - c) * 1000.0 for c in m.pending_feedback
                                        if self.app.options.mode != BOXING_MODE)


def run(label: str, video: Path | None, mode: str) -> dict[str, Any]:
    """One run of the app on ``video`` played as a camera (None: the generated player, no model)."""
    import pygame  # noqa: PLC0415 - lazy: after the SDL/pygame settings at the top (pygame reads them when it loads)

    from game.app import App, AppOptions  # noqa: PLC0415 - lazy: after the SDL/pygame settings at the top (pygame reads them when it loads)

    probe = Probe()
    real_poll, real_flip, real_update = PoseFeed.poll, pygame.display.flip, ViewFusedDetector.update

    def poll(self: PoseFeed, *args: Any, **kwargs: Any) -> Any:
        items = real_poll(self, *args, **kwargs)
        probe.on_poll(items)
        return items

    def flip() -> None:
        real_flip()
        probe.on_flip()

    def update(self: ViewFusedDetector, *args: Any, **kwargs: Any) -> Any:
        out = real_update(self, *args, **kwargs)
        probe.on_punches(list(out))
        return out

    PoseFeed.poll, pygame.display.flip, ViewFusedDetector.update = poll, flip, update  # type: ignore[method-assign]
    load0 = os.getloadavg()
    try:
        with tempfile.TemporaryDirectory() as home:
            opts = AppOptions(source=None if video is None else str(video), mode=mode,
                              demo=video is None, calibrate=False, size=(SIZE[0], SIZE[1]),
                              target=50 if mode != BOXING_MODE else 1)
            app = App(opts, home=Path(home))
            probe.app = app
            stop = threading.Timer(RUN_S, lambda: setattr(app, "running", False))
            stop.start()
            app.run()
            stop.cancel()
    finally:
        PoseFeed.poll, pygame.display.flip, ViewFusedDetector.update = real_poll, real_flip, real_update  # type: ignore[method-assign]
    feed = app.feed
    return {"label": label, "video": video.name if video else "generated", "probe": probe, "load": (load0, os.getloadavg()),
            "skipped": getattr(feed, "frames_skipped", 0) if feed else 0,
            "pose_fps": app.metrics.pose_fps,
            "render_fps": 1000.0 * len(app.metrics.frame_ms) / max(1e-9, sum(app.metrics.frame_ms))}


def report(r: dict[str, Any]) -> None:
    p: Probe = r["probe"]
    (a0, _, _), (a1, _, _) = r["load"]
    print(f"{r['label']} ({r['video']}, {RUN_S:.0f} s); load average {a0:.2f} before, {a1:.2f} after")
    f = p.frame_ms
    print(f"  every frame shown, due -> flip: n={len(f)}, p50 {pct(f, 50):.1f} ms, "
          f"p95 {pct(f, 95):.1f} ms, max {max(f, default=float('nan')):.1f} ms; "
          f"pose {r['pose_fps']:.1f} frames/s, {r['skipped']} dropped before the model")
    lp = p.loop_ms
    print(f"  of which skeleton ready -> flip (the loop's share): p50 {pct(lp, 50):.1f} ms, "
          f"p95 {pct(lp, 95):.1f} ms; render {r['render_fps']:.1f} fps")
    for kind, vals in p.event_ms.items():
        if vals:
            print(f"  every {kind}, due -> feedback flip: n={len(vals)}, p50 {pct(vals, 50):.1f} ms, "
                  f"p95 {pct(vals, 95):.1f} ms, max {max(vals):.1f} ms")
    if p.punch_delay_ms:
        d = p.punch_delay_ms
        print(f"  punch confirmed after its peak (stream time, the detector's own wait): n={len(d)}, "
              f"p50 {pct(d, 50):.0f} ms, p95 {pct(d, 95):.0f} ms, max {max(d):.0f} ms")


def main() -> int:
    print(f"headless, 60 fps cap, {SIZE[0]}x{SIZE[1]}, {os.cpu_count()} cores")
    ran = 0
    for label, name, mode in RUNS:
        video = shared_data_dir() / "video" / name
        if not video.exists():
            print(f"(skipped {label}: {video} not found)")
            continue
        report(run(label, video, mode))
        ran += 1
    # The loop's own share without the model's CPU: skeletons at 30/s from the generated player.
    report(run("squat rep challenge, generated player (no model)", None, SQUAT.name))
    return 0 if ran else 1


if __name__ == "__main__":
    sys.exit(main())
