"""The target game's rules: a pure, deterministic core.

``BoxingRound(difficulty, seed, calibration)`` plans a whole session (rounds of targets on the
beat, with rests) from the seed, then takes PoseFrames through ``update(frame)`` and returns
game events; ``view()`` is a frozen snapshot for the scene to draw. Same difficulty + seed +
skeleton stream gives the same events and score, bit for bit: no clock (time is the frames'
``timestamp_ms``), no global randomness (a ``numpy`` generator seeded once), no I/O.

Timing windows (see docs/BOXING.md): a 30 fps camera sees a frame every 33 ms, so a punch's peak
is known to within about +-1 frame (+-35 ms) at best, and the detector's peak can land one frame
either side of the true one. A "perfect" window narrower than about +-70 ms would therefore grade
the camera's jitter, not the player. Perfect is +-75 ms, early/late out to +-150 ms, and a target
not hit by +200 ms is missed; ``Difficulty.window_scale`` stretches or shrinks all three.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from game.boxing import make_punch_detector
from game.boxing.detector import PunchSource
from game.boxing.events import Hand, PunchEvent
from game.calibration import BodyProfile
from game.errors import CalibrationError
from game.pose.types import LM, PoseFrame

Phase = Literal["countdown", "round", "rest", "done"]
CueKind = Literal["jab", "cross", "hook", "uppercut", "slip_left", "slip_right", "duck"]
FAMILY = {"jab": "straight", "cross": "straight", "hook": "hook", "uppercut": "uppercut"}

PERFECT_S = 0.075
GOOD_S = 0.150
MISS_AFTER_S = 0.200
SHOW_AHEAD_S = 1.6  # targets appear this long before their beat
COUNTDOWN_S = 3.0
# Anti-flail: this many punches at no target within FLAIL_WINDOW_S lock scoring for FLAIL_LOCK_S.
# A boxer on the beat throws what is asked; two strays in two seconds is swinging, not boxing.
FLAIL_WILD_COUNT = 2
FLAIL_WINDOW_S = 2.0
FLAIL_LOCK_S = 2.0  # at most this long once the guard is reset...
FLAIL_MIN_LOCK_S = 1.0  # ... and at least this long
GUARD_RESET_S = 0.5  # both hands home and still this long lifts the lock
# Fast arm movements the detector refused as flailing count as strays too.
STRAY_REASONS = frozenset({"flail", "not from a guard", "hand never came home", "no extension phase",
                           "hand raised above the head", "arm swinging low"})
# A hit needs the guard to have been up (both hands home) within this long before it: boxing
# returns to guard between combinations; arms thrown about never do.
GUARD_RECENT_S = 1.5
# ... and a hit needs a clean lead-in: no stray punch in the second before it.
CLEAN_LEAD_IN_S = 1.0
# A dodge is measured from the head's place over this long before the cue's window opens.
DODGE_BASELINE_S = 0.8
# Free scoring (``Difficulty.scoring == "free"``: a recorded clip, which cannot follow targets):
# every clean punch scores, with no target and no beat. Clean = complete, thrown from a guard
# held within GUARD_RECENT_S, outside a scoring lock and with no stray in the CLEAN_LEAD_IN_S
# before it: the same checks a target hit passes, less the target's hand, kind and timing.
# A clean punch earns FREE_BASE points (a target hit earns 60 early/late, 100 perfect; with no
# beat to be perfect on, the lower one) plus the same power points, times the streak multiplier.
FREE_BASE = 60
# Clean punches each within this long of the one before make a combination. The target game
# asks combinations at 0.25-0.57 s between punches (eighth notes up to 100 BPM, beats above);
# 0.8 s leaves room for a slower amateur and a frame of detector jitter (set from the game's own
# timing, not fitted to clips). A combination of n earns 50 * n like a finished target combo.
FREE_COMBO_GAP_S = 0.8
# Free scoring: a movement of one arm the detector refused as a stray, within this long of a
# punch by the other arm, is that punch's counter-movement (the rear hand pulled back to the
# chin, the shoulders turning), not flailing. A punch's extension lasts ~150-250 ms (Kimm &
# Thiel 2015); on punch_shadowbox_labelled_overlay the two such refusals fell 33 and 37 ms from
# the other hand's jab and cross, and locked scoring for the rest of the clip. Not fitted: the
# upper end of a punch's duration.
PAIR_S = 0.25
Scoring = Literal["targets", "free"]


@runtime_checkable
class _WholePlan(Protocol):
    """A whole plan (``game.hrv.plan.Plan``): :meth:`Difficulty.from_plan` reads its boxing block."""

    boxing: Any


@dataclass(frozen=True, slots=True)
class Difficulty:
    """What a level asks. The recovery-aware planner and the coach set these fields.

    - ``bpm``: beats per minute of the targets (40-180).
    - ``density``: chance that a free beat starts a combo or a cue (0-1).
    - ``combo_max_len``: longest combination asked (1-4).
    - ``window_scale``: multiplies the timing windows (0.5 strict - 2.0 forgiving).
    - ``rounds``, ``round_s``, ``rest_s``: the session's shape.
    - ``dodge_share``: share of cues that are slips and ducks instead of punches.
    - ``kinds``: punch kinds that may be asked.
    - ``scoring``: ``"targets"`` (the game: punches score on targets, on the beat) or ``"free"``
      (no targets: every clean punch scores by power and combinations; for a recorded clip,
      whose boxer cannot follow this session's targets).
    """

    bpm: float = 90.0
    density: float = 0.5
    combo_max_len: int = 2
    window_scale: float = 1.0
    rounds: int = 3
    round_s: float = 60.0
    rest_s: float = 30.0
    dodge_share: float = 0.1
    kinds: tuple[str, ...] = ("jab", "cross", "hook", "uppercut")
    scoring: Scoring = "targets"

    @property
    def is_free(self) -> bool:
        """Free scoring: no targets; every clean punch scores."""
        return self.scoring == "free"

    def __post_init__(self) -> None:
        if self.scoring not in ("targets", "free"):
            raise ValueError(f"scoring must be 'targets' or 'free', got {self.scoring!r}")
        if not 40.0 <= self.bpm <= 180.0:
            raise ValueError(f"bpm must be within 40-180, got {self.bpm}")
        if not 0.0 < self.density <= 1.0:
            raise ValueError(f"density must be within (0, 1], got {self.density}")
        if not 1 <= self.combo_max_len <= 4:
            raise ValueError(f"combo_max_len must be 1-4, got {self.combo_max_len}")
        if not 0.5 <= self.window_scale <= 2.0:
            raise ValueError(f"window_scale must be within 0.5-2.0, got {self.window_scale}")
        if self.rounds < 1 or self.round_s <= 0 or self.rest_s < 0:
            raise ValueError("rounds must be >= 1, round_s > 0 and rest_s >= 0")

    @staticmethod
    def level(n: int) -> Difficulty:
        """Presets 1 (first session) to 5 (fit and practised)."""
        presets = {
            1: Difficulty(bpm=70, density=0.4, combo_max_len=1, window_scale=1.5, dodge_share=0.0,
                          kinds=("jab", "cross")),
            2: Difficulty(bpm=80, density=0.5, combo_max_len=2, window_scale=1.25, dodge_share=0.05,
                          kinds=("jab", "cross", "hook")),
            3: Difficulty(bpm=90, density=0.55, combo_max_len=3, window_scale=1.0, dodge_share=0.1),
            4: Difficulty(bpm=105, density=0.65, combo_max_len=3, window_scale=0.9, dodge_share=0.12),
            5: Difficulty(bpm=120, density=0.75, combo_max_len=4, window_scale=0.8, dodge_share=0.15),
        }
        if n not in presets:
            raise ValueError(f"level must be 1-5, got {n}")
        return presets[n]

    @staticmethod
    def from_plan(plan: Any, base: Difficulty | None = None) -> Difficulty:
        """From the recovery-aware planner's boxing block (``game.hrv.plan.BoxingBlock``, or a
        whole ``Plan`` with a ``boxing`` field), a coach's override, or a plain dict -- anything
        with some of: bpm, density (or density_targets_per_beat), combo_max_len, window_scale,
        rounds, round_s, rest_s. Missing fields keep ``base``'s values. Raises ValueError for a
        plan with no boxing (zero rounds) or out-of-range values."""
        if not isinstance(plan, dict) and isinstance(plan, _WholePlan):
            plan = plan.boxing
        b = base or Difficulty()

        def get(k: str, d: Any) -> Any:
            v = plan.get(k, None) if isinstance(plan, dict) else getattr(plan, k, None)
            return d if v is None else v

        density = get("density", get("density_targets_per_beat", b.density))
        return Difficulty(
            bpm=float(get("bpm", b.bpm)),
            density=float(min(1.0, max(0.05, float(density)))),
            combo_max_len=int(min(4, max(1, int(get("combo_max_len", b.combo_max_len))))),
            window_scale=float(get("window_scale", b.window_scale)),
            rounds=int(get("rounds", b.rounds)),
            round_s=float(get("round_s", b.round_s)),
            rest_s=float(get("rest_s", b.rest_s)),
            dodge_share=b.dodge_share,
            kinds=b.kinds,
            scoring=b.scoring,
        )


@dataclass(frozen=True, slots=True)
class BodyCalibration:
    """The player's body as the camera sees it in guard, in image pixels."""

    image_size: tuple[int, int]
    nose_px: tuple[float, float]
    shoulder_mid_px: tuple[float, float]
    hip_mid_px: tuple[float, float]
    shoulder_width_px: float
    reach_px: float  # upper arm + forearm
    orthodox: bool = True
    # Which way the player faces in the image: 0 square to the camera, +1 / -1 side-on facing
    # image +x / -x (targets then all go on the side they face, never behind the back).
    facing_x: float = 0.0
    # Image areas covered by the HUD, (x, y, w, h) in image pixels: no target is placed there.
    keep_out_px: tuple[tuple[float, float, float, float], ...] = ()
    # The smallest ring the screen shows readably (its label inside), in image pixels.
    min_radius_px: float = 0.0

    @property
    def torso_px(self) -> float:
        return float(np.hypot(self.shoulder_mid_px[0] - self.hip_mid_px[0],
                              self.shoulder_mid_px[1] - self.hip_mid_px[1]))

    @property
    def is_side_on(self) -> bool:
        return self.facing_x != 0.0

    def for_screen(self, keep_out: Iterable[tuple[float, float, float, float]],
                   min_radius_px: float = 0.0) -> BodyCalibration:
        """A copy that keeps targets out of ``keep_out`` and no smaller than ``min_radius_px``
        (image pixels): what the screen covers and what it can show readably."""
        rects = tuple(tuple(float(v) for v in r) for r in keep_out)
        return replace(self, keep_out_px=rects, min_radius_px=float(min_radius_px))  # type: ignore[arg-type]

    @staticmethod
    def from_frames(frames: Iterable[PoseFrame], *, orthodox: bool | None = None,
                    profile: BodyProfile | None = None) -> BodyCalibration:
        """Medians over the guard frames that show a person: where the player stands now.

        ``profile`` (the set-up scene's, when it ran) gives the stance (unless ``orthodox`` says
        it) and the true arm length, scaled to the player's size now: arms held in a guard point
        at the camera and read short. Without it the player is taken as orthodox.
        Raises :class:`~game.errors.CalibrationError` when no frame shows a person."""
        rows = []
        size = (0, 0)
        for f in frames:
            p = f.landmarks_px
            if p is None or not np.all(np.isfinite(p[:25, :2])):
                continue
            size = f.image_size
            sh = (p[LM.LEFT_SHOULDER, :2] + p[LM.RIGHT_SHOULDER, :2]) / 2
            hp = (p[LM.LEFT_HIP, :2] + p[LM.RIGHT_HIP, :2]) / 2
            reach = max(
                float(np.linalg.norm(p[s, :2] - p[e, :2]) + np.linalg.norm(p[e, :2] - p[w, :2]))
                for s, e, w in ((LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST),
                                (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST))
            )
            width = float(np.linalg.norm(p[LM.LEFT_SHOULDER, :2] - p[LM.RIGHT_SHOULDER, :2]))
            rows.append([*p[LM.NOSE, :2], *sh, *hp, width, reach])
        if not rows:
            raise CalibrationError("Nobody was seen during calibration: stand 2-3 m from the camera, "
                                   "head to hips in view, and hold your guard for two seconds.")
        m = np.median(np.array(rows), axis=0)
        torso = float(np.hypot(m[2] - m[4], m[3] - m[5]))
        # Arms seen end-on read short; a real arm is about 1.1-1.3 torso lengths.
        reach_px = float(max(m[7], 1.1 * torso))
        if profile is not None and profile.torso_px > 0:
            reach_px = max(reach_px, profile.arm_length_px * torso / profile.torso_px)
        if orthodox is None:
            orthodox = profile.is_orthodox if profile is not None else True
        width_px = float(max(m[6], 0.55 * torso))
        return BodyCalibration(size, (float(m[0]), float(m[1])), (float(m[2]), float(m[3])),
                               (float(m[4]), float(m[5])), width_px, reach_px, orthodox,
                               facing_of(float(m[6]), torso, float(m[0]) - float(m[2])))


