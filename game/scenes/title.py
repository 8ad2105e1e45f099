"""Title and main menu; says plainly when there is no camera and offers the demo mode."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises, modes
from game.feed import FeedStatus
from game.input import Action, InputEvent
from game.loop import Push
from game.scenes import ui
from game.scenes.base import BaseScene
from game.scenes.leaderboard import LeaderboardScene
from game.scenes.moves import MovesScene
from game.scenes.review import ReviewScene
from game.scenes.settings import SettingsScene
from game.scenes.versus import VersusScene
from game.scenes.workout import WorkoutScene
from game.session_result import SessionResult
from game.wording import number, plural

if TYPE_CHECKING:
    from game.scenes.services import SceneServices


class TitleScene(BaseScene):
    name = "title"

    def __init__(self, services: SceneServices) -> None:
        super().__init__(services)
        self.menu = ui.Menu(self._buttons())
        self._offered_demo = False

    @property
    def unfinished(self) -> Any:
        """The oldest session a crash interrupted, offered back (see game.storage.journal)."""
        return self.services.unfinished[0] if self.services.unfinished else None

    def _buttons(self) -> list[ui.Button]:
        demo = self.services.source.is_demo
        offer = [ui.Button("recover_keep", "Keep that session", "add it to your history"),
                 ui.Button("recover_drop", "Let it go", "forget it")] if self.unfinished else []
        return offer + [
            ui.Button(modes.WORKOUT, "Today's workout", "your plan for today"),
            ui.Button(exercises.BOXING, exercises.title(exercises.BOXING), "hit the targets on the beat"),
            *(ui.Button(e.name, e.menu_title, e.tagline) for e in exercises.EXERCISES if e.is_reps),
            ui.Button(modes.VERSUS, "Versus", "two players, one camera: race or box"),
            ui.Button(modes.MOVES, "Learn the moves", "slow-motion demos"),
            ui.Button(modes.REVIEW, "Coach review", "replay a recorded session"),
            ui.Button(modes.LEADERBOARD, "Leaderboard"),
            ui.Button(modes.SETTINGS, "Settings"),
            ui.Button("demo", "Use the camera" if demo else "Demo mode",
                      "back to your camera" if demo else "no camera needed"),
            ui.Button("quit", "Quit"),
        ]

    def enter(self) -> None:
        self.services.audio.effect("whoosh", 0.5)

    def refresh_menu(self) -> None:
        self.menu = ui.Menu(self._buttons())

    def resume(self) -> None:
        self.menu.buttons = self._buttons()
        feed = self.services.source.feed
        if feed is not None and not feed.is_camera and feed.status == FeedStatus.ENDED:
            self.services.source.restart()

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        if self.camera_missing and not self._offered_demo:
            # No camera: the obvious next step is one Enter (or a click) away.
            self._offered_demo = True
            self.menu.focus = [b.key for b in self.menu.buttons].index("demo")
        feed = self.services.source.feed
        # A clip used as the camera loops behind the menu.
        if feed is not None and not feed.is_camera and feed.status == FeedStatus.ENDED and \
                feed.is_exhausted:
            self.services.source.restart()

    @property
    def camera_missing(self) -> bool:
        feed = self.services.source.feed
        return bool(feed and feed.is_camera and feed.status == FeedStatus.FAILED)

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            return  # Esc on the title does nothing; Quit is a button (and Ctrl+Q)
        key = self.menu.handle(event)
        if key is None:
            return
        self.services.audio.effect("click")
        services = self.services
        if key in ("recover_keep", "recover_drop") and self.unfinished is not None:
            kept = services.recover_unfinished(self.unfinished, keep=key == "recover_keep")
            if kept is not None:
                services.notify("Kept: " + _offer_text(kept.result, short=True)
                                + " is in your history.", 4, ui.GREEN)
            self.menu = ui.Menu(self._buttons())
            return
        if key in exercises.NAMES:
            if self.camera_missing:
                services.source.open(demo=key)
                services.notify("No camera, so a generated player is standing in (demo mode).", 4)
            services.go(Push(services.scenes.exercise(key)))
        elif key == modes.VERSUS:
            services.go(Push(VersusScene(services, exercises.DEFAULT)))
        elif key == modes.WORKOUT:
            services.go(Push(WorkoutScene(services)))
        elif key == modes.MOVES:
            services.go(Push(MovesScene(services)))
        elif key == modes.REVIEW:
            services.go(Push(ReviewScene(services)))
        elif key == modes.LEADERBOARD:
            services.go(Push(LeaderboardScene(services)))
        elif key == modes.SETTINGS:
            services.go(Push(SettingsScene(services)))
        elif key == "demo":
            if services.source.is_demo:
                services.source.open(services.source.default_spec())
            else:
                services.source.open(demo=exercises.DEFAULT)
                services.notify("Demo mode: a generated player is moving. Pick any game.", 3)
            self.menu.buttons = self._buttons()
        elif key == "quit":
            services.quit()

    def toast_area(self, surface: pygame.Surface) -> pygame.Rect:
        # Beside the menu (never over it), down to just above the hint line.
        lay = ui.Layout.of(surface)
        stage = self._stage(lay)
        return pygame.Rect(stage.left + lay.px(2), 0, stage.width - lay.px(4), lay.h - lay.px(6))

    @staticmethod
    def _menu_width(lay: ui.Layout) -> int:
        return max(lay.px(58), int(lay.w * 0.34))

    def _stage(self, lay: ui.Layout) -> pygame.Rect:
        return pygame.Rect(lay.px(2), lay.px(20), lay.w - self._menu_width(lay) - lay.px(6),
                           lay.h - lay.px(32))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        menu_w = self._menu_width(lay)
        stage = self._stage(lay)
        self.draw_stage(surface, stage, dim_alpha=110)
        # logo
        r = ui.text(surface, "RINGSIDE", (lay.px(5), lay.px(3)), lay.px(10), ui.ACCENT, bold=True)
        ui.text(surface, "box, squat and train with your camera", (r.right + lay.px(3),
                r.bottom - lay.px(3)), lay.px(3), ui.MUTED, anchor="bottomleft",
                max_width=stage.right - r.right - lay.px(4))
        self._draw_source_status(surface, stage)
        self._draw_offer(surface, stage)
        # menu
        area = pygame.Rect(lay.w - menu_w - lay.px(2), lay.px(3), menu_w, lay.h - lay.px(9))
        gap = lay.px(1.2)
        rows = _rows(self.menu.buttons)
        item_h = int((area.height - (len(rows) - 1) * gap) / len(rows))
        self.menu.rects = _row_rects(rows, area, item_h, gap)
        self.targets = dict(self.menu.rects)
        focused = self.menu.buttons[self.menu.focus] if self.menu.buttons else None
        if focused is not None and focused.hint:  # what the chosen item does, readable: above
            ui.text(surface, f"{focused.label}: {focused.hint}",  # the stage, not in the button
                    (lay.px(5), stage.top - lay.px(1.5)), lay.px(3), ui.INK, anchor="bottomleft",
                    max_width=stage.width - lay.px(4))
        for i, b in enumerate(self.menu.buttons):
            ui.draw_button(surface, self.menu.rects[b.key], b.label, focused=i == self.menu.focus,
                           size=min(lay.px(3.3), int(item_h * 0.42)),
                           hover_progress=self.services.pointer.progress
                           if self.services.pointer.hover_id == b.key else 0.0)
        self.footer_hint(surface, "Raise a hand and hold it on a button, click, or use arrows + "
                         "Enter.  F3: FPS overlay   C: camera image   +/-: volume")

    def _draw_offer(self, surface: pygame.Surface, stage: pygame.Rect) -> None:
        state = self.unfinished
        if state is None:
            return
        lay = ui.Layout.of(surface)
        box = pygame.Rect(0, 0, stage.width - lay.px(8), lay.px(19))
        # under the "No camera found" box when there is one; notices stack up from below
        box.midtop = (stage.centerx, stage.top + lay.px(31 if self.camera_missing else 2))
        ui.panel(surface, box, alpha=240, border=ui.ACCENT)
        ui.text(surface, "A session was interrupted", (box.left + lay.px(3), box.top + lay.px(2)),
                lay.px(4), ui.ACCENT, bold=True, max_width=box.width - lay.px(6))
        ui.paragraph(surface, _offer_text(state.result()) + " Keep it in your history, or let "
                     "it go?", pygame.Rect(
                         box.left + lay.px(3), box.top + lay.px(8.5), box.width - lay.px(6),
                         lay.px(12)), lay.px(3), ui.INK)

    def _draw_source_status(self, surface: pygame.Surface, stage: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        feed = self.services.source.feed
        if self.camera_missing:
            box = pygame.Rect(0, 0, stage.width - lay.px(8), lay.px(27))
            box.midtop = (stage.centerx, stage.top + lay.px(2))  # notices stack up from below
            ui.panel(surface, box, alpha=240, border=ui.ORANGE)
            ui.text(surface, "No camera found", (box.centerx, box.top + lay.px(3)), lay.px(5),
                    ui.ORANGE, anchor="midtop", bold=True)
            msg = (feed.message if feed else "") or "No camera is connected."
            y = ui.paragraph(surface, msg, pygame.Rect(box.left + lay.px(4), box.top + lay.px(11),
                             box.width - lay.px(8), lay.px(12)), lay.px(2.6), center=True)
            ui.paragraph(surface, "Choose Demo mode to play with a generated player. Plug a "
                         "camera in and it is found by itself.", pygame.Rect(box.left + lay.px(4), y + lay.px(1),
                                                   box.width - lay.px(8), lay.px(12)),
                         lay.px(2.6), ui.MUTED, center=True)
            return
        if feed is None:
            return
        label = {
            FeedStatus.STARTING: f"Starting {feed.label}...",
            FeedStatus.LIVE: ("Demo player" if self.services.source.is_demo else feed.label)
            + ": live",
            FeedStatus.LOST: f"{feed.label}: lost, retrying",
            FeedStatus.ENDED: f"{feed.label}: finished",
            FeedStatus.FAILED: f"{feed.label}: {feed.message}",
        }[feed.status]
        col = ui.GREEN if feed.status == FeedStatus.LIVE else ui.ORANGE
        pygame.draw.circle(surface, col, (stage.left + lay.px(3), stage.bottom + lay.px(2.2)),
                           lay.px(0.9))
        ui.text(surface, label, (stage.left + lay.px(5), stage.bottom + lay.px(2.2)), lay.px(2.6),
                ui.MUTED, anchor="midleft", max_width=stage.width - lay.px(6))


def _rows(buttons: list[ui.Button]) -> list[list[ui.Button]]:
    """The menu's rows: the rep challenges two to a row (however many exercises the registry
    holds, the menu keeps readable text), everything else alone."""
    rows: list[list[ui.Button]] = []
    for b in buttons:
        if b.key in exercises.REP_NAMES and rows and len(rows[-1]) == 1 and rows[-1][0].key in exercises.REP_NAMES:
            rows[-1].append(b)
        else:
            rows.append([b])
    return rows


def _row_rects(rows: list[list[ui.Button]], area: pygame.Rect, item_h: int, gap: int) -> dict[str, pygame.Rect]:
    rects = {}
    for i, row in enumerate(rows):
        w = (area.width - (len(row) - 1) * gap) // len(row)
        for j, b in enumerate(row):
            rects[b.key] = pygame.Rect(area.left + j * (w + gap), area.top + i * (item_h + gap), w, item_h)
    return rects


def _offer_text(session: SessionResult, *, short: bool = False) -> str:
    """``Your squat session of Sat 07:42 stopped after 2 reps.`` (pure)"""

    ex = session.exercise
    what = (f"{number(session.stat('score') or 0)} points" if ex == exercises.BOXING
            else plural(int(session.stat("reps") or 0), "rep"))
    when = time.strftime("%a %H:%M", time.localtime(session.started_s))
    name = exercises.BY_NAME[ex].singular.lower() if ex in exercises.BY_NAME else ex
    if short:
        return f"your {name} session of {when} ({what})"
    return f"Your {name} session of {when} stopped before it was saved, after {what}."
