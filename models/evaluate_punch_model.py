"""Compare the punch-kind model with the rule-based classifier, in the play-time runtime.

    .venv/bin/python -m models.evaluate_punch_model

Held-apart data: generated clips from seeds never used in training (new bodies, cameras, noise),
pushed through the detector exactly as at play time; and the real recordings of the shared videos
(every punch there is a straight one). Prints a Markdown table for docs/BOXING.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from game.boxing import make_punch_detector
from game.boxing.features import CLASSES
from game.pose.recording import read_recording
from models.punch_dataset import build
from models.punch_model import PunchKindModel

ROOT = Path(__file__).resolve().parent.parent


def confusion(y: np.ndarray, p: np.ndarray) -> str:
    rows = ["| truth \\ said | " + " | ".join(CLASSES) + " |", "|---" * (len(CLASSES) + 1) + "|"]
    for i, c in enumerate(CLASSES):
        rows.append(f"| {c} | " + " | ".join(str(int(np.sum((y == i) & (p == j)))) for j in range(len(CLASSES))) + " |")
    return "\n".join(rows)


def real_straights(use_model: bool) -> tuple[int, int, int]:
    """(straight punches named straight, punches found, punches expected) on the labelled parts
    of the real recordings."""
    segments = {"jab_tutorial": (43.3, 54.0, 5), "jab_side_single": (0.0, 3.0, 1),
                "punches_straight_profile": (0.0, 4.0, 4)}
    right = found = expected = 0
    for stem, (lo, hi, n) in segments.items():
        path = ROOT / ".cache" / "recordings" / f"{stem}.rsk"
        if not path.is_file():
            continue
        det = make_punch_detector(use_model=use_model)
        events = []
        for f in read_recording(path):
            events += det.update(f)
        got = [e for e in events if lo <= e.t_s <= hi and e.complete]
        found += len(got)
        right += sum(e.kind in ("jab", "cross") for e in got)
        expected += n
    return right, found, expected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=600)
    ap.add_argument("--seed", type=int, default=4242)
    args = ap.parse_args()


    model = PunchKindModel()
    data = build(args.clips, args.seed)
    t0 = time.perf_counter()
    pred = np.array([int(np.argmax(model.predict(x))) for x in data.x])
    per_window_us = (time.perf_counter() - t0) / max(len(pred), 1) * 1e6
    acc_model = float(np.mean(pred == data.y))
    acc_rules = float(np.mean(data.rule_y == data.y))
    punch = data.y != CLASSES.index("none")
    print(f"held-apart generated clips: {args.clips} (seed {args.seed}), {len(data.y)} detector candidates "
          f"({int(punch.sum())} punches, {int((~punch).sum())} not punches)")
    print()
    print("| classifier | accuracy, all candidates | accuracy, punches only | 'not a punch' caught |")
    print("|---|---|---|---|")
    none_i = CLASSES.index("none")
    for name, p in (("rules", data.rule_y), ("model (int8 tflite)", pred)):
        caught = int(np.sum((p == none_i) & ~punch))
        print(f"| {name} | {np.mean(p == data.y):.3f} | {np.mean(p[punch] == data.y[punch]):.3f} | "
              f"{caught}/{int((~punch).sum())} |")
    print()
    print("rules:\n" + confusion(data.y, data.rule_y))
    print("\nmodel:\n" + confusion(data.y, pred))
    print(f"\nmodel size {model.path.stat().st_size} bytes; inference {per_window_us:.0f} µs per window "
          f"(tflite-runtime, 1 thread, including feature-window copy)")
    for use_model in (False, True):
        right, found, expected = real_straights(use_model)
        print(f"real recordings, {'model' if use_model else 'rules'}: {found}/{expected} labelled punches found, "
              f"{right} named straight (jab/cross)")
    print(f"\nbetter on held-apart data: {'model' if acc_model > acc_rules else 'rules'} "
          f"({acc_model:.3f} vs {acc_rules:.3f})")


if __name__ == "__main__":
    main()
