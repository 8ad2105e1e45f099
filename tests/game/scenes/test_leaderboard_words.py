"""The leaderboard screen offline: the board never says it is asking while the line above it
says the server is offline (issue 11: messages that say what is going on)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from game.scenes import ui


def _board_words(app: Any, scene: Any) -> list[str]:
    with ui.record_boxes() as boxes:
        app._draw()
    return [t.text for t in boxes.texts]


def test_offline_board_says_the_server_is_not_answering(make_app: Any) -> None:
    from game.scenes.leaderboard import LeaderboardScene

    app = make_app("menu", size=(1280, 720))
    scene = LeaderboardScene(app.services)
    app.stack.push(scene)
    app.stack.apply()
    scene.view = None
    scene.status = SimpleNamespace(is_connected=False, pending=2, clock_offset_ms=0)
    scene.worker = scene.worker or SimpleNamespace(status=lambda: scene.status,
                                                   standings=lambda: None)
    words = " ".join(_board_words(app, scene))
    assert "Offline" in words
    assert "Asking the server" not in words
    assert "not answering" in words
    scene.status = None  # nothing known yet: asking is the truth
    assert "Asking the server..." in _board_words(app, scene)


def test_no_recent_sessions_heading_over_nothing(make_app: Any) -> None:
    from game.scenes.leaderboard import LeaderboardScene

    app = make_app("menu", size=(1280, 720))
    scene = LeaderboardScene(app.services)
    app.stack.push(scene)
    app.stack.apply()
    assert not app.history.recent(8)
    assert "Recent sessions" not in _board_words(app, scene)
