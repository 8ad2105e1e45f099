"""The pure core against a real (in-memory) database: features, rights and idempotency."""

from __future__ import annotations

from typing import Any

from leaderboard_server import core
from tests.leaderboard_server.conftest import T0_MS, Harness, boxing_submission, squat_submission

DAY_MS = 24 * 3600 * 1000


def _submit(h: Harness, who: core.SessionState, sub: dict[str, Any]) -> dict[str, Any]:
    return h.ask(who, {"type": "submit", "submission": sub})


def _board(h: Harness, who: core.SessionState, mode: str, period: str, **kw: Any) -> list[tuple[str, float, int]]:
    reply = h.ask(who, {"type": "board.get", "mode": mode, "period": period, **kw})
    assert reply["type"] == "board", reply
    return [(e["name"], e["score"], e["rank"]) for e in reply["entries"]]


def test_tokens_are_stored_hashed_and_sign_in_works(harness: Harness) -> None:
    out = harness.send(core.SessionState(), {"type": "register", "name": "Ann"})
    token = out.replies[0]["token"]
    from sqlalchemy import text

    stored = harness.session.execute(text("SELECT token_hash FROM players")).scalar_one()
    assert token not in stored and stored == core.hash_token(token)
    hello = harness.send(core.SessionState(), {"type": "hello", "token": token})
    assert hello.replies[0]["player"]["name"] == "Ann" and hello.session.player is not None
    bad = harness.ask(core.SessionState(), {"type": "hello", "token": token + "x"})
    assert bad["code"] == "unauthenticated"


def test_trainer_role_needs_the_trainer_code(harness: Harness) -> None:
    wrong = harness.ask(core.SessionState(), {"type": "register", "name": "Eve", "trainer_code": "guess"})
    assert wrong["code"] == "forbidden"
    ann = harness.register("Ann")
    reply = harness.ask(ann, {"type": "challenge.create", "title": "x", "exercise": "squat", "duration_s": 60})
    assert reply["code"] == "forbidden"
    tess = harness.register("Tess", trainer=True)
    assert tess.player is not None and tess.player.is_trainer


def test_boards_keep_the_best_score_per_period(harness: Harness) -> None:
    ann, bob = harness.register("Ann"), harness.register("Bob")
    yesterday = T0_MS - DAY_MS
    assert _submit(harness, ann, boxing_submission("a-000000001", 9000, played_at_ms=yesterday))["status"] == "accepted"
    _submit(harness, ann, boxing_submission("a-000000002", 3000))
    _submit(harness, ann, boxing_submission("a-000000003", 2000))
    _submit(harness, bob, boxing_submission("b-000000001", 5000))
    assert _board(harness, ann, "boxing", "daily") == [("Bob", 5000, 1), ("Ann", 3000, 2)]
    assert _board(harness, ann, "boxing", "all_time") == [("Ann", 9000, 1), ("Bob", 5000, 2)]
    # Yesterday (a Sunday, 2026-11-29) is in the previous ISO week.
    assert _board(harness, ann, "boxing", "weekly") == [("Bob", 5000, 1), ("Ann", 3000, 2)]
    assert _board(harness, ann, "squat", "all_time") == []


def test_ties_share_a_rank(harness: Harness) -> None:
    a, b, c = harness.register("A"), harness.register("B"), harness.register("C")
    for who, sid, score in ((a, "a-000000001", 10), (b, "b-000000001", 12), (c, "c-000000001", 10)):
        _submit(harness, who, squat_submission(sid, score))
    assert [r for _, _, r in _board(harness, a, "squat", "daily")] == [1, 2, 2]


def test_submissions_are_idempotent_by_client_id(harness: Harness) -> None:
    ann = harness.register("Ann")
    first = _submit(harness, ann, boxing_submission("same-id-0001", 4000))
    again = _submit(harness, ann, boxing_submission("same-id-0001", 9999))  # first version wins
    assert first["status"] == "accepted" and again["status"] == "duplicate" and again["score"] == 4000
    assert _board(harness, ann, "boxing", "daily") == [("Ann", 4000, 1)]
    # Another player may use the same client id: ids are per player.
    bob = harness.register("Bob")
    assert _submit(harness, bob, boxing_submission("same-id-0001", 100))["status"] == "accepted"


