"""Results: stats, per-rep or per-round charts, and personal bests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pygame

from game import exercises
from game.history import BEST_METRICS
from game.input import Action, InputEvent
from game.loop import ClearTo, Replace
from game.scenes import rows, ui
from game.scenes.base import BaseScene
from game.session_result import FinishedSession, SessionResult
from game.wording import number

if TYPE_CHECKING:
    from game.scenes.services import SceneServices

class ResultsScene(BaseScene):
    name = "results"

    def __init__(self, services: SceneServices, sessions: list[FinishedSession], *,
                 title: str | None = None, on_continue: Callable[[], None] | None = None,
                 continue_label: str = "Next block", can_repeat: bool = True) -> None:
        super().__init__(services)
        self.sessions = list(sessions)
        self.page = 0
        self.heading = title
        # In a workout the results of a block come before the next one: "Continue" goes on.
        self.on_continue = on_continue
        self.continue_label = continue_label
        self.can_repeat = can_repeat  # a finished workout is not "gone again" one part at a time
        self.menu = self._menu()

    def _menu(self) -> ui.Menu:
        """Focus on going on (never on "Save as mine": claiming a session is a choice)."""
        buttons = self._buttons()
        keys = [b.key for b in buttons]
        first = next((k for k in ("continue", "again") if k in keys), keys[0])
        return ui.Menu(buttons, focus=keys.index(first))

    def _buttons(self) -> list[ui.Button]:
        if self.on_continue is not None:
            buttons = [ui.Button("continue", self.continue_label), ui.Button("menu", "End workout")]
        else:
            buttons = [ui.Button("again", "Go again")] if self.can_repeat else []
            buttons.append(ui.Button("menu", "Menu"))
        if len(self.sessions) > 1:
            nxt = (self.page + 1) % len(self.sessions)
            buttons.insert(0, ui.Button("next", f"Part {nxt + 1} of {len(self.sessions)}"))
        if self.can_save_as_mine:
            buttons.insert(0, ui.Button("save_mine", "Save as mine"))
        return buttons

    @property
    def can_save_as_mine(self) -> bool:
        return self.session.can_save_as_mine

    @property
    def session(self) -> FinishedSession:
        return self.sessions[self.page]

    def handle(self, event: InputEvent) -> None:
        if event.action == Action.BACK:
            self.go(ClearTo(self.services.scenes.title()))
            return
        key = self.menu.handle(event)
        if key == "save_mine" and self.can_save_as_mine:
            saved = self.services.record_session(self.session.result)
            self.sessions[self.page] = replace(saved, is_saved_as_mine=True)
            self.services.keep_finished(self.sessions[self.page])
            self.services.notify("Saved as yours: in your history and bests.", 3, ui.GREEN)
            self.menu = self._menu()
        elif key == "continue" and self.on_continue is not None:
            self.on_continue()
        elif key == "next":
            self.page = (self.page + 1) % len(self.sessions)
            self.menu = self._menu()
        elif key == "again":
            ex = self.session.result.exercise or exercises.DEFAULT
            self.go(Replace(self.services.scenes.exercise(ex, calibrate=False)))
        elif key == "menu":
            self.go(ClearTo(self.services.scenes.title()))

    def draw(self, surface: pygame.Surface) -> None:
        lay = ui.Layout.of(surface)
        ui.background(surface)
        done = self.session
        s = done.result
        ex = s.exercise
        title = self.heading or "Results"
        part = f"  ({self.page + 1}/{len(self.sessions)})" if len(self.sessions) > 1 else ""
        name = exercises.title(ex)
        if s.is_warmup:
            name = f"Warm-up {name.lower()}"
        y = self.header(surface, f"{title}: {name}{part}", _ended_text(s))
        pad = lay.px(5)
        left = pygame.Rect(pad, y + lay.px(2), int(lay.w * 0.36), lay.h - y - lay.px(20))
        right = pygame.Rect(left.right + lay.px(3), left.top, lay.w - left.right - lay.px(3) - pad,
                            left.height)
        self._draw_stats(surface, left, done)
        if s.is_points:
            self._draw_boxing_chart(surface, right, s)
        else:
            self._draw_rep_chart(surface, right, s)
        self.targets = rows.button_row(surface, self.services, self.menu, bottom_px=14)

    def _draw_stats(self, surface: pygame.Surface, rect: pygame.Rect,
                    done: FinishedSession) -> None:
        ui.panel(surface, rect)
        s = done.result
        stats = s.stats
        rows: list[tuple[str, str]]
        if s.is_points:
            score = stats.get("score", 0)
            big, big_label = number(score), "point" if score == 1 else "points"
            if stats.get("scoring") == "free":  # a clip: no targets, clean punches scored
                rows = [("Scoring", "Free: a clip"),
                        ("Clean punches", f"{number(stats.get('clean_punches', 0))} / "
                                          f"{number(stats.get('punches', 0))}"),
                        ("Best streak", number(stats.get("best_combo", 0))),
                        ("Combinations", number(stats.get("combos_completed", 0))),
                        ("Peak hand speed", _speed(stats.get("peak_speed_mps"),
                                                   self.services.settings.units)),
                        ("Mean hand speed", _speed(stats.get("mean_speed_mps"),
                                                   self.services.settings.units)),
                        ("Time", ui.format_duration(float(stats.get("duration_s") or 0)))]
            else:
                rows = self._target_rows(stats)
        else:
            reps = int(stats.get("reps", 0) or 0)
            target = stats.get("target")
            big = number(reps)
            big_label = ("rep" if reps == 1 else "reps") + (
                f" (target {number(target)})" if target else
                " in the clip" if s.ended == "source_end" else "")
            not_counted = max(0, int(stats.get("attempts", 0)) - int(stats.get("reps", 0)))
            rows = [("Average form", _score(stats.get("avg_score"))),
                    ("Best rep", _score(stats.get("best_score"))),
                    ("Not counted", number(not_counted)),
                    ("Speed loss", _pct(stats.get("velocity_loss_pct"))),
                    ("Time", ui.format_duration(float(stats.get("duration_s") or 0)))]
        self._draw_rows(surface, rect, done, big, big_label, rows)

    def _target_rows(self, stats: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The target game's figures."""
        return [("Hits", f"{number(stats.get('hits', 0))} / {number(stats.get('targets', 0))}"),
                ("Accuracy", _pct(stats.get("accuracy_pct"))),
                ("Best combo", number(stats.get("best_combo", 0))),
                ("Punches", number(stats.get("punches", 0))),
                ("Peak hand speed", _speed(stats.get("peak_speed_mps"),
                                           self.services.settings.units)),
                ("Dodges", number(stats.get("dodges", 0))),
                ("Rounds", number(stats.get("rounds", 0)))]

    def _draw_rows(self, surface: pygame.Surface, rect: pygame.Rect, done: FinishedSession,
                   big: str, big_label: str, rows: list[tuple[str, str]]) -> None:
        lay = ui.Layout.of(surface)
        s = done.result
        pad = lay.px(3)
        x, y = rect.left + pad, rect.top + pad
        r = ui.text(surface, big, (x, y), lay.px(16), ui.ACCENT, bold=True, role="primary")
        ui.text(surface, big_label, (r.right + lay.px(2), r.bottom - lay.px(3)), lay.px(3),
                ui.MUTED, anchor="bottomleft", max_width=rect.right - r.right - lay.px(4))
        y = r.bottom + lay.px(2)
        line = lay.px(5)
        for label, value in rows:
            ui.text(surface, label, (x, y), lay.px(3), ui.MUTED)
            ui.text(surface, value, (rect.right - pad, y), lay.px(3), ui.INK, anchor="topright")
            y += line
        bests = done.personal_bests
        y += lay.px(1)
        note = _not_saved_text(done)
        if note:
            ui.paragraph(surface, note, pygame.Rect(x, y, rect.width - 2 * pad, lay.px(12)),
                         lay.px(2.8), ui.ORANGE)
        elif bests:
            ui.text(surface, "New personal best!", (x, y), lay.px(3.4), ui.GREEN, bold=True)
            ui.paragraph(surface, ", ".join(bests), pygame.Rect(x, y + lay.px(4.5),
                         rect.width - 2 * pad, lay.px(8)), lay.px(2.8), ui.INK)
        else:
            key = s.mode
            prev = self.services.history.bests(key, s.exercise, exclude_uid=s.uid or None)
            if prev:
                labels = {k: lab for k, lab, _ in BEST_METRICS[key]}
                label = "Best so far: " + ", ".join(
                    f"{labels.get(k, k).lower()} {number(v)}" for k, v in list(prev.items())[:3])
                ui.paragraph(surface, label, pygame.Rect(x, y, rect.width - 2 * pad, lay.px(9)),
                             lay.px(2.6), ui.MUTED)
            else:
                ui.text(surface, "First session: this sets your bests", (x, y), lay.px(2.6),
                        ui.MUTED, max_width=rect.width - 2 * pad)

    def _draw_rep_chart(self, surface: pygame.Surface, rect: pygame.Rect,
                        s: SessionResult) -> None:
        lay = ui.Layout.of(surface)
        reps = s.reps
        top = pygame.Rect(rect.left, rect.top, rect.width, int(rect.height * 0.58))
        scores: list[float | None] = [float(r.score or 0) if r.counted else None for r in reps]
        labels, n = [], 0
        for r in reps:  # counted reps are numbered; a refused attempt gets its cross only
            n += 1 if r.counted else 0
            labels.append(str(n) if r.counted else "")
        ui.bar_chart(surface, top, scores, labels=labels, max_value=100,
                     color_of=ui.score_color, title="Form score per attempt (x = not counted)",
                     size=lay.px(2.8), label_size=lay.px(2.6))
        bottom = pygame.Rect(rect.left, top.bottom + lay.px(2), rect.width,
                             rect.height - top.height - lay.px(2))
        vel = [float(r.metrics.get("peak_velocity_mps") or r.metrics.get("mean_velocity_mps")
                     or 0) for r in reps if r.counted]
        if any(vel):
            ui.bar_chart(surface, bottom, vel, labels=[str(i + 1) for i in range(len(vel))],
                         title="Lifting speed per rep (m/s): a drop means fatigue",
                         size=lay.px(2.8), label_size=lay.px(2.6),
                         color_of=lambda v: ui.BLUE, value_fmt="{:.2f}")
        else:
            ui.panel(surface, bottom)
            reasons = [str(r.reason).replace("_", " ") for r in reps if not r.counted]
            msg = ("Not counted: " + ", ".join(reasons)) if reasons else (
                "Every attempt counted." if reps else "No attempts were seen.")
            ui.paragraph(surface, msg, bottom.inflate(-lay.px(6), -lay.px(6)), lay.px(2.8))

    def _draw_boxing_chart(self, surface: pygame.Surface, rect: pygame.Rect,
                           s: SessionResult) -> None:
        lay = ui.Layout.of(surface)
        if s.stats.get("scoring") == "free":
            self._draw_free_chart(surface, rect, s)
            return
        rounds = s.per_round
        top = pygame.Rect(rect.left, rect.top, rect.width, int(rect.height * 0.55))
        ui.bar_chart(surface, top, [float(r.get("score", 0)) for r in rounds],
                     labels=[f"R{i + 1}" for i in range(len(rounds))], title="Points per round",
                     value_fmt="{:,.0f}",
                     size=lay.px(2.8), label_size=lay.px(2.6))
        bottom = pygame.Rect(rect.left, top.bottom + lay.px(2), rect.width,
                             rect.height - top.height - lay.px(2))
        ui.bar_chart(surface, bottom, [float(r.get("accuracy_pct") or 0) for r in rounds],
                     labels=[f"R{i + 1}" for i in range(len(rounds))], max_value=100,
                     title="Accuracy per round (%)", size=lay.px(2.8), label_size=lay.px(2.6),
                     color_of=ui.score_color)


    def _draw_free_chart(self, surface: pygame.Surface, rect: pygame.Rect,
                         s: SessionResult) -> None:
        """Free scoring (a clip): the points of every clean punch, and what free scoring is."""
        lay = ui.Layout.of(surface)
        top = pygame.Rect(rect.left, rect.top, rect.width, int(rect.height * 0.62))
        hits = s.punches[-12:]  # the last dozen fit at a readable size
        ui.bar_chart(surface, top, [float(h.points or 0) for h in hits],
                     labels=[LABELS.get(str(h.kind), "?") for h in hits],
                     title="Points per clean punch", value_fmt="{:,.0f}",
                     size=lay.px(2.8), label_size=lay.px(2.6))
        bottom = pygame.Rect(rect.left, top.bottom + lay.px(2), rect.width,
                             rect.height - top.height - lay.px(2))
        ui.panel(surface, bottom)
        ui.paragraph(surface, FREE_SCORING_NOTE, bottom.inflate(-lay.px(6), -lay.px(5)),
                     lay.px(2.8), ui.INK)


