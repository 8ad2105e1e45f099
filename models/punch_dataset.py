"""Build the punch-kind data set: run the real detector over generated clips and label what it
proposes.

The model must classify exactly what the detector hands it at play time, so samples are taken
through the detector's ``kind_classifier`` hook: every excursion that passes the detector's judge
becomes a (window, label) pair. Its label comes from the generator's ground truth: the punch
family if a generated punch of that hand peaked within ``MATCH_S``, else "none" (what a flailing
arm or a guard shuffle looks like when it fools the rules). Pure numpy; no TensorFlow here, so
the tests and benchmarks can use it from the main environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from game.boxing.detector import Candidate, PunchDetector
from game.boxing.features import CLASSES, window_features
from game.boxing.kinematics import BodySample
from models.punch_synth import NON_PUNCH_MOTIONS, PUNCH_KINDS, Clip, combo_clip, motion_clip, punch_clip

MATCH_S = 0.2
FAMILY = {"jab": "straight", "cross": "straight", "hook": "hook", "uppercut": "uppercut"}


@dataclass(frozen=True, slots=True)
class Dataset:
    x: np.ndarray  # (n, WINDOW, FEATURES) float32
    y: np.ndarray  # (n,) int: index into CLASSES
    rule_y: np.ndarray  # (n,) int: what the rules said (for the comparison)
    clip_id: np.ndarray  # (n,) int


def candidates_of(clip: Clip) -> list[tuple[Candidate, np.ndarray, str]]:
    """(candidate, window, rule family) for every excursion the detector accepted in a clip."""
    got: list[tuple[Candidate, np.ndarray, str]] = []

    def hook(c: Candidate, samples: Sequence[BodySample]) -> None:
        from game.boxing.detector import rule_kind

        win = window_features(samples, c.hand, c.detected_s, c.t_peak_s, c.arm_m)
        if win is not None:
            got.append((c, win, rule_kind(c, det.options)[0]))
        return None

    det = PunchDetector(kind_classifier=hook)
    for f in clip.frames:
        det.update(f)
    det.finish()
    return got


def label_of(c: Candidate, clip: Clip) -> str:
    for t in clip.truth:
        if t.hand == c.hand and abs(t.t_s - c.t_peak_s) <= MATCH_S:
            return FAMILY[t.kind]
    return "none"


def random_clip(rng: np.random.Generator) -> Clip:
    """A random training clip: 60 % single punches, 15 % combinations, 25 % other movement
    (flailing weighted up), from the generator's wide variety of bodies, stances and cameras."""
    r = rng.random()
    yaw = float(rng.uniform(-90, 90))
    near = None if abs(yaw) < 55 else ("left" if yaw > 0 else "right")
    if r < 0.6:
        kind = str(rng.choice(PUNCH_KINDS))
        if kind in ("hook", "uppercut"):
            return punch_clip(kind, rng, yaw_deg=yaw, hand=near, complete=bool(rng.random() < 0.85), wide=True)
        southpaw = None if near is None else ((near == "right") == (kind == "jab"))
        return punch_clip(kind, rng, yaw_deg=yaw, southpaw=southpaw, complete=bool(rng.random() < 0.85),
                          slow=bool(rng.random() < 0.15), wide=True)
    if r < 0.75:
        hands = ("left", "right")
        kinds = [(str(rng.choice(PUNCH_KINDS)), hands[int(rng.integers(0, 2))]) for _ in range(int(rng.integers(2, 4)))]
        return combo_clip(kinds, rng, yaw_deg=float(rng.uniform(-45, 45)), wide=True)
    name = str(rng.choice(NON_PUNCH_MOTIONS + ("flail", "flail", "flail")))
    return motion_clip(name, rng, yaw_deg=yaw, wide=True)


def build(n_clips: int, seed: int, progress: bool = False) -> Dataset:
    rng = np.random.default_rng(seed)
    xs: list[np.ndarray] = []
    ys: list[int] = []
    rs: list[int] = []
    ids: list[int] = []
    it = range(n_clips)
    if progress:
        from tqdm import tqdm

        it = tqdm(it, desc=f"clips (seed {seed})")
    for i in it:
        clip = random_clip(rng)
        for c, win, rule in candidates_of(clip):
            xs.append(win)
            ys.append(CLASSES.index(label_of(c, clip)))
            rs.append(CLASSES.index(rule))
            ids.append(i)
    return Dataset(
        np.stack(xs).astype(np.float32) if xs else np.zeros((0, 16, 16), np.float32),
        np.array(ys, dtype=np.int64),
        np.array(rs, dtype=np.int64),
        np.array(ids, dtype=np.int64),
    )
