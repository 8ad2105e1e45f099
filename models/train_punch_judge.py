"""Train the excursion judge: a softmax regression that decides, for every excursion of a hand the
punch detector proposes, whether it was a complete punch and of which family.

    .venv/bin/python -m models.train_punch_judge [--cache .cache/eval] [--synthetic 600]

No TensorFlow: about a hundred weights fitted with numpy (Newton-free gradient descent on the
regularised cross-entropy), stored as JSON (``models/punch_judge.json``) and evaluated at play time
with one matrix product (``game/boxing/model_kind.py``).

Why a regression on the excursion and not the sequence model (``train_punch_model.py``): there
are 36 labelled real punches. A window model with thousands of weights fitted to them and to
synthetic bodies whose depth is honest named 10 of 28 real punches right (docs/BOXING.md); the
detector's own measurements of an excursion (travel, speed, straightness gained, heights against
the shoulders, the fist's rise and sweep, the rules' verdict) are what carries from one person and
one pose engine to the next, and a hundred weights on them can be fitted and checked
leave-one-clip-out.

Data (every candidate the detector proposes, before its judge):
- the labelled boxing clips of ``../shared/data/labels.json``: a candidate within ``MATCH_S`` of a
  labelled punch (same hand when the label names it) takes its family; others are "none";
- every other labelled clip (squats, push-ups, lunges, the non-boxing negatives: real people
  moving without punching): all "none";
- generated clips (``models/punch_synth.py``, BlazePose-like noise, 24-60 fps, any yaw): the
  generator's truth (a half punch is "none": it does not count).

Leave-one-clip-out: each real clip is run through the real detector with a judge fitted on the
synthetic data and every other real clip, and scored by ``ringside eval``'s own scorer. The table is
printed and stored in the JSON (``loco``) with the rules' figures on the same clips.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from game.boxing.detector import Candidate, rules_verdict
from game.boxing.features import EXCURSION_FEATURES, JUDGE_CLASSES, excursion_features
from game.boxing.fusion import ViewFusedDetector
from game.boxing.model_kind import judge_from_weights
from game.evaluation.cache import cached_path
from game.evaluation.labels import load_labels
from game.evaluation.scoring import judge as judge_clip
from game.evaluation.scoring import totals
from game.pose.recording import read_recording
from game.pose.types import PoseFrame
from models.punch_dataset import random_clip
from ringside_protocol import BOXING_MODE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "data"
OUT = HERE / "punch_judge.json"
MATCH_S = 0.35  # a candidate this close to a labelled punch is that punch (the eval matches at 0.4)
SYNTH_MATCH_S = 0.2
FAMILY = {"jab": "straight", "cross": "straight", "straight": "straight", "hook": "hook", "uppercut": "uppercut"}


@dataclass(frozen=True, slots=True)
class Sample:
    group: str  # the clip: the unit held out
    x: np.ndarray
    y: int  # index into JUDGE_CLASSES
    real: bool


def candidates(frames: Iterable[PoseFrame]) -> list[tuple[Candidate, np.ndarray]]:
    """Every excursion the game's detector concludes in a stream, in either channel (world
    landmarks, image plane), with its feature vector."""
    det = ViewFusedDetector()
    det.world.candidates = deque()  # keep them all
    det.image.candidates = deque()
    for f in frames:
        det.update(f)
    det.finish()
    return [(c, excursion_features(c, *rules_verdict(c, ch.options)))
            for ch in (det.world, det.image) for c in ch.candidates]


def label_real(cands: Sequence[Candidate], punches: Sequence[tuple[float, str | None, str]]) -> list[str]:
    """The family of each candidate: one to one, closest first (as the eval matches), within
    ``MATCH_S`` and with the labelled hand; a second excursion near the same punch (its wind-up,
    a feint before it) is "none"."""
    pairs = sorted((abs(p[0] - c.t_peak_s), i, j) for i, c in enumerate(cands) for j, p in enumerate(punches)
                   if abs(p[0] - c.t_peak_s) <= MATCH_S and p[1] in (None, c.hand))
    out = ["none"] * len(cands)
    used: set[int] = set()
    for _, i, j in pairs:
        if out[i] == "none" and j not in used:
            out[i] = punches[j][2]
            used.add(j)
    return out


def real_punches(lab: dict[str, Any]) -> list[tuple[float, str | None, str]]:
    kinds = lab.get("kinds")
    if isinstance(kinds, list):
        return [(float(k["t"]), k.get("hand") if k.get("hand") in ("left", "right") else None,
                 FAMILY[str(k["kind"])]) for k in kinds]
    return [(float(t), None, "straight") for t in lab.get("punch_times_s") or []]


def real_samples(labels_path: Path, cache_dir: Path) -> tuple[list[Sample], list[str]]:
    """Samples from every cached labelled clip; also the names of boxing clips with usable labels."""

    videos = json.loads(labels_path.read_text())["videos"]
    out: list[Sample] = []
    boxing: list[str] = []
    for key, lab in videos.items():
        rsk = cached_path(cache_dir, labels_path.parent / key)
        if not rsk.is_file() or lab.get("robustness_only"):
            continue
        stem = Path(key).stem
        if lab.get("exercise") == BOXING_MODE:
            punches = real_punches(lab)
            if not punches and lab.get("count_max") != 0:
                continue  # no per-punch times (punches_straight_profile): nothing to label from
            boxing.append(stem)
        else:
            punches = []  # nobody boxes in the rep clips and their negatives
        lo, hi = lab.get("segment_s", (-np.inf, np.inf))
        got = [(c, x) for c, x in candidates(read_recording(rsk)) if lo - 0.5 <= c.t_peak_s <= hi + 0.5]
        names = label_real([c for c, _ in got], punches)
        out += [Sample(stem, x, JUDGE_CLASSES.index(n), True) for (_, x), n in zip(got, names, strict=True)]
    return out, boxing


def synthetic_samples(n_clips: int, seed: int) -> list[Sample]:

    rng = np.random.default_rng(seed)
    out: list[Sample] = []
    for i in range(n_clips):
        clip = random_clip(rng)
        for c, x in candidates(clip.frames):
            fam = "none"
            for t in clip.truth:
                if t.hand == c.hand and abs(t.t_s - c.t_peak_s) <= SYNTH_MATCH_S and t.complete:
                    fam = FAMILY[t.kind]
            out.append(Sample(f"synth{seed}_{i}", x, JUDGE_CLASSES.index(fam), False))
    return out


@dataclass(frozen=True, slots=True)
class Judge:
    """A fitted network: h = tanh(((x - mean) / scale) @ w1 + b1) (no hidden layer when w1 is
    empty), p = softmax(h @ w + b)."""

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray  # (features, hidden) or (features, 0)
    b1: np.ndarray
    w: np.ndarray  # (hidden or features, classes)
    b: np.ndarray  # (classes,)

    def predict(self, x: np.ndarray) -> np.ndarray:
        h = (x - self.mean) / self.scale
        if self.w1.shape[1]:
            h = np.tanh(h @ self.w1 + self.b1)
        z = h @ self.w + self.b
        z = z - z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    def to_json(self) -> dict[str, Any]:
        return {"classes": list(JUDGE_CLASSES), "features": list(EXCURSION_FEATURES),
                "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(),
                "w1": self.w1.round(6).tolist(), "b1": self.b1.round(6).tolist(),
                "w": self.w.round(6).tolist(), "b": self.b.round(6).tolist()}


def fit(samples: Sequence[Sample], *, real_weight: float, l2: float, balance: float = 1.0, hidden: int = 0,
        steps: int = 1500, seed: int = 0) -> Judge:
    """Full-batch gradient descent (Adam) on the weighted, L2-regularised cross-entropy; classes
    balanced ``balance`` of the way so "none" (most candidates) does not drown the punches."""
    x = np.stack([s.x for s in samples])
    y = np.array([s.y for s in samples])
    k = len(JUDGE_CLASSES)
    wt = np.array([real_weight if s.real else 1.0 for s in samples])
    for c in range(k):
        m = y == c
        if m.any():
            wt[m] *= (wt.sum() / (k * wt[m].sum())) ** balance
    wt /= wt.mean()
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    xs = (x - mean) / scale
    onehot = np.eye(k)[y]
    rng = np.random.default_rng(seed)
    n_in = x.shape[1]
    params = {
        "w1": rng.normal(0, 1 / np.sqrt(n_in), (n_in, hidden)), "b1": np.zeros(hidden),
        "w": np.zeros((hidden or n_in, k)) if not hidden else rng.normal(0, 1 / np.sqrt(hidden), (hidden, k)),
        "b": np.zeros(k),
    }
    m1 = {n: np.zeros_like(v) for n, v in params.items()}
    m2 = {n: np.zeros_like(v) for n, v in params.items()}
    lr, beta1, beta2 = 0.02, 0.9, 0.999
    for t in range(1, steps + 1):
        h = np.tanh(xs @ params["w1"] + params["b1"]) if hidden else xs
        z = h @ params["w"] + params["b"]
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * wt[:, None] / len(y)
        grads = {"w": h.T @ g + l2 * params["w"], "b": g.sum(axis=0)}
        if hidden:
            gh = (g @ params["w"].T) * (1 - h * h)
            grads["w1"] = xs.T @ gh + l2 * params["w1"]
            grads["b1"] = gh.sum(axis=0)
        for n, gr in grads.items():
            m1[n] = beta1 * m1[n] + (1 - beta1) * gr
            m2[n] = beta2 * m2[n] + (1 - beta2) * gr * gr
            params[n] -= lr * (m1[n] / (1 - beta1**t)) / (np.sqrt(m2[n] / (1 - beta2**t)) + 1e-8)
    return Judge(mean, scale, params["w1"], params["b1"], params["w"], params["b"])


def score_clips(make_detector: Callable[[], ViewFusedDetector], labels_path: Path, cache_dir: Path,
                stems: Sequence[str]) -> dict[str, Any]:
    """``ringside eval``'s scoring of the boxing clips ``stems`` with the given detector."""

    rows = {}
    results = []
    for lab in load_labels(labels_path):
        if lab.stem not in stems:
            continue
        det = make_detector()
        evs = []
        for f in read_recording(cached_path(cache_dir, labels_path.parent / lab.name)):
            evs += [e.to_json() for e in det.update(f)]
        r = judge_clip(lab, evs)
        results.append(r)
        right = sum(1 for p in r.pairs if p.t_s is not None and p.is_kind_right)
        rows[lab.stem] = {"labelled": r.labelled, "found": r.hits, "phantoms": r.phantoms,
                          "kinds_right": right, "ok": r.ok}
    t = totals(results)
    return {"clips": rows, "recall": t.punch_recall, "precision": t.punch_precision,
            "kind_accuracy": t.kind_accuracy, "kinds_judged": t.kinds_judged}


