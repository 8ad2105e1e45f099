"""Live challenge standings as the game sees them, and how to show them.

:func:`parse_standings` converts a server ``standings``/``challenge`` message once into frozen
dataclasses; :func:`standings_lines` formats them as text; :func:`draw_standings` paints them on a
pygame surface (an overlay for any scene; it only reads the standings).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StandingEntry:
    rank: int
    player_id: str
    name: str
    score: float
    is_final: bool
    is_me: bool


@dataclass(frozen=True)
class Standings:
    code: str
    title: str
    exercise: str
    state: str  # lobby | running | finished
    trainer: str
    duration_s: int
    ends_at_ms: int | None
    server_now_ms: int
    version: int
    entries: tuple[StandingEntry, ...]

    def seconds_left(self, local_now_ms: int, clock_offset_ms: int = 0) -> float | None:
        """Seconds until the end (None unless running). ``clock_offset_ms`` = server - local clock."""
        if self.state != "running" or self.ends_at_ms is None:
            return None
        return max(0.0, (self.ends_at_ms - (local_now_ms + clock_offset_ms)) / 1000.0)

    def my_entry(self) -> StandingEntry | None:
        return next((e for e in self.entries if e.is_me), None)


def parse_standings(msg: Mapping[str, Any], my_player_id: str | None = None) -> Standings:
    """Build :class:`Standings` from a ``standings`` push or a ``challenge`` reply.
    Raises ValueError if the message lacks the fields."""
    try:
        ch = msg["challenge"]
        entries = tuple(
            StandingEntry(int(e["rank"]), str(e["player"]), str(e["name"]), float(e["score"]), bool(e.get("final")),
                          e["player"] == my_player_id)
            for e in msg["entries"]
        )
        return Standings(str(ch["code"]), str(ch["title"]), str(ch["exercise"]), str(ch["state"]),
                         str(ch.get("trainer", "")), int(ch["duration_s"]), ch.get("ends_at_ms"),
                         int(msg["now_ms"]), int(msg["version"]), entries)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a standings message: {exc}") from exc


def _score(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.1f}"


def standings_lines(st: Standings, *, top: int = 10, seconds_left: float | None = None) -> list[str]:
    """Text lines: a header, then ``top`` entries (plus the player's own line if lower)."""
    clock = ""
    if st.state == "running" and seconds_left is not None:
        s = int(seconds_left + 0.999)
        clock = f"  {s // 60}:{s % 60:02d} left"
    elif st.state == "finished":
        clock = "  final"
    elif st.state == "lobby":
        clock = "  waiting for the trainer to start"
    lines = [f"{st.title} [{st.code}] {st.exercise}{clock}"]
    shown = list(st.entries[:top])
    me = st.my_entry()
    if me is not None and me not in shown:
        shown.append(me)
    width = max([len(e.name) for e in shown] + [4])
    for e in shown:
        marker = ">" if e.is_me else " "
        lines.append(f"{marker}{e.rank:>3}. {e.name:<{width}}  {_score(e.score):>8}")
    if not st.entries:
        lines.append(f"  no players yet: join with code {st.code}")
    return lines


def draw_standings(surface: Any, st: Standings, *, font: Any = None, topleft: tuple[int, int] = (16, 16),
                   seconds_left: float | None = None, top: int = 8) -> Any:
    """Draw the standings as a translucent panel with aligned columns; returns the pygame.Rect
    drawn. Needs ``pygame.font.init()``. Reads the standings only."""
    import pygame  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    font = font or pygame.font.Font(None, 28)
    gold, accent, ink = (255, 200, 61), (255, 90, 54), (242, 244, 248)
    header = font.render(standings_lines(st, top=0, seconds_left=seconds_left)[0], True, gold)
    shown = list(st.entries[:top])
    me = st.my_entry()
    if me is not None and me not in shown:
        shown.append(me)
    rows = []
    for e in shown:
        colour = accent if e.is_me else ink
        rows.append((font.render(f"{e.rank}.", True, colour), font.render(e.name, True, colour),
                     font.render(_score(e.score), True, colour)))
    if not shown:
        rows.append((font.render("", True, ink), font.render(f"join with code {st.code}", True, ink),
                     font.render("", True, ink)))
    pad, gap = 10, 12
    rank_w = max(r[0].get_width() for r in rows)
    name_w = max(r[1].get_width() for r in rows)
    score_w = max(r[2].get_width() for r in rows)
    line_h = font.get_linesize()
    w = max(header.get_width(), rank_w + name_w + score_w + 2 * gap) + 2 * pad
    h = line_h * (len(rows) + 1) + 2 * pad
    panel = pygame.Surface((w, h), pygame.SRCALPHA)
    panel.fill((15, 17, 21, 200))
    panel.blit(header, (pad, pad))
    for i, (rank, name, score) in enumerate(rows):
        y = pad + line_h * (i + 1)
        panel.blit(rank, (pad + rank_w - rank.get_width(), y))
        panel.blit(name, (pad + rank_w + gap, y))
        panel.blit(score, (w - pad - score.get_width(), y))
    return surface.blit(panel, topleft)
