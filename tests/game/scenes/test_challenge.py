"""A live challenge end to end: join by code in the leaderboard scene, reps count live."""

from __future__ import annotations

import time
from typing import Any

from game.input import Action, InputEvent
from tests.game.net.conftest import ThreadedServer, threaded_server  # noqa: F401 - fixture
from tests.game.scenes.conftest import run_steps
from tests.leaderboard_server.support import TRAINER_CODE


def _until(app: Any, pred: Any, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return
        run_steps(app, 3, draw_every=3)
        time.sleep(0.03)
    raise AssertionError("condition not reached in time")


def test_join_a_challenge_and_count_live(make_app: Any, threaded_server: ThreadedServer) -> None:  # noqa: F811
    from game.net.client import ServerLink
    from game.net.settings import NetSettings, save_settings
    from game.scenes.leaderboard import LeaderboardScene
    from game.scenes.reps import RepScene

    srv = threaded_server
    coach = srv.run(ServerLink.connect(srv.url))
    srv.run(coach.request({"type": "register", "name": "Coach", "trainer_code": TRAINER_CODE}))
    code = srv.run(coach.request({"type": "challenge.create", "title": "Morning squats",
                                  "exercise": "squat", "duration_s": 300}))["challenge"]["code"]
    app = make_app("menu")
    save_settings(NetSettings(server=srv.url, name="Gamer"), app.home)
    board = LeaderboardScene(app.services)
    app.stack.push(board)
    app.stack.apply()
    app.dispatch(InputEvent(Action.SELECT))  # "Join a challenge"
    assert board.captures_text
    camera_before = app.settings.show_camera
    app.dispatch(InputEvent(Action.TEXT, text=code.lower()))
    app.dispatch(InputEvent(Action.TOGGLE_CAMERA))  # a "c" in the code is not the shortcut
    assert app.settings.show_camera == camera_before and board.code == code.upper()
    app.dispatch(InputEvent(Action.SELECT))
    assert app.leaderboard.challenge_code == code.upper()
    _until(app, lambda: board.standings is not None)
    srv.run(coach.request({"type": "challenge.start", "code": code}))
    _until(app, lambda: board.standings is not None and board.standings.state == "running")
    app.stack.pop()
    app.stack.apply()
    scene = RepScene(app.services, "squat", target=3, countdown_s=0.5)
    app.stack.push(scene)
    app.stack.apply()
    _until(app, lambda: scene.finished or len([r for r in scene.reps if r.counted]) >= 2,
           timeout_s=60)
    _until(app, lambda: scene.standings is not None and scene.standings.entries and
           scene.standings.entries[0].score >= 1)
    me = scene.standings.my_entry()
    assert me is not None and me.name == "Gamer"
    srv.run(coach.close())
