"""Rep challenge: count, paused-counter state, range-of-motion meter, per-rep score and cues.

The rep engine (``game.reps``) decides everything; this scene feeds it PoseFrames, reacts to its
events with sound and voice, and draws its live view model (``RepView``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from game.feed import FeedItem
from game.input import InputEvent
from game.moves import DEMO_FOR_EXERCISE
from game.scenes import ui
from game.scenes.clip import ClipPanel
from game.scenes.session import OnDone, SessionScene

if TYPE_CHECKING:
    from game.app import App

TITLES = {"squat": "Squats", "pushup": "Push-ups", "lunge": "Lunges"}
# Engine cue keys -> recorded phrases (game.audio.PHRASES); unknown keys are shown, not spoken.
SPOKEN = {
    "not_deep_enough": "go_lower", "no_lockout": "stand_tall", "knees_in": "knees_out",
    "torso": "chest_up", "torso_shin": "chest_up", "tempo": "slow_down", "too_fast": "slow_down",
    "good_rep": "good_rep", "improved_depth": "good_rep", "missing_joints": "show_body",
    "lost_tracking": "show_body",
}


class RepScene(SessionScene):
    name = "rep_challenge"

    def __init__(self, app: App, exercise: str = "squat", *, target: int | None = None,
                 on_done: OnDone | None = None, countdown_s: float = 3.0,
                 stop_loss_pct: float | None = None) -> None:
        super().__init__(app, on_done=on_done, countdown_s=countdown_s)
        from game.reps import make_rep_detector

        self.exercise = exercise
        self.target = target or app.settings.rep_target
        self.detector: Any = make_rep_detector(exercise)
        self.reps: list[dict[str, Any]] = []  # RepEvent.to_json() of every attempt
        self.flash_s = 0.0  # time since the last counted rep (for the pop animation)
        self.last_event_item: FeedItem | None = None
        self.clip = ClipPanel(DEMO_FOR_EXERCISE.get(exercise, "squat"))
        self.banner: tuple[str, str] | None = None  # (text, kind)
        self.status = "getting_ready"
        self._halfway_said = False
        # Velocity-based training: end the set when rep speed has dropped this much (the plan
        # sets 20 % normally, 10 % on recovery days; Pareja-Blanco 2017).
        self.stop_loss_pct = stop_loss_pct

    def live_score(self) -> tuple[float, int | None]:
        n = sum(1 for r in self.reps if r.get("counted"))
        return float(n), n

    def fresh(self) -> RepScene:
        return RepScene(self.app, self.exercise, target=self.target, on_done=self.on_done,
                        stop_loss_pct=self.stop_loss_pct)

    def on_start(self) -> None:
        from game.reps import make_rep_detector

        self.detector = make_rep_detector(self.exercise)
        self.reps = []

    # -- events from the engine -----------------------------------------------------------
    def on_pose(self, item: FeedItem) -> None:
        if self.state != "active":
            return
        self.record_pose(item)
        if not self.judge_can_see(item):
            return  # pose too slow to judge: the engine waits (said on screen)
        for ev in self.detector.update(self.session_frame(item.pose)):
            self._react(ev.to_json(), item)

    def _react(self, ev: dict[str, Any], item: FeedItem) -> None:
        audio = self.app.audio
        kind = ev.get("type")
        if kind == "rep":
            self.reps.append(ev)
            if ev.get("counted"):
                n = int(ev["count"])
                self.flash_s = 0.0
                audio.effect("rep")
                audio.count(n)
                self.app.mark_feedback(item)
                if n == self.target - 1:
                    audio.say("last_rep")
                elif n * 2 >= self.target and not self._halfway_said and self.target >= 6:
                    self._halfway_said = True
                    audio.say("halfway")
                if n >= self.target:
                    self.finish("target")
                    return
                loss = (self.detector.summary() or {}).get("velocity_loss_pct")
                if self.stop_loss_pct is not None and isinstance(loss, (int, float)) and \
                        loss >= self.stop_loss_pct and n >= 2:
                    self.app.notify(f"Speed dropped {loss:.0f} %: that's the set. Good work.",
                                    4, ui.GREEN)
                    self.finish("fatigue")
                    return
            else:
                audio.effect("paused")
                self.app.mark_feedback(item)
            keys = ev.get("cue_keys") or []
            for key in keys[:1]:
                if key in SPOKEN:
                    audio.say(SPOKEN[key])
        elif kind == "status":
            self.status = str(ev.get("state"))
        elif kind == "input":
            cue = ev.get("cue")
            if cue and ev.get("kind") not in ("joints_back", "stream_resumed", "person_reentered"):
                self.app.notify(str(cue), 3.0, ui.ORANGE, transient=True)

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self.flash_s += dt_s
        self.clip.step(dt_s)

    def handle(self, event: InputEvent) -> None:
        if self.clip.handle(event):
            return
        super().handle(event)

    def finish(self, reason: str) -> None:
        if self.finished:
            return
        for ev in self.detector.finish():
            d = ev.to_json()
            if d.get("type") == "rep":
                self.reps.append(d)
        super().finish(reason)

    def session_record(self, reason: str) -> dict[str, Any]:
        summary = dict(self.detector.summary())
        counted = [r for r in self.reps if r.get("counted")]
        scores = [r["score"] for r in counted if r.get("score") is not None]
        stats = {
            "reps": int(summary.get("reps") or len(counted)),
            "attempts": len(self.reps),
            "target": self.target,
            "avg_score": round(sum(scores) / len(scores)) if scores else None,
            "best_score": max(scores) if scores else None,
            "velocity_loss_pct": summary.get("velocity_loss_pct"),
            "duration_s": round(self.active_s, 1),
        }
        return {"mode": "rep", "exercise": self.exercise, "stats": stats, "reps": self.reps,
                "summary": summary}

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        side_w = max(lay.px(48), int(lay.w * 0.3))
        stage_area = pygame.Rect(lay.px(1), lay.px(1), lay.w - side_w - lay.px(2),
                                 lay.h - lay.px(2))
        self.draw_stage(surface, stage_area)
        view = self._view()
        self._draw_stage_hud(surface, stage_area, view)
        side = pygame.Rect(lay.w - side_w, lay.px(1), side_w - lay.px(1), lay.h - lay.px(2))
        self._draw_side(surface, side, view)
        self.draw_source_state(surface, stage_area)
        self.draw_standings(surface, (stage_area.right - lay.px(2), stage_area.top + lay.px(2)))
        self.draw_countdown(surface)

    def _view(self) -> Any:
        getter = getattr(self.detector, "view", None)
        return getter() if callable(getter) else None

    def _draw_stage_hud(self, surface: pygame.Surface, area: pygame.Rect, view: Any) -> None:
        lay = ui.Layout.of(surface)
        # Title and the big count, top-left of the stage.
        ui.text(surface, self.hud_title(TITLES.get(self.exercise, self.exercise.title())),
                (area.left + lay.px(3), area.top + lay.px(2)), lay.px(4), ui.MUTED, bold=True)
        count = view.count if view is not None else sum(1 for r in self.reps if r.get("counted"))
        pop = max(0.0, 1.0 - self.flash_s / 0.35)
        size = int(lay.px(18) * (1 + 0.25 * pop))
        col = ui.GREEN if pop > 0 else ui.INK
        r = ui.text(surface, str(count), (area.left + lay.px(3), area.top + lay.px(7)), size, col,
                    bold=True)
        ui.text(surface, f"/ {self.target}", (r.right + lay.px(1), r.bottom - lay.px(4)),
                lay.px(5), ui.MUTED, anchor="bottomleft")
        # Paused-counter banner / live cue along the bottom of the stage.
        if self.state == "active" and view is not None:
            if view.is_paused:
                text = view.cue or "Counter paused"
                self._banner(surface, area, "COUNTER PAUSED", text, ui.ORANGE)
            elif view.phase == "getting_ready" or not view.is_calibrated:
                self._banner(surface, area, "GET SET", view.cue or "Stand tall and still to start",
                             ui.BLUE)
            elif view.cue and view.cue_kind == "positive" and self.flash_s < 2.5:
                self._banner(surface, area, "", view.cue, ui.GREEN)
            elif view.cue and view.cue_kind == "corrective" and self.flash_s < 3.0:
                self._banner(surface, area, "", view.cue, ui.ACCENT)

    def _banner(self, surface: pygame.Surface, area: pygame.Rect, head: str, body: str,
                color: tuple[int, int, int]) -> None:
        lay = ui.Layout.of(surface)
        h = lay.px(13 if head else 9)
        rect = pygame.Rect(area.left + lay.px(3), area.bottom - h - lay.px(3),
                           area.width - lay.px(6), h)
        ui.panel(surface, rect, alpha=230, border=color)
        if head:
            ui.text(surface, head, (rect.left + lay.px(3), rect.top + lay.px(1.5)), lay.px(3),
                    color, bold=True)
            ui.text(surface, body, (rect.left + lay.px(3), rect.top + lay.px(6)), lay.px(3.8),
                    ui.INK, max_width=rect.width - lay.px(6))
        else:
            ui.text(surface, body, (rect.left + lay.px(3), rect.centery), lay.px(3.8), ui.INK,
                    anchor="midleft", max_width=rect.width - lay.px(6))

    def _draw_side(self, surface: pygame.Surface, side: pygame.Rect, view: Any) -> None:
        lay = ui.Layout.of(surface)
        pad = lay.px(2)
        # Range-of-motion meter + last rep score.
        top = pygame.Rect(side.left, side.top, side.width, int(side.height * 0.33))
        ui.panel(surface, top, alpha=225)
        meter_rect = pygame.Rect(top.left + pad, top.top + lay.px(5), lay.px(7),
                                 top.height - lay.px(11))
        rom = view.rom if view is not None else 0.0
        depth_ok = bool(view and view.is_depth_reached)
        ui.text(surface, "Depth", (meter_rect.centerx, top.top + pad), lay.px(2.4), ui.MUTED,
                anchor="midtop")
        ui.meter(surface, meter_rect, rom, target=1.0 if rom <= 1.0 else None,
                 color=ui.GREEN if depth_ok else ui.ACCENT)
        x = meter_rect.right + lay.px(4)
        last = next((r for r in reversed(self.reps)), None)
        ui.text(surface, "Last rep", (x, top.top + pad), lay.px(2.4), ui.MUTED)
        if last is None:
            ui.text(surface, "--", (x, top.top + lay.px(6)), lay.px(9), ui.MUTED, bold=True)
        elif last.get("counted"):
            score = int(last.get("score") or 0)
            ui.text(surface, str(score), (x, top.top + lay.px(6)), lay.px(9),
                    ui.score_color(score), bold=True)
            ui.text(surface, "form score", (x, top.top + lay.px(17)), lay.px(2.2), ui.MUTED)
        else:
            ui.text(surface, "No rep", (x, top.top + lay.px(6)), lay.px(6), ui.ORANGE, bold=True)
            ui.text(surface, str(last.get("reason") or "").replace("_", " "),
                    (x, top.top + lay.px(14)), lay.px(2.4), ui.MUTED,
                    max_width=top.right - x - pad)
        cues = list(last.get("cues") or [])[:3] if last else []
        cy = top.top + lay.px(21)
        for cue in cues:
            cy = ui.paragraph(surface, "- " + cue, pygame.Rect(x, cy, top.right - x - pad,
                                                                lay.px(8)), lay.px(2.2))
        if view is not None and view.velocity_loss_pct is not None:
            ui.text(surface, f"Speed loss {view.velocity_loss_pct:.0f} %",
                    (x, top.bottom - pad), lay.px(2.2),
                    ui.ORANGE if view.velocity_loss_pct > 20 else ui.MUTED, anchor="bottomleft")
        # Per-rep scores.
        chart = pygame.Rect(side.left, top.bottom + lay.px(1), side.width, int(side.height * 0.14))
        scores: list[float | None] = [float(r.get("score") or 0) if r.get("counted") else None
                                      for r in self.reps]
        ui.bar_chart(surface, chart, scores[-12:], max_value=100, title="Form per rep",
                     color_of=ui.score_color, size=lay.px(2.2),
                     labels=_rep_labels(self.reps)[-12:])
        # Demo clip.
        clip = pygame.Rect(side.left, chart.bottom + lay.px(1), side.width,
                           side.bottom - chart.bottom - lay.px(1))
        self.clip.draw(surface, clip, mirror=self.app.settings.mirror)
        self.targets = {}

    def hover_targets(self) -> dict[str, tuple[float, float, float, float]]:
        return {}


def _rep_labels(reps: list[dict[str, Any]]) -> list[str]:
    """Counted reps are numbered 1, 2, 3...; a refused attempt is left unnumbered."""
    out, n = [], 0
    for r in reps:
        n += 1 if r.get("counted") else 0
        out.append(str(n) if r.get("counted") else "")
    return out
