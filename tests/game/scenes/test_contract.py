"""The scene contract: a scene needs only its services (no App), changes the stack only by sending
commands, and the app reads typed flags instead of probing scenes with getattr."""

from __future__ import annotations

import ast
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from game.audio import Audio  # noqa: E402
from game.feed import FeedItem, FeedStatus  # noqa: E402
from game.input import Action, HoverSelect, InputEvent  # noqa: E402
from game.loop import ClearTo, Command, Pop, Push, Replace  # noqa: E402
from game.session_result import FinishedMatch, FinishedSession, SessionResult  # noqa: E402
from game.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class _Feed:
    is_camera: bool = True
    status: FeedStatus = FeedStatus.LIVE
    label: str = "camera 0"
    message: str | None = None
    is_exhausted: bool = False


@dataclass
class _Source:
    feed: _Feed | None = field(default_factory=_Feed)
    spec: str | None = "camera:0"
    is_demo: bool = False
    is_camera: bool = True
    demo_exercise: str | None = None
    restarts: int = 0

    def restart(self, exercise: str | None = None) -> None:
        self.restarts += 1

    def truncation_problem(self) -> str | None:
        return None


class FakeServices:
    """Just the members of game.scenes.services.SceneServices a rep session uses: no App, no
    window, no pose model."""

    def __init__(self, home: Path) -> None:
        self.settings = Settings()
        self.audio = Audio(volume=0.0)
        self.source = _Source()
        self.latest: FeedItem | None = None
        self.pointer = HoverSelect()
        self.rng = random.Random(3)
        self.home = home
        self.is_scripted = True
        self.wall_s = 1.8e9
        self.now_ms = 0.0
        self.commands: list[Command] = []
        self.notices: list[str] = []
        self.saved: list[SessionResult] = []
        self.kept: list[FinishedSession | FinishedMatch] = []
        self.unfinished: list[Any] = []
        self.profile: Any = None  # no set-up scene ran: the rep engine calibrates itself

        class _Options:
            scripted = True

        self.options = _Options()

        class _Link:
            def worker(self, *, start: bool = True) -> None:
                return None

            def start_if_configured(self) -> None: ...

        self.leaderboard = _Link()
        from game.scenes.factory import SceneFactory

        self.scenes = SceneFactory(self)  # type: ignore[arg-type]  # a partial fake of the SceneServices class

    def go(self, command: Command) -> None:
        self.commands.append(command)

    def notify(self, message: str, *_: Any, **__: Any) -> None:
        self.notices.append(message)

    def mark_feedback(self, item: Any) -> None: ...

    def record_session(self, result: SessionResult, journal: Any = None) -> FinishedSession:
        self.saved.append(result)
        return FinishedSession(result, is_saved=True)

    def keep_finished(self, finished: FinishedSession | FinishedMatch) -> None:
        self.kept.append(finished)


def _squat_items() -> Iterator[FeedItem]:
    from game.reps.synthetic import Camera, Move, simulate

    script = [Move("stand", 1.5)] + [Move("rep", 2.2), Move("stand", 0.6)] * 3
    for frame in simulate("squat", script, rng=np.random.default_rng(7),
                          camera=Camera(yaw_deg=60), fps=30.0):
        yield FeedItem(frame, None, 0.0, 0.0)


def test_a_rep_session_runs_on_its_services_alone(tmp_path: Path) -> None:
    """Countdown, three squats, finish: the scene saves through record_session and asks for
    the results screen with a command; it never touches an App (there is none)."""
    from game.scenes.reps import RepScene
    from game.scenes.results import ResultsScene

    services = FakeServices(tmp_path)
    scene = RepScene(services, "squat", target=3, countdown_s=0.1)  # type: ignore[arg-type]  # partial fake, as above
    scene.enter()
    for item in _squat_items():
        services.latest = item
        scene.on_pose(item)
        scene.update(1 / 30)
        if scene.finished:
            break
    assert scene.finished and services.source.restarts == 1  # the clip restarts at "Go"
    assert [r.exercise for r in services.saved] == ["squat"]
    result = services.saved[0]
    assert result.ended == "target" and result.stats["reps"] == 3
    assert result.source_kind == "camera" and result.started_s == services.wall_s
    assert len(services.commands) == 1 and isinstance(services.commands[0], Replace)
    assert isinstance(services.commands[0].scene, ResultsScene)
    assert services.commands[0].scene.session.result is result


def test_the_pause_menu_sends_commands_in_order(tmp_path: Path) -> None:
    """End from the pause menu: the menu pops itself, then the session beneath replaces itself
    with its results: two commands, in that order (applied between steps)."""
    from game.scenes.overlays import PauseScene
    from game.scenes.title import TitleScene

    services = FakeServices(tmp_path)
    ended: list[bool] = []
    pause = PauseScene(services, on_end=lambda: ended.append(True))  # type: ignore[arg-type]  # partial fake, as above
    pause.menu.focus = [b.key for b in pause.menu.buttons].index("end")
    pause.handle(InputEvent(Action.SELECT))
    assert services.commands == [Pop()] and ended == [True]
    pause.menu.focus = [b.key for b in pause.menu.buttons].index("menu")
    pause.handle(InputEvent(Action.SELECT))
    assert isinstance(services.commands[-1], ClearTo)
    assert isinstance(services.commands[-1].scene, TitleScene)


def test_the_stack_applies_commands_as_data() -> None:
    from game.loop import Scene, SceneStack

    log: list[str] = []

    class S(Scene):
        def __init__(self, name: str) -> None:
            self.name = name

        def enter(self) -> None:
            log.append(f"enter {self.name}")

        def exit(self) -> None:
            log.append(f"exit {self.name}")

    stack: SceneStack[S] = SceneStack()
    for command in (Push(S("a")), Push(S("b")), Pop(), Replace(S("c")), ClearTo(S("d"))):
        stack.send(command)
    assert stack.top is None  # queued, not applied
    stack.apply()
    assert log == ["enter a", "enter b", "exit b", "exit a", "enter c", "exit c", "enter d"]
    assert [s.name for s in stack.scenes] == ["d"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize("path", sorted((ROOT / "game" / "scenes").glob("*.py")),
                         ids=lambda p: p.name)
def test_scenes_never_reach_into_the_app(path: Path) -> None:
    """Scenes use their services: no stack, no App (the one App-level drawing function, the
    overlay the app draws over every scene, is the exception)."""
    text = path.read_text(encoding="utf-8")
    assert ".stack." not in text.replace("app.stack.", "") or path.name == "overlays.py"
    assert "self.app" not in text
    if path.name not in ("overlays.py", "services.py"):
        assert "game.app" not in _imports(path), "a scene imports the App"


def test_the_app_asks_scenes_through_typed_flags() -> None:
    """No getattr/hasattr probing of scenes and no attribute patched onto the app at run time."""
    app_src = (ROOT / "game" / "app.py").read_text(encoding="utf-8")
    assert "getattr(top" not in app_src and "getattr(scene" not in app_src
    assert "hasattr(top" not in app_src
    integrations = (ROOT / "game" / "integrations.py").read_text(encoding="utf-8")
    assert "app._sync_worker" not in integrations
    assert "type: ignore[attr-defined]" not in integrations
