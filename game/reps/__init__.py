"""Rep challenges (placeholder until the rep engine lands): counts are unknown, so null."""

from __future__ import annotations

from typing import Any

from game.pose.types import PoseFrame


class _NoRepDetector:
    def update(self, frame: PoseFrame) -> list[Any]:
        return []

    def finish(self) -> list[Any]:
        return []

    def summary(self) -> dict[str, Any]:
        return {"reps": None}


def make_rep_detector(exercise: str) -> Any:
    return _NoRepDetector()
