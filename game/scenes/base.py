"""The scene base class every Ringside scene derives from, and shared drawing of the stage.

A scene gets its :class:`~game.scenes.services.SceneServices` at construction (settings, audio,
notices, the latest pose, the clock, rng, the source, saving sessions, the leaderboard link),
changes the stack only with commands (:meth:`BaseScene.go`), and tells the app about itself
through the typed flags below. See :mod:`game.loop` for the lifecycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from game.feed import FeedItem, FeedStatus
from game.feedback import FeedbackChannel, Message, Priority
from game.input import Action, InputEvent
from game.loop import Command, Pop, Scene
from game.pose.types import LM
from game.scenes import ui

if TYPE_CHECKING:
    from game.scenes.services import SceneServices


SHOW_WHOLE_BODY = "Step in front of the camera, 2-3 m away, head to feet in view"

TONE_COLOR = {"info": ui.BLUE, "good": ui.GREEN, "warn": ui.ORANGE, "bad": ui.RED}


# The person in view who is not judged (game/players.py): grey, drawn under the player.
OTHER_PERSON = (120, 126, 140)


class BaseScene(Scene):
    """Adds: the services, typed flags the app reads, a hover-target registry for pose
    pointing, a shared camera stage."""

    title: str = ""
    uses_pose: bool = False  # shows the player's skeleton; pauses when the camera is lost
    accepts_pointer: bool = True  # a held hand presses its buttons
    max_toasts: int = 2  # app-wide notices shown at once; play screens show one
    has_seen_player: bool = False  # someone was in view while in play
    # On top, it stops a game-clocked (scripted) source: a pause menu holds the round, the clip
    # and the generated player together, so play resumes exactly where it stopped.
    holds_source: bool = False

    def __init__(self, services: SceneServices) -> None:
        self.services = services
        self.targets: dict[str, pygame.Rect] = {}
        self.image_cache = ui.ImageCache()
        self.t_s = 0.0  # time since enter, advanced in update
        self.feedback = FeedbackChannel()  # what the scene tells the player (game.feedback)

    # Pose pointing: scenes with buttons register their rects while drawing (a cache of layout,
    # not game state) and the app presses them with a held hand.
    def hover_targets(self) -> dict[str, tuple[float, float, float, float]]:
        return {k: (r.x, r.y, r.w, r.h) for k, r in self.targets.items()}

    # -- typed flags and hooks the app uses (never probed with getattr) --------------------
    @property
    def is_in_play(self) -> bool:
        """A session or match is running: raised hands pause it, walking off holds it."""
        return False

    @property
    def captures_text(self) -> bool:
        """A text field has the keyboard: letters are typed, not shortcuts."""
        return False

    def end_on_time(self) -> bool:
        """A scripted run's time is up: end what is in play and show its results. Returns
        whether there was something to end."""
        return False

    def end_on_quit(self) -> None:
        """The game is closing: keep what was done (a session in play is saved as "quit")."""

    def refresh_menu(self) -> None:
        """Something the menu shows changed behind the scene's back (a session to recover)."""

    def go(self, command: Command) -> None:
        """Change the scene stack: ``self.go(Push(scene))``, ``Pop()``, ``Replace(scene)``,
        ``ClearTo(scene)`` (applied between steps, in the order sent)."""
        self.services.go(command)

    def update(self, dt_s: float) -> None:
        self.t_s += dt_s
        self.feedback.tick(self.t_s)

    def say(self, msg: Message) -> None:
        """Post a message to this scene's feedback channel (at scene time)."""
        self.feedback.post(msg, self.t_s)

    def post_source_state(self, *, person_needed: str = SHOW_WHOLE_BODY) -> None:
        """Tell the player, through the channel, when the source has a problem or nobody is in
        view (call every step; the message leaves when the condition does)."""
        feed = self.services.source.feed
        if feed is not None and feed.status == FeedStatus.FAILED:
            self.say(Message("source", feed.message or "The camera or video stopped: press Esc "
                             "for the menu", "cue", Priority.SOURCE, "presence", tone="bad",
                             ttl_s=0.25))
        elif feed is not None and feed.status == FeedStatus.STARTING:
            text = ("Starting the camera: get in position, 2-3 m away" if feed.is_camera else
                    "Loading the video: it starts in a moment")
            self.say(Message("source", text, "cue", Priority.SOURCE, "presence", tone="info",
                             ttl_s=0.25))
        elif self.services.latest is not None and self.services.latest.pose.landmarks_px is None \
                and not any(p.pose.landmarks_px is not None for p in self.services.latest.people):
            # (someone tracked, though not the person followed first, is not "nobody")
            self.say(Message("nobody", person_needed, "cue", Priority.PROBLEM, "presence",
                             head="NOBODY IN VIEW", tone="warn", ttl_s=0.25))

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        """Where app-wide notices may be drawn, stacked up from its bottom. Scenes with buttons
        low on the screen narrow it."""
        lay = ui.Layout.of(surface)
        return pygame.Rect(lay.px(4), 0, lay.w - lay.px(8), int(lay.h * 0.82))

    def back(self) -> None:
        self.go(Pop())

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.back()

    # -- shared drawing -------------------------------------------------------------------
    def draw_stage(self, surface: pygame.Surface, area: pygame.Rect | None = None,
                   *, dim_alpha: int = 90, skeleton: bool = True,
                   item: FeedItem | None = None) -> ui.View:
        """Camera image (unless hidden or in privacy mode) and the live skeleton in ``area``."""
        lay = ui.Layout.of(surface)
        area = area or surface.get_rect()
        item = item if item is not None else self.services.latest
        size = item.pose.image_size if item else (640, 480)
        settings = self.services.settings
        view = ui.View.fit(area, size, self.services.mirror)
        show = settings.shows_camera_image and item is not None
        ui.draw_camera(surface, view, item.image_rgb if show and item else None,
                       self.image_cache, dim_alpha=dim_alpha,
                       privacy=settings.privacy_mode)
        if skeleton and item is not None:
            self._draw_people(surface, view, item, width=max(3, lay.px(0.8)))
        return view

    @property
    def judged_id(self) -> int | None:
        """The person a session judges when two are in view (None: not chosen, or no session)."""
        return None

    def _draw_people(self, surface: pygame.Surface, view: ui.View, item: FeedItem, *,
                     width: int) -> None:
        """The player's skeleton in colour. With two people in view and the player chosen, the
        other is drawn grey and thin (seen, not judged) and the player gets a PLAYER tag over
        their head, readable from 2-3 m; before the choice both are drawn in colour."""
        lay = ui.Layout.of(surface)
        judged = self.judged_id
        people = [p for p in item.people if p.pose.landmarks_px is not None]
        if len(people) < 2 or judged is None:
            poses = [p.pose for p in people] or [item.pose]
            for pose in poses:
                if pose.landmarks_px is not None:
                    ui.draw_skeleton(surface, view.points(pose.landmarks_px),
                                     pose.landmarks_px[:, 3], width=width)
            return
        for person in people:
            if person.person_id != judged:
                lm = person.pose.landmarks_px
                assert lm is not None
                ui.draw_skeleton(surface, view.points(lm), lm[:, 3], width=max(2, width // 2),
                                 color=OTHER_PERSON, alpha=150, joints=False)
        player = next((p.pose for p in people if p.person_id == judged), None)
        if player is None or player.landmarks_px is None:
            return
        pts = view.points(player.landmarks_px)
        ui.draw_skeleton(surface, pts, player.landmarks_px[:, 3], width=width)
        nose = pts[LM.NOSE]
        ui.text(surface, "PLAYER", (float(nose[0]), float(nose[1]) - lay.px(4)), lay.px(3.2),
                ui.ACCENT, anchor="midbottom", bold=True, role="label")

    def header(self, surface: pygame.Surface, title: str, subtitle: str = "") -> int:
        lay = ui.Layout.of(surface)
        ui.text(surface, title, (lay.px(5), lay.px(4)), lay.px(6), ui.INK, bold=True)
        y = lay.px(4) + lay.px(8.5)
        if subtitle:
            ui.text(surface, subtitle, (lay.px(5), y), lay.px(3), ui.MUTED,
                    max_width=lay.w - lay.px(10))
            y += lay.px(4.5)
        return y

    def footer_hint(self, surface: pygame.Surface, hint: str) -> None:
        lay = ui.Layout.of(surface)
        ui.text(surface, hint, (lay.w // 2, lay.h - lay.px(2.5)), lay.px(2.6), ui.MUTED,
                anchor="midbottom", max_width=lay.w - lay.px(6))

    def draw_message(self, surface: pygame.Surface, region: str,
                     rect: pygame.Rect) -> pygame.Rect | None:
        """The channel's message for ``region`` as a banner in ``rect`` (height fits its text;
        anchored at the bottom of ``rect``); returns the banner drawn, if any. The current cue is
        primary text (4.4 %); a how-to hint is secondary (3.2 %)."""
        msg = self.feedback.in_region(region)
        if msg is None:
            return None
        primary = msg.priority > Priority.HINT
        lay = ui.Layout.of(surface)
        size = lay.px(4.4 if primary else 3.2)
        head_size = lay.px(2.8)
        pad = lay.px(2)
        lines = ui.wrap(msg.text, size, rect.width - 2 * pad)[:2]
        line_h = int(ui.font(size).get_linesize() * 1.05)
        h = 2 * pad + len(lines) * line_h + (head_size + lay.px(0.8) if msg.head else 0)
        box = pygame.Rect(rect.left, rect.bottom - h, rect.width, h)
        color = TONE_COLOR.get(msg.tone, ui.ACCENT)
        ui.panel(surface, box, alpha=235, border=color)
        ui.note_message(msg.text, box)
        y = box.top + pad
        if msg.head:
            ui.text(surface, msg.head, (box.left + pad, y), head_size, color, bold=True)
            y += head_size + lay.px(0.8)
        for line in lines:
            ui.text(surface, line, (box.left + pad, y), size, ui.INK,
                    max_width=box.width - 2 * pad, role="primary" if primary else "secondary")
            y += line_h
        return box


class PlayScene(BaseScene):
    """A scene where something is played and then finished (a session, a versus match): in play
    while ``state`` is ``"active"``; :meth:`finish` ends it once and shows its results."""

    state: str = "waiting"
    finished: bool = False

    @property
    def is_in_play(self) -> bool:
        return self.state == "active"

    def end_on_time(self) -> bool:
        if self.finished:
            return False
        self.finish("time")
        return True

    def finish(self, reason: str) -> None:
        raise NotImplementedError