def detector_with(judge: Judge | None) -> Callable[[], ViewFusedDetector]:

    def make() -> ViewFusedDetector:
        return ViewFusedDetector(judge=None if judge is None else judge_from_weights(judge.to_json()))

    return make


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=SHARED / "labels.json")
    ap.add_argument("--cache", type=Path, default=ROOT / ".cache" / "eval")
    ap.add_argument("--synthetic", type=int, default=600, help="generated clips (seed 101)")
    ap.add_argument("--real-weight", type=float, default=3.0)
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--hidden", type=int, default=8, help="hidden units (0: softmax regression)")
    ap.add_argument("--balance", type=float, default=1.0, help="0: classes as they come, 1: balanced")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    t0 = time.time()
    real, boxing = real_samples(args.labels, args.cache)
    synth = synthetic_samples(args.synthetic, 101)
    print(f"real candidates {len(real)} from {len({s.group for s in real})} clips "
          f"({sum(s.y != 0 for s in real)} labelled punches), synthetic {len(synth)} ({time.time() - t0:.0f} s)")
    # Leave one clip out: every real clip (boxing or not) is held out in turn; boxing clips are
    # scored with the eval's scorer, the others count the candidates the judge would call punches.
    loco: dict[str, Any] = {"clips": {}}
    held_results = []
    groups = sorted({s.group for s in real})
    for g in groups:
        judge = fit(synth + [s for s in real if s.group != g], real_weight=args.real_weight, l2=args.l2, balance=args.balance, hidden=args.hidden)
        if g in boxing:
            got = score_clips(detector_with(judge), args.labels, args.cache, [g])["clips"][g]
        else:
            xs = np.stack([s.x for s in real if s.group == g])
            got = {"phantom_candidates": int((judge.predict(xs).argmax(axis=1) != 0).sum()),
                   "rules_phantom_candidates": int((xs[:, EXCURSION_FEATURES.index("rules_complete")] > 0.5).sum())}
        loco["clips"][g] = got
        held_results.append((g, got))
    box = [got for g, got in held_results if g in boxing]
    lab = sum(r["labelled"] for r in box)
    found = sum(r["found"] for r in box)
    ph = sum(r["phantoms"] for r in box)
    loco["recall"] = round(found / lab, 3) if lab else None
    loco["precision"] = round(found / (found + ph), 3) if found + ph else None
    loco["kinds_right"] = sum(r["kinds_right"] for r in box)
    loco["phantoms_on_other_clips"] = sum(got.get("phantom_candidates", 0) for g, got in held_results)
    loco["rules_phantoms_on_other_clips"] = sum(got.get("rules_phantom_candidates", 0) for g, got in held_results)
    rules = score_clips(detector_with(None), args.labels, args.cache, boxing)
    for g, got in held_results:
        print(f"  {g:48s} {got}   rules {rules['clips'].get(g, '')}")
    print(f"LOCO judge: recall {loco['recall']} precision {loco['precision']} kinds right {loco['kinds_right']} "
          f"of {found}; candidates called punches on the non-boxing clips {loco['phantoms_on_other_clips']} "
          f"(rules {loco['rules_phantoms_on_other_clips']}, both channels)")
    print(f"rules:      recall {rules['recall']} precision {rules['precision']} kinds {rules['kind_accuracy']}")
    final = fit(synth + real, real_weight=args.real_weight, l2=args.l2, balance=args.balance, hidden=args.hidden)
    doc = {
        **final.to_json(),
        "trained_on": {"real_candidates": len(real), "real_clips": groups, "synthetic_candidates": len(synth),
                       "synthetic_clips": args.synthetic, "synthetic_seed": 101,
                       "real_weight": args.real_weight, "l2": args.l2},
        "loco": loco, "rules_same_clips": rules,
    }
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {args.out} ({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
