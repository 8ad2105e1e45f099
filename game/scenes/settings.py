"""Settings: camera, mirror, volume, voice, camera image, privacy mode, units, overlay, targets."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pygame

from game.input import Action, InputEvent
from game.scenes import ui
from game.scenes.base import BaseScene
from game.settings import UNITS, Settings

if TYPE_CHECKING:
    from game.app import App

# (field, label, explanation)
ROWS: tuple[tuple[str, str, str], ...] = (
    ("camera_index", "Camera", "Which camera to use (0 is the built-in one)"),
    ("mirror", "Mirror image", "Show yourself as in a mirror"),
    ("show_camera", "Show camera image", "Off: only your skeleton is drawn"),
    ("privacy_mode", "Privacy mode", "The camera image is never shown or stored"),
    ("volume", "Volume", "Effects and voice"),
    ("voice", "Spoken counts and cues", ""),
    ("units", "Units", "Metric or imperial"),
    ("rep_target", "Reps per challenge", ""),
    ("rounds", "Boxing rounds", ""),
    ("round_s", "Round length", ""),
    ("show_overlay", "FPS / latency overlay", "Also F3"),
)


def step(settings: Settings, field: str, direction: int) -> Settings:
    """The settings with one field moved one step (booleans toggle). Pure."""
    v: Any = getattr(settings, field)
    if isinstance(v, bool):
        flipped: dict[str, Any] = {field: not v}
        return replace(settings, **flipped)
    if field == "volume":
        return replace(settings, volume=round(max(0.0, min(1.0, v + 0.1 * direction)), 2))
    if field == "units":
        i = UNITS.index(v) if v in UNITS else 0
        return replace(settings, units=UNITS[(i + direction) % len(UNITS)])
    if field == "round_s":
        return replace(settings, round_s=v + 15 * direction).validated()
    return replace(settings, **{field: v + direction}).validated()


def show(settings: Settings, field: str) -> str:
    v = getattr(settings, field)
    if isinstance(v, bool):
        return "On" if v else "Off"
    if field == "volume":
        return f"{round(v * 100)} %"
    if field == "round_s":
        return ui.format_duration(v)
    if field == "units":
        return v.title()
    return str(v)


class SettingsScene(BaseScene):
    name = "settings"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        self.focus = 0
        self.row_rects: dict[str, pygame.Rect] = {}
        self.arrow_rects: dict[str, tuple[pygame.Rect, pygame.Rect]] = {}

    def handle(self, event: InputEvent) -> None:
        n = len(ROWS)
        field = ROWS[self.focus][0]
        if event.action == Action.BACK:
            self.app.stack.pop()
        elif event.action == Action.UP:
            self.focus = (self.focus - 1) % n
        elif event.action == Action.DOWN:
            self.focus = (self.focus + 1) % n
        elif event.action in (Action.LEFT, Action.RIGHT, Action.SELECT):
            self._change(field, -1 if event.action == Action.LEFT else 1)
        elif event.action in (Action.POINT, Action.CLICK) and event.pos is not None:
            for i, (f, _, _) in enumerate(ROWS):
                minus, plus = self.arrow_rects.get(f, (None, None))
                if event.action == Action.CLICK and minus is not None and minus.collidepoint(event.pos):
                    self.focus = i
                    self._change(f, -1)
                    return
                if event.action == Action.CLICK and plus is not None and plus.collidepoint(event.pos):
                    self.focus = i
                    self._change(f, 1)
                    return
                r = self.row_rects.get(f)
                if r is not None and r.collidepoint(event.pos):
                    self.focus = i
                    if event.action == Action.CLICK and isinstance(getattr(self.app.settings, f),
                                                                    bool):
                        self._change(f, 1)
                    return
            back = self.targets.get("back")
            if event.action == Action.CLICK and back is not None and back.collidepoint(event.pos):
                self.app.stack.pop()

    def _change(self, field: str, direction: int) -> None:
        new = step(self.app.settings, field, direction)
        self.app.update_settings(new)
        self.app.audio.effect("click")
        if field == "privacy_mode" and new.privacy_mode:
            self.app.notify("Privacy mode on: the camera image is never shown or stored.", 3)

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        y = self.header(surface, "Settings", "Saved as you change them")
        pad = lay.px(5)
        area = pygame.Rect(pad, y + lay.px(1), lay.w - 2 * pad, lay.h - y - lay.px(16))
        n = len(ROWS)
        gap = lay.px(0.8)
        row_h = int((area.height - (n - 1) * gap) / n)
        s = self.app.settings
        self.row_rects, self.arrow_rects, self.targets = {}, {}, {}
        for i, (field, label, hint) in enumerate(ROWS):
            r = pygame.Rect(area.left, area.top + i * (row_h + gap), area.width, row_h)
            self.row_rects[field] = r
            focused = i == self.focus
            ui.panel(surface, r, alpha=230, color=(46, 56, 82) if focused else (28, 34, 50),
                     border=ui.ACCENT if focused else None, radius=8)
            size = min(lay.px(3), int(row_h * 0.45))
            ui.text(surface, label, (r.left + lay.px(3), r.centery), size, ui.INK,
                    anchor="midleft")
            if hint:
                ui.text(surface, hint, (r.left + lay.px(50), r.centery), int(size * 0.8),
                        ui.MUTED, anchor="midleft", max_width=lay.px(60))
            bw = int(row_h * 1.1)
            plus = pygame.Rect(r.right - lay.px(2) - bw, r.top + 3, bw, r.height - 6)
            minus = pygame.Rect(plus.left - lay.px(22) - bw, plus.top, bw, plus.height)
            self.arrow_rects[field] = (minus, plus)
            for rect, glyph in ((minus, "<"), (plus, ">")):
                ui.panel(surface, rect, alpha=235, color=(38, 46, 68), radius=6)
                ui.text(surface, glyph, rect.center, size, ui.INK, anchor="center", shadow=False)
            ui.text(surface, show(s, field), ((minus.right + plus.left) // 2, r.centery), size,
                    ui.ACCENT if focused else ui.INK, anchor="center", bold=True)
            self.targets[f"{field}-"] = minus
            self.targets[f"{field}+"] = plus
        back = pygame.Rect(0, 0, lay.px(30), lay.px(8))
        back.midbottom = (lay.w // 2, lay.h - lay.px(5))
        ui.draw_button(surface, back, "Back", focused=False, size=lay.px(3),
                       hover_progress=self.app.pointer.progress
                       if self.app.pointer.hover_id == "back" else 0.0)
        self.targets["back"] = back
        self.footer_hint(surface, "Up/Down choose, Left/Right change, Esc back. Settings file: "
                         f"{self.app.home / 'settings.json'}")
