"""Layout helpers the menu-like scenes share: two columns under a header, a row of buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pygame

from game.scenes import ui


def two_columns(surface: pygame.Surface, top: int, *, split: float = 0.5,
                bottom_px: float = 16) -> tuple[pygame.Rect, pygame.Rect]:
    """A left and a right panel from ``top`` down to ``bottom_px`` (% of the height) above
    the bottom; ``split`` is the left panel's share of the width."""
    lay = ui.Layout.of(surface)
    pad = lay.px(5)
    left = pygame.Rect(pad, top, int(lay.w * split) - pad, lay.h - top - lay.px(bottom_px))
    right = pygame.Rect(left.right + lay.px(3), left.top, lay.w - left.right - lay.px(3) - pad,
                        left.height)
    return left, right


def button_row(surface: pygame.Surface, services: Any, menu: ui.Menu, *, width_px: float = 36,
               bottom_px: float = 13, height_px: float = 9, size_px: float = 3.4,
               label_of: Callable[[ui.Button], str] | None = None,
               is_focused: Callable[[int, ui.Button], bool] | None = None) -> dict[str, Any]:
    """Draw ``menu``'s buttons centred in a row near the bottom (narrower when the window is);
    sets ``menu.rects`` and returns them (the scene's hover targets)."""
    lay = ui.Layout.of(surface)
    n = max(1, len(menu.buttons))
    gap = lay.px(3)
    bw = min(lay.px(width_px), (lay.w - lay.px(6)) // n - gap)
    x0 = (lay.w - (n * bw + (n - 1) * gap)) // 2
    menu.rects = {}
    for i, b in enumerate(menu.buttons):
        r = pygame.Rect(x0 + i * (bw + gap), lay.h - lay.px(bottom_px), bw, lay.px(height_px))
        menu.rects[b.key] = r
        focused = is_focused(i, b) if is_focused is not None else i == menu.focus
        ui.draw_button(surface, r, label_of(b) if label_of else b.label, focused=focused,
                       enabled=b.enabled, size=lay.px(size_px),
                       hover_progress=services.pointer.progress
                       if services.pointer.hover_id == b.key else 0.0)
    return dict(menu.rects)
