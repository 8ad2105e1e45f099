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

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from game.boxing.detector import Candidate, PunchDetector, rule_kind
from game.boxing.features import CLASSES, window_features
from game.boxing.kinematics import BodySample
from game.pose.recording import read_recording
from game.pose.types import PoseFrame
from models.coco17 import read_coco17_csv
from models.punch_synth import NON_PUNCH_MOTIONS, PUNCH_KINDS, Clip, combo_clip, motion_clip, punch_clip
from ringside_protocol import BOXING_MODE

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
    return candidates_in(clip.frames)


def candidates_in(frames: Iterable[PoseFrame]) -> list[tuple[Candidate, np.ndarray, str]]:
    """(candidate, window, rule family) for every excursion the detector accepts in a stream."""
    got: list[tuple[Candidate, np.ndarray, str]] = []

    def hook(c: Candidate, samples: Sequence[BodySample]) -> None:
        win = window_features(samples, c.hand, c.detected_s, c.t_peak_s, c.arm_m)
        if win is not None:
            got.append((c, win, rule_kind(c, det.options)[0]))
        return None

    det = PunchDetector(kind_classifier=hook)
    for f in frames:
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


# -- real recordings ------------------------------------------------------------------------------

REAL_MATCH_S = 0.35  # a candidate this close to a labelled punch (same hand when known) is that punch
LABEL_FAMILY = {**FAMILY, "straight": "straight"}


@dataclass(frozen=True, slots=True)
class RealWindow:
    """One detector candidate on a real recording, labelled from ../shared/data/labels.json."""

    clip: str  # the recording's stem: the unit of leave-one-clip-out
    t_s: float
    x: np.ndarray  # (WINDOW, FEATURES)
    y: int  # index into CLASSES
    rule_y: int
    is_labelled_punch: bool  # matched to a labelled punch (not an unmatched excursion called "none")


def _label_family(stem: str, lab: dict[str, object]) -> list[tuple[float, str | None, str]]:
    """(time, hand or None, family) of each labelled punch of one clip."""
    out: list[tuple[float, str | None, str]] = []
    kinds, times = lab.get("kinds"), lab.get("punch_times_s")
    if isinstance(kinds, list):
        for k in kinds:
            hand = k.get("hand") if k.get("hand") in ("left", "right") else None
            out.append((float(k["t"]), hand, LABEL_FAMILY[str(k["kind"])]))
    elif isinstance(times, list):
        out = [(float(t), None, "straight") for t in times]
    return out


def real_windows(labels_path: Path, recordings: Path, coco_dir: Path | None = None) -> Iterator[RealWindow]:
    """Windows of every detector candidate on the labelled real boxing recordings.

    ``recordings`` holds ``<stem>.rsk`` skeletons of the videos in labels.json. A candidate near a
    labelled punch takes its family; elsewhere in a fully labelled clip, and anywhere in a clip
    that must count nothing (``count_max`` 0), it is "none" (a wind-up, a guard shuffle, a gesture).
    Clips only partly labelled (a segment) contribute their segment; ``robustness_only`` clips and
    clips without per-punch times contribute nothing. ``coco_dir`` (the shadowboxer_coco17 layout):
    every candidate in its ``hook/`` files is a hook.
    """
    videos = json.loads(labels_path.read_text())["videos"]
    for key, lab in videos.items():
        if lab.get("exercise") != BOXING_MODE or lab.get("robustness_only"):
            continue
        stem = Path(key).stem
        path = recordings / f"{stem}.rsk"
        punches = _label_family(stem, lab)
        is_negative = lab.get("count_max") == 0
        if not path.is_file() or (not punches and not is_negative):
            continue
        lo, hi = lab.get("segment_s", (-np.inf, np.inf))
        for c, win, rule in candidates_in(read_recording(path)):
            if not lo - 0.5 <= c.t_peak_s <= hi + 0.5:
                continue
            near = [p for p in punches if abs(p[0] - c.t_peak_s) <= REAL_MATCH_S and p[1] in (None, c.hand)]
            family = min(near, key=lambda p: abs(p[0] - c.t_peak_s))[2] if near else "none"
            yield RealWindow(stem, c.t_peak_s, win, CLASSES.index(family), CLASSES.index(rule), bool(near))
    if coco_dir is not None:
        for csv_path in sorted((coco_dir / "hook").glob("*.csv")):
            for c, win, rule in candidates_in(read_coco17_csv(csv_path)):
                yield RealWindow(f"coco_{csv_path.stem}", c.t_peak_s, win, CLASSES.index("hook"),
                                 CLASSES.index(rule), True)
