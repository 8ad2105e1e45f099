"""The game's exercise registry: every list of exercises in the game derives from here.

One :class:`Exercise` per row of the shared exercise table (``ringside_protocol/exercises.py``:
wire name, titles, unit, kind, the server's plausibility limits), joined with what only the game
needs: the rep definition (``game/reps/definitions.py``: joints and which way they move, depth
standards, scored parts, cues, demo move, title button). CLI choices, title buttons, board tabs,
versus races, review and results titles all read this module; none writes a name out again.

Where to add an exercise: docs/ARCHITECTURE.md, "Where to add...". Pure: no I/O, no pygame.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.reps.definitions import DEFINITIONS, ExerciseDefinition
from ringside_protocol import BOXING_MODE, DEFAULT_REP_MODE, ExerciseMode
from ringside_protocol import EXERCISES as _MODES

#: The demo beside a points game (shadowboxing): a key of ``game.moves.MOVES``.
POINTS_DEMO = "jab"


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise as the game sees it."""

    mode: ExerciseMode
    definition: ExerciseDefinition | None  # the rep definition; None for a points game (boxing)

    @property
    def name(self) -> str:
        return self.mode.name

    @property
    def title(self) -> str:
        """Plural title: "Squats", "Shadowboxing"."""
        return self.mode.title

    @property
    def unit(self) -> str:
        return self.mode.unit

    @property
    def is_reps(self) -> bool:
        return self.definition is not None

    @property
    def singular(self) -> str:
        """One of them: "Squat", "Push-up" (the title for a points game)."""
        return self.definition.display_name if self.definition is not None else self.mode.title

    @property
    def demo(self) -> str:
        """The demo move shown beside the counter (a key of ``game.moves.MOVES``)."""
        return self.definition.demo_move if self.definition is not None else POINTS_DEMO

    @property
    def menu_title(self) -> str:
        return (self.definition.menu_title if self.definition is not None else "") or self.mode.title

    @property
    def tagline(self) -> str:
        return self.definition.tagline if self.definition is not None else ""

    @property
    def race_title(self) -> str:
        """The versus match: "Squat race" (a points game keeps its title)."""
        return f"{self.singular} race" if self.is_reps else self.mode.title

    @property
    def race_unit(self) -> str:
        """What a versus score counts: "squats", "points"."""
        return self.mode.title.lower() if self.is_reps else self.mode.unit


def _join() -> tuple[Exercise, ...]:
    out = []
    for mode in _MODES:
        definition = DEFINITIONS.get(mode.name)
        if (mode.kind == "reps") != (definition is not None):
            raise RuntimeError(f"exercise {mode.name!r}: the protocol's table and the rep definitions disagree")
        out.append(Exercise(mode, definition))
    return tuple(out)


EXERCISES: tuple[Exercise, ...] = _join()
BY_NAME: dict[str, Exercise] = {e.name: e for e in EXERCISES}
#: Every exercise's name, in the table's order (boxing first): CLI choices, board tabs, versus.
NAMES: tuple[str, ...] = tuple(e.name for e in EXERCISES)
#: The rep exercises (counted by game.reps).
REP_NAMES: tuple[str, ...] = tuple(e.name for e in EXERCISES if e.is_reps)
#: The exercise chosen when none is named (the first rep exercise).
DEFAULT: str = DEFAULT_REP_MODE
#: The points game (shadowboxing): its own scene and detector.
BOXING: str = BOXING_MODE


def get(name: str) -> Exercise:
    """The exercise called ``name``. Raises ValueError naming the choices for an unknown one."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown exercise {name!r}; choose one of {', '.join(NAMES)}") from None


def title(name: str) -> str:
    """The plural title of ``name`` ("Squats"); a name the table does not know, title-cased."""
    ex = BY_NAME.get(name)
    return ex.title if ex is not None else name.title()


__all__ = ["BOXING", "BY_NAME", "DEFAULT", "EXERCISES", "NAMES", "POINTS_DEMO", "REP_NAMES", "Exercise", "get", "title"]
