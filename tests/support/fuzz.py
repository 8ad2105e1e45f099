"""The time budget shared by the seeded fuzz tests (marker ``fuzz``).

``make test`` runs each fuzz test for a few seconds; ``make fuzz`` sets ``RINGSIDE_FUZZ_SECONDS``
for a long run. Cases are drawn from a seeded generator, so a failure names the seed and case
number that reproduce it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

DEFAULT_SECONDS = 3.0


def budget_seconds() -> float:
    """Seconds each fuzz test may spend (``RINGSIDE_FUZZ_SECONDS``, default 3)."""
    raw = os.environ.get("RINGSIDE_FUZZ_SECONDS", "")
    try:
        return max(0.5, float(raw)) if raw else DEFAULT_SECONDS
    except ValueError:
        return DEFAULT_SECONDS


def cases(min_cases: int = 20, max_cases: int | None = None) -> Iterator[int]:
    """Case numbers 0, 1, 2, ... until the budget is spent (at least ``min_cases``)."""
    deadline = time.monotonic() + budget_seconds()
    i = 0
    while i < min_cases or time.monotonic() < deadline:
        if max_cases is not None and i >= max_cases:
            return
        yield i
        i += 1
