"""The Ringside application: window, services, the game loop.

``App.run()`` is a fixed-step loop (60 updates per second of game time) with free rendering:
input -> pose items from the worker thread -> ``update(dt)`` on the top scene -> queued scene
transitions -> ``draw`` -> flip. The pose model never runs on this thread (see
:mod:`game.feed`), so drawing keeps its frame rate whatever the camera and the model cost.

Scripted runs (``--exit-after``/``--screenshots``) advance exactly one fixed step per loop
iteration and release pose frames by game time (lockstep), so a scripted run over a file gives
the same result on any machine; the session summary is returned as a dict for the CLI to print.
"""

from __future__ import annotations

import os
import random
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises, modes
from game.audio import Audio
from game.calibration import BodyProfile
from game.config import data_dir
from game.errors import RingsideError, StorageError, UsageError
from game.feed import (
    ANSWERING_READ_AHEAD,
    LOCKSTEP_READ_AHEAD,
    FeedItem,
    FeedStatus,
    PoseFeed,
    SharedBackend,
    SharedPeopleBackend,
    describe_source,
    is_camera_spec,
    pose_opener,
    synthetic_opener,
    synthetic_people_opener,
    watching_pipeline,
)
from game.history import History
from game.input import (
    Action,
    AwayWatch,
    HoverSelect,
    InputEvent,
    PauseGesture,
    hand_pointers,
    translate,
)
from game.integrations import LeaderboardLink, PlanLoader, persist_session, replay_journals
from game.loop import STEP_S, FixedStep, SceneStack
from game.moves import OrderBook, SyntheticSession, boxer_frames
from game.pose.backend import MediaPipeBackend, native_stderr_silenced
from game.pose.pipeline import PipelineOptions, PosePipeline
from game.scenes import factory, ui
from game.scenes.overlays import CameraLostScene, draw_overlay
from game.scenes.services import SceneServices
from game.scenes.session import TRUNCATED_SHARE
from game.session_result import FinishedMatch, FinishedSession, SessionResult
from game.settings import Settings, load_settings, save_settings
from game.versus import demo_people
from game.wording import plural

if TYPE_CHECKING:
    from game.scenes.base import BaseScene

FADE_MS = 220.0  # a short fade-in when the scene changes


@dataclass(frozen=True, slots=True)
class AppOptions:
    """How the game was started (from the command line); read once."""

    source: str | None = None  # None: the camera from the settings
    mode: str = modes.MENU
    demo: bool = False  # drive the game with a generated skeleton instead of a camera
    exit_after_s: float | None = None
    screenshots: Path | None = None
    screenshot_every_s: float = 2.0
    size: tuple[int, int] = (1280, 720)
    fullscreen: bool = False
    privacy: bool = False
    review_file: Path | None = None
    target: int | None = None  # reps for a rep challenge; rounds for boxing
    fps_cap: int = 60
    calibrate: bool | None = None  # None: calibrate before a session unless scripted
    versus: str = exercises.DEFAULT  # the match of --mode versus: any of game.exercises.NAMES

    @property
    def scripted(self) -> bool:
        return self.exit_after_s is not None or self.screenshots is not None


@dataclass
class Metrics:
    """Measured figures for the overlay and the benchmarks (wall clock, never used in play)."""

    frame_ms: deque[float] = field(default_factory=lambda: deque(maxlen=7200))
    work_ms: deque[float] = field(default_factory=lambda: deque(maxlen=7200))
    pose_ms: deque[float] = field(default_factory=lambda: deque(maxlen=120))
    pose_times: deque[float] = field(default_factory=lambda: deque(maxlen=120))
    feedback_ms: list[float] = field(default_factory=list)
    pending_feedback: list[float] = field(default_factory=list)

    @staticmethod
    def pct(values: Any, q: float) -> float | None:
        vals = sorted(values)
        if not vals:
            return None
        return float(vals[min(len(vals) - 1, int(q / 100 * len(vals)))])

    @property
    def fps(self) -> float:
        recent = list(self.frame_ms)[-60:]
        return 1000.0 / (sum(recent) / len(recent)) if recent else 0.0

    @property
    def pose_fps(self) -> float:
        if len(self.pose_times) < 2:
            return 0.0
        span = self.pose_times[-1] - self.pose_times[0]
        return (len(self.pose_times) - 1) / span if span > 0 else 0.0


