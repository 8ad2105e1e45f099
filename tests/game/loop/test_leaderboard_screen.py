"""The Leaderboard screen shows the server's boards, and says plainly when offline
(issue 11 item 5)."""

from __future__ import annotations

import time
from typing import Any

from tests.game.loop.conftest import run_steps
from tests.game.loop.test_nothing_pretended import _texts_drawn
from tests.game.net.conftest import ThreadedServer, engine, harness, threaded_server  # noqa: F401


def _board_ready(app: Any, scene: Any, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while (scene.view is None or scene.is_loading) and time.monotonic() < deadline:
        run_steps(app, 3)
        time.sleep(0.02)
    assert scene.view is not None


def _open(app: Any) -> Any:
    from game.scenes.leaderboard import LeaderboardScene

    scene = LeaderboardScene(app.services)
    app.stack.push(scene)
    app.stack.apply()
    return scene


def test_offline_is_a_friendly_sentence(make_app: Any) -> None:
    from game.integrations import set_leaderboard_identity

    app = make_app("menu")
    set_leaderboard_identity(app.leaderboard, server="ws://127.0.0.1:9/ws")  # nothing listens there
    scene = _open(app)
    _board_ready(app, scene)
    run_steps(app, 40)
    drawn = _texts_drawn(app, scene)
    assert "Offline" in drawn and "kept on this computer" in drawn
    assert "Error" not in drawn and "Refused" not in drawn, drawn


def test_boards_by_period_and_game_come_from_the_server(make_app: Any,
                                                        threaded_server: ThreadedServer) -> None:  # noqa: F811
    from game.input import Action, InputEvent
    from game.integrations import set_leaderboard_identity
    from game.net.client import open_link
    from game.net.outbox import make_submission
    from game.net.settings import NetSettings

    async def bob_scores() -> None:
        link, _ = await open_link(NetSettings(server=threaded_server.url, name="Bob"),
                                  save=False)
        sub = make_submission(mode="squat", score=7, played_at_ms=int(time.time() * 1000) - 60_000,
                              duration_ms=40_000,
                              telemetry={"reps": [{"duration_ms": 2000, "depth_deg": 92.0}] * 7})
        await link.request({"type": "submit", "submission": sub})
        await link.close()

    threaded_server.run(bob_scores())
    app = make_app("menu")
    set_leaderboard_identity(app.leaderboard, name="Ann", server=threaded_server.url)
    scene = _open(app)
    _board_ready(app, scene)
    assert scene.view.problem is None and scene.view.rows == ()  # weekly boxing: empty
    x, y, w, h = scene.targets["mode:squat"]
    app.dispatch(InputEvent(Action.CLICK, pos=(x + w // 2, y + h // 2)))
    _board_ready(app, scene)
    assert [(r.name, r.score) for r in scene.view.rows] == [("Bob", 7.0)]
    drawn = _texts_drawn(app, scene)
    assert "Squats: this week" in drawn and "Bob" in drawn and "7 reps" in drawn
    for tab in ("period:daily", "period:all_time"):
        x, y, w, h = scene.targets[tab]
        app.dispatch(InputEvent(Action.CLICK, pos=(x + w // 2, y + h // 2)))
        _board_ready(app, scene)
        assert scene.view.period == tab.split(":")[1] and scene.view.rows[0].name == "Bob"


def test_name_and_server_are_typed_in_settings(make_app: Any) -> None:
    from game.input import Action, InputEvent
    from game.net.settings import load_settings
    from game.scenes.settings import ROWS, SettingsScene

    app = make_app("menu")
    scene = SettingsScene(app.services)
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 2)
    fields = [r[0] for r in ROWS]
    scene.focus = fields.index("player_name")
    app.dispatch(InputEvent(Action.SELECT))
    for _ in range(len("Player")):
        app.dispatch(InputEvent(Action.BACK))
    show_camera = app.settings.show_camera
    app.dispatch(InputEvent(Action.TEXT, text="Ann"))
    app.dispatch(InputEvent(Action.TOGGLE_CAMERA))  # the letter C typed: not a shortcut here
    app.dispatch(InputEvent(Action.TEXT, text="c"))
    app.dispatch(InputEvent(Action.SELECT))
    assert app.settings.player_name == "Annc" and app.settings.show_camera == show_camera
    assert load_settings(app.home).name == "Annc"
    scene.focus = fields.index("server")
    app.dispatch(InputEvent(Action.SELECT))
    while scene.draft:
        app.dispatch(InputEvent(Action.BACK))
    app.dispatch(InputEvent(Action.TEXT, text="192.168.1.20"))
    app.dispatch(InputEvent(Action.SELECT))
    assert load_settings(app.home).server == "ws://192.168.1.20:8765/ws"
    run_steps(app, 2)
    assert "ws://192.168.1.20:8765/ws" in _texts_drawn(app, scene)
    # a wrong address is refused with a sentence and nothing changes
    app.dispatch(InputEvent(Action.SELECT))
    while scene.draft:
        app.dispatch(InputEvent(Action.BACK))
    app.dispatch(InputEvent(Action.TEXT, text="http://x y"))
    app.dispatch(InputEvent(Action.SELECT))
    assert scene.editing == "server" and any("Not saved" in t[0] for t in app.toasts)
    assert load_settings(app.home).server == "ws://192.168.1.20:8765/ws"


def test_group_boards_appear_as_tabs(make_app: Any, threaded_server: ThreadedServer) -> None:  # noqa: F811
    from game.input import Action, InputEvent
    from game.integrations import set_leaderboard_identity
    from game.net.client import open_link
    from game.net.settings import load_settings

    app = make_app("menu")
    set_leaderboard_identity(app.leaderboard, name="Ann", server=threaded_server.url)
    scene = _open(app)
    _board_ready(app, scene)  # Ann is registered now

    async def make_group() -> str:
        link, _ = await open_link(load_settings(app.home), folder=app.home)
        reply = await link.request({"type": "group.create", "name": "Morning class"})
        await link.close()
        return str(reply["group"]["id"])

    gid = threaded_server.run(make_group())
    app.stack.pop()
    app.stack.apply()
    scene = _open(app)
    _board_ready(app, scene)
    run_steps(app, 2)
    assert f"group:{gid}" in scene.targets
    x, y, w, h = scene.targets[f"group:{gid}"]
    app.dispatch(InputEvent(Action.CLICK, pos=(x + w // 2, y + h // 2)))
    _board_ready(app, scene)
    assert scene.view.group == gid and scene.view.problem is None
    assert "Boxing: Morning class, all time" in _texts_drawn(app, scene)
