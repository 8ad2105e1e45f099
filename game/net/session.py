"""Turn a finished game session (:class:`~game.session_result.SessionResult`) into a leaderboard
submission.

The result holds what the session measured in the game's own words (``stats``, ``per_round`` for
boxing, the typed ``reps`` for rep exercises); the server's protocol wants the telemetry that
explains the score (punches and rounds, per-rep durations and metrics) so it can check
plausibility and show it to the coach. This mapping lives here, in one place
(:func:`submission_for`), so both sides can change independently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from game.net.outbox import make_submission
from game.session_result import SessionResult
from ringside_protocol import BOXING_MODE, CHALLENGE_MODE, REP_MODES

_SCALAR = (int, float, bool, str, type(None))
_REP_MODES = REP_MODES


def _scalar(value: Any) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return isinstance(value, _SCALAR) and not (isinstance(value, str) and len(value) > 60)


def _metric_name(key: str) -> str:
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in key.lower())[:40]
    return name if name[:1].isalpha() else f"m_{name}"[:40]


def _extras(source: Mapping[str, Any], skip: set[str], limit: int) -> dict[str, Any]:
    """Scalar metrics under protocol-safe names (lists and maps are left out: no blobs)."""
    out: dict[str, Any] = {}
    for key, value in source.items():
        if key in skip or not _scalar(value) or len(out) >= limit:
            continue
        out[_metric_name(str(key))] = value
    return out


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _boxing_telemetry(result: SessionResult, duration_ms: int) -> dict[str, Any]:
    stats = result.stats
    round_s = _num((result.difficulty or {}).get("round_s"))
    rounds = []
    for i, r in enumerate(result.per_round):
        item: dict[str, Any] = {"index": i, "duration_ms": int((round_s or 0) * 1000),
                                "punches_thrown": int(r.get("punches") or 0),
                                "punches_landed": min(int(r.get("hits") or 0), int(r.get("punches") or 0)),
                                "score": max(0.0, float(r.get("score") or 0)),
                                "dodges": int(r.get("dodges_made") or 0)}
        for src, dst in (("peak_speed_mps", "peak_hand_speed_mps"), ("mean_speed_mps", "mean_hand_speed_mps")):
            v = _num(r.get(src))
            if v is not None:
                item[dst] = max(0.0, v)
        acc = _num(r.get("accuracy"))
        if acc is not None:
            item["accuracy"] = min(1.0, max(0.0, acc))
        # The round's "dodges" are the dodge cues it asked; "dodges_made" (above) the dodges done.
        item.update(_extras(r, {"punches", "hits", "score", "dodges", "dodges_made", "peak_speed_mps",
                                "mean_speed_mps", "accuracy", "index", "duration_ms"}, 40 - len(item)))
        rounds.append(item)
    if rounds and round_s is None:
        # Unknown round length: share the session's time among the rounds.
        for item in rounds:
            item["duration_ms"] = duration_ms // len(rounds)
    left_ms = duration_ms
    for item in rounds:  # a session ended mid-round: that round lasted only what was left
        item["duration_ms"] = min(item["duration_ms"], left_ms)
        left_ms -= item["duration_ms"]
    thrown = sum(r["punches_thrown"] for r in rounds) if rounds else int(stats.get("punches") or 0)
    landed = sum(r["punches_landed"] for r in rounds) if rounds else int(stats.get("hits") or 0)
    tel: dict[str, Any] = {"duration_ms": duration_ms, "punches_thrown": thrown, "punches_landed": min(landed, thrown),
                           "dodges": int(stats.get("dodges") or 0)}
    peak = _num(stats.get("peak_speed_mps"))
    if peak is not None:
        tel["peak_hand_speed_mps"] = max(0.0, peak)
    if rounds:
        tel["rounds"] = rounds
    tel.update(_extras(stats, {"punches", "hits", "dodges", "peak_speed_mps", "rounds", "duration_s"}, 40))
    return tel


def _rep_telemetry(result: SessionResult, duration_ms: int) -> dict[str, Any]:
    stats = result.stats
    reps = []
    for i, ev in enumerate(result.reps):
        metrics = ev.metrics
        # seconds rounded to the millisecond, as the saved JSON keeps them (a replayed journal
        # gives the same telemetry)
        t, start = round(ev.t_s, 3), round(ev.start_s, 3)
        item: dict[str, Any] = {"index": i, "counted": ev.counted,
                                "duration_ms": int(max(0.0, t - start) * 1000),
                                "t_ms": int(max(0.0, t) * 1000)}
        for src, dst in (("peak_velocity_mps", "peak_velocity_mps"), ("mean_velocity_mps", "mean_velocity_mps")):
            v = _num(metrics.get(src))
            if v is not None:
                item[dst] = max(0.0, v)
        vl = _num(metrics.get("velocity_loss_pct"))
        if vl is not None:
            item["velocity_loss_pct"] = min(100.0, max(-1000.0, vl))
        lean = _num(metrics.get("torso_lean_deg"))
        if lean is not None:
            item["spine_angle_deg"] = lean
        depth = next((_num(v) for k, v in metrics.items() if k.endswith("_flexion_deg") and _num(v) is not None),
                     None)
        if depth is not None:
            item["depth_deg"] = depth  # flexion of the exercise's main joint from the standing angle
        score = _num(ev.score)
        if score is not None:
            item["form_score"] = min(100.0, max(0.0, score))
        cues = [c.text[:60] for c in ev.cues][:8]
        if cues:
            item["cues"] = cues
        if ev.reason:
            item["reason"] = ev.reason[:60]
        item.update(_extras(metrics, {"peak_velocity_mps", "mean_velocity_mps", "velocity_loss_pct",
                                      "torso_lean_deg"}, 40 - len(item)))
        reps.append(item)
    tel: dict[str, Any] = {"duration_ms": duration_ms, "reps_attempted": len(reps), "reps": reps}
    summary = {_metric_name(str(k)): float(v) for k, v in result.summary.items()
               if _num(v) is not None and abs(float(v)) <= 1e6}
    if summary:
        tel["skeleton_summary"] = dict(list(summary.items())[:64])
    tel.update(_extras(stats, {"reps", "duration_s"}, 40))
    return tel


def submission_for(result: SessionResult, *, challenge: str | None = None) -> dict[str, Any] | None:
    """The protocol submission for a finished session, or None when there is nothing to post
    (no score, unknown exercise). The result's ``uid`` (when set) becomes the submission id,
    so recording the same session twice can never count twice.

    Raises ValueError if the result still breaks the protocol (a bug to report, not bad luck).
    """
    exercise = result.exercise
    duration_ms = int(max(0.0, result.active_s) * 1000)
    played_at_ms = int(max(0.0, result.started_s) * 1000)
    if exercise == BOXING_MODE:
        score = _num(result.stat("score"))
        telemetry = _boxing_telemetry(result, duration_ms)
    elif exercise in _REP_MODES:
        telemetry = _rep_telemetry(result, duration_ms)
        score = float(sum(1 for r in telemetry["reps"] if r["counted"]))
    else:
        return None
    if score is None or score <= 0 or played_at_ms <= 0:
        return None
    uid = result.uid.replace("-", "")
    return make_submission(
        mode=CHALLENGE_MODE if challenge else exercise, score=score, played_at_ms=played_at_ms,
        duration_ms=duration_ms, telemetry=telemetry, challenge=challenge,
        submission_id=uid if 8 <= len(uid) <= 64 and uid.isalnum() else None,
    )
