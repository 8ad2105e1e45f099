"""Today's session, built by a pure function from readiness, recent load and a coach override.

Normal readiness trains intervals; high readiness adds a round and pace; low readiness replaces
intervals with steady, low-intensity shadowboxing plus mobility and cuts volume (the amount is
computed and stated); very low readiness on top of a training-load spike becomes a mobility-only
day. While readiness is still learning the baseline, nothing adapts. A coach override always
wins and the plan says so.

The boxing block is plain numbers (bpm, targets per beat, combo length, timing-window scale,
rounds) so the game maps them onto its own difficulty settings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from ringside_protocol import BOXING_MODE, DEFAULT_REP_MODE

PRESETS = ("rest", "easy", "normal", "hard")
#: The plan's JSON key of its shadowboxing block (the ``boxing`` field). A key of the saved plan
#: (sessions keep it, coach overrides show it), not the exercise's wire name (``BOXING_MODE``),
#: though the two are spelt alike.
BOXING_BLOCK_KEY = "boxing"

#: Coach adjustments: plan field -> (min, max). Anything else is refused with a clear message.
ADJUSTABLE: dict[str, tuple[float, float]] = {
    "rounds": (0, 15),
    "round_s": (30, 300),
    "rest_s": (15, 180),
    "bpm": (60, 200),
    "density": (0.1, 1.0),
    "combo_max_len": (1, 8),
    "window_scale": (0.5, 2.0),
    "squat_sets": (0, 10),
    "squat_reps": (1, 30),
    "mobility_min": (0, 60),
}


@dataclass(frozen=True)
class CoachOverride:
    """A coach's decision for one day. ``preset`` picks a whole plan; ``adjustments`` then set
    individual fields (see :data:`ADJUSTABLE`). ``origin`` is "local" or "server"."""

    day: date
    coach: str
    preset: str | None = None
    adjustments: tuple[tuple[str, float], ...] = ()
    note: str = ""
    origin: str = "local"
    created_utc: datetime | None = None


@dataclass(frozen=True)
class BoxingBlock:
    """Shadowboxing rounds. ``style`` is "intervals" (work rounds at pace) or "steady"
    (continuous easy rhythm) or "none". ``density_targets_per_beat``: 0.5 = a target every
    other beat. ``window_scale``: >1 widens the timing window (more forgiving)."""

    style: str
    rounds: int
    round_s: int
    rest_s: int
    bpm: int
    density_targets_per_beat: float
    combo_max_len: int
    window_scale: float

    @property
    def work_s(self) -> int:
        return self.rounds * self.round_s

    def to_json(self) -> dict[str, object]:
        """The block as the plan's JSON holds it (under :data:`BOXING_BLOCK_KEY`)."""
        return {
            "style": self.style, "rounds": self.rounds, "round_s": self.round_s,
            "rest_s": self.rest_s, "bpm": self.bpm,
            "density_targets_per_beat": self.density_targets_per_beat,
            "combo_max_len": self.combo_max_len, "window_scale": self.window_scale,
        }


@dataclass(frozen=True)
class SquatBlock:
    """Squat sets. A set also ends early when velocity loss passes ``stop_velocity_loss_pct``
    (velocity-based training: 20 % for normal work, 10 % on recovery days; Pareja-Blanco 2017)."""

    sets: int
    reps: int
    rest_s: int
    stop_velocity_loss_pct: int

    @property
    def work_s(self) -> int:
        return self.sets * self.reps * SECONDS_PER_REP


SECONDS_PER_REP = 4  # 2 s down, ~2 s up at a controlled tempo


@dataclass(frozen=True)
class TrainingLoad:
    """Session-RPE load (minutes x RPE, Foster 2001): the last 7 days and the 28-day weekly mean."""

    acute_au: float
    chronic_weekly_au: float

    @property
    def ratio(self) -> float | None:
        """Acute:chronic workload ratio; None until there is a chronic figure."""
        return None if self.chronic_weekly_au <= 0 else self.acute_au / self.chronic_weekly_au


