"""``ringside analyze`` speed on one core and on two: real-time factor, CPU, same events.

Runs the CLI as a user does (``python -m game.cli analyze VIDEO --json --workers N``) on the
longest shared clips, and prints for each worker count the wall-clock real-time factor (the
summary's ``realtime_factor``), the CPU time of the whole command (its worker process included),
the load average around the run, and whether the events are identical to one core's. On a busy
machine compare the CPU figures: the wall clock then measures the other work.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from game.config import shared_data_dir
from game.reps.definitions import LUNGE, SQUAT

ROOT = Path(__file__).resolve().parent.parent
CLIPS = [("lunge_split_stationary_side_timer.mp4", LUNGE.name), ("squat_side_slow.mp4", SQUAT.name)]


def analyze(video: Path, exercise: str, workers: int) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "game.cli", "analyze", str(video), "--exercise",
                          exercise, "--json", "--workers", str(workers)],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise SystemExit(f"analyze failed: {res.stderr.strip()}")
    lines = [json.loads(ln) for ln in res.stdout.splitlines()]
    return {"summary": lines[-1], "events": lines[:-1], "wall_s": wall, "load": (load0, os.getloadavg()[0]),
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)}


def main() -> int:
    print(f"{os.cpu_count()} cores; `ringside analyze --json` as a subprocess")
    for name, exercise in CLIPS:
        video = shared_data_dir() / "video" / name
        if not video.exists():
            print(f"(skipped {name}: not found)")
            continue
        one = analyze(video, exercise, 1)
        two = analyze(video, exercise, 2)
        for label, r in (("1 core ", one), ("2 cores", two)):
            s = r["summary"]
            assert isinstance(s, dict)
            print(f"{name} {label}: {s['frames']} frames, {s['duration_s']} s of video; "
                  f"{s['realtime_factor']}x real time (wall {r['wall_s']:.1f} s), CPU "
                  f"{r['cpu_s']:.1f} s, load average {r['load'][0]:.2f} -> {r['load'][1]:.2f}")
        same = one["events"] == two["events"]
        print(f"  events identical on 1 and 2 cores: {same} ({len(one['events'])} events)")
        if not same:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