# Punch kinds as the free-scoring chart names them (short: a dozen bars share the width).
LABELS = {"jab": "Jab", "cross": "Cross", "hook": "Hook", "uppercut": "Upper"}
FREE_SCORING_NOTE = ("Free scoring: the boxer in a clip cannot follow targets, so there were "
                     "none. Every clean punch scored: complete, from a guard, not flailing; "
                     "more for hand speed, a streak and combinations.")


def _not_saved_text(done: FinishedSession) -> str | None:
    """Why a session is not in the history, bests or leaderboard (None: it is)."""
    why = done.not_saved
    if not why:
        return None
    if why == "demo":
        return "Demo player: this session is not yours, so it is not saved."
    if why == "not yours":
        what = "a recording" if done.result.source_kind == "recording" else "a video"
        return f"Someone in {what}: not saved as yours. If it is you, choose Save as mine."
    return "Nobody was seen, so this session was not saved."


def _ended_text(s: SessionResult) -> str:
    return {
        "target": "Target reached. Great work!",
        "time": "Time is up.",
        "source_end": "The video finished." if s.source_kind == "video"
        else "The recording finished.",
        "player": "Session ended early.",
        "quit": "Saved when the game was closed.",
        "crash": "Kept from before the game stopped.",
        "fatigue": "Set ended at the planned speed loss: more reps would only add fatigue.",
        "rounds": "All rounds done. Great work!",
    }.get(s.ended, "")


def _pct(v: Any) -> str:
    return "--" if v is None else f"{float(v):.0f} %"


def _score(v: Any) -> str:
    return "--" if v is None else f"{float(v):.0f} / 100"


def _speed(v: Any, units: str) -> str:
    if v is None:
        return "--"
    if units == "imperial":
        return f"{float(v) * 2.23694:.1f} mph"
    return f"{float(v):.1f} m/s"
