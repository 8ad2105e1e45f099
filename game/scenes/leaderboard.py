"""Leaderboard: live challenge standings from the server, sync status, and your own bests."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pygame

from game.input import Action, InputEvent
from game.scenes import ui
from game.scenes.base import BaseScene
from game.scenes.results import NAMES

if TYPE_CHECKING:
    from game.app import App


class LeaderboardScene(BaseScene):
    name = "leaderboard"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        from game.integrations import sync_worker

        self.worker = sync_worker(app)
        self.status: Any = None
        self.standings: Any = None
        self._poll_s = 99.0
        self.typing = False
        self.code = app.challenge_code or ""
        self.menu = ui.Menu([ui.Button("join", "Join a challenge"), ui.Button("back", "Back")])

    @property
    def captures_text(self) -> bool:
        return self.typing

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self._poll_s += dt_s
        if self.worker is not None and self._poll_s >= 0.5:
            self._poll_s = 0.0
            try:
                self.status = self.worker.status()
                self.standings = self.worker.standings()
            except Exception as exc:
                self.status = None
                self.app.notify(f"Leaderboard: {exc}", 4)

    def handle(self, event: InputEvent) -> None:
        if self.typing:
            self._type(event)
            return
        if event.action == Action.BACK:
            self.app.stack.pop()
            return
        key = self.menu.handle(event)
        if key == "join":
            if self.worker is None:
                self.app.notify("The leaderboard client is not available.", 3)
            else:
                self.typing = True
                self.code = ""
        elif key == "back":
            self.app.stack.pop()

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
            self.app.challenge_code = self.code
            self.worker.join(self.code)
            self.app.notify(f"Joined challenge {self.code}: play its game and your score counts "
                            "live.", 4, ui.GREEN)

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        y = self.header(surface, "Leaderboard", self._status_line())
        pad = lay.px(5)
        left = pygame.Rect(pad, y + lay.px(1), int(lay.w * 0.5) - pad, lay.h - y - lay.px(16))
        right = pygame.Rect(left.right + lay.px(3), left.top, lay.w - left.right - lay.px(3) - pad,
                            left.height)
        self._draw_live(surface, left)
        self._draw_bests(surface, right)
        bw, gap = lay.px(40), lay.px(3)
        x0 = (lay.w - 2 * bw - gap) // 2
        self.menu.rects = {}
        for i, b in enumerate(self.menu.buttons):
            r = pygame.Rect(x0 + i * (bw + gap), lay.h - lay.px(12), bw, lay.px(8))
            self.menu.rects[b.key] = r
            label = b.label
            if b.key == "join" and self.typing:
                label = f"Code: {self.code}_"
            ui.draw_button(surface, r, label, focused=i == self.menu.focus or
                           (b.key == "join" and self.typing), size=lay.px(3),
                           hover_progress=self.app.pointer.progress
                           if self.app.pointer.hover_id == b.key else 0.0)
        self.targets = dict(self.menu.rects)
        if self.typing:
            ui.text(surface, "Type the code your trainer shows, then Enter (Backspace deletes)",
                    (lay.w // 2, lay.h - lay.px(2)), lay.px(2.3), ui.MUTED, anchor="midbottom")

    def _status_line(self) -> str:
        if self.worker is None:
            return "Leaderboard client not available in this build"
        st = self.status
        if st is None:
            return "Connecting to the leaderboard server..."
        pending = f"; {st.pending} score(s) waiting to upload" if st.pending else ""
        if st.is_connected:
            return f"Online{pending}"
        why = f" ({st.last_error})" if st.last_error else ""
        return f"Offline{why}: scores are kept and sent when the server is reachable{pending}"

    def _draw_live(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(3)
        st = self.standings
        if st is None:
            ui.text(surface, "Live challenge", (rect.left + pad, rect.top + pad), lay.px(3.6),
                    ui.ACCENT, bold=True)
            code = self.app.challenge_code
            msg = (f"Joined challenge {code}: waiting for its standings from the server." if code
                   else "No live challenge followed. When your trainer starts one, press Join a "
                   "challenge and type its code: the standings appear here as they change, and "
                   "your sessions of that exercise count while it runs.")
            ui.paragraph(surface, msg, pygame.Rect(rect.left + pad, rect.top + lay.px(9),
                                                        rect.width - 2 * pad, lay.px(30)),
                         lay.px(2.8), ui.MUTED)
            return
        offset = getattr(self.status, "clock_offset_ms", 0) if self.status else 0
        left = st.seconds_left(int(time.time() * 1000), offset)
        head = f"{st.title} ({NAMES.get(st.exercise, st.exercise)})"
        ui.text(surface, head, (rect.left + pad, rect.top + pad), lay.px(3.6), ui.ACCENT,
                bold=True, max_width=rect.width - 2 * pad)
        sub = st.state + (f", {ui.format_duration(left)} left" if left is not None else "")
        ui.text(surface, sub, (rect.left + pad, rect.top + lay.px(8)), lay.px(2.6), ui.MUTED)
        y = rect.top + lay.px(14)
        row = lay.px(4.6)
        for e in st.entries[:12]:
            if y + row > rect.bottom - pad:
                break
            col = ui.GREEN if e.is_me else ui.INK
            ui.text(surface, f"{e.rank}.", (rect.left + pad, y), lay.px(3), ui.MUTED)
            ui.text(surface, e.name, (rect.left + pad + lay.px(7), y), lay.px(3), col,
                    max_width=rect.width - lay.px(30))
            ui.text(surface, f"{e.score:.0f}", (rect.right - pad, y), lay.px(3), col,
                    anchor="topright", bold=e.is_me)
            y += row

    def _draw_bests(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(3)
        ui.text(surface, "Your bests", (rect.left + pad, rect.top + pad), lay.px(3.6), ui.ACCENT,
                bold=True)
        y = rect.top + lay.px(10)
        h = self.app.history
        any_rows = False
        for ex, key, metric, label in (("boxing", "boxing", "score", "points"),
                                       ("squat", "rep", "reps", "reps"),
                                       ("pushup", "rep", "reps", "reps"),
                                       ("lunge", "rep", "reps", "reps")):
            best = h.bests(key, ex).get(metric)
            if best is None:
                continue
            any_rows = True
            ui.text(surface, NAMES.get(ex, ex), (rect.left + pad, y), lay.px(3), ui.INK)
            ui.text(surface, f"{best:.0f} {label}", (rect.right - pad, y), lay.px(3), ui.INK,
                    anchor="topright")
            y += lay.px(5)
        if not any_rows:
            ui.text(surface, "Finish a session to set your first best.", (rect.left + pad, y),
                    lay.px(2.8), ui.MUTED, max_width=rect.width - 2 * pad)
            y += lay.px(5)
        y += lay.px(3)
        ui.text(surface, "Recent sessions", (rect.left + pad, y), lay.px(3), ui.MUTED)
        y += lay.px(5)
        for s in h.recent(8):
            if y + lay.px(4) > rect.bottom - pad:
                break
            stats = s.get("stats", {})
            ex = str(s.get("exercise"))
            value = (f"{stats.get('score', 0)} pts" if ex == "boxing" else
                     f"{stats.get('reps', 0)} reps")
            when = time.strftime("%d %b %H:%M", time.localtime(float(s.get("started") or 0)))
            ui.text(surface, f"{when}  {NAMES.get(ex, ex)}", (rect.left + pad, y), lay.px(2.5),
                    ui.INK, max_width=rect.width - lay.px(24))
            ui.text(surface, value, (rect.right - pad, y), lay.px(2.5), ui.INK, anchor="topright")
            y += lay.px(4)
