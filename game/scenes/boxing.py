"""Shadowboxing round: targets on the beat around the player, hits, combos, streaks, rounds and rest.

The rules (``game.boxing.rules.BoxingRound``) plan the targets and score every punch; this scene
measures the player in guard for a second (to place targets on *their* body), feeds frames to
the rules, turns game events into effects and sound, and draws the rules' ``view()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pygame

from game.feed import FeedItem
from game.input import InputEvent
from game.pose.types import PoseFrame
from game.scenes import ui
from game.scenes.session import OnDone, SessionScene

if TYPE_CHECKING:
    from game.app import App

GUARD_FRAMES = 20  # ~0.7 s at 30 fps of the player in view before the rounds start
ROUND_WORDS = {1: "round_1", 2: "round_2", 3: "round_3", 4: "round_4", 5: "round_5"}
GRADE_TEXT = {"perfect": "PERFECT", "early": "EARLY", "late": "LATE"}
# A hit sounds and bursts as a power punch from this many power points (the rules give 0-50 for
# hand speed from 2 to 6 m/s: 25 = 4 m/s, a hard straight punch on BlazePose's body model).
POWER_POINTS = 25


@dataclass
class Effect:
    kind: str  # "burst" | "text"
    x_px: float  # source-image pixels (mapped when drawn)
    y_px: float
    text: str
    color: tuple[int, int, int]
    age_s: float = 0.0
    life_s: float = 0.8
    size: float = 1.0


class BoxingScene(SessionScene):
    name = "shadowboxing"
    exercise = "boxing"

    def __init__(self, app: App, *, rounds: int | None = None, difficulty: Any = None,
                 on_done: OnDone | None = None, level: int = 2) -> None:
        super().__init__(app, on_done=on_done, countdown_s=0.0)
        from game.boxing.rules import Difficulty

        base = Difficulty.level(level)
        if difficulty is not None:
            base = Difficulty.from_plan(difficulty, base)
        from dataclasses import replace

        self.difficulty = replace(base, rounds=rounds or (base.rounds if difficulty is not None
                                                          else app.settings.rounds),
                                  round_s=base.round_s if difficulty is not None
                                  else float(app.settings.round_s))
        self.rules: Any = None
        self.guard: list[PoseFrame] = []
        self.effects: list[Effect] = []
        self.hits: list[dict[str, Any]] = []
        self.flash_grade: tuple[str, float] | None = None
        self.seed = 1 if app.options.scripted else int.from_bytes(__import__("os").urandom(4),
                                                                  "little")
        self.game_over = False
        self._said_round = 0
        self._said_slow_down_s = -1e9
        self._demo_orders: list[Any] = []
        self._orders_offset_ms = 0.0

    def live_score(self) -> tuple[float, int | None]:
        return (float(self.rules.score) if self.rules is not None else 0.0), len(self.hits)

    def fresh(self) -> BoxingScene:
        return BoxingScene(self.app, rounds=self.difficulty.rounds, on_done=self.on_done)

    def on_start(self) -> None:
        self.rules = None
        self.guard = []

    # -- pose in --------------------------------------------------------------------------
    def on_pose(self, item: FeedItem) -> None:
        if self.state != "active":
            return
        self.record_pose(item)
        if not self.judge_can_see(item):
            return  # pose too slow to judge: the round waits (said on screen)
        pose = self.session_frame(item.pose)
        if self.rules is None:
            if pose.landmarks_px is not None:
                self.guard.append(pose)
            if len(self.guard) >= GUARD_FRAMES:
                self._start_rules(pose)
            return
        if self._demo_orders and self._orders_offset_ms != self._paused_ms:
            self._send_demo_orders()  # resumed after a pause
        for ev in self.rules.update(pose):
            self._react(ev.to_json(), item)

    def _start_rules(self, frame: PoseFrame) -> None:
        from game.boxing.rules import BodyCalibration, BoxingRound

        orthodox = True
        if self.app.profile is not None and self.app.profile.stance == "southpaw":
            orthodox = False
        cal = BodyCalibration.from_frames(self.guard, orthodox=orthodox)
        difficulty = self.difficulty
        if self.app.is_demo:
            from dataclasses import replace

            # the generated boxer throws straights and slips (no hooks or uppercuts)
            difficulty = replace(difficulty, kinds=("jab", "cross"))
        self.rules = BoxingRound(difficulty, self.seed, cal, start_ms=frame.timestamp_ms)
        if self.app.is_demo and self.app.demo_exercise == "boxing":
            self._direct_demo_boxer(frame.timestamp_ms)

    def _direct_demo_boxer(self, start_ms: float) -> None:
        """Demo mode: tell the generated boxer what to throw and when (a good, not perfect,
        player: about one cue in ten is let go, and timing is off by ~40 ms)."""
        import numpy as np

        from game.moves import Order

        rng = np.random.default_rng(self.seed)
        orders = []
        for cue in self.rules.cues:
            if rng.random() < 0.1:
                continue
            move = cue.kind if cue.is_dodge else str(cue.hand)
            orders.append(Order(start_ms + cue.t_s * 1000.0 + float(rng.normal(0.0, 40.0)),
                                move))
        self._demo_orders = orders  # on the session clock
        self._send_demo_orders()

    def _send_demo_orders(self) -> None:
        """The demo boxer lives on the stream clock: add the time spent paused."""
        from dataclasses import replace

        self._orders_offset_ms = self._paused_ms
        self.app.demo_orders.set([replace(o, t_ms=o.t_ms + self._paused_ms)
                                  for o in self._demo_orders])

    def _target_pos(self, target_id: int) -> tuple[float, float]:
        c = self.rules.cues[target_id] if self.rules is not None else None
        return (c.x_px, c.y_px) if c is not None else (0.0, 0.0)

    def _react(self, ev: dict[str, Any], item: FeedItem) -> None:
        audio = self.app.audio
        kind = ev["type"]
        if kind == "hit":
            x, y = self._target_pos(int(ev["target"]))
            # the rules give 0-50 power points for hand speed over 2 m/s
            strong = float(ev.get("power") or 0) >= POWER_POINTS
            audio.effect("hit_power" if strong else "hit")
            grade = str(ev.get("grade"))
            col = ui.GREEN if grade == "perfect" else ui.ACCENT
            self.effects.append(Effect("burst", x, y, "", col, life_s=0.45,
                                       size=1.5 if strong else 1.0))
            self.effects.append(Effect("text", x, y, f"+{ev.get('points', 0)}", col))
            self.flash_grade = (GRADE_TEXT.get(grade, grade.upper()), self.t_s)
            self.hits.append({"t": ev["t"], "hit": True, "points": ev.get("points"),
                              "grade": grade, "hand": ev.get("hand"), "kind": ev.get("kind")})
            self.app.mark_feedback(item)
        elif kind == "combo":
            audio.effect("combo")
            audio.say("combo")
            self.flash_grade = (f"COMBO +{ev.get('points', 0)}", self.t_s)
        elif kind == "miss":
            x, y = self._target_pos(int(ev["target"]))
            audio.effect("miss", 0.6)
            why = str(ev.get("why", "")).replace("_", " ")
            self.effects.append(Effect("text", x, y, "miss" if why in ("", "late") else why,
                                       ui.MUTED, life_s=0.7))
        elif kind == "dodge":
            x, y = self._target_pos(int(ev["target"]))
            audio.effect("whoosh")
            self.effects.append(Effect("text", x, y, f"DODGE +{ev.get('points', 0)}", ui.CYAN))
            self.app.mark_feedback(item)
        elif kind == "flail":
            # The lock banner (drawn while the rules' view says locked) gives the words; the
            # voice says it once, not at every stray of a flurry.
            if self.t_s - self._said_slow_down_s >= 3.0:
                self._said_slow_down_s = self.t_s
                audio.say("slow_down")
        elif kind == "round_start":
            n = int(ev.get("round", 1))
            audio.effect("bell")
            final = n == self.difficulty.rounds and n > 1
            audio.say("final_round" if final else ROUND_WORDS.get(n, "go"))
        elif kind == "rest_start":
            audio.effect("bell")
            audio.say("rest")
        elif kind == "game_over":
            audio.effect("bell")
            audio.say("time")
            self.game_over = True

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        for e in self.effects:
            e.age_s += dt_s
        self.effects = [e for e in self.effects if e.age_s < e.life_s]
        if self.rules is not None:
            gv = self.rules.view()
            if gv.phase in ("countdown", "rest") and 0 < gv.time_left_s <= 3.0:
                tick = math.ceil(gv.time_left_s)
                if tick != self._last_tick:  # 3, 2, 1 before every round
                    self._last_tick = tick
                    self.app.audio.effect("tick")
                    self.app.audio.say({3: "three", 2: "two", 1: "one"}[tick], interrupt=True)
            elif gv.phase == "round":
                self._last_tick = 4
        if self.game_over and not self.finished:
            self.finish("rounds")

    def handle(self, event: InputEvent) -> None:
        super().handle(event)

    def session_record(self, reason: str) -> dict[str, Any]:
        from dataclasses import asdict

        rounds = self.rules.round_stats() if self.rules is not None else []
        played = [r for r in rounds if r.get("targets") or r.get("punches")]
        per_round = [dict(r, accuracy_pct=None if r.get("accuracy") is None
                          else round(100 * float(r["accuracy"]), 1)) for r in played]
        if self.rules is not None:
            stats = self.rules.session_stats()
        else:  # nobody ever stood in guard: nothing was asked
            stats = {"score": 0, "punches": 0, "hits": 0, "targets": 0, "accuracy_pct": None,
                     "perfect": 0, "best_combo": 0, "combos_completed": 0, "dodges": 0,
                     "peak_speed_mps": None, "mean_speed_mps": None}
        stats.update({"wild_punches": sum(int(r.get("wild_punches") or 0) for r in played),
                      "rounds": len(played), "duration_s": round(self.active_s, 1)})
        # The seed, the full difficulty and the calibration replay the session to the same
        # score from its skeleton recording (``game.boxing.rules.run_session``).
        difficulty = asdict(self.rules.difficulty if self.rules is not None else self.difficulty)
        difficulty["kinds"] = list(difficulty["kinds"])
        record: dict[str, Any] = {
            "mode": "boxing", "exercise": "boxing", "stats": stats, "per_round": per_round,
            "punches": self.hits, "difficulty": difficulty, "seed": self.seed}
        if self.rules is not None:
            cal = asdict(self.rules.calibration)
            record["calibration"] = {k: list(v) if isinstance(v, tuple) else v for k, v in cal.items()}
        return record

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        view = self.draw_stage(surface, surface.get_rect(), dim_alpha=120)
        gv = self.rules.view() if self.rules is not None else None
        if gv is not None:
            self._draw_targets(surface, view, gv)
        self._draw_effects(surface, view)
        self._draw_hud(surface, gv)
        self.draw_standings(surface, (lay.w - lay.px(3), lay.px(32)))
        if self.rules is None and self.state == "active":
            msg = ("Hands up in your guard..." if self.app.latest is None or
                   self.app.latest.pose.landmarks_px is not None else
                   "Step into view: head to hips")
            ui.draw_toast(surface, msg, lay, color=ui.BLUE, y_frac=0.5)
        # Between the score box and the timer box, never over them.
        left = lay.px(3) + lay.px(46) + lay.px(1)
        self.draw_source_state(surface, pygame.Rect(left, 0, lay.w - left - lay.px(3) - lay.px(41), lay.h))

    def _draw_targets(self, surface: pygame.Surface, view: ui.View, gv: Any) -> None:
        lay = ui.Layout.of(surface)
        for t in sorted(gv.targets, key=lambda t: -t.time_to_hit_s):
            x, y = view.to_screen(t.x_px, t.y_px)
            r = max(lay.px(3), int(t.radius_px * view.scale))
            approach = max(0.0, min(1.0, t.time_to_hit_s / 1.6))
            if t.is_dodge:
                self._draw_dodge(surface, (x, y), r, t, approach)
                continue
            col = ui.LEFT_COLOR if t.hand == "left" else ui.RIGHT_COLOR
            # glow + thick outlines so a target reads on any background
            glow = pygame.Surface((4 * r, 4 * r), pygame.SRCALPHA)
            pygame.draw.circle(glow, (*col, 70), (2 * r, 2 * r), int(r * 1.6))
            surface.blit(glow, (x - 2 * r, y - 2 * r))
            pygame.draw.circle(surface, (0, 0, 0), (x, y), r + 4)
            pygame.draw.circle(surface, col, (x, y), r)
            pygame.draw.circle(surface, ui.BONE, (x, y), r, 3)
            pygame.draw.circle(surface, ui.BONE, (x, y), max(3, r // 3))
            # the closing ring: it meets the target on the beat
            ring = int(r * (1.0 + 1.6 * approach))
            pygame.draw.circle(surface, (0, 0, 0), (x, y), ring + 2, 5)
            pygame.draw.circle(surface, ui.ACCENT if approach < 0.15 else ui.BONE, (x, y), ring, 3)
            label = t.kind.upper()
            if t.combo_len > 1:
                label = f"{t.combo_pos + 1}. {label}"
            ui.text(surface, label, (x, y + r + lay.px(1)), lay.px(2.6), ui.INK, anchor="midtop",
                    bold=True)

    def _draw_dodge(self, surface: pygame.Surface, pos: tuple[float, float], r: int, t: Any,
                    approach: float) -> None:
        lay = ui.Layout.of(surface)
        x, y = pos
        label = {"slip_left": "SLIP LEFT", "slip_right": "SLIP RIGHT", "duck": "DUCK"}.get(
            t.kind, t.kind.upper())
        w, h = lay.px(22), lay.px(7)
        rect = pygame.Rect(0, 0, w, h)
        rect.center = (int(x), int(y))
        alpha = int(180 + 60 * (1 - approach)) // 20 * 20  # a few levels: panels are cached
        ui.panel(surface, rect, alpha=alpha, color=(10, 60, 70),
                 border=ui.CYAN)
        ui.text(surface, label, rect.center, lay.px(3.4), ui.CYAN, anchor="center", bold=True)

    def _draw_effects(self, surface: pygame.Surface, view: ui.View) -> None:
        lay = ui.Layout.of(surface)
        for e in self.effects:
            x, y = view.to_screen(e.x_px, e.y_px)
            k = e.age_s / e.life_s
            if e.kind == "burst":
                for i in range(12):
                    a = i * math.pi / 6
                    d = lay.px(3) + lay.px(12) * e.size * k
                    pygame.draw.circle(surface, e.color, (x + math.cos(a) * d, y + math.sin(a) * d),
                                       max(2, int(lay.px(1.2) * (1 - k) * e.size)))
                pygame.draw.circle(surface, ui.BONE, (x, y), int(lay.px(8) * e.size * k) + 2, 3)
            else:
                ui.text(surface, e.text, (x, y - lay.px(6) - lay.px(10) * k), lay.px(4.4),
                        e.color, anchor="center", bold=True)

    def _draw_hud(self, surface: pygame.Surface, gv: Any) -> None:
        lay = ui.Layout.of(surface)
        pad = lay.px(3)
        # score, multiplier, streak
        box = pygame.Rect(pad, pad, lay.px(46), lay.px(22))
        ui.panel(surface, box, alpha=215)
        score = gv.score if gv is not None else 0
        ui.text(surface, f"{score:,}", (box.left + lay.px(3), box.top + lay.px(1.5)), lay.px(8),
                ui.ACCENT, bold=True)
        if gv is not None:
            ui.text(surface, f"x{gv.multiplier}", (box.right - lay.px(3), box.top + lay.px(2)),
                    lay.px(5), ui.GREEN if gv.multiplier > 1 else ui.MUTED, anchor="topright",
                    bold=True)
            ui.text(surface, f"Streak {gv.streak}   Best {self.rules.best_streak}",
                    (box.left + lay.px(3), box.bottom - lay.px(2)), lay.px(2.6), ui.INK,
                    anchor="bottomleft")
        # round and timer
        tbox = pygame.Rect(lay.w - pad - lay.px(40), pad, lay.px(40), lay.px(16))
        ui.panel(surface, tbox, alpha=215)
        if gv is None:
            head, left = "Get in your guard", ""
        elif gv.phase == "countdown":
            head, left = "Get ready", str(max(1, math.ceil(gv.time_left_s)))
        elif gv.phase == "rest":
            head, left = f"Rest before round {gv.round_index + 2}", ui.format_duration(gv.time_left_s)
        elif gv.phase == "done":
            head, left = "Finished", "0:00"
        else:
            head, left = f"Round {gv.round_index + 1} of {gv.rounds}", ui.format_duration(
                gv.time_left_s)
        ui.text(surface, head, (tbox.centerx, tbox.top + lay.px(1.5)), lay.px(2.6), ui.MUTED,
                anchor="midtop", max_width=tbox.width - lay.px(2))
        if left:
            ui.text(surface, left, (tbox.centerx, tbox.bottom - lay.px(1)), lay.px(7), ui.INK,
                    anchor="midbottom", bold=True)
        # combo progress
        if gv is not None and gv.combo_progress and gv.combo_progress[1] > 1:
            done, n = gv.combo_progress
            cbox = pygame.Rect(lay.w - pad - lay.px(40), tbox.bottom + lay.px(1.5), lay.px(40),
                               lay.px(9))
            ui.panel(surface, cbox, alpha=215)
            ui.text(surface, "Combo", (cbox.left + lay.px(2), cbox.centery), lay.px(2.8),
                    ui.MUTED, anchor="midleft")
            for i in range(n):
                c = (cbox.left + lay.px(15) + i * lay.px(4.5), cbox.centery)
                pygame.draw.circle(surface, ui.ACCENT if i < done else (70, 80, 104), c,
                                   lay.px(1.5))
        if gv is not None and gv.phase == "countdown":
            from game.scenes.session import PAUSE_HINT

            ui.text(surface, PAUSE_HINT, (lay.w // 2, lay.h - lay.px(3)), lay.px(2.6), ui.INK,
                    anchor="midbottom")
        if gv is not None and gv.phase == "rest":
            ui.draw_toast(surface, "Rest: shake out your arms, breathe", lay, color=ui.BLUE,
                          y_frac=0.55)
        if gv is not None and gv.is_flail_locked:
            ui.draw_toast(surface, "Too many wild punches: aim each punch at a target", lay,
                          color=ui.RED, y_frac=0.7)
        if self.flash_grade and self.t_s - self.flash_grade[1] < 0.7:
            ui.text(surface, self.flash_grade[0], (pad + lay.px(23), box.bottom + lay.px(2)),
                    lay.px(5), ui.GREEN, anchor="midtop", bold=True)
