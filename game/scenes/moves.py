"""Learn the moves: every demo clip, big, beside the player's live skeleton."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from game.input import Action, InputEvent
from game.loop import Pop
from game.moves import MOVES
from game.scenes import ui
from game.scenes.base import BaseScene
from game.scenes.clip import ClipPanel

if TYPE_CHECKING:
    from game.scenes.services import SceneServices


class MovesScene(BaseScene):
    name = "moves"
    uses_pose = True

    def __init__(self, services: SceneServices) -> None:
        super().__init__(services)
        self.keys = list(MOVES)
        self.index = 0
        self.clip = ClipPanel(self.keys[0])

    def _select(self, i: int) -> None:
        self.index = i % len(self.keys)
        self.clip = ClipPanel(self.keys[self.index])

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self.clip.step(dt_s)

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.go(Pop())
            return
        if event.action == Action.DOWN:
            self._select(self.index + 1)
            return
        if event.action == Action.SELECT:
            self.clip.press("next")
            return
        if event.action == Action.CLICK and event.pos is not None:
            for key, rect in self.targets.items():
                if key.startswith("move:") and rect.collidepoint(event.pos):
                    self._select(self.keys.index(key[5:]))
                    return
        self.clip.handle(event)

    def _body(self, lay: ui.Layout) -> pygame.Rect:
        tabs_y = lay.px(20)
        return pygame.Rect(lay.px(5), tabs_y + lay.px(9), lay.w - lay.px(10),
                           lay.h - tabs_y - lay.px(15))

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        """Notices go over the live view (left half), never over the demo's words."""
        lay = ui.Layout.of(surface)
        body = self._body(lay)
        return pygame.Rect(body.left, body.top + lay.px(6), body.width // 2 - lay.px(1),
                           body.height - lay.px(6))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        self.header(surface, "Learn the moves", "Loop a phase, slow it down, replay: then copy it")
        tabs_y = lay.px(20)
        n = len(self.keys)
        tw = (lay.w - lay.px(10) - (n - 1) * lay.px(1)) / n
        self.targets = {}
        for i, key in enumerate(self.keys):
            r = pygame.Rect(int(lay.px(5) + i * (tw + lay.px(1))), tabs_y, int(tw), lay.px(7))
            self.targets[f"move:{key}"] = r
            ui.draw_button(surface, r, MOVES[key].title, focused=i == self.index, size=lay.px(2.8),
                           hover_progress=self.services.pointer.progress
                           if self.services.pointer.hover_id == f"move:{key}" else 0.0)
        body = self._body(lay)
        half = body.width // 2
        self.draw_stage(surface, pygame.Rect(body.left, body.top, half - lay.px(1), body.height))
        ui.text(surface, "You", (body.left + lay.px(2), body.top + lay.px(1)), lay.px(3), ui.MUTED)
        self.clip.draw(surface, pygame.Rect(body.left + half + lay.px(1), body.top,
                                            half - lay.px(1), body.height),
                       mirror=self.services.mirror)
        for key, rect in self.clip.button_rects.items():
            self.targets[f"clip:{key}"] = rect
        self.footer_hint(surface, "Down: next move   Left: replay   Right: loop   Up: slower   "
                         "Esc: back")
