"""Plausibility checks: can the submitted telemetry explain the score, within human limits?

Pure functions over plain dicts (already schema-validated). Every human limit is one row of
:data:`HUMAN_LIMITS`, with its source; docs/PROTOCOL.md shows the same table. Every count in the
telemetry is bounded by the time it happened in: per second of the session, and per second of
each round (a shorter, faster burst). The limits are generous on purpose: a fast, honest player
must never be rejected, while a forged "25,000 dodges in 60 s" or "10 punches in 0 ms" always is.

Counting events in a span of time: ``n`` events at least ``1/rate`` apart fit in ``T`` seconds
only if ``(n - 1) / rate <= T``, so the most a span can hold is ``floor(rate * T) + 1`` (one event
at each end). A 0 ms session therefore holds at most one punch, dodge or rep, never ten.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ringside_protocol import EXERCISES, POINTS_MODES, REP_MODES


@dataclass(frozen=True)
class Bound:
    """One human limit. ``per_s``/``per_s_round``: most events per second over a whole session /
    over one round; ``max``/``min``: ceiling/floor of a single value."""

    figure: str
    unit: str
    source: str
    per_s: float | None = None
    per_s_round: float | None = None
    max: float | None = None
    min: float | None = None


#: Every human limit the server applies, by rule id (the id is sent in ``checks`` of an
#: ``implausible`` reply). Per-session ceilings follow from ``per_s`` and the longest session the
#: protocol allows (4 h).
HUMAN_LIMITS: Mapping[str, Bound] = {
    "punches.rate": Bound(
        "punches_thrown", "punches/s", per_s=6.0, per_s_round=10.0,
        source="bag-drill bursts of fast amateurs reach 5-7 punches/s for a few seconds only; the game "
               "asks at most one target per beat (180 bpm = 3/s)"),
    "dodges.rate": Bound(
        "dodges", "dodges/s", per_s=1.5, per_s_round=1.5,
        source="the game cues a dodge at most every 2 beats (180 bpm = 1.5/s, game/boxing/rules.py); a "
               "slip or duck and the return to guard take about 0.6 s"),
    "hand_speed": Bound(
        "peak_hand_speed_mps, mean_hand_speed_mps", "m/s", max=15.0,
        source="straight punches of elite boxers peak at 9-13 m/s in laboratory studies; 15 m/s is above "
               "any measured human punch"),
    "points.per_punch": Bound(
        "score per landed punch", "points", max=1000.0,
        source="game rules: (100 + 50 power) x4 streak = 600 per hit plus 200 combo bonus = 800"),
    "points.per_dodge": Bound(
        "score per dodge", "points", max=400.0, source="game rules: 80 x4 streak = 320 per dodge"),
    "rep_velocity": Bound(
        "peak_velocity_mps, mean_velocity_mps of a rep", "m/s", max=4.0,
        source="jump squats peak around 2.5-3.5 m/s (velocity-based training studies)"),
    # Per rep exercise, from the shared exercise table (ringside_protocol/exercises.py).
    **{rule: bound for m in EXERCISES if m.limits is not None for rule, bound in (
        (f"{m.name}.rate", Bound(f"counted {m.title.lower()}", "reps/s", per_s=m.limits.max_per_min / 60,
                                 source=m.limits.rate_source)),
        (f"{m.name}.rep_ms", Bound(f"duration of a counted rep ({m.title.lower()})", "ms",
                                   min=m.limits.min_rep_ms, source=m.limits.rep_ms_source)),
    )},
}


class Violation(NamedTuple):
    """One failed check: the rule id (a :data:`HUMAN_LIMITS` key or a consistency rule) and the
    sentence shown to the player and the coach."""

    rule: str
    text: str


@dataclass(frozen=True)
class Limits:
    """The table plus the server's own tolerances. Defaults are the production values."""

    human: Mapping[str, Bound] = field(default_factory=lambda: HUMAN_LIMITS)
    #: Tolerated clock difference between a game and the server.
    max_clock_skew_ms: int = 5 * 60 * 1000
    #: How long a submission may sit in an offline outbox and still count.
    max_age_ms: int = 365 * 24 * 3600 * 1000
    #: Slack when comparing two measures of the same time (session vs rounds, reps, telemetry):
    #: the larger of this and ``duration_slack_frac`` of the session (frame timing, rounding).
    duration_slack_ms: int = 500
    duration_slack_frac: float = 0.05

    def rate(self, rule: str) -> float:
        value = self.human[rule].per_s
        assert value is not None, rule
        return value

    def ceiling(self, rule: str) -> float:
        value = self.human[rule].max
        assert value is not None, rule
        return value

    def slack_ms(self, duration_ms: int) -> int:
        return max(self.duration_slack_ms, int(duration_ms * self.duration_slack_frac))


DEFAULT_LIMITS = Limits()


