"""A session kept in the history but never queued for the leaderboard (the game stopped in
between) is queued when syncing next starts; one already queued or sent is not queued twice."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from game.integrations import REQUEUE_WINDOW_S, requeue_unsent
from game.net.outbox import Outbox
from game.net.session import submission_for
from game.session_result import SessionResult


def submission_from_session(session: dict[str, Any], **kw: Any) -> dict[str, Any] | None:
    """A session as history.json or a journal keeps it, read back and submitted."""
    return submission_for(SessionResult.from_json(session), **kw)


class _Worker:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def submit(self, sub: dict[str, Any]) -> str:
        return self.outbox.enqueue(sub)


def _boxing_session(uid: str, started: float) -> dict[str, Any]:
    from game.boxing.rules import RoundStats

    rnd = RoundStats(punches=40, targets=36, hits=30, perfect=14, speeds=[5.5, 6.8], score=30 * 250)
    return {"mode": "boxing", "exercise": "boxing", "uid": uid, "started": started, "active_s": 60.0,
            "difficulty": {"bpm": 100, "rounds": 1, "round_s": 60},
            "stats": {"score": rnd.score, "hits": 30, "targets": 36, "perfect": 14, "accuracy_pct": 83.3,
                      "punches": 40, "best_combo": 3},
            "per_round": [dict(rnd.to_json(60.0), accuracy_pct=83.3)], "punches": []}


def test_unqueued_sessions_are_queued_once(tmp_path: Path) -> None:
    now = time.time()
    queued_before = _boxing_session("1a2b3c4d-0000-4000-8000-000000000001", now - 3600)
    lost = _boxing_session("1a2b3c4d-0000-4000-8000-000000000002", now - 600)
    too_old = _boxing_session("1a2b3c4d-0000-4000-8000-000000000003", now - REQUEUE_WINDOW_S - 60)
    no_uid = dict(_boxing_session("x", now - 60), uid=None)
    assert submission_from_session(lost) is not None
    with Outbox(tmp_path / "outbox.sqlite3") as outbox:
        worker = _Worker(outbox)
        sub = submission_from_session(queued_before)
        assert sub is not None
        outbox.enqueue(sub)
        outbox.mark_sent(sub["id"], {"type": "submitted"})
        sessions = [queued_before, lost, too_old, no_uid]
        assert requeue_unsent(sessions, worker, now_s=now) == 1
        ids = {item.id: item.state for item in outbox.items()}
        assert ids == {sub["id"]: "sent", "1a2b3c4d000040008000000000000002": "pending"}
        # A second start finds nothing more to do.
        assert requeue_unsent(sessions, worker, now_s=now) == 0


def test_starting_sync_in_the_game_requeues(tmp_path: Path) -> None:
    from game.app import App, AppOptions
    from game.net.settings import NetSettings, save_settings

    home = tmp_path / "home"
    app = App(AppOptions(mode="menu"), home=home)
    assert not app.options.scripted
    lost = _boxing_session("1a2b3c4d-0000-4000-8000-00000000000a", time.time() - 600)
    app.history.add(SessionResult.from_json(lost))
    save_settings(NetSettings(server="ws://127.0.0.1:9/ws", name="Gamer"), home)  # nobody there
    worker = app.leaderboard.worker()
    try:
        assert worker is not None
        assert [item.id for item in worker.outbox.pending()] == ["1a2b3c4d00004000800000000000000a"]
    finally:
        app.leaderboard.stop()
