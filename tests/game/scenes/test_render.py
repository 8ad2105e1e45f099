"""Every scene renders headless, at several window sizes, without changing state in draw()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame
import pytest

from game.input import Action, InputEvent
from game.session_result import FinishedSession
from tests.game.scenes.conftest import run_steps, surface_is_drawn


def _rep_session() -> dict[str, Any]:
    reps = [{"type": "rep", "t": 2.0 + i, "counted": i != 2, "count": i + (0 if i < 2 else -1),
             "score": 80 + i if i != 2 else None, "reason": None if i != 2 else "not_deep_enough",
             "metrics": {"peak_velocity_mps": 0.8 - 0.05 * i}, "cues": ["Chest up"]}
            for i in range(5)]
    return {"mode": "rep", "exercise": "squat", "uid": "u1", "ended": "target", "reps": reps,
            "stats": {"reps": 4, "attempts": 5, "target": 10, "avg_score": 82, "best_score": 84,
                      "velocity_loss_pct": 18.0, "duration_s": 31.0}}


def _boxing_session() -> dict[str, Any]:
    rounds = [{"score": 900 + 100 * i, "accuracy_pct": 70.0 + 5 * i} for i in range(3)]
    return {"mode": "boxing", "exercise": "boxing", "uid": "u2", "ended": "rounds",
            "per_round": rounds,
            "stats": {"score": 3000, "hits": 40, "targets": 52, "accuracy_pct": 76.9,
                      "best_combo": 9, "punches": 61, "peak_speed_mps": 5.2, "dodges": 3,
                      "rounds": 3}}


def _scene(app: Any, name: str, tmp_path: Path) -> Any:
    from game.scenes import factory
    from game.scenes.boxing import BoxingScene
    from game.scenes.calibration import CalibrationScene
    from game.scenes.leaderboard import LeaderboardScene
    from game.scenes.moves import MovesScene
    from game.scenes.overlays import CameraLostScene, MessageScene, PauseScene
    from game.scenes.reps import RepScene
    from game.scenes.results import ResultsScene
    from game.scenes.review import ReviewScene
    from game.scenes.settings import SettingsScene
    from game.scenes.workout import GuidedScene, WorkoutScene

    return {
        "title": lambda: factory.title_scene(app.services),
        "calibration": lambda: CalibrationScene(app.services, then=None),
        "reps": lambda: RepScene(app.services, "squat"),
        "pushups": lambda: RepScene(app.services, "pushup"),
        "boxing": lambda: BoxingScene(app.services),
        "workout": lambda: WorkoutScene(app.services),
        "guided": lambda: GuidedScene(app.services, "Warm-up", "Easy", 60.0, ("squat", "jab"),
                                      on_done=lambda: None),
        "results_reps": lambda: ResultsScene(app.services, [FinishedSession.from_json(_rep_session())]),
        "results_boxing": lambda: ResultsScene(app.services, [FinishedSession.from_json(_boxing_session()),
                                                             FinishedSession.from_json(_rep_session())]),
        "leaderboard": lambda: LeaderboardScene(app.services),
        "settings": lambda: SettingsScene(app.services),
        "review": lambda: ReviewScene(app.services),
        "moves": lambda: MovesScene(app.services),
        "pause": lambda: PauseScene(app.services, on_restart=lambda: None, on_end=lambda: None),
        "camera_lost": lambda: CameraLostScene(app.services),
        "message": lambda: MessageScene(app.services, "Heads up", "Your settings file was damaged."),
        "tutorial": lambda: __import__("game.scenes.tutorial", fromlist=["TutorialScene"])
        .TutorialScene(app.services),
    }[name]()


SCENES = ("title", "calibration", "reps", "pushups", "boxing", "workout", "guided",
          "results_reps", "results_boxing", "leaderboard", "settings", "review", "moves", "pause",
          "camera_lost", "message", "tutorial")


@pytest.mark.parametrize("name", SCENES)
def test_every_scene_renders_headless(make_app: Any, name: str, tmp_path: Path) -> None:
    app = make_app("menu")
    app.stack.push(_scene(app, name, tmp_path))
    app.stack.apply()
    run_steps(app, 40, draw_every=10)
    assert app.stack.top is not None
    assert surface_is_drawn(app.screen)
    out = tmp_path / f"{name}.png"
    pygame.image.save(app.screen, str(out))
    assert out.stat().st_size > 1000


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080), (800, 800)])
def test_scenes_lay_out_at_any_window_size(make_app: Any, size: tuple[int, int],
                                           tmp_path: Path) -> None:
    app = make_app("menu", size=size)
    for name in SCENES:
        app.stack.push(_scene(app, name, tmp_path))
        app.stack.apply()
        run_steps(app, 3)
        assert surface_is_drawn(app.screen), name
        app.stack.pop()
        app.stack.apply()


def test_window_resized_mid_session_keeps_the_session(make_app: Any) -> None:
    app = make_app("squat")
    run_steps(app, 60 * 4)
    scene = app.stack.top
    active = scene.active_s
    app.screen = pygame.display.set_mode((700, 900))
    run_steps(app, 60)
    assert app.stack.top is scene
    assert scene.active_s > active
    assert surface_is_drawn(app.screen)


def test_draw_never_changes_scene_state(make_app: Any, tmp_path: Path) -> None:
    app = make_app("squat")
    run_steps(app, 60 * 6)
    scene = app.stack.top
    watched = ("state", "t_s", "active_s", "reps", "finished")
    before = {k: repr(getattr(scene, k)) for k in watched}
    for _ in range(5):
        app.stack.draw(app.screen)
    assert {k: repr(getattr(scene, k)) for k in watched} == before


def test_title_menu_works_by_keyboard_mouse_and_the_same_action(make_app: Any) -> None:
    app = make_app("menu")
    run_steps(app, 2)
    title = app.stack.top
    # keyboard: down to "Settings" and select
    target = [b.key for b in title.menu.buttons].index("settings")
    for _ in range(target):
        app.dispatch(InputEvent(Action.DOWN))
    app.dispatch(InputEvent(Action.SELECT))
    run_steps(app, 2)
    assert app.stack.top.name == "settings"
    app.dispatch(InputEvent(Action.BACK))
    run_steps(app, 2)
    assert app.stack.top is title
    # mouse: click the Settings button where it was drawn
    rect = title.menu.rects["settings"]
    app.dispatch(InputEvent(Action.CLICK, pos=rect.center, source="mouse"))
    run_steps(app, 2)
    assert app.stack.top.name == "settings"


@pytest.mark.parametrize("size", [(1280, 720), (960, 540)])
def test_notices_never_cover_the_menu(make_app: Any, size: tuple[int, int]) -> None:
    """The damaged-settings notice (8 s) once sat over 'Settings' and 'Demo mode', the very
    buttons a player without a camera needs."""
    from game.scenes.overlays import toast_rects

    app = make_app(demo=None, size=size)
    app.notify("Your settings file was damaged (Expecting property name enclosed in double quotes: "
               "line 1 column 2 (char 1)); kept a copy as settings.json.corrupt-1 and started with "
               "defaults.", seconds=8.0)
    app.notify("Your history file was damaged; kept a copy as history.json.corrupt-1.", seconds=8.0)
    run_steps(app, 3)
    title = app.stack.top
    rects = toast_rects(app, app.screen)
    assert len(rects) == 2 and not rects[0].colliderect(rects[1])
    for r in rects:
        assert app.screen.get_rect().contains(r)
        for key, button in title.targets.items():
            assert not r.colliderect(button), (key, r, button)


@pytest.mark.parametrize("size", [(320, 200), (2000, 400), (500, 1000)])
def test_a_boxing_round_survives_odd_window_sizes(make_app: Any, size: tuple[int, int]) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    scene = app.stack.top
    run_steps(app, 60 * 6, draw_every=20)
    assert scene.rules is not None
    app.screen = pygame.display.set_mode(size)
    run_steps(app, 60 * 2, draw_every=5)
    assert app.stack.top is scene and surface_is_drawn(app.screen)
