"""Run every benchmark module in this folder (``make bench``), or those named on the command line.

Each module is run in its own process (``python -m benchmarks.NAME``) so one's imports and threads
do not skew another's figures. Figures go to stdout; record them in docs/BENCHMARKS.md. A module's
lines that start with ``GOAL`` (a goal and whether this run met it) are repeated at the end, with
the load average before and after, so the goals are read in one place.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path


def load() -> str:
    """The load average (1 / 5 / 15 min): on a shared machine, what the figures were measured under."""
    try:
        return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    print(f"# Ringside benchmarks on {platform.node()} ({platform.processor() or platform.machine()}), "
          f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, {load()}")
    failed = []
    goals: list[str] = []
    for name in names:
        print(f"\n## {name}", flush=True)
        with subprocess.Popen([sys.executable, "-m", f"benchmarks.{name}"], cwd=here.parent,
                              stdout=subprocess.PIPE, text=True, bufsize=1) as proc:
            assert proc.stdout is not None
            for out in proc.stdout:
                print(out, end="", flush=True)
                if out.startswith("GOAL"):
                    goals.append(f"{name}: {out[4:].strip()}")
        if proc.returncode != 0:
            failed.append(name)
    if goals:
        print(f"\n## goals ({time.strftime('%H:%M')}, {load()})")
        print("\n".join(goals))
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
