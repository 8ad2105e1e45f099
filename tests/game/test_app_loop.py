"""The fixed-step accumulator and the scene stack's lifecycle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from game.loop import STEP_S, FixedStep, Scene, SceneStack


@given(st.lists(st.floats(min_value=0.0, max_value=0.5), max_size=200))
def test_fixed_step_accounts_for_every_second(elapsed: list[float]) -> None:
    fs = FixedStep()
    steps = sum(fs.advance(e) for e in elapsed)
    total = steps * STEP_S + fs.accumulator_s + fs.dropped_s
    assert abs(total - sum(elapsed)) < 1e-6
    assert 0.0 <= fs.accumulator_s < STEP_S + 1e-9
    assert 0.0 <= fs.alpha < 1.0 + 1e-9


def test_fixed_step_caps_the_backlog_after_a_stall() -> None:
    fs = FixedStep(max_steps=5)
    assert fs.advance(2.0) == 5
    assert fs.dropped_s > 1.8


class Recorder(Scene):
    def __init__(self, name: str, log: list[str], overlay: bool = False) -> None:
        self.name = name
        self.log = log
        self.is_overlay = overlay

    def enter(self) -> None:
        self.log.append(f"{self.name}.enter")

    def exit(self) -> None:
        self.log.append(f"{self.name}.exit")

    def pause(self) -> None:
        self.log.append(f"{self.name}.pause")

    def resume(self) -> None:
        self.log.append(f"{self.name}.resume")

    def update(self, dt_s: float) -> None:
        self.log.append(f"{self.name}.update")


def test_scene_stack_lifecycle_is_documented_order() -> None:
    log: list[str] = []
    stack: SceneStack[Recorder] = SceneStack()
    a, b, c = Recorder("a", log), Recorder("b", log, overlay=True), Recorder("c", log)
    stack.push(a)
    stack.apply()
    stack.push(b)
    assert log == ["a.enter"], "transitions are queued until apply()"
    stack.apply()
    stack.update(STEP_S)
    assert stack.visible() == [a, b], "an overlay is drawn over the scene beneath it"
    stack.pop()
    stack.apply()
    stack.replace(c)
    stack.apply()
    stack.clear_to(a)
    stack.apply()
    assert log == ["a.enter", "a.pause", "b.enter", "b.update", "b.exit", "a.resume", "a.exit",
                   "c.enter", "c.exit", "a.enter"]
    assert stack.top is a and len(stack) == 1
