"""Workout flow (issue 11 item 6) and HRV import from the game (item 5)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from game.input import Action, InputEvent
from game.integrations import PlanBlock, TodayPlan
from tests.game.loop.conftest import run_steps
from tests.game.loop.test_nothing_pretended import _texts_drawn

SHARED_HRV = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "hrv"

PLAN = TodayPlan(
    title="Today", reason="test", readiness="normal", source="default",
    blocks=(PlanBlock("mobility", "Warm-up", "easy", minutes=1),
            PlanBlock("squat", "Squats", "2 sets of 2", sets=2, reps=2, rest_s=3)))


def _until(app: Any, name: str, *, limit_s: float = 90.0) -> Any:
    for _ in range(int(limit_s * 2)):
        if app.stack.top is not None and app.stack.top.name == name:
            return app.stack.top
        run_steps(app, 30, draw_every=30)
    raise AssertionError(f"never reached {name}; at {app.stack.top.name}: {app.scenes_seen}")


@pytest.fixture
def short_warmup(monkeypatch: pytest.MonkeyPatch) -> None:
    from game.scenes import workout

    monkeypatch.setattr(workout, "warmup_reps", lambda minutes: 2)
    monkeypatch.setattr(workout, "WARMUP_MOVES", ("squat",))


def test_a_workout_shows_blocks_sets_and_results_between_blocks(make_app: Any,
                                                                short_warmup: None) -> None:
    from game.scenes.workout import WorkoutRunner

    app = make_app("menu", calibrate=False)
    WorkoutRunner(app.services, PLAN).start()
    run_steps(app, 2)
    intro = app.stack.top
    assert intro.name == "block_intro" and "Block 1 of 2" in _texts_drawn(app, intro)
    warm = _until(app, "rep_challenge")
    assert warm.is_warmup and warm.progress_label == "Block 1 of 2 · Move 1 of 1"
    assert "Warm-up: squats · Move 1 of 1" in _texts_drawn(app, warm)
    # the warm-up is counted like any set, with the engine's feedback
    results = _until(app, "results")
    assert results.heading == "Block 1 of 2 done" and "continue" in results.targets
    assert results.sessions[0].to_json()["warmup"] and \
        results.sessions[0].to_json()["stats"]["reps"] == 2
    results.on_continue()
    run_steps(app, 2)
    assert app.stack.top.name == "block_intro"
    set1 = _until(app, "rep_challenge")
    assert set1.progress_label == "Block 2 of 2 · Set 1 of 2"
    assert "Squats · Set 1 of 2" in _texts_drawn(app, set1)
    rest = _until(app, "guided")
    assert "Set 1: 2 reps" in _texts_drawn(app, rest)
    set2 = _until(app, "rep_challenge")
    assert set2.progress_label == "Block 2 of 2 · Set 2 of 2"
    done = _until(app, "results")
    assert done.heading == "Workout complete" and len(done.sessions) == 3
    assert done.on_continue is None


def test_end_and_see_results_shows_the_block_results_before_moving_on(make_app: Any,
                                                                       short_warmup: None) -> None:
    from game.scenes.workout import WorkoutRunner

    plan = TodayPlan(title="Today", reason="", readiness="normal", source="default",
                     blocks=(PlanBlock("squat", "Squats", "", sets=3, reps=10, rest_s=30),
                             PlanBlock("mobility", "Cool-down", "", minutes=1)))
    app = make_app("menu", calibrate=False)
    WorkoutRunner(app.services, plan).start()
    set1 = _until(app, "rep_challenge")
    run_steps(app, 60 * 6, draw_every=60)
    set1.finish("player")  # the pause menu's "End and see results"
    run_steps(app, 2)
    results = app.stack.top
    assert results.name == "results" and results.heading == "Block 1 of 2 done"
    assert results.menu.buttons[0].label == "Next: Cool-down" or any(
        b.label == "Next: Cool-down" for b in results.menu.buttons)
    results.on_continue()
    run_steps(app, 2)
    assert app.stack.top.name == "block_intro" and app.stack.top.runner.block_i == 1


def test_the_workout_screen_never_waits_for_the_recovery_data(make_app: Any) -> None:
    from game.scenes.workout import WorkoutScene

    app = make_app("menu")
    app.plan_loader.start()  # what App.run does at start-up
    deadline = time.monotonic() + 20
    while app.plan_loader.result is None and time.monotonic() < deadline:
        time.sleep(0.02)
    scene = WorkoutScene(app.services)
    assert not scene.loading, "the plan was read in the background before the screen opened"
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 2)
    assert "Reading your recovery data" not in _texts_drawn(app, scene)


@pytest.mark.skipif(not (SHARED_HRV / "whoop_physiological_cycles.csv").exists(),
                    reason="shared HRV data not found")
def test_hrv_import_in_the_game_and_old_readings_are_called_old(make_app: Any) -> None:
    from game.scenes.hrv_import import HrvImportScene
    from game.scenes.workout import WorkoutScene

    app = make_app("menu")
    workout = WorkoutScene(app.services)
    app.stack.push(workout)
    app.stack.apply()
    browser = HrvImportScene(app.services, start=SHARED_HRV)
    app.stack.push(browser)
    app.stack.apply()
    run_steps(app, 2)
    names = [e.path.name for e in browser.entries]
    browser.focus = names.index("whoop_physiological_cycles.csv")
    app.dispatch(InputEvent(Action.SELECT))
    deadline = time.monotonic() + 60
    while (browser.is_busy or browser.result is None) and time.monotonic() < deadline:
        run_steps(app, 5)
        time.sleep(0.02)
    assert browser.error is None and browser.result.added > 0
    assert "new reading" in _texts_drawn(app, browser)
    app.dispatch(InputEvent(Action.BACK))  # leave the result
    app.dispatch(InputEvent(Action.BACK))  # leave the browser
    deadline = time.monotonic() + 30
    while app.plan_loader.result is None and time.monotonic() < deadline:
        time.sleep(0.02)
    run_steps(app, 3)
    assert app.stack.top is workout and not workout.loading
    assert workout.plan.readings_too_old, workout.plan
    drawn = _texts_drawn(app, workout)
    assert "too old" in drawn and "No HRV readings yet" not in drawn
    assert "24 Jun 2024" in drawn and "2024-06-24" not in drawn  # one date format
