"""Rep challenge: count, paused-counter state, range-of-motion meter, per-rep score and cues.

The rep engine (``game.reps``) decides everything; this scene feeds it PoseFrames, reacts to its
events with sound and voice, and draws its live view model (``RepView``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.feed import FeedItem
from game.feedback import Message, Priority
from game.input import InputEvent
from game.players import PlayerLock
from game.reps import make_rep_detector
from game.reps.events import InputEvent as EngineInput
from game.reps.events import RepEvent, StatusEvent
from game.scenes import ui
from game.scenes.clip import ClipPanel
from game.scenes.session import OnDone, SessionScene, plays_clip
from game.session_result import rep_stats

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

# The meter's fill reaches this fraction of its height at counting depth: the target line sits
# clear of the meter's top edge, with room above it for going deeper.
DEPTH_LINE = 0.8
# Engine cue keys -> recorded phrases (game.audio.PHRASES); unknown keys are shown, not spoken.
SPOKEN = {
    "not_deep_enough": "go_lower", "no_lockout": "stand_tall", "knees_in": "knees_out",
    "torso": "chest_up", "torso_shin": "chest_up", "tempo": "slow_down", "too_fast": "slow_down",
    "good_rep": "good_rep", "improved_depth": "good_rep", "missing_joints": "show_body",
    "lost_tracking": "show_body",
}


# The cue line's band under the picture (layout units): a two-line cue with its heading.
CUE_BAND_UNITS = 18


class RepScene(SessionScene):
    name = "rep_challenge"

    def __init__(self, services: SceneServices, exercise: str = exercises.DEFAULT, *,
                 target: int | None = None, on_done: OnDone | None = None,
                 countdown_s: float = 3.0,
                 stop_loss_pct: float | None = None) -> None:
        super().__init__(services, on_done=on_done, countdown_s=countdown_s)
        self.exercise = exercise
        self.target = target or services.settings.rep_target
        # A clip (a video or recording as the camera) has as many reps as it has: unless a
        # target was asked for (``--target``, a workout's set), its end ends the set, not a count.
        self.asked_target = target is not None
        # Shown before anyone is judged (the engine's "get set" view); the judged person's
        # engine once the session runs (``detector``).
        self._idle_detector: Any = make_rep_detector(exercise, profile=services.profile)
        self.reps: list[RepEvent] = []  # every attempt, counted or not
        self.flash_s = 0.0  # time since the last counted rep (for the pop animation)
        self.last_event_item: FeedItem | None = None
        self.clip = ClipPanel(exercises.get(exercise).demo)
        self.banner: tuple[str, str] | None = None  # (text, kind)
        self.status = "getting_ready"
        self._halfway_said = False
        # Velocity-based training: end the set when rep speed has dropped this much (the plan
        # sets 20 % normally, 10 % on recovery days; Pareja-Blanco 2017).
        self.stop_loss_pct = stop_loss_pct

    def live_score(self) -> tuple[float, int | None]:
        n = sum(1 for r in self.reps if r.counted)
        return float(n), n

    def fresh(self) -> RepScene:
        return RepScene(self.services, self.exercise, target=self.target, on_done=self.on_done,
                        stop_loss_pct=self.stop_loss_pct)

    MOVEMENT_WORDS = "does a full rep"

    @property
    def detector(self) -> Any:
        """The rep engine of the person judged now (see ``SessionScene.lock``)."""
        judged = self.lock.followed_detector if self.lock is not None else None
        return judged if judged is not None else self._idle_detector

    def on_start(self) -> None:
        exercise, profile = self.exercise, self.services.profile
        self.lock = PlayerLock(lambda: make_rep_detector(exercise, profile=profile))
        self.reps = []

    @property
    def has_target(self) -> bool:
        """Whether a count ends the set: always for the player (or the demo); for a clip only
        when a target was asked for."""
        return self.asked_target or not plays_clip(self.services)

    # -- events from the engine -----------------------------------------------------------
    def on_pose(self, item: FeedItem) -> None:
        if self.state != "active":
            return
        self.record_pose(self.judged_item(item))
        if not self.judge_can_see(item):
            return  # pose too slow to judge: the engine waits (said on screen)
        _, events = self.judge(item)
        judged = self.judged_item(item)
        for ev in events:
            self._react(ev, judged)

    def _react(self, ev: Any, item: FeedItem) -> None:
        """React to one engine event (typed: :mod:`game.reps.events`)."""
        audio = self.services.audio
        if isinstance(ev, RepEvent):
            self.reps.append(ev)
            if ev.counted:
                n = ev.count
                self.flash_s = 0.0
                audio.effect("rep")
                audio.count(n)
                self.services.mark_feedback(item)
                if not self.has_target:
                    pass  # a clip: counted to its end
                elif n == self.target - 1:
                    audio.say("last_rep")
                elif n * 2 >= self.target and not self._halfway_said and self.target >= 6:
                    self._halfway_said = True
                    audio.say("halfway")
                if self.has_target and n >= self.target:
                    self.finish("target")
                    return
                loss = (self.detector.summary() or {}).get("velocity_loss_pct")
                if self.stop_loss_pct is not None and isinstance(loss, (int, float)) and \
                        loss >= self.stop_loss_pct and n >= 2:
                    self.services.notify(f"Speed dropped {loss:.0f} %: that's the set. Good work.",
                                    4, ui.GREEN)
                    self.finish("fatigue")
                    return
            else:
                audio.effect("paused")
                self.services.mark_feedback(item)
            for cue in ev.cues[:1]:
                if cue.key in SPOKEN:
                    audio.say(SPOKEN[cue.key])
        elif isinstance(ev, StatusEvent):
            self.status = ev.state
        elif isinstance(ev, EngineInput):
            # The engine's input problems go to the stage's one cue line (topic "presence"), not
            # to a toast over the count: the same words are never shown twice.
            if ev.kind in ("joints_back", "stream_resumed", "person_reentered"):
                self.feedback.withdraw("input", self.t_s)
            elif ev.cue:
                self.say(Message("input", ev.cue, "cue", Priority.PROBLEM, "presence",
                                 tone="warn", ttl_s=3.0))

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self.flash_s += dt_s
        self.clip.step(dt_s)
        self._post_cues()
        self.feedback.tick(self.t_s)

    def handle(self, event: InputEvent) -> None:
        if self.clip.handle(event):
            return
        super().handle(event)

    def finish(self, reason: str) -> None:
        if self.finished:
            return
        if self.lock is not None:
            self.reps.extend(ev for ev in self.lock.finish() if isinstance(ev, RepEvent))
        super().finish(reason)

    def measured(self) -> dict[str, Any]:
        summary = dict(self.detector.summary())
        return {"stats": rep_stats(self.reps, summary,
                                   target=self.target if self.has_target else 0,
                                   active_s=self.active_s),
                "reps": tuple(self.reps), "summary": summary}

    # -- drawing --------------------------------------------------------------------------
    # Room distance: the count is 18 units (18 % of a 16:9 screen's height), the current cue
    # 4.4 %, every other line at least 2.6 % (the layout test checks >= 4 % / >= 2.5 %).
    def _areas(self, surface: pygame.Surface) -> tuple[pygame.Rect, pygame.Rect]:
        lay = ui.Layout.of(surface)
        side_w = max(lay.px(48), int(lay.w * 0.3))
        stage = pygame.Rect(lay.px(1), lay.px(1), lay.w - side_w - lay.px(2), lay.h - lay.px(2))
        side = pygame.Rect(lay.w - side_w, lay.px(1), side_w - lay.px(1), lay.h - lay.px(2))
        return stage, side

    def _picture_area(self, surface: pygame.Surface, stage: pygame.Rect) -> pygame.Rect:
        """The camera picture: the stage above the cue line's band, so a cue never covers the
        player's feet (a portrait or 4:3 picture fills the stage's height otherwise)."""
        lay = ui.Layout.of(surface)
        area = pygame.Rect(stage.left, stage.top, stage.width,
                           stage.height - lay.px(CUE_BAND_UNITS))
        # A narrow (portrait) picture moves right of the count panel when it fits there at the
        # same size: the panel then covers none of the person.
        latest = self.services.latest
        size = latest.pose.image_size if latest is not None else (640, 480)
        panel = self._count_panel(surface, stage)
        beside = pygame.Rect(panel.right + lay.px(1), area.top,
                             area.right - panel.right - lay.px(1), area.height)
        fit = ui.View.fit(area, size, False).rect
        if fit.left < panel.right and fit.top < panel.bottom and beside.width > 0 and \
                ui.View.fit(beside, size, False).rect.height >= fit.height:
            return beside
        return area

    def _count_panel(self, surface: pygame.Surface, area: pygame.Rect) -> pygame.Rect:
        lay = ui.Layout.of(surface)
        return pygame.Rect(area.left + lay.px(2), area.top + lay.px(2),
                           min(area.width - lay.px(4), lay.px(44)), lay.px(33))

    def _cue_area(self, surface: pygame.Surface, area: pygame.Rect) -> pygame.Rect:
        lay = ui.Layout.of(surface)
        return pygame.Rect(area.left + lay.px(2), area.top, area.width - lay.px(4),
                           area.height - lay.px(2))

    max_toasts = 1

    def draw(self, surface: pygame.Surface) -> None:
        ui.background(surface)
        stage_area, side = self._areas(surface)
        self.draw_stage(surface, self._picture_area(surface, stage_area))
        view = self._view()
        self._draw_stage_hud(surface, stage_area, view)
        self._draw_side(surface, side, view)
        self.draw_standings(surface, (stage_area.right - ui.Layout.of(surface).px(2),
                                      stage_area.top + ui.Layout.of(surface).px(2)))
        self.draw_countdown(surface)

    @property
    def _counts_down_in_panel(self) -> bool:
        """A clip counts down in the count panel, not over the picture: the person in it is
        already moving (a live player is getting into place, and reads it in the middle)."""
        return self.state == "countdown" and plays_clip(self.services)

    def draw_countdown(self, surface: pygame.Surface) -> None:
        """3, 2, 1 in the middle of the stage, clear of the count panel, the notices and the
        cue line (which carries the pause hint meanwhile)."""
        if self.state != "countdown" or self._counts_down_in_panel:
            return
        lay = ui.Layout.of(surface)
        stage, _ = self._areas(surface)
        left = self.countdown_s - self.t_s
        n = max(1, int(left) + 1)
        frac = left - int(left)
        r = ui.text(surface, str(n), (stage.centerx, stage.top + lay.px(50)),
                    int(lay.px(24) * (0.85 + 0.3 * frac)), ui.ACCENT, anchor="midbottom",
                    bold=True, role="primary")
        ui.text(surface, "Get ready", (stage.centerx, r.bottom + lay.px(1)), lay.px(5), ui.INK,
                anchor="midtop", role="primary")

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        """Notices go on the stage, under the count panel (and the countdown) and above the
        cue line."""
        lay = ui.Layout.of(surface)
        stage, _ = self._areas(surface)
        top = max(self._count_panel(surface, stage).bottom, stage.top + lay.px(58)) + lay.px(2)
        return pygame.Rect(stage.left + lay.px(2), top, stage.width - lay.px(4),
                           stage.bottom - lay.px(20) - top)

    def _view(self) -> Any:
        getter = getattr(self.detector, "view", None)
        return getter() if callable(getter) else None

    def _post_cues(self) -> None:
        """What the stage's one cue line should say now (the channel picks the winner)."""
        self.post_source_state()
        self.post_people_cue()
        if self.state == "countdown":
            self.say(Message("pause_hint", self.pause_hint, "cue", Priority.HINT, ttl_s=0.25))
        view = self._view()
        if self.state != "active" or view is None:
            return
        if view.is_paused:
            self.say(Message("paused", view.cue or "Stand tall, then try the next rep", "cue",
                             Priority.STATE, "counter", head="COUNTER PAUSED", tone="warn",
                             ttl_s=0.25))
        elif view.phase == "getting_ready" or not view.is_calibrated:
            self.say(Message("ready", view.cue or "Stand tall and still to start", "cue",
                             Priority.STATE, "counter", head="GET SET", tone="info", ttl_s=0.25))
        elif view.cue and view.cue_kind == "positive" and self.flash_s < 2.5:
            self.say(Message("good", view.cue, "cue", Priority.PRAISE, "form", tone="good",
                             ttl_s=0.25))
        elif view.cue and view.cue_kind == "corrective" and self.flash_s < 3.0:
            self.say(Message("form", view.cue, "cue", Priority.COACH, "form", tone="warn",
                             ttl_s=0.25))

    def _draw_stage_hud(self, surface: pygame.Surface, area: pygame.Rect, view: Any) -> None:
        lay = ui.Layout.of(surface)
        box = self._count_panel(surface, area)
        ui.panel(surface, box, alpha=215)
        pad = lay.px(2)
        ui.text(surface, self.hud_title(exercises.title(self.exercise)),
                (box.left + pad, box.top + pad), lay.px(4), ui.MUTED, bold=True,
                max_width=box.width - lay.px(12) - 2 * pad)
        if self._counts_down_in_panel:
            # a clip's countdown where the count goes: the person in it stays in view
            left = self.countdown_s - self.t_s
            r = ui.text(surface, str(max(1, int(left) + 1)), (box.left + pad, box.bottom - pad),
                        lay.px(18), ui.ACCENT, bold=True, anchor="bottomleft", role="primary")
            ui.text(surface, "Get ready", (r.right + lay.px(2), box.bottom - pad - lay.px(2)),
                    lay.px(4.4), ui.INK, anchor="bottomleft", role="primary",
                    max_width=box.right - r.right - lay.px(10))
            return
        count = view.count if view is not None else sum(1 for r in self.reps if r.counted)
        pop = max(0.0, 1.0 - self.flash_s / 0.35)
        size = int(lay.px(18) * (1 + 0.15 * pop))
        col = ui.GREEN if pop > 0 else ui.INK
        r = ui.text(surface, str(count), (box.left + pad, box.bottom - pad), size, col,
                    bold=True, anchor="bottomleft", role="primary")
        if self.has_target:
            ui.text(surface, f"/ {self.target}", (r.right + lay.px(1),
                                                  box.bottom - pad - lay.px(2)),
                    lay.px(5), ui.MUTED, anchor="bottomleft", role="primary")
        # The depth meter beside the count: the fill reaches the line at counting depth.
        meter = pygame.Rect(box.right - pad - lay.px(6), box.top + pad, lay.px(6),
                            box.height - 2 * pad - lay.px(4))
        rom = view.rom if view is not None else 0.0
        depth_ok = bool(view and view.is_depth_reached)
        ui.meter(surface, meter, rom * DEPTH_LINE, target=DEPTH_LINE,
                 color=ui.GREEN if depth_ok else ui.ACCENT)
        ui.text(surface, "Depth", (meter.centerx, box.bottom - pad), lay.px(2.8), ui.MUTED,
                anchor="midbottom")
        self.draw_message(surface, "cue", self._cue_area(surface, area))

    def _draw_side(self, surface: pygame.Surface, side: pygame.Rect, view: Any) -> None:
        lay = ui.Layout.of(surface)
        pad = lay.px(2)
        small = lay.px(2.8)
        # Last rep: its score, or why it did not count, and its cues.
        top = pygame.Rect(side.left, side.top, side.width, int(side.height * 0.36))
        ui.panel(surface, top, alpha=225)
        x = top.left + pad
        ui.text(surface, "Last rep", (x, top.top + pad), small, ui.MUTED)
        last = next((r for r in reversed(self.reps)), None)
        big_y = top.top + pad + lay.px(4)
        if last is None:
            ui.text(surface, "--", (x, big_y), lay.px(9), ui.MUTED, bold=True)
        elif last.counted:
            score = int(last.score or 0)
            r = ui.text(surface, str(score), (x, big_y), lay.px(9), ui.score_color(score),
                        bold=True)
            ui.text(surface, "form score", (r.right + lay.px(1.5), r.bottom - lay.px(1.5)), small,
                    ui.MUTED, anchor="bottomleft")
        else:
            r = ui.text(surface, "No rep", (x, big_y), lay.px(6), ui.ORANGE, bold=True)
            ui.text(surface, (last.reason or "").replace("_", " "),
                    (r.right + lay.px(1.5), r.bottom - lay.px(1)), small, ui.MUTED,
                    anchor="bottomleft", max_width=top.right - r.right - lay.px(1.5) - pad)
        shown = self.feedback.in_region("cue")
        cues = [c.text for c in last.cues[:2] if shown is None or c.text != shown.text] \
            if last else []  # a cue on the stage's line is not said twice
        cy = big_y + lay.px(12)
        bottom = top.bottom - pad - (small + lay.px(1) if view is not None and
                                     view.velocity_loss_pct is not None else 0)
        for cue in cues:
            cy = ui.paragraph(surface, cue, pygame.Rect(x, cy, top.width - 2 * pad,
                                                        max(0, bottom - cy)), small)
        if view is not None and view.velocity_loss_pct is not None:
            ui.text(surface, f"Speed loss {view.velocity_loss_pct:.0f} %",
                    (x, top.bottom - pad), small,
                    ui.ORANGE if view.velocity_loss_pct > 20 else ui.MUTED, anchor="bottomleft")
        # Per-rep scores.
        chart = pygame.Rect(side.left, top.bottom + lay.px(1), side.width, int(side.height * 0.2))
        scores: list[float | None] = [float(r.score or 0) if r.counted else None
                                      for r in self.reps]
        ui.bar_chart(surface, chart, scores[-8:], max_value=100, title="Form per rep",
                     color_of=ui.score_color, size=lay.px(3.2),
                     labels=_rep_labels(self.reps)[-8:])
        # Demo clip.
        clip = pygame.Rect(side.left, chart.bottom + lay.px(1), side.width,
                           side.bottom - chart.bottom - lay.px(1))
        self.clip.draw(surface, clip, mirror=self.services.mirror, compact=True)
        self.targets = {}

    def hover_targets(self) -> dict[str, tuple[float, float, float, float]]:
        return {}


def _rep_labels(reps: list[RepEvent]) -> list[str]:
    """Counted reps are numbered 1, 2, 3...; a refused attempt is left unnumbered."""
    out, n = [], 0
    for r in reps:
        n += 1 if r.counted else 0
        out.append(str(n) if r.counted else "")
    return out
