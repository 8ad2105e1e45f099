"""What a scene may use: the narrow contract between the scenes and the app.

A scene is built with a :class:`SceneServices` (never the :class:`~game.app.App`): the player's
settings, sound, notices, the latest pose, the game clock, a random source, the pose source,
saving a finished session, today's plan and the leaderboard link. It changes the scene stack
only by sending commands (``BaseScene.go(Push(scene))``, :mod:`game.loop`), and the app asks it
about itself through typed flags on :class:`~game.scenes.base.BaseScene` (``is_in_play``,
``uses_pose``, ``captures_text``...), never by probing attributes.

The services are a live view of the app's state (settings change, the source is reopened), so a
scene reads them when it needs them. A test can build scenes over a real app
(``app.services``) or hand a scene any object with these members.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.loop import Command
from game.session_result import FinishedMatch, FinishedSession, SessionResult

if TYPE_CHECKING:
    from game.app import App, AppOptions
    from game.audio import Audio
    from game.calibration import BodyProfile
    from game.feed import FeedItem, PoseFeed
    from game.history import History
    from game.input import HoverSelect
    from game.integrations import LeaderboardLink, PlanLoader
    from game.moves import OrderBook
    from game.scenes.factory import SceneFactory
    from game.settings import Settings
    from game.storage.journal import JournalState


class PoseSource:
    """The pose source as scenes see it: what it is, and (re)opening it."""

    def __init__(self, app: App) -> None:
        self._app = app

    @property
    def feed(self) -> PoseFeed | None:
        return self._app.feed

    @property
    def spec(self) -> str | None:
        """The file or ``camera:N`` it reads (None for a generated demo player)."""
        return self._app.source_spec

    @property
    def is_demo(self) -> bool:
        return self._app.is_demo

    @property
    def is_camera(self) -> bool:
        return self._app.is_camera

    @property
    def demo_exercise(self) -> str | None:
        return self._app.demo_exercise

    @property
    def demo_orders(self) -> OrderBook:
        """The targets the demo boxer answers (the boxing scene hands them over)."""
        return self._app.demo_orders

    @property
    def versus_orders(self) -> dict[str, OrderBook]:
        """The two demo boxers' targets, by slot (``left``, ``right``)."""
        return self._app.versus_orders

    @property
    def is_file(self) -> bool:
        """A video, image folder or recording used as the camera (not a camera, not the demo)."""
        feed = self._app.feed
        return feed is not None and not feed.is_camera and not self._app.is_demo

    def clip_length_s(self) -> float | None:
        """How long a file source plays (seconds), when known: a video's declared length, a
        recording's span, an image folder's images at 30 a second; None for a camera, the demo
        or an unknown length."""
        return self._app.clip_length_s() if self.is_file else None

    def open(self, spec: str | None = None, *, demo: str | None = None, people: int = 1) -> None:
        self._app.open_source(spec, demo=demo, people=people)

    def restart(self, exercise: str | None = None) -> None:
        """Replay a file or demo source from its start (a challenge starts with the clip)."""
        self._app.restart_source(exercise)

    def default_spec(self) -> str:
        return self._app.default_spec()

    def truncation_problem(self) -> str | None:
        return self._app.truncation_problem()


