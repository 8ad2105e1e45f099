"""Building scenes by name: the first scene of a run and the menu's destinations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from game import exercises

if TYPE_CHECKING:
    from game.app import App


def title_scene(app: App) -> Any:
    from game.scenes.title import TitleScene

    return TitleScene(app)


def exercise_scene(app: App, exercise: str, *, calibrate: bool = True, on_done: Any = None,
                   target: int | None = None, stop_loss_pct: float | None = None,
                   difficulty: dict[str, Any] | None = None, warmup: bool = False,
                   progress_label: str | None = None) -> Any:
    """A rep challenge or a shadowboxing session, behind calibration unless already done.
    In a workout: ``progress_label`` ("Block 2 of 3 · Set 1 of 3") shows in the session,
    ``warmup`` marks a warm-up set (kept in the history, never a best or a leaderboard score)."""
    if exercise == exercises.BOXING:
        from game.scenes.boxing import BoxingScene

        def make() -> Any:
            scene = BoxingScene(app, rounds=target, on_done=on_done, difficulty=difficulty)
            scene.progress_label = progress_label
            return scene
    else:
        from game.scenes.reps import RepScene

        def make() -> Any:
            scene = RepScene(app, exercise, target=target, on_done=on_done,
                             stop_loss_pct=stop_loss_pct)
            scene.progress_label = progress_label
            scene.is_warmup = warmup
            return scene
    # A generated demo player needs no set-up (and would never stand still for it).
    if calibrate and app.profile is None and not app.is_demo:
        from game.scenes.calibration import CalibrationScene

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
        from game.scenes.versus import VersusScene

        return VersusScene(app, app.options.versus, target=app.options.target)
    if mode == "calibrate":
        from game.scenes.calibration import CalibrationScene

        return CalibrationScene(app, then=None, exercise=exercises.DEFAULT)
    if mode == "workout":
        from game.scenes.workout import WorkoutScene

        return WorkoutScene(app)
    if mode == "review":
        from game.scenes.review import ReviewScene

        return ReviewScene(app, path=app.options.review_file)
    if mode == "moves":
        from game.scenes.moves import MovesScene

        return MovesScene(app)
    if mode == "settings":
        from game.scenes.settings import SettingsScene

        return SettingsScene(app)
    if mode == "leaderboard":
        from game.scenes.leaderboard import LeaderboardScene

        return LeaderboardScene(app)
    return title_scene(app)