def test_implausible_submissions_are_recorded_rejected_and_final(harness: Harness) -> None:
    ann = harness.register("Ann")
    forged = boxing_submission("forged-00001", 500_000, punches=2000, duration_ms=30_000)
    reply = _submit(harness, ann, forged)
    assert reply["type"] == "error" and reply["code"] == "implausible" and reply["final"] is True
    assert any("punches/s" in r for r in reply["reasons"])
    again = _submit(harness, ann, forged)
    assert again["code"] == "implausible"  # same answer on resend, nothing counted
    assert _board(harness, ann, "boxing", "all_time") == []
    tele = harness.ask(ann, {"type": "telemetry.list"})
    assert tele["submissions"][0]["accepted"] is False


def test_group_boards_are_for_members_only(harness: Harness) -> None:
    ann, bob, eve = harness.register("Ann"), harness.register("Bob"), harness.register("Eve")
    group = harness.ask(ann, {"type": "group.create", "name": "Club"})["group"]
    assert harness.ask(bob, {"type": "group.join", "invite_code": group["invite_code"].lower()})["group"]["members"] == 2
    for who, sid, reps in ((ann, "a-000000001", 10), (bob, "b-000000001", 20), (eve, "e-000000001", 30)):
        _submit(harness, who, squat_submission(sid, reps))
    assert _board(harness, ann, "squat", "daily", group=group["id"]) == [("Bob", 20, 1), ("Ann", 10, 2)]
    assert harness.ask(eve, {"type": "board.get", "mode": "squat", "period": "daily", "group": group["id"]})["code"] == "forbidden"
    assert harness.ask(eve, {"type": "group.members", "group": group["id"]})["code"] == "forbidden"
    assert harness.ask(eve, {"type": "group.join", "invite_code": "NOPE2345"})["code"] == "not_found"
    listed = harness.ask(bob, {"type": "group.list"})["groups"]
    assert [(g["name"], g["members"], g["is_owner"]) for g in listed] == [("Club", 2, False)]
    harness.ask(bob, {"type": "group.leave", "group": group["id"]})
    assert _board(harness, ann, "squat", "daily", group=group["id"]) == [("Ann", 10, 1)]


def _running_challenge(h: Harness, exercise: str = "squat", duration_s: int = 120) -> tuple[core.SessionState, str]:
    tess = h.register("Tess", trainer=True)
    code = h.ask(tess, {"type": "challenge.create", "title": "Class", "exercise": exercise,
                        "duration_s": duration_s})["challenge"]["code"]
    return tess, code


