"""Judge one clip's detector events against its label, and add clips up into a table. Pure.

Events are the JSON dicts ``ringside analyze --json`` prints (``rep``, ``punch``, ``status``,
``input``...). Rep clips are judged by count (the labelled ``bottoms_s`` include cut-off descents,
so they cannot be matched one to one); counted reps far from every labelled bottom are reported as
off-time. Punches with labelled times are matched one to one, closest first, within
``PUNCH_MATCH_S``; the kinds of the matched pairs fill the confusion matrix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from game import exercises
from game.boxing.fusion import SAME_PUNCH_S
from game.evaluation.labels import PUNCH_KINDS, REP_EXERCISES, ClipLabel, LabelledPunch

# A labelled punch time is a person's reading of the moment of full extension from frame sheets
# 0.07-0.25 s apart; the detector reports the peak of hand speed/extension. 0.4 s is a little more
# than one frame-sheet step either side plus the extension's own duration (0.2-0.3 s for a punch).
PUNCH_MATCH_S = 0.4
# A counted rep whose bottom is this far from every labelled bottom is "off-time": most likely a
# phantom even when the total happens to match.
REP_BOTTOM_MATCH_S = 1.0
# (``SAME_PUNCH_S``, imported: a complete punch of the same hand peaking this soon after a half one
# is the same punch seen through, the fused detector's own rule.)
DETECTED_KINDS = (*PUNCH_KINDS, "missed")
LABEL_KINDS = (*PUNCH_KINDS, "straight")


@dataclass(frozen=True, slots=True)
class PunchPair:
    label: LabelledPunch
    t_s: float | None  # the detected punch's time, None when missed
    kind: str | None  # detected kind
    hand: str | None  # detected hand

    @property
    def is_kind_right(self) -> bool | None:
        if self.t_s is None or self.label.kind is None:
            return None
        if self.label.kind == "straight":
            return self.kind in ("jab", "cross")
        return self.kind == self.label.kind

    @property
    def is_hand_right(self) -> bool | None:
        if self.t_s is None or self.label.hand not in ("left", "right"):
            return None
        return self.hand == self.label.hand


@dataclass(frozen=True, slots=True)
class ClipResult:
    label: ClipLabel
    got: int | None  # counted reps or complete punches (None when the clip could not be run)
    ok: bool
    hits: int = 0  # labelled reps/punches found
    labelled: int = 0  # labelled reps/punches that count toward recall
    phantoms: int = 0  # counted with nothing labelled there (negatives: everything counted)
    pairs: tuple[PunchPair, ...] = ()
    off_time: int = 0  # counted reps far from every labelled bottom
    why: str = ""  # for misses: what the event stream said
    error: str | None = None
    events: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    double_reports: int = 0  # boxing: half punches followed by the complete report of the same punch
    half_punches: int = 0  # boxing: half punches reported (inside the segment)

    @property
    def expected(self) -> str:
        lab = self.label
        if lab.robustness_only:
            return "runs"
        if lab.count_max is not None:
            return f"<= {lab.count_max}"
        n = lab.reps if lab.reps is not None else lab.punches
        return f"{n}" + (f" +-{lab.tol}" if lab.tol else "")


def _in_segment(t: float, seg: tuple[float, float] | None) -> bool:
    return seg is None or seg[0] <= t <= seg[1]


def _why_reps(events: Sequence[dict[str, Any]]) -> str:
    parts: list[str] = []
    reasons = Counter(str(e.get("reason")) for e in events if e.get("type") == "rep" and not e.get("counted"))
    if reasons:
        parts.append("not counted: " + ", ".join(f"{k} x{v}" for k, v in reasons.most_common()))
    cues = Counter(str(e.get("cue")) for e in events
                   if e.get("type") == "status" and e.get("state") == "paused" and e.get("cue"))
    if cues:
        parts.append("paused: " + "; ".join(f"{k} x{v}" for k, v in cues.most_common(2)))
    inputs = Counter(str(e.get("kind")) for e in events if e.get("type") == "input")
    if inputs:
        parts.append("input: " + ", ".join(f"{k} x{v}" for k, v in inputs.most_common(3)))
    if not any(e.get("type") == "status" and e.get("state") in ("ready", "counting") for e in events):
        parts.append("never ready")
    return "; ".join(parts)


def _why_punches(events: Sequence[dict[str, Any]], seg: tuple[float, float] | None) -> str:
    punches = [e for e in events if e.get("type") == "punch" and _in_segment(float(e.get("t", 0)), seg)]
    half = sum(1 for e in punches if not e.get("complete"))
    kinds = Counter(str(e.get("kind")) for e in punches if e.get("complete"))
    parts = []
    if kinds:
        parts.append("found " + ", ".join(f"{k} x{v}" for k, v in kinds.most_common()))
    if half:
        parts.append(f"half punches x{half}")
    return "; ".join(parts) or "no punch found"


def double_reports(events: Sequence[dict[str, Any]], seg: tuple[float, float] | None = None) -> int:
    """Punches reported twice: a half punch, then (later in the stream) a complete punch of the
    same hand peaking no earlier, that was already moving at the half one's peak or peaks within
    ``SAME_PUNCH_S`` of it. In the round the half report takes the target as a half miss and the
    complete one then scores "wild": one punch should give one report. Only half punches inside
    ``seg`` (seconds) count."""
    punches = [e for e in events if e.get("type") == "punch"]
    n = 0
    for i, h in enumerate(punches):
        th = float(h.get("t", 0))
        if h.get("complete") or not _in_segment(th, seg):
            continue
        n += any(e.get("complete") and e.get("hand") == h.get("hand") and float(e.get("t", 0)) >= th
                 and (float(e.get("onset", th)) <= th or float(e.get("t", 0)) - th <= SAME_PUNCH_S)
                 for e in punches[i + 1:])
    return n


def match_punches(labelled: Sequence[LabelledPunch], detected: Sequence[dict[str, Any]],
                  window_s: float = PUNCH_MATCH_S) -> tuple[list[PunchPair], int]:
    """Pairs (every labelled punch once, matched or not) and the number of unmatched detections.

    Timed labels are matched closest first within ``window_s``; labels without a time are paired
    with the leftover detections in time order.
    """
    timed = [(i, p) for i, p in enumerate(labelled) if p.t_s is not None]
    untimed = [(i, p) for i, p in enumerate(labelled) if p.t_s is None]
    candidates = sorted(
        (abs(float(d["t"]) - float(p.t_s)), i, j)  # type: ignore[arg-type]
        for i, p in timed for j, d in enumerate(detected)
        if abs(float(d["t"]) - float(p.t_s)) <= window_s  # type: ignore[arg-type]
    )
    by_label: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in candidates:
        if i in by_label or j in used:
            continue
        by_label[i] = j
        used.add(j)
    leftovers = [j for j in range(len(detected)) if j not in used]
    for (i, _), j in zip(untimed, leftovers, strict=False):
        by_label[i] = j
        used.add(j)
    pairs = []
    for i, p in enumerate(labelled):
        matched = by_label.get(i)
        if matched is None:
            pairs.append(PunchPair(p, None, None, None))
        else:
            d = detected[matched]
            pairs.append(PunchPair(p, float(d["t"]), str(d.get("kind")), d.get("hand")))
    return pairs, len(detected) - len(used)


def judge(label: ClipLabel, events: Sequence[dict[str, Any]]) -> ClipResult:
    """The verdict on one clip from its detector events."""
    seg = label.segment_s
    if label.exercise in REP_EXERCISES:
        reps = [e for e in events if e.get("type") == "rep" and e.get("counted")
                and _in_segment(float(e.get("bottom", e.get("t", 0))), seg)]
        got = len(reps)
        off = sum(1 for e in reps if label.bottoms_s and
                  min(abs(float(e.get("bottom", e.get("t", 0))) - b) for b in label.bottoms_s) > REP_BOTTOM_MATCH_S)
        if label.robustness_only:
            return ClipResult(label, got, True, events=len(events))
        if label.count_max is not None:
            ok = got <= label.count_max
            return ClipResult(label, got, ok, phantoms=got, why="" if ok else _why_reps(events),
                              events=len(events))
        want = label.reps or 0
        ok = abs(got - want) <= label.tol
        return ClipResult(label, got, ok, hits=min(got, want), labelled=want, phantoms=max(0, got - want),
                          off_time=off, why="" if ok and not off else _why_reps(events), events=len(events))
    punches = [e for e in events if e.get("type") == "punch" and e.get("complete")
               and _in_segment(float(e.get("t", 0)), seg)]
    got = len(punches)
    twice = double_reports(events, seg)
    half = sum(1 for e in events if e.get("type") == "punch" and not e.get("complete")
               and _in_segment(float(e.get("t", 0)), seg))
    if label.robustness_only:
        return ClipResult(label, got, True, events=len(events), double_reports=twice, half_punches=half)
    if label.count_max is not None:
        ok = got <= label.count_max
        return ClipResult(label, got, ok, phantoms=got, why="" if ok else _why_punches(events, seg),
                          events=len(events), double_reports=twice, half_punches=half)
    want = label.punches if label.punches is not None else len(label.punch_list)
    listed = label.punch_list or tuple(LabelledPunch(None) for _ in range(want))
    pairs, unmatched = match_punches(listed, punches)
    hits = sum(1 for p in pairs if p.t_s is not None)
    ok = abs(got - want) <= label.tol
    why = "" if ok and hits == len(listed) else _why_punches(events, seg)
    return ClipResult(label, got, ok, hits=hits, labelled=len(listed), phantoms=unmatched,
                      pairs=tuple(pairs), why=why, events=len(events), double_reports=twice,
                      half_punches=half)


def failed(label: ClipLabel, error: str) -> ClipResult:
    """A clip that could not be run: a miss unless nothing was expected of it but running."""
    return ClipResult(label, None, False, labelled=label.reps or label.punches or 0, error=error)


@dataclass(frozen=True, slots=True)
class Totals:
    clips: int
    clips_ok: int
    by_exercise: dict[str, dict[str, Any]]
    punch_recall: float | None
    punch_precision: float | None
    kind_accuracy: float | None
    kinds_judged: int
    hand_accuracy: float | None
    timing_abs_mean_s: float | None
    timing_abs_p95_s: float | None
    confusion: dict[str, dict[str, int]]
    double_reports: int = 0  # punches reported half, then complete (``double_reports``), boxing clips
    complete_punches: int = 0  # complete punches reported on the boxing clips (all of them, unmatched too)
    half_punches: int = 0  # half punches reported on the boxing clips


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def totals(results: Iterable[ClipResult]) -> Totals:
    """Per-exercise recall and phantoms, punch recall/precision/kinds/timing, the confusion matrix."""
    results = list(results)
    by_ex: dict[str, dict[str, Any]] = {}
    for r in results:
        ex = r.label.exercise
        row = by_ex.setdefault(ex, {"clips": 0, "clips_ok": 0, "labelled": 0, "found": 0,
                                    "phantoms": 0, "negatives": 0, "negatives_ok": 0, "errors": 0})
        row["clips"] += 1
        row["clips_ok"] += r.ok
        row["errors"] += r.error is not None
        if r.label.count_max is not None:
            row["negatives"] += 1
            row["negatives_ok"] += r.ok
            row["phantoms"] += r.phantoms
        elif not r.label.robustness_only:
            row["labelled"] += r.labelled
            row["found"] += r.hits
            row["phantoms"] += r.phantoms
    for row in by_ex.values():
        row["recall"] = _ratio(row["found"], row["labelled"])
    punch_clips = [r for r in results if r.label.kind == "punches"]
    p_lab = sum(r.labelled for r in punch_clips)
    p_hit = sum(r.hits for r in punch_clips)
    p_det = p_hit + sum(r.phantoms for r in punch_clips)
    pairs = [p for r in punch_clips for p in r.pairs]
    kind_judged = [p for p in pairs if p.is_kind_right is not None]
    hand_judged = [p for p in pairs if p.is_hand_right is not None]
    confusion = {lk: {dk: 0 for dk in DETECTED_KINDS} for lk in LABEL_KINDS}
    for p in pairs:
        if p.label.kind is None:
            continue
        det = p.kind if p.t_s is not None and p.kind in PUNCH_KINDS else "missed"
        confusion[p.label.kind][det] += 1
    errs = sorted(abs(p.t_s - p.label.t_s) for p in pairs if p.t_s is not None and p.label.t_s is not None)
    return Totals(
        clips=len(results), clips_ok=sum(r.ok for r in results), by_exercise=by_ex,
        punch_recall=_ratio(p_hit, p_lab), punch_precision=_ratio(p_hit, p_det),
        kind_accuracy=_ratio(sum(1 for p in kind_judged if p.is_kind_right), len(kind_judged)),
        kinds_judged=len(kind_judged),
        hand_accuracy=_ratio(sum(1 for p in hand_judged if p.is_hand_right), len(hand_judged)),
        timing_abs_mean_s=round(sum(errs) / len(errs), 3) if errs else None,
        timing_abs_p95_s=round(errs[min(len(errs) - 1, int(0.95 * len(errs)))], 3) if errs else None,
        confusion=confusion,
        double_reports=sum(r.double_reports for r in results),
        complete_punches=sum(r.got or 0 for r in results if r.label.exercise == exercises.BOXING),
        half_punches=sum(r.half_punches for r in results),
    )


def boxing_mode_phantoms(runs: Iterable[tuple[ClipLabel, Sequence[dict[str, Any]]]]) -> dict[str, Any]:
    """The non-boxing clips (rep clips and their negatives) judged in boxing mode: nobody on them
    boxes, so every complete punch is a phantom. ``runs`` pairs each clip with the boxing
    detector's events on it (the whole clip: a punch invented outside a labelled segment is one
    too). Returns ``{"clips", "clips_clean", "punches", "half_punches", "by_clip": {stem: n}}``."""
    clips = clean = punches = half = 0
    by_clip: dict[str, int] = {}
    for label, events in runs:
        found = [e for e in events if e.get("type") == "punch"]
        done = sum(1 for e in found if e.get("complete"))
        clips += 1
        clean += done == 0
        punches += done
        half += len(found) - done
        if done:
            by_clip[label.stem] = done
    return {"clips": clips, "clips_clean": clean, "punches": punches, "half_punches": half, "by_clip": by_clip}
