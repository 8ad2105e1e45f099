"""Coach review: replay a recorded session's skeleton (.rsk) with its metrics.

The recording is analysed once on opening with the same detectors the game uses (so the numbers
match what the player saw), then played back with pause, speed and seeking. A timeline marks
every rep (green counted, orange not) or punch.
"""

from __future__ import annotations

import re
import time as _time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.analysis import make_detector
from game.errors import RingsideError
from game.input import Action, InputEvent
from game.loop import Pop
from game.pose.recording import Recording
from game.pose.types import PoseFrame
from game.scenes import ui
from game.scenes.base import BaseScene
from game.wording import without_paths

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

EXERCISES = exercises.NAMES
SPEEDS = (1.0, 0.5, 0.25, 2.0)


def guess_exercise(path: Path, meta: dict[str, Any]) -> str:
    ex = str(meta.get("exercise", ""))
    if ex in EXERCISES:
        return ex
    name = path.stem.lower()
    for key, ex in _FILE_HINTS:
        if key in name:
            return ex
    return exercises.DEFAULT


def _hints(e: exercises.Exercise) -> tuple[str, ...]:
    """What a file name of this exercise contains: its name, or its first word ("push" of
    "Push-up"); the points game's files name a punch."""
    if not e.is_reps:
        return ("jab", "punch", "box")
    return (e.name, e.name.replace("_", ""), e.singular.lower().replace(" ", "-").split("-")[0])


# Rep exercises first (a "squat_box" clip is squats), each exercise's hints in the table's order.
_FILE_HINTS = tuple((hint, e.name) for e in sorted(exercises.EXERCISES, key=lambda e: not e.is_reps)
                    for hint in _hints(e))


@dataclass
class Analysis:
    """A recording and what the detectors made of it (computed once, replayed many times)."""

    path: Path
    exercise: str
    frames: list[PoseFrame]
    events: list[dict[str, Any]] = field(default_factory=list)
    views: list[Any] = field(default_factory=list)  # per frame (rep exercises)
    summary: dict[str, Any] = field(default_factory=dict)
    truncated: bool = False

    @property
    def duration_s(self) -> float:
        if len(self.frames) < 2:
            return 0.0
        return (self.frames[-1].timestamp_ms - self.frames[0].timestamp_ms) / 1000.0

    def index_at(self, t_s: float) -> int:
        t0 = self.frames[0].timestamp_ms
        target = t0 + t_s * 1000.0
        lo, hi = 0, len(self.frames) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.frames[mid].timestamp_ms <= target:
                lo = mid
            else:
                hi = mid - 1
        return lo


def analyse(path: Path, exercise: str | None = None) -> Analysis:
    """Read a recording and run the exercise's detector over it. Raises RingsideError."""
    rec = Recording(path, salvage=True)
    frames = list(rec)
    if not frames:
        raise RingsideError("it holds no frames")
    ex = exercise or guess_exercise(path, rec.header.get("meta") or {})
    det: Any = make_detector(ex)
    events: list[dict[str, Any]] = []
    views: list[Any] = []
    t0 = frames[0].timestamp_ms
    for f in frames:
        for ev in det.update(f):
            events.append(ev.to_json())
        view = getattr(det, "view", None)
        views.append(view() if callable(view) else None)
    for ev in det.finish():
        events.append(ev.to_json())
    out = Analysis(path, ex, frames, events, views, dict(det.summary()), rec.truncated)
    out.summary["t0_s"] = t0 / 1000.0
    return out