class App:
    def __init__(self, options: AppOptions = AppOptions(), home: Path | None = None) -> None:
        self.options = options
        self.home = home or data_dir()
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot use the data folder {self.home} ({exc}): set "
                               "RINGSIDE_HOME to a folder you can write") from None
        self.notices: list[str] = []
        loaded = load_settings(self.home)
        settings = loaded.settings
        if loaded.notice:
            self.notices.append(loaded.notice)
        if options.privacy:
            settings = replace(settings, privacy_mode=True)
        self.settings: Settings = settings
        self.history = History.load(self.home)
        if self.history.notice:
            self.notices.append(self.history.notice)
        # Sessions a crash interrupted while saving are finished now; ones interrupted while
        # playing are offered back on the title screen (see game.storage.journal).

        replayed, self.unfinished, problems = replay_journals(self.home, self.history)
        self.notices.extend(problems)
        if replayed:
            self.notices.append(f"Finished saving {plural(replayed, 'session')} from last time.")
        self.audio = Audio(volume=settings.volume, voice=settings.voice)
        self.stack: SceneStack[BaseScene] = SceneStack()
        self.stack.on_change = self._on_scene_change
        self.feed: PoseFeed | None = None
        self.source_spec: str | None = None
        self.demo_exercise: str | None = None
        self.latest: FeedItem | None = None
        self.now_ms = 0.0  # game time since start (fixed steps)
        self._feed_t0_ms = 0.0
        self.toasts: list[tuple[str, float, tuple[int, int, int]]] = []
        self._transient: set[str] = set()
        self._fade_from_ms = -1e9  # scene changes fade in over FADE_MS
        self.metrics = Metrics()
        self.profile: BodyProfile | None = None
        self.sessions: list[FinishedSession | FinishedMatch] = []  # finished this run
        self.pointer = HoverSelect()
        self.pause_gesture = PauseGesture()
        self.away_watch = AwayWatch()
        self.hands: list[tuple[float, float]] = []
        self.running = True
        self.screen: Any = None
        self.screenshots: list[str] = []
        self.scenes_seen: list[str] = []
        self.errors: list[str] = []
        self._shot_due_ms = 0.0
        self._shot_pending = False
        self.exit_reason = ""
        self.plan: Any = None
        self.demo_orders = OrderBook()
        self.versus_orders = {"left": OrderBook(), "right": OrderBook()}  # two demo boxers
        self.declared_s: float | None = None  # a video source's length as its file declares
        self._clip_lengths: dict[str, float | None] = {}  # a recording's span, by spec
        self._backend = SharedBackend()
        # A single-player feed looks for a second person once a second and follows both while
        # two are in view (docs/POSE.md "Two people in a single-player mode"): the look (a still
        # image pass asking for two) and the model that follows two, shared like the first.
        self._look_backend = SharedPeopleBackend(
            lambda: MediaPipeBackend(static_image_mode=True, num_poses=2), is_per_stream=False)
        self._both_backend = SharedPeopleBackend(lambda: MediaPipeBackend(num_poses=2))
        self.plan_loader = PlanLoader(self.home)  # today's plan, read in the background
        self.leaderboard = LeaderboardLink(self.home, is_scripted=options.scripted,
                                           notify=self.notify, history=self.history)
        # Randomness is read here, at the edge, once: scenes draw from services.rng.
        self.services = SceneServices(self, rng=random.Random(int.from_bytes(os.urandom(8),
                                                                             "little")))
        # what scenes open in place of themselves (the menu, a session)
        self.scenes = factory.SceneFactory(self.services)

    # -- services for scenes ------------------------------------------------------------
    def notify(self, message: str, seconds: float = 4.0,
               color: tuple[int, int, int] = (255, 184, 28), *, transient: bool = False) -> None:
        """Show a message for a while; ``transient`` ones belong to the scene and leave with it."""
        self.toasts = [t for t in self.toasts if t[0] != message]
        self.toasts.append((message, self.now_ms + seconds * 1000.0, color))
        if transient:
            self._transient.add(message)

    def update_settings(self, settings: Settings) -> None:
        """Apply and save new settings; reopens the camera when its index changed."""
        old = self.settings
        self.settings = settings.validated()
        self.audio.set_volume(self.settings.volume)
        self.audio.voice = self.settings.voice
        try:
            save_settings(self.home, self.settings)
        except OSError as exc:
            self.notify(f"Could not save settings ({exc}); they apply until you quit.")
        if self.feed is not None:
            self.feed.privacy = self.settings.privacy_mode
        if (old.camera_index != self.settings.camera_index and self.source_spec is not None
                and is_camera_spec(self.source_spec) and self.options.source is None):
            self.open_source(f"camera:{self.settings.camera_index}")

    @property
    def is_camera(self) -> bool:
        return self.feed is not None and self.feed.is_camera

    @property
    def is_demo(self) -> bool:
        return self.demo_exercise is not None

    def default_spec(self) -> str:
        return self.options.source or f"camera:{self.settings.camera_index}"

    def open_source(self, spec: str | None = None, *, demo: str | None = None,
                    people: int = 1) -> None:
        """Start (or restart) the pose worker on a source spec, or on a generated demo player.
        ``people=2``: two-player scenes get every tracked person (``FeedItem.people``); a demo
        key ``versus_<exercise>`` generates two players."""
        if self.feed is not None:
            self.feed.stop(timeout_s=0.5)
        self.latest = None
        pacing = "lockstep" if self.options.scripted else "wall"
        if demo is not None:
            self.demo_exercise = demo
            self.source_spec = None
            self.demo_orders.clear()
            if demo.startswith("versus_"):
                books = {s: b.snapshot for s, b in self.versus_orders.items()}
                opener = synthetic_people_opener(lambda: demo_people(demo[7:], orders=books))
                read_ahead = ANSWERING_READ_AHEAD
            elif demo == exercises.BOXING:
                # The demo boxer answers the targets the boxing scene hands it (see BoxingScene).
                orders = self.demo_orders
                opener = synthetic_opener(lambda: boxer_frames(orders.snapshot))
                read_ahead = ANSWERING_READ_AHEAD
            else:
                opener = synthetic_opener(lambda: demo_frames(demo))
                read_ahead = LOCKSTEP_READ_AHEAD
            self.feed = PoseFeed(opener, label=f"demo ({demo})", pacing=pacing,
                                 read_ahead=read_ahead)
        else:
            spec = spec or self.default_spec()
            self.demo_exercise = None
            self.source_spec = spec
            camera = is_camera_spec(spec)
            backend, look, both = self._backend, self._look_backend, self._both_backend

            def pipeline() -> Any:  # on the feed's worker thread, before its first frame
                shared: Any = backend  # duck-types game.pose.backend.PoseBackend
                if people > 1:
                    # fresh filters, the model shared
                    return PosePipeline(PipelineOptions(max_people=people), backend=shared)
                return watching_pipeline(shared, look, both)  # a second person looked for

            opener = pose_opener(spec, drop_late=not self.options.scripted and not camera,
                                 pipeline_factory=pipeline, people=people,
                                 hands_out_everyone=people == 1)
            self.feed = PoseFeed(opener, label=describe_source(spec),
                                 pacing="wall" if camera else pacing, is_camera=camera,
                                 privacy=self.settings.privacy_mode)
        self._feed_t0_ms = self.now_ms
        self.declared_s = None if demo is not None or self.source_spec is None or \
            is_camera_spec(self.source_spec) else declared_duration_s(self.source_spec)
        self.feed.start()
        self.pointer.reset()

    def clip_length_s(self) -> float | None:
        """How long the file source plays, in seconds: a video's declared length, a recording's
        span, an image folder's (read once per source, at the edge); None when unknown."""
        spec = self.source_spec
        if spec is None or is_camera_spec(spec):
            return None
        if self.declared_s is not None and self.declared_s > 0:
            return self.declared_s
        if spec not in self._clip_lengths:
            self._clip_lengths[spec] = recording_length_s(spec)
        return self._clip_lengths[spec]

    def truncation_problem(self) -> str | None:
        """For a video source that has ended: a message when its frames stopped well before the
        length its container declares (a truncated or damaged file), else None."""
        declared = self.declared_s
        if declared is None or declared <= 0 or self.feed is None:
            return None
        last = self.latest.pose.timestamp_ms / 1000.0 if self.latest is not None else 0.0
        if last >= declared * TRUNCATED_SHARE - 0.5:
            return None
        return (f"{self.feed.label} is damaged: it stops after {last:.1f} s of its "
                f"{declared:.1f} s (the file is cut short)")

    def restart_source(self, exercise: str | None = None) -> None:
        """Replay a file or demo source from its start (a challenge starts with the clip)."""
        if self.feed is None or self.feed.is_camera:
            return
        if self.demo_exercise is not None:
            self.open_source(demo=exercise_demo_key(exercise or self.demo_exercise))
        else:
            self.open_source(self.source_spec)

    def mark_feedback(self, item: FeedItem | None) -> None:
        """A scene shows feedback (a rep, a hit) caused by ``item``: time it to the next flip."""
        if item is not None:
            self.metrics.pending_feedback.append(item.capture_s)

    def record_session(self, result: SessionResult, journal: Any = None) -> FinishedSession:
        """Keep a finished session of the player's own: history, database and (not in scripted
        runs) the leaderboard outbox, as one journal (see
        :func:`game.integrations.persist_session`). Returns it as saved, with the personal bests
        it set; the run's list of sessions holds it (in place of an unsaved copy)."""
        targets = ["history", "database"]
        submit = None
        if not self.options.scripted:
            targets.append("outbox")
            if result.challenge is None:
                result = replace(result,
                                    challenge=self.leaderboard.challenge_for(result.exercise))
            worker = self.leaderboard.worker()
            submit = worker.submit if worker is not None else None
        outcome = persist_session(self.home, result, targets, history=self.history,
                                  submit=submit, journal=journal)
        saved = FinishedSession(result, tuple(outcome.bests), is_saved=True,
                                is_for_leaderboard="outbox" in targets)
        self.keep_finished(saved)
        for problem in outcome.problems:
            self.notify(problem, 6.0)
        return saved

    def keep_finished(self, finished: FinishedSession | FinishedMatch) -> None:
        """List a finished session in this run (replacing an earlier copy of the same one)."""
        for i, known in enumerate(self.sessions):
            if isinstance(known, FinishedSession) and isinstance(finished, FinishedSession) \
                    and known.result.uid == finished.result.uid:
                self.sessions[i] = finished
                return
        self.sessions.append(finished)

    def recover_unfinished(self, state: Any, *, keep: bool) -> FinishedSession | None:
        """The player's answer about a session a crash interrupted: keep it (saved once, as it
        was when the game stopped) or let it go. Returns the kept session."""
        from game.storage.journal import SessionJournal  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

        if state in self.unfinished:
            self.unfinished.remove(state)
        journal = SessionJournal(state.path)
        if not keep:
            journal.discard()
            return None
        return self.record_session(state.result(), journal=journal)

    def screenshot(self, label: str) -> str | None:
        if self.options.screenshots is None or self.screen is None:
            return None

        folder = self.options.screenshots
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{len(self.screenshots) + 1:03d}_{label}.png"
        pygame.image.save(self.screen, str(path))
        self.screenshots.append(str(path))
        return str(path)

    # -- the loop -----------------------------------------------------------------------
    def _first_scene(self) -> Any:
        return factory.initial_scene(self.services)

    def _init_display(self) -> Any:
        if self.options.scripted and not os.environ.get("DISPLAY") and \
                not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        if os.environ.get("SDL_VIDEODRIVER") == "dummy":
            os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
        pygame.display.init()
        pygame.font.init()
        requested = os.environ.get("SDL_VIDEODRIVER", "")
        if pygame.display.get_driver() in ("offscreen", "dummy") and \
                requested not in ("offscreen", "dummy") and not self.options.scripted:
            # SDL fell back to an invisible window: say so instead of playing to nobody.
            raise UsageError("no display found (SDL fell back to an off-screen window): run "
                             "'ringside play' on a desktop, or add --headless --exit-after "
                             "SECONDS for a scripted run")
        flags = pygame.RESIZABLE
        if self.options.fullscreen:
            flags |= pygame.FULLSCREEN
        try:
            screen = pygame.display.set_mode(self.options.size, flags)
        except pygame.error as exc:
            raise UsageError(f"cannot open the game window ({exc}): run it on a desktop, or use "
                             "--headless with --exit-after for a scripted run") from None
        pygame.display.set_caption("Ringside")
        return screen

    def run(self) -> dict[str, Any]:
        """Run until the player quits (or the scripted time is up); returns the run summary."""
        self.screen = self._init_display()
        self.audio.start()
        self.plan_loader.start()  # ready long before the player opens today's workout
        for notice in self.notices:
            self.notify(notice, seconds=8.0)
        if self.options.demo or (self.options.source is None and self.options.scripted
                                 and self.options.mode in modes.PLAYING):
            self.open_source(demo=exercise_demo_key(self.options.mode))
        else:
            self.open_source(self.default_spec())
        self.stack.push(self._first_scene())
        self.stack.apply()
        stepper = FixedStep()
        last = time.perf_counter()
        scripted = self.options.scripted
        try:
            while self.running:
                now = time.perf_counter()
                elapsed = now - last
                last = now
                try:
                    self._pump_events()
                    steps = 1 if scripted else stepper.advance(elapsed)
                    for _ in range(steps):
                        self._step()
                    if steps == 0:
                        self._take_pose()  # a skeleton woke the loop early (_pace): draw it now
                    if not self.running or self.stack.top is None:
                        break
                    self._draw()
                except Exception as exc:  # the crash screen: a scene's bug logs and returns to the menu
                    if scripted:
                        raise  # tests and CI must see bugs
                    self._recover(exc)
                self.metrics.frame_ms.append(elapsed * 1000.0)
                self.metrics.work_ms.append((time.perf_counter() - now) * 1000.0)
                if scripted:
                    self._scripted_tick()
                else:
                    self._pace(now)
        finally:
            self.shutdown()
        return self.summary()

    def _save_unfinished(self) -> None:
        """Quitting (window closed, Ctrl+Q, Ctrl+C) in the middle of a session keeps what was
        done: the session is finished as "quit" and saved like any other."""
        for scene in reversed(self.stack.scenes):
            try:
                scene.end_on_quit()
            except (RingsideError, OSError, ValueError) as exc:  # never let saving block quitting
                self.errors.append(f"saving the session on quit failed: {exc!r}")

    def _recover(self, exc: Exception) -> None:
        """A bug in a scene must not end the player's evening: log it, go back to the menu.
        Finished sessions are already saved; the crash log says what happened."""
        text = "".join(traceback.format_exception(exc))
        self.errors.append(text)
        try:
            with open(self.home / "crash.log", "a", encoding="utf-8") as fh:
                fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{text}\n")
        except OSError:
            pass
        self.notify(f"Something went wrong ({type(exc).__name__}); back to the menu. Details are "
                    f"in {self.home / 'crash.log'}", 8.0, (240, 68, 72))
        # a session left unfinished closes its journal
        self.stack.clear_to(factory.title_scene(self.services))
        self.stack.apply()
        from game.storage.journal import pending_journals  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

        # ...and is offered back on the title at once, not only at the next start
        known = {st.path for st in self.unfinished}
        self.unfinished += [st for st in pending_journals(self.home)
                            if st.header and not st.is_committed and st.path not in known]
        top = self.stack.top
        if top is not None:
            top.refresh_menu()

    def _pump_events(self) -> None:
        for event in pygame.event.get():
            if event.type == pygame.VIDEORESIZE:
                # pygame 2 resizes the display surface itself; scenes lay out from its size
                self.screen = pygame.display.get_surface()
                continue
            for ie in translate(event):
                self.dispatch(ie)

    def dispatch(self, event: InputEvent) -> None:
        """Global actions first (quit, overlay, volume, screenshot), then the top scene."""
        if event.action == Action.QUIT:
            self.exit_reason = "quit"
            self.running = False
            return
        if event.action == Action.TOGGLE_OVERLAY:
            self.update_settings(replace(self.settings, show_overlay=not self.settings.show_overlay))
            return
        top = self.stack.top
        if top is not None and top.captures_text and event.action in (
                Action.TOGGLE_CAMERA, Action.VOLUME_UP, Action.VOLUME_DOWN):
            return  # a letter typed into a field, not a shortcut
        if event.action == Action.TOGGLE_CAMERA:
            self.update_settings(replace(self.settings, show_camera=not self.settings.show_camera))
            self.notify("Camera image " + ("on" if self.settings.shows_camera_image else "off"), 1.5)
            return
        if event.action in (Action.VOLUME_UP, Action.VOLUME_DOWN):
            delta = 0.1 if event.action == Action.VOLUME_UP else -0.1
            self.update_settings(replace(self.settings, volume=self.settings.volume + delta))
            self.notify(f"Volume {round(self.settings.volume * 100)} %", 1.2)
            self.audio.effect("click")
            return
        if event.action == Action.SCREENSHOT:
            self._shot_pending = True
            return
        top = self.stack.top
        if top is not None:
            try:
                top.handle(event)
            except RingsideError as err:
                self.notify(str(err), 6.0)

    def _pace(self, frame_start: float) -> None:
        """Sleep until the next frame (the fps cap), waking early when a skeleton is ready: it is
        then drawn at once instead of up to a frame later (grab-to-flip latency, see
        docs/BENCHMARKS.md). The cadence re-anchors on skeletons, so rendering stays near 60 fps."""
        remaining = frame_start + 1.0 / self.options.fps_cap - time.perf_counter()
        if remaining <= 0:
            return
        feed = self.feed
        if feed is not None and feed.wait_for_items(remaining):
            return
        remaining = frame_start + 1.0 / self.options.fps_cap - time.perf_counter()
        if remaining > 0:
            time.sleep(remaining)

    def _step(self) -> None:
        if self._is_source_held():
            # The feed's clock stops with the round: no frame is released to the menu, and a
            # generated player makes none ahead with the orders of before the pause.
            self._feed_t0_ms += STEP_S * 1000.0
        self._take_pose()
        self._pose_pointer()
        self.stack.update(STEP_S)
        self.now_ms += STEP_S * 1000.0
        self.toasts = [t for t in self.toasts if t[1] > self.now_ms]
        self.audio.pump()
        self.stack.apply()

    def _is_source_held(self) -> bool:
        """A game-clocked source (scripted runs) stops while the top scene holds it (the pause
        menu). A camera, or a file played in real time, runs on: the scenes cut the gap out."""
        top = self.stack.top
        return top is not None and top.holds_source and self.feed is not None and \
            self.feed.pacing == "lockstep"

    def _take_pose(self) -> None:
        """Hand the feed's new skeletons to the top scene (before a step, or between steps when
        one woke the loop)."""
        feed = self.feed
        if feed is not None:
            items = feed.poll(self.now_ms - self._feed_t0_ms)
            top = self.stack.top
            for item in items:
                self.latest = item
                self.metrics.pose_ms.append(item.pose_latency_ms)
                self.metrics.pose_times.append(item.ready_s)
                if top is not None:
                    top.on_pose(item)
                if self.pause_gesture.update(item.pose.landmarks_px, item.pose.timestamp_ms) \
                        and top is not None and top.is_in_play and self.is_camera:
                    self.dispatch(InputEvent(Action.PAUSE, source="pose"))  # hands up: pause
                if self.away_watch.update(item.pose.landmarks_px, item.pose.timestamp_ms) \
                        and top is not None and top.is_in_play and top.has_seen_player \
                        and self.is_camera:
                    # The player walked off: hold the round rather than miss every target.
                    self.notify("Paused: you are out of view. Step back in and hold a hand on "
                                "Resume.", 6.0)
                    self.dispatch(InputEvent(Action.PAUSE, source="pose"))
            if feed.is_camera and feed.status == FeedStatus.LOST and top is not None and \
                    top.uses_pose:
                self.stack.push(CameraLostScene(self.services))

    def _on_scene_change(self) -> None:
        self._fade_from_ms = self.now_ms
        self.toasts = [t for t in self.toasts if t[0] not in self._transient]
        self._transient.clear()
        top = self.stack.top
        if top is not None:
            self.scenes_seen.append(top.name)
        self._shot_pending = self._shot_pending or self.options.scripted
        self.pointer.reset()

    def _pose_pointer(self) -> None:
        top = self.stack.top
        item = self.latest
        self.hands = []
        if top is None or item is None or not top.accepts_pointer or \
                self.screen is None or not self.is_camera:
            return  # only a live player points: not a demo player, not a person in a video
        self.hands = hand_pointers(item.pose.landmarks_px, item.pose.image_size,
                                   self.screen.get_size(), mirror=self.settings.mirror)
        targets = top.hover_targets()
        fired = self.pointer.update(self.hands, targets, self.now_ms)
        if fired is not None and fired in targets:
            x, y, w, h = targets[fired]
            self.audio.effect("click")
            self.dispatch(InputEvent(Action.CLICK, pos=(int(x + w / 2), int(y + h / 2)),
                                     source="pose"))

    def _draw(self) -> None:
        screen = pygame.display.get_surface() or self.screen
        self.screen = screen
        screen.fill(ui.BG)
        self.stack.draw(screen)
        fade = 1.0 - (self.now_ms - self._fade_from_ms) / FADE_MS
        if fade > 0 and not self.options.scripted:  # screenshots show the settled scene
            ui.dim(screen, int(200 * fade) // 25 * 25)  # few distinct shades: cached
        draw_overlay(self, screen)
        pygame.display.flip()
        flipped = time.perf_counter()
        for captured in self.metrics.pending_feedback:
            self.metrics.feedback_ms.append((flipped - captured) * 1000.0)
        self.metrics.pending_feedback.clear()
        if self._shot_pending:
            self._shot_pending = False
            top = self.stack.top
            label = top.name if top else "scene"
            path = self.screenshot(label)
            if path is None and not self.options.scripted:
                self._save_user_screenshot(screen)

    def _save_user_screenshot(self, screen: Any) -> None:
        folder = self.home / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"ringside-{time.strftime('%Y%m%d-%H%M%S')}.png"
        pygame.image.save(screen, str(path))
        self.notify(f"Screenshot saved: {path}", 3.0)

    def _scripted_tick(self) -> None:
        opts = self.options
        if opts.screenshots is not None and self.now_ms >= self._shot_due_ms:
            self._shot_due_ms = self.now_ms + opts.screenshot_every_s * 1000.0
            top = self.stack.top
            self.screenshot(top.name if top else "scene")
        top = self.stack.top
        if opts.exit_after_s is not None and self.now_ms >= opts.exit_after_s * 1000.0:
            if top is not None and top.end_on_time():  # show the results of what was done
                self.stack.apply()
                self._draw()
                self.screenshot("final")
            else:
                self.screenshot("final")
            self.exit_reason = "exit_after"
            self.running = False
        elif top is not None and top.name == "source_error" and top.t_s > 1.0:
            self.screenshot("final")
            self.exit_reason = "source_error"
            self.running = False
        elif top is not None and top.name in ("results", "versus_results") and \
                top.t_s > 1.5 and opts.mode in modes.PLAYING:
            self.screenshot("final")
            self.exit_reason = "session_complete"
            self.running = False

    def shutdown(self) -> None:
        self._save_unfinished()
        if self.feed is not None:
            self.feed.stop(timeout_s=2.0)
        for model in (self._backend, self._look_backend, self._both_backend):
            model.close()
        self.leaderboard.stop()
        while self.stack.top is not None:
            self.stack.pop()
            self.stack.apply()
        self.audio.stop()

        ui.clear_caches()
        pygame.quit()

    def summary(self) -> dict[str, Any]:
        m = self.metrics
        last = self.sessions[-1] if self.sessions else None
        return {
            "mode": self.options.mode,
            "source": self.source_spec or (f"demo:{self.demo_exercise}" if self.demo_exercise
                                           else None),
            "exit": self.exit_reason or "quit",
            "game_time_s": round(self.now_ms / 1000.0, 2),
            "session": last.to_json() if last is not None else None,
            "sessions": len(self.sessions),
            "saved": sum(1 for s in self.sessions if s.is_saved),
            "reps": last.result.stat("reps") if isinstance(last, FinishedSession) else None,
            "scenes": self.scenes_seen,
            "screenshots": self.screenshots,
            "frames_rendered": len(m.frame_ms),
            "pose_frames": self.feed.frames_done if self.feed else 0,
            "feed_status": self.feed.status.value if self.feed else None,
            "feed_message": self.feed.message if self.feed else None,
            "pose_latency_ms_p50": _r(Metrics.pct(m.pose_ms, 50)),
            "feedback_latency_ms_p50": _r(Metrics.pct(m.feedback_ms, 50)),
            "errors": self.errors,
        }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 1)