@dataclass(frozen=True, slots=True)
class Cue:
    """A planned target or dodge cue."""

    id: int
    round_index: int
    t_s: float  # the beat, seconds from the session start
    kind: CueKind
    hand: Hand | None  # None for dodges
    combo_id: int
    combo_pos: int
    combo_len: int
    x_px: float
    y_px: float
    radius_px: float

    @property
    def is_dodge(self) -> bool:
        return self.kind in ("slip_left", "slip_right", "duck")


@dataclass(frozen=True, slots=True)
class TargetView:
    id: int
    x_px: float
    y_px: float
    radius_px: float
    time_to_hit_s: float
    kind: str
    hand: str | None
    is_dodge: bool
    combo_pos: int
    combo_len: int


@dataclass(frozen=True, slots=True)
class GameView:
    """Everything the scene draws, as of the last frame."""

    phase: Phase
    round_index: int  # 0-based
    rounds: int
    time_left_s: float  # in the current phase
    score: int
    streak: int
    multiplier: int
    targets: tuple[TargetView, ...]
    last_grade: str | None
    is_flail_locked: bool
    combo_progress: tuple[int, int] | None  # (hits so far, length) of the combo in play
    beat_s: float = 0.75  # seconds per beat (the music's and the targets')
    beat_phase: float | None = None  # 0..1 through the current beat in a round, else None


