"""Building scenes by name: the first scene of a run and the menu's destinations.

This is the one module that imports the scenes it builds; a scene that opens another of these
(the menu, a new session) asks ``services.scenes`` (a :class:`SceneFactory`) instead of importing
this module, so the scene modules import each other in one direction only
(tests/test_import_graph.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from game import exercises, modes
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
    from game.scenes.services import SceneServices


class SceneFactory:
    """The scenes one scene opens in place of itself: ``services.scenes.title()``,
    ``services.scenes.exercise(name, target=10)`` (the options of :func:`exercise_scene`)."""

    def __init__(self, services: SceneServices) -> None:
        self._services = services

    def title(self) -> Any:
        return title_scene(self._services)

    def exercise(self, exercise: str, **options: Any) -> Any:
        return exercise_scene(self._services, exercise, **options)


def title_scene(services: SceneServices) -> Any:
    return TitleScene(services)


def exercise_scene(services: SceneServices, exercise: str, *, calibrate: bool = True,
                   on_done: Any = None, target: int | None = None,
                   stop_loss_pct: float | None = None,
                   difficulty: dict[str, Any] | None = None, warmup: bool = False,
                   progress_label: str | None = None, plan: dict[str, Any] | None = None) -> Any:
    """A rep challenge or a shadowboxing session, behind calibration unless already done.
    In a workout: ``progress_label`` ("Block 2 of 3 · Set 1 of 3") shows in the session,
    ``warmup`` marks a warm-up set (kept in the history, never a best or a leaderboard score),
    ``plan`` (today's plan as JSON) is kept with the session."""
    if exercise == exercises.BOXING:
        def make() -> Any:
            scene = BoxingScene(services, rounds=target, on_done=on_done, difficulty=difficulty)
            scene.progress_label = progress_label
            scene.plan_json = plan
            return scene
    else:
        def make() -> Any:
            scene = RepScene(services, exercise, target=target, on_done=on_done,
                             stop_loss_pct=stop_loss_pct)
            scene.progress_label = progress_label
            scene.is_warmup = warmup
            scene.plan_json = plan
            return scene
    # A generated demo player needs no set-up (and would never stand still for it).
    if calibrate and services.profile is None and not services.source.is_demo:
        return CalibrationScene(services, then=make, exercise=exercise)
    return make()


def initial_scene(services: SceneServices) -> Any:
    """The scene a run starts in, from ``--mode``."""
    options = services.options
    mode = options.mode
    if mode in exercises.NAMES:
        # Scripted runs skip calibration: a recorded clip cannot be asked to step back.
        asked = options.calibrate
        calibrate = asked if asked is not None else not options.scripted
        return exercise_scene(services, mode, calibrate=calibrate, target=options.target)
    if mode == modes.VERSUS:
        return VersusScene(services, options.versus, target=options.target)
    if mode == modes.CALIBRATE:
        return CalibrationScene(services, then=None, exercise=exercises.DEFAULT)
    if mode == modes.WORKOUT:
        return WorkoutScene(services)
    if mode == modes.REVIEW:
        return ReviewScene(services, path=options.review_file)
    if mode == modes.MOVES:
        return MovesScene(services)
    if mode == modes.SETTINGS:
        return SettingsScene(services)
    if mode == modes.LEADERBOARD:
        return LeaderboardScene(services)
    return title_scene(services)