@dataclass(frozen=True)
class Plan:
    day: date
    readiness_state: str
    intensity: str
    boxing: BoxingBlock
    squats: SquatBlock
    mobility_min: int
    volume_change_pct: int
    reason: str
    is_override: bool = False
    override_by: str | None = None
    override_note: str | None = None
    override_origin: str | None = None

    @property
    def total_min(self) -> int:
        box = self.boxing.rounds * self.boxing.round_s + max(0, self.boxing.rounds - 1) * self.boxing.rest_s
        sq = self.squats.work_s + max(0, self.squats.sets - 1) * self.squats.rest_s
        return math.ceil((box + sq) / 60) + self.mobility_min

    def to_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "readiness_state": self.readiness_state,
            "intensity": self.intensity,
            BOXING_BLOCK_KEY: self.boxing.to_json(),
            "squats": {
                "sets": self.squats.sets, "reps": self.squats.reps, "rest_s": self.squats.rest_s,
                "stop_velocity_loss_pct": self.squats.stop_velocity_loss_pct,
            },
            "mobility_min": self.mobility_min,
            "volume_change_pct": self.volume_change_pct,
            "total_min": self.total_min,
            "reason": self.reason,
            "is_override": self.is_override,
            "override_by": self.override_by,
            "override_note": self.override_note,
            "override_origin": self.override_origin,
        }


@dataclass(frozen=True)
class PlanOptions:
    """The standard session and how far each adaptation goes.

    ``low_volume_factor`` 0.6: a 40 % cut on low days, inside the 30-50 % deload range used in
    HRV-guided training studies (Vesterinen 2016; Javaloyes 2019 cut to low intensity on red days).
    ``spike_ratio`` 1.5: acute:chronic above it is the "danger zone" (Gabbett 2016).
    """

    normal_boxing: BoxingBlock = BoxingBlock("intervals", 6, 180, 60, 120, 0.5, 4, 1.0)
    normal_squats: SquatBlock = SquatBlock(4, 10, 90, 20)
    normal_mobility_min: int = 5
    low_volume_factor: float = 0.6
    high_volume_factor: float = 1.15
    spike_ratio: float = 1.5
    spike_volume_factor: float = 0.8


def session_load_au(duration_s: float, rpe: float) -> float:
    """Session-RPE training load (Foster 2001): minutes x RPE (0-10)."""
    return max(0.0, duration_s) / 60.0 * max(0.0, min(10.0, rpe))


def training_load(daily: Iterable[tuple[date, float]], today: date) -> TrainingLoad:
    """Acute (last 7 days incl. today) and chronic (28-day total / 4) load from (day, load) pairs."""
    acute = chronic = 0.0
    for d, load in daily:
        age = (today - d).days
        if 0 <= age < 7:
            acute += load
        if 0 <= age < 28:
            chronic += load
    return TrainingLoad(acute, chronic / 4.0)


def _preset(name: str, o: PlanOptions) -> tuple[BoxingBlock, SquatBlock, int]:
    nb, ns = o.normal_boxing, o.normal_squats
    if name == "hard":
        return (
            replace(nb, rounds=max(1, round(nb.rounds * o.high_volume_factor)), bpm=nb.bpm + 8,
                    density_targets_per_beat=min(1.0, nb.density_targets_per_beat + 0.1),
                    combo_max_len=nb.combo_max_len + 1, window_scale=0.9),
            replace(ns, sets=max(1, round(ns.sets * o.high_volume_factor)) + 0, reps=ns.reps + 2),
            o.normal_mobility_min,
        )
    if name == "easy":
        return (
            BoxingBlock("steady", max(1, round(nb.rounds * o.low_volume_factor)), nb.round_s, nb.rest_s,
                        nb.bpm - 20, round(nb.density_targets_per_beat * 0.66, 2), 2, 1.25),
            replace(ns, sets=max(1, math.floor(ns.sets * o.low_volume_factor)),
                    reps=max(1, math.floor(ns.reps * 0.8)), stop_velocity_loss_pct=10),
            15,
        )
    if name == "rest":
        return BoxingBlock("none", 0, nb.round_s, nb.rest_s, nb.bpm - 30, 0.25, 1, 1.5), replace(ns, sets=0, reps=ns.reps), 20
    return nb, ns, o.normal_mobility_min


def _volume_s(boxing: BoxingBlock, squats: SquatBlock) -> int:
    return boxing.work_s + squats.work_s


