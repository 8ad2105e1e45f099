"""How numbers and counts read on screen, the same in every scene (pure)."""

from __future__ import annotations

import re
from datetime import date


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 rep``, ``2 reps``, ``0 reps``: a count with its noun (``words`` for irregular ones)."""
    return f"{number(n)} {word if n == 1 else (words or word + 's')}"


def number(value: float | int | None, decimals: int = 0) -> str:
    """A figure as the game shows it everywhere: thousands grouped (``11,876``), ``--`` when
    unknown. Whole numbers never show ``.0``."""
    if value is None:
        return "--"
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")):
        return "--"
    if decimals <= 0:
        return f"{round(v):,}"
    return f"{v:,.{decimals}f}"


def without_paths(text: str) -> str:
    """A message with every file path cut to its last part: ``cannot read f1.jpg``, never
    ``/home/ann/Downloads/frames/f1.jpg`` (players read names, not paths)."""
    return re.sub(r"(?:[A-Za-z]:)?[/\\](?:[^\s/\\:]+[/\\])+([^\s/\\:]+)", r"\1", text)


def day(iso: str | None) -> str:
    """A date as the game shows it everywhere: ``24 Jun 2024`` (from ``2024-06-24``)."""
    if not iso:
        return "--"
    try:
        return f"{date.fromisoformat(iso[:10]):%d %b %Y}".lstrip("0")
    except ValueError:
        return iso
