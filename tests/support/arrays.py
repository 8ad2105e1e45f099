"""Comparing a frame's optional arrays (landmarks, world points) in tests."""

from __future__ import annotations

import numpy as np

from game.pose.types import FloatArray


def same_or_both_missing(a: FloatArray | None, b: FloatArray | None) -> bool:
    """True when both are missing or both hold the same numbers, bit for bit (``np.array_equal``
    would also say so, but its types refuse None)."""
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))