def build_plan(
    day: date,
    state: str,
    readiness_text: str,
    load: TrainingLoad,
    override: CoachOverride | None = None,
    options: PlanOptions = PlanOptions(),
) -> Plan:
    """Today's plan. ``state`` is the readiness state ("learning", "normal", "low", "high");
    ``readiness_text`` is its explanation, quoted in the plan's reason."""
    normal_volume = _volume_s(options.normal_boxing, options.normal_squats)
    ratio = load.ratio
    spike = ratio is not None and ratio > options.spike_ratio
    if state == "low":
        preset = "rest" if spike else "easy"
    elif state == "high" and not spike:
        preset = "hard"
    else:
        preset = "normal"
    boxing, squats, mobility = _preset(preset, options)
    notes: list[str] = []
    if state == "learning":
        notes.append(readiness_text)
    else:
        notes.append(readiness_text)
        if preset == "easy":
            notes.append(f"Steady shadowboxing at {boxing.bpm} BPM replaces intervals, plus {mobility} min of mobility.")
        elif preset == "rest":
            notes.append(f"Your training load spiked too (last 7 days {load.acute_au:.0f} vs a usual "
                         f"{load.chronic_weekly_au:.0f} a week): mobility only today.")
        elif preset == "hard":
            notes.append("You are well recovered: one more round, a faster tempo and longer combos.")
        if spike and preset in ("normal",) and state != "learning":
            boxing = replace(boxing, rounds=max(1, round(boxing.rounds * options.spike_volume_factor)))
            squats = replace(squats, sets=max(1, round(squats.sets * options.spike_volume_factor)))
            notes.append(f"Training load spiked (last 7 days {load.acute_au:.0f} vs a usual "
                         f"{load.chronic_weekly_au:.0f} a week, ratio {ratio:.1f}): volume trimmed.")
    intensity = {"hard": "hard", "normal": "normal", "easy": "easy", "rest": "rest"}[preset]
    change = round(100 * (_volume_s(boxing, squats) - normal_volume) / normal_volume)
    if change < 0:
        notes.append(f"Volume cut by {-change} % against your standard session.")
    elif change > 0:
        notes.append(f"Volume up {change} % against your standard session.")
    plan = Plan(day, state, intensity, boxing, squats, mobility, change, " ".join(notes))
    if override is None or override.day != day:
        return plan
    return apply_override(plan, override, options)


def apply_override(plan: Plan, override: CoachOverride, options: PlanOptions = PlanOptions()) -> Plan:
    """The coach's plan wins. Unknown or out-of-range adjustments raise ValueError."""
    boxing, squats, mobility = plan.boxing, plan.squats, plan.mobility_min
    intensity = plan.intensity
    if override.preset is not None:
        if override.preset not in PRESETS:
            raise ValueError(f"unknown preset {override.preset!r}; use one of {', '.join(PRESETS)}")
        boxing, squats, mobility = _preset(override.preset, options)
        intensity = override.preset
    for name, value in override.adjustments:
        validate_adjustment(name, value)
        if name == "density":
            boxing = replace(boxing, density_targets_per_beat=float(value))
        elif name == "window_scale":
            boxing = replace(boxing, window_scale=float(value))
        elif name in ("rounds", "round_s", "rest_s", "bpm", "combo_max_len"):
            whole: dict[str, Any] = {name: int(value)}  # one of the int fields named above
            boxing = replace(boxing, **whole)
        elif name == "squat_sets":
            squats = replace(squats, sets=int(value))
        elif name == "squat_reps":
            squats = replace(squats, reps=int(value))
        elif name == "mobility_min":
            mobility = int(value)
    if boxing.rounds == 0:
        boxing = replace(boxing, style="none")
    elif boxing.style == "none":
        boxing = replace(boxing, style="steady")
    normal_volume = _volume_s(options.normal_boxing, options.normal_squats)
    change = round(100 * (_volume_s(boxing, squats) - normal_volume) / normal_volume)
    what = f"preset '{override.preset}'" if override.preset else "custom plan"
    where = "from the leaderboard server" if override.origin == "server" else "set on this machine"
    reason = f"Coach override by {override.coach} ({what}, {where})"
    reason += f": {override.note}." if override.note else "."
    reason += f" Readiness alone would have given: {plan.reason}"
    return Plan(plan.day, plan.readiness_state, intensity, boxing, squats, mobility, change, reason,
                True, override.coach, override.note or None, override.origin)