def test_challenge_lifecycle_and_standings(harness: Harness) -> None:
    tess, code = _running_challenge(harness)
    ann, bob = harness.register("Ann"), harness.register("Bob")
    for who in (ann, bob):
        out = harness.send(who, {"type": "challenge.join", "code": code})
        assert core.Publish(code) in out.effects and core.Subscribe(code) in out.effects
    assert harness.ask(ann, {"type": "challenge.progress", "code": code, "score": 1, "elapsed_ms": 0})["code"] == "conflict"
    started = harness.ask(tess, {"type": "challenge.start", "code": code})
    assert started["challenge"]["state"] == "running"
    assert started["challenge"]["ends_at_ms"] == harness.now_ms + 120_000
    harness.now_ms += 30_000
    harness.ask(ann, {"type": "challenge.progress", "code": code, "score": 12, "elapsed_ms": 30_000})
    harness.ask(bob, {"type": "challenge.progress", "code": code, "score": 14, "elapsed_ms": 30_000})
    # Progress never goes down.
    low = harness.send(bob, {"type": "challenge.progress", "code": code, "score": 3, "elapsed_ms": 31_000})
    assert low.effects == ()
    snap = harness.ask(ann, {"type": "challenge.get", "code": code})
    assert [(e["name"], e["score"], e["rank"]) for e in snap["entries"]] == [("Bob", 14, 1), ("Ann", 12, 2)]
    # Impossible progress (60 reps in 31 s) is refused.
    fast = harness.ask(ann, {"type": "challenge.progress", "code": code, "score": 80, "elapsed_ms": 31_000})
    assert fast["code"] == "implausible"
    # Final submission counts in the challenge and on the challenge board.
    final = squat_submission("ann-ch-00001", 20, mode="challenge", challenge=code, played_at_ms=harness.now_ms - 25_000,
                             rep_ms=1500)
    assert _submit(harness, ann, final)["status"] == "accepted"
    harness.now_ms += 120_000  # time is up
    snap = harness.ask(ann, {"type": "challenge.get", "code": code})
    assert snap["challenge"]["state"] == "finished"
    assert [(e["name"], e["score"], e["final"]) for e in snap["entries"]] == [("Ann", 20, True), ("Bob", 14, False)]
    assert _board(harness, ann, "challenge", "daily") == [("Ann", 20, 1)]
    assert _board(harness, ann, "squat", "daily") == [("Ann", 20, 1)]  # real squats count there too
    late = harness.ask(bob, {"type": "challenge.progress", "code": code, "score": 30, "elapsed_ms": 100_000})
    assert late["code"] == "conflict"
    harness.now_ms += 10 * 60_000  # past the grace period
    late_final = squat_submission("bob-ch-00001", 15, mode="challenge", challenge=code, played_at_ms=T0_MS + 1000)
    assert _submit(harness, bob, late_final)["code"] == "conflict"


def test_challenge_rights(harness: Harness) -> None:
    tess, code = _running_challenge(harness)
    other_trainer = harness.register("Otto", trainer=True)
    ann = harness.register("Ann")
    assert harness.ask(other_trainer, {"type": "challenge.start", "code": code})["code"] == "forbidden"
    assert harness.ask(ann, {"type": "challenge.stop", "code": code})["code"] == "forbidden"
    assert harness.ask(ann, {"type": "challenge.list"})["code"] == "forbidden"
    assert harness.ask(other_trainer, {"type": "challenge.list"})["challenges"] == []
    assert [c["code"] for c in harness.ask(tess, {"type": "challenge.list"})["challenges"]] == [code]
    sub = squat_submission("ann-ch-00001", 5, mode="challenge", challenge=code)
    assert _submit(harness, ann, sub)["code"] == "forbidden"  # not joined
    harness.ask(ann, {"type": "challenge.join", "code": code})
    assert _submit(harness, ann, sub)["code"] == "conflict"  # not started
    assert harness.ask(tess, {"type": "challenge.start", "code": code})["type"] == "challenge"
    assert harness.ask(tess, {"type": "challenge.start", "code": code})["code"] == "conflict"
    assert harness.ask(ann, {"type": "challenge.get", "code": "ZZZZZZ"})["code"] == "not_found"
    # Watching needs no account (the gym TV).
    watch = harness.send(core.SessionState(), {"type": "challenge.watch", "code": code})
    assert watch.effects == (core.Subscribe(code),) and watch.session.watching == frozenset({code})


def test_group_challenges_need_membership(harness: Harness) -> None:
    tess = harness.register("Tess", trainer=True)
    group = harness.ask(tess, {"type": "group.create", "name": "Class"})["group"]
    code = harness.ask(tess, {"type": "challenge.create", "title": "Members", "exercise": "boxing", "duration_s": 60,
                              "group": group["id"]})["challenge"]["code"]
    ann = harness.register("Ann")
    assert harness.ask(ann, {"type": "challenge.join", "code": code})["code"] == "forbidden"
    harness.ask(ann, {"type": "group.join", "invite_code": group["invite_code"]})
    assert harness.ask(ann, {"type": "challenge.join", "code": code})["type"] == "challenge"


