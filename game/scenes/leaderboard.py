"""Leaderboard: the server's boards (today, this week, all time, your groups) per game, a live
challenge's standings, sync status in plain words, and your own bests."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.errors import RingsideError
from game.input import Action, InputEvent
from game.integrations import BOARD_MODES, BoardView, fetch_board
from game.loop import Pop
from game.scenes import rows, ui
from game.scenes.base import BaseScene
from game.wording import number, plural

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

PERIOD_LABELS = {"daily": "Today", "weekly": "This week", "all_time": "All time"}
# Board tabs, one per exercise (game.exercises); the points game's tab keeps its short name.
MODE_LABELS = {m: "Boxing" if m == exercises.BOXING else exercises.title(m) for m in BOARD_MODES}
MAX_GROUP_TABS = 2


class LeaderboardScene(BaseScene):
    name = "leaderboard"

    def __init__(self, services: SceneServices) -> None:
        super().__init__(services)
        self.worker = services.leaderboard.worker()
        self.status: Any = None
        self.standings: Any = None
        self._poll_s = 99.0
        self.typing = False
        self.code = services.leaderboard.challenge_code or ""
        self.mode = exercises.BOXING
        self.period = "weekly"
        self.group: str | None = None
        self.groups: tuple[tuple[str, str], ...] = ()
        self.view: BoardView | None = None
        self._fetched: BoardView | None = None
        self._fetching: tuple[str, str, str | None] | None = None
        self.menu = self._menu("join")  # Enter joins a challenge, as before; arrows pick a board
        self._fetch()

    def _menu(self, focus_key: str) -> ui.Menu:
        buttons = self._buttons()
        keys = [b.key for b in buttons]
        return ui.Menu(buttons, focus=keys.index(focus_key) if focus_key in keys else 0)

    # -- the board (worker thread) --------------------------------------------------------------
    def _fetch(self) -> None:
        key = (self.mode, self.period, self.group)
        if self._fetching == key:
            return
        self._fetching = key
        home = self.services.home

        def work() -> None:
            self._fetched = fetch_board(home, *key)  # one assignment: picked up in update

        threading.Thread(target=work, name="board", daemon=True).start()

    def _buttons(self) -> list[ui.Button]:
        tabs = [ui.Button(f"period:{p}", label) for p, label in PERIOD_LABELS.items()]
        tabs += [ui.Button(f"group:{gid}", name[:18]) for gid, name in
                 self.groups[:MAX_GROUP_TABS]]
        tabs += [ui.Button(f"mode:{m}", MODE_LABELS[m]) for m in BOARD_MODES]
        return tabs + [ui.Button("join", "Join a challenge"), ui.Button("back", "Back")]

    def _is_selected(self, key: str) -> bool:
        kind, _, value = key.partition(":")
        if kind == "period":
            return self.group is None and value == self.period
        if kind == "group":
            return self.group == value
        return kind == "mode" and value == self.mode

    @property
    def captures_text(self) -> bool:
        return self.typing

    @property
    def is_loading(self) -> bool:
        return self._fetching is not None

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        fetched = self._fetched
        if fetched is not None:
            self._fetched = None
            if self._fetching == (fetched.mode, fetched.period, fetched.group):
                self._fetching = None
                self.view = fetched
                if fetched.groups != self.groups and fetched.problem is None:
                    self.groups = fetched.groups
                    self.menu = self._menu(self.menu.buttons[self.menu.focus].key)
        self._poll_s += dt_s
        if self.worker is not None and self._poll_s >= 0.5:
            self._poll_s = 0.0
            try:
                self.status = self.worker.status()
                self.standings = self.worker.standings()
            except (RingsideError, sqlite3.Error):  # an unreadable outbox
                self.status = None  # said as "offline" on screen

    # -- input --------------------------------------------------------------------------------
    def handle(self, event: InputEvent) -> None:
        if self.typing:
            self._type(event)
            return
        if event.action == Action.BACK:
            self.go(Pop())
            return
        key = self.menu.handle(event)
        if key is None:
            return
        kind, _, value = key.partition(":")
        if kind == "period":
            self.period, self.group = value, None
            self._fetch()
        elif kind == "group":
            self.group, self.period = value, "all_time"
            self._fetch()
        elif kind == "mode":
            self.mode = value
            self._fetch()
        elif key == "join":
            if self.worker is None:
                self.services.notify("The leaderboard is not part of this installation.", 3)
            else:
                self.typing = True
                self.code = ""
        elif key == "back":
            self.go(Pop())

    def _type(self, event: InputEvent) -> None:
        """Typing a challenge code: letters and digits, Backspace deletes, Enter joins."""
        if event.action == Action.TEXT:
            self.code = (self.code + "".join(c for c in event.text.upper()
                                             if c.isalnum()))[:12]
        elif event.action == Action.BACK:
            if self.code:
                self.code = self.code[:-1]
            else:
                self.typing = False
        elif event.action in (Action.SELECT, Action.CLICK) and self.code:
            self.typing = False
            self.services.leaderboard.challenge_code = self.code
            self.worker.join(self.code)
            self.services.notify(f"Joined challenge {self.code}: play its game and your score "
                                 "counts live.", 4, ui.GREEN)

    # -- drawing ------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        y = self.header(surface, "Leaderboard", self._status_line())
        y = self._draw_tabs(surface, y + lay.px(1))
        left, right = rows.two_columns(surface, y + lay.px(1.5), split=0.55)
        self._draw_board(surface, left)
        if self.standings is not None or self.services.leaderboard.challenge_code:
            self._draw_live(surface, right)
        else:
            self._draw_bests(surface, right)
        actions = [b for b in self.menu.buttons if b.key in ("join", "back")]
        focus = self.menu.buttons[self.menu.focus]
        targets = rows.button_row(
            surface, self.services, ui.Menu(actions), width_px=40, bottom_px=12, height_px=8,
            size_px=3, label_of=lambda b: f"Code: {self.code}_" if b.key == "join" and
            self.typing else b.label,
            is_focused=lambda i, b: b is focus or (b.key == "join" and self.typing))
        self.menu.rects.update(targets)
        self.targets = dict(self.menu.rects)
        if self.typing:
            ui.text(surface, "Type the code your trainer shows, then Enter (Backspace deletes)",
                    (lay.w // 2, lay.h - lay.px(2)), lay.px(2.6), ui.MUTED, anchor="midbottom")

    def _draw_tabs(self, surface: pygame.Surface, top: int) -> int:
        """Two rows of tabs: periods and groups, then games. Returns the bottom."""
        lay = ui.Layout.of(surface)
        pad = lay.px(5)
        h, gap = lay.px(6.5), lay.px(1.2)
        self.menu.rects = {}
        rows_of = [[b for b in self.menu.buttons if b.key.startswith(("period:", "group:"))],
                   [b for b in self.menu.buttons if b.key.startswith("mode:")]]
        y = top
        for row in rows_of:
            w = min(lay.px(30), (lay.w - 2 * pad - (len(row) - 1) * gap) // max(1, len(row)))
            for i, b in enumerate(row):
                r = pygame.Rect(pad + i * (w + gap), y, w, h)
                self.menu.rects[b.key] = r
                selected = self._is_selected(b.key)
                focused = self.menu.buttons.index(b) == self.menu.focus
                ui.panel(surface, r, alpha=235, color=(62, 74, 104) if selected else (30, 36, 54),
                         border=ui.ACCENT if focused else (ui.INK if selected else (60, 70, 96)),
                         radius=r.height // 4)
                ui.text(surface, b.label, r.center, lay.px(2.8), ui.INK if selected else ui.MUTED,
                        anchor="center", bold=selected, max_width=r.width - lay.px(2))
            y += h + gap
        return y

    def _status_line(self) -> str:
        if self.worker is None:
            return "Scores stay on this computer (no leaderboard in this installation)"
        st = self.status
        waiting = f"; {plural(st.pending, 'score')} waiting to upload" if st and st.pending else ""
        if st is not None and st.is_connected:
            return f"Online{waiting}"
        if st is None and self.view is None:
            return "Connecting to the leaderboard server..."
        return f"Offline: your scores are kept and sent when the server is back{waiting}"

    def _waiting_text(self) -> str:
        """What the board says while no answer came: never "asking" under an "Offline" line."""
        st = self.status
        if st is not None and not st.is_connected:
            return ("The server is not answering: this board shows as soon as it does. Your "
                    "own bests are on the right.")
        return "Asking the server..."

    def _board_title(self) -> str:
        game = MODE_LABELS[self.mode]
        if self.group is not None:
            name = dict(self.groups).get(self.group, "your group")
            return f"{game}: {name}, all time"
        return f"{game}: {PERIOD_LABELS[self.period].lower()}"

    def _draw_board(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(3)
        ui.text(surface, self._board_title(), (rect.left + pad, rect.top + pad), lay.px(3.8),
                ui.ACCENT, bold=True, max_width=rect.width - 2 * pad)
        body = pygame.Rect(rect.left + pad, rect.top + lay.px(9), rect.width - 2 * pad,
                           rect.height - lay.px(11))
        v = self.view
        if v is None or (self.is_loading and v.problem is None and not v.rows):
            ui.paragraph(surface, self._waiting_text(), body, lay.px(3), ui.MUTED)
            return
        if v.problem:
            ui.paragraph(surface, v.problem, body, lay.px(3), ui.ORANGE)
            return
        if not v.rows:
            ui.paragraph(surface, "No scores on this board yet: play a session and yours is the "
                         "first.", body, lay.px(3), ui.MUTED)
            return
        unit = exercises.get(self.mode).unit
        row = lay.px(4.8)
        y = body.top
        for e in v.rows:
            if y + row > body.bottom - (row if v.me else 0):
                break
            col = ui.GREEN if e.is_me else ui.INK
            ui.text(surface, f"{e.rank}.", (body.left, y), lay.px(3.2), ui.MUTED)
            ui.text(surface, e.name + (" (you)" if e.is_me else ""), (body.left + lay.px(7), y),
                    lay.px(3.2), col, max_width=body.width - lay.px(30), bold=e.is_me)
            ui.text(surface, f"{number(e.score)} {unit}", (body.right, y), lay.px(3.2), col,
                    anchor="topright", bold=e.is_me)
            y += row
        if v.me:
            rank, score = v.me
            ui.text(surface, f"You: #{rank} with {number(score)} {unit}", (body.left, y),
                    lay.px(3.2), ui.GREEN)

    def _draw_live(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(3)
        st = self.standings
        if st is None:
            ui.text(surface, "Live challenge", (rect.left + pad, rect.top + pad), lay.px(3.6),
                    ui.ACCENT, bold=True)
            code = self.services.leaderboard.challenge_code
            ui.paragraph(surface, f"Joined challenge {code}: waiting for its "
                         "standings from the server.", pygame.Rect(
                             rect.left + pad, rect.top + lay.px(9), rect.width - 2 * pad,
                             lay.px(30)), lay.px(3), ui.MUTED)
            return
        offset = getattr(self.status, "clock_offset_ms", 0) if self.status else 0
        left = st.seconds_left(int(self.services.wall_s * 1000), offset)
        head = f"Live: {st.title} ({exercises.title(st.exercise)})"
        ui.text(surface, head, (rect.left + pad, rect.top + pad), lay.px(3.6), ui.ACCENT,
                bold=True, max_width=rect.width - 2 * pad)
        sub = st.state + (f", {ui.format_duration(left)} left" if left is not None else "")
        ui.text(surface, sub, (rect.left + pad, rect.top + lay.px(8)), lay.px(2.8), ui.MUTED)
        y = rect.top + lay.px(14)
        row = lay.px(4.6)
        for e in st.entries[:12]:
            if y + row > rect.bottom - pad:
                break
            col = ui.GREEN if e.is_me else ui.INK
            ui.text(surface, f"{e.rank}.", (rect.left + pad, y), lay.px(3), ui.MUTED)
            ui.text(surface, e.name, (rect.left + pad + lay.px(7), y), lay.px(3), col,
                    max_width=rect.width - lay.px(30))
            ui.text(surface, number(e.score), (rect.right - pad, y), lay.px(3), col,
                    anchor="topright", bold=e.is_me)
            y += row

    def _draw_bests(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(3)
        ui.text(surface, "Your bests", (rect.left + pad, rect.top + pad), lay.px(3.6), ui.ACCENT,
                bold=True)
        y = rect.top + lay.px(10)
        h = self.services.history
        any_rows = False
        for ex, key, metric, label in (
                (e.name, "rep", "reps", "rep") if e.is_reps else (e.name, e.name, "score", "point")
                for e in exercises.EXERCISES):
            best = h.bests(key, ex).get(metric)
            if best is None:
                continue
            any_rows = True
            ui.text(surface, exercises.title(ex), (rect.left + pad, y), lay.px(3), ui.INK)
            ui.text(surface, plural(int(best), label), (rect.right - pad, y), lay.px(3), ui.INK,
                    anchor="topright")
            y += lay.px(5)
        if not any_rows:
            ui.paragraph(surface, "Finish a session with your camera to set your first best.",
                         pygame.Rect(rect.left + pad, y, rect.width - 2 * pad, lay.px(10)),
                         lay.px(3), ui.MUTED)
            y += lay.px(10)
        recent = h.recent(8)
        if not recent:  # no heading over nothing
            return
        y += lay.px(2)
        ui.text(surface, "Recent sessions", (rect.left + pad, y), lay.px(3), ui.MUTED)
        y += lay.px(5)
        for s in recent:
            if y + lay.px(4.4) > rect.bottom - pad:
                break
            stats = s.get("stats", {})
            ex = str(s.get("exercise"))
            value = (plural(int(stats.get("score") or 0), "point") if ex == exercises.BOXING else
                     plural(int(stats.get("reps") or 0), "rep"))
            when = time.strftime("%d %b %H:%M", time.localtime(float(s.get("started") or 0)))
            ui.text(surface, f"{when}  {exercises.title(ex)}", (rect.left + pad, y), lay.px(2.8),
                    ui.INK, max_width=rect.width - lay.px(26))
            ui.text(surface, value, (rect.right - pad, y), lay.px(2.8), ui.INK, anchor="topright")
            y += lay.px(4.4)