def recordings(services: SceneServices) -> list[Path]:
    """Recordings the player can open: their own sessions, then the project's sample ones."""
    found: list[Path] = []
    if services.options.review_file is not None:
        found.append(services.options.review_file)
    own = sorted((services.home / "recordings").glob("*.rsk"), reverse=True)
    found.extend(own[:20])
    cache = Path(__file__).resolve().parents[2] / ".cache" / "recordings"
    if cache.is_dir():
        found.extend(sorted(cache.glob("*.rsk")))
    seen: set[Path] = set()
    return [p for p in found if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def recording_title(path: Path) -> str:
    """How a recording reads on screen: ``Squats, Sat 5 Dec 07:45`` for the player's own
    sessions (named ``YYYYmmdd-HHMMSS_exercise.rsk`` when recorded), ``Sample: squat side deep``
    for others. Never a raw file name."""
    m = re.fullmatch(r"(\d{8}-\d{6})_([a-z_]+)", path.stem)
    if m:
        try:
            when = _time.strptime(m.group(1), "%Y%m%d-%H%M%S")
            stamp = _time.strftime("%a %d %b %H:%M", when)
            return f"{exercises.title(m.group(2))}, {stamp}"
        except ValueError:
            pass
    words = re.sub(r"[_\-.]+", " ", path.stem).strip()
    return f"Sample: {words}" if words else "Recording"


class ReviewScene(BaseScene):
    name = "coach_review"

    def __init__(self, services: SceneServices, path: Path | None = None) -> None:
        super().__init__(services)
        self.files = recordings(services)
        self.menu = ui.Menu([ui.Button(str(p), recording_title(p)) for p in self.files[:9]] or
                            [ui.Button("none", "No recordings yet", enabled=False)])
        self.analysis: Analysis | None = None
        self.error: str | None = None
        self.play_t = 0.0
        self.speed = 1.0
        self.playing = True
        if path is not None:
            self._open(path)

    def _open(self, path: Path, exercise: str | None = None) -> None:
        try:
            self.analysis = analyse(path, exercise)
            self.play_t = 0.0
            self.playing = True
            self.error = None
        except (RingsideError, OSError, ValueError) as err:
            self.analysis = None
            self.error = f"Cannot open {recording_title(path)}: {without_paths(str(err))}"
            self.services.notify(self.error, 6)

    def update(self, dt_s: float) -> None:
        super().update(dt_s)
        a = self.analysis
        if a is not None and self.playing:
            self.play_t += dt_s * self.speed
            if self.play_t > a.duration_s:
                self.play_t = 0.0  # loop, like a coach replaying a set

    def handle(self, event: InputEvent) -> None:
        a = self.analysis
        if a is None:
            if event.action == Action.BACK:
                self.go(Pop())
                return
            key = self.menu.handle(event)
            if key and key != "none":
                self._open(Path(key))
            return
        if event.action == Action.BACK:
            self.analysis = None
        elif event.action == Action.SELECT:
            self.playing = not self.playing
        elif event.action == Action.LEFT:
            self.play_t = max(0.0, self.play_t - 2.0)
        elif event.action == Action.RIGHT:
            self.play_t = min(a.duration_s, self.play_t + 2.0)
        elif event.action == Action.UP:
            self.speed = SPEEDS[(SPEEDS.index(self.speed) + 1) % len(SPEEDS)]
        elif event.action == Action.DOWN:
            i = EXERCISES.index(a.exercise) if a.exercise in EXERCISES else 0
            self._open(a.path, EXERCISES[(i + 1) % len(EXERCISES)])
        elif event.action == Action.CLICK and event.pos is not None:
            bar = self.targets.get("timeline")
            if bar is not None and bar.collidepoint(event.pos):
                self.play_t = a.duration_s * (event.pos[0] - bar.left) / max(bar.width, 1)

    # -- drawing --------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface) -> None:
        ui.background(surface)
        if self.analysis is None:
            self._draw_picker(surface)
        else:
            self._draw_replay(surface, self.analysis)

    def _draw_picker(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        y = self.header(surface, "Coach review", "Pick a recorded session to replay with its "
                        "metrics")
        area = pygame.Rect(lay.px(5), y + lay.px(2), lay.w - lay.px(10), lay.h - y - lay.px(10))
        n = max(1, len(self.menu.buttons))
        item_h = min(lay.px(8), int(area.height / n) - lay.px(1))
        self.menu.rects = self.menu.layout(area, item_h, lay.px(1))
        self.targets = dict(self.menu.rects)
        for i, b in enumerate(self.menu.buttons):
            ui.draw_button(surface, self.menu.rects[b.key], b.label, focused=i == self.menu.focus,
                           enabled=b.enabled, size=min(lay.px(3), int(item_h * 0.45)),
                           hover_progress=self.services.pointer.progress
                           if self.services.pointer.hover_id == b.key else 0.0)
        if not self.files:
            ui.paragraph(surface, "Every session you play with your camera is recorded here as a "
                         "skeleton (never video), ready to replay with its reps or punches.",
                         pygame.Rect(area.left, area.top + lay.px(12), area.width, lay.px(10)),
                         lay.px(2.8), ui.MUTED)
        self.footer_hint(surface, "Enter/click: open   Esc: back")

    def _draw_replay(self, surface: pygame.Surface, a: Analysis) -> None:
        lay = ui.Layout.of(surface)
        i = a.index_at(self.play_t)
        frame = a.frames[i]
        side_w = int(lay.w * 0.34)
        stage = pygame.Rect(lay.px(1), lay.px(12), lay.w - side_w - lay.px(2), lay.h - lay.px(30))
        view = ui.View.fit(stage, frame.image_size if frame.image_size[0] else (640, 480),
                           self.services.settings.mirror)
        ui.draw_camera(surface, view, None, self.image_cache)
        if frame.landmarks_px is not None:
            ui.draw_skeleton(surface, view.points(frame.landmarks_px), frame.landmarks_px[:, 3],
                             width=max(3, lay.px(0.8)))
        ui.text(surface, f"Review: {recording_title(a.path)}", (lay.px(3), lay.px(2)), lay.px(4),
                ui.INK, bold=True, max_width=lay.w - side_w - lay.px(6))
        ui.text(surface, f"{exercises.title(a.exercise)}  ·  {self.speed:g}x  ·  "
                f"{'playing' if self.playing else 'paused'}" +
                ("  ·  truncated file (complete frames shown)" if a.truncated else ""),
                (lay.px(3), lay.px(7.2)), lay.px(2.6), ui.MUTED,
                max_width=lay.w - side_w - lay.px(6))
        self._draw_timeline(surface, a, pygame.Rect(lay.px(3), stage.bottom + lay.px(4),
                                                    stage.width - lay.px(4), lay.px(6)))
        self._draw_metrics(surface, a, i, pygame.Rect(lay.w - side_w, lay.px(1),
                                                      side_w - lay.px(1), lay.h - lay.px(2)))
        self.footer_hint(surface, "Enter: play/pause   Left/Right: -/+2 s   Up: speed   "
                         "Down: analyse as another exercise   Esc: close")

    def _draw_timeline(self, surface: pygame.Surface, a: Analysis, bar: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, bar, alpha=230, color=(40, 48, 70), radius=6)
        dur = max(a.duration_s, 1e-6)
        t0 = a.frames[0].timestamp_ms / 1000.0
        for ev in a.events:
            t = float(ev.get("t", 0)) - (t0 if ev.get("t", 0) > dur + 1 else 0)
            if ev.get("type") == "rep":
                col = ui.GREEN if ev.get("counted") else ui.ORANGE
            elif ev.get("type") == "punch":
                col = ui.LEFT_COLOR if ev.get("hand") == "left" else ui.RIGHT_COLOR
            else:
                continue
            x = bar.left + bar.width * max(0.0, min(1.0, t / dur))
            pygame.draw.line(surface, col, (x, bar.top + 2), (x, bar.bottom - 2), 4)
        x = bar.left + bar.width * min(1.0, self.play_t / dur)
        pygame.draw.line(surface, ui.INK, (x, bar.top - 6), (x, bar.bottom + 6), 3)
        ui.text(surface, f"{self.play_t:5.1f} / {a.duration_s:.1f} s",
                (bar.right, bar.bottom + lay.px(0.8)), lay.px(2.6), ui.MUTED, anchor="topright")
        self.targets = {"timeline": bar}

    def _draw_metrics(self, surface: pygame.Surface, a: Analysis, i: int,
                      rect: pygame.Rect) -> None:
        lay = ui.Layout.of(surface)
        ui.panel(surface, rect)
        pad = lay.px(2.5)
        y = rect.top + pad
        s = a.summary
        ui.text(surface, "Session", (rect.left + pad, y), lay.px(3.2), ui.ACCENT, bold=True)
        y += lay.px(5)
        rows: list[tuple[str, str]] = []
        if a.exercise == exercises.BOXING:
            kinds = s.get("by_kind") or {}
            hands = s.get("by_hand") or {}
            rows += [("Punches", str(s.get("punches", "--"))),
                     ("Jab / cross / hook / upper", " / ".join(str(kinds.get(k, 0)) for k in
                                                               ("jab", "cross", "hook",
                                                                "uppercut"))),
                     ("Left / right", f"{hands.get('left', 0)} / {hands.get('right', 0)}"),
                     ("Mean / peak speed", "--" if s.get("peak_speed_mps") is None else
                      f"{s.get('mean_speed_mps')} / {s.get('peak_speed_mps')} m/s"),
                     ("Stance", str(s.get("stance", "--")))]
        else:
            rows += [("Reps counted", str(s.get("reps", "--"))),
                     ("Attempts", str(s.get("attempts", "--"))),
                     ("Mean form", str(s.get("mean_score", "--"))),
                     ("Speed loss", "--" if s.get("velocity_loss_pct") is None
                      else f"{s['velocity_loss_pct']} %"),
                     ("View", str(s.get("view", "--")))]
        for label, value in rows:
            ui.text(surface, label, (rect.left + pad, y), lay.px(2.5), ui.MUTED)
            ui.text(surface, value, (rect.right - pad, y), lay.px(2.5), ui.INK, anchor="topright")
            y += lay.px(4)
        v = a.views[i] if i < len(a.views) else None
        if v is not None:
            y += lay.px(1)
            ui.text(surface, "At this moment", (rect.left + pad, y), lay.px(3), ui.ACCENT,
                    bold=True)
            y += lay.px(4.5)
            ui.text(surface, f"Count {v.count}   phase {v.phase}", (rect.left + pad, y),
                    lay.px(2.5), ui.INK)
            y += lay.px(4)
            mr = pygame.Rect(rect.left + pad, y, rect.width - 2 * pad, lay.px(3))
            ui.meter(surface, mr, v.rom, target=1.0, color=ui.GREEN if v.is_depth_reached
                     else ui.ACCENT, vertical=False)
            y += lay.px(5)
            if v.cue:
                y = ui.paragraph(surface, v.cue, pygame.Rect(rect.left + pad, y,
                                 rect.width - 2 * pad, lay.px(7)), lay.px(2.6),
                                 ui.ORANGE if v.is_paused else ui.INK)
        y += lay.px(1.5)
        ui.text(surface, "Events", (rect.left + pad, y), lay.px(3), ui.ACCENT, bold=True)
        y += lay.px(4.5)
        t_now = (a.frames[i].timestamp_ms - a.frames[0].timestamp_ms) / 1000.0
        shown = [e for e in a.events if e.get("type") in ("rep", "punch")]
        fit = max(1, int((rect.bottom - pad - y) / lay.px(3.8)))
        done = sum(1 for e in shown if float(e.get("t", 0)) <= t_now + 0.05)
        start = max(0, min(done - fit + 2, len(shown) - fit))  # the latest, and 2 coming up
        for ev in shown[start:start + fit]:
            t = float(ev.get("t", 0))
            past = t <= t_now + 0.05
            if ev.get("type") == "rep":
                label = (f"{t:5.1f}s  rep {ev.get('count')}  score {ev.get('score')}"
                         if ev.get("counted") else
                         f"{t:5.1f}s  not counted: {str(ev.get('reason')).replace('_', ' ')}")
                col = ui.GREEN if ev.get("counted") else ui.ORANGE
            else:
                speed = ev.get("speed_mps")
                label = f"{t:5.1f}s  {ev.get('hand')} {ev.get('kind')}" + (
                    f"  {float(speed):.1f} m/s" if speed is not None else "")
                col = ui.INK
            ui.text(surface, label, (rect.left + pad, y), lay.px(2.6), col if past else ui.MUTED,
                    max_width=rect.width - 2 * pad)
            y += lay.px(3.8)

