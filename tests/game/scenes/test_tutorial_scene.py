"""The tutorial screen: shown once to a camera player, skippable move by move, readable."""

from __future__ import annotations

from typing import Any

from game.input import Action, InputEvent
from game.scenes import ui
from game.scenes.tutorial import DONE_MARKER, TutorialScene, tutorial_needed
from tests.game.scenes.conftest import run_steps
from tests.game.scenes.layout import problems


def test_never_for_a_demo_or_a_scripted_run(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    assert not tutorial_needed(app.services)
    assert app.stack.top.name == "shadowboxing"


def test_skipping_moves_through_every_step_and_marks_it_seen(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    done = []
    app.stack.push(TutorialScene(app.services, on_done=lambda: done.append(True)))
    app.stack.apply()
    scene = app.stack.top
    run_steps(app, 60 * 3, draw_every=30)  # the demo boxer stands in guard: guard confirmed
    assert scene.tutorial.index >= 1 or scene.tutorial.view().is_confirmed
    seen = set()
    for _ in range(10):
        seen.add(scene.tutorial.view().step.key)
        app.dispatch(InputEvent(Action.RIGHT))
        run_steps(app, 2)
        if done:
            break
    assert {"jab", "cross", "hook", "uppercut", "slip", "duck"} <= seen
    assert done == [True]  # the last skip ends it
    assert (app.home / DONE_MARKER).exists()
    assert app.stack.top.name == "shadowboxing"


def test_esc_skips_the_rest(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    app.stack.push(TutorialScene(app.services))
    app.stack.apply()
    run_steps(app, 10)
    app.dispatch(InputEvent(Action.BACK))
    run_steps(app, 2)
    assert (app.home / DONE_MARKER).exists() and app.stack.top.name == "shadowboxing"


def test_the_tutorial_screen_passes_the_layout_check(make_app: Any) -> None:
    for size in ((1280, 720), (854, 480)):
        app = make_app("boxing", demo="boxing", calibrate=False, size=size)
        app.stack.push(TutorialScene(app.services))
        app.stack.apply()
        found = []
        for _ in range(4):
            run_steps(app, 45, draw_every=45)
            with ui.record_boxes() as boxes:
                app._draw()
            found += problems(boxes, size[1])
            app.dispatch(InputEvent(Action.RIGHT))
        assert not found, found
