"""Overlay scenes (pause menu, camera lost, a message) and the FPS/latency overlay."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pygame

from game.feed import FeedStatus
from game.input import Action, InputEvent
from game.loop import ClearTo, Pop
from game.scenes import ui
from game.scenes.base import BaseScene

if TYPE_CHECKING:
    from game.app import App
    from game.scenes.services import SceneServices


class PauseScene(BaseScene):
    """Pause menu over a running session: resume, restart, end (with results) or quit to menu."""

    is_overlay = True
    name = "paused"
    holds_source = True

    def __init__(self, services: SceneServices, *, on_restart: Callable[[], None] | None = None,
                 on_end: Callable[[], None] | None = None) -> None:
        super().__init__(services)
        buttons = [ui.Button("resume", "Resume")]
        if on_restart:
            buttons.append(ui.Button("restart", "Restart"))
        if on_end:
            buttons.append(ui.Button("end", "End and see results"))
        buttons.append(ui.Button("menu", "Quit to menu"))
        self.menu = ui.Menu(buttons)
        self.on_restart = on_restart
        self.on_end = on_end

    max_toasts = 1

    def enter(self) -> None:
        self.services.audio.say("paused", interrupt=True)

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        """Above the title: the menu's buttons are never covered (the out-of-view notice
        arrives together with this menu)."""
        lay = ui.Layout.of(surface)
        return pygame.Rect(lay.px(4), 0, lay.w - lay.px(8), lay.px(13))

    def handle(self, event: InputEvent) -> None:
        if event.action in (Action.BACK, Action.PAUSE):
            self.go(Pop())
            return
        key = self.menu.handle(event)
        if key == "resume":
            self.go(Pop())
        elif key == "restart" and self.on_restart:
            self.go(Pop())
            self.on_restart()
        elif key == "end" and self.on_end:
            self.go(Pop())
            self.on_end()
        elif key == "menu":
            self.go(ClearTo(self.services.scenes.title()))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.dim(surface, 150)
        ui.text(surface, "Paused", (lay.w // 2, lay.px(14)), lay.px(9), ui.ACCENT,
                anchor="midtop", bold=True)
        width = lay.px(60)
        area = pygame.Rect((lay.w - width) // 2, lay.px(32), width, lay.px(60))
        self.menu.rects = self.menu.layout(area, lay.px(10), lay.px(3))
        self.targets = dict(self.menu.rects)
        for i, b in enumerate(self.menu.buttons):
            r = self.menu.rects[b.key]
            ui.draw_button(surface, r, b.label, focused=i == self.menu.focus,
                           hover_progress=self.services.pointer.progress
                           if self.services.pointer.hover_id == b.key else 0.0, size=lay.px(4))
        # how to choose, on its own backing just under the buttons: never run through the
        # dimmed words of the scene beneath (the cue line, the side panel)
        hint = "Hold a hand on a button, click it, or use the arrow keys and Enter"
        size = lay.px(2.8)
        box = pygame.Rect((0, 0), ui.font(size).size(hint)).inflate(lay.px(4), lay.px(2))
        box.midtop = (lay.w // 2, max(r.bottom for r in self.menu.rects.values()) + lay.px(2.5))
        ui.panel(surface, box, alpha=240, radius=box.height // 3)
        ui.text(surface, hint, box.center, size, ui.INK, anchor="center",
                max_width=box.width - lay.px(2))


class CameraLostScene(BaseScene):
    """Pauses the session beneath while the camera is gone; pops itself when it is back."""

    is_overlay = True
    name = "camera_lost"
    accepts_pointer = False

    def enter(self) -> None:
        self.services.audio.say("camera_lost", interrupt=True)
        self.services.audio.effect("paused")

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        feed = self.services.source.feed
        if feed is None or feed.status == FeedStatus.LIVE:
            self.services.audio.say("camera_back", interrupt=True)
            self.services.notify("Camera back: carry on!", 2.5, ui.GREEN)
            self.go(Pop())

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.go(ClearTo(self.services.scenes.title()))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.dim(surface, 170)
        rect = pygame.Rect(0, 0, lay.px(120), lay.px(44))
        rect.center = (lay.w // 2, lay.h // 2)
        ui.panel(surface, rect, alpha=240, border=ui.ORANGE)
        ui.text(surface, "Camera lost", (rect.centerx, rect.top + lay.px(4)), lay.px(7),
                ui.ORANGE, anchor="midtop", bold=True)
        feed = self.services.source.feed
        msg = (feed.message if feed and feed.message else
               "The camera stopped sending pictures.")
        ui.paragraph(surface, msg, pygame.Rect(rect.left + lay.px(6), rect.top + lay.px(16),
                                               rect.width - lay.px(12), lay.px(14)),
                     lay.px(3.4), center=True)
        ui.text(surface, "Your session is paused and nothing is lost. Esc: back to the menu",
                (rect.centerx, rect.bottom - lay.px(4)), lay.px(2.6), ui.MUTED,
                anchor="midbottom", max_width=rect.width - lay.px(8))


class MessageScene(BaseScene):
    """A modal message with one OK button (used for notices that need an answer)."""

    is_overlay = True
    name = "message"

    def __init__(self, services: SceneServices, title: str, message: str, *, button: str = "OK",
                 on_ok: Callable[[], None] | None = None) -> None:
        super().__init__(services)
        self.title_text = title
        self.message = message
        self.menu = ui.Menu([ui.Button("ok", button)])
        self.on_ok = on_ok

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK or self.menu.handle(event) == "ok":
            self.go(Pop())
            if self.on_ok:
                self.on_ok()

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.dim(surface, 160)
        rect = pygame.Rect(0, 0, lay.px(120), lay.px(56))
        rect.center = (lay.w // 2, lay.h // 2)
        ui.panel(surface, rect, alpha=245, border=ui.ACCENT)
        ui.text(surface, self.title_text, (rect.centerx, rect.top + lay.px(4)), lay.px(6),
                ui.ACCENT, anchor="midtop", bold=True)
        ui.paragraph(surface, self.message, pygame.Rect(rect.left + lay.px(6), rect.top +
                     lay.px(14), rect.width - lay.px(12), lay.px(26)), lay.px(3.2), center=True)
        b = pygame.Rect(0, 0, lay.px(40), lay.px(9))
        b.midbottom = (rect.centerx, rect.bottom - lay.px(4))
        self.menu.rects = {"ok": b}
        self.targets = {"ok": b}
        ui.draw_button(surface, b, self.menu.buttons[0].label, focused=True, size=lay.px(3.6),
                       hover_progress=self.services.pointer.progress
                       if self.services.pointer.hover_id == "ok" else 0.0)


def shown_toasts(app: App) -> list[tuple[str, float, tuple[int, int, int]]]:
    """The toasts shown now (oldest first): the newest ``max_toasts`` of the top scene (play
    screens show one, so notices never stack over the game)."""
    top = app.stack.top
    n = top.max_toasts if top is not None else 2
    return app.toasts[-n:] if n > 0 else []


def toast_rects(app: App, surface: pygame.Surface) -> list[pygame.Rect]:
    """Where the shown toasts go (oldest first): stacked up from the bottom of the top
    scene's toast area, so they never cover its buttons."""
    lay = ui.Layout.of(surface)
    top = app.stack.top
    area = top.toast_area(surface) if top is not None else surface.get_rect()
    rects: list[pygame.Rect] = []
    bottom = area.bottom
    for msg, _, _ in reversed(shown_toasts(app)):
        rect = pygame.Rect((0, 0), ui.toast_size(msg, lay, area.width))
        rect.midbottom = (area.centerx, bottom)
        rects.append(rect)
        bottom = rect.top - lay.px(1)
    return rects[::-1]


