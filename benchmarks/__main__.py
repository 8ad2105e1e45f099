"""Run every benchmark module in this folder (``make bench``), or those named on the command line.

Each module is run in its own process (``python -m benchmarks.NAME``) so one's imports and threads
do not skew another's figures. Figures go to stdout; record them in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    print(f"# Ringside benchmarks on {platform.node()} ({platform.processor() or platform.machine()}), "
          f"{time.strftime('%Y-%m-%d %H:%M')}, Python {platform.python_version()}")
    failed = []
    for name in names:
        print(f"\n## {name}", flush=True)
        res = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=here.parent)
        if res.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
