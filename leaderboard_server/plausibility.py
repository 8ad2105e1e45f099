"""Plausibility checks: can the submitted telemetry explain the score, within human limits?

Pure functions over plain dicts (already schema-validated). They return the list of reasons a
submission is implausible; an empty list means it is accepted. The limits are data
(:class:`Limits`), generous on purpose: a fast, honest player must never be rejected, while a
forged "99999 punches in 10 s" always is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leaderboard_server.protocol import REP_MODES


@dataclass(frozen=True)
class RepLimits:
    """Human limits for one rep exercise."""

    #: Shortest full-range rep. Fast bodyweight squats take about 1 s per rep; 0.4 s leaves room
    #: for tracking jitter at the rep boundaries.
    min_rep_ms: int
    #: Highest sustained rate over a set (reps per minute).
    max_reps_per_min: float
    #: Peak body/"bar" velocity. Jump squats peak around 2.5-3.5 m/s; anything above is tracking
    #: noise or forgery.
    max_velocity_mps: float = 4.0


@dataclass(frozen=True)
class Limits:
    """All thresholds the checks use. Defaults are the production values."""

    #: Peak fist speed. Straight punches of elite boxers peak around 9-13 m/s in laboratory
    #: studies; 15 m/s is above any measured human punch.
    max_hand_speed_mps: float = 15.0
    #: Punches thrown per second, averaged over one round / over a whole session. Bag-drill
    #: bursts of fast amateurs reach 5-7 per second for a few seconds only.
    max_punches_per_s_round: float = 10.0
    max_punches_per_s_session: float = 6.0
    #: Ceiling of one landed punch's score, combo and power multipliers included. The game's
    #: rules (game/boxing/rules.py) give at most (100 + 50 power) x4 streak = 600 per hit plus a
    #: combo bonus of 200 per hit of a finished combo: 800; 1000 leaves room for tuning.
    max_points_per_punch: float = 1000.0
    #: Ceiling of one dodge's score (the game: 80 x4 streak = 320).
    max_points_per_dodge: float = 400.0
    rep_limits: Mapping[str, RepLimits] = field(
        default_factory=lambda: {
            "squat": RepLimits(min_rep_ms=400, max_reps_per_min=75.0),
            "pushup": RepLimits(min_rep_ms=350, max_reps_per_min=90.0),
            "lunge": RepLimits(min_rep_ms=500, max_reps_per_min=60.0),
        }
    )
    #: Tolerated clock difference between a game and the server.
    max_clock_skew_ms: int = 5 * 60 * 1000
    #: How long a submission may sit in an offline outbox and still count.
    max_age_ms: int = 365 * 24 * 3600 * 1000
    #: Slack for rounding and frame timing when comparing durations.
    duration_slack_ms: int = 2000


DEFAULT_LIMITS = Limits()


def check_submission(
    submission: Mapping[str, Any], exercise: str, now_ms: int, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """Reasons why ``submission`` is implausible for ``exercise`` (empty: plausible).

    ``exercise`` is the submission's mode, or a challenge's exercise for challenge submissions.
    """
    reasons: list[str] = []
    played_at_ms = int(submission["played_at_ms"])
    if played_at_ms < now_ms - limits.max_age_ms:
        reasons.append("the session is more than a year old")
    score = float(submission["score"])
    duration_ms = int(submission["duration_ms"])
    telemetry: Mapping[str, Any] = submission.get("telemetry") or {}
    if "duration_ms" in telemetry and abs(int(telemetry["duration_ms"]) - duration_ms) > max(
        limits.duration_slack_ms, duration_ms // 20
    ):
        reasons.append("telemetry duration does not match the session duration")
    if exercise == "boxing":
        reasons += _check_boxing(score, duration_ms, telemetry, limits)
    elif exercise in REP_MODES:
        reasons += _check_reps(score, duration_ms, telemetry, limits.rep_limits[exercise], limits)
    else:
        reasons.append(f"unknown exercise {exercise!r}")
    return reasons


def _check_boxing(score: float, duration_ms: int, tel: Mapping[str, Any], limits: Limits) -> list[str]:
    reasons: list[str] = []
    rounds = list(tel.get("rounds") or [])
    thrown = int(tel.get("punches_thrown", sum(int(r["punches_thrown"]) for r in rounds)))
    landed = int(tel.get("punches_landed", sum(int(r.get("punches_landed", r["punches_thrown"])) for r in rounds)))
    if score > 0 and "punches_thrown" not in tel and not rounds:
        return ["a boxing score needs its telemetry (punches_thrown or rounds)"]
    if landed > thrown:
        reasons.append("more punches landed than thrown")
    if rounds and sum(int(r["punches_thrown"]) for r in rounds) != thrown:
        reasons.append("punches_thrown does not equal the sum over rounds")
    duration_s = max(duration_ms, 1) / 1000.0
    if thrown / duration_s > limits.max_punches_per_s_session and thrown > 10:
        reasons.append(
            f"{thrown / duration_s:.1f} punches/s over the session is beyond human limits "
            f"(max {limits.max_punches_per_s_session:g})"
        )
    dodges = int(tel.get("dodges", sum(int(r.get("dodges", 0)) for r in rounds)))
    if score > landed * limits.max_points_per_punch + dodges * limits.max_points_per_dodge:
        reasons.append(f"score {score:g} is more than {landed} landed punches and {dodges} dodges can earn")
    round_ms = 0
    for i, rnd in enumerate(rounds):
        r_ms = int(rnd["duration_ms"])
        round_ms += r_ms
        r_thrown = int(rnd["punches_thrown"])
        if r_thrown > 10 and r_thrown / max(r_ms / 1000.0, 0.001) > limits.max_punches_per_s_round:
            reasons.append(f"round {i + 1}: {r_thrown} punches in {r_ms / 1000:.1f} s is beyond human limits")
        if int(rnd.get("punches_landed", 0)) > r_thrown:
            reasons.append(f"round {i + 1}: more punches landed than thrown")
        for key in ("peak_hand_speed_mps", "mean_hand_speed_mps"):
            if float(rnd.get(key, 0.0)) > limits.max_hand_speed_mps:
                reasons.append(f"round {i + 1}: hand speed {float(rnd[key]):.1f} m/s is beyond human limits")
    if round_ms > duration_ms + limits.duration_slack_ms:
        reasons.append("rounds last longer than the session")
    round_scores = [float(r["score"]) for r in rounds if "score" in r]
    if rounds and len(round_scores) == len(rounds) and score > sum(round_scores) + 1.0:
        reasons.append("score is higher than the sum of the round scores")
    if float(tel.get("peak_hand_speed_mps", 0.0)) > limits.max_hand_speed_mps:
        reasons.append(f"hand speed {float(tel['peak_hand_speed_mps']):.1f} m/s is beyond human limits")
    return reasons


def _check_reps(
    score: float, duration_ms: int, tel: Mapping[str, Any], rep: RepLimits, limits: Limits
) -> list[str]:
    reasons: list[str] = []
    if score != int(score):
        return ["a rep score is a whole number of reps"]
    count = int(score)
    reps = tel.get("reps")
    if count > 0 and reps is None:
        return ["a rep score needs its per-rep telemetry"]
    reps = list(reps or [])
    counted = [r for r in reps if r.get("counted", True)]
    if len(counted) != count:
        reasons.append(f"score says {count} reps but telemetry has {len(counted)} counted reps")
    minutes = max(duration_ms, 1) / 60000.0
    if count > 3 and count / minutes > rep.max_reps_per_min:
        reasons.append(
            f"{count / minutes:.0f} reps/min is beyond human limits (max {rep.max_reps_per_min:g})"
        )
    too_fast = [r for r in counted if int(r["duration_ms"]) < rep.min_rep_ms]
    if too_fast:
        reasons.append(f"{len(too_fast)} rep(s) faster than {rep.min_rep_ms} ms, the fastest full-range rep")
    fast_moves = [
        r for r in reps
        if max(float(r.get("peak_velocity_mps", 0.0)), float(r.get("mean_velocity_mps", 0.0))) > rep.max_velocity_mps
    ]
    if fast_moves:
        reasons.append(f"{len(fast_moves)} rep(s) faster than {rep.max_velocity_mps:g} m/s")
    if sum(int(r["duration_ms"]) for r in counted) > duration_ms + limits.duration_slack_ms:
        reasons.append("reps last longer than the session")
    return reasons


def check_progress(
    exercise: str, score: float, elapsed_ms: int, since_start_ms: int, limits: Limits = DEFAULT_LIMITS
) -> list[str]:
    """Reasons why a live challenge progress report is implausible (empty: plausible).

    ``since_start_ms`` is the server-measured time since the challenge started.
    """
    if elapsed_ms > since_start_ms + limits.max_clock_skew_ms // 10:
        return ["more time elapsed than since the challenge started"]
    seconds = max(since_start_ms, elapsed_ms, 1000) / 1000.0
    if exercise == "boxing":
        ceiling = (seconds * limits.max_punches_per_s_round + 10) * limits.max_points_per_punch
        if score > ceiling:
            return [f"score {score:g} after {seconds:.0f} s is beyond human limits"]
        return []
    rep = limits.rep_limits.get(exercise)
    if rep is None:
        return [f"unknown exercise {exercise!r}"]
    if score != int(score):
        return ["a rep score is a whole number of reps"]
    if score > seconds * rep.max_reps_per_min / 60.0 + 3:
        return [f"{score:g} reps after {seconds:.0f} s is beyond human limits"]
    return []
