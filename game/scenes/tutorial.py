"""The first-time boxing tutorial screen: one move at a time, tried and confirmed.

The pure core (``game.boxing.tutorial``) judges; this scene feeds it frames, speaks and shows its
steps, and draws a target where the move should land (placed by the game's own rules). A player
sees it once, before their first shadowboxing round with a camera; Right skips a move the camera
cannot see, Esc skips the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from game.boxing.rules import _find_spot, _hand, _target_base, _toward
from game.boxing.tutorial import Tutorial
from game.feed import FeedItem
from game.feedback import Message, Priority
from game.input import Action, InputEvent
from game.loop import Pop
from game.scenes import ui
from game.scenes.base import BaseScene

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

DONE_MARKER = "boxing_tutorial.done"  # in the data folder: the tutorial was seen


def tutorial_needed(services: SceneServices) -> bool:
    """A live camera player who has not seen the tutorial yet (never a demo or a video)."""
    return services.source.is_camera and not services.options.scripted and \
        not (services.home / DONE_MARKER).exists()


class TutorialScene(BaseScene):
    name = "boxing_tutorial"
    uses_pose = True
    accepts_pointer = False  # a raised hand is a punch here
    max_toasts = 1

    def __init__(self, services: SceneServices, *,
                 on_done: Callable[[], None] | None = None) -> None:
        super().__init__(services)

        self.tutorial = Tutorial(profile=services.profile)
        self.on_done = on_done
        self._finished = False

    def on_pose(self, item: FeedItem) -> None:
        for ev in self.tutorial.update(item.pose):
            self._react(ev)

    def _react(self, ev: Any) -> None:
        audio = self.services.audio
        if ev.type == "confirmed":
            audio.effect("success")
            self.say(Message("tut_ok", ev.text, "cue", Priority.PRAISE, tone="good", ttl_s=1.5))
        elif ev.type == "hint":
            audio.effect("miss", 0.5)
            self.say(Message("tut_hint", ev.text, "cue", Priority.COACH, tone="warn", ttl_s=4.0))
        elif ev.type == "next":
            audio.effect("click")
            self.feedback.withdraw("tut_hint", self.t_s)
        elif ev.type == "done":
            self._finish()

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.RIGHT:
            for ev in self.tutorial.skip():
                self._react(ev)
        elif event.action in (Action.BACK, Action.PAUSE):
            self._finish()

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            (self.services.home / DONE_MARKER).write_text("seen\n", encoding="utf-8")
        except OSError:
            pass  # shown again next time: harmless
        self.go(Pop())
        if self.on_done is not None:
            self.on_done()

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self.post_source_state(person_needed="Step in front of the camera, 2-3 m away, head to "
                               "hips in view")
        v = self.tutorial.view()
        if not v.is_confirmed:
            self.say(Message("tut_do", v.step.instruction, "cue", Priority.HINT, ttl_s=0.25))
        self.feedback.tick(self.t_s)

    # -- drawing ------------------------------------------------------------------------
    def _panel_rect(self, lay: ui.Layout) -> pygame.Rect:
        return pygame.Rect(lay.px(3), lay.px(3), lay.px(56), lay.px(31))

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        lay = ui.Layout.of(surface)
        p = self._panel_rect(lay)
        return pygame.Rect(p.right + lay.px(2), lay.px(3), lay.w - p.right - lay.px(5),
                           lay.h - lay.px(24))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        view = self.draw_stage(surface, surface.get_rect(), dim_alpha=120)
        v = self.tutorial.view()
        self._draw_target(surface, view, v)
        box = self._panel_rect(lay)
        ui.panel(surface, box, alpha=225)
        pad = lay.px(2.5)
        ui.text(surface, f"Learn to box: {v.index + 1} of {v.steps}", (box.left + pad,
                box.top + pad), lay.px(2.8), ui.MUTED, max_width=box.width - 2 * pad)
        col = ui.GREEN if v.is_confirmed else ui.ACCENT
        r = ui.text(surface, ("Done: " if v.is_confirmed else "") + v.step.title,
                    (box.left + pad, box.top + pad + lay.px(4.5)), lay.px(7), col, bold=True,
                    role="primary", max_width=box.width - 2 * pad)
        # one dot per move: done, current, to come
        y = r.bottom + lay.px(3)
        for i in range(v.steps):
            c = (box.left + pad + lay.px(2) + i * lay.px(5.5), y)
            done = i < v.index or (i == v.index and v.is_confirmed)
            pygame.draw.circle(surface, ui.GREEN if done else (ui.ACCENT if i == v.index
                                                               else (70, 80, 104)), c, lay.px(1.8))
        if v.step.key == "guard" and not v.is_confirmed:
            bar = pygame.Rect(box.left + pad, y + lay.px(4), box.width - 2 * pad, lay.px(2))
            pygame.draw.rect(surface, (60, 70, 96), bar, border_radius=bar.height // 2)
            pygame.draw.rect(surface, ui.GREEN, pygame.Rect(bar.left, bar.top, int(bar.width *
                             v.progress), bar.height), border_radius=bar.height // 2)
        ui.text(surface, "Right: skip this move   Esc: skip all",
                (box.left + pad, box.bottom - pad), lay.px(2.6), ui.MUTED, anchor="bottomleft",
                max_width=box.width - 2 * pad)
        cue_w = min(lay.w - lay.px(6), lay.px(120))
        self.draw_message(surface, "cue", pygame.Rect((lay.w - cue_w) // 2, lay.h - lay.px(19),
                                                      cue_w, lay.px(16)))

    def _draw_target(self, surface: pygame.Surface, view: ui.View, v: Any) -> None:
        """Where the punch should land (the rules' own placement for this body)."""
        cal = v.calibration
        if cal is None or v.step.role is None and v.step.key not in ("hook", "uppercut"):
            return

        lead = v.step.role != "rear"
        hand = _hand(lead, cal.orthodox)
        spot = _find_spot(*_target_base(v.step.key, hand, cal, False), hand, cal, (), 0.0, 0.0,
                          _toward(hand, cal))
        if spot is None:
            return
        x, y = view.to_screen(spot[0], spot[1])
        lay = ui.Layout.of(surface)
        r = max(lay.px(6), int(spot[2] * view.scale))
        col = ui.LEFT_COLOR if hand == "left" else ui.RIGHT_COLOR
        pulse = 1.0 + 0.15 * abs(((self.t_s * 1.5) % 2.0) - 1.0)
        pygame.draw.circle(surface, (0, 0, 0), (x, y), int(r * pulse) + 4)
        pygame.draw.circle(surface, ui.darker(col), (x, y), int(r * pulse))
        pygame.draw.circle(surface, ui.BONE, (x, y), int(r * pulse), 3)
        ui.text(surface, v.step.title.upper()[:5], (x, y), lay.px(2.8), ui.INK, anchor="center",
                bold=True, max_width=2 * r - 6, role="label")
