"""What the rep challenge and the shadowboxing round share: countdown, pause, finish, results.

State machine (as data):

    countdown --(3 s)--> active --(target met | time up | source ended | player ends)--> done

The countdown restarts a file or demo source, so a clip plays from its beginning at "Go".
A scene whose rules count down by themselves once the player is seen (boxing: after the guard)
skips this countdown for a live player or the demo, never for a clip (:func:`plays_clip`): a
clip plays on whether anyone is ready or not, so it is measured during the countdown and its
round starts with it at "Go".
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.feed import FeedStatus
from game.feedback import Message, Priority
from game.input import Action, InputEvent
from game.loop import ClearTo, Push, Replace
from game.players import PlayerLock, everyone
from game.pose.recording import RecordingWriter
from game.pose.types import PoseFrame
from game.scenes import ui
from game.scenes.base import BaseScene, PlayScene
from game.scenes.overlays import PauseScene
from game.scenes.results import ResultsScene
from game.session_result import FinishedSession, SessionResult
from game.wording import without_paths
from ringside_protocol import Kind, kind_of

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

COUNTDOWN_S = 3.0
# Journal the session in progress this often (each line is fsync'd; only changes are written).
JOURNAL_EVERY_S = 0.5
# The pose rate (frames per second the judge receives, measured over JUDGE_WINDOW_S of stream
# time) below which the judge waits instead of judging. Reps: our shared 10 fps squat clips are
# counted right, while at 7 frames/s the README's clip counted 1 of 3 (issue 11); a squat's
# descent (~0.8 s) then spans under 6 frames. Boxing: a punch's extension lasts ~150-250 ms
# (Kimm & Thiel 2015), which needs >= 15 frames/s to be seen in 2-3 frames.
MIN_JUDGE_FPS: dict[Kind, float] = {"points": 15.0, "reps": 9.0}  # by the exercise's kind
JUDGE_WINDOW_S = 2.0
# A video whose frames stop before this share of its declared length is damaged (truncated).
TRUNCATED_SHARE = 0.9
PAUSE_HINT = "To pause: both hands above your head for a second (or P / Esc)"
# Only a live camera player pauses with a gesture (a clip's person or the demo cannot).
PAUSE_KEYS_HINT = "To pause: press P or Esc"
# A clip that ends (video or recording) finishes the session after this grace, so the last rep
# that completed on the final frames still shows before the results.
END_GRACE_S = 1.0

TRANSITIONS: dict[tuple[str, str], str] = {
    ("countdown", "elapsed"): "active",
    ("active", "target"): "done",
    ("active", "time"): "done",
    ("active", "source_end"): "done",
    ("active", "player"): "done",
    ("countdown", "player"): "done",
}

OnDone = Callable[[FinishedSession], None]
# What the journal's start line already holds: progress lines leave them out.
IDENTITY_KEYS = frozenset({"uid", "started", "source", "source_kind", "player", "ended",
                           "recording"})


def source_kind(services: SceneServices) -> str:
    """Whose movements the session measures: ``camera`` (the player, live), ``video`` /
    ``recording`` (someone in a file used as the camera) or ``demo`` (a generated player).
    Only ``camera`` sessions are the player's own without asking."""
    if services.source.is_demo:
        return "demo"
    feed = services.source.feed
    if feed is not None and feed.is_camera:
        return "camera"
    spec = services.source.spec or ""
    return "recording" if spec.lower().endswith(".rsk") else "video"


def plays_clip(services: SceneServices) -> bool:
    """A video or a recording used as the camera (not a live camera, not the demo player): it
    plays on by itself, so a session starts it from its beginning at "Go"."""
    feed = services.source.feed
    return feed is not None and not feed.is_camera and not services.source.is_demo


