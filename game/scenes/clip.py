"""The exercise demo panel: a generated skeleton micro-clip, split into phases.

The player can hold one phase in a loop, slow the clip down (1x, 1/2, 1/4) and replay it, with
the keys shown on the panel or by pressing its buttons (mouse or a held hand).
"""

from __future__ import annotations

import numpy as np
import pygame

from game.input import Action, InputEvent
from game.moves import MOVES, ClipPlayer, pose_at, project, skeleton_floor
from game.scenes import ui


class ClipPanel:
    """Owns a :class:`ClipPlayer`; ``step`` in update, ``draw`` in draw (draw changes nothing)."""

    KEYS = {Action.UP: "speed", Action.RIGHT: "loop", Action.LEFT: "replay"}

    def __init__(self, move_key: str) -> None:
        self.player = ClipPlayer(MOVES[move_key])
        self.button_rects: dict[str, pygame.Rect] = {}
        self._bounds = _move_bounds(move_key)

    def step(self, dt_s: float) -> None:
        self.player.step(dt_s)

    def press(self, what: str) -> None:
        if what == "speed":
            self.player.cycle_speed()
        elif what == "loop":
            self.player.toggle_loop_phase()
        elif what == "replay":
            self.player.replay()
        elif what == "next":
            self.player.next_phase()

    def handle(self, event: InputEvent) -> bool:
        """Handle an input meant for the panel; True when it was used."""
        if event.action in self.KEYS:
            self.press(self.KEYS[event.action])
            return True
        if event.action == Action.CLICK and event.pos is not None:
            for key, rect in self.button_rects.items():
                if rect.collidepoint(event.pos):
                    self.press(key)
                    return True
        return False

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, *, title: str = "How to",
             compact: bool = False, mirror: bool = False) -> None:
        """``mirror``: flip the figure like the live view, so both face the same way."""
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect, alpha=225, border=(60, 70, 96))
        p = self.player
        move = p.move
        pad = lay.px(1.6)
        small = lay.px(2.8)
        ui.text(surface, f"{title}: {move.title}", (rect.left + pad, rect.top + pad), lay.px(3),
                ui.ACCENT, bold=True, max_width=rect.width - 2 * pad - lay.px(8))
        speed = {1.0: "1x", 0.5: "1/2", 0.25: "1/4"}.get(p.speed, f"{p.speed}x")
        ui.text(surface, speed + (" loop" if p.loop_phase is not None else ""),
                (rect.right - pad, rect.top + pad), small, ui.MUTED, anchor="topright")
        btn_h = lay.px(6) if not compact else 0
        chip_h = lay.px(1.2)
        words_h = lay.px(3.4) + int(ui.font(small).get_linesize())  # phase name, then its cue
        stage = pygame.Rect(rect.left + pad, rect.top + pad + lay.px(4.5), rect.width - 2 * pad,
                            rect.height - 2 * pad - lay.px(4.5) - chip_h - words_h - lay.px(2)
                            - (btn_h + lay.px(1) if btn_h else 0))
        if stage.height > lay.px(6):
            self._draw_figure(surface, stage, mirror)
        # phase progress: one bar per phase (the current one lit), then its name and cue in
        # words big enough to read from the room
        n = len(move.phases)
        cy = stage.bottom + lay.px(0.8)
        cw = (rect.width - 2 * pad - (n - 1) * lay.px(0.6)) / n
        for i in range(n):
            chip = pygame.Rect(int(rect.left + pad + i * (cw + lay.px(0.6))), cy, int(cw), chip_h)
            active = i == p.phase_index
            looped = p.loop_phase == i
            pygame.draw.rect(surface, ui.ACCENT if active else (60, 70, 96), chip,
                             border_radius=chip_h // 2)
            if looped:
                pygame.draw.rect(surface, ui.INK, chip.inflate(4, 4), 2, border_radius=chip_h)
        y = cy + chip_h + lay.px(0.8)
        r = ui.text(surface, f"{p.phase_index + 1}/{n} {p.phase.name}", (rect.left + pad, y),
                    lay.px(3.2), ui.INK, bold=True, max_width=rect.width - 2 * pad)
        ui.text(surface, p.phase.cue, (rect.left + pad, r.bottom + lay.px(0.4)), small,
                ui.MUTED, max_width=rect.width - 2 * pad)
        self.button_rects = {}
        if not compact:
            labels = (("replay", "Replay"), ("loop", "Loop"), ("speed", "Slower"))
            bw = (rect.width - 2 * pad - 2 * lay.px(0.8)) / 3
            by = rect.bottom - pad - btn_h
            for i, (key, label) in enumerate(labels):
                b = pygame.Rect(int(rect.left + pad + i * (bw + lay.px(0.8))), by, int(bw), btn_h)
                self.button_rects[key] = b
                ui.panel(surface, b, alpha=235, color=(38, 46, 68), border=(70, 82, 110),
                         radius=8)
                ui.text(surface, label, b.center, small, ui.INK, anchor="center",
                        shadow=False, max_width=b.width - 6)

    def _draw_figure(self, surface: pygame.Surface, stage: pygame.Rect, mirror: bool) -> None:
        move = self.player.move
        cam = move.camera((640, 480))
        px = project(skeleton_floor(self.player.pose()), cam)
        # Fit the whole move's extent (not the camera frame) into the stage: a big, steady figure.
        x0, y0, x1, y1 = self._bounds
        if mirror:
            px[:, 0] = (x0 + x1) - px[:, 0]
        scale = min(stage.width * 0.9 / max(x1 - x0, 1), stage.height * 0.9 / max(y1 - y0, 1))
        ox = stage.centerx - (x0 + x1) / 2 * scale
        oy = stage.centery - (y0 + y1) / 2 * scale
        pts = np.stack([ox + px[:, 0] * scale, oy + px[:, 1] * scale], axis=1)
        floor_y = oy + 480 * cam.floor_y_frac * scale
        if stage.top <= floor_y <= stage.bottom + 4:
            pygame.draw.line(surface, (60, 70, 96), (stage.left, floor_y),
                             (stage.right, floor_y), 2)
        ui.draw_skeleton(surface, pts, None, width=max(3, int(stage.height / 90)))


_BOUNDS: dict[str, tuple[float, float, float, float]] = {}


def _move_bounds(key: str) -> tuple[float, float, float, float]:
    """Pixel extent (x0, y0, x1, y1) of a move over its whole clip, head circle included."""
    if key not in _BOUNDS:
        move = MOVES[key]
        cam = move.camera((640, 480))
        pts = np.concatenate([project(skeleton_floor(pose_at(move, move.duration_s * k / 24)[0]),
                                      cam)[:, :2] for k in range(25)])
        pad = 30.0
        _BOUNDS[key] = (float(pts[:, 0].min() - pad), float(pts[:, 1].min() - pad),
                        float(pts[:, 0].max() + pad), float(pts[:, 1].max() + pad / 2))
    return _BOUNDS[key]
