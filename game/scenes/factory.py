"""Building scenes by name: the first scene of a run and the menu's destinations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from game.scenes.services import SceneServices


def title_scene(services: SceneServices) -> Any:
    from game.scenes.title import TitleScene

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
    if exercise == "boxing":
        from game.scenes.boxing import BoxingScene

        def make() -> Any:
            scene = BoxingScene(services, rounds=target, on_done=on_done, difficulty=difficulty)
            scene.progress_label = progress_label
            scene.plan_json = plan
            return scene
    else:
        from game.scenes.reps import RepScene

        def make() -> Any:
            scene = RepScene(services, exercise, target=target, on_done=on_done,
                             stop_loss_pct=stop_loss_pct)
            scene.progress_label = progress_label
            scene.is_warmup = warmup
            scene.plan_json = plan
            return scene
    # A generated demo player needs no set-up (and would never stand still for it).
    if calibrate and services.profile is None and not services.source.is_demo:
        from game.scenes.calibration import CalibrationScene

        return CalibrationScene(services, then=make, exercise=exercise)
    return make()


def initial_scene(services: SceneServices) -> Any:
    """The scene a run starts in, from ``--mode``."""
    mode = services.options.mode
    scripted = services.options.scripted
    if mode in ("squat", "pushup", "lunge", "boxing"):
        # Scripted runs skip calibration: a recorded clip cannot be asked to step back.
        asked = services.options.calibrate
        calibrate = asked if asked is not None else not scripted
        return exercise_scene(services, mode, calibrate=calibrate, target=services.options.target)
    if mode == "versus":
        from game.scenes.versus import VersusScene

        return VersusScene(services, services.options.versus, target=services.options.target)
    if mode == "calibrate":
        from game.scenes.calibration import CalibrationScene

        return CalibrationScene(services, then=None, exercise="squat")
    if mode == "workout":
        from game.scenes.workout import WorkoutScene

        return WorkoutScene(services)
    if mode == "review":
        from game.scenes.review import ReviewScene

        return ReviewScene(services, path=services.options.review_file)
    if mode == "moves":
        from game.scenes.moves import MovesScene

        return MovesScene(services)
    if mode == "settings":
        from game.scenes.settings import SettingsScene

        return SettingsScene(services)
    if mode == "leaderboard":
        from game.scenes.leaderboard import LeaderboardScene

        return LeaderboardScene(services)
    return title_scene(services)