# An image folder used as the camera is read at this rate (game.pose.sources.ImageFolderSource).
FOLDER_FPS = 30.0
VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm", ".mpg", ".mpeg", ".wmv")


def declared_duration_s(spec: str) -> float | None:
    """The length a video file's container declares (frames / fps), or None when unknown or
    not a video. Read once when the source opens (OpenCV, at the edge)."""
    path = Path(spec)
    if path.suffix.lower() not in VIDEO_SUFFIXES or not path.is_file():
        return None
    import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video is opened

    try:
        with native_stderr_silenced():
            cap = cv2.VideoCapture(str(path))
        try:
            if not cap.isOpened():
                return None
            frames = float(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0)
            fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        finally:
            cap.release()
    except (cv2.error, OSError, ValueError):  # an exotic file: no check rather than no game
        return None
    if frames <= 0 or not 1.0 <= fps <= 240.0:
        return None
    return frames / fps


def recording_length_s(spec: str) -> float | None:
    """A ``.rsk`` recording's span (first to last frame, plus one frame), an image folder's
    (its images at the 30 frames per second it is read at), or None when unknown."""
    folder = Path(spec)
    if folder.is_dir():
        from game.pose.sources import IMAGE_SUFFIXES  # noqa: PLC0415 - only for a folder

        n = sum(1 for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        return n / FOLDER_FPS if n else None
    if not spec.lower().endswith(".rsk"):
        return None
    from game.pose.recording import Recording  # noqa: PLC0415 - only when a recording is played

    first = last = None
    try:
        rec = Recording(spec, salvage=True)
        for frame in rec:
            first = frame.timestamp_ms if first is None else first
            last = frame.timestamp_ms
    except (RingsideError, OSError):
        return None
    if first is None or last is None:
        return None
    return (last - first) / 1000.0 + 1.0 / rec.fps


def exercise_demo_key(mode: str | None) -> str:
    if mode and mode.startswith("versus_"):
        mode = mode[7:]
    return mode if mode in exercises.NAMES else exercises.DEFAULT


def demo_frames(exercise: str, *, loops: int | None = None) -> Iterator[Any]:
    """A generated player for demo mode, looping forever (or ``loops`` times)."""
    session = SyntheticSession(exercise=exercise, seed=11)
    offset = 0.0
    n = 0
    while loops is None or n < loops:
        last = 0.0
        for frame in session.frames():
            last = frame.timestamp_ms
            yield replace(frame, timestamp_ms=frame.timestamp_ms + offset)
        offset += last + 1000.0 / session.fps
        n += 1


def run_app(options: AppOptions, home: Path | None = None,
            on_ready: Callable[[App], None] | None = None) -> dict[str, Any]:
    app = App(options, home)
    if on_ready:
        on_ready(app)
    return app.run()