class SceneServices:
    """Everything a scene may use (see the module docstring)."""

    def __init__(self, app: App, *, rng: random.Random) -> None:
        self._app = app
        self.rng = rng  # seeded once at the edge (the app); never the global ``random``
        self.source = PoseSource(app)

    # -- the player's settings, sound and notices ---------------------------------------
    @property
    def settings(self) -> Settings:
        return self._app.settings

    def update_settings(self, settings: Settings) -> None:
        """Apply and save new settings (reopens the camera when its index changed)."""
        self._app.update_settings(settings)

    @property
    def mirror(self) -> bool:
        """Whether the stage is drawn as a mirror. The player's own live image (the camera, the
        demo player) follows the setting; a video or recording is shown as it was filmed: a
        mirrored file flips its captions and swaps its boxer's hands on screen."""
        return self._app.settings.mirror and not self.source.is_file

    @property
    def audio(self) -> Audio:
        return self._app.audio

    def notify(self, message: str, seconds: float = 4.0,
               color: tuple[int, int, int] = (255, 184, 28), *, transient: bool = False) -> None:
        """Show an app-wide notice for a while; ``transient`` ones leave with the scene."""
        self._app.notify(message, seconds, color, transient=transient)

    # -- pose, pointer, clock ------------------------------------------------------------
    @property
    def latest(self) -> FeedItem | None:
        """The newest pose item (whoever is on top of the stack got it through ``on_pose``)."""
        return self._app.latest

    def mark_feedback(self, item: FeedItem | None) -> None:
        """Feedback caused by ``item`` shows at the next flip (grab-to-flip latency)."""
        self._app.mark_feedback(item)

    @property
    def pointer(self) -> HoverSelect:
        """The held-hand pointer (drawing shows its progress on the hovered button)."""
        return self._app.pointer

    @property
    def now_ms(self) -> float:
        """Game time since start, in fixed steps (the clock scenes may read)."""
        return self._app.now_ms

    @property
    def wall_s(self) -> float:
        """Wall-clock time (epoch seconds): when a session started, a challenge's end. Never
        for game timing (that is ``now_ms`` and the frames' own timestamps)."""
        return time.time()

    # -- how the game was started --------------------------------------------------------
    @property
    def screen(self) -> Any:
        """The display surface, for layout only (scenes draw on the surface ``draw`` gets);
        None before the window opens."""
        return self._app.screen

    @property
    def options(self) -> AppOptions:
        return self._app.options

    @property
    def is_scripted(self) -> bool:
        return self._app.options.scripted

    @property
    def home(self) -> Path:
        """The data folder (recordings, databases, settings)."""
        return self._app.home

    # -- the player's body profile (set by calibration) ------------------------------------
    @property
    def profile(self) -> BodyProfile | None:
        return self._app.profile

    @profile.setter
    def profile(self, profile: BodyProfile | None) -> None:
        self._app.profile = profile

    # -- finished sessions ---------------------------------------------------------------
    def record_session(self, result: SessionResult, journal: Any = None) -> FinishedSession:
        """Save a session of the player's own everywhere it goes; returns it as saved."""
        return self._app.record_session(result, journal)

    def keep_finished(self, finished: FinishedSession | FinishedMatch) -> None:
        """List a finished session that is not saved (a demo, a video) in this run."""
        self._app.keep_finished(finished)

    @property
    def history(self) -> History:
        return self._app.history

    @property
    def unfinished(self) -> list[JournalState]:
        """Sessions a crash interrupted, offered back on the title screen."""
        return self._app.unfinished

    def recover_unfinished(self, state: JournalState, *, keep: bool) -> FinishedSession | None:
        return self._app.recover_unfinished(state, keep=keep)

    # -- today's plan, the leaderboard ---------------------------------------------------
    @property
    def plan_loader(self) -> PlanLoader:
        return self._app.plan_loader

    @property
    def leaderboard(self) -> LeaderboardLink:
        return self._app.leaderboard

    # -- the scene stack and the run -------------------------------------------------------
    @property
    def scenes(self) -> SceneFactory:
        """Builds the scenes one scene opens in place of itself (the title, a session), so
        scene modules never import the factory."""
        return self._app.scenes

    def go(self, command: Command) -> None:
        """Queue a scene command; applied between steps, in the order sent."""
        self._app.stack.send(command)

    @property
    def stack_depth(self) -> int:
        """How many scenes are on the stack (a scene leaves to the one below, or the title)."""
        return len(self._app.stack)

    def quit(self) -> None:
        """End the game (the title's Quit button)."""
        self._app.exit_reason = "quit"
        self._app.running = False

    def log_error(self, text: str) -> None:
        """A problem for the run's summary (scripted runs print it)."""
        self._app.errors.append(text)