def test_coach_rights_follow_shared_groups(harness: Harness) -> None:
    tess = harness.register("Tess", trainer=True)
    otto = harness.register("Otto", trainer=True)
    ann, bob = harness.register("Ann"), harness.register("Bob")
    group = harness.ask(tess, {"type": "group.create", "name": "Class"})["group"]
    harness.ask(ann, {"type": "group.join", "invite_code": group["invite_code"]})
    _submit(harness, ann, squat_submission("a-000000001", 8))
    assert ann.player is not None and bob.player is not None
    assert harness.ask(tess, {"type": "telemetry.list", "player": ann.player.public_id})["player"]["name"] == "Ann"
    for who, target in ((otto, ann), (tess, bob), (bob, ann)):
        assert target.player is not None
        reply = harness.ask(who, {"type": "telemetry.list", "player": target.player.public_id})
        assert reply["code"] == "forbidden"
    plan = {"difficulty": "easy", "intensity": "low", "volume_pct": 50}
    assert harness.ask(bob, {"type": "override.set", "player": ann.player.public_id, "plan": plan})["code"] == "forbidden"
    assert harness.ask(otto, {"type": "override.set", "player": ann.player.public_id, "plan": plan})["code"] == "forbidden"
    assert harness.ask(ann, {"type": "override.get"})["override"] is None
    set_reply = harness.ask(tess, {"type": "override.set", "player": ann.player.public_id, "plan": plan, "note": "easy week"})
    assert set_reply["override"]["plan"] == plan
    harness.now_ms += 1000
    harness.ask(tess, {"type": "override.set", "player": ann.player.public_id, "plan": {"difficulty": "hard"}})
    mine = harness.ask(ann, {"type": "override.get"})["override"]
    assert mine["plan"] == {"difficulty": "hard"} and mine["coach"] == "Tess"
    players = harness.ask(tess, {"type": "coach.players"})["players"]
    assert [(p["name"], p["override"]) for p in players] == [("Ann", {"difficulty": "hard"})]


def test_unauthenticated_messages_are_refused_without_effects(harness: Harness) -> None:
    anon = core.SessionState()
    for msg in ({"type": "submit", "submission": boxing_submission("x-000000001", 1)},
                {"type": "group.create", "name": "G"}, {"type": "telemetry.list"}, {"type": "override.get"}):
        out = harness.send(anon, msg)
        assert out.replies[0]["code"] == "unauthenticated" and out.effects == ()
    assert harness.ask(anon, {"type": "board.get", "mode": "boxing", "period": "daily"})["type"] == "board"


def test_period_keys_use_utc_day_and_iso_week() -> None:
    # 2026-12-31 23:59:59 UTC is in ISO week 53 of 2026.
    keys = core.period_keys(1798761599000)
    assert keys == {"daily": "2026-12-31", "weekly": "2026-W53", "all_time": "all"}
    assert core.period_keys(1798761600000)["daily"] == "2027-01-01"


def test_request_ids_are_echoed(harness: Harness) -> None:
    reply = harness.ask(core.SessionState(), {"type": "ping", "id": "abc"})
    assert reply == {"v": 1, "type": "pong", "now_ms": harness.now_ms, "re": "abc"}
    err = harness.ask(core.SessionState(), {"type": "group.list", "id": 7})
    assert err["re"] == 7 and err["code"] == "unauthenticated"


def test_a_challenge_session_may_outlast_the_challenge_but_its_score_must_fit(harness: Harness) -> None:
    tess, code = _running_challenge(harness, duration_s=60)
    ann = harness.register("Ann")
    harness.ask(ann, {"type": "challenge.join", "code": code})
    harness.ask(tess, {"type": "challenge.start", "code": code})
    harness.now_ms += 90_000  # the player kept going 30 s past the end
    honest = squat_submission("ann-long-0001", 30, mode="challenge", challenge=code, played_at_ms=T0_MS, rep_ms=2500)
    assert honest["duration_ms"] > 60_000
    assert _submit(harness, ann, honest)["status"] == "accepted"
    bob = harness.register("Bob")
    harness.now_ms = T0_MS + 1000
    harness.ask(bob, {"type": "challenge.join", "code": code})
    # 120 honest-looking reps over 5 minutes do not fit in a 60 s challenge.
    greedy = squat_submission("bob-long-0001", 120, mode="challenge", challenge=code, played_at_ms=T0_MS, rep_ms=2400)
    harness.now_ms = T0_MS + 100_000
    reply = _submit(harness, bob, greedy)
    assert reply["code"] == "implausible" and any("120 reps" in r for r in reply["reasons"])


