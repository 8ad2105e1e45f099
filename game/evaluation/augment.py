"""The generalisation check: the labelled real skeletons replayed as other cameras, frame rates and
trackers would give them, and the rep engine and the punch detector judged on each
(``ringside eval --augment``).

The product is judged on recordings nobody here has. Each augmentation below is one way such a
recording departs from the shared ones, applied to the cached real skeletons (never to pixels):

- ``mirror``: the picture flipped left-right (a front camera's selfie view); the tracker then
  names the person's limbs the other way round, so left and right landmarks swap too.
- ``fps10`` .. ``fps60``: another camera's frame rate; down by keeping the frame a slower camera
  would have taken, up by interpolating between the recorded frames.
- ``zoom``: the camera zooms (x0.8 or x1.25 about the picture's centre) and shifts (up to 8 % of the
  picture) over 0.6 s somewhere in the middle of the clip, as a phone on a tripod being adjusted,
  or someone stepping back or closer.
- ``pan``: the camera drifts steadily, up to 12 % of the picture over the clip (a handheld phone).
- ``roll``: the camera tilted in its own plane by 4-8 degrees either way; the world landmarks
  (camera-aligned) turn with it.
- ``jitter``: extra tracker noise: 1 % of the person's height in the image per landmark and frame,
  1 cm in the world landmarks.
- ``drops``: 20 % of frames missing at random, plus two 0.3 s holes (a busy machine, a stalled
  camera).
- ``occlusion``: three times per clip, for 0.5-1 s, one arm or leg seen poorly: visibility 0.2-0.4
  and its landmarks off by 3 % of the person's height (the tracker guessing a hidden limb).

All functions are pure: frames and a seeded ``numpy.random.Generator`` in, frames out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from game.analysis import make_detector
from game.errors import UsageError
from game.evaluation.cache import cached_path, is_fresh
from game.evaluation.labels import REP_EXERCISES, ClipLabel, load_labels
from game.evaluation.runner import player_frames
from game.evaluation.scoring import ClipResult, judge
from game.pose.types import LM, FloatArray, PoseFrame

Augment = Callable[[Sequence[PoseFrame], np.random.Generator], list[PoseFrame]]

# Left/right landmark pairs swapped by a mirrored picture.
_SWAP = np.array([LM[n.replace("LEFT_", "RIGHT_")] if n.startswith("LEFT_") else
                  LM[n.replace("RIGHT_", "LEFT_")] if n.startswith("RIGHT_") else LM[n]
                  for n in LM.__members__])
_LIMBS: tuple[tuple[int, ...], ...] = (
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX, LM.LEFT_THUMB),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX, LM.RIGHT_THUMB),
    (LM.LEFT_KNEE, LM.LEFT_ANKLE, LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
    (LM.RIGHT_KNEE, LM.RIGHT_ANKLE, LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX),
)


def _body_height_px(frames: Sequence[PoseFrame]) -> float:
    """The person's typical height in the image: shoulders to ankles, median over the clip."""
    hs = []
    for f in frames:
        lp = f.landmarks_px
        if lp is not None:
            top = 0.5 * (lp[LM.LEFT_SHOULDER, :2] + lp[LM.RIGHT_SHOULDER, :2])
            low = 0.5 * (lp[LM.LEFT_ANKLE, :2] + lp[LM.RIGHT_ANKLE, :2])
            hs.append(float(np.hypot(*(top - low))))
    return float(np.median(hs)) if hs else 100.0


def _with(f: PoseFrame, px: FloatArray | None, world: FloatArray | None, t_ms: float | None = None) -> PoseFrame:
    return replace(f, landmarks_px=px, world_m=world, timestamp_ms=f.timestamp_ms if t_ms is None else t_ms)


