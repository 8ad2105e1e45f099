"""Today's workout: the recovery-aware plan (or the default one), and running it block by block.

The plan comes from :func:`game.integrations.today_plan` (HRV readiness + training load + coach
override when the recovery part has data). The scene says why the plan is what it is, shows the
HRV trend against the normal band, and runs the blocks: guided warm-up, shadowboxing rounds,
squat sets with rests, then results for every part.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import pygame

from game.input import Action, InputEvent
from game.integrations import DEFAULT_PLAN, PlanBlock, TodayPlan, today_plan
from game.scenes import ui
from game.scenes.base import BaseScene
from game.scenes.clip import ClipPanel

if TYPE_CHECKING:
    from game.app import App

READINESS_COLORS = {"good": ui.GREEN, "high": ui.GREEN, "normal": ui.BLUE, "low": ui.ORANGE,
                    "learning": ui.BLUE,
                    "poor": ui.RED, "unknown": ui.MUTED}


class WorkoutScene(BaseScene):
    name = "workout"

    def __init__(self, app: App) -> None:
        super().__init__(app)
        from game.integrations import start_sync_if_configured

        start_sync_if_configured(app)  # fetches the coach's override in the background
        self.base_plan: TodayPlan = DEFAULT_PLAN
        self.plan: TodayPlan = DEFAULT_PLAN
        self.override: Any = None
        self.loading = True
        self._loaded: tuple[TodayPlan, str | None] | None = None
        # Reading the recovery data opens the database (a few hundred ms): off the render thread.
        threading.Thread(target=self._load, name="today-plan", daemon=True).start()
        self.menu = ui.Menu([ui.Button("start", "Start workout"), ui.Button("back", "Back")])
        self._check_s = 0.0

    def _load(self) -> None:
        self._loaded = today_plan(self.app)  # one assignment: the loop thread picks it up

    def _take_loaded(self) -> None:
        if self._loaded is None:
            return
        plan, problem = self._loaded
        self._loaded = None
        self.loading = False
        self.base_plan = self.plan = plan
        self.override = None
        self._apply_override()
        if problem:
            self.app.notify(problem, 6)

    def _apply_override(self) -> None:
        from game.integrations import apply_coach_override, coach_override

        override = coach_override(self.app)
        if override != self.override:
            self.override = override
            self.plan = apply_coach_override(self.base_plan, override)
            if override:
                self.app.notify("Your coach changed today's plan.", 3, ui.BLUE)

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self._take_loaded()
        self._check_s += dt_s
        if not self.loading and self._check_s >= 1.0:  # an override can arrive any time
            self._check_s = 0.0
            self._apply_override()

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.app.stack.pop()
            return
        key = self.menu.handle(event)
        if key == "start" and self.loading:
            self.app.notify("Reading your recovery data...", 1.5)
        elif key == "start":
            WorkoutRunner(self.app, self.plan).start()
        elif key == "back":
            self.app.stack.pop()

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        p = self.plan
        if self.loading:
            self.header(surface, "Today's workout", "Reading your recovery data...")
            self._draw_buttons(surface)
            return
        y = self.header(surface, p.title, {"hrv": "Plan from your recovery data",
                                           "coach": "Set by your coach"}.get(p.source,
                                                                             "Standard plan"))
        pad = lay.px(5)
        col = READINESS_COLORS.get(p.readiness, ui.MUTED)
        why = pygame.Rect(pad, y + lay.px(1), lay.w - 2 * pad, lay.px(15))
        ui.panel(surface, why, border=col)
        ui.text(surface, f"Recovery: {p.readiness}", (why.left + lay.px(3), why.top + lay.px(2)),
                lay.px(3), col, bold=True)
        ui.paragraph(surface, p.reason, pygame.Rect(why.left + lay.px(3), why.top + lay.px(6.5),
                     why.width - lay.px(6), lay.px(8)), lay.px(2.5))
        top = why.bottom + lay.px(2)
        blocks = pygame.Rect(pad, top, int(lay.w * 0.5) - pad, lay.h - top - lay.px(16))
        ui.panel(surface, blocks)
        by = blocks.top + lay.px(2.5)
        for i, blk in enumerate(p.blocks):
            ui.text(surface, f"{i + 1}. {blk.title}", (blocks.left + lay.px(3), by), lay.px(3.4),
                    ui.INK, bold=True)
            ui.text(surface, blk.detail, (blocks.left + lay.px(3), by + lay.px(4.8)), lay.px(2.5),
                    ui.MUTED, max_width=blocks.width - lay.px(6))
            by += lay.px(11)
        chart = pygame.Rect(blocks.right + lay.px(3), top, lay.w - blocks.right - lay.px(3) - pad,
                            blocks.height)
        self._draw_trend(surface, chart)
        self._draw_buttons(surface)

    def _draw_buttons(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        n = len(self.menu.buttons)
        bw, gap = lay.px(36), lay.px(3)
        x0 = (lay.w - (n * bw + (n - 1) * gap)) // 2
        self.menu.rects = {}
        for i, b in enumerate(self.menu.buttons):
            r = pygame.Rect(x0 + i * (bw + gap), lay.h - lay.px(13), bw, lay.px(9))
            self.menu.rects[b.key] = r
            ui.draw_button(surface, r, b.label, focused=i == self.menu.focus, size=lay.px(3.4),
                           hover_progress=self.app.pointer.progress
                           if self.app.pointer.hover_id == b.key else 0.0)
        self.targets = dict(self.menu.rects)

    def _draw_trend(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(3)
        ui.text(surface, "Your HRV (ms) over the last weeks, and your normal band", (rect.left + pad,
                rect.top + pad), lay.px(2.5), ui.MUTED, max_width=rect.width - 2 * pad)
        # stored in ln units (the readiness maths); people read milliseconds
        def ms(x: float | None) -> float | None:
            return None if x is None else math.exp(x)

        pts: list[tuple[str, float, float | None, float | None]] = [
            (d, math.exp(v), ms(lo), ms(hi)) for d, v, lo, hi in self.plan.trend if v is not None]
        area = pygame.Rect(rect.left + pad, rect.top + lay.px(8), rect.width - 2 * pad,
                           rect.height - lay.px(14))
        if len(pts) < 2:
            ui.paragraph(surface, "No HRV readings yet. Import them from your watch or strap "
                         "(Garmin, Polar, Apple Health, WHOOP, RR files) with 'ringside hrv "
                         "import FILE', and the plan follows your recovery.", area, lay.px(2.6),
                         ui.MUTED)
            return
        vals: list[float] = [v for _, v, _, _ in pts] + [
            x for _, _, lo, hi in pts for x in (lo, hi) if x is not None]
        lo_v, hi_v = min(vals), max(vals)
        span = max(hi_v - lo_v, 1e-6)
        n = len(pts)

        def xy(i: int, v: float) -> tuple[float, float]:
            return (area.left + area.width * i / max(n - 1, 1),
                    area.bottom - area.height * (v - lo_v) / span)

        band_top = [xy(i, hi) for i, (_, _, _, hi) in enumerate(pts) if hi is not None]
        band_bot = [xy(i, lo) for i, (_, _, lo, _) in enumerate(pts) if lo is not None]
        if len(band_top) >= 2 and len(band_bot) >= 2:
            poly = band_top + list(reversed(band_bot))
            shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
            pygame.draw.polygon(shade, (*ui.GREEN, 50), poly)
            surface.blit(shade, (0, 0))
        line = [xy(i, v) for i, (_, v, _, _) in enumerate(pts)]
        pygame.draw.lines(surface, ui.ACCENT, False, line, 3)
        for p_ in line:
            pygame.draw.circle(surface, ui.ACCENT, p_, 3)
        ui.text(surface, f"{pts[-1][1]:.0f} ms", (line[-1][0], line[-1][1] - 6), lay.px(2.2),
                ui.ACCENT, anchor="bottomright")
        ui.text(surface, pts[0][0], (area.left, area.bottom + 4), lay.px(2), ui.MUTED)
        ui.text(surface, pts[-1][0], (area.right, area.bottom + 4), lay.px(2), ui.MUTED,
                anchor="topright")


class WorkoutRunner:
    """Runs the plan's blocks in order; each block's scene calls back when done."""

    def __init__(self, app: App, plan: TodayPlan) -> None:
        self.app = app
        self.plan = plan
        self.steps: list[Callable[[], Any]] = []
        self.sessions: list[dict[str, Any]] = []
        for block in plan.blocks:
            self.steps.extend(self._steps_for(block))

    def _steps_for(self, b: PlanBlock) -> list[Callable[[], Any]]:
        from game.scenes import factory

        app = self.app
        if b.exercise == "mobility":
            return [partial(GuidedScene, app, b.title, b.detail, b.minutes * 60.0,
                            ("squat", "slip", "lunge"), on_done=self.next)]
        if b.exercise == "boxing":
            def boxing(b: PlanBlock = b) -> Any:
                from game.scenes.boxing import BoxingScene

                diff = dict(b.boxing)
                if "density_targets_per_beat" in diff:
                    diff["density"] = max(0.05, min(1.0, float(diff["density_targets_per_beat"])))
                diff.update(rounds=b.rounds, round_s=b.round_s, rest_s=b.rest_s)
                scene = BoxingScene(app, difficulty=diff, on_done=self.collect)
                if app.profile is None:
                    from game.scenes.calibration import CalibrationScene

                    return CalibrationScene(app, then=lambda: scene, exercise="boxing")
                return scene
            return [boxing]
        out: list[Callable[[], Any]] = []
        one_set = partial(factory.exercise_scene, app, b.exercise, target=b.reps,
                          on_done=self.collect, stop_loss_pct=b.stop_velocity_loss_pct)
        for s in range(max(1, b.sets)):
            out.append(one_set)
            if s < b.sets - 1 and b.rest_s > 0:
                out.append(partial(GuidedScene, app, f"Rest before set {s + 2}",
                                   "Walk around, breathe, shake out your legs", float(b.rest_s),
                                   (b.exercise,), on_done=self.next, is_rest=True))
        return out

    def start(self) -> None:
        self._advance(push=True)

    def collect(self, session: dict[str, Any]) -> None:
        session["plan"] = self.plan.plan_json
        self.sessions.append(session)
        self.next()

    def next(self, *_: Any) -> None:
        self._advance(push=False)

    def _advance(self, *, push: bool) -> None:
        if not self.steps:
            from game.scenes.results import ResultsScene

            self.app.audio.say("well_done")
            if self.sessions:
                self.app.stack.replace(ResultsScene(self.app, self.sessions,
                                                    title="Workout complete"))
            else:
                self.app.stack.pop()
            return
        scene = self.steps.pop(0)()
        if push:
            self.app.stack.push(scene)
        else:
            self.app.stack.replace(scene)


class GuidedScene(BaseScene):
    """A timed block (warm-up, mobility or rest): demo clips beside the live skeleton, a timer."""

    name = "guided"
    uses_pose = True

    def __init__(self, app: App, title: str, detail: str, seconds: float,
                 moves: tuple[str, ...], *, on_done: Callable[[], None],
                 is_rest: bool = False) -> None:
        super().__init__(app)
        from game.moves import DEMO_FOR_EXERCISE

        self.title_text = title
        self.detail = detail
        self.seconds = seconds
        self.moves = tuple(DEMO_FOR_EXERCISE.get(m, m) for m in moves)
        self.clip = ClipPanel(self.moves[0])
        self.on_done = on_done
        self.is_rest = is_rest
        self.done = False
        self.menu = ui.Menu([ui.Button("skip", "Skip")])
        self._move_i = 0
        self._said = -1

    def enter(self) -> None:
        self.app.audio.say("rest" if self.is_rest else "get_ready")

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self.clip.step(dt_s)
        left = self.seconds - self.t_s
        per = self.seconds / len(self.moves)
        i = min(len(self.moves) - 1, int(self.t_s / max(per, 1e-6)))
        if i != self._move_i:
            self._move_i = i
            self.clip = ClipPanel(self.moves[i])
        if 0 < left <= 3 and math.ceil(left) != self._said:
            self._said = math.ceil(left)
            self.app.audio.effect("tick")
        if left <= 0:
            self._finish()

    def _finish(self) -> None:
        if not self.done:
            self.done = True
            self.on_done()

    def handle(self, event: InputEvent) -> None:
        if self.clip.handle(event):
            return
        if event.action == Action.BACK:
            from game.scenes.overlays import PauseScene

            self.app.stack.push(PauseScene(self.app, on_end=self._finish))
            return
        if self.menu.handle(event) == "skip":
            self._finish()

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        half = lay.w // 2
        self.draw_stage(surface, pygame.Rect(lay.px(1), lay.px(16), half - lay.px(2),
                                             lay.h - lay.px(30)))
        self.clip.draw(surface, pygame.Rect(half + lay.px(1), lay.px(16), half - lay.px(3),
                                            lay.h - lay.px(30)), title="Follow",
                       mirror=self.app.settings.mirror)
        ui.text(surface, self.title_text, (lay.px(4), lay.px(3)), lay.px(5), ui.INK, bold=True)
        ui.text(surface, self.detail, (lay.px(4), lay.px(10)), lay.px(2.6), ui.MUTED,
                max_width=lay.w - lay.px(40))
        ui.text(surface, ui.format_duration(self.seconds - self.t_s), (lay.w - lay.px(4),
                lay.px(2)), lay.px(9), ui.ACCENT, anchor="topright", bold=True)
        skip = pygame.Rect(0, 0, lay.px(28), lay.px(8))
        skip.midbottom = (lay.w // 2, lay.h - lay.px(3))
        self.menu.rects = {"skip": skip}
        self.targets = {"skip": skip}
        ui.draw_button(surface, skip, "Skip", focused=True, size=lay.px(3),
                       hover_progress=self.app.pointer.progress
                       if self.app.pointer.hover_id == "skip" else 0.0)