def test_players_rename_themselves_and_owners_remove_members(harness: Harness) -> None:
    ann, bob = harness.register("Ann"), harness.register("Bob")
    renamed = harness.send(ann, {"type": "profile.set", "name": "  Ann K. "})
    assert renamed.replies[0]["player"]["name"] == "Ann K." and renamed.session.player is not None
    _submit(harness, renamed.session, squat_submission("a-000000001", 5))
    assert _board(harness, bob, "squat", "daily") == [("Ann K.", 5, 1)]
    group = harness.ask(ann, {"type": "group.create", "name": "Club"})["group"]
    harness.ask(bob, {"type": "group.join", "invite_code": group["invite_code"]})
    assert ann.player is not None and bob.player is not None
    assert harness.ask(bob, {"type": "group.remove", "group": group["id"], "player": ann.player.public_id})["code"] == "forbidden"
    left = harness.ask(ann, {"type": "group.remove", "group": group["id"], "player": bob.player.public_id})
    assert [m["name"] for m in left["members"]] == ["Ann K."]
    assert harness.ask(ann, {"type": "group.remove", "group": group["id"], "player": bob.player.public_id})["code"] == "not_found"


def test_a_verified_final_score_caps_the_live_one(harness: Harness) -> None:
    """Live progress carries no telemetry, only a rate check; the final submission is checked rep
    by rep. Claiming 30 live reps and then submitting the 12 the game really counted must not keep
    30 on the board."""
    tess, code = _running_challenge(harness)
    ann, bob = harness.register("Ann"), harness.register("Bob")
    for who in (ann, bob):
        harness.ask(who, {"type": "challenge.join", "code": code})
    harness.ask(tess, {"type": "challenge.start", "code": code})
    harness.now_ms += 30_000
    assert harness.ask(ann, {"type": "challenge.progress", "code": code, "score": 30, "elapsed_ms": 30_000})["type"] == "progress"
    harness.ask(bob, {"type": "challenge.progress", "code": code, "score": 14, "elapsed_ms": 30_000})
    final = squat_submission("ann-ch-00001", 12, mode="challenge", challenge=code, played_at_ms=harness.now_ms - 29_000)
    assert _submit(harness, ann, final)["status"] == "accepted"
    snap = harness.ask(bob, {"type": "challenge.get", "code": code})
    assert [(e["name"], e["score"], e["final"]) for e in snap["entries"]] == [("Bob", 14, False), ("Ann", 12, True)]


def test_a_device_clock_ahead_delays_a_score_instead_of_losing_it(harness: Harness) -> None:
    """A game whose clock runs 20 minutes fast stamps its session 20 minutes "in the future".
    That says nothing about the score, so it is not refused for good (the outbox would give up on
    it): the reply says when to retry, nothing is stored, and the same submission counts later."""
    ann = harness.register("Ann")
    sub = squat_submission("ahead-00001", 8, played_at_ms=harness.now_ms + 20 * 60_000)
    early = _submit(harness, ann, sub)
    assert early["type"] == "error" and early["code"] == "clock_ahead" and early["final"] is False
    assert 14 * 60_000 <= early["retry_after_ms"] <= 20 * 60_000
    assert "clock" in early["message"]
    assert harness.ask(ann, {"type": "telemetry.list"})["submissions"] == []
    harness.now_ms += 20 * 60_000
    assert _submit(harness, ann, sub)["status"] == "accepted"
