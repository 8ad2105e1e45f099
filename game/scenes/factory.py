"""Building scenes by name: the first scene of a run and the menu's destinations.

This is the one module that imports the scenes it builds; a scene that opens another of these
(the menu, a new session) asks ``app.scenes`` (a :class:`SceneFactory`) instead of importing this
module, so the scene modules import each other in one direction only (tests/test_import_graph.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from game import exercises
from game.scenes.boxing import BoxingScene
from game.scenes.calibration import CalibrationScene
from game.scenes.leaderboard import LeaderboardScene
from game.scenes.moves import MovesScene
from game.scenes.reps import RepScene
from game.scenes.review import ReviewScene
from game.scenes.settings import SettingsScene
from game.scenes.title import TitleScene
from game.scenes.versus import VersusScene
from game.scenes.workout import WorkoutScene

if TYPE_CHECKING:
    from game.app import App


class SceneFactory:
    """The scenes one scene opens in place of itself: ``app.scenes.title()``,
    ``app.scenes.exercise(name, target=10)`` (the options of :func:`exercise_scene`)."""

    def __init__(self, app: App) -> None:
        self._app = app

    def title(self) -> Any:
        return title_scene(self._app)

    def exercise(self, exercise: str, **options: Any) -> Any:
        return exercise_scene(self._app, exercise, **options)


def title_scene(app: App) -> Any:
    return TitleScene(app)


def exercise_scene(app: App, exercise: str, *, calibrate: bool = True, on_done: Any = None,
                   target: int | None = None, stop_loss_pct: float | None = None,
                   difficulty: dict[str, Any] | None = None, warmup: bool = False,
                   progress_label: str | None = None) -> Any:
    """A rep challenge or a shadowboxing session, behind calibration unless already done.
    In a workout: ``progress_label`` ("Block 2 of 3 · Set 1 of 3") shows in the session,
    ``warmup`` marks a warm-up set (kept in the history, never a best or a leaderboard score)."""
    if exercise == exercises.BOXING:
        def make() -> Any:
            scene = BoxingScene(app, rounds=target, on_done=on_done, difficulty=difficulty)
            scene.progress_label = progress_label
            return scene
    else:
        def make() -> Any:
            scene = RepScene(app, exercise, target=target, on_done=on_done,
                             stop_loss_pct=stop_loss_pct)
            scene.progress_label = progress_label
            scene.is_warmup = warmup
            return scene
    # A generated demo player needs no set-up (and would never stand still for it).
    if calibrate and app.profile is None and not app.is_demo:
        return CalibrationScene(app, then=make, exercise=exercise)
    return make()


def initial_scene(app: App) -> Any:
    """The scene a run starts in, from ``--mode``."""
    mode = app.options.mode
    scripted = app.options.scripted
    if mode in exercises.NAMES:
        # Scripted runs skip calibration: a recorded clip cannot be asked to step back.
        calibrate = app.options.calibrate if app.options.calibrate is not None else not scripted
        return exercise_scene(app, mode, calibrate=calibrate, target=app.options.target)
    if mode == "versus":
        return VersusScene(app, app.options.versus, target=app.options.target)
    if mode == "calibrate":
        return CalibrationScene(app, then=None, exercise=exercises.DEFAULT)
    if mode == "workout":
        return WorkoutScene(app)
    if mode == "review":
        return ReviewScene(app, path=app.options.review_file)
    if mode == "moves":
        return MovesScene(app)
    if mode == "settings":
        return SettingsScene(app)
    if mode == "leaderboard":
        return LeaderboardScene(app)
    return title_scene(app)
