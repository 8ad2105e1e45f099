"""The scene base class every Ringside scene derives from, and shared drawing of the stage.

A scene gets the :class:`~game.app.App` (its services: settings, audio, the pose feed, history,
the scene stack) at construction. See :mod:`game.loop` for the lifecycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from game.feed import FeedItem
from game.input import Action, InputEvent
from game.loop import Scene
from game.scenes import ui

if TYPE_CHECKING:
    from game.app import App


class BaseScene(Scene):
    """Adds: the app, a hover-target registry for pose pointing, a shared camera stage."""

    title: str = ""
    uses_pose: bool = False  # shows the player's skeleton; pauses when the camera is lost
    accepts_pointer: bool = True

    def __init__(self, app: App) -> None:
        self.app = app
        self.targets: dict[str, pygame.Rect] = {}
        self.image_cache = ui.ImageCache()
        self.t_s = 0.0  # time since enter, advanced in update

    # Pose pointing: scenes with buttons register their rects while drawing (a cache of layout,
    # not game state) and the app presses them with a held hand.
    def hover_targets(self) -> dict[str, tuple[float, float, float, float]]:
        return {k: (r.x, r.y, r.w, r.h) for k, r in self.targets.items()}

    def update(self, dt_s: float) -> None:
        self.t_s += dt_s

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        """Where app-wide notices may be drawn, stacked up from its bottom. Scenes with buttons
        low on the screen narrow it."""
        lay = ui.Layout.of(surface)
        return pygame.Rect(lay.px(4), 0, lay.w - lay.px(8), int(lay.h * 0.82))

    def back(self) -> None:
        self.app.stack.pop()

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.back()

    # -- shared drawing -------------------------------------------------------------------
    def draw_stage(self, surface: pygame.Surface, area: pygame.Rect | None = None,
                   *, dim_alpha: int = 90, skeleton: bool = True,
                   item: FeedItem | None = None) -> ui.View:
        """Camera image (unless hidden or in privacy mode) and the live skeleton in ``area``."""
        lay = ui.Layout.of(surface)
        area = area or surface.get_rect()
        item = item if item is not None else self.app.latest
        size = item.pose.image_size if item else (640, 480)
        view = ui.View.fit(area, size, self.app.settings.mirror)
        show = self.app.settings.shows_camera_image and item is not None
        ui.draw_camera(surface, view, item.image_rgb if show and item else None,
                       self.image_cache, dim_alpha=dim_alpha,
                       privacy=self.app.settings.privacy_mode)
        if skeleton and item is not None and item.pose.landmarks_px is not None:
            pts = view.points(item.pose.landmarks_px)
            ui.draw_skeleton(surface, pts, item.pose.landmarks_px[:, 3],
                             width=max(3, lay.px(0.8)))
        return view

    def header(self, surface: pygame.Surface, title: str, subtitle: str = "") -> int:
        lay = ui.Layout.of(surface)
        ui.text(surface, title, (lay.px(5), lay.px(4)), lay.px(6), ui.INK, bold=True)
        y = lay.px(4) + lay.px(8.5)
        if subtitle:
            ui.text(surface, subtitle, (lay.px(5), y), lay.px(3), ui.MUTED,
                    max_width=lay.w - lay.px(10))
            y += lay.px(4.5)
        return y

    def footer_hint(self, surface: pygame.Surface, hint: str) -> None:
        lay = ui.Layout.of(surface)
        ui.text(surface, hint, (lay.w // 2, lay.h - lay.px(2.5)), lay.px(2.4), ui.MUTED,
                anchor="midbottom", max_width=lay.w - lay.px(6))
