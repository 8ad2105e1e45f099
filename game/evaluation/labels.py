"""The ground truth of ``../shared/data/labels.json``, read once into frozen records.

The file is written by people (see its ``_what``): each video names the mode to judge it in and
either a rep count, labelled punches, a maximum for a negative clip, or only "must run". Fields
this module does not know are kept in ``extra`` and ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game import exercises
from game.errors import UsageError

REP_EXERCISES = exercises.REP_NAMES
PUNCH_KINDS = ("jab", "cross", "hook", "uppercut")


@dataclass(frozen=True, slots=True)
class LabelledPunch:
    """One punch a person saw: when (seconds from the start of the file), what and with which hand.

    ``kind`` is jab|cross|hook|uppercut, ``straight`` (jab or cross, either is right) or None when
    only the time is known. ``hand`` is left|right (the boxer's own), a|b (only alternation is
    known), or None.
    """

    t_s: float | None
    kind: str | None = None
    hand: str | None = None


@dataclass(frozen=True, slots=True)
class ClipLabel:
    """What one clip must give. Exactly one of ``reps``, ``punches``, ``count_max`` or
    ``robustness_only`` defines the check."""

    name: str  # path relative to the data folder, e.g. "video/squat_side_deep.mp4"
    exercise: str
    tol: int = 0
    reps: int | None = None
    bottoms_s: tuple[float, ...] = ()
    punches: int | None = None
    punch_list: tuple[LabelledPunch, ...] = ()
    segment_s: tuple[float, float] | None = None
    count_max: int | None = None
    robustness_only: bool = False
    people: int = 1
    view: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return Path(self.name).stem

    @property
    def kind(self) -> str:
        """"reps", "punches", "negative" or "robustness"."""
        if self.robustness_only:
            return "robustness"
        if self.count_max is not None:
            return "negative"
        if self.exercise == exercises.BOXING:
            return "punches"
        return "reps"


def _punches(entry: dict[str, Any]) -> tuple[LabelledPunch, ...]:
    kinds = entry.get("kinds") or []
    if kinds:
        return tuple(LabelledPunch(float(k["t"]) if k.get("t") is not None else None,
                                   _kind(k.get("kind")), _hand(k.get("hand"))) for k in kinds)
    times = entry.get("punch_times_s") or []
    kind = "jab" if "jab" in str(entry.get("hand", "")) else None
    return tuple(LabelledPunch(float(t), kind, None) for t in times)


def _kind(raw: Any) -> str | None:
    k = str(raw or "").lower()
    return k if k in PUNCH_KINDS or k == "straight" else None


def _hand(raw: Any) -> str | None:
    h = str(raw or "").lower()
    return h if h in ("left", "right", "a", "b") else None


def parse_entry(name: str, entry: dict[str, Any]) -> ClipLabel:
    """One ``videos`` entry of labels.json. Raises UsageError when it names no check at all."""
    exercise = str(entry.get("exercise", ""))
    if exercise not in exercises.NAMES:
        raise UsageError(f"{name}: unknown exercise {exercise!r} in the labels")
    known = {"exercise", "tol", "complete_reps", "bottoms_s", "punches", "punches_in_segment",
             "punch_times_s", "kinds", "segment_s", "count_max", "robustness_only", "people", "view",
             "note", "slow_punches_0_4s", "hand"}
    segment = entry.get("segment_s")
    punches = entry.get("punches", entry.get("punches_in_segment"))
    punch_list = _punches(entry)
    if "slow_punches_0_4s" in entry:  # "4 slow punches in 0-4 s, then fast ones only approximately"
        segment, punches = [0.0, 4.0], entry["slow_punches_0_4s"]
        punch_list = tuple(LabelledPunch(None, "straight", None) for _ in range(int(punches)))
    label = ClipLabel(
        name=name, exercise=exercise, tol=int(entry.get("tol", 0)),
        reps=None if entry.get("complete_reps") is None else int(entry["complete_reps"]),
        bottoms_s=tuple(float(b) for b in entry.get("bottoms_s") or ()),
        punches=None if punches is None else int(punches),
        punch_list=punch_list,
        segment_s=None if segment is None else (float(segment[0]), float(segment[1])),
        count_max=None if entry.get("count_max") is None else int(entry["count_max"]),
        robustness_only=bool(entry.get("robustness_only", False)),
        people=int(entry.get("people", 1)), view=str(entry.get("view", "")),
        note=str(entry.get("note", "")),
        extra={k: v for k, v in entry.items() if k not in known},
    )
    if label.reps is None and label.punches is None and label.count_max is None and not label.robustness_only:
        raise UsageError(f"{name}: the labels give no count, punches, count_max or robustness_only")
    return label


def load_labels(path: str | Path) -> list[ClipLabel]:
    """Every video clip of a labels file, in file order. Raises UsageError with what is wrong."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"labels not found: {p} (the shared recordings live in ../shared/data)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the labels {p}: {exc}") from None
    videos = data.get("videos") if isinstance(data, dict) else None
    if not isinstance(videos, dict):
        raise UsageError(f"{p} has no 'videos' object")
    return [parse_entry(name, entry) for name, entry in videos.items() if isinstance(entry, dict)]