class PoseRate:
    """Frames per second the judge receives, from the frames' own timestamps (pure)."""

    def __init__(self, window_s: float = JUDGE_WINDOW_S) -> None:
        self.window_ms = window_s * 1000.0
        self.times: deque[float] = deque()

    def add(self, t_ms: float) -> None:
        if self.times and t_ms < self.times[-1]:
            self.times.clear()  # the source restarted
        self.times.append(t_ms)
        while self.times and self.times[0] < t_ms - self.window_ms:
            self.times.popleft()

    @property
    def is_measured(self) -> bool:
        return len(self.times) >= 2 and self.times[-1] - self.times[0] >= self.window_ms * 0.75

    @property
    def fps(self) -> float:
        if len(self.times) < 2:
            return 0.0
        span = self.times[-1] - self.times[0]
        return (len(self.times) - 1) * 1000.0 / span if span > 0 else 0.0


class SessionScene(PlayScene):
    uses_pose = True
    accepts_pointer = False  # a raised hand is a punch or a rep here, not a button press
    exercise = exercises.DEFAULT
    # The exercise's rules count down themselves once the player is seen (boxing): the session
    # countdown is then kept for a clip only (see the module docstring).
    rules_count_down = False

    def __init__(self, services: SceneServices, *, on_done: OnDone | None = None,
                 countdown_s: float = COUNTDOWN_S) -> None:
        super().__init__(services)
        self.state = "countdown"
        self.countdown_s = countdown_s
        self.active_s = 0.0
        self.on_done = on_done
        self.finished = False
        self._last_tick = 4
        self._ended_at: float | None = None
        self.started_wall = services.wall_s
        self.recorder: Any = None
        self.recording_path: str | None = None
        self.standings: Any = None  # live challenge standings, refreshed once a second
        self._progress_s = 0.0
        self._was_paused = False
        self._last_raw_ms: float | None = None
        self._paused_ms = 0.0  # stream time spent paused, cut out of the session clock
        self.has_seen_player = False  # anyone in view while active: else nothing is saved
        self.uid = str(uuid.uuid4())
        self.journal: Any = None  # game.storage.journal.SessionJournal while active
        self._journal_s = 0.0
        self._journalled_score: tuple[float, int | None] = (0.0, None)
        self.pose_rate = PoseRate()
        self.judge_waiting = False  # pose too slow to judge: the detectors are not fed
        self.progress_label: str | None = None  # "Block 2 of 3 · Set 1 of 3" in a workout
        self.is_warmup = False  # a workout's warm-up: kept, never a best or a leaderboard score
        self.plan_json: dict[str, Any] | None = None  # today's plan, when part of a workout
        # Who is judged when two people are in view (game/players.py): the scene's detector runs
        # per person until one of them does the mode's movement; only the player's events count.
        self.lock: PlayerLock | None = None
        self.in_view = 0  # people tracked in the latest frame

    # -- what the app asks ------------------------------------------------------------------
    def end_on_quit(self) -> None:
        if self.state == "active" and not self.finished and self.active_s > 0:
            self.finish("quit")

    # -- state machine --------------------------------------------------------------------
    def fire(self, trigger: str) -> bool:
        nxt = TRANSITIONS.get((self.state, trigger))
        if nxt is None:
            return False
        self.state = nxt
        if nxt == "active":
            self.started_wall = self.services.wall_s
            self.services.leaderboard.start_if_configured()
            self.services.source.restart(self.exercise)
            self.services.audio.effect("go")
            self.services.audio.say("go", interrupt=True)
            self.on_start()
            self._open_journal()
        return True

    # -- nothing lost: the journal of the session in progress -------------------------------
    @property
    def is_players_own(self) -> bool:
        return source_kind(self.services) == "camera"

    def _open_journal(self) -> None:
        """Only the player's own sessions are journalled (the others are never saved unasked)."""
        if not self.is_players_own or self.journal is not None:
            return
        from game.storage.journal import SessionJournal  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

        try:
            self.journal = SessionJournal.create(self.services.home, self._identity())
        except OSError as exc:
            self.journal = None
            self.services.notify(f"Could not keep a journal of this session ({exc}): a crash would "
                            "lose it.", 5)

    def _identity(self) -> dict[str, Any]:
        return {"uid": self.uid, "exercise": self.exercise, "started": self.started_wall,
                "source": self._source_label(), "source_kind": source_kind(self.services),
                "player": self.services.settings.player_name}

    def _source_label(self) -> str | None:
        feed = self.services.source.feed
        return feed.label if feed is not None else None

    def _journal_progress(self) -> None:
        if not self.journal:
            return
        try:
            record = {k: v for k, v in self.build_result("crash").to_json().items()
                      if k not in IDENTITY_KEYS}
            self.journal.update(record)
        except OSError as exc:
            self.journal = False  # stop trying; the session is still saved when it ends
            self.services.notify(f"Could not keep a journal of this session ({exc}).", 5)

    # -- nothing pretended: a pose rate too low to judge ------------------------------------
    @property
    def min_judge_fps(self) -> float:
        """MIN_JUDGE_FPS of this session's exercise (an unknown name is judged as reps)."""
        return MIN_JUDGE_FPS[kind_of(self.exercise) or "reps"]

    def slow_pose_text(self) -> str:
        need = self.min_judge_fps
        return (f"Tracking is too slow ({self.pose_rate.fps:.0f} frames/s, needs {need:.0f}): "
                "close other programs")

    def judge_can_see(self, item: Any) -> bool:
        """Whether the detectors should be fed ``item``: False while the pose rate is too low
        to judge (said on screen), so reps are neither counted nor refused from too few frames."""
        self.pose_rate.add(float(item.pose.timestamp_ms))
        if not self.pose_rate.is_measured:
            return not self.judge_waiting
        need = self.min_judge_fps
        fps = self.pose_rate.fps
        if self.judge_waiting:
            self.judge_waiting = fps < need * 1.1  # a little hysteresis
        else:
            self.judge_waiting = fps < need
        if self.judge_waiting:
            self._was_paused = True  # the time spent waiting is cut from the session clock
        return not self.judge_waiting

    def on_start(self) -> None: ...

    @property
    def pause_hint(self) -> str:
        """How to pause: the raised-hands gesture is a live camera player's only."""
        return PAUSE_HINT if source_kind(self.services) == "camera" else PAUSE_KEYS_HINT

    def pause(self) -> None:
        self._was_paused = True

    def session_frame(self, pose: Any) -> Any:
        """The frame on the session clock: time spent paused (pause menu, camera lost) is cut
        out, so a round's timer, the targets and the rep tempo resume where they stopped."""
        ts = float(pose.timestamp_ms)
        if self._was_paused and self._last_raw_ms is not None:
            # keep one frame interval of the gap, drop the rest
            self._paused_ms += max(0.0, ts - self._last_raw_ms - 1000.0 / 30.0)
        self._was_paused = False
        self._last_raw_ms = ts
        if self.state == "active" and pose.landmarks_px is not None:
            self.has_seen_player = True
        return replace(pose, timestamp_ms=ts - self._paused_ms) if self._paused_ms else pose

    # -- two people in view: who is judged -------------------------------------------------
    MOVEMENT_WORDS = "does the exercise"  # the movement that makes someone the player

    def judge(self, item: Any) -> tuple[PoseFrame, list[Any]]:
        """Feed ``item`` (everyone in it, on the session clock) to :attr:`lock`; returns the
        judged person's frame and their events (nobody else's are ever returned)."""
        assert self.lock is not None
        frame = self.session_frame(item.pose)
        people = everyone(item.pose, item.people)
        shift = float(item.pose.timestamp_ms) - float(frame.timestamp_ms)
        if shift:
            people = tuple(replace(p, pose=replace(p.pose, timestamp_ms=p.pose.timestamp_ms - shift))
                           for p in people)
        self.in_view = len(people)
        events = list(self.lock.update(frame, people))
        return self.lock.followed_pose(frame, people), events

    @property
    def judged_id(self) -> int | None:
        """The person judged (drawn in colour), once the lock has chosen; None before."""
        return self.lock.player_id if self.lock is not None else None

    def post_people_cue(self) -> None:
        """While two people are in view: who is judged, in words a player 2-3 m away reads."""
        if self.state != "active" or self.in_view < 2:
            return
        if self.judged_id is None:
            self.say(Message("two_people", f"Two people in view: the first who "
                             f"{self.MOVEMENT_WORDS} plays", "cue", Priority.STATE, "presence",
                             head="WHO PLAYS?", tone="info", ttl_s=0.25))
        else:
            self.say(Message("two_people", f"Judging the person in colour: the first who "
                             f"{self.MOVEMENT_WORDS}", "cue", Priority.HINT, "presence",
                             head="TWO IN VIEW", tone="info", ttl_s=0.25))

    def judged_item(self, item: Any) -> Any:
        """``item`` with the judged person's skeleton as its pose (for where effects appear)."""
        if self.lock is None or not item.people:
            return item
        pid = self.lock.followed_id
        pose = next((p.pose for p in item.people if p.person_id == pid), None)
        return item if pose is None else replace(item, pose=pose)

    def record_pose(self, item: Any) -> None:
        """Keep the session's skeleton (never pixels) for coach review; failures only warn."""
        if self.state != "active" or self.services.options.scripted or self.recorder is False:
            return
        try:
            if self.recorder is None:
                stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.started_wall))
                path = self.services.home / "recordings" / f"{stamp}_{self.exercise}.rsk"
                self.recorder = RecordingWriter(path, image_size=item.pose.image_size,
                                                source=self._source_label() or "",
                                                meta={"exercise": self.exercise})
                self.recording_path = str(path)
            self.recorder.write(item.pose)
        except OSError as exc:
            self.recorder = False  # stop trying this session
            self.services.notify(f"Could not record this session for review ({exc}).", 4)

    def exit(self) -> None:
        self._close_recorder()
        if self.journal:
            self.journal.close()  # left unfinished (a bug took us to the menu): offered back
        self.journal = None

    def _close_recorder(self) -> None:
        if self.recorder:
            try:
                self.recorder.close()
            except OSError:
                pass
            self.recorder = None

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        if self.state == "countdown" and self.rules_count_down and \
                not plays_clip(self.services):
            self.fire("elapsed")  # a live player or the demo: the rules count down
        if self.state == "countdown":
            left = self.countdown_s - self.t_s
            tick = int(left) + 1
            if left > 0 and tick < self._last_tick:
                self._last_tick = tick
                self.services.audio.effect("tick")
                self.services.audio.say({3: "three", 2: "two", 1: "one"}.get(tick, "get_ready"),
                                   interrupt=True)
            if left <= 0:
                self.fire("elapsed")
        if self._source_failed():
            return
        if self.state == "active" and self.judge_waiting:
            self.say(Message("slow_pose", self.slow_pose_text(), "cue", Priority.SOURCE, "presence",
                             head="COUNTING WAITS", tone="warn", ttl_s=0.25))
        if self.state == "active":
            self.active_s += dt_s
            self._journal_s += dt_s
            score = self.live_score()
            # at once when the count or score changes (a rep is never lost), else twice a second
            if self._journal_s >= JOURNAL_EVERY_S or score != self._journalled_score:
                self._journal_s = 0.0
                self._journalled_score = score
                self._journal_progress()
            self._progress_s += dt_s
            if self._progress_s >= 1.0:
                self._progress_s = 0.0
                self._report_live()
            feed = self.services.source.feed
            if feed is not None and not feed.is_camera and feed.is_exhausted:
                if self._ended_at is None:
                    self._ended_at = self.active_s
                elif self.active_s - self._ended_at >= END_GRACE_S:
                    if not self._source_failed(at_end=True):
                        self.finish("source_end")

    def _source_failed(self, *, at_end: bool = False) -> bool:
        """A file source that cannot be read, or ends long before its declared length, is an
        error screen, not a session: nothing is judged or saved."""
        feed = self.services.source.feed
        if feed is None or feed.is_camera or self.services.source.is_demo or self.finished:
            return False
        message = None
        if feed.status == FeedStatus.FAILED:
            message = feed.message or f"{feed.label} could not be read"
        elif at_end:
            message = self.services.source.truncation_problem()
        if message is None:
            return False
        self.finished = True
        self.state = "done"
        self._close_recorder()
        if self.journal:
            self.journal.discard()
        self.journal = None
        self.go(Replace(SourceErrorScene(self.services, message)))
        return True

    def handle(self, event: InputEvent) -> None:
        if event.action in (Action.PAUSE, Action.BACK):
            self.go(Push(PauseScene(self.services, on_restart=self.restart,
                                           on_end=lambda: self.finish("player"))))

    def live_score(self) -> tuple[float, int | None]:
        """(score, count) for a live challenge: reps for rep challenges, points for boxing."""
        return 0.0, None

    def _report_live(self) -> None:
        link = self.services.leaderboard
        if link.worker(start=False) is None:
            return

        score, count = self.live_score()
        link.report_progress(self.exercise, score, self.active_s, count)
        st = link.standings()
        self.standings = st if st is not None and st.exercise == self.exercise else None

    def draw_standings(self, surface: pygame.Surface, topright: tuple[int, int]) -> None:
        """A compact live-challenge board: the top three and the player."""
        st = self.standings
        if st is None or not st.entries:
            return
        lay = ui.Layout.of(surface)
        rows = list(st.entries[:3])
        me = st.my_entry()
        if me is not None and me not in rows:
            rows.append(me)
        line = lay.px(3.6)
        rect = pygame.Rect(0, 0, lay.px(38), line * (len(rows) + 1) + lay.px(2))
        rect.topright = topright
        ui.panel(surface, rect, alpha=215, border=ui.ACCENT)
        ui.text(surface, f"Live: {st.title}", (rect.left + lay.px(1.5), rect.top + lay.px(1)),
                lay.px(2.2), ui.ACCENT, max_width=rect.width - lay.px(3))
        for i, e in enumerate(rows):
            y = rect.top + lay.px(1) + line * (i + 1)
            col = ui.GREEN if e.is_me else ui.INK
            ui.text(surface, f"{e.rank}. {e.name}", (rect.left + lay.px(1.5), y), lay.px(2.2), col,
                    max_width=rect.width - lay.px(12))
            ui.text(surface, f"{e.score:.0f}", (rect.right - lay.px(1.5), y), lay.px(2.2), col,
                    anchor="topright")

    def restart(self) -> None:
        if self.journal:
            self.journal.discard()  # the player chose to start this one again
        self.journal = None
        again = self.fresh()
        again.progress_label, again.is_warmup = self.progress_label, self.is_warmup
        again.plan_json = self.plan_json
        self.go(Replace(again))

    def hud_title(self, base: str) -> str:
        """The session's title on screen, with its place in a workout."""
        if self.is_warmup:
            base = f"Warm-up: {base.lower()}"
        # the set ("Set 1 of 3"); the block was announced by its intro
        return f"{base} · {self.progress_label.split(' · ')[-1]}" if self.progress_label else base

    def fresh(self) -> SessionScene:
        raise NotImplementedError

    # -- finishing ------------------------------------------------------------------------
    def finish(self, reason: str) -> None:
        """End the session (once): record it and move on to the results (or the next block)."""
        if self.finished:
            return
        self.finished = True
        self.state = "done"
        self._close_recorder()
        result = self.build_result(reason)
        journal, self.journal = self.journal, None
        done: FinishedSession
        if self.has_seen_player and result.source_kind == "camera":
            done = self.services.record_session(result, journal=journal or None)
        else:
            # Not the player's own (a generated demo player; a person in a video, unless the
            # player says so on the results screen), or an empty room: nothing goes to the
            # history, the bests or the leaderboard.
            if journal:
                journal.discard()
            done = FinishedSession(result, not_saved="nobody was seen" if not self.has_seen_player
                                   else "demo" if result.source_kind == "demo" else "not yours")
            self.services.keep_finished(done)
            if not self.has_seen_player:
                self.services.notify("Nobody was seen during this session, so it was not "
                                     "saved.", 6.0)
        if done.personal_bests:
            self.services.audio.say("new_best")
        else:
            self.services.audio.effect("success")
        if self.on_done is not None:
            self.on_done(done)
        else:
            self.go(Replace(ResultsScene(self.services, [done])))

    def build_result(self, reason: str) -> SessionResult:
        """The session as it stands, ended for ``reason`` (the subclass adds what it measured
        through :meth:`measured`)."""
        return SessionResult(
            uid=self.uid, exercise=self.exercise, ended=reason, started_s=self.started_wall,
            active_s=round(self.active_s, 2),
            source=self._source_label(),
            source_kind=source_kind(self.services), player=self.services.settings.player_name,
            recording=self.recording_path, is_warmup=self.is_warmup, plan=self.plan_json,
            **self.measured())

    def measured(self) -> dict[str, Any]:
        """What the session measured, as :class:`SessionResult` fields (``stats``, ``reps``...)."""
        raise NotImplementedError

    # -- drawing helpers ------------------------------------------------------------------
    def draw_countdown(self, surface: pygame.Surface) -> None:
        if self.state != "countdown":
            return
        lay = ui.Layout.of(surface)
        left = self.countdown_s - self.t_s
        n = max(1, int(left) + 1)
        frac = left - int(left)
        size = int(lay.px(30) * (0.8 + 0.4 * frac))
        ui.text(surface, str(n), (lay.w * 0.36, lay.h * 0.45), size, ui.ACCENT, anchor="center",
                bold=True)
        ui.text(surface, "Get ready", (lay.w * 0.36, lay.h * 0.45 + lay.px(18)), lay.px(5),
                ui.INK, anchor="midtop")
        ui.text(surface, self.pause_hint, (lay.w * 0.36, lay.h * 0.45 + lay.px(26)), lay.px(2.6),
                ui.MUTED, anchor="midtop")