def draw_overlay(app: App, surface: pygame.Surface) -> None:
    """Things drawn over every scene: hand cursors, toasts, and the FPS/latency overlay."""
    lay = ui.Layout.of(surface)
    for pos in app.hands:
        progress = app.pointer.progress if app.pointer.hover_id else 0.0
        ui.hand_cursor(surface, pos, progress, lay.px(3))
    for (msg, _, color), rect in zip(shown_toasts(app), toast_rects(app, surface)):
        ui.draw_toast_in(surface, msg, rect, lay, color=color)
    if app.settings.show_overlay:
        m = app.metrics
        p95 = m.pct(list(m.frame_ms)[-300:], 95)
        pose = m.pct(m.pose_ms, 50)
        fb = m.pct(m.feedback_ms[-50:], 50)
        line = (f"{m.fps:4.0f} fps  p95 {p95 or 0:4.1f} ms  |  pose {m.pose_fps:4.1f} fps, "
                f"{pose or 0:4.0f} ms  |  move->feedback "
                + (f"{fb:4.0f} ms" if fb is not None else "--"))
        size = lay.px(2.1)
        w = ui.font(size).size(line)[0] + lay.px(3)
        rect = pygame.Rect(0, 0, w, int(ui.font(size).get_linesize()) + lay.px(0.6))
        rect.midtop = (lay.w // 2, 0)
        ui.panel(surface, rect, alpha=210, radius=6)
        ui.text(surface, line, rect.center, size, ui.CYAN, anchor="center", shadow=False)
