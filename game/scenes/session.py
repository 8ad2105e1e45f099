"""What the rep challenge and the shadowboxing round share: countdown, pause, finish, results.

State machine (as data):

    countdown --(3 s)--> active --(target met | time up | source ended | player ends)--> done

The countdown restarts a file or demo source, so a clip plays from its beginning at "Go".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pygame

from game.feed import FeedStatus
from game.input import Action, InputEvent
from game.scenes import ui
from game.scenes.base import BaseScene

if TYPE_CHECKING:
    from game.app import App

COUNTDOWN_S = 3.0
PAUSE_HINT = "To pause: both hands above your head for a second (or P / Esc)"
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

OnDone = Callable[[dict[str, Any]], None]


class SessionScene(BaseScene):
    uses_pose = True
    accepts_pointer = False  # a raised hand is a punch or a rep here, not a button press
    exercise = "squat"

    def __init__(self, app: App, *, on_done: OnDone | None = None,
                 countdown_s: float = COUNTDOWN_S) -> None:
        super().__init__(app)
        self.state = "countdown"
        self.countdown_s = countdown_s
        self.active_s = 0.0
        self.on_done = on_done
        self.finished = False
        self._last_tick = 4
        self._ended_at: float | None = None
        self.started_wall = time.time()
        self.recorder: Any = None
        self.recording_path: str | None = None
        self.standings: Any = None  # live challenge standings, refreshed once a second
        self._progress_s = 0.0
        self._was_paused = False
        self._last_raw_ms: float | None = None
        self._paused_ms = 0.0  # stream time spent paused, cut out of the session clock
        self.has_seen_player = False  # anyone in view while active: else nothing is saved

    # -- state machine --------------------------------------------------------------------
    def fire(self, trigger: str) -> bool:
        nxt = TRANSITIONS.get((self.state, trigger))
        if nxt is None:
            return False
        self.state = nxt
        if nxt == "active":
            from game.integrations import start_sync_if_configured

            self.started_wall = time.time()
            start_sync_if_configured(self.app)
            self.app.restart_source(self.exercise)
            self.app.audio.effect("go")
            self.app.audio.say("go", interrupt=True)
            self.on_start()
        return True

    def on_start(self) -> None: ...

    def pause(self) -> None:
        self._was_paused = True

    def session_frame(self, pose: Any) -> Any:
        """The frame on the session clock: time spent paused (pause menu, camera lost) is cut
        out, so a round's timer, the targets and the rep tempo resume where they stopped."""
        from dataclasses import replace

        ts = float(pose.timestamp_ms)
        if self._was_paused and self._last_raw_ms is not None:
            # keep one frame interval of the gap, drop the rest
            self._paused_ms += max(0.0, ts - self._last_raw_ms - 1000.0 / 30.0)
        self._was_paused = False
        self._last_raw_ms = ts
        if self.state == "active" and pose.landmarks_px is not None:
            self.has_seen_player = True
        return replace(pose, timestamp_ms=ts - self._paused_ms) if self._paused_ms else pose

    def record_pose(self, item: Any) -> None:
        """Keep the session's skeleton (never pixels) for coach review; failures only warn."""
        if self.state != "active" or self.app.options.scripted or self.recorder is False:
            return
        try:
            if self.recorder is None:
                from game.pose.recording import RecordingWriter

                stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.started_wall))
                path = self.app.home / "recordings" / f"{stamp}_{self.exercise}.rsk"
                self.recorder = RecordingWriter(path, image_size=item.pose.image_size,
                                                source=self.app.feed.label if self.app.feed
                                                else "", meta={"exercise": self.exercise})
                self.recording_path = str(path)
            self.recorder.write(item.pose)
        except OSError as exc:
            self.recorder = False  # stop trying this session
            self.app.notify(f"Could not record this session for review ({exc}).", 4)

    def exit(self) -> None:
        self._close_recorder()

    def _close_recorder(self) -> None:
        if self.recorder:
            try:
                self.recorder.close()
            except OSError:
                pass
            self.recorder = None

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        if self.state == "countdown":
            left = self.countdown_s - self.t_s
            tick = int(left) + 1
            if left > 0 and tick < self._last_tick:
                self._last_tick = tick
                self.app.audio.effect("tick")
                self.app.audio.say({3: "three", 2: "two", 1: "one"}.get(tick, "get_ready"),
                                   interrupt=True)
            if left <= 0:
                self.fire("elapsed")
        elif self.state == "active":
            self.active_s += dt_s
            self._progress_s += dt_s
            if self._progress_s >= 1.0:
                self._progress_s = 0.0
                self._report_live()
            feed = self.app.feed
            if feed is not None and not feed.is_camera and feed.is_exhausted:
                if self._ended_at is None:
                    self._ended_at = self.active_s
                elif self.active_s - self._ended_at >= END_GRACE_S:
                    self.finish("source_end")

    def handle(self, event: InputEvent) -> None:
        if event.action in (Action.PAUSE, Action.BACK):
            from game.scenes.overlays import PauseScene

            self.app.stack.push(PauseScene(self.app, on_restart=self.restart,
                                           on_end=lambda: self.finish("player")))

    def live_score(self) -> tuple[float, int | None]:
        """(score, count) for a live challenge: reps for rep challenges, points for boxing."""
        return 0.0, None

    def _report_live(self) -> None:
        from game.integrations import live_standings, report_progress, sync_worker

        if sync_worker(self.app, start=False) is None:
            return

        score, count = self.live_score()
        report_progress(self.app, self.exercise, score, self.active_s, count)
        st = live_standings(self.app)
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
        self.app.stack.replace(self.fresh())

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
        session = self.session_record(reason)
        session["recording"] = self.recording_path
        session["uid"] = str(uuid.uuid4())
        session.update({"ended": reason, "started": self.started_wall,
                        "active_s": round(self.active_s, 2),
                        "source": self.app.feed.label if self.app.feed else None,
                        "player": self.app.settings.player_name})
        if self.has_seen_player:
            session["personal_bests"] = self.app.record_session(session)
        else:
            # An empty room is not a session: no 0 in the history, the bests or the leaderboard.
            session["personal_bests"] = []
            session["not_saved"] = "nobody was seen"
            self.app.sessions.append(session)
            self.app.notify("Nobody was seen during this session, so it was not saved.", 6.0)
        if session["personal_bests"]:
            self.app.audio.say("new_best")
        else:
            self.app.audio.effect("success")
        if self.on_done is not None:
            self.on_done(session)
        else:
            from game.scenes.results import ResultsScene

            self.app.stack.replace(ResultsScene(self.app, [session]))

    def session_record(self, reason: str) -> dict[str, Any]:
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
        ui.text(surface, PAUSE_HINT, (lay.w * 0.36, lay.h * 0.45 + lay.px(26)), lay.px(2.6),
                ui.MUTED, anchor="midtop")

    def draw_source_state(self, surface: pygame.Surface, area: pygame.Rect) -> None:
        """Say plainly when nobody is in view or the source has a problem."""
        lay = ui.Layout.of(surface)
        feed = self.app.feed
        msg = None
        if feed is not None and feed.status == FeedStatus.FAILED:
            msg = feed.message
        elif feed is not None and feed.status == FeedStatus.STARTING:
            msg = "Starting the camera and the pose model..."
        elif self.app.latest is not None and self.app.latest.pose.landmarks_px is None:
            msg = "Nobody in view: step in front of the camera"
        if msg:
            rect = pygame.Rect(0, 0, min(area.width - lay.px(4), lay.px(110)), lay.px(10))
            rect.midtop = (area.centerx, area.top + lay.px(3))
            ui.panel(surface, rect, alpha=225, border=ui.ORANGE)
            ui.text(surface, msg, rect.center, lay.px(3), ui.INK, anchor="center",
                    max_width=rect.width - lay.px(4))
