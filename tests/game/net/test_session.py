"""A finished game session becomes a submission the server accepts: real rep-detector events from a
synthetic squat set, and boxing round stats in the rules' own format."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest

from game.net.session import submission_for
from game.session_result import SessionResult
from leaderboard_server import protocol
from tests.leaderboard_server.conftest import Harness


def submission_from_session(session: dict[str, Any], **kw: Any) -> dict[str, Any] | None:
    """A session as history.json or a journal keeps it, read back and submitted."""
    return submission_for(SessionResult.from_json(session), **kw)


def _accept(harness: Harness, sub: dict[str, Any]) -> dict[str, Any]:
    protocol.validate({"v": 1, "type": "submit", "submission": sub})
    player = harness.register("Gamer")
    harness.now_ms = sub["played_at_ms"] + sub["duration_ms"] + 5000
    return harness.ask(player, {"type": "submit", "submission": sub})


def test_squat_session_from_the_real_detector_is_accepted(harness: Harness) -> None:
    from game.analysis import make_detector
    from game.reps.synthetic import Camera, Move, simulate

    script = [Move("stand", 1.5)] + [Move("rep", 2.2), Move("stand", 0.6)] * 6
    frames = simulate("squat", script, rng=np.random.default_rng(3), camera=Camera(yaw_deg=60), fps=30.0)
    det = make_detector("squat")
    events = [e.to_json() for f in frames for e in det.update(f)] + [e.to_json() for e in det.finish()]
    reps = [e for e in events if e["type"] == "rep"]
    counted = sum(1 for r in reps if r["counted"])
    assert counted >= 5
    session = {"mode": "rep", "exercise": "squat", "uid": "0b6f3c1e-4a52-4d8e-9a7b-2f1e3d4c5b6a",
               "started": time.time() - 120, "active_s": len(frames) / 30.0,
               "stats": {"reps": counted, "attempts": len(reps), "target": 10, "avg_score": 80, "best_score": 91,
                         "velocity_loss_pct": 12.5, "duration_s": round(len(frames) / 30.0, 1)},
               "reps": reps, "summary": det.summary()}
    sub = submission_from_session(session)
    assert sub is not None and sub["id"] == "0b6f3c1e4a524d8e9a7b2f1e3d4c5b6a"
    assert sub["score"] == counted and len(sub["telemetry"]["reps"]) == len(reps)
    first = sub["telemetry"]["reps"][0]
    assert first["depth_deg"] > 60 and 0 < first["peak_velocity_mps"] < 4 and first["form_score"] <= 100
    assert "velocity_loss_pct" in sub["telemetry"]["skeleton_summary"]
    reply = _accept(harness, sub)
    assert reply["type"] == "submitted", reply


def test_a_brisk_jumping_jack_set_from_the_real_detector_is_accepted(harness: Harness) -> None:
    """An exercise added through the registry reaches the server: its mode is in the protocol,
    its rate limit in the plausibility table, and a brisk honest set (0.7 s a jack) passes."""
    from game.analysis import make_detector
    from game.reps.synthetic import Camera, Move, simulate

    script = [Move("stand", 1.5)] + [Move("rep", 0.7)] * 20 + [Move("stand", 1.0)]
    frames = simulate("jumping_jack", script, rng=np.random.default_rng(5), camera=Camera(yaw_deg=0), fps=30.0)
    det = make_detector("jumping_jack")
    events = [e.to_json() for f in frames for e in det.update(f)] + [e.to_json() for e in det.finish()]
    reps = [e for e in events if e["type"] == "rep"]
    counted = sum(1 for r in reps if r["counted"])
    assert counted == 20
    session = {"mode": "rep", "exercise": "jumping_jack", "uid": "1c6f3c1e-4a52-4d8e-9a7b-2f1e3d4c5b6a",
               "started": time.time() - 120, "active_s": len(frames) / 30.0,
               "stats": {"reps": counted, "attempts": len(reps), "target": 20, "duration_s": round(len(frames) / 30.0, 1)},
               "reps": reps, "summary": det.summary()}
    sub = submission_from_session(session)
    assert sub is not None and sub["mode"] == "jumping_jack" and sub["score"] == 20
    assert "peak_velocity_mps" not in sub["telemetry"]["reps"][0]  # no velocity for a jack
    reply = _accept(harness, sub)
    assert reply["type"] == "submitted", reply


def test_boxing_session_is_accepted_and_a_cut_round_is_shortened(harness: Harness) -> None:
    from game.boxing.rules import RoundStats

    full = RoundStats(punches=70, targets=60, hits=52, perfect=30, dodges=4, dodges_made=3, speeds=[5.5, 7.2, 8.9],
                      score=52 * 300 + 3 * 80)
    cut = RoundStats(punches=20, targets=18, hits=15, perfect=8, speeds=[6.0], score=15 * 250)
    per_round = [dict(r.to_json(60.0), accuracy_pct=80.0) for r in (full, cut)]
    total = full.score + cut.score
    session = {"mode": "boxing", "exercise": "boxing", "started": time.time() - 300, "active_s": 75.0,
               "uid": "5e7d1c2b-3a4f-4b6c-8d9e-0f1a2b3c4d5e", "difficulty": {"bpm": 100, "rounds": 3, "round_s": 60},
               "stats": {"score": total, "hits": 67, "targets": 78, "perfect": 38, "accuracy_pct": 85.9, "punches": 90,
                         "wild_punches": 2, "best_combo": 9, "dodges": 3, "peak_speed_mps": 8.9, "rounds": 2,
                         "duration_s": 75.0},
               "per_round": per_round}
    sub = submission_from_session(session)
    assert sub is not None
    rounds = sub["telemetry"]["rounds"]
    assert [r["duration_ms"] for r in rounds] == [60_000, 15_000]
    assert sub["telemetry"]["punches_thrown"] == 90 and sub["telemetry"]["punches_landed"] == 67
    assert sub["telemetry"]["best_combo"] == 9  # the game's own metrics travel along
    assert [r["dodges"] for r in rounds] == [3, 0]  # dodges made, not the dodge cues asked
    reply = _accept(harness, sub)
    assert reply["type"] == "submitted", reply


def test_nothing_to_post_and_challenge_sessions() -> None:
    assert submission_from_session({"exercise": "boxing", "stats": {"score": 0}, "started": 1e9}) is None
    assert submission_from_session({"exercise": "yoga", "stats": {"score": 5}, "started": 1e9}) is None
    sub = submission_from_session({"exercise": "boxing", "started": 1.7e9, "active_s": 30.0,
                                   "stats": {"score": 500, "punches": 20, "hits": 10}}, challenge="ab12cd")
    assert sub is not None and sub["mode"] == "challenge" and sub["challenge"] == "AB12CD"


def test_make_submission_refuses_what_the_server_would_refuse() -> None:
    from game.net.outbox import make_submission

    with pytest.raises(ValueError, match="telemetry/rounds"):
        make_submission(mode="boxing", score=10, played_at_ms=1, duration_ms=1, telemetry={"rounds": 3})
    with pytest.raises(ValueError, match="telemetry"):
        make_submission(mode="boxing", score=10, played_at_ms=1, duration_ms=1, telemetry={"frame": [[0] * 300]})