def most_events(per_s: float, duration_ms: int) -> int:
    """The most events at a sustained ``per_s`` that fit in ``duration_ms`` (see the module doc)."""
    return math.floor(per_s * max(duration_ms, 0) / 1000.0 + 1e-9) + 1


def _count_fits(rule: str, what: str, count: int, duration_ms: int, per_s: float | None) -> list[Violation]:
    if per_s is None or count <= most_events(per_s, duration_ms):
        return []
    return [Violation(rule, f"{count} {what} in {duration_ms / 1000:.1f} s is beyond human limits "
                            f"(at most {per_s:.3g} {what.split()[-1]}/s: {most_events(per_s, duration_ms)})")]


def violations(
    submission: Mapping[str, Any], exercise: str, now_ms: int, limits: Limits = DEFAULT_LIMITS
) -> list[Violation]:
    """Every reason ``submission`` is implausible for ``exercise`` (empty: plausible).

    ``exercise`` is the submission's mode, or a challenge's exercise for challenge submissions.
    """
    found: list[Violation] = []
    if int(submission["played_at_ms"]) < now_ms - limits.max_age_ms:
        found.append(Violation("age", "the session is more than a year old"))
    score = float(submission["score"])
    duration_ms = int(submission["duration_ms"])
    telemetry: Mapping[str, Any] = submission.get("telemetry") or {}
    if "duration_ms" in telemetry and abs(int(telemetry["duration_ms"]) - duration_ms) > limits.slack_ms(duration_ms):
        found.append(Violation("duration", "telemetry duration does not match the session duration"))
    if exercise in POINTS_MODES:
        found += _check_boxing(score, duration_ms, telemetry, limits)
    elif exercise in REP_MODES:
        found += _check_reps(exercise, score, duration_ms, telemetry, limits)
    else:
        found.append(Violation("exercise", f"unknown exercise {exercise!r}"))
    return found


