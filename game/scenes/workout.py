"""Today's workout: the recovery-aware plan (or the default one), and running it block by block.

The plan comes from :func:`game.integrations.today_plan` (HRV readiness + training load + coach
override when the recovery part has data). The scene says why the plan is what it is, shows the
HRV trend against the normal band, and runs the blocks: guided warm-up, shadowboxing rounds,
squat sets with rests, then results for every part.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.input import Action, InputEvent
from game.integrations import (
    DEFAULT_PLAN,
    WARMUP_MOVES,
    PlanBlock,
    TodayPlan,
    apply_coach_override,
    warmup_reps,
)
from game.loop import Command, Pop, Push, Replace
from game.scenes import rows, ui
from game.scenes.base import BaseScene
from game.scenes.clip import ClipPanel
from game.scenes.hrv_import import HrvImportScene
from game.scenes.overlays import PauseScene
from game.scenes.results import ResultsScene
from game.session_result import FinishedSession
from game.wording import day, plural

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

READINESS_COLORS = {"good": ui.GREEN, "high": ui.GREEN, "normal": ui.BLUE, "low": ui.ORANGE,
                    "learning": ui.BLUE,
                    "poor": ui.RED, "unknown": ui.MUTED, "too old": ui.ORANGE}


class WorkoutScene(BaseScene):
    name = "workout"

    def __init__(self, services: SceneServices) -> None:
        super().__init__(services)
        services.leaderboard.start_if_configured()  # fetches the coach's override in the background
        self.base_plan: TodayPlan = DEFAULT_PLAN
        self.plan: TodayPlan = DEFAULT_PLAN
        self.override: Any = None
        self.loading = True
        self.start_when_ready = False
        # Read on a background thread since the game started: usually ready already.
        services.plan_loader.start()
        self.menu = ui.Menu(self._buttons())
        self._check_s = 0.0
        self._take_loaded()

    def _buttons(self) -> list[ui.Button]:
        return [ui.Button("start", "Start workout"), ui.Button("hrv", "Import HRV data"),
                ui.Button("back", "Back")]

    def _take_loaded(self) -> None:
        if not self.loading:
            return
        loaded = self.services.plan_loader.result
        if loaded is None:
            return
        plan, problem = loaded
        self.loading = False
        self.base_plan = self.plan = plan
        self.override = None
        self._apply_override()
        if problem:
            self.services.notify(problem, 6)
        if self.start_when_ready:
            self.start_when_ready = False
            WorkoutRunner(self.services, self.plan).start()

    def resume(self) -> None:
        # back from the HRV import: the plan may have changed
        if self.services.plan_loader.result is None:
            self.loading = True

    def _apply_override(self) -> None:
        override = self.services.leaderboard.coach_override()
        if override != self.override:
            self.override = override
            self.plan = apply_coach_override(self.base_plan, override)
            if override:
                self.services.notify("Your coach changed today's plan.", 3, ui.BLUE)

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self._take_loaded()
        self._check_s += dt_s
        if not self.loading and self._check_s >= 1.0:  # an override can arrive any time
            self._check_s = 0.0
            self._apply_override()

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.go(Pop())
            return
        key = self.menu.handle(event)
        if key == "start" and self.loading:
            self.start_when_ready = True  # starts the moment the plan is read
        elif key == "start":
            WorkoutRunner(self.services, self.plan).start()
        elif key == "hrv":
            self.go(Push(HrvImportScene(self.services)))
        elif key == "back":
            self.go(Pop())

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        p = self.plan
        sub = {"hrv": "Plan from your recovery data", "coach": "Set by your coach"}.get(
            p.source, "Standard plan")
        if self.loading:  # the standard plan meanwhile; never a blank "please wait"
            sub = "Checking your recovery data" + (": starting when it is read"
                                                   if self.start_when_ready else "")
        y = self.header(surface, p.title, sub)
        pad = lay.px(5)
        col = READINESS_COLORS.get(p.readiness, ui.MUTED)
        why = pygame.Rect(pad, y + lay.px(1), lay.w - 2 * pad, lay.px(15))
        ui.panel(surface, why, border=col)
        ui.text(surface, "Recovery: unknown, your readings are too old" if p.readiness == "too old"
                else f"Recovery: {p.readiness}", (why.left + lay.px(3), why.top + lay.px(2)),
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
        self.targets = rows.button_row(surface, self.services, self.menu)

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
            msg = chart_note(self.plan, [(d, v) for d, v, _, _ in pts], loading=self.loading)
            ui.paragraph(surface, msg, area, lay.px(2.8), ui.MUTED)
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


@dataclass(frozen=True)
class Step:
    """One scene of a block: a set, a warm-up move, or a rest."""

    make: Callable[..., Any]  # called with progress_label=
    label: str  # "Set 1 of 3", "Warm-up: squats", "Rest"


class WorkoutRunner:
    """Runs the plan's blocks in order: an intro for each block ("Block 2 of 3"), its sets with
    rests ("Set 1 of 3"), then the block's results before the next block. Ending a set from
    the pause menu ("End and see results") ends the block: its results show, then the next."""

    def __init__(self, services: SceneServices, plan: TodayPlan) -> None:
        self.services = services
        self.plan = plan
        self.blocks = list(plan.blocks)
        self.block_i = -1
        self.steps: list[Step] = []
        self.sessions: list[FinishedSession] = []
        self.block_sessions: list[FinishedSession] = []
        self.is_done = False

    def go(self, command: Command) -> None:
        """Change the scene stack, as a scene does (the runner's scenes come and go)."""
        self.services.go(command)

    @property
    def block_label(self) -> str:
        return f"Block {self.block_i + 1} of {len(self.blocks)}"

    def _steps_for(self, b: PlanBlock) -> list[Step]:
        services = self.services
        plan = self.plan.plan_json  # kept with each session of the workout
        if b.exercise == "mobility":
            n = warmup_reps(b.minutes)
            return [Step(partial(services.scenes.exercise, move, target=n,
                                 on_done=self.collect, warmup=True, plan=plan),
                         f"Move {i + 1} of {len(WARMUP_MOVES)}")
                    for i, move in enumerate(WARMUP_MOVES)]
        if b.exercise == exercises.BOXING:
            def boxing(b: PlanBlock = b, progress_label: str | None = None) -> Any:
                diff = dict(b.boxing)
                if "density_targets_per_beat" in diff:
                    diff["density"] = max(0.05, min(1.0, float(diff["density_targets_per_beat"])))
                diff.update(rounds=b.rounds, round_s=b.round_s, rest_s=b.rest_s)
                return services.scenes.exercise(exercises.BOXING, on_done=self.collect,
                                              difficulty=diff, progress_label=progress_label,
                                              plan=plan)
            return [Step(boxing, plural(b.rounds, "round"))]
        out: list[Step] = []
        sets = max(1, b.sets)
        for i in range(sets):
            out.append(Step(partial(services.scenes.exercise, b.exercise, target=b.reps,
                                    on_done=self.collect,
                                    stop_loss_pct=b.stop_velocity_loss_pct, plan=plan),
                            f"Set {i + 1} of {sets}"))
            if i < sets - 1 and b.rest_s > 0:
                out.append(Step(partial(GuidedScene, services, f"Rest before set {i + 2} of {sets}",
                                        "Walk around, breathe, shake out your legs",
                                        float(b.rest_s), (b.exercise,), on_done=self.next,
                                        is_rest=True, last=self.last_set_text), "Rest"))
        return out

    def start(self) -> None:
        self._start_block(0, push=True)

    def last_set_text(self) -> str:
        """What the last set did, for the rest screen: ``Set 1: 8 reps``."""
        if not self.block_sessions:
            return ""
        reps = int(self.block_sessions[-1].result.stat("reps") or 0)
        return f"Set {len(self.block_sessions)}: {plural(reps, 'rep')}"

    def _start_block(self, i: int, *, push: bool = False) -> None:
        self.block_i = i
        self.block_sessions = []
        if i >= len(self.blocks):
            self._finish_workout()
            return
        self.steps = self._steps_for(self.blocks[i])
        scene = BlockIntroScene(self.services, self)
        if push:
            self.go(Push(scene))
        else:
            self.go(Replace(scene))

    def collect(self, session: FinishedSession) -> None:
        self.sessions.append(session)
        self.block_sessions.append(session)
        if session.result.ended == "player":
            # "End and see results": this block is over; its results come before the next.
            self.steps = []
        self.next()

    def next(self, *_: Any) -> None:
        if self.steps:
            step = self.steps.pop(0)
            self.go(Replace(step.make(progress_label=f"{self.block_label} · {step.label}")))
            return
        self._end_block()

    def _end_block(self) -> None:
        nxt = self.block_i + 1
        if not self.block_sessions:  # nothing done in this block (skipped): straight on
            self._start_block(nxt)
            return
        if nxt >= len(self.blocks):
            self._finish_workout()
            return
        title = f"{self.block_label} done"
        self.go(Replace(ResultsScene(
            self.services, list(self.block_sessions), title=title,
            on_continue=lambda: self._start_block(nxt),
            continue_label=f"Next: {self.blocks[nxt].title}")))

    def _finish_workout(self) -> None:
        self.is_done = True
        self.services.audio.say("well_done")
        if self.sessions:
            self.go(Replace(ResultsScene(self.services, self.sessions, title="Workout complete",
                                                can_repeat=False)))
        else:
            self.go(Pop())


class BlockIntroScene(BaseScene):
    """"Block 2 of 3: Squats, 3 sets of 10": what comes next, then it starts by itself."""

    name = "block_intro"
    INTRO_S = 4.0

    def __init__(self, services: SceneServices, runner: WorkoutRunner) -> None:
        super().__init__(services)
        self.runner = runner
        self.block = runner.blocks[runner.block_i]
        self.menu = ui.Menu([ui.Button("go", "Start now"), ui.Button("skip", "Skip this block"),
                             ui.Button("end", "End workout")])
        self.started = False

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        if self.t_s >= self.INTRO_S:
            self._go()

    def _go(self) -> None:
        if not self.started:
            self.started = True
            self.runner.next()

    def handle(self, event: InputEvent) -> None:
        key = self.menu.handle(event)
        if key == "go":
            self._go()
        elif key == "skip" and not self.started:
            self.started = True
            self.runner.steps = []
            self.runner._end_block()
        elif key == "end" or event.action == Action.BACK:
            self.started = True
            self.runner._finish_workout()

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        r = self.runner
        ui.text(surface, r.block_label, (lay.w // 2, int(lay.h * 0.16)), lay.px(5), ui.MUTED,
                anchor="midtop", bold=True)
        ui.text(surface, self.block.title, (lay.w // 2, int(lay.h * 0.26)), lay.px(11), ui.ACCENT,
                anchor="midtop", bold=True, max_width=lay.w - lay.px(10))
        ui.paragraph(surface, _block_detail(self.block), pygame.Rect(
            lay.px(10), int(lay.h * 0.45), lay.w - lay.px(20), lay.px(14)), lay.px(4), ui.INK,
            center=True)
        left = max(0, math.ceil(self.INTRO_S - self.t_s))
        ui.text(surface, f"Starting in {left}", (lay.w // 2, int(lay.h * 0.62)), lay.px(4),
                ui.MUTED, anchor="midtop")
        self.targets = rows.button_row(surface, self.services, self.menu, width_px=40, bottom_px=16,
                                       size_px=3.2)


def chart_note(plan: TodayPlan, points: list[tuple[str, float]], *, loading: bool) -> str:
    """What the trend panel says while there is no chart to draw (pure). How to import is said
    once, in the recovery box above it and on its button, not a third time here."""
    if loading:
        return "Reading your HRV history..."
    if plan.readings_too_old:
        newest = plan.newest_reading
        return (f"Your {plan.readings:,} HRV readings are all too old to chart"
                + (f" (the newest is from {day(newest)})" if newest else "") +
                ". Recent readings chart here.")
    if len(points) == 1:
        return (f"One HRV reading so far ({points[0][1]:.0f} ms on {points[0][0]}). The chart "
                "and your normal band appear after a few mornings.")
    return ("Your HRV trend and normal band chart here after a few mornings of readings "
            "(Garmin, Polar, Apple Health, WHOOP, Fitbit or RR files).")


def _block_detail(b: PlanBlock) -> str:
    if b.exercise == "mobility":
        n = warmup_reps(b.minutes)
        return (f"{n} easy squats, then {n} easy lunges, at your own pace: every rep is counted "
                "and you get the same cues as in a challenge.")
    return b.detail


class GuidedScene(BaseScene):
    """A timed block (warm-up, mobility or rest): demo clips beside the live skeleton, a timer."""

    name = "guided"
    uses_pose = True

    def __init__(self, services: SceneServices, title: str, detail: str, seconds: float,
                 moves: tuple[str, ...], *, on_done: Callable[[], None],
                 is_rest: bool = False, progress_label: str | None = None,
                 last: Callable[[], str] | None = None) -> None:
        super().__init__(services)
        self.title_text = title
        self.detail = detail
        self.seconds = seconds
        self.moves = tuple(exercises.BY_NAME[m].demo if m in exercises.BY_NAME else m for m in moves)
        self.clip = ClipPanel(self.moves[0])
        self.on_done = on_done
        self.is_rest = is_rest
        self.progress_label = progress_label
        self.last_text = last() if last is not None else ""
        self.done = False
        self.menu = ui.Menu([ui.Button("skip", "Skip")])
        self._move_i = 0
        self._said = -1

    def enter(self) -> None:
        self.services.audio.say("rest" if self.is_rest else "get_ready")

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
            self.services.audio.effect("tick")
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
            self.go(Push(PauseScene(self.services, on_end=self._finish)))
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
                       mirror=self.services.mirror)
        ui.text(surface, self.title_text, (lay.px(4), lay.px(3)), lay.px(5), ui.INK, bold=True,
                max_width=lay.w - lay.px(40))
        sub = " · ".join(x for x in (self.progress_label, self.last_text, self.detail) if x)
        ui.text(surface, sub, (lay.px(4), lay.px(10)), lay.px(2.8), ui.MUTED,
                max_width=lay.w - lay.px(40))
        ui.text(surface, ui.format_duration(self.seconds - self.t_s), (lay.w - lay.px(4),
                lay.px(2)), lay.px(9), ui.ACCENT, anchor="topright", bold=True)
        skip = pygame.Rect(0, 0, lay.px(28), lay.px(8))
        skip.midbottom = (lay.w // 2, lay.h - lay.px(3))
        self.menu.rects = {"skip": skip}
        self.targets = {"skip": skip}
        ui.draw_button(surface, skip, "Skip", focused=True, size=lay.px(3),
                       hover_progress=self.services.pointer.progress
                       if self.services.pointer.hover_id == "skip" else 0.0)
