"""What one player stores is capped; rejected sessions are stored as a digest, not in full; an
implausible reply names the rules it broke, the same on a resend."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from leaderboard_server import core
from tests.leaderboard_server.conftest import Harness, boxing_submission, squat_submission


def _submit(h: Harness, who: core.SessionState, sub: dict[str, Any]) -> dict[str, Any]:
    return h.ask(who, {"type": "submit", "submission": sub})


def test_a_rejected_session_is_stored_as_a_digest_and_answers_the_same_twice(harness: Harness) -> None:
    ann = harness.register("Ann")
    forged = squat_submission("forged-00001", 40, rep_ms=100)
    forged["telemetry"]["skeleton_summary"] = {f"k{i}": list(range(200)) for i in range(60)}
    first = _submit(harness, ann, forged)
    assert first["code"] == "implausible" and "squat.rep_ms" in first["checks"]
    again = _submit(harness, ann, forged)
    assert (again["code"], again["checks"], again["reasons"]) == ("implausible", first["checks"], first["reasons"])
    stored = harness.ask(ann, {"type": "telemetry.list"})["submissions"][0]
    assert stored["accepted"] is False and "faster than 400 ms" in stored["reason"]
    assert stored["telemetry"] == {"duration_ms": forged["telemetry"]["duration_ms"], "reps_listed": 40}


def test_one_player_cannot_store_more_than_the_quota(engine: Any) -> None:
    with Session(engine) as session:
        h = Harness(session, core.CoreConfig(quota=core.Quota(max_submissions=3)))
        ann, bob = h.register("Ann"), h.register("Bob")
        for i in range(3):
            assert _submit(h, ann, boxing_submission(f"ann-quota-{i:03d}", 100))["type"] == "submitted"
        refused = _submit(h, ann, boxing_submission("ann-quota-999", 100))
        assert (refused["code"], refused["final"]) == ("quota_exceeded", False) and refused["retry_after_ms"] > 0
        # Rejected sessions count too, and other players are not affected.
        assert _submit(h, bob, boxing_submission("bob-quota-001", 100))["type"] == "submitted"
        h.now_ms += 24 * 3600 * 1000 + 1  # a day later the window has moved on
        assert _submit(h, ann, boxing_submission("ann-quota-999", 100))["status"] == "accepted"


def test_the_quota_counts_telemetry_size(engine: Any) -> None:
    with Session(engine) as session:
        h = Harness(session, core.CoreConfig(quota=core.Quota(max_telemetry_chars=2_000)))
        ann = h.register("Ann")
        assert _submit(h, ann, squat_submission("ann-size-0001", 5))["type"] == "submitted"
        assert _submit(h, ann, squat_submission("ann-size-0002", 20))["code"] == "quota_exceeded"
