"""Issue 11's pile-up on the squat screen: "Nobody in view" (a toast over the count), "Step back
into view", COUNTER PAUSED and the side-panel cue, all at once. Now: one line, no toast."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from game.scenes import ui
from tests.game.scenes.conftest import run_steps


def test_nobody_in_view_is_one_line_on_the_stage_and_no_toast(make_app: Any) -> None:
    app = make_app("squat", demo="squat", calibrate=False)
    run_steps(app, 60 * 8, draw_every=60)
    scene = app.stack.top
    assert scene.state == "active"
    item = app.latest
    # the player leaves: the engine says so, the frame has nobody in it
    app.latest = replace(item, pose=replace(item.pose, landmarks_px=None))
    from game.reps.events import InputEvent as EngineInput

    scene._react(EngineInput(item.pose.timestamp_ms / 1000.0, "person_lost",
                             cue="Step back into view"), item)
    scene.update(1 / 60)
    shown = scene.feedback.shown()
    assert list(shown) == ["cue"]
    assert not app.toasts  # nothing over the count
    with ui.record_boxes() as boxes:
        scene.draw(app.screen)
    assert len(boxes.messages) == 1
    words = [t.text for t in boxes.texts]
    assert sum("view" in w.lower() for w in words) == 1, words

