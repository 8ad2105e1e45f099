"""Whose session is it: only a live camera's sessions are the player's own (issue 11 item 4)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.game.loop.conftest import run_steps, use_synthetic


def _finish_two_reps(app: Any) -> dict[str, Any]:
    from game.scenes.reps import RepScene

    scene = RepScene(app.services, "squat", target=2, countdown_s=0.2)
    app.stack.push(scene)
    app.stack.apply()
    for _ in range(60 * 40 // 30):
        run_steps(app, 30, draw_every=30)
        if scene.finished:
            break
    assert scene.finished, "two reps should have been counted"
    return app.sessions[-1].to_json()


def _db_uids(home: Path) -> list[str]:
    if not (home / "ringside.db").exists():
        return []
    with sqlite3.connect(home / "ringside.db") as db:
        return [r[0] for r in db.execute("SELECT uid FROM sessions")]


def _outbox_ids(home: Path) -> list[str]:
    if not (home / "outbox.sqlite3").exists():
        return []
    with sqlite3.connect(home / "outbox.sqlite3") as db:
        return [r[0] for r in db.execute("SELECT id FROM outbox")]


def test_demo_sessions_are_never_saved_nor_uploaded(make_app: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    # not a scripted run: a real session of the player's would be queued for the leaderboard
    app = make_app("menu", demo=None, home=home, exit_after_s=None)
    assert not app.options.scripted
    use_synthetic(app, camera=False)
    session = _finish_two_reps(app)
    assert session["stats"]["reps"] == 2
    assert session["source_kind"] == "demo" and session["saved"] is False
    assert app.history.sessions == [] and _db_uids(home) == [] and _outbox_ids(home) == []
    assert not list((home / "journal").glob("*.jsonl")) if (home / "journal").exists() else True
    run_steps(app, 5)
    assert app.stack.top.name == "results"
    assert "save_mine" not in app.stack.top.targets  # a demo is never "mine"


def test_camera_sessions_are_the_players_own_everywhere(make_app: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    app = make_app("menu", demo=None, home=home, exit_after_s=None)
    use_synthetic(app, camera=True)
    session = _finish_two_reps(app)
    uid = session["uid"]
    assert session["source_kind"] == "camera" and session["saved"] is True
    assert [s["uid"] for s in app.history.sessions] == [uid]
    assert _db_uids(home) == [uid]
    assert _outbox_ids(home) == [uid.replace("-", "")]
    assert not list((home / "journal").glob("*.jsonl")), "a saved session leaves no journal"


def test_a_video_session_is_saved_only_when_the_player_says_so(make_app: Any,
                                                               tmp_path: Path) -> None:
    from game.input import Action, InputEvent

    home = tmp_path / "home"
    app = make_app("menu", demo=None, home=home)
    # the same generated person, but "in a video file used as the camera"
    use_synthetic(app, camera=False, video=str(tmp_path / "someone.mp4"))
    session = _finish_two_reps(app)
    assert session["source_kind"] == "video" and session["saved"] is False
    assert app.history.sessions == [] and _db_uids(home) == []
    run_steps(app, 5)
    results = app.stack.top
    assert results.name == "results" and "save_mine" in results.targets
    x, y, w, h = results.targets["save_mine"]
    app.dispatch(InputEvent(Action.CLICK, pos=(int(x + w / 2), int(y + h / 2))))
    run_steps(app, 2)
    assert [s["uid"] for s in app.history.sessions] == [session["uid"]]
    assert _db_uids(home) == [session["uid"]]
    assert "save_mine" not in app.stack.top.targets  # once only


def test_closing_the_game_mid_session_saves_a_camera_session_as_quit(make_app: Any,
                                                                     tmp_path: Path) -> None:
    from game.history import History
    from game.scenes.reps import RepScene

    home = tmp_path / "home"
    app = make_app("menu", demo=None, home=home)
    use_synthetic(app, camera=True)
    scene = RepScene(app.services, "squat", target=10, countdown_s=0.2)
    app.stack.push(scene)
    app.stack.apply()
    while sum(1 for r in scene.reps if r.counted) < 1:
        run_steps(app, 30, draw_every=30)
    app._save_unfinished()  # what shutdown() does when the window is closed
    saved = History.load(home).sessions
    assert len(saved) == 1 and saved[0]["ended"] == "quit" and saved[0]["stats"]["reps"] >= 1
    assert _db_uids(home) == [saved[0]["uid"]]


def test_warmups_and_scripted_sessions_are_never_requeued_for_the_leaderboard(
        tmp_path: Path) -> None:
    """A warm-up, or a session kept by a scripted run (which never posts), found in the history
    when syncing starts is not sent later either."""
    import time

    from game.integrations import requeue_unsent
    from game.net.outbox import Outbox
    from tests.game.test_app_requeue import _boxing_session, _Worker

    now = time.time()
    mine = _boxing_session("1a2b3c4d-0000-4000-8000-000000000011", now - 600)
    warm = dict(_boxing_session("1a2b3c4d-0000-4000-8000-000000000012", now - 600), warmup=True)
    scripted = dict(_boxing_session("1a2b3c4d-0000-4000-8000-000000000013", now - 600),
                    for_leaderboard=False)
    with Outbox(tmp_path / "outbox.sqlite3") as outbox:
        assert requeue_unsent([mine, warm, scripted], _Worker(outbox), now_s=now) == 1
        assert [i.id for i in outbox.items()] == ["1a2b3c4d000040008000000000000011"]


def test_a_free_scored_clip_is_never_a_best_nor_a_leaderboard_score(tmp_path: Path) -> None:
    """A clip's boxing is scored freely (no targets): even saved as the player's own, its points
    are not the target game's, so it sets no best and is never queued for the leaderboard."""
    import time

    from game.history import History
    from game.integrations import queue_submission, requeue_unsent
    from game.net.outbox import Outbox
    from game.session_result import SessionResult
    from tests.game.test_app_requeue import _boxing_session, _Worker

    now = time.time()
    row = _boxing_session("1a2b3c4d-0000-4000-8000-000000000021", now - 600)
    free = dict(row, uid="1a2b3c4d-0000-4000-8000-000000000022",
                stats=dict(row["stats"], scoring="free", score=99_999))
    assert SessionResult.from_json(row).is_ranked
    assert not SessionResult.from_json(free).is_ranked
    with Outbox(tmp_path / "outbox.sqlite3") as outbox:
        assert requeue_unsent([row, free], _Worker(outbox), now_s=now) == 1
    assert queue_submission(tmp_path, SessionResult.from_json(free), None) == (None, False)
    history = History.load(tmp_path / "home")
    history.add(SessionResult.from_json(row))
    assert history.add(SessionResult.from_json(free)) == []  # far more points: still no best
    better = dict(row, uid="1a2b3c4d-0000-4000-8000-000000000023",
                  stats=dict(row["stats"], score=int(row["stats"]["score"]) + 100))
    assert history.add(SessionResult.from_json(better)) == ["Score"]
