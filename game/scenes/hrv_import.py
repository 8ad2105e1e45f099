"""HRV import from the game: a small file browser (starting in the home folder), the import on
a worker thread, and what it did in words. Back on today's workout, the plan and the trend chart
are read again (:class:`game.integrations.PlanLoader`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygame

from game.errors import RingsideError
from game.input import Action, InputEvent
from game.integrations import import_hrv
from game.loop import Pop
from game.scenes import rows, ui
from game.scenes.base import BaseScene
from game.wording import plural

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

# What the importers read (game.hrv.formats): shown in the browser; other files are hidden.
HRV_SUFFIXES = (".fit", ".csv", ".xml", ".zip", ".txt", ".hrm", ".rr")
MAX_ENTRIES = 400  # a folder with more shows the first ones (sorted), and says so


@dataclass(frozen=True)
class Entry:
    path: Path
    is_dir: bool

    @property
    def label(self) -> str:
        return f"{self.path.name}/" if self.is_dir else self.path.name


def list_folder(folder: Path) -> tuple[list[Entry], bool]:
    """Folders, then HRV-like files, by name; hidden ones skipped. Returns (entries, is_cut)."""
    entries: list[Entry] = []
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError:
        return [], False
    for p in children:
        if p.name.startswith("."):
            continue
        try:
            is_dir = p.is_dir()
        except OSError:
            continue
        if is_dir or p.suffix.lower() in HRV_SUFFIXES:
            entries.append(Entry(p, is_dir))
    entries.sort(key=lambda e: (not e.is_dir, e.path.name.lower()))
    return entries[:MAX_ENTRIES], len(entries) > MAX_ENTRIES


class HrvImportScene(BaseScene):
    name = "hrv_import"

    def __init__(self, services: SceneServices, start: Path | None = None) -> None:
        super().__init__(services)
        self.root = (start or Path.home()).resolve()
        self.folder = self.root
        self.entries: list[Entry] = []
        self.is_cut = False
        self.focus = 0
        self.rows: dict[int, pygame.Rect] = {}
        self.buttons = ui.Menu([ui.Button("folder", "Import this whole folder"),
                                ui.Button("back", "Back")])
        self.result: Any = None  # game.integrations.HrvImportResult
        self.error: str | None = None
        self.importing: str | None = None  # what is being imported
        self._done: tuple[Any, str | None] | None = None
        self._open(self.folder)

    def _open(self, folder: Path) -> None:
        self.folder = folder
        self.entries, self.is_cut = list_folder(folder)
        parent = folder.parent
        if folder != self.root and parent != folder:
            self.entries.insert(0, Entry(parent, True))
        self.focus = 0

    # -- the import (worker thread) -----------------------------------------------------------
    def start_import(self, path: Path) -> None:
        if self.importing is not None:
            return
        self.importing = path.name or str(path)
        self.result, self.error = None, None
        for b in self.buttons.buttons:
            b.enabled = False

        def work() -> None:
            out: tuple[Any, str | None] = (None, "The import stopped: an internal error (see the log).")
            try:
                out = (import_hrv(self.services.home, [path]), None)
            except (RingsideError, OSError, ValueError) as exc:  # the player reads it; the game goes on
                out = (None, f"The import stopped: {exc}")
            finally:
                self._done = out  # one assignment: the loop thread picks it up (a bug still propagates)

        threading.Thread(target=work, name="hrv-import", daemon=True).start()

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        if self._done is not None:
            self.result, self.error = self._done
            self._done = None
            self.importing = None
            for b in self.buttons.buttons:
                b.enabled = True
            self.services.plan_loader.refresh()  # today's plan and the chart from the new data

    @property
    def is_busy(self) -> bool:
        return self.importing is not None

    # -- input --------------------------------------------------------------------------------
    def handle(self, event: InputEvent) -> None:
        if self.is_busy:
            return
        if event.action == Action.BACK:
            if self.result is not None or self.error is not None:
                self.result = self.error = None
            elif self.folder != self.root:
                self._open(self.folder.parent)
            else:
                self.go(Pop())
            return
        key = self.buttons.handle(event) if event.action in (Action.CLICK, Action.POINT) else None
        if key == "folder":
            self.start_import(self.folder)
            return
        if key == "back":
            self.go(Pop())
            return
        n = len(self.entries)
        if event.action == Action.UP and n:
            self.focus = (self.focus - 1) % n
        elif event.action == Action.DOWN and n:
            self.focus = (self.focus + 1) % n
        elif event.action == Action.SELECT and n:
            self._choose(self.entries[self.focus])
        elif event.action in (Action.CLICK, Action.POINT) and event.pos is not None:
            for i, r in self.rows.items():
                if r.collidepoint(event.pos):
                    self.focus = i
                    if event.action == Action.CLICK:
                        self._choose(self.entries[i])
                    return

    def _choose(self, entry: Entry) -> None:
        if entry.is_dir:
            self._open(entry.path)
        else:
            self.start_import(entry.path)

    # -- drawing ------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        where = _shown_path(self.folder)
        y = self.header(surface, "Import HRV data", f"Choose a file or a folder: {where}")
        area, side = rows.two_columns(surface, y + lay.px(1), split=0.55)
        self._draw_list(surface, area)
        self._draw_side(surface, side)
        self.targets = rows.button_row(surface, self.services, self.buttons, width_px=44,
                                       size_px=3.2, is_focused=lambda i, b: False)
        for i, r in self.rows.items():
            self.targets[f"row{i}"] = r

    def _draw_list(self, surface: pygame.Surface, area: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, area)
        row_h = lay.px(5.2)
        visible = max(1, (area.height - lay.px(2)) // row_h)
        top = max(0, self.focus - visible + 1)  # the focused row stays in view
        self.rows = {}
        if not self.entries:
            ui.paragraph(surface, "No HRV files or folders here (FIT, CSV, XML, ZIP, TXT, HRM).",
                         area.inflate(-lay.px(6), -lay.px(6)), lay.px(3), ui.MUTED)
            return
        for i in range(top, min(len(self.entries), top + visible)):
            e = self.entries[i]
            r = pygame.Rect(area.left + lay.px(1), area.top + lay.px(1) + (i - top) * row_h,
                            area.width - lay.px(2), row_h - lay.px(0.6))
            self.rows[i] = r
            focused = i == self.focus
            if focused:
                ui.panel(surface, r, alpha=235, color=(46, 56, 82), border=ui.ACCENT, radius=6)
            label = "Up one folder" if i == 0 and e.path == self.folder.parent and \
                self.folder != self.root else e.label
            ui.text(surface, label, (r.left + lay.px(2), r.centery), lay.px(3),
                    ui.ACCENT if e.is_dir else ui.INK, anchor="midleft",
                    max_width=r.width - lay.px(4))
        if self.is_cut:
            ui.text(surface, f"Showing the first {MAX_ENTRIES}", (area.right - lay.px(2),
                    area.bottom - lay.px(1)), lay.px(2.4), ui.MUTED, anchor="bottomright")

    def _draw_side(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        inner = rect.inflate(-lay.px(6), -lay.px(6))
        if self.is_busy:
            ui.paragraph(surface, f"Importing {self.importing}... Big exports take a while; "
                         "the game keeps running.", inner, lay.px(3), ui.INK)
            return
        if self.error:
            ui.paragraph(surface, self.error, inner, lay.px(3), ui.ORANGE)
            return
        r = self.result
        if r is None:
            ui.paragraph(surface, "Garmin FIT, Polar HRM or RR text, Elite HRV, Apple Health "
                         "export.zip or CSV, WHOOP, Health Connect and Fitbit files. Choose a "
                         "file to import it, or open a folder and import it whole. Importing a "
                         "file twice adds nothing.", inner, lay.px(2.8), ui.MUTED)
            return

        if not r.files:
            head = "No HRV files in there."
        else:
            head = (f"{plural(r.added, 'new reading')} from {plural(r.files, 'file')}. Back on "
                    "today's workout, the plan and the chart use them.")
        y = ui.paragraph(surface, head, pygame.Rect(inner.left, inner.top, inner.width,
                         lay.px(12)), lay.px(3), ui.GREEN if r.added else ui.INK)
        for line in r.lines[:8]:
            y = ui.paragraph(surface, line, pygame.Rect(inner.left, y + lay.px(1), inner.width,
                             lay.px(8)), lay.px(2.6), ui.ORANGE if "not imported" in line
                             else ui.INK)
            if y > inner.bottom - lay.px(4):
                break


def _shown_path(folder: Path) -> str:
    """The folder as a player reads it: ``~/Downloads/whoop`` under the home folder."""
    try:
        return "~/" + str(folder.relative_to(Path.home())) if folder != Path.home() else "~"
    except ValueError:
        return str(folder)