def check_submission(
    submission: Mapping[str, Any], exercise: str, now_ms: int, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """The sentences of :func:`violations` (empty: plausible)."""
    return [v.text for v in violations(submission, exercise, now_ms, limits)]


def _check_boxing(score: float, duration_ms: int, tel: Mapping[str, Any], limits: Limits) -> list[Violation]:
    found: list[Violation] = []
    rounds = list(tel.get("rounds") or [])
    thrown = int(tel.get("punches_thrown", sum(int(r["punches_thrown"]) for r in rounds)))
    landed = int(tel.get("punches_landed", sum(int(r.get("punches_landed", r["punches_thrown"])) for r in rounds)))
    dodges = int(tel.get("dodges", sum(int(r.get("dodges", 0)) for r in rounds)))
    if score > 0 and "punches_thrown" not in tel and not rounds:
        return [Violation("telemetry", "a boxing score needs its telemetry (punches_thrown or rounds)")]
    if landed > thrown:
        found.append(Violation("landed", "more punches landed than thrown"))
    if rounds and sum(int(r["punches_thrown"]) for r in rounds) != thrown:
        found.append(Violation("rounds.sum", "punches_thrown does not equal the sum over rounds"))
    if rounds and "dodges" in tel and sum(int(r.get("dodges", 0)) for r in rounds) > dodges:
        found.append(Violation("rounds.sum", "the rounds hold more dodges than the session"))
    punches, dodge_rule = limits.human["punches.rate"], limits.human["dodges.rate"]
    found += _count_fits("punches.rate", "punches", thrown, duration_ms, punches.per_s)
    found += _count_fits("dodges.rate", "dodges", dodges, duration_ms, dodge_rule.per_s)
    if int(tel.get("max_combo", 0)) > thrown:
        found.append(Violation("combo", "a combo longer than the punches thrown"))
    per_punch, per_dodge = limits.ceiling("points.per_punch"), limits.ceiling("points.per_dodge")
    most = landed * per_punch + dodges * per_dodge
    if score > most:
        found.append(Violation("points.per_punch",
                               f"score {score:g} is more than {landed} landed punches and {dodges} dodges can earn"))
    round_ms = 0
    hand_max = limits.ceiling("hand_speed")
    for i, rnd in enumerate(rounds):
        r_ms = int(rnd["duration_ms"])
        round_ms += r_ms
        r_thrown = int(rnd["punches_thrown"])
        found += [Violation(v.rule, f"round {i + 1}: {v.text}")
                  for v in _count_fits("punches.rate", "punches", r_thrown, r_ms, punches.per_s_round)
                  + _count_fits("dodges.rate", "dodges", int(rnd.get("dodges", 0)), r_ms, dodge_rule.per_s_round)]
        if int(rnd.get("punches_landed", 0)) > r_thrown:
            found.append(Violation("landed", f"round {i + 1}: more punches landed than thrown"))
        if int(rnd.get("max_combo", 0)) > r_thrown:
            found.append(Violation("combo", f"round {i + 1}: a combo longer than the punches thrown"))
        r_landed, r_dodges = int(rnd.get("punches_landed", r_thrown)), int(rnd.get("dodges", 0))
        if float(rnd.get("score", 0.0)) > r_landed * per_punch + r_dodges * per_dodge:
            found.append(Violation("points.per_punch", f"round {i + 1}: score {float(rnd['score']):g} is more than "
                                                       f"{r_landed} landed punches and {r_dodges} dodges can earn"))
        for key in ("peak_hand_speed_mps", "mean_hand_speed_mps"):
            if float(rnd.get(key, 0.0)) > hand_max:
                found.append(Violation("hand_speed",
                                       f"round {i + 1}: hand speed {float(rnd[key]):.1f} m/s is beyond human limits"))
    if round_ms > duration_ms + limits.slack_ms(duration_ms):
        found.append(Violation("duration", "rounds last longer than the session"))
    round_scores = [float(r["score"]) for r in rounds if "score" in r]
    if rounds and len(round_scores) == len(rounds) and score > sum(round_scores) + 1.0:
        found.append(Violation("score.rounds", "score is higher than the sum of the round scores"))
    if float(tel.get("peak_hand_speed_mps", 0.0)) > hand_max:
        found.append(Violation("hand_speed",
                               f"hand speed {float(tel['peak_hand_speed_mps']):.1f} m/s is beyond human limits"))
    return found


def _check_reps(exercise: str, score: float, duration_ms: int, tel: Mapping[str, Any],
                limits: Limits) -> list[Violation]:
    found: list[Violation] = []
    if score != int(score):
        return [Violation("score.whole", "a rep score is a whole number of reps")]
    count = int(score)
    reps = tel.get("reps")
    if count > 0 and reps is None:
        return [Violation("telemetry", "a rep score needs its per-rep telemetry")]
    reps = list(reps or [])
    counted = [r for r in reps if r.get("counted", True)]
    if len(counted) != count:
        found.append(Violation("score.reps", f"score says {count} reps but telemetry has {len(counted)} counted reps"))
    rate_rule = f"{exercise}.rate"
    per_s = limits.rate(rate_rule)
    found += _count_fits(rate_rule, "reps", count, duration_ms, per_s)
    # Shallow reps take time too: every rep listed, and the attempts the game counted.
    attempted = max(len(reps), int(tel.get("reps_attempted", 0)))
    if attempted > count:
        found += _count_fits(rate_rule, "attempted reps", attempted, duration_ms, per_s)
    min_ms = limits.human[f"{exercise}.rep_ms"].min
    assert min_ms is not None
    too_fast = [r for r in counted if int(r["duration_ms"]) < min_ms]
    if too_fast:
        found.append(Violation(f"{exercise}.rep_ms",
                               f"{len(too_fast)} rep(s) faster than {min_ms:g} ms, the fastest full-range rep"))
    v_max = limits.ceiling("rep_velocity")
    fast_moves = [r for r in reps
                  if max(float(r.get("peak_velocity_mps", 0.0)), float(r.get("mean_velocity_mps", 0.0))) > v_max]
    if fast_moves:
        found.append(Violation("rep_velocity", f"{len(fast_moves)} rep(s) faster than {v_max:g} m/s"))
    slack = limits.slack_ms(duration_ms)
    if sum(int(r["duration_ms"]) for r in reps) > duration_ms + slack:
        found.append(Violation("duration", "reps last longer than the session"))
    if any(int(r.get("t_ms", 0)) > duration_ms + slack for r in reps):
        found.append(Violation("duration", "a rep ends after the session"))
    return found


def check_progress(
    exercise: str, score: float, elapsed_ms: int, since_start_ms: int, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """Reasons why a live challenge progress report is implausible (empty: plausible).

    ``since_start_ms`` is the server-measured time since the challenge started; the score is
    bounded by the same table over that time.
    """
    if elapsed_ms > since_start_ms + limits.max_clock_skew_ms // 10:
        return ["more time elapsed than since the challenge started"]
    span_ms = max(since_start_ms, elapsed_ms, 0)
    seconds = span_ms / 1000.0
    if exercise in POINTS_MODES:
        # The best a player can do: land every punch at the round rate, every dodge too.
        ceiling = (most_events(limits.human["punches.rate"].per_s_round or 0.0, span_ms)
                   * limits.ceiling("points.per_punch")
                   + most_events(limits.human["dodges.rate"].per_s_round or 0.0, span_ms)
                   * limits.ceiling("points.per_dodge"))
        if score > ceiling:
            return [f"score {score:g} after {seconds:.0f} s is beyond human limits"]
        return []
    if exercise not in REP_MODES:
        return [f"unknown exercise {exercise!r}"]
    if score != int(score):
        return ["a rep score is a whole number of reps"]
    if score > most_events(limits.rate(f"{exercise}.rate"), span_ms):
        return [f"{score:g} reps after {seconds:.0f} s is beyond human limits"]
    return []
