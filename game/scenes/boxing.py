"""Shadowboxing round: targets on the beat around the player, hits, combos, streaks, rounds and rest.

The rules (``game.boxing.rules.BoxingRound``) plan the targets and score every punch; this scene
measures the player in guard for a second (to place targets on *their* body), feeds frames to
the rules, turns game events into effects and sound, and draws the rules' ``view()``.

A live player (or the demo) is measured after "Go" and the rules count 3, 2, 1 before round 1.
A clip (a video or recording as the camera) plays on whether anyone is ready, so it gets the
session's countdown instead: the person in it is measured meanwhile, the clip restarts at "Go"
(as in a rep challenge) and round 1 starts with it, so every punch in the clip is in the round;
the clip's end ends the session ("source_end") with its results. The boxer in a clip cannot
follow this session's targets, so a clip is scored freely (``Difficulty.scoring == "free"``: no
targets, every clean punch scores by power, streak and combination) in one round as long as
the clip, and the screen and the results say so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pygame

from game import exercises
from game.audio import music_bpm
from game.boxing import make_punch_detector
from game.boxing.rules import COUNTDOWN_S as RULES_COUNTDOWN_S
from game.boxing.rules import TARGET_R, BodyCalibration, BoxingRound, Difficulty
from game.feed import FeedItem
from game.feedback import Message, Priority
from game.input import InputEvent
from game.loop import Push
from game.moves import Order
from game.players import PersonRound, PlayerLock, PunchTap, everyone
from game.pose.types import LM, PoseFrame, TrackedPose
from game.scenes import ui
from game.scenes.session import OnDone, SessionScene, plays_clip
from game.scenes.tutorial import TutorialScene, tutorial_needed
from game.session_result import PunchHit

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

GUARD_FRAMES = 20  # ~0.7 s at 30 fps of the player in view before the rounds start
ROUND_WORDS = {1: "round_1", 2: "round_2", 3: "round_3", 4: "round_4", 5: "round_5"}
GRADE_TEXT = {"perfect": "PERFECT", "early": "EARLY", "late": "LATE", "clean": "CLEAN"}
# A miss says what to do differently next time, in two words.
MISS_TEXT = {"late": "LATE", "no_guard": "GUARD FIRST", "wrong_hand": "OTHER HAND",
             "wrong_punch": "WRONG PUNCH", "half": "FULL PUNCH", "flail": "LOCKED",
             "dodge_missed": "MOVE HEAD"}
LABELS = {"jab": "JAB", "cross": "CROSS", "hook": "HOOK", "uppercut": "UPPER"}
# A ring is never drawn smaller than this (layout units): its label must read from the room.
MIN_RING_UNITS = 6.0
# A hit sounds and bursts as a power punch from this many power points (the rules give 0-50 for
# hand speed from 2 to 6 m/s: 25 = 4 m/s, a hard straight punch on BlazePose's body model).
POWER_POINTS = 25
# What free scoring (a clip) is, in one line for the screen.
FREE_SCORING_TEXT = ("A clip can't follow targets, so every clean punch scores: power, streak "
                     "and combos")


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
    exercise = exercises.BOXING
    rules_count_down = True

    def __init__(self, services: SceneServices, *, rounds: int | None = None,
                 difficulty: Any = None, on_done: OnDone | None = None, level: int = 2) -> None:
        super().__init__(services, on_done=on_done)
        base = Difficulty.level(level)
        if difficulty is not None:
            base = Difficulty.from_plan(difficulty, base)


        # The targets follow the music: the tempo is the nearest track's (game.audio).
        self.difficulty = replace(base, rounds=rounds or (base.rounds if difficulty is not None
                                                          else services.settings.rounds),
                                  round_s=base.round_s if difficulty is not None
                                  else float(services.settings.round_s),
                                  bpm=music_bpm(base.bpm))
        self._music_on = False
        # Each person's guard before their round starts (frames of them standing), by person
        # id; ``guard`` is the tracker's player's (the one whose guard starts the rounds).
        self.guards: dict[int, list[PoseFrame]] = {}
        self._round_args: tuple[Difficulty, float] | None = None  # (difficulty, start_ms)
        self._now: dict[int, PoseFrame] = {}  # everyone's skeleton in the frame being judged
        self.effects: list[Effect] = []
        self.hits: list[PunchHit] = []
        self._last_hit_target = 0
        # a scripted run replays the same targets; a player gets new ones each time
        self.seed = 1 if services.is_scripted else services.rng.getrandbits(32)
        self.game_over = False
        self._said_round = 0
        self._said_slow_down_s = -1e9
        self._demo_orders: list[Any] = []
        self._orders_offset_ms = 0.0
        self.clip = False  # a video or recording as the camera: set at "Go"
        self._last_hit_xy: tuple[float, float] = (0.0, 0.0)  # where the last hit was shown

    def live_score(self) -> tuple[float, int | None]:
        return (float(self.rules.score) if self.rules is not None else 0.0), len(self.hits)

    def fresh(self) -> BoxingScene:
        return BoxingScene(self.services, rounds=self.difficulty.rounds, on_done=self.on_done)

    def on_start(self) -> None:
        # "Go": a clip keeps the guard measured during the countdown and restarts now
        self.lock = None
        self._round_args = None
        self.clip = plays_clip(self.services)
        if not self.clip:
            self.guards = {}

    MOVEMENT_WORDS = "throws a full punch"

    @property
    def rules(self) -> Any:
        """The judged person's ``BoxingRound`` (None before the rounds start)."""
        judged = self.lock.followed_detector if self.lock is not None else None
        return judged.rules if isinstance(judged, PersonRound) else None

    # -- pose in --------------------------------------------------------------------------
    def on_pose(self, item: FeedItem) -> None:
        people = everyone(item.pose, item.people)
        if self.state == "countdown":  # a clip's countdown: measure the people in it
            for person in people:
                self.guards.setdefault(person.person_id, []).append(person.pose)
            return
        if self.state != "active":
            return
        self.record_pose(self.judged_item(item))
        if not self.judge_can_see(item):
            return  # pose too slow to judge: the round waits (said on screen)
        if self.lock is None:
            pose = self.session_frame(item.pose)
            for person in people:
                guard = self.guards.setdefault(person.person_id, [])
                if not (self.clip and guard):
                    guard.append(person.pose)
            player = next((p.person_id for p in people if p.is_player), None)
            guard = self.guards.get(player, []) if player is not None else []
            if self.clip and guard:
                # the clip's first frame (or its first with a person, when nobody was seen
                # during the countdown) is round 1's: already counted down
                self._start_rules(pose, people, counted_down=True)
            elif len(guard) >= GUARD_FRAMES:
                self._start_rules(pose, people)
                return
            else:
                return
        if self._demo_orders and self._orders_offset_ms != self._paused_ms:
            self._send_demo_orders()  # resumed after a pause
        for ev in self._judge(item):
            self._react(ev.to_json(), self.judged_item(item))

    def _judge(self, item: FeedItem) -> list[Any]:
        """Everyone in ``item`` to the lock; the judged person's game events."""
        self._now = {p.person_id: p.pose for p in everyone(item.pose, item.people)}
        _, events = self.judge(item)
        return events

    def _start_rules(self, frame: PoseFrame, people: tuple[TrackedPose, ...], *,
                     counted_down: bool = False) -> None:
        difficulty = self.difficulty
        if self.services.source.is_demo:
            # the generated boxer throws straights and slips (no hooks or uppercuts)
            difficulty = replace(difficulty, kinds=("jab", "cross"))
        if self.clip:
            difficulty = self.clip_difficulty(difficulty)
        # counted down (a clip, at "Go"): the rules' clock starts its countdown's length ago,
        # so ``frame`` is round 1's first
        start_ms = frame.timestamp_ms - (RULES_COUNTDOWN_S * 1000.0 if counted_down else 0.0)
        self._round_args = (difficulty, start_ms)
        # Every person in view gets a round of their own (same targets' times, same clock) until
        # one of them throws a full punch: theirs is the game from then on (game/players.py).
        self._now = {p.person_id: p.pose for p in people}
        self.lock = PlayerLock(make_for=self._make_round)
        self.lock.meet(people)
        if self.services.source.is_demo and self.services.source.demo_exercise == exercises.BOXING:
            self._direct_demo_boxer(frame.timestamp_ms)

    def _make_round(self, person_id: int) -> PersonRound:
        """One person's round: where they stand, from their own guard (or, for someone who came
        into view after the start, from this frame); stance and reach from the set-up scene's
        profile when it ran."""
        assert self._round_args is not None
        difficulty, start_ms = self._round_args
        guard = self.guards.get(person_id) or [f for f in (self._now.get(person_id),)
                                               if f is not None]
        cal = self._screen_calibration(BodyCalibration.from_frames(guard,
                                                                   profile=self.services.profile))
        tap = PunchTap(make_punch_detector(orthodox=cal.orthodox))
        return PersonRound(BoxingRound(difficulty, self.seed, cal, detector=tap,
                                       start_ms=start_ms), tap)

    def clip_difficulty(self, difficulty: Difficulty) -> Difficulty:
        """A clip is scored freely, in one round as long as the clip (when its length is known):
        its boxer cannot follow our targets, and "Round 1 of 3, 1:00" for a 6 s clip is false."""
        length = self.services.source.clip_length_s()
        round_s = math.ceil(length * 10) / 10 if length and length > 0 else difficulty.round_s
        return replace(difficulty, scoring="free", rounds=1, round_s=max(1.0, round_s),
                       rest_s=0.0)

    def _direct_demo_boxer(self, start_ms: float) -> None:
        """Demo mode: tell the generated boxer what to throw and when (a good, not perfect,
        player: about one cue in ten is let go, and timing is off by ~40 ms)."""
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
        self._orders_offset_ms = self._paused_ms
        self.services.source.demo_orders.set([replace(o, t_ms=o.t_ms + self._paused_ms)
                                  for o in self._demo_orders])

    def _target_pos(self, target_id: int) -> tuple[float, float]:
        c = self.rules.cues[target_id] if self.rules is not None else None
        return (c.x_px, c.y_px) if c is not None else (0.0, 0.0)

    def _event_pos(self, ev: dict[str, Any], item: FeedItem) -> tuple[float, float]:
        """Where an event is shown: at its target, or (free scoring: no target) at the fist
        that threw the punch, else the last place a hit was shown."""
        if ev.get("target") is not None:
            return self._target_pos(int(ev["target"]))
        p = item.pose.landmarks_px
        if p is not None and ev.get("hand") in ("left", "right"):
            wrist = LM.LEFT_WRIST if ev["hand"] == "left" else LM.RIGHT_WRIST
            if np.all(np.isfinite(p[wrist, :2])):
                return float(p[wrist, 0]), float(p[wrist, 1])
        return self._last_hit_xy

    def _ring_px(self) -> float:
        c = self.rules.cues[self._last_hit_target] if self.rules is not None and \
            self.rules.cues else None
        if c is None and self.rules is not None:  # free scoring: a target's size on this body
            return TARGET_R * self.rules.calibration.torso_px
        return c.radius_px if c is not None else 0.0

    def _react(self, ev: dict[str, Any], item: FeedItem) -> None:
        audio = self.services.audio
        kind = ev["type"]
        if kind == "hit":
            if ev.get("target") is not None:
                self._last_hit_target = int(ev["target"])
            x, y = self._last_hit_xy = self._event_pos(ev, item)
            # the rules give 0-50 power points for hand speed over 2 m/s
            strong = float(ev.get("power") or 0) >= POWER_POINTS
            audio.effect("hit_power" if strong else "hit")
            grade = str(ev.get("grade"))
            col = ui.GREEN if grade == "perfect" else ui.ACCENT
            self.effects.append(Effect("burst", x, y, "", col, life_s=0.45,
                                       size=1.5 if strong else 1.0))
            self.effects.append(Effect("text", x, y, f"{GRADE_TEXT.get(grade, grade.upper())} "
                                       f"+{ev.get('points', 0)}", col))
            self.hits.append(PunchHit(t_s=float(ev["t"]), points=ev.get("points"), grade=grade,
                                      hand=ev.get("hand"), kind=ev.get("kind")))
            self.services.mark_feedback(item)
        elif kind == "combo":
            audio.effect("combo")
            audio.say("combo")
            x, y = self._last_hit_xy
            n = int(ev.get("length") or 0)
            words = f"{n}-PUNCH COMBO" if ev.get("combo") is None and n > 1 else "COMBO"
            self.effects.append(Effect("text", x, y + 1.5 * self._ring_px(), f"{words} +"
                                       f"{ev.get('points', 0)}", ui.ACCENT, life_s=1.0))
        elif kind == "miss":
            x, y = self._target_pos(int(ev["target"]))
            audio.effect("miss", 0.6)
            why = str(ev.get("why", ""))
            self.effects.append(Effect("text", x, y, MISS_TEXT.get(why, "MISS"), ui.ORANGE,
                                       life_s=0.7))
        elif kind == "unclean":  # free scoring: a punch that did not score, and why
            x, y = self._event_pos(ev, item)
            audio.effect("miss", 0.4)
            why = str(ev.get("why", ""))
            self.effects.append(Effect("text", x, y, MISS_TEXT.get(why, "NO SCORE"), ui.ORANGE,
                                       life_s=0.7))
        elif kind == "dodge":
            x, y = self._target_pos(int(ev["target"]))
            audio.effect("whoosh")
            self.effects.append(Effect("text", x, y, f"DODGE +{ev.get('points', 0)}", ui.CYAN))
            self.services.mark_feedback(item)
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
                    self.services.audio.effect("tick")
                    self.services.audio.say({3: "three", 2: "two", 1: "one"}[tick], interrupt=True)
            elif gv.phase == "round":
                self._last_tick = 4
        self._follow_music()
        self._post_cues()
        self.feedback.tick(self.t_s)
        if self.game_over and not self.finished:
            self.finish("rounds")

    def enter(self) -> None:
        super().enter()

        if tutorial_needed(self.services):  # a first-time player learns the moves before round 1
            self.go(Push(TutorialScene(self.services)))

    def _follow_music(self) -> None:
        """Music plays during rounds, started on the targets' beat grid; silent in rests."""
        gv = self.rules.view() if self.rules is not None and self.state == "active" else None
        playing = gv is not None and gv.phase == "round" and gv.beat_phase is not None
        if playing and not self._music_on:
            assert gv is not None and gv.beat_phase is not None  # as `playing` says
            self._music_on = True
            self.services.audio.music(self.difficulty.bpm, start_s=gv.beat_phase * gv.beat_s)
        elif not playing and self._music_on:
            self._music_on = False
            self.services.audio.music_stop()

    def pause(self) -> None:
        super().pause()
        if self._music_on:  # restarted on the beat when play resumes
            self._music_on = False
            self.services.audio.music_stop(fade_ms=150)

    def exit(self) -> None:
        super().exit()
        if self._music_on:
            self._music_on = False
            self.services.audio.music_stop()

    def handle(self, event: InputEvent) -> None:
        super().handle(event)

    def measured(self) -> dict[str, Any]:

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
        out: dict[str, Any] = {"stats": stats, "per_round": tuple(per_round),
                               "punches": tuple(self.hits), "difficulty": difficulty,
                               "seed": self.seed}
        if self.rules is not None:
            cal = asdict(self.rules.calibration)
            out["calibration"] = {k: list(v) if isinstance(v, tuple) else v for k, v in cal.items()}
        return out

    # -- drawing --------------------------------------------------------------------------
    # Screen regions, in layout units (see ``_hud_rects``): the score top-left with the beat
    # lane under it, the round timer and combo top-right, the cue line bottom centre. Targets
    # are placed by the rules clear of all of them and of the face.
    max_toasts = 1

    def _hud_rects(self, lay: ui.Layout) -> dict[str, pygame.Rect]:
        pad = lay.px(3)
        score = pygame.Rect(pad, pad, lay.px(46), lay.px(17))
        timer = pygame.Rect(lay.w - pad - lay.px(40), pad, lay.px(40), lay.px(16))
        combo = pygame.Rect(timer.left, timer.bottom + lay.px(1.5), timer.width, lay.px(8))
        lane = pygame.Rect(pad, score.bottom + lay.px(1.5), score.width, lay.px(7))
        cue_w = min(lay.w - 2 * pad, lay.px(120))
        cue = pygame.Rect((lay.w - cue_w) // 2, lay.h - pad - lay.px(16), cue_w, lay.px(16))
        return {"score": score, "timer": timer, "combo": combo, "lane": lane, "cue": cue}

    def _stage_area(self, lay: ui.Layout) -> pygame.Rect:
        """The picture sits above the cue line, so a message never covers the boxer's legs
        and feet (the score and timer panels sit in the picture's top corners)."""
        return pygame.Rect(0, 0, lay.w, self._hud_rects(lay)["cue"].top - lay.px(1))

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        """Notices sit above the cue line, between the score and timer columns."""
        lay = ui.Layout.of(surface)
        hud = self._hud_rects(lay)
        top = hud["combo"].bottom + lay.px(2)
        return pygame.Rect(hud["score"].right + lay.px(2), top,
                           hud["timer"].left - hud["score"].right - lay.px(4),
                           hud["cue"].top - lay.px(2) - top)

    def _screen_calibration(self, cal: Any) -> Any:
        """The calibration with the HUD and the smallest readable ring in image pixels."""
        screen = self.services.screen
        if screen is None:
            return cal
        lay = ui.Layout.of(screen)
        view = ui.View.fit(self._stage_area(lay), cal.image_size, self.services.mirror)
        keep = [view.to_image_rect(r.inflate(lay.px(1), lay.px(1)))
                for r in self._hud_rects(lay).values()]
        return cal.for_screen(keep, min_radius_px=lay.px(MIN_RING_UNITS) / view.scale)

    def _post_cues(self) -> None:
        self.post_source_state(person_needed="Step in front of the camera, 2-3 m away, head to "
                               "hips in view")
        self.post_people_cue()
        if self.state == "countdown":
            self.say(Message("clip_go", "A clip can't follow targets, so every clean punch "
                             "scores. It restarts at Go", "cue", Priority.STATE,
                             head="FREE SCORING", tone="info", ttl_s=0.25))
        if self.state != "active":
            return
        if self.rules is None:
            latest = self.services.latest
            seen = latest is not None and latest.pose.landmarks_px is not None
            if seen:
                self.say(Message("guard", "Hold your guard: fists up by your chin", "cue",
                                 Priority.STATE, "guard", head="GET SET", ttl_s=0.25))
            return
        gv = self.rules.view()
        if gv.is_flail_locked:
            # nobody in a clip follows this round's targets, nor our advice: say why instead
            text = ("Wild swings lock scoring until the boxer in the clip is back in guard"
                    if self.clip else
                    "Hands back to guard to unlock scoring, then aim each punch at a target")
            self.say(Message("flail", text, "cue", Priority.PROBLEM, "guard",
                             head="SCORING LOCKED", tone="bad", ttl_s=0.25))
        if gv.phase == "countdown":
            self.say(Message("pause_hint", self.pause_hint, "cue", Priority.HINT, ttl_s=0.25))
        elif gv.phase == "round" and self.rules.difficulty.is_free:
            # said the whole clip (a hint: anything the boxer needs to know wins over it)
            self.say(Message("free", FREE_SCORING_TEXT, "cue", Priority.HINT,
                             head="FREE SCORING", tone="info", ttl_s=0.25))
        elif gv.phase == "rest":
            self.say(Message("rest", "Shake out your arms and breathe", "cue", Priority.STATE,
                             tone="info", head="REST", ttl_s=0.25))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        hud = self._hud_rects(lay)
        view = self.draw_stage(surface, self._stage_area(lay), dim_alpha=120)
        gv = self.rules.view() if self.rules is not None else None
        avoid = list(hud.values())
        if gv is not None:
            avoid += self._draw_targets(surface, view, gv)
        self._draw_effects(surface, view, avoid)
        self._draw_hud(surface, gv, hud)
        if gv is not None and gv.phase == "rest" and not gv.targets:  # gone when targets come
            self._draw_round_summary(surface, gv, hud)
        self.draw_standings(surface, (lay.w - lay.px(3), hud["combo"].bottom + lay.px(2)))
        self.draw_message(surface, "cue", hud["cue"])

    def _draw_targets(self, surface: pygame.Surface, view: ui.View, gv: Any) -> list[pygame.Rect]:
        """Draws the targets; returns the squares they cover."""
        lay = ui.Layout.of(surface)
        covered = []
        for t in sorted(gv.targets, key=lambda t: -t.time_to_hit_s):
            x, y = view.to_screen(t.x_px, t.y_px)
            r = max(lay.px(3), int(t.radius_px * view.scale))
            covered.append(pygame.Rect(int(x - r), int(y - r), 2 * r, 2 * r))
            approach = max(0.0, min(1.0, t.time_to_hit_s / 1.6))
            if t.is_dodge:
                self._draw_dodge(surface, (x, y), r, t, approach)
                continue
            col = ui.LEFT_COLOR if t.hand == "left" else ui.RIGHT_COLOR
            # thick outlines so a target reads on any background
            pygame.draw.circle(surface, (0, 0, 0), (x, y), r + 4)
            pygame.draw.circle(surface, ui.darker(col), (x, y), r)
            pygame.draw.circle(surface, ui.BONE, (x, y), r, 3)
            # the closing ring: it meets the target on the beat
            ring = int(r * (1.0 + 1.2 * approach))
            pygame.draw.circle(surface, (0, 0, 0), (x, y), ring + 2, 5)
            pygame.draw.circle(surface, ui.ACCENT if approach < 0.15 else ui.BONE, (x, y), ring, 3)
            ui.text(surface, LABELS.get(t.kind, t.kind.upper()), (x, y), lay.px(2.8), ui.INK,
                    anchor="center", bold=True, max_width=2 * r - 6, role="label")
        return covered

    def _draw_dodge(self, surface: pygame.Surface, pos: tuple[float, float], r: int, t: Any,
                    approach: float) -> None:
        lay = ui.Layout.of(surface)
        x, y = pos
        label = {"slip_left": "SLIP", "slip_right": "SLIP", "duck": "DUCK"}.get(t.kind, "MOVE")
        pygame.draw.circle(surface, (0, 0, 0), (x, y), r + 4)
        pygame.draw.circle(surface, (10, 60, 70), (x, y), r)
        pygame.draw.circle(surface, ui.CYAN, (x, y), r, 3)
        ring = int(r * (1.0 + 1.2 * approach))
        pygame.draw.circle(surface, ui.CYAN, (x, y), ring, 2)
        # an arrow: which way to move the head
        d = {"slip_left": (1, 0), "slip_right": (-1, 0), "duck": (0, 1)}.get(t.kind, (0, 1))
        if self.services.mirror:
            d = (-d[0], d[1])
        tip = (x + d[0] * r * 0.8, y + d[1] * r * 0.8)
        base = (x - d[0] * r * 0.1, y - d[1] * r * 0.1)
        nrm = (-d[1] * r * 0.35, d[0] * r * 0.35)
        pygame.draw.polygon(surface, ui.CYAN, [tip, (base[0] + nrm[0], base[1] + nrm[1]),
                                              (base[0] - nrm[0], base[1] - nrm[1])])
        ui.text(surface, label, (x, y - r * 0.35), lay.px(2.8), ui.INK, anchor="center",
                bold=True, max_width=2 * r - 6, role="label")

    def _draw_effects(self, surface: pygame.Surface, view: ui.View,
                      avoid: list[pygame.Rect]) -> None:
        lay = ui.Layout.of(surface)
        taken = list(avoid)  # targets, the HUD, words already drawn: stack, never overlap
        for e in sorted(self.effects, key=lambda e: e.kind != "burst"):  # words over bursts
            x, y = view.to_screen(e.x_px, e.y_px)
            k = e.age_s / e.life_s
            if e.kind == "burst":
                for i in range(12):
                    a = i * math.pi / 6
                    d = lay.px(3) + lay.px(12) * e.size * k
                    pygame.draw.circle(surface, e.color, (x + math.cos(a) * d, y + math.sin(a) * d),
                                       max(2, int(lay.px(1.2) * (1 - k) * e.size)))
                pygame.draw.circle(surface, ui.BONE, (x, y), int(lay.px(8) * e.size * k) + 2, 3)
            else:  # the grade and the points, where the target was
                size = lay.px(3.2)
                w, h = ui.font(size, True).size(e.text)
                rect = pygame.Rect(0, 0, w, h)
                rect.center = (int(x), int(y - lay.px(4) * k))
                while any(rect.colliderect(o) for o in taken):
                    rect.bottom = min(o.top for o in taken if rect.colliderect(o)) - 2
                taken.append(rect)
                # on a dark pill: readable over rings, bones and a bright room alike
                ui.panel(surface, rect.inflate(lay.px(1.5), 2), alpha=200, radius=rect.height // 2)
                ui.text(surface, e.text, rect.center, size, e.color, anchor="center",
                        bold=True, role="label")

    def _draw_hud(self, surface: pygame.Surface, gv: Any, hud: dict[str, pygame.Rect]) -> None:
        lay = ui.Layout.of(surface)
        small = lay.px(2.8)
        # score, multiplier, streak
        box = hud["score"]
        ui.panel(surface, box, alpha=215)
        score = gv.score if gv is not None else 0
        ui.text(surface, f"{score:,}", (box.left + lay.px(3), box.top + lay.px(1.5)), lay.px(8),
                ui.ACCENT, bold=True, role="primary", max_width=box.width - lay.px(14))
        if gv is not None:
            ui.text(surface, f"x{gv.multiplier}", (box.right - lay.px(3), box.top + lay.px(2)),
                    lay.px(5), ui.GREEN if gv.multiplier > 1 else ui.MUTED, anchor="topright",
                    bold=True)
            ui.text(surface, f"Streak {gv.streak}   Best {self.rules.best_streak}",
                    (box.left + lay.px(3), box.bottom - lay.px(2)), small, ui.INK,
                    anchor="bottomleft", max_width=box.width - lay.px(6))
        # the beat lane: beats slide to the line; a target's beat is a big dot in its colour
        self._draw_lane(surface, gv, hud["lane"])
        # round and timer
        tbox = hud["timer"]
        ui.panel(surface, tbox, alpha=215)
        if gv is None and self.state == "countdown":  # a clip's: it restarts at "Go"
            head, left = "Get ready", str(max(1, math.ceil(self.countdown_s - self.t_s)))
        elif gv is None:
            head, left = "Get in your guard", ""
        elif gv.phase == "countdown":
            head, left = "Get ready", str(max(1, math.ceil(gv.time_left_s)))
        elif gv.phase == "rest":
            head, left = f"Rest, round {gv.round_index + 2} next", ui.format_duration(
                gv.time_left_s)
        elif gv.phase == "done":
            head, left = "Finished", "0:00"
        elif self.rules.difficulty.is_free:  # one round as long as the clip
            head, left = "Clip: free scoring", ui.format_duration(gv.time_left_s)
        else:
            head, left = f"Round {gv.round_index + 1} of {gv.rounds}", ui.format_duration(
                gv.time_left_s)
        ui.text(surface, head, (tbox.centerx, tbox.top + lay.px(1.5)), small, ui.MUTED,
                anchor="midtop", max_width=tbox.width - lay.px(2))
        if left:
            ui.text(surface, left, (tbox.centerx, tbox.bottom - lay.px(1)), lay.px(7), ui.INK,
                    anchor="midbottom", bold=True, role="primary")
        # combo progress
        if gv is not None and gv.combo_progress and gv.combo_progress[1] > 1:
            done, n = gv.combo_progress
            cbox = hud["combo"]
            ui.panel(surface, cbox, alpha=215)
            r = ui.text(surface, "Combo", (cbox.left + lay.px(2), cbox.centery), small,
                        ui.MUTED, anchor="midleft")
            for i in range(n):
                c = (r.right + lay.px(4) + i * lay.px(5), cbox.centery)
                pygame.draw.circle(surface, ui.ACCENT if i < done else (70, 80, 104), c,
                                   lay.px(1.8))

    def _draw_lane(self, surface: pygame.Surface, gv: Any, lane: pygame.Rect) -> None:
        if gv is None or gv.beat_phase is None:
            return
        lay = ui.Layout.of(surface)
        ui.panel(surface, lane, alpha=200)
        span_s = 2.0  # the lane shows the next two seconds
        line_x = lane.left + lay.px(4)
        width = lane.right - lay.px(2) - line_x
        cy = lane.centery
        pulse = max(0.0, 1.0 - gv.beat_phase * 4)  # flashes on each beat
        pygame.draw.line(surface, ui.ACCENT if pulse > 0 else ui.BONE, (line_x, lane.top + 4),
                         (line_x, lane.bottom - 4), 3 + int(3 * pulse))
        k = 0
        while True:
            dt = (k - gv.beat_phase) * gv.beat_s
            k += 1
            if dt < 0:
                continue
            if dt > span_s:
                break
            x = line_x + width * dt / span_s
            pygame.draw.circle(surface, (110, 120, 146), (x, cy), lay.px(0.8))
        for t in gv.targets:
            if 0 <= t.time_to_hit_s <= span_s:
                x = line_x + width * t.time_to_hit_s / span_s
                col = ui.CYAN if t.is_dodge else (ui.LEFT_COLOR if t.hand == "left"
                                                  else ui.RIGHT_COLOR)
                pygame.draw.circle(surface, (0, 0, 0), (x, cy), lay.px(2) + 2)
                pygame.draw.circle(surface, col, (x, cy), lay.px(2))

    def _draw_round_summary(self, surface: pygame.Surface, gv: Any,
                            hud: dict[str, pygame.Rect]) -> None:
        """During the rest: how the round just played went, big enough to read from the room."""
        lay = ui.Layout.of(surface)
        stats = self.rules.round_stats()[gv.round_index] if self.rules is not None else {}
        acc = stats.get("accuracy")
        lines = [
            (f"Round {gv.round_index + 1}: {int(stats.get('score') or 0):,} points", lay.px(5),
             ui.ACCENT),
            (f"{stats.get('hits', 0)} of {stats.get('targets', 0)} targets"
             + (f" ({round(100 * acc)} %)" if acc is not None else ""), lay.px(3.6), ui.INK),
            (f"{stats.get('perfect', 0)} perfect, {_plural(int(stats.get('dodges_made', 0)), 'dodge')}"
             f", best streak {self.rules.best_streak if self.rules else 0}", lay.px(3.2), ui.INK),
        ]
        area = self.toast_area(surface)
        h = sum(int(ui.font(sz).get_linesize() * 1.1) for _, sz, _ in lines) + lay.px(4)
        rect = pygame.Rect(0, 0, min(area.width, lay.px(100)), h)
        rect.midtop = (area.centerx, area.top)
        ui.panel(surface, rect, alpha=235, border=ui.ACCENT)
        ui.note_message("round summary", rect)
        y = rect.top + lay.px(2)
        for s, sz, col in lines:
            r = ui.text(surface, s, (rect.centerx, y), sz, col, anchor="midtop", bold=sz > lay.px(4),
                        max_width=rect.width - lay.px(4))
            y = r.bottom + int(ui.font(sz).get_linesize() * 0.1)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
