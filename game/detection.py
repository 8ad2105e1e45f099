"""What every detector is: pure, PoseFrames in time order in, events (objects with ``to_json()``)
out. A leaf module, so the detectors (``game.reps``, ``game.boxing``) and the code that picks one
(``game.analysis``) can all import it without importing each other."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from game.pose.types import PoseFrame


class Event(Protocol):
    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with at least ``type`` and ``t`` (seconds)."""
        ...


class Detector(Protocol):
    # Sequence (read-only), not list: a detector's own list[PunchEvent] is then a Sequence[Event].
    def update(self, frame: PoseFrame) -> Sequence[Event]:
        """Feed one frame (with or without a person); return the events it completes."""
        ...

    def finish(self) -> Sequence[Event]:
        """End of stream: return any events still pending."""
        ...

    def summary(self) -> dict[str, Any]:
        """Counts for the analysis summary, e.g. ``{"reps": 3}`` or ``{"punches": 5}``."""
        ...
