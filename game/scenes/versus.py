"""Local versus: two players side by side in front of one camera, split-screen HUD.

The match itself (who counted what, who won) is decided by :mod:`game.versus`; this scene opens a
two-person feed, hands each tracked person's frame to the match, reacts to its events and draws.

States: ``waiting`` (until both slots are seen) -> ``countdown`` -> ``active`` -> results
(:class:`VersusResultsScene`, with rematch and menu). A player lost during the match gets a
"step back into view" on their half; their clock keeps running.

Names follow boxing corners: the player shown on the left of the screen is Blue, the one on the
right is Red. With the mirrored view (the default) the tracker's image-left person stands on the
screen's right, so the screen side is worked out from the mirror setting, never assumed.

Nothing is saved: a versus match is two people, not one player's history, bests or leaderboard.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

from game import exercises, modes
from game.boxing.rules import BodyCalibration, BoxingRound, Difficulty
from game.feed import FeedItem, FeedStatus, needed_pose_fps
from game.input import Action, InputEvent
from game.loop import ClearTo, Pop, Replace
from game.moves import Order
from game.scenes import ui
from game.scenes.base import BaseScene, PlayScene
from game.session_result import FinishedMatch
from game.versus import SLOTS, BoxingVersus, RepRace, Slot, VersusResult, split_by_slot
from game.wording import number

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

# Every rep exercise is a race, the points game a match (game.exercises).
KINDS = (*exercises.REP_NAMES, exercises.BOXING)
TITLES = {**{e.name: e.race_title for e in exercises.EXERCISES}, exercises.BOXING: "Boxing match"}
UNITS = {e.name: e.race_unit for e in exercises.EXERCISES}
CORNERS = {"left": ("Blue", ui.BLUE), "right": ("Red", ui.RED)}  # by screen side
SEEN_WITHIN_MS = 1000.0  # a player is "in view" when seen in the last second
LOST_AFTER_MS = 700.0  # ...and told to step back in after this long unseen during play
NOT_SAVED = "Two people played, so this match is not saved to anyone's history or leaderboard."


def screen_side(slot: str, mirror: bool) -> str:
    """Where a tracker slot (image side) is drawn: the mirrored view swaps left and right."""
    return ("right" if slot == "left" else "left") if mirror else slot


def single_player_feed(services: SceneServices, kind: str) -> None:
    """The feed back to one person (``people=1``: the cheaper model setting, see PipelineOptions)."""
    if services.source.is_demo:
        services.source.open(demo=kind)
    elif services.source.spec is not None:
        services.source.open(services.source.spec)


def leave(services: SceneServices) -> None:
    """Back to the menu: the scene below, or the title when versus was the first scene."""
    if services.stack_depth > 1:
        services.go(Pop())
    else:
        services.go(ClearTo(services.scenes.title()))


class VersusScene(PlayScene):
    name = "versus"
    uses_pose = True
    accepts_pointer = False

    def __init__(self, services: SceneServices, kind: str = exercises.DEFAULT, *, target: int | None = None,
                 time_limit_s: float = 120.0, countdown_s: float = 3.0, seed: int = 0) -> None:
        super().__init__(services)
        if kind not in KINDS:
            raise ValueError(f"versus {kind!r}: choose one of {', '.join(KINDS)}")
        self.kind = kind
        self._default_target = target is None
        self.target = target or (10 if kind != exercises.BOXING else 1)  # reps; rounds for boxing
        self.time_limit_s = time_limit_s
        self.countdown_s = countdown_s
        self.seed = seed
        self.state = "waiting"
        self.countdown_left_s = countdown_s
        self.match: RepRace | BoxingVersus | None = None
        self.last_seen_ms: dict[str, float] = {}
        self.stream_ms = 0.0  # timestamp of the newest frame
        self.since_frame_s = 0.0
        self.flash_s = {s: 9.0 for s in SLOTS}  # since each player's last counted rep / hit
        self.last_note: dict[str, str] = {s: "" for s in SLOTS}
        self.note_s = {s: 9.0 for s in SLOTS}  # since each player's last note
        self.people: dict[str, Any] = {}  # slot -> newest TrackedPose
        self.guard_frames: dict[str, list[Any]] = {s: [] for s in SLOTS}
        self.result: VersusResult | None = None
        self.finished = False
        self.active_s = 0.0
        self._opened = False
        self.item: FeedItem | None = None  # the newest frame, drawn with both people

    # -- life -----------------------------------------------------------------------------
    def enter(self) -> None:
        services = self.services
        feed = services.source.feed
        no_camera = feed is not None and feed.is_camera and feed.status == FeedStatus.FAILED
        if no_camera:
            services.notify("No camera, so two generated players stand in (demo mode).", 4)
        if services.source.is_demo or feed is None or no_camera or \
                (not feed.is_camera and services.source.spec is None):
            services.source.open(demo=f"versus_{self.kind}", people=2)
        else:
            services.source.open(services.source.spec, people=2)  # a clip restarts with the match
        self._opened = True
        self._tune_feed()

    def _tune_feed(self) -> None:
        """The pose rate this match needs to be judged (the "too slow" warning uses it)."""
        if self.services.source.feed is not None:
            self.services.source.feed.min_pose_fps = needed_pose_fps(self.kind)

    def exit(self) -> None:
        """Back to one player, unless the results follow (they hand the feed back)."""
        if self._opened and self.result is None:
            single_player_feed(self.services, self.kind)

    def choose(self, kind: str) -> None:
        """Another match, chosen while waiting (arrows): the generated players change with it."""
        if kind == self.kind:
            return
        self.kind = kind
        if self._default_target:
            self.target = 10 if kind != exercises.BOXING else 1
        self.services.audio.effect("click")
        if self.services.source.is_demo:
            self.last_seen_ms.clear()
            self.people = {}
            self.services.source.open(demo=f"versus_{kind}", people=2)
        self._tune_feed()

    def names(self) -> dict[str, str]:
        mirror = self.services.mirror
        return {s: CORNERS[screen_side(s, mirror)][0] for s in SLOTS}

    def color(self, slot: str) -> tuple[int, int, int]:
        return CORNERS[screen_side(slot, self.services.mirror)][1]

    def is_seen(self, slot: str) -> bool:
        seen = self.last_seen_ms.get(slot)
        return seen is not None and self.stream_ms - seen <= SEEN_WITHIN_MS

    def is_lost(self, slot: str) -> bool:
        seen = self.last_seen_ms.get(slot)
        return seen is None or self.stream_ms - seen > LOST_AFTER_MS

    # -- frames ---------------------------------------------------------------------------
    def on_pose(self, item: FeedItem) -> None:
        t_ms = item.pose.timestamp_ms
        self.item = item
        self.stream_ms = t_ms
        self.since_frame_s = 0.0
        frames = split_by_slot((p.slot, p.pose) for p in item.people)
        self.people = {p.slot: p for p in item.people if p.slot in frames}
        for slot, frame in frames.items():
            if frame.has_person:
                self.last_seen_ms[slot] = t_ms
        if self.state == "countdown" and self.kind == exercises.BOXING:
            for slot, frame in frames.items():
                if frame.has_person:
                    self.guard_frames[slot] = (self.guard_frames[slot] + [frame])[-90:]
        if self.state != "active" or self.match is None:
            return
        for ev in self.match.step(t_ms, item.pose.image_size, frames):
            self._react(ev, item)

    def _start_match(self) -> None:
        if self.kind == exercises.BOXING:
            self.match = self._boxing_match()
        else:
            self.match = RepRace(self.kind, target=self.target, time_limit_s=self.time_limit_s)
        self.state = "active"
        self.services.audio.effect("go")

    def _boxing_match(self) -> BoxingVersus:
        difficulty = replace(Difficulty.level(1), rounds=self.target)
        if self.services.source.is_demo:
            # the generated boxers throw straights and slips (no hooks or uppercuts)
            difficulty = replace(difficulty, kinds=("jab", "cross"))
        cals = {s: BodyCalibration.from_frames(self.guard_frames[s] or [], orthodox=True)
                for s in SLOTS}
        start = self.stream_ms

        def make_round(cal: Any) -> Any:
            return BoxingRound(difficulty, self.seed, cal, start_ms=start)

        match = BoxingVersus(cals, make_round=make_round)
        if self.services.source.is_demo:
            self._direct_demo_boxers(match, start)
        return match

    def _direct_demo_boxers(self, match: BoxingVersus, start_ms: float) -> None:
        """Demo: each generated boxer answers its own targets; Blue lets ~10 % go, Red ~30 %."""


        books = self.services.source.versus_orders
        for i, slot in enumerate(SLOTS):
            rng = np.random.default_rng(self.seed + i)
            miss = 0.1 if slot == "left" else 0.3
            orders = []
            for cue in match.game(slot).cues:
                if rng.random() < miss:
                    continue
                move = cue.kind if cue.is_dodge else str(cue.hand)
                orders.append(Order(start_ms + cue.t_s * 1000.0 + float(rng.normal(0, 40.0)),
                                    move))
            if slot in books:
                books[slot].set(orders)

    def _react(self, ev: Any, item: FeedItem | None) -> None:
        audio = self.services.audio
        slot = ev.slot
        if ev.kind == "player" and slot is not None:
            self.note_s[slot] = 0.0
            data = ev.data
            kind = data.get("type")
            if kind == "rep":
                if data.get("counted"):
                    self.flash_s[slot] = 0.0
                    self.last_note[slot] = "Rep!"
                    audio.effect("rep")
                    self.services.mark_feedback(item)
                else:
                    self.last_note[slot] = "No rep: " + str(data.get("reason") or "").replace(
                        "_", " ")
                    audio.effect("paused")
            elif kind in ("hit", "dodge"):
                self.flash_s[slot] = 0.0
                self.last_note[slot] = f"{str(data.get('grade') or kind).title()} " \
                                       f"+{data.get('points', 0)}"
                audio.effect("hit" if kind == "hit" else "whoosh")
                self.services.mark_feedback(item)
            elif kind == "miss":
                self.flash_s[slot] = 0.0
                self.last_note[slot] = "Miss"
            elif kind in ("round_start", "rest_start") and slot == "left":
                audio.effect("bell")  # both games share the clock: ring once
        elif ev.kind == "lead" and slot is not None:
            self.services.notify(f"{self.names()[slot]} takes the lead", 2.0, self.color(slot),
                            transient=True)
        elif ev.kind == "finished":
            self._show_results()

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        self.since_frame_s += dt_s
        for s in SLOTS:
            self.flash_s[s] += dt_s
            self.note_s[s] += dt_s
        both = all(self.is_seen(s) for s in SLOTS)
        if self.state == "waiting" and both:
            self.state = "countdown"
            self.countdown_left_s = self.countdown_s
        elif self.state == "countdown":
            if not both:
                self.state = "waiting"
                return
            before = int(self.countdown_left_s + 0.999)
            self.countdown_left_s -= dt_s
            if int(self.countdown_left_s + 0.999) != before and self.countdown_left_s > 0:
                self.services.audio.effect("click")
            if self.countdown_left_s <= 0:
                self._start_match()
        elif self.state == "active" and self.match is not None:
            self.active_s += dt_s
            if isinstance(self.match, RepRace) and self.since_frame_s > 0.5:
                # no frames (a stalled source): the race clock still runs
                for ev in self.match.tick(self.stream_ms / 1000.0 + self.since_frame_s):
                    self._react(ev, self.item)
        feed = self.services.source.feed
        if self.state in ("waiting", "countdown") and feed is not None and \
                feed.status == FeedStatus.ENDED and feed.is_exhausted:
            # a clip loops until both players are found (its clock starts again from 0)
            self.last_seen_ms.clear()
            self.people = {}
            self.state = "waiting"
            self.services.source.open(self.services.source.spec, people=2)

    def finish(self, reason: str = "stopped") -> None:
        """End now (players stopped, or a scripted run's time is up): the standing decides."""
        if self.finished:
            return
        if self.match is None:
            self.finished = True
            leave(self.services)
            return
        self.match.finish(self.stream_ms / 1000.0)
        self._show_results()

    def _show_results(self) -> None:
        if self.finished or self.match is None or self.match.result is None:
            return
        self.finished = True
        self.result = self.match.result
        self.services.audio.effect("whoosh")
        self.go(Replace(VersusResultsScene(self.services, self.result, kind=self.kind,
                                                  names=self.names(),
                                                  colors={s: self.color(s) for s in SLOTS},
                                                  rematch=self.fresh)))

    def fresh(self) -> VersusScene:
        return VersusScene(self.services, self.kind, target=self.target,
                           time_limit_s=self.time_limit_s, countdown_s=self.countdown_s,
                           seed=self.seed + 1)

    def handle(self, event: InputEvent) -> None:
        # Raised hands (the app's pause gesture) are left alone: a match has no pause, and two
        # people celebrating must not stop it. Esc stops it; the standing decides.
        if event.action in (Action.LEFT, Action.RIGHT) and self.state == "waiting":
            step = 1 if event.action == Action.RIGHT else -1
            self.choose(KINDS[(KINDS.index(self.kind) + step) % len(KINDS)])
            return
        if event.action == Action.BACK:
            if self.state == "active":
                self.finish("stopped")
            else:
                self.finished = True
                leave(self.services)

    # -- drawing --------------------------------------------------------------------------
    def score(self, slot: str) -> int:
        m = self.match
        if isinstance(m, RepRace):
            return m.counts[slot]
        if isinstance(m, BoxingVersus):
            return m.scores()[slot]
        return 0

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        hud = self._hud_rect(surface, "left")
        stage = pygame.Rect(0, hud.bottom + lay.px(1), lay.w, lay.h - hud.bottom - lay.px(6))
        view = self.draw_stage(surface, stage, dim_alpha=120, skeleton=False, item=self.item)
        for slot, person in self.people.items():
            lm = person.pose.landmarks_px
            if lm is not None:
                ui.draw_skeleton(surface, view.points(lm), lm[:, 3], width=max(3, lay.px(0.8)),
                                 color=self.color(slot))
        if isinstance(self.match, BoxingVersus) and self.state == "active":
            self._draw_targets(surface, view)
        for slot in SLOTS:
            self._draw_player_hud(surface, slot)
        self._draw_centre(surface)
        if self.state in ("waiting", "countdown"):
            self._draw_waiting(surface, stage)
        self.footer_hint(surface, "Left/Right: another race, or boxing   "
                         "Esc: back" if self.state == "waiting" else "Esc: stop the match")

    def _hud_rect(self, surface: pygame.Surface, slot: str) -> pygame.Rect:
        lay = ui.Layout.of(surface)
        w = int(lay.w * 0.3)
        side = screen_side(slot, self.services.mirror)
        x = lay.px(2) if side == "left" else lay.w - w - lay.px(2)
        return pygame.Rect(x, lay.px(2), w, lay.px(30))

    def _draw_player_hud(self, surface: pygame.Surface, slot: Slot) -> None:
        lay = ui.Layout.of(surface)
        rect = self._hud_rect(surface, slot)
        col = self.color(slot)
        ui.panel(surface, rect, alpha=215, border=col)
        pad = lay.px(2)
        ui.text(surface, self.names()[slot].upper(), (rect.left + pad, rect.top + pad),
                lay.px(4.5), col, bold=True, max_width=rect.width // 2)
        if self.state in ("waiting", "countdown"):
            # before the match each half says whether its player is seen (nothing covers them)
            ok = self.is_seen(slot)
            ui.text(surface, "READY" if ok else "STEP IN", (rect.left + pad, rect.top + lay.px(9)),
                    lay.px(10), ui.GREEN if ok else ui.MUTED, bold=True,
                    max_width=rect.width - 2 * pad)
            ui.text(surface, "seen by the camera" if ok else "not seen yet",
                    (rect.left + pad, rect.bottom - pad), lay.px(3.2), ui.MUTED,
                    anchor="bottomleft", max_width=rect.width - 2 * pad)
            return
        pop = max(0.0, 1.0 - self.flash_s[slot] / 0.35)
        big = int(lay.px(16) * (1 + 0.2 * pop))
        r = ui.text(surface, number(self.score(slot)), (rect.left + pad, rect.top + lay.px(7.5)),
                    big, ui.GREEN if pop > 0 else ui.INK, bold=True)
        if self.kind != exercises.BOXING:
            ui.text(surface, f"/ {self.target}", (r.right + lay.px(1), r.bottom - lay.px(3)),
                    lay.px(5), ui.MUTED, anchor="bottomleft",
                    max_width=max(lay.px(4), rect.right - r.right - pad))
            # how far to the finish, readable from across the room
            bar = pygame.Rect(rect.left + pad, rect.top + lay.px(21), rect.width - 2 * pad,
                              lay.px(1.6))
            pygame.draw.rect(surface, (50, 58, 80), bar, border_radius=bar.height // 2)
            done = bar.copy()
            done.width = int(bar.width * min(1.0, self.score(slot) / max(1, self.target)))
            if done.width > 0:
                pygame.draw.rect(surface, col, done, border_radius=bar.height // 2)
        else:
            game = self.match.game(slot) if isinstance(self.match, BoxingVersus) else None
            streak = int(getattr(game, "streak", 0) or 0)
            ui.text(surface, f"streak {streak}", (rect.right - pad, rect.top + pad), lay.px(3.5),
                    ui.ACCENT if streak >= 3 else ui.MUTED, anchor="topright", bold=True,
                    max_width=rect.width // 2 - pad)
        if self.state == "active" and self.is_lost(slot):
            ui.text(surface, "Step back into view", (rect.left + pad, rect.bottom - pad),
                    lay.px(3.6), ui.ORANGE, anchor="bottomleft", bold=True,
                    max_width=rect.width - 2 * pad)
        elif self.last_note[slot] and self.note_s[slot] < 2.5:
            note = self.last_note[slot]
            ui.text(surface, note, (rect.left + pad, rect.bottom - pad), lay.px(3.2),
                    ui.GREEN if not note.startswith(("No", "Miss")) else ui.ORANGE,
                    anchor="bottomleft", max_width=rect.width - 2 * pad)

    def _draw_centre(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        left_hud = self._hud_rect(surface, "left")
        w = lay.w - 2 * left_hud.width - lay.px(8)
        rect = pygame.Rect(0, lay.px(2), w, lay.px(24))
        rect.centerx = lay.w // 2
        ui.panel(surface, rect, alpha=200)
        title = TITLES[self.kind]
        if self.kind != exercises.BOXING:
            title += f": first to {self.target}"
        ui.text(surface, title, (rect.centerx, rect.top + lay.px(1.5)), lay.px(3.2), ui.MUTED,
                anchor="midtop", bold=True, max_width=rect.width - lay.px(2))
        if self.state == "waiting":
            ui.text(surface, "Waiting for two players", (rect.centerx, rect.top + lay.px(7)),
                    lay.px(4.6), ui.ACCENT, anchor="midtop", bold=True,
                    max_width=rect.width - lay.px(2))
            ui.text(surface, "Stand side by side, both fully in view",
                    (rect.centerx, rect.top + lay.px(14)), lay.px(2.8), ui.INK, anchor="midtop",
                    max_width=rect.width - lay.px(2))
            return
        clock = ""
        if isinstance(self.match, RepRace):
            clock = ui.format_duration(self.match.time_limit_s - self.match.elapsed_s())
        elif isinstance(self.match, BoxingVersus):
            gv = self.match.game("left").view()
            clock = ui.format_duration(gv.time_left_s)
        elif self.kind != exercises.BOXING:
            clock = ui.format_duration(self.time_limit_s)
        if clock:
            ui.text(surface, clock, (rect.centerx, rect.top + lay.px(6)), lay.px(10), ui.INK,
                    anchor="midtop", bold=True, max_width=rect.width - lay.px(2))
        feed = self.services.source.feed
        if feed is not None and feed.is_too_slow_to_judge:
            ui.text(surface, "Tracking too slow to judge fairly",
                    (rect.centerx, rect.bottom - lay.px(0.8)), lay.px(2.4), ui.ORANGE,
                    anchor="midbottom", bold=True, max_width=rect.width - lay.px(2))

    def _draw_waiting(self, surface: pygame.Surface, stage: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        if self.state == "countdown":
            box = pygame.Rect(0, 0, lay.px(34), lay.px(34))
            box.center = stage.center
            ui.panel(surface, box, alpha=200, border=ui.ACCENT)
            n = max(1, int(self.countdown_left_s + 0.999))
            ui.text(surface, "Get ready", (box.centerx, box.top + lay.px(2)), lay.px(4),
                    ui.ACCENT, anchor="midtop", bold=True, max_width=box.width - lay.px(2))
            ui.text(surface, str(n), (box.centerx, box.top + lay.px(8)), lay.px(24), ui.INK,
                    anchor="midtop", bold=True)
            return
        feed = self.services.source.feed
        if feed is not None and feed.status == FeedStatus.FAILED:
            msg = feed.message
        elif feed is not None and self.services.source.spec and \
                self.services.source.spec.lower().endswith(".rsk"):
            msg = "A .rsk recording holds one person: versus needs a camera or a video."
        else:
            msg = "Blue plays on the left of the screen, Red on the right."
        line = pygame.Rect(0, 0, min(stage.width - lay.px(8), lay.px(130)), lay.px(7))
        line.midbottom = (stage.centerx, stage.bottom - lay.px(2))
        ui.panel(surface, line, alpha=200)
        ui.text(surface, msg, line.center, lay.px(3.2), ui.MUTED, anchor="center",
                max_width=line.width - lay.px(3))

    def _draw_targets(self, surface: pygame.Surface, view: ui.View) -> None:
        """Each player's own targets, drawn in their corner colour on their own body."""
        assert isinstance(self.match, BoxingVersus)
        lay = ui.Layout.of(surface)
        for slot in SLOTS:
            col = self.color(slot)
            for t in self.match.game(slot).view().targets:
                x, y = view.to_screen(t.x_px, t.y_px)
                r = max(lay.px(2.5), int(t.radius_px * view.scale))
                approach = max(0.0, min(1.0, t.time_to_hit_s / 1.6))
                pygame.draw.circle(surface, (0, 0, 0), (x, y), r + 3)
                pygame.draw.circle(surface, col, (x, y), r, 0 if not t.is_dodge else 4)
                ring = int(r * (1.0 + 1.6 * approach))
                pygame.draw.circle(surface, ui.ACCENT if approach < 0.15 else ui.BONE, (x, y),
                                   ring, 3)
                label = t.kind.upper()
                ui.text(surface, label, (x, y + r + lay.px(0.8)), lay.px(2.6), ui.INK,
                        anchor="midtop", bold=True)

    def hover_targets(self) -> dict[str, tuple[float, float, float, float]]:
        return {}


class VersusResultsScene(BaseScene):
    """Who won, both scores, rematch or menu. Nothing here is saved."""

    name = "versus_results"

    def __init__(self, services: SceneServices, result: VersusResult, *, kind: str,
                 names: dict[str, str], colors: dict[str, tuple[int, int, int]],
                 rematch: Any) -> None:
        super().__init__(services)
        self.result = result
        self.kind = kind
        self.names = names
        self.colors = colors
        self._rematch = rematch
        self.menu = ui.Menu([ui.Button("rematch", "Rematch"), ui.Button("menu", "Menu")])
        self._rematching = False

    def enter(self) -> None:
        self.services.audio.effect("success")
        # The run's summary lists it (unsaved); no history, database or upload is touched.
        self.services.keep_finished(FinishedMatch({**self.result.to_json(), "game": self.kind,
                                              "mode": modes.VERSUS}))

    def headline(self) -> str:
        return self.result.headline(self.names) + ("!" if self.result.winner else "")

    def reason_line(self) -> str:
        r = self.result
        unit = UNITS.get(self.kind, "points")
        if r.reason == "target":
            return f"first to {max(r.scores.values())} {unit}"
        if r.reason == "time":
            a, b = r.scores.get("left", 0), r.scores.get("right", 0)
            return ("most " + unit + " when time ran out") if a != b else \
                "level on reps: the earlier last rep wins"
        if r.reason == "score":
            return "higher score"
        return "level at the end"

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self._go("menu")
            return
        key = self.menu.handle(event)
        if key is not None:
            self.services.audio.effect("click")
            self._go(key)

    def exit(self) -> None:
        if not self._rematching:
            single_player_feed(self.services, self.kind)

    def _go(self, key: str) -> None:
        if key == "rematch":
            self._rematching = True
            self.go(Replace(self._rematch()))
        else:
            leave(self.services)

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        r = self.result
        col = self.colors.get(r.winner, ui.ACCENT) if r.winner else ui.ACCENT
        y = ui.text(surface, self.headline(), (lay.w // 2, lay.px(6)), lay.px(13), col,
                    anchor="midtop", bold=True, max_width=lay.w - lay.px(8)).bottom
        y = ui.text(surface, f"{TITLES[self.kind]}: {self.reason_line()}",
                    (lay.w // 2, y + lay.px(1.5)), lay.px(4), ui.MUTED, anchor="midtop",
                    max_width=lay.w - lay.px(8)).bottom
        # Both scores, each in its player's corner colour, on their screen side.
        order = sorted(SLOTS, key=lambda s: 0 if self.names.get(s) == "Blue" else 1)
        card_w = min(lay.px(70), (lay.w - lay.px(12)) // 2)
        card_h = lay.px(34)
        top = y + lay.px(4)
        for i, slot in enumerate(order):
            cx = lay.w // 2 + (-1 if i == 0 else 1) * (card_w // 2 + lay.px(2))
            card = pygame.Rect(0, top, card_w, card_h)
            card.centerx = cx
            c = self.colors.get(slot, ui.INK)
            ui.panel(surface, card, alpha=230, border=c if r.winner == slot else None)
            ui.text(surface, self.names.get(slot, slot), (card.centerx, card.top + lay.px(2)),
                    lay.px(5), c, anchor="midtop", bold=True, max_width=card.width - lay.px(4))
            ui.text(surface, number(r.scores.get(slot, 0)), (card.centerx, card.top + lay.px(9)),
                    lay.px(18), ui.INK, anchor="midtop", bold=True, role="primary")
            ui.text(surface, UNITS.get(self.kind, "points"),
                    (card.centerx, card.bottom - lay.px(2)), lay.px(3), ui.MUTED,
                    anchor="midbottom")
        # Buttons side by side under the cards, then the note about saving.
        bw, bh = min(lay.px(44), (lay.w - lay.px(12)) // 2), lay.px(10)
        by = top + card_h + lay.px(4)
        self.menu.rects = {}
        for i, b in enumerate(self.menu.buttons):
            rect = pygame.Rect(0, by, bw, bh)
            rect.centerx = lay.w // 2 + (-1 if i == 0 else 1) * (bw // 2 + lay.px(2))
            self.menu.rects[b.key] = rect
            ui.draw_button(surface, rect, b.label, focused=i == self.menu.focus,
                           size=lay.px(4), hover_progress=self.services.pointer.progress
                           if self.services.pointer.hover_id == b.key else 0.0)
        self.targets = dict(self.menu.rects)
        ui.paragraph(surface, NOT_SAVED, pygame.Rect(lay.px(6), by + bh + lay.px(3),
                                                     lay.w - lay.px(12), lay.px(8)),
                     lay.px(2.8), ui.MUTED, center=True)

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        lay = ui.Layout.of(surface)
        return pygame.Rect(lay.px(4), 0, lay.w - lay.px(8), lay.px(12))