@dataclass(frozen=True, slots=True)
class GameEvent:
    type: str
    t_s: float
    data: tuple[tuple[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "t": round(self.t_s, 3), **dict(self.data)}


@dataclass(slots=True)
class RoundStats:
    punches: int = 0
    half_punches: int = 0
    targets: int = 0
    hits: int = 0
    perfect: int = 0
    misses: int = 0
    wild: int = 0
    dodges: int = 0
    dodges_made: int = 0
    clean: int = 0  # free scoring: punches that scored
    combos: int = 0
    combos_done: int = 0
    speeds: list[float] = field(default_factory=list)
    score: int = 0

    def to_json(self, round_s: float) -> dict[str, Any]:
        n = len(self.speeds)
        ppm = self.punches * 60.0 / round_s if round_s > 0 else 0.0
        mean_speed = float(np.mean(self.speeds)) if n else 0.0
        # Rough intensity: shadowboxing runs about 5-9 METs (Compendium of Physical Activities,
        # codes 15100-15110); scaled here by punch rate and hand speed. An estimate, not a measure.
        met = float(np.clip(3.5 + 0.035 * ppm + 0.3 * mean_speed, 3.5, 12.0)) if n else 2.0
        return {
            "punches": self.punches,
            "half_punches": self.half_punches,
            "targets": self.targets,
            "hits": self.hits,
            "perfect": self.perfect,
            "misses": self.misses,
            "wild_punches": self.wild,
            "clean_punches": self.clean,
            "accuracy": round(self.hits / self.targets, 3) if self.targets else None,
            "dodges": self.dodges,
            "dodges_made": self.dodges_made,
            "combos": self.combos,
            "combos_completed": self.combos_done,
            "mean_speed_mps": round(mean_speed, 2) if n else None,
            "peak_speed_mps": round(float(np.max(self.speeds)), 2) if n else None,
            "punches_per_min": round(ppm, 1),
            "intensity_met": round(met, 1),
            "score": self.score,
        }


# Combinations by the trainers' numbers: 1 jab, 2 cross, 3 lead hook, 4 rear hook,
# 5 lead uppercut, 6 rear uppercut.
_NUMBERED: dict[int, tuple[str, bool]] = {
    1: ("jab", True), 2: ("cross", False), 3: ("hook", True), 4: ("hook", False),
    5: ("uppercut", True), 6: ("uppercut", False),
}
COMBOS: tuple[tuple[int, ...], ...] = (
    (1,), (2,), (3,), (6,),
    (1, 2), (1, 1), (2, 3), (1, 6), (3, 2),
    (1, 2, 3), (1, 1, 2), (1, 2, 5), (1, 6, 3),
    (1, 2, 3, 2), (1, 1, 2, 3), (1, 2, 5, 2),
)


def plan_cues(difficulty: Difficulty, seed: int, calibration: BodyCalibration) -> tuple[Cue, ...]:
    """The whole session's cues, from the seed alone (none with free scoring)."""
    if difficulty.is_free:
        return ()
    rng = np.random.Generator(np.random.PCG64(seed))
    beat = 60.0 / difficulty.bpm
    sub = beat / 2 if difficulty.bpm <= 100 else beat  # combos on eighth notes when slow enough
    allowed = [c for c in COMBOS if len(c) <= difficulty.combo_max_len
               and all(_NUMBERED[n][0] in difficulty.kinds for n in c)]
    if not allowed:
        allowed = [(1,)]
    cues: list[Cue] = []
    placed: list[_Placed] = []
    # Targets on screen together: shown SHOW_AHEAD_S before their beat, gone by the miss time.
    overlap_s = SHOW_AHEAD_S + MISS_AFTER_S * difficulty.window_scale
    combo_id = 0
    for r in range(difficulty.rounds):
        start = _round_start(difficulty, r) + 1.0  # a breath before the first target
        end = _round_start(difficulty, r) + difficulty.round_s - 0.5
        t = start
        while t < end:
            if rng.random() >= difficulty.density:
                t += beat
                continue
            if difficulty.dodge_share > 0 and rng.random() < difficulty.dodge_share:
                kind: CueKind = ("slip_left", "slip_right", "duck")[int(rng.integers(0, 3))]
                bx, by, _ = _dodge_place(kind, calibration)
                spot = _find_spot(bx, by, None, calibration, placed, t, overlap_s, 1.0)
                if spot is not None:  # a cue with nowhere to show is not asked
                    x, y, rad = spot
                    placed.append(_Placed(t, x, y, rad))
                    cues.append(Cue(len(cues), r, t, kind, None, combo_id, 0, 1, x, y, rad))
                    combo_id += 1
                t += 2 * beat
                continue
            combo = allowed[int(rng.integers(0, len(allowed)))]
            spots = _place_combo(combo, t, sub, end, calibration, placed, overlap_s, rng)
            if not spots and len(combo) > 1:
                # no room for the whole combination (a crowded side-on stage): its first
                # punch alone keeps the beat going
                combo = combo[:1]
                spots = _place_combo(combo, t, sub, end, calibration, placed, overlap_s, rng)
            for i, (kind_s, hand, tt, x, y, rad) in enumerate(spots):
                cues.append(Cue(len(cues), r, tt, kind_s, hand, combo_id, i, len(spots), x, y, rad))  # type: ignore[arg-type]
                placed.append(_Placed(tt, x, y, rad))
            combo_id += 1
            t += (len(combo) - 1) * sub + 2 * beat
    return tuple(cues)


def _place_combo(combo: tuple[int, ...], t: float, sub: float, end: float, cal: BodyCalibration,
                 placed: Sequence[_Placed], overlap_s: float, rng: np.random.Generator,
                 ) -> list[tuple[str, Hand, float, float, float, float]]:
    """Spots for every punch of a combination from ``t`` (one each ``sub`` seconds), clear of
    ``placed`` and of each other; empty when one does not fit (asked whole or not at all)."""
    spots: list[tuple[str, Hand, float, float, float, float]] = []
    trial = list(placed)
    for i, n in enumerate(combo):
        kind_s, lead = _NUMBERED[n]
        hand = _hand(lead, cal.orthodox)
        to_body = kind_s in ("jab", "cross") and rng.random() < 0.25
        tt = t + i * sub
        if tt >= end:
            break
        bx, by = _target_base(kind_s, hand, cal, to_body)
        spot = _find_spot(bx, by, hand, cal, trial, tt, overlap_s, _toward(hand, cal))
        if spot is None:
            return []
        trial.append(_Placed(tt, *spot))
        spots.append((kind_s, hand, tt, *spot))
    return spots


def _round_start(d: Difficulty, r: int) -> float:
    return COUNTDOWN_S + r * (d.round_s + d.rest_s)


def _hand(lead: bool, orthodox: bool) -> Hand:
    return ("left" if orthodox else "right") if lead else ("right" if orthodox else "left")


# -- where targets go -------------------------------------------------------------------------
# Body-scaled, so any size of player at any distance gets the same game. Square to the camera,
# the shoulders span about 0.7-0.9 torso lengths (shoulder mid to hip mid); turned side-on they
# shrink towards 0.2. Below SIDE_ON_RATIO the player is treated as side-on, facing where the nose
# points from the shoulders.
SIDE_ON_RATIO = 0.45
# Turned three-quarters, the shoulders still look wide, but the nose sits well ahead of the
# shoulders' midpoint (square on, within a few cm of it): from this much, in torso lengths, the
# player is placed as facing that way too (measured on punch_shadowbox_labelled_overlay: 0.18).
TURNED_NOSE = 0.15
FACE_R = 0.32  # the face zone around the nose (chin to brow, ear to ear), torso lengths
TARGET_R = 0.2  # a target's radius, torso lengths (a fist-and-a-half across)
GAP_R = 0.6  # clear space between two targets on screen together, target radii
MIN_R_FRAC = 0.7  # a crowded target may shrink to this share of TARGET_R before it is dropped


def facing_of(shoulder_width_px: float, torso_px: float, nose_ahead_px: float) -> float:
    """0 for a player square to the camera; +1 / -1 side-on (or turned three-quarters) facing
    image +x / -x. ``nose_ahead_px``: nose x minus the shoulders' mid x."""
    if torso_px <= 0:
        return 0.0
    if shoulder_width_px / torso_px >= SIDE_ON_RATIO and abs(nose_ahead_px) < TURNED_NOSE * torso_px:
        return 0.0
    if abs(nose_ahead_px) < 0.05 * torso_px:
        return 0.0  # turned, but which way cannot be told: place as if square
    return 1.0 if nose_ahead_px > 0 else -1.0


@dataclass(frozen=True, slots=True)
class _Placed:
    t_s: float
    x: float
    y: float
    r: float


def target_ok(x: float, y: float, r: float, hand: Hand | None, cal: BodyCalibration,
              placed: Sequence[_Placed] = (), t_s: float = 0.0, overlap_s: float = 0.0) -> bool:
    """A target of radius ``r`` at (x, y) is inside the image, off the face and the HUD, within
    the punching arm's reach, in front of a side-on player, and clear of every target on screen
    with it (planned within ``overlap_s`` of ``t_s``)."""
    w_img, h_img = cal.image_size
    if x - r < 0 or y - r < 0 or x + r > w_img or y + r > h_img:
        return False
    nx, ny = cal.nose_px
    if math.hypot(x - nx, y - ny) < r + FACE_R * cal.torso_px:
        return False
    for (kx, ky, kw, kh) in cal.keep_out_px:
        cx, cy = min(max(x, kx), kx + kw), min(max(y, ky), ky + kh)
        if math.hypot(x - cx, y - cy) < r:
            return False
    if hand is not None:
        # punches land between the top of the head and the hips
        if y < ny - FACE_R * cal.torso_px or y > cal.hip_mid_px[1]:
            return False
        shx, shy = shoulder_px(hand, cal)
        if math.hypot(x - shx, y - shy) > cal.reach_px:
            return False
        # on the punching hand's side square on; in front of a side-on player (never behind)
        if (x - cal.shoulder_mid_px[0]) * _toward(hand, cal) <= 0:
            return False
    for p in placed:
        if abs(p.t_s - t_s) < overlap_s and math.hypot(x - p.x, y - p.y) < r + p.r + GAP_R * \
                max(r, p.r):
            return False
    return True


def shoulder_px(hand: Hand, cal: BodyCalibration) -> tuple[float, float]:
    """The punching shoulder in the image (both at the middle for a side-on player)."""
    sx, sy = cal.shoulder_mid_px
    if cal.is_side_on:
        return sx, sy
    side = 1.0 if hand == "left" else -1.0
    return sx + side * 0.5 * cal.shoulder_width_px, sy


def _toward(hand: Hand, cal: BodyCalibration) -> float:
    """Which image direction a hand's targets go: its own side square on, the front side-on."""
    if cal.is_side_on:
        return cal.facing_x
    return 1.0 if hand == "left" else -1.0


def _target_base(kind: str, hand: Hand, cal: BodyCalibration, to_body: bool) -> tuple[float, float]:
    """The ideal spot for a punch, before the checks: straights beside the head (or at the body),
    hooks out past the shoulder at head height, uppercuts below the chin; side-on, all in front."""
    nx, ny = cal.nose_px
    sx, sy = cal.shoulder_mid_px
    t = cal.torso_px
    d = _toward(hand, cal)
    face = FACE_R * t
    r = TARGET_R * t
    if kind in ("jab", "cross"):
        if to_body:
            return sx + d * (0.5 * cal.shoulder_width_px + r), sy + 0.4 * t
        # side-on the rear hand's straight goes a little further out than the jab
        extra = 1.2 * r if cal.is_side_on and hand != _hand(True, cal.orthodox) else 0.0
        return nx + d * (face + r + 0.2 * r + extra), ny
    if kind == "hook":
        if cal.is_side_on:
            return nx + d * (face + r), ny - 1.2 * r
        return sx + d * (0.5 * cal.shoulder_width_px + 0.45 * cal.reach_px), ny + 0.1 * t
    return nx + d * (face + 0.4 * r), ny + face + 0.6 * r  # uppercut


# Where to look when the ideal spot is taken: steps of a target radius, nearest first.
_OFFSETS: tuple[tuple[float, float], ...] = tuple(sorted(
    ((dx * 0.6, dy * 0.6) for dx in range(-5, 6) for dy in range(-5, 6)),
    key=lambda o: (o[0] ** 2 + o[1] ** 2, o[1], o[0])))


def _find_spot(bx: float, by: float, hand: Hand | None, cal: BodyCalibration,
               placed: Sequence[_Placed], t_s: float, overlap_s: float,
               away: float) -> tuple[float, float, float] | None:
    """The nearest spot to (bx, by) that passes :func:`target_ok`, trying a full-size target
    first and then smaller ones; None when there is none."""
    # only targets on screen with this one matter (``placed`` is in time order)
    placed = [p for p in placed[-24:] if abs(p.t_s - t_s) < overlap_s]
    r0 = TARGET_R * cal.torso_px
    for scale in (1.0, 0.85, MIN_R_FRAC):
        r = max(r0 * scale, cal.min_radius_px)
        for dx, dy in _OFFSETS:
            x, y = bx + away * dx * r, by + dy * r
            if target_ok(x, y, r, hand, cal, placed, t_s, overlap_s):
                return float(x), float(y), float(r)
    return None


def _dodge_place(kind: str, cal: BodyCalibration) -> tuple[float, float, float]:
    """A dodge cue sits beside the head on the side the blow comes from (the player moves the
    other way); a duck cue is a bar above the head."""
    nx, ny = cal.nose_px
    t = cal.torso_px
    if kind == "duck":
        return float(nx), float(ny - FACE_R * t - 0.3 * t), float(0.25 * t)
    side = 1.0 if kind == "slip_right" else -1.0  # the cue comes from the side to slip away from
    return float(nx + side * (FACE_R * t + 0.3 * t)), float(ny), float(0.25 * t)


@dataclass(slots=True)
class _CueState:
    cue: Cue
    resolved: bool = False
    grade: str | None = None


class BoxingRound:
    """One session of the target game (all its rounds and rests).

    ``difficulty`` may be a :class:`Difficulty` or a level number 1-5. Session time starts at
    the first frame's timestamp (or ``start_ms``).
    """

    def __init__(self, difficulty: Difficulty | int, seed: int, calibration: BodyCalibration, *,
                 detector: PunchSource | None = None, start_ms: float | None = None) -> None:
        self.difficulty = Difficulty.level(difficulty) if isinstance(difficulty, int) else difficulty
        self.seed = seed
        self.calibration = calibration
        self.cues = plan_cues(self.difficulty, seed, calibration)
        self._states = [_CueState(c) for c in self.cues]
        self._next = 0  # first unresolved cue (cues are in time order)
        if detector is None:
            detector = make_punch_detector(orthodox=calibration.orthodox)
        self.detector = detector
        self._start_ms = start_ms
        self._t = 0.0
        self.score = 0
        self.streak = 0
        self._stats = [RoundStats() for _ in range(self.difficulty.rounds)]
        self._wild_times: deque[float] = deque(maxlen=8)
        self._flail_until = -1.0
        self._flail_from = -1.0
        self._guard_since: float | None = None
        self._guard_seen_s: float | None = None
        self._has_seen_person = False
        self._last_grade: str | None = None
        self._phase: Phase = "countdown"
        self._round = 0
        self._combo_hits: dict[int, int] = {}
        self.best_streak = 0
        self._pending_strays: list[tuple[float, str]] = []  # free scoring: (t, hand), see PAIR_S
        self._chain: list[float] = []  # free scoring: the clean punches of the combination in play
        self._head: deque[tuple[float, float, float, bool]] = deque(maxlen=120)

    # -- public API --------------------------------------------------------------------------

    def update(self, frame: PoseFrame) -> list[GameEvent]:
        """Feed one frame; returns the game events it caused, in time order."""
        if self._start_ms is None:
            self._start_ms = frame.timestamp_ms
        t = (frame.timestamp_ms - self._start_ms) / 1000.0
        if t < self._t:
            return []  # out-of-order frame: ignore rather than rewind the game
        self._t = t
        events: list[GameEvent] = []
        events += self._advance_phase(t)
        if frame.landmarks_px is not None:
            self._has_seen_person = True
        n_rejected = len(self.detector.rejected)
        punches = self.detector.update(self._shift(frame))
        # The flail lock lifts only once the guard has been up and still for a moment.
        if self.detector.is_guard_up():
            self._guard_since = t if self._guard_since is None else self._guard_since
            self._guard_seen_s = t
        else:
            self._guard_since = None
        if self._flail_until > t and self._guard_since is not None and t - self._guard_since >= GUARD_RESET_S \
                and t - self._flail_from >= FLAIL_MIN_LOCK_S:
            self._flail_until = t
        elif self._flail_until > t and self._flail_until - t < 0.1 and self._guard_since is None:
            self._flail_until = t + 0.1  # still swinging: stay locked
        for (t_r, hand_r, why) in self.detector.rejected[n_rejected:]:
            if why in STRAY_REASONS and self._phase == "round":
                if self.difficulty.is_free:
                    self._pending_strays.append((t_r, hand_r))  # judged once PAIR_S has passed
                else:
                    events += self._note_stray(t_r)
        if self._pending_strays:
            # the other arm's movement in a punch is part of it, not a stray
            for ev in punches:
                self._pending_strays = [(t_r, h) for (t_r, h) in self._pending_strays
                                        if h == ev.hand or abs(ev.t_s - t_r) > PAIR_S]
            while self._pending_strays and t - self._pending_strays[0][0] > PAIR_S:
                events += self._note_stray(self._pending_strays.pop(0)[0])
        if frame.landmarks_px is not None:
            p = frame.landmarks_px
            self._head.append((t, float(p[LM.NOSE, 0]), float(p[LM.NOSE, 1]), self.detector.is_guard_up()))
        for ev in punches:
            events += self.feed_punch(ev)
        if self._chain and t - self._chain[-1] > FREE_COMBO_GAP_S:
            events += self._close_chain(self._chain[-1] + FREE_COMBO_GAP_S)
        events += self._check_dodges(t)
        events += self._expire(t)
        return events

    def feed_punch(self, ev: PunchEvent) -> list[GameEvent]:
        """Score one punch (``ev.t_s`` in session seconds)."""
        if self._phase != "round":
            return []
        st = self._stats[self._round]
        if not ev.complete:
            st.half_punches += 1
        else:
            st.punches += 1
            st.speeds.append(ev.speed_mps)
        if self.difficulty.is_free:
            return self._free_punch(ev, st)
        target = self._open_target(ev)
        if target is None:
            st.wild += 1
            out = [self._event("wild", ev.t_s, hand=ev.hand, kind=ev.kind)]
            if self.streak:
                self.streak = 0
                out.append(self._event("streak_lost", ev.t_s))
            return out + self._note_stray(ev.t_s)
        dt = ev.t_s - target.cue.t_s
        scale = self.difficulty.window_scale
        right_punch = _fits(ev, target.cue)
        if ev.t_s < self._flail_until or any(0.0 < ev.t_s - w <= CLEAN_LEAD_IN_S for w in self._wild_times):
            return self._miss(target, ev.t_s, "flail")
        # (Only when the game watches the player: punches fed directly, in replays of detector
        # output and in tests, carry no guard to check.)
        if self._has_seen_person and (self._guard_seen_s is None or ev.onset_s - self._guard_seen_s > GUARD_RECENT_S):
            return self._miss(target, ev.t_s, "no_guard")
        if not right_punch:
            # A wrong punch is a stray too: it counts towards the flail lock.
            out = self._miss(target, ev.t_s, "wrong_hand" if ev.hand != target.cue.hand else "wrong_punch")
            return out + self._note_stray(ev.t_s)
        if not ev.complete:
            return self._miss(target, ev.t_s, "half")
        grade = "perfect" if abs(dt) <= PERFECT_S * scale else ("early" if dt < 0 else "late")
        return self._hit(target, ev, grade)

    def _free_punch(self, ev: PunchEvent, st: RoundStats) -> list[GameEvent]:
        """Free scoring: a clean punch scores by power, streak and combination; any other breaks
        the streak and the combination, and says why (``why`` as a target miss would)."""
        why = None
        if ev.t_s < self._flail_until or any(0.0 < ev.t_s - w <= CLEAN_LEAD_IN_S
                                             for w in self._wild_times):
            why = "flail"
        elif self._has_seen_person and (self._guard_seen_s is None
                                        or ev.onset_s - self._guard_seen_s > GUARD_RECENT_S):
            why = "no_guard"
        elif not ev.complete:
            why = "half"
        if why is not None:
            out = self._close_chain(ev.t_s)
            self.streak = 0
            self._last_grade = "miss"
            return out + [self._event("unclean", ev.t_s, why=why, hand=ev.hand, kind=ev.kind)]
        out = []
        if self._chain and ev.t_s - self._chain[-1] > FREE_COMBO_GAP_S:
            out += self._close_chain(self._chain[-1] + FREE_COMBO_GAP_S)
        self._chain.append(ev.t_s)
        mult = self.multiplier  # earned by the clean punches before this one
        self.streak += 1
        self.best_streak = max(self.best_streak, self.streak)
        power = _power_points(ev.speed_mps)
        points = (FREE_BASE + power) * mult
        st.clean += 1
        self.score += points
        st.score += points
        self._last_grade = "clean"
        return out + [self._event("hit", ev.t_s, target=None, grade="clean", points=points,
                                  power=power, hand=ev.hand, kind=ev.kind)]

    def _close_chain(self, t: float) -> list[GameEvent]:
        """Free scoring: the combination in play ends; two or more clean punches earn its bonus."""
        n, self._chain = len(self._chain), []
        if n < 2 or self._phase != "round":
            return []
        bonus = 50 * n * self.multiplier
        st = self._stats[self._round]
        st.combos += 1
        st.combos_done += 1
        self.score += bonus
        st.score += bonus
        return [self._event("combo", t, combo=None, length=n, points=bonus)]

    def view(self) -> GameView:
        t = self._t
        targets = []
        for s in self._states[self._next:]:
            c = s.cue
            if c.t_s - t > SHOW_AHEAD_S:
                break
            if s.resolved:
                continue
            targets.append(TargetView(c.id, c.x_px, c.y_px, c.radius_px, round(c.t_s - t, 4), c.kind, c.hand,
                                      c.is_dodge, c.combo_pos, c.combo_len))
        combo = None
        if targets and not targets[0].is_dodge:
            cid = self.cues[targets[0].id].combo_id
            combo = (self._combo_hits.get(cid, 0), targets[0].combo_len)
        beat = 60.0 / self.difficulty.bpm
        phase = None
        if self._phase == "round" and not self.difficulty.is_free:  # the targets' beat grid starts a breath into the round
            phase = float(((t - _round_start(self.difficulty, self._round) - 1.0) / beat) % 1.0)
        return GameView(self._phase, self._round, self.difficulty.rounds, round(self._time_left(t), 3),
                        self.score, self.streak, self.multiplier, tuple(targets), self._last_grade,
                        t < self._flail_until, combo, round(beat, 6),
                        None if phase is None else round(phase, 4))

    @property
    def multiplier(self) -> int:
        """x1, then one more for every 4 hits in a row, up to x4."""
        return min(4, 1 + self.streak // 4)

    def round_stats(self) -> list[dict[str, Any]]:
        """Per-round figures (see :class:`RoundStats`), one dict per round of the session."""
        return [s.to_json(self.difficulty.round_s) for s in self._stats]

    def session_stats(self) -> dict[str, Any]:
        """Whole-session figures for the history screen and the leaderboard."""
        rounds = self._stats
        targets = sum(r.targets for r in rounds)
        hits = sum(r.hits for r in rounds)
        speeds = [v for r in rounds for v in r.speeds]
        return {
            "score": self.score,
            "punches": sum(r.punches for r in rounds),
            "hits": hits,
            "targets": targets,
            "accuracy_pct": round(100.0 * hits / targets, 1) if targets else None,
            "perfect": sum(r.perfect for r in rounds),
            "clean_punches": sum(r.clean for r in rounds),
            "scoring": self.difficulty.scoring,
            "best_combo": self.best_streak,
            "combos_completed": sum(r.combos_done for r in rounds),
            "dodges": sum(r.dodges_made for r in rounds),
            "peak_speed_mps": round(max(speeds), 2) if speeds else None,
            "mean_speed_mps": round(float(np.mean(speeds)), 2) if speeds else None,
        }

    # -- internals ---------------------------------------------------------------------------

    def _shift(self, frame: PoseFrame) -> PoseFrame:
        """The frame on the session clock (seconds since start), for the detector."""
        assert self._start_ms is not None
        if self._start_ms == 0.0:
            return frame
        return PoseFrame(frame.timestamp_ms - self._start_ms, frame.image_size, frame.landmarks_px,
                         frame.world_m, frame.index)

    def _event(self, type_: str, t: float, **data: Any) -> GameEvent:
        return GameEvent(type_, t, tuple(data.items()))

    def _time_left(self, t: float) -> float:
        d = self.difficulty
        if self._phase == "countdown":
            return COUNTDOWN_S - t
        if self._phase == "round":
            return _round_start(d, self._round) + d.round_s - t
        if self._phase == "rest":
            return _round_start(d, self._round + 1) - t
        return 0.0

    def _advance_phase(self, t: float) -> list[GameEvent]:
        d = self.difficulty
        out: list[GameEvent] = []
        while True:
            if self._phase == "countdown" and t >= COUNTDOWN_S:
                self._phase = "round"
                out.append(self._event("round_start", COUNTDOWN_S, round=1))
            elif self._phase == "round" and t >= _round_start(d, self._round) + d.round_s:
                end = _round_start(d, self._round) + d.round_s
                out += self._expire(end + MISS_AFTER_S * 10)  # everything in this round is due
                out += self._close_chain(min(end, self._chain[-1] + FREE_COMBO_GAP_S)
                                         if self._chain else end)
                # Strays still waiting for PAIR_S belong to the round just over: noted later they
                # would lock (and say "flail") in the rest or after the final bell.
                self._pending_strays.clear()
                out.append(self._event("round_end", end, round=self._round + 1,
                                       stats=self._stats[self._round].to_json(d.round_s)))
                if self._round + 1 >= d.rounds:
                    self._phase = "done"
                    out.append(self._event("game_over", end, score=self.score))
                else:
                    self._phase = "rest"
                    out.append(self._event("rest_start", end, seconds=d.rest_s))
            elif self._phase == "rest" and t >= _round_start(d, self._round + 1):
                self._round += 1
                self._phase = "round"
                out.append(self._event("round_start", _round_start(d, self._round), round=self._round + 1))
            else:
                return out

    def _open_target(self, ev: PunchEvent) -> _CueState | None:
        """The unresolved punch target whose window contains the punch: the earliest one it
        fits (hand and punch family) when windows overlap (a fast combination with forgiving
        windows), else the earliest."""
        reach = GOOD_S * self.difficulty.window_scale
        open_: list[_CueState] = []
        for s in self._states[self._next:]:
            c = s.cue
            if c.t_s - reach > ev.t_s:
                break
            if not s.resolved and not c.is_dodge and abs(ev.t_s - c.t_s) <= reach:
                open_.append(s)
        fits = [s for s in open_ if _fits(ev, s.cue)]
        if fits:
            return fits[0]
        return open_[0] if open_ else None

    def _note_stray(self, t: float) -> list[GameEvent]:
        self._wild_times.append(t)
        recent = [w for w in self._wild_times if t - w <= FLAIL_WINDOW_S]
        if len(recent) >= FLAIL_WILD_COUNT:
            if self._flail_until <= t:
                self._flail_from = t
            self._flail_until = max(self._flail_until, t + FLAIL_LOCK_S)
            return [self._event("flail", t, until=round(self._flail_until, 3))]
        return []

    def _resolve(self, s: _CueState, grade: str) -> RoundStats:
        """Mark a cue done; a combination counts as asked once its first punch is resolved."""
        s.resolved, s.grade = True, grade
        st = self._stats[s.cue.round_index]
        if s.cue.combo_len > 1 and s.cue.combo_pos == 0:
            st.combos += 1
        return st

    def _hit(self, s: _CueState, ev: PunchEvent, grade: str) -> list[GameEvent]:
        c = s.cue
        st = self._resolve(s, grade)
        st.targets += 1
        st.hits += 1
        st.perfect += grade == "perfect"
        mult = self.multiplier  # earned by the hits before this one
        self.streak += 1
        self.best_streak = max(self.best_streak, self.streak)
        base = 100 if grade == "perfect" else 60
        power = _power_points(ev.speed_mps)
        points = (base + power) * mult
        out = [self._event("hit", ev.t_s, target=c.id, grade=grade, points=points, power=power,
                           hand=ev.hand, kind=ev.kind, offset_ms=round((ev.t_s - c.t_s) * 1000))]
        hits = self._combo_hits.get(c.combo_id, 0) + 1
        self._combo_hits[c.combo_id] = hits
        if c.combo_len > 1 and hits == c.combo_len:
            bonus = 50 * c.combo_len * mult
            points += bonus
            st.combos_done += 1
            out.append(self._event("combo", ev.t_s, combo=c.combo_id, length=c.combo_len, points=bonus))
        self.score += points
        st.score += points
        self._last_grade = grade
        self._advance_next()
        return out

    def _miss(self, s: _CueState, t: float, why: str) -> list[GameEvent]:
        c = s.cue
        st = self._resolve(s, "miss")
        if c.is_dodge:
            st.dodges += 1
        else:
            st.targets += 1
            st.misses += 1
        self.streak = 0
        self._last_grade = "miss"
        self._advance_next()
        return [self._event("miss", t, target=c.id, why=why, kind=c.kind)]

    def _advance_next(self) -> None:
        while self._next < len(self._states) and self._states[self._next].resolved:
            self._next += 1

    def _expire(self, t: float) -> list[GameEvent]:
        out: list[GameEvent] = []
        late = MISS_AFTER_S * self.difficulty.window_scale
        for s in self._states[self._next:]:
            if s.cue.t_s + late > t:
                break
            if not s.resolved:
                out += self._miss(s, s.cue.t_s + late, "dodge_missed" if s.cue.is_dodge else "late")
        return out

    def _check_dodges(self, t: float) -> list[GameEvent]:
        """A slip moves the head sideways by half a shoulder width; a duck drops it by a quarter
        torso, at some moment inside the cue's window, with the guard kept up (a head thrown
        about by flailing arms is not a slip).

        The move is measured from where the head was just before the window (its median over
        ``DODGE_BASELINE_S``), not from the calibrated position: a player standing a step to the
        side of where they calibrated, or staying crouched, has not dodged anything."""
        out: list[GameEvent] = []
        cal = self.calibration
        reach = GOOD_S * self.difficulty.window_scale + 0.1
        for s in self._states[self._next:]:
            c = s.cue
            if c.t_s - reach > t:
                break
            if s.resolved or not c.is_dodge:
                continue
            before = [(hx, hy) for (ht, hx, hy, _g) in self._head
                      if c.t_s - reach - DODGE_BASELINE_S <= ht < c.t_s - reach]
            if not before:
                continue  # the head was not seen before the cue: nothing to measure a move from
            bx, by = (float(v) for v in np.median(np.array(before), axis=0))
            for (ht, hx, hy, guard_up) in self._head:
                if abs(ht - c.t_s) > reach or not guard_up or ht < self._flail_until:
                    continue
                dx = (hx - bx) / cal.shoulder_width_px
                dy = (hy - by) / cal.torso_px
                # Image x grows to the player's left (facing the camera): slip_left is +x.
                ok = (c.kind == "duck" and dy >= 0.25) or (c.kind == "slip_left" and dx >= 0.5) or (
                    c.kind == "slip_right" and dx <= -0.5)
                if ok:
                    st = self._resolve(s, "dodged")
                    st.dodges += 1
                    st.dodges_made += 1
                    points = 80 * self.multiplier
                    self.streak += 1
                    self.best_streak = max(self.best_streak, self.streak)
                    self.score += points
                    st.score += points
                    self._last_grade = "dodged"
                    out.append(self._event("dodge", ht, target=c.id, kind=c.kind, points=points))
                    break
        self._advance_next()
        return out


def _power_points(speed_mps: float) -> int:
    """Power: hand speed above a brisk 2 m/s earns up to 50 points (BlazePose world speed)."""
    return int(round(50 * float(np.clip((speed_mps - 2.0) / 4.0, 0.0, 1.0))))


def _fits(ev: PunchEvent, cue: Cue) -> bool:
    """The punch is what the cue asks: its hand, and its family (straight, hook, uppercut)."""
    return ev.hand == cue.hand and FAMILY[ev.kind] == FAMILY[cue.kind]


def run_session(frames: Sequence[PoseFrame], difficulty: Difficulty | int, seed: int,
                calibration: BodyCalibration) -> tuple[BoxingRound, list[GameEvent]]:
    """Play a whole recorded stream through a session (replays, tests, the leaderboard check)."""
    game = BoxingRound(difficulty, seed, calibration)
    events: list[GameEvent] = []
    for f in frames:
        events += game.update(f)
    return game, events
