"""Settings: camera, mirror, volume, voice, camera image, privacy mode, units, overlay, targets."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pygame

from game.errors import RingsideError
from game.input import Action, InputEvent
from game.integrations import leaderboard_identity, normalise_server, set_leaderboard_identity
from game.loop import Pop
from game.scenes import ui
from game.scenes.base import BaseScene
from game.settings import UNITS, Settings

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

# (field, label, explanation)
ROWS: tuple[tuple[str, str, str], ...] = (
    ("player_name", "Your name", "Shown on the leaderboard"),
    ("server", "Leaderboard server", "Your gym's or club's (Enter to type)"),
    ("camera_index", "Camera", "Which camera to use (0 is the built-in one)"),
    ("mirror", "Mirror image", "Show yourself as in a mirror"),
    ("show_camera", "Show camera image", "Off: only your skeleton is drawn"),
    ("privacy_mode", "Privacy mode", "The camera image is never shown or stored"),
    ("volume", "Volume", "Effects and voice"),
    ("voice", "Spoken counts and cues", ""),
    ("units", "Units", "Metric or imperial"),
    ("rep_target", "Reps per challenge", ""),
    ("rounds", "Boxing rounds", ""),
    ("round_s", "Round length", ""),
    ("show_overlay", "FPS / latency overlay", "Also F3"),
)


TEXT_FIELDS = ("player_name", "server")


def step(settings: Settings, field: str, direction: int) -> Settings:
    """The settings with one field moved one step (booleans toggle). Pure. Text fields (name,
    server) change by typing, never by steps."""
    if field in TEXT_FIELDS:
        return settings
    v: Any = getattr(settings, field)
    if isinstance(v, bool):
        flipped: dict[str, Any] = {field: not v}
        return replace(settings, **flipped)
    if field == "volume":
        return replace(settings, volume=round(max(0.0, min(1.0, v + 0.1 * direction)), 2))
    if field == "units":
        i = UNITS.index(v) if v in UNITS else 0
        return replace(settings, units=UNITS[(i + direction) % len(UNITS)])
    if field == "round_s":
        return replace(settings, round_s=v + 15 * direction).validated()
    return replace(settings, **{field: v + direction}).validated()


def scrolled(first: int, focus: int, visible: int, n: int) -> int:
    """The first row shown: ``first`` moved as little as keeps row ``focus`` among the
    ``visible`` rows shown, within 0..n-visible. Pure."""
    first = min(first, focus)
    first = max(first, focus - visible + 1)
    return max(0, min(first, n - visible))


def show(settings: Settings, field: str) -> str:
    v = getattr(settings, field)
    if isinstance(v, bool):
        return "On" if v else "Off"
    if field == "volume":
        return f"{round(v * 100)} %"
    if field == "round_s":
        return ui.format_duration(v)
    if field == "units":
        return v.title()
    return str(v)


class SettingsScene(BaseScene):
    name = "settings"

    def __init__(self, services: SceneServices) -> None:
        super().__init__(services)

        self.focus = 0
        self.first = 0  # the first row shown: the list scrolls when not every row fits
        self.visible = len(ROWS)  # how many rows fit (set by the last draw)
        self.row_rects: dict[str, pygame.Rect] = {}
        self.arrow_rects: dict[str, tuple[pygame.Rect, pygame.Rect]] = {}
        self.server = leaderboard_identity(services.home)[1]
        self.editing: str | None = None  # a text field being typed into
        self.draft = ""

    @property
    def captures_text(self) -> bool:
        return self.editing is not None

    def value(self, field: str) -> str:
        if self.editing == field:
            return self.draft + "_"
        if field == "server":
            return self.server
        return show(self.services.settings, field)

    def _edit(self, field: str) -> None:
        self.editing = field
        self.draft = self.server if field == "server" else self.services.settings.player_name

    def _type(self, event: InputEvent) -> None:
        """Typing a name or a server address: Backspace deletes, Enter saves, Esc on an empty
        field cancels."""
        if event.action == Action.TEXT:
            self.draft = (self.draft + "".join(c for c in event.text if c.isprintable()))[:60]
        elif event.action == Action.BACK:
            if self.draft:
                self.draft = self.draft[:-1]
            else:
                self.editing = None
        elif event.action == Action.SELECT:
            self._save_text()

    def _save_text(self) -> None:
        field, text = self.editing, self.draft.strip()
        try:
            if field == "server":
                url = normalise_server(text)
                set_leaderboard_identity(self.services.leaderboard, server=url)
                self.server = url
                self.services.notify(f"Leaderboard server: {url}", 3, ui.GREEN)
            else:
                new = replace(self.services.settings, player_name=text).validated()
                self.services.update_settings(new)
                set_leaderboard_identity(self.services.leaderboard, name=new.player_name)
                self.services.notify(f"Your name: {new.player_name}", 3, ui.GREEN)
        except ValueError as exc:
            self.services.notify(f"Not saved: {exc}.", 5, ui.ORANGE)
            return
        except RingsideError as err:
            self.services.notify(f"Not saved: {err}", 5, ui.ORANGE)
            return
        self.editing = None

    def handle(self, event: InputEvent) -> None:
        if self.editing is not None:
            self._type(event)
            return
        n = len(ROWS)
        field = ROWS[self.focus][0]
        if event.action == Action.SELECT and field in TEXT_FIELDS:
            self._edit(field)
            return
        if event.action == Action.BACK:
            self.go(Pop())
        elif event.action == Action.UP:
            self._focus((self.focus - 1) % n)
        elif event.action == Action.DOWN:
            self._focus((self.focus + 1) % n)
        elif event.action in (Action.LEFT, Action.RIGHT, Action.SELECT):
            self._change(field, -1 if event.action == Action.LEFT else 1)
        elif event.action in (Action.POINT, Action.CLICK) and event.pos is not None:
            for i, (f, _, _) in enumerate(ROWS):
                minus, plus = self.arrow_rects.get(f, (None, None))
                if event.action == Action.CLICK and minus is not None and minus.collidepoint(event.pos):
                    self.focus = i
                    self._change(f, -1)
                    return
                if event.action == Action.CLICK and plus is not None and plus.collidepoint(event.pos):
                    self.focus = i
                    self._change(f, 1)
                    return
                r = self.row_rects.get(f)
                if r is not None and r.collidepoint(event.pos):
                    self.focus = i
                    if event.action == Action.CLICK and (
                            f in TEXT_FIELDS
                            or isinstance(getattr(self.services.settings, f), bool)):
                        self._change(f, 1)
                    return
            for key, move in (("more_up", -self.visible), ("more_down", self.visible)):
                r = self.targets.get(key)
                if event.action == Action.CLICK and r is not None and r.collidepoint(event.pos):
                    self._focus(max(0, min(n - 1, self.focus + move)))
                    return
            back = self.targets.get("back")
            if event.action == Action.CLICK and back is not None and back.collidepoint(event.pos):
                self.go(Pop())

    def _focus(self, i: int) -> None:
        self.focus = i
        self.first = scrolled(self.first, i, self.visible, len(ROWS))

    def _change(self, field: str, direction: int) -> None:
        if field in TEXT_FIELDS:
            self._edit(field)
            return
        new = step(self.services.settings, field, direction)
        self.services.update_settings(new)
        self.services.audio.effect("click")
        if field == "privacy_mode" and new.privacy_mode:
            self.services.notify("Privacy mode on: the camera image is never shown or stored.", 3)

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        y = self.header(surface, "Settings", "Saved as you change them")
        pad = lay.px(5)
        area = pygame.Rect(pad, y + lay.px(1), lay.w - 2 * pad, lay.h - y - lay.px(16))
        n = len(ROWS)
        gap = lay.px(0.8)
        # rows tall enough for room-distance text (3 units, hints 2.6); the rest scroll
        self.visible = max(1, min(n, int((area.height + gap) / (lay.px(7) + gap))))
        first = scrolled(self.first, self.focus, self.visible, n)
        row_h = int((area.height - (self.visible - 1) * gap) / self.visible)
        s = self.services.settings
        self.row_rects, self.arrow_rects, self.targets = {}, {}, {}
        if self.visible < n:
            area.width -= lay.px(6)
            self._draw_scroll(surface, area, first, n)
        for i, (field, label, hint) in enumerate(ROWS):
            if not first <= i < first + self.visible:
                continue
            r = pygame.Rect(area.left, area.top + (i - first) * (row_h + gap), area.width, row_h)
            self.row_rects[field] = r
            focused = i == self.focus
            ui.panel(surface, r, alpha=230, color=(46, 56, 82) if focused else (28, 34, 50),
                     border=ui.ACCENT if focused else None, radius=8)
            size = min(lay.px(3), int(row_h * 0.45))
            ui.text(surface, label, (r.left + lay.px(3), r.centery), size, ui.INK,
                    anchor="midleft")
            if hint:
                ui.text(surface, hint, (r.left + lay.px(42), r.centery), lay.px(2.6),
                        ui.MUTED, anchor="midleft", max_width=lay.px(70))
            if field in TEXT_FIELDS:
                box = pygame.Rect(0, 0, lay.px(52), r.height - 6)
                box.midright = (r.right - lay.px(2), r.centery)
                ui.panel(surface, box, alpha=235, color=(38, 46, 68), radius=6,
                         border=ui.ACCENT if self.editing == field else None)
                ui.text(surface, self.value(field), (box.left + lay.px(1.5), box.centery), size,
                        ui.ACCENT if focused else ui.INK, anchor="midleft", bold=True,
                        max_width=box.width - lay.px(3))
                self.targets[f"{field}="] = box
                continue
            bw = int(row_h * 1.1)
            plus = pygame.Rect(r.right - lay.px(2) - bw, r.top + 3, bw, r.height - 6)
            minus = pygame.Rect(plus.left - lay.px(16) - bw, plus.top, bw, plus.height)
            self.arrow_rects[field] = (minus, plus)
            for rect, glyph in ((minus, "<"), (plus, ">")):
                ui.panel(surface, rect, alpha=235, color=(38, 46, 68), radius=6)
                ui.text(surface, glyph, rect.center, size, ui.INK, anchor="center", shadow=False)
            ui.text(surface, show(s, field), ((minus.right + plus.left) // 2, r.centery), size,
                    ui.ACCENT if focused else ui.INK, anchor="center", bold=True)
            self.targets[f"{field}-"] = minus
            self.targets[f"{field}+"] = plus
        back = pygame.Rect(0, 0, lay.px(30), lay.px(8))
        back.midbottom = (lay.w // 2, lay.h - lay.px(5))
        ui.draw_button(surface, back, "Back", focused=False, size=lay.px(3),
                       hover_progress=self.services.pointer.progress
                       if self.services.pointer.hover_id == "back" else 0.0)
        self.targets["back"] = back
        self.footer_hint(surface, "Typing: Enter saves, Backspace deletes" if self.editing else
                         "Up/Down choose, Left/Right change, Enter to type a name or address, "
                         "Esc back")

    def _draw_scroll(self, surface: pygame.Surface, area: pygame.Rect, first: int,
                     n: int) -> None:
        """A scroll bar right of the rows, with a button above and below it (hand or mouse)."""
        lay = ui.Layout.of(surface)
        col = pygame.Rect(area.right + lay.px(1.5), area.top, lay.px(4.5), area.height)
        up = pygame.Rect(col.left, col.top, col.width, col.width)
        down = pygame.Rect(col.left, col.bottom - col.width, col.width, col.width)
        track = pygame.Rect(col.left, up.bottom + lay.px(1), col.width,
                            down.top - up.bottom - lay.px(2))
        ui.panel(surface, track, alpha=200, color=(28, 34, 50), radius=6)
        thumb = pygame.Rect(track.left, track.top + track.height * first // n, track.width,
                            max(lay.px(3), track.height * self.visible // n))
        ui.panel(surface, thumb, alpha=235, color=(90, 102, 130), radius=6)
        for rect, key, sign, live in ((up, "more_up", -1, first > 0),
                                      (down, "more_down", 1, first + self.visible < n)):
            ui.panel(surface, rect, alpha=235, color=(38, 46, 68), radius=6)
            c, d = rect.center, rect.width // 4
            colour = ui.INK if live else ui.MUTED
            pygame.draw.polygon(surface, colour, [(c[0] - d, c[1] - sign * d // 2),
                                                  (c[0] + d, c[1] - sign * d // 2),
                                                  (c[0], c[1] + sign * d)])
            if live:
                self.targets[key] = rect
