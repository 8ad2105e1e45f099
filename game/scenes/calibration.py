"""Setup and calibration: guide the player into frame, check light and joints, measure the body.

The checks and the measuring are in :mod:`game.calibration` (pure); this scene shows the guide
box, a checklist, the one instruction that matters now (also spoken, at most every few seconds),
and the measured proportions when done.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.calibration import CHECK_LABELS, Assessment, Calibrator, Check, guide_box
from game.feed import FeedItem
from game.input import Action, InputEvent
from game.loop import Pop, Replace
from game.scenes import ui
from game.scenes.base import BaseScene

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

SPEAK_EVERY_S = 4.0  # repeat a spoken instruction no more often than this
DONE_SHOW_S = 2.5  # show the measured profile this long before moving on


class CalibrationScene(BaseScene):
    name = "calibration"
    uses_pose = True

    def __init__(self, services: SceneServices, *, then: Callable[[], Any] | None,
                 exercise: str = exercises.DEFAULT) -> None:
        super().__init__(services)
        self.then = then
        self.exercise = exercise
        # Push-ups are done lying down: the standing checks still apply for measuring.
        self.calibrator = Calibrator(mirror=services.mirror)
        self.assessment: Assessment | None = None
        self._spoken_at = -99.0
        self._spoken_key = ""
        self._done_at: float | None = None
        self.menu = ui.Menu([ui.Button("skip", "Skip"), ui.Button("back", "Back")])

    def on_pose(self, item: FeedItem) -> None:
        if self.calibrator.done:
            return
        self.assessment = self.calibrator.update(item.pose)
        if self.calibrator.done:
            self.services.profile = self.calibrator.profile
            self._done_at = self.t_s
            self.services.audio.effect("success")
            self.services.audio.say("calibrated", interrupt=True)
            return
        first = self.assessment.first
        if first and first.cue and (first.cue != self._spoken_key or
                                    self.t_s - self._spoken_at > SPEAK_EVERY_S):
            if self.t_s - self._spoken_at > 1.5:
                self._spoken_at = self.t_s
                self._spoken_key = first.cue
                self.services.audio.say(first.cue)

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        if self._done_at is not None and self.t_s - self._done_at >= DONE_SHOW_S:
            self._continue()

    def _continue(self) -> None:
        self._done_at = None
        if self.then is not None:
            self.go(Replace(self.then()))
        else:
            self.go(Pop())

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.go(Pop())
            return
        key = self.menu.handle(event)
        if key == "skip":
            self.services.notify("Calibration skipped: depth and targets use average "
                                 "proportions.", 3)
            self._continue()
        elif key == "back":
            self.go(Pop())

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        side_w = max(lay.px(50), int(lay.w * 0.32))
        stage = pygame.Rect(lay.px(1), lay.px(1), lay.w - side_w - lay.px(2), lay.h - lay.px(2))
        view = self.draw_stage(surface, stage, dim_alpha=70)
        a = self.assessment
        item = self.services.latest
        if item is not None:
            x, y, w, h = (a.guide_box if a else _default_box(item.pose.image_size))
            p1 = view.to_screen(x, y)
            p2 = view.to_screen(x + w, y + h)
            box = pygame.Rect(min(p1[0], p2[0]), p1[1], abs(p2[0] - p1[0]), p2[1] - p1[1])
            ok = bool(a and a.ok)
            col = ui.GREEN if ok else ui.ACCENT
            _dashed_rect(surface, box, col, lay.px(0.6))
            ui.text(surface, "Stand inside the box", (box.centerx, box.top - lay.px(0.5)),
                    lay.px(2.6), col, anchor="midbottom")
            if self.calibrator.progress > 0 and not self.calibrator.done:
                ui.hand_cursor(surface, box.center, self.calibrator.progress, lay.px(8), ui.GREEN)
                ui.text(surface, "Hold still", (box.centerx, box.centery + lay.px(11)),
                        lay.px(3.4), ui.GREEN, anchor="midtop")
        # Instruction banner.
        msg, col = self._instruction()
        size = lay.px(3.4)
        lines = ui.wrap(msg, size, stage.width - lay.px(12))
        line_h = int(ui.font(size).get_linesize() * 1.05)
        bh = len(lines) * line_h + lay.px(4)
        banner = pygame.Rect(stage.left + lay.px(3), stage.bottom - bh - lay.px(3),
                             stage.width - lay.px(6), bh)
        ui.panel(surface, banner, alpha=235, border=col)
        ui.paragraph(surface, msg, banner.inflate(-lay.px(6), -lay.px(4)), size, ui.INK,
                     center=True)
        self._draw_side(surface, pygame.Rect(lay.w - side_w, lay.px(1), side_w - lay.px(1),
                                             lay.h - lay.px(2)))

    def _instruction(self) -> tuple[str, tuple[int, int, int]]:
        if self.calibrator.done:
            return "Calibrated. Let's go!", ui.GREEN
        feed = self.services.source.feed
        if self.services.latest is None:
            if feed is not None and feed.message:
                return feed.message, ui.ORANGE
            return "Starting the camera...", ui.BLUE
        a = self.assessment
        if a is None:
            return "Looking for you...", ui.BLUE
        if a.first is not None:
            return a.first.message, ui.ORANGE
        return "Perfect. Hold still for a moment...", ui.GREEN

    def _draw_side(self, surface: pygame.Surface, side: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, side)
        pad = lay.px(3)
        ui.text(surface, "Set-up", (side.left + pad, side.top + pad), lay.px(5), ui.INK, bold=True)
        y = side.top + pad + lay.px(8)
        a = self.assessment
        passed = a.passed if a else frozenset()
        problems = {p.check for p in a.problems} if a else set()
        for check in (Check.PERSON, Check.LIGHT, Check.IN_FRAME, Check.DISTANCE, Check.CENTRED,
                      Check.JOINTS, Check.STILL):
            ok = check in passed or (self.calibrator.done)
            bad = check in problems
            col = ui.GREEN if ok else (ui.ORANGE if bad else ui.MUTED)
            mark_r = lay.px(1.4)
            center = (side.left + pad + mark_r, y + lay.px(1.8))
            if ok:
                pygame.draw.circle(surface, col, center, mark_r)
            else:
                pygame.draw.circle(surface, col, center, mark_r, 2)
            ui.text(surface, CHECK_LABELS[check], (side.left + pad + lay.px(4.5), y), lay.px(2.9),
                    ui.INK if ok else col)
            y += lay.px(5.2)
        if a is not None and a.height_frac is not None:
            ui.text(surface, f"You fill {a.height_frac * 100:.0f} % of the height (aim 55-90 %)",
                    (side.left + pad, y + lay.px(1)), lay.px(2.6), ui.MUTED,
                    max_width=side.width - 2 * pad)
            y += lay.px(5)
        prof = self.calibrator.profile or self.services.profile
        if prof is not None:
            ui.text(surface, "Measured", (side.left + pad, y + lay.px(1)), lay.px(3), ui.ACCENT,
                    bold=True)
            y += lay.px(6)
            units = self.services.settings.units
            rows = [
                ("Arm reach", _len(prof.arm_length_m, units, prof.arm_length_px)),
                ("Leg length", _len(prof.leg_length_m, units, prof.leg_length_px)),
                ("Shoulders", _len(prof.shoulder_width_m, units, prof.shoulder_width_px)),
                ("Stance", f"{prof.stance_width_ratio:.1f} x shoulders, {prof.stance}"),
            ]
            for label, value in rows:
                ui.text(surface, label, (side.left + pad, y), lay.px(2.5), ui.MUTED)
                ui.text(surface, value, (side.right - pad, y), lay.px(2.5), ui.INK,
                        anchor="topright")
                y += lay.px(4)
        # buttons
        bw = (side.width - 2 * pad - lay.px(2)) // 2
        self.menu.rects = {}
        for i, b in enumerate(self.menu.buttons):
            r = pygame.Rect(side.left + pad + i * (bw + lay.px(2)), side.bottom - pad - lay.px(8),
                            bw, lay.px(8))
            self.menu.rects[b.key] = r
            ui.draw_button(surface, r, b.label, focused=i == self.menu.focus, size=lay.px(3),
                           hover_progress=self.services.pointer.progress
                           if self.services.pointer.hover_id == b.key else 0.0)
        self.targets = dict(self.menu.rects)


def _len(metres: float | None, units: str, px: float) -> str:
    if metres is None:
        return f"{px:.0f} px"
    if units == "imperial":
        return f"{metres * 39.37:.0f} in"
    return f"{metres * 100:.0f} cm"


def _default_box(size: tuple[int, int]) -> tuple[float, float, float, float]:
    return guide_box(size)


def _dashed_rect(surface: pygame.Surface, rect: pygame.Rect, color: tuple[int, int, int],
                 width: int) -> None:
    dash = max(8, width * 5)
    for x0, y0, x1, y1 in ((rect.left, rect.top, rect.right, rect.top),
                           (rect.right, rect.top, rect.right, rect.bottom),
                           (rect.right, rect.bottom, rect.left, rect.bottom),
                           (rect.left, rect.bottom, rect.left, rect.top)):
        length = max(abs(x1 - x0), abs(y1 - y0))
        steps = max(1, int(length // (2 * dash)))
        for i in range(steps + 1):
            t0 = min(1.0, (2 * i * dash) / max(length, 1))
            t1 = min(1.0, (2 * i * dash + dash) / max(length, 1))
            pygame.draw.line(surface, color, (x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0),
                             (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1), width)
