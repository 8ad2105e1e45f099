"""Shadowboxing (placeholder until the punch detector lands): counts are unknown, so null."""

from __future__ import annotations

from typing import Any

from game.pose.types import PoseFrame


class _NoPunchDetector:
    def update(self, frame: PoseFrame) -> list[Any]:
        return []

    def finish(self) -> list[Any]:
        return []

    def summary(self) -> dict[str, Any]:
        return {"punches": None}


def make_punch_detector() -> Any:
    return _NoPunchDetector()
