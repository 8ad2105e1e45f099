"""The game loop's pure parts: the fixed-step accumulator and the scene stack.

Lifecycle of a :class:`Scene` on the :class:`SceneStack`:

- ``enter()``: pushed on the stack (once). Start timers, reset state.
- ``pause()``: another scene was pushed on top of it. It gets no ``update``/``handle`` until
  ``resume()``; it is still drawn beneath an overlay scene (``is_overlay``).
- ``resume()``: the scene above it was popped.
- ``exit()``: popped or replaced (once). Release what ``enter`` took.
- ``handle(event)``: one input action (see :mod:`game.input`) for the top scene only.
- ``on_pose(item)``: one new pose frame for the top scene only, before that step's ``update``.
- ``update(dt_s)``: advance the simulation by exactly ``dt_s`` (the fixed step).
- ``draw(surface)``: render the current state; must never change it (it may run zero, one or
  several times per step).

Scenes change the stack only by sending commands (:class:`Push`, :class:`Pop`, :class:`Replace`,
:class:`ClearTo`: data, see ``BaseScene.go``); they never hold the stack. Commands sent during
``handle``/``update`` are queued in the order sent and applied between steps, so a scene never sees
its own lifecycle calls in the middle of an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

STEP_S = 1.0 / 60.0


@dataclass(frozen=True, slots=True)
class Push:
    """Put ``scene`` on top (the one beneath pauses)."""

    scene: Any


@dataclass(frozen=True, slots=True)
class Pop:
    """Remove the top scene (the one beneath resumes)."""


@dataclass(frozen=True, slots=True)
class Replace:
    """Remove the top scene and put ``scene`` in its place."""

    scene: Any


@dataclass(frozen=True, slots=True)
class ClearTo:
    """Remove every scene and start again from ``scene`` (back to the title)."""

    scene: Any


Command = Push | Pop | Replace | ClearTo


@dataclass
class FixedStep:
    """Fixed-step accumulator (the "Fix Your Timestep" pattern).

    ``advance(elapsed_s)`` adds real elapsed time and returns how many fixed steps to run now.
    At most ``max_steps`` are returned per call: after a stall (a slow disk, a debugger) the game
    drops the backlog instead of spiralling; ``dropped_s`` counts what was dropped.
    """

    step_s: float = STEP_S
    max_steps: int = 5
    accumulator_s: float = 0.0
    dropped_s: float = 0.0

    def advance(self, elapsed_s: float) -> int:
        self.accumulator_s += max(0.0, elapsed_s)
        steps = int(self.accumulator_s // self.step_s)
        if steps > self.max_steps:
            self.dropped_s += (steps - self.max_steps) * self.step_s
            self.accumulator_s -= (steps - self.max_steps) * self.step_s
            steps = self.max_steps
        # floating-point remainders can dip a hair below zero: time never runs backwards
        self.accumulator_s = max(0.0, self.accumulator_s - steps * self.step_s)
        return steps

    @property
    def alpha(self) -> float:
        """How far (0..1) real time is into the next step; for interpolated drawing."""
        return self.accumulator_s / self.step_s


class Scene:
    """Base scene: every hook is optional. See the module docstring for the lifecycle."""

    is_overlay: bool = False  # drawn over the scene beneath it instead of replacing it
    name: str = "scene"

    def enter(self) -> None: ...

    def exit(self) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def handle(self, event: Any) -> None: ...

    def on_pose(self, item: Any) -> None: ...

    def update(self, dt_s: float) -> None: ...

    def draw(self, surface: Any) -> None: ...


S = TypeVar("S", bound=Scene)


class SceneStack(Generic[S]):
    """A stack of scenes; only the top one is updated, all from the last opaque one up are drawn."""

    def __init__(self) -> None:
        self._scenes: list[S] = []
        self._pending: list[Command] = []
        self.on_change: Callable[[], None] | None = None

    # -- requests (queued) --------------------------------------------------------------
    def send(self, command: Command) -> None:
        """Queue a command; :meth:`apply` carries it out between steps."""
        self._pending.append(command)

    def push(self, scene: S) -> None:
        self.send(Push(scene))

    def pop(self) -> None:
        self.send(Pop())

    def replace(self, scene: S) -> None:
        """Pop the top scene and push ``scene``."""
        self.send(Replace(scene))

    def clear_to(self, scene: S) -> None:
        """Pop every scene and push ``scene`` (back to the title screen)."""
        self.send(ClearTo(scene))

    # -- applying -----------------------------------------------------------------------
    def apply(self) -> bool:
        """Apply queued transitions in order; returns True when anything changed."""
        changed = False
        while self._pending:
            command = self._pending.pop(0)
            changed = True
            if isinstance(command, Push):
                if self._scenes:
                    self._scenes[-1].pause()
                self._scenes.append(command.scene)
                command.scene.enter()
            elif isinstance(command, Pop):
                if self._scenes:
                    self._scenes.pop().exit()
                if self._scenes:
                    self._scenes[-1].resume()
            elif isinstance(command, Replace):
                if self._scenes:
                    self._scenes.pop().exit()
                self._scenes.append(command.scene)
                command.scene.enter()
            else:  # ClearTo
                while self._scenes:
                    self._scenes.pop().exit()
                self._scenes.append(command.scene)
                command.scene.enter()
        if changed and self.on_change is not None:
            self.on_change()
        return changed

    @property
    def top(self) -> S | None:
        return self._scenes[-1] if self._scenes else None

    @property
    def scenes(self) -> tuple[S, ...]:
        return tuple(self._scenes)

    def __len__(self) -> int:
        return len(self._scenes)

    def visible(self) -> list[S]:
        """Scenes to draw, bottom first: the top scene and the overlays' backdrops beneath it."""
        out: list[S] = []
        for scene in reversed(self._scenes):
            out.append(scene)
            if not scene.is_overlay:
                break
        return list(reversed(out))

    def update(self, dt_s: float) -> None:
        if self._scenes:
            self._scenes[-1].update(dt_s)

    def draw(self, surface: Any) -> None:
        for scene in self.visible():
            scene.draw(surface)