_SERVER_INTENSITY = {"rest": "rest", "low": "easy", "moderate": "normal", "high": "hard"}
_SERVER_DIFFICULTY = {"easy": "easy", "normal": "normal", "hard": "hard", "expert": "hard"}


def override_from_server(payload: Mapping[str, Any], day: date, *, now_ms: int,
                         options: PlanOptions = PlanOptions()) -> CoachOverride | None:
    """Map the leaderboard server's override (``game.net.override.latest_coach_override``) onto a
    :class:`CoachOverride` for ``day``. Untrusted input: unknown keys and bad values are ignored,
    numbers are clamped to :data:`ADJUSTABLE`; an expired override gives None.

    ``rest_day`` -> preset rest; ``intensity`` rest/low/moderate/high -> rest/easy/normal/hard
    (else ``difficulty`` easy/normal/hard/expert); ``volume_pct`` scales rounds and squat sets of
    that preset; ``max_rounds`` caps rounds; ``round_length_s`` -> round_s; ``target_reps`` ->
    squat reps per set; ``exercises`` without shadowboxing or the strength exercise drops that block.
    """
    plan = payload.get("plan")
    if not isinstance(plan, Mapping):
        return None
    expires = plan.get("expires_at_ms")
    if isinstance(expires, int) and not isinstance(expires, bool) and now_ms >= expires:
        return None
    preset = "normal"
    intensity, difficulty = plan.get("intensity"), plan.get("difficulty")
    if plan.get("rest_day") is True:
        preset = "rest"
    elif isinstance(intensity, str) and intensity in _SERVER_INTENSITY:
        preset = _SERVER_INTENSITY[intensity]
    elif isinstance(difficulty, str) and difficulty in _SERVER_DIFFICULTY:
        preset = _SERVER_DIFFICULTY[difficulty]
    boxing, squats, _ = _preset(preset, options)
    adj: dict[str, float] = {}

    def number(key: str) -> float | None:
        v = plan.get(key)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            return None
        return float(v)

    rounds, sets = float(boxing.rounds), float(squats.sets)
    pct = number("volume_pct")
    if pct is not None:
        rounds, sets = round(rounds * pct / 100.0), round(sets * pct / 100.0)
    cap = number("max_rounds")
    if cap is not None:
        rounds = min(rounds, cap)
    exercises = plan.get("exercises")
    if isinstance(exercises, (list, tuple)):
        # The plan's two blocks by their wire names (ringside_protocol/exercises.py): shadowboxing
        # and the strength sets (the first rep exercise).
        if BOXING_MODE not in exercises:
            rounds = 0
        if DEFAULT_REP_MODE not in exercises:
            sets = 0
    if rounds != boxing.rounds:
        adj["rounds"] = rounds
    if sets != squats.sets:
        adj["squat_sets"] = sets
    length = number("round_length_s")
    if length is not None:
        adj["round_s"] = length
    reps = number("target_reps")
    if reps is not None and reps > 0:
        adj["squat_reps"] = reps
    clamped = tuple(sorted((k, _clamp(k, v)) for k, v in adj.items()))
    coach = payload.get("coach")
    note = payload.get("note")
    return CoachOverride(day=day, coach=str(coach)[:80] if coach else "your coach", preset=preset,
                         adjustments=clamped, note=str(note)[:500] if note else "", origin="server")


def _clamp(name: str, value: float) -> float:
    lo, hi = ADJUSTABLE[name]
    return float(min(hi, max(lo, round(value))))


def validate_adjustment(name: str, value: float) -> None:
    if name not in ADJUSTABLE:
        raise ValueError(f"cannot adjust {name!r}; adjustable fields: {', '.join(ADJUSTABLE)}")
    lo, hi = ADJUSTABLE[name]
    if not (lo <= value <= hi) or math.isnan(value):
        raise ValueError(f"{name} must be between {lo:g} and {hi:g}, got {value:g}")