def mirror(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    out = []
    for f in frames:
        if f.landmarks_px is None:
            out.append(f)
            continue
        px = f.landmarks_px[_SWAP].copy()
        px[:, 0] = f.image_size[0] - px[:, 0]
        w = None if f.world_m is None else f.world_m[_SWAP] * np.array([-1.0, 1.0, 1.0])
        out.append(_with(f, px, w))
    return out


def resample(fps: float) -> Augment:
    """The clip as a camera at ``fps`` would have given it."""

    def run(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
        if len(frames) < 2:
            return list(frames)
        ts = np.array([f.timestamp_ms for f in frames])
        step = 1000.0 / fps
        grid = np.arange(ts[0], ts[-1] + 1e-6, step)
        out: list[PoseFrame] = []
        for k, t in enumerate(grid):
            j = int(np.searchsorted(ts, t, side="left"))
            j = min(j, len(frames) - 1)
            if abs(ts[j] - t) < 1e-6 or j == 0:
                src = frames[j]
                out.append(replace(src, timestamp_ms=float(t), index=k))
                continue
            a, b = frames[j - 1], frames[j]
            u = (t - ts[j - 1]) / max(ts[j] - ts[j - 1], 1e-9)
            if step >= (ts[j] - ts[j - 1]) * 0.999:
                # Slower than the recording: the frame the slower camera would have taken.
                src = a if u < 0.5 else b
                out.append(replace(src, timestamp_ms=float(t), index=k))
            elif a.landmarks_px is None or b.landmarks_px is None:
                src = a if u < 0.5 else b
                out.append(replace(src, timestamp_ms=float(t), index=k))
            else:
                px = (1 - u) * a.landmarks_px + u * b.landmarks_px
                w = None if a.world_m is None or b.world_m is None else (1 - u) * a.world_m + u * b.world_m
                out.append(replace(a, landmarks_px=px, world_m=w, timestamp_ms=float(t), index=k))
        return out

    return run


def _similarity(frames: Sequence[PoseFrame], params: Callable[[float], tuple[float, float, float, float]]) -> list[PoseFrame]:
    """Apply, per frame, a zoom ``s``, shift ``(dx, dy)`` pixels and roll ``a`` radians (from
    ``params(t_ms)``) about the picture's centre; the world landmarks turn with the roll."""
    out = []
    for f in frames:
        if f.landmarks_px is None:
            out.append(f)
            continue
        s, dx, dy, a = params(f.timestamp_ms)
        cx, cy = f.image_size[0] / 2.0, f.image_size[1] / 2.0
        c, si = math.cos(a), math.sin(a)
        px = f.landmarks_px.copy()
        x, y = px[:, 0] - cx, px[:, 1] - cy
        px[:, 0] = cx + s * (c * x - si * y) + dx
        px[:, 1] = cy + s * (si * x + c * y) + dy
        px[:, 2] = s * px[:, 2]
        w = None
        if f.world_m is not None:
            w = f.world_m.copy()
            w[:, 0] = c * f.world_m[:, 0] - si * f.world_m[:, 1]
            w[:, 1] = si * f.world_m[:, 0] + c * f.world_m[:, 1]
        out.append(_with(f, px, w))
    return out


def _smooth(u: float) -> float:
    u = max(0.0, min(1.0, u))
    return 0.5 - 0.5 * math.cos(math.pi * u)


def zoom(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    if not frames:
        return []
    t0, t1 = frames[0].timestamp_ms, frames[-1].timestamp_ms
    tc = t0 + (t1 - t0) * float(rng.uniform(0.2, 0.8))
    s1 = float(rng.choice([0.8, 1.25]))
    w, h = frames[0].image_size
    dx, dy = float(rng.uniform(-0.08, 0.08)) * w, float(rng.uniform(-0.08, 0.08)) * h

    def params(t: float) -> tuple[float, float, float, float]:
        u = _smooth((t - tc) / 600.0)
        return 1.0 + (s1 - 1.0) * u, dx * u, dy * u, 0.0

    return _similarity(frames, params)


def pan(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    if not frames:
        return []
    t0, t1 = frames[0].timestamp_ms, frames[-1].timestamp_ms
    w, h = frames[0].image_size
    ang = float(rng.uniform(0, 2 * math.pi))
    d = 0.12 * float(rng.uniform(0.5, 1.0))
    vx, vy = d * w * math.cos(ang), d * h * math.sin(ang)

    def params(t: float) -> tuple[float, float, float, float]:
        u = (t - t0) / max(t1 - t0, 1.0)
        return 1.0, vx * u, vy * u, 0.0

    return _similarity(frames, params)


def roll(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    a = math.radians(float(rng.uniform(4.0, 8.0)) * float(rng.choice([-1.0, 1.0])))
    return _similarity(frames, lambda t: (1.0, 0.0, 0.0, a))


def jitter(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    sigma = 0.01 * _body_height_px(frames)
    out = []
    for f in frames:
        if f.landmarks_px is None:
            out.append(f)
            continue
        px = f.landmarks_px.copy()
        px[:, :2] += rng.normal(0.0, sigma, (33, 2))
        w = None if f.world_m is None else f.world_m + rng.normal(0.0, 0.01, (33, 3))
        out.append(_with(f, px, w))
    return out


def drops(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    if not frames:
        return []
    t0, t1 = frames[0].timestamp_ms, frames[-1].timestamp_ms
    holes = [t0 + (t1 - t0) * float(rng.uniform(0.1, 0.9)) for _ in range(2)]
    keep = rng.random(len(frames)) >= 0.2
    return [f for f, k in zip(frames, keep, strict=True)
            if k and not any(h <= f.timestamp_ms < h + 300.0 for h in holes)]


def occlusion(frames: Sequence[PoseFrame], rng: np.random.Generator) -> list[PoseFrame]:
    if not frames:
        return []
    t0, t1 = frames[0].timestamp_ms, frames[-1].timestamp_ms
    spans = []
    for _ in range(3):
        start = t0 + (t1 - t0) * float(rng.uniform(0.0, 0.95))
        spans.append((start, start + 1000.0 * float(rng.uniform(0.5, 1.0)), _LIMBS[int(rng.integers(len(_LIMBS)))]))
    off = 0.03 * _body_height_px(frames)
    out = []
    for f in frames:
        hit = [limb for a, b, limb in spans if a <= f.timestamp_ms < b]
        if f.landmarks_px is None or not hit:
            out.append(f)
            continue
        px = f.landmarks_px.copy()
        for limb in hit:
            idx = list(limb)
            px[idx, 3] = np.minimum(px[idx, 3], rng.uniform(0.2, 0.4, len(idx)))
            px[idx, :2] += rng.normal(0.0, off, (len(idx), 2))
        out.append(_with(f, px, f.world_m))
    return out


AUGMENTATIONS: dict[str, Augment] = {
    "mirror": mirror,
    "fps10": resample(10.0),
    "fps15": resample(15.0),
    "fps30": resample(30.0),
    "fps60": resample(60.0),
    "zoom": zoom,
    "pan": pan,
    "roll": roll,
    "jitter": jitter,
    "drops": drops,
    "occlusion": occlusion,
}
# Augmentations that draw random numbers are run with several seeds; the rest once.
DETERMINISTIC = frozenset({"mirror", "fps10", "fps15", "fps30", "fps60"})


@dataclass(frozen=True, slots=True)
class AugmentedResult:
    clip: str
    exercise: str
    augmentation: str
    seed: int
    want: str
    got: int | None
    ok: bool
    why: str
    # Punch clips only (0 elsewhere): labelled punches, those found, detections matching no label,
    # and of the found ones with a labelled kind, how many were named right.
    labelled: int = 0
    found: int = 0
    invented: int = 0
    kinds_judged: int = 0
    kinds_right: int = 0

    @property
    def is_punch_run(self) -> bool:
        return self.exercise not in REP_EXERCISES


def _result_row(lab: ClipLabel, aug: str, seed: int, r: ClipResult) -> AugmentedResult:
    judged = [p for p in r.pairs if p.is_kind_right is not None]
    return AugmentedResult(lab.stem, lab.exercise, aug, seed, r.expected, r.got, r.ok, r.why,
                           labelled=r.labelled, found=r.hits, invented=r.phantoms,
                           kinds_judged=len(judged), kinds_right=sum(1 for p in judged if p.is_kind_right))


def summarise(rows: Sequence[AugmentedResult]) -> dict[str, dict[str, dict[str, int]]]:
    """Per augmentation: rep runs within tolerance (``reps``) and the punch clips' runs within
    tolerance, labelled/found/invented punches and kinds (``punches``)."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in rows:
        by = out.setdefault(r.augmentation, {})
        if r.is_punch_run:
            s = by.setdefault("punches", {"runs": 0, "ok": 0, "labelled": 0, "found": 0, "invented": 0,
                                          "kinds_judged": 0, "kinds_right": 0})
            for k in ("labelled", "found", "invented", "kinds_judged", "kinds_right"):
                s[k] += getattr(r, k)
        else:
            s = by.setdefault("reps", {"runs": 0, "ok": 0})
        s["runs"] += 1
        s["ok"] += r.ok
    return out


def run_augmented(labels_path: Path, *, cache_dir: Path, only: Sequence[str] = (), seeds: int = 3,
                  augmentations: Sequence[str] | None = None) -> dict[str, Any]:
    """Every labelled rep and punch clip (cached skeletons only), under every augmentation: the rows
    and a summary (:func:`summarise`) keyed by augmentation, ``"original"`` included."""
    names = list(augmentations or AUGMENTATIONS)
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if unknown:
        raise UsageError(f"unknown augmentation {', '.join(unknown)} (known: {', '.join(AUGMENTATIONS)})")
    rows: list[AugmentedResult] = []
    missing: list[str] = []
    root = labels_path.parent
    for lab in load_labels(labels_path):
        if lab.robustness_only:
            continue
        if only and not any(o in lab.name for o in only):
            continue
        video = root / lab.name
        if not video.is_file() or not is_fresh(cache_dir, video):
            missing.append(lab.stem)
            continue
        # The person the evaluation judges (the one who punches, when two are recorded).
        frames = player_frames(cached_path(cache_dir, video), lab.exercise)

        def judged(variant: Sequence[PoseFrame], aug: str, seed: int, lab: ClipLabel = lab) -> AugmentedResult:
            det = make_detector(lab.exercise)
            events = [ev.to_json() for f in variant for ev in det.update(f)]
            events += [ev.to_json() for ev in det.finish()]
            return _result_row(lab, aug, seed, judge(lab, events))

        rows.append(judged(frames, "original", 0))
        for name in names:
            for seed in range(1 if name in DETERMINISTIC else seeds):
                rng = np.random.default_rng([seed, sum(map(ord, lab.stem)), sum(map(ord, name))])
                rows.append(judged(AUGMENTATIONS[name](frames, rng), name, seed))
    return {"rows": rows, "summary": summarise(rows), "missing": missing}