class SourceErrorScene(BaseScene):
    """A source that failed or is damaged: said plainly, with what to do; no session."""

    name = "source_error"

    def __init__(self, services: SceneServices, message: str) -> None:
        super().__init__(services)
        self.message = message
        spec = (services.source.spec or "").lower()
        self.title = ("This recording cannot be played" if spec.endswith(".rsk") else
                      "These pictures cannot be used" if spec and not spec.rsplit("/", 1)[-1]
                      .count(".") else "This video cannot be played")
        self.menu = ui.Menu([ui.Button("menu", "Back to the menu")])
        services.log_error(f"source: {message}")

    def enter(self) -> None:
        self.services.audio.effect("paused")

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK or self.menu.handle(event) == "menu":
            self.go(ClearTo(self.services.scenes.title()))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        box = pygame.Rect(0, 0, min(lay.w - lay.px(8), lay.px(140)), lay.px(40))
        box.center = (lay.w // 2, int(lay.h * 0.42))
        ui.panel(surface, box, alpha=240, border=ui.RED)
        ui.text(surface, self.title, (box.centerx, box.top + lay.px(4)),
                lay.px(5), ui.RED, anchor="midtop", bold=True, max_width=box.width - lay.px(6))
        y = ui.paragraph(surface, _sentence(self.message), pygame.Rect(
            box.left + lay.px(5), box.top + lay.px(14), box.width - lay.px(10), lay.px(14)),
            lay.px(3.6), ui.INK, center=True)
        ui.paragraph(surface, "Nothing was counted or saved. Choose another video or recording, "
                     "or use your camera.", pygame.Rect(box.left + lay.px(5), y + lay.px(2),
                                                        box.width - lay.px(10), lay.px(10)),
                     lay.px(2.8), ui.MUTED, center=True)
        button = pygame.Rect(0, 0, lay.px(44), lay.px(9))
        button.midtop = (lay.w // 2, box.bottom + lay.px(5))
        self.menu.rects = {"menu": button}
        self.targets = {"menu": button}
        ui.draw_button(surface, button, "Back to the menu", focused=True, size=lay.px(3.4),
                       hover_progress=self.services.pointer.progress
                       if self.services.pointer.hover_id == "menu" else 0.0)


def _sentence(message: str) -> str:
    """A source message as a sentence (full stop; a file name keeps its own case)."""
    text = without_paths(message.strip())  # a path reads as its file name
    if not text:
        return "The source could not be read."
    return text if text.endswith((".", "!", "?")) else text + "."
