"""Adapters from the game to the other parts: the database, today's plan, the leaderboard outbox.

Each function is tolerant: if a part is missing or fails, the game carries on with a clear
message and a sensible default (a default plan; the session still kept in the local history).
Wall-clock time is read here, at the edge, never in the scenes' logic.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game import exercises
from game.errors import RingsideError
from game.net.outbox import Outbox
from game.net.override import latest_coach_override
from game.net.session import submission_for
from game.net.settings import NetSettings, load_settings, save_settings
from game.session_result import SessionResult
from game.wording import day as day_text
from game.wording import number, plural

if TYPE_CHECKING:
    from game.history import History
    from game.storage.journal import JournalState, SessionJournal

# Where a finished session goes. A session is the player's own only when a live camera saw them
# (see :func:`game.scenes.session.source_kind`); scripted runs never post scores.
SAVE_TARGETS = ("history", "database", "outbox")


@dataclass(frozen=True)
class SaveOutcome:
    """What saving a finished session did: its new personal bests and what went wrong."""

    bests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    is_complete: bool = True  # False: the journal is kept and replayed at the next start


def persist_session(home: Path, result: SessionResult, targets: list[str], *,
                    history: History, submit: Callable[[dict[str, Any]], Any] | None = None,
                    journal: SessionJournal | None = None, is_committed: bool = False,
                    on_step: Callable[[str], None] | None = None) -> SaveOutcome:
    """Save a finished session to ``targets`` as one journal replayed until it is complete.

    Steps: the commit line in the session's journal (fsync'd), then each target, then the journal
    is deleted. Every target is idempotent by the session's uid, so the journal of a run killed at
    any step is applied again by :func:`replay_journals` and nothing is stored twice. A target
    that fails for a passing reason (disk full, database locked) keeps the journal for the next
    start; one that refuses the session for good (not a leaderboard session) does not.
    ``is_committed``: the journal already holds the commit line (a replay). ``on_step`` is called
    after each step (tests kill the process there). ``result.uid`` must be set.
    """
    from game.storage.journal import SessionJournal, journal_dir  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

    step = on_step or (lambda _name: None)
    if not result.uid:
        result = replace(result, uid=str(uuid.uuid4()))
    if journal is None:
        journal_dir(home).mkdir(parents=True, exist_ok=True)
        journal = SessionJournal(journal_dir(home) / f"{result.uid}.jsonl")
    try:
        if not is_committed:
            journal.commit(result.to_json(), list(targets))
    except (OSError, ValueError) as exc:
        # Without the journal the writes below are still each atomic; say the safety net is off.
        journal = None
        problems = [f"Could not write the session journal ({exc})."]
    else:
        problems = []
    step("commit")
    bests: list[str] = []
    retry = False
    if "history" in targets:
        try:
            bests = history.add(result, for_leaderboard="outbox" in targets)
        except OSError as exc:
            problems.append(f"Could not save this session to your history ({exc}).")
            retry = True
        step("history")
    if "database" in targets:
        problem, again = save_session_db(home, result)
        if problem:
            problems.append(problem)
            retry = retry or again
        step("database")
    if "outbox" in targets:
        problem, again = queue_submission(home, result, submit)
        if problem:
            problems.append(problem)
            retry = retry or again
        step("outbox")
    if journal is not None:
        if retry:
            journal.close()
            problems.append("It will be saved again when the game next starts.")
        else:
            journal.discard()
    step("done")
    return SaveOutcome(bests, problems, not retry)


def replay_journals(home: Path, history: History) -> tuple[int, list[JournalState], list[str]]:
    """At start-up: finish saving every committed journal (idempotent), and return the
    unfinished ones (sessions a crash interrupted) to offer back. Returns
    ``(replayed, unfinished, problems)``."""
    from game.storage.journal import SessionJournal, pending_journals  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

    replayed = 0
    unfinished: list[JournalState] = []
    problems: list[str] = []
    for state in pending_journals(home):
        if state.is_committed:
            out = persist_session(home, state.result(), state.targets, history=history,
                                  journal=SessionJournal(state.path), is_committed=True)
            replayed += 1
            problems.extend(out.problems)
        elif state.header:
            unfinished.append(state)
        else:  # killed before its first line reached the disk: nothing to offer
            SessionJournal(state.path).discard()
    return replayed, unfinished, problems


def save_session_db(home: Path, result: SessionResult) -> tuple[str | None, bool]:
    """Save a finished session to the local database (idempotent by uid). Returns a problem to
    show (or None) and whether trying again later may help."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 - lazy: as above

    from game.storage import open_database  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start
    from game.storage.session_rows import session_rows  # noqa: PLC0415 - lazy: the same package (SQLAlchemy)
    try:
        rows = session_rows(result)
        db = open_database(home / "ringside.db")
        try:
            with db.transaction() as repo:
                sid = repo.add_session(rows.session)
                if rows.reps:
                    repo.add_reps(sid, list(rows.reps))
                if rows.punches:
                    repo.add_punches(sid, list(rows.punches))
        finally:
            close = getattr(db, "close", None)
            if callable(close):
                close()
    except RingsideError as err:
        return f"Saved to your history, but not to the database yet: {err}", True
    except (SQLAlchemyError, sqlite3.Error, OSError, ValueError, TypeError) as exc:
        # a database refusing the row, or a malformed session: never lose it, it is in history
        return (f"Saved to your history, but not to the database yet ({type(exc).__name__}: "
                f"{exc})", True)
    return None, False


def queue_submission(home: Path, result: SessionResult,
                     submit: Callable[[dict[str, Any]], Any] | None) -> tuple[str | None, bool]:
    """Put a finished session in the leaderboard outbox (idempotent: the submission id is the
    session's uid). ``submit`` is the sync worker's (it also wakes the sender); without one the
    outbox file is written directly. Returns a problem (or None) and whether to retry."""
    if not result.is_ranked:
        return None, False  # a warm-up or a free-scored clip is not a score
    try:
        sub = submission_for(result, challenge=result.challenge)
    except ValueError as exc:
        return f"This session cannot go to the leaderboard ({exc}).", False
    if sub is None:
        return None, False  # nothing to post (no score)
    try:
        if submit is not None:
            submit(sub)
        else:
            with Outbox(home / "outbox.sqlite3") as outbox:
                outbox.enqueue(sub)
    except (RingsideError, sqlite3.Error, OSError) as exc:  # an outbox that cannot be written
        return f"Could not queue this score for the leaderboard yet ({exc}).", True
    return None, False


@dataclass(frozen=True)
class PlanBlock:
    """One part of today's workout, as the workout scene runs it."""

    exercise: str  # a name of game.exercises.NAMES, or "mobility"
    title: str
    detail: str
    sets: int = 1
    reps: int = 0  # per set, for rep blocks
    rounds: int = 0
    round_s: int = 0
    rest_s: int = 0
    minutes: int = 0
    stop_velocity_loss_pct: int | None = None  # end a set early at this much speed loss
    boxing: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TodayPlan:
    title: str
    reason: str
    readiness: str  # "good" | "normal" | "low" | "unknown" (from the HRV part)
    blocks: tuple[PlanBlock, ...]
    source: str  # "hrv" | "default"
    trend: tuple[tuple[str, float | None, float | None, float | None], ...] = ()
    # (day ISO, value, band low, band high) for the HRV chart, ln units
    plan_json: dict[str, Any] = field(default_factory=dict)
    readings: int = 0  # HRV readings stored, however old
    newest_reading: str | None = None  # ISO day of the newest usable reading

    @property
    def readings_too_old(self) -> bool:
        """Readings exist but none is recent enough for today's readiness."""
        return self.readings > 0 and not any(v is not None for _, v, _, _ in self.trend)


# A warm-up that follows the player: easy counted reps of each move, with the rep engine's
# feedback; about 4 reps per move for each minute of the block (a 3-minute warm-up: 12 squats and
# 12 lunges), within 8..30.
WARMUP_MOVES = tuple(e.name for e in exercises.EXERCISES if e.definition is not None and e.definition.is_warmup)
WARMUP_REPS_PER_MIN = 4


def warmup_reps(minutes: int) -> int:
    return max(8, min(30, int(minutes) * WARMUP_REPS_PER_MIN))


def warmup_detail(minutes: int) -> str:
    n = warmup_reps(minutes)
    return ", then ".join(f"{n} easy {exercises.title(m).lower()}" for m in WARMUP_MOVES) + ", each one counted"


DEFAULT_PLAN = TodayPlan(
    title="Today's workout",
    reason="No heart-rate variability data yet, so this is the standard session. Import your "
           "watch or strap's export (Import HRV data, below) and the plan adapts to your recovery.",
    readiness="unknown",
    blocks=(
        PlanBlock("mobility", "Warm-up", warmup_detail(3), minutes=3),
        PlanBlock(exercises.BOXING, exercises.title(exercises.BOXING), "3 rounds of 2 minutes, 45 s rest", rounds=3,
                  round_s=120, rest_s=45),
        PlanBlock(exercises.DEFAULT, exercises.title(exercises.DEFAULT), "3 sets of 10, 90 s rest", sets=3, reps=10,
                  rest_s=90),
    ),
    source="default",
)


def today_plan(home: Path) -> tuple[TodayPlan, str | None]:
    """Today's plan from the recovery part when it has data, else the default; plus a problem."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415 - lazy: as above

    from game.hrv.service import status  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start
    from game.storage import open_database  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start
    try:
        db = open_database(home / "ringside.db")
        try:
            now = datetime.now(timezone.utc)
            st = status(db, today=date.today(), now=now)
        finally:
            close = getattr(db, "close", None)
            if callable(close):
                close()
    except (RingsideError, SQLAlchemyError, sqlite3.Error, OSError, ValueError):
        # a damaged or locked database must not stop the workout
        return DEFAULT_PLAN, ("Could not read your recovery data, so today uses the standard plan; "
                              "use Import HRV data here to read your files again.")
    if not st.measurement_count and not st.plan.is_override:
        return DEFAULT_PLAN, None
    if st.last is None and st.measurement_count:
        # Every reading is older than readiness looks back: the plan must say so, not claim
        # there are none (issue 11).
        newest = newest_reading_day(home)
        when = f" (the newest is from {day_text(newest.isoformat())})" if newest else ""
        return replace(DEFAULT_PLAN, readings=st.measurement_count, readiness="too old",
                       newest_reading=newest.isoformat() if newest else None,
                       reason=f"All {st.measurement_count:,} of your HRV readings are too old "
                              f"for today{when}: readiness uses the last few weeks. This is the "
                              "standard session; import recent data and the plan follows your "
                              "recovery."), None
    p = st.plan
    blocks: list[PlanBlock] = []
    if p.mobility_min:
        blocks.append(PlanBlock("mobility", "Mobility", warmup_detail(p.mobility_min),
                                minutes=p.mobility_min))
    b = p.boxing
    if b.style != "none" and b.rounds > 0:
        style = "steady rhythm" if b.style == "steady" else "intervals"
        blocks.append(PlanBlock(exercises.BOXING, exercises.title(exercises.BOXING),
                                f"{b.rounds} x {b.round_s} s {style} at {b.bpm} bpm, "
                                f"{b.rest_s} s rest", rounds=b.rounds, round_s=b.round_s,
                                rest_s=b.rest_s, boxing=b.to_json()))
    s = p.squats
    if s.sets > 0 and s.reps > 0:
        blocks.append(PlanBlock(exercises.DEFAULT, exercises.title(exercises.DEFAULT),
                                f"{s.sets} sets of {s.reps}, {s.rest_s} s rest;"
                                f" stop a set at {s.stop_velocity_loss_pct} % speed loss",
                                sets=s.sets, reps=s.reps, rest_s=s.rest_s,
                                stop_velocity_loss_pct=s.stop_velocity_loss_pct))
    trend = tuple((d.day.isoformat(), d.value_ln, d.band_low_ln, d.band_high_ln)
                  for d in st.readiness.history[-28:])
    reason = p.reason
    if p.is_override and p.override_by:
        reason = f"Coach {p.override_by} set today's plan. {p.override_note or ''} {reason}".strip()
    return TodayPlan(title=f"Today: {p.intensity} day", reason=reason,
                     readiness=p.readiness_state, blocks=tuple(blocks), source="hrv",
                     trend=trend, plan_json=p.to_json(), readings=st.measurement_count,
                     newest_reading=st.last.start_utc.date().isoformat() if st.last else None), None


def newest_reading_day(home: Path) -> date | None:
    """The day of the newest usable HRV reading stored, however old (None: none)."""
    from game.storage import open_database  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

    db = open_database(home / "ringside.db")
    try:
        with db.transaction() as repo:
            ms = [m for m in repo.measurements(with_beats=False) if m.is_usable]
    finally:
        close = getattr(db, "close", None)
        if callable(close):
            close()
    return max(ms, key=lambda m: m.start_utc).start_utc.date() if ms else None


class PlanLoader:
    """Today's plan, read on a background thread (opening the database and computing readiness
    take seconds on a slow disk). Started when the game starts, so the workout screen never
    waits; :meth:`refresh` after an HRV import."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._result: tuple[TodayPlan, str | None] | None = None
        self._thread: Any = None
        self._generation = 0

    def start(self) -> None:
        if self._thread is None:
            self.refresh()

    def refresh(self) -> None:
        self._generation += 1
        gen = self._generation
        self._result = None

        def load() -> None:
            result = today_plan(self.home)
            if gen == self._generation:  # a newer refresh wins
                self._result = result  # one assignment: the loop thread picks it up

        self._thread = threading.Thread(target=load, name="today-plan", daemon=True)
        self._thread.start()

    @property
    def result(self) -> tuple[TodayPlan, str | None] | None:
        return self._result


@dataclass(frozen=True)
class HrvImportResult:
    """What an in-game HRV import did, in words for the screen."""

    files: int
    added: int
    usable: int
    lines: tuple[str, ...]  # one per file: "garmin.fit: 3 new readings" / why it was refused


def import_hrv(home: Path, paths: list[Path]) -> HrvImportResult:
    """Import HRV files or folders into the local database and refresh readiness (the same as
    ``ringside hrv import``); every refused file says why in one line. Runs on a worker
    thread; raises nothing the player could not read."""
    from game.hrv.service import import_paths, refresh_readiness  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start
    from game.storage import open_database  # noqa: PLC0415 - lazy: SQLAlchemy (0.28 s CPU to import) stays off the window's start

    now = datetime.now(timezone.utc)
    db = open_database(home / "ringside.db")
    try:
        reports = import_paths(db, paths, now=now)
        refresh_readiness(db, today=date.today(), now=now)
    finally:
        close = getattr(db, "close", None)
        if callable(close):
            close()
    lines = []
    for r in reports:
        if r.skipped:
            continue
        if r.error:
            lines.append(f"{r.path.name}: not imported ({r.error})")
        else:
            lines.append(f"{r.path.name}: {plural(r.count, 'reading')} ({number(r.added)} new, "
                         f"{number(r.usable)} usable)")
    return HrvImportResult(len([r for r in reports if not r.skipped]),
                           sum(r.added for r in reports), sum(r.usable for r in reports),
                           tuple(lines))


# -- leaderboard --------------------------------------------------------------------------

class LeaderboardLink:
    """The game's link to the leaderboard: the sync worker (started on first use, stopped at the
    end), the live challenge the player joined, live progress and standings. Owned by the app and
    handed to scenes through their services; every call is safe when the leaderboard is
    unavailable (no server set up, a corrupt ``leaderboard.json``): it does nothing, or returns
    None."""

    def __init__(self, home: Path, *, is_scripted: bool, notify: Callable[..., None],
                 history: History) -> None:
        self.home = home
        self.is_scripted = is_scripted  # scripted runs never post scores
        self._notify = notify
        self._history = history
        self._worker: Any = None
        self.challenge_code: str | None = None  # a live challenge joined from the leaderboard

    def worker(self, *, start: bool = True) -> Any:
        """The sync worker (started now unless ``start`` is False), or None when unavailable."""
        if self._worker is not None or not start:
            return self._worker
        from game.net.sync import start_sync  # noqa: PLC0415 - lazy: websockets (0.1 s CPU to import) only once a leaderboard is used

        try:
            worker = start_sync(folder=self.home)
        except (RingsideError, OSError) as exc:  # a corrupt leaderboard.json, an unusable outbox
            self._notify(f"Leaderboard unavailable: {exc}", 6.0)
            return None
        self._worker = worker
        if not self.is_scripted:
            try:
                requeue_unsent(self._history.sessions, worker, now_s=time.time())
            except (RingsideError, sqlite3.Error, OSError) as exc:  # the history is still safe on disk; try again next start
                self._notify(f"Could not check for unsent scores ({exc}).", 6.0)
        return worker

    def start_if_configured(self) -> None:
        """Start syncing at a session's start when the player has set up a server, so a
        challenge joined with 'ringside sync --join' counts live."""
        if not self.is_scripted and (self.home / "leaderboard.json").exists():
            self.worker()

    def stop(self) -> None:
        """Stop the worker (the game ends, or the server or name changed: the next use starts a
        fresh one)."""
        worker, self._worker = self._worker, None
        if worker is not None:
            try:
                worker.stop(timeout_s=1.0)
            except RuntimeError:  # its thread never started
                pass

    def challenge_for(self, exercise: str) -> str | None:
        """The live challenge a session counts for: joined, running, and of this exercise."""
        st = self.standings()
        # joined in the game, or with 'ringside sync --join' (the worker follows it by itself)
        code = self.challenge_code or (st.code if st is not None else None)
        if st is None or st.code != code or st.state != "running" or st.exercise != exercise:
            return None
        return str(code)

    def report_progress(self, exercise: str, score: float, elapsed_s: float,
                        count: int | None = None) -> None:
        """Send the live score of a session that counts for a running challenge (latest wins)."""
        code = self.challenge_for(exercise)
        worker = self.worker(start=False)
        if code and worker is not None:
            worker.progress(code, float(score), int(elapsed_s * 1000), count)

    def standings(self) -> Any:
        """The live challenge's standings the worker follows, or None."""
        worker = self.worker(start=False)
        return None if worker is None else worker.standings()

    def coach_override(self) -> dict[str, Any] | None:
        """The latest override: live from the sync worker, else the cached copy (never
        blocks)."""
        worker = self.worker(start=False)
        if worker is not None:
            live = worker.override()
            if live:
                return live
        return latest_coach_override(fetch=False, folder=self.home)


# Sessions this recent are checked against the outbox when syncing starts. Shorter than the
# outbox keeps acknowledged submissions (game.net.sync.SENT_KEPT_MS), so a score that was sent is
# still known and never sent again.
REQUEUE_WINDOW_S = 3 * 24 * 3600.0


def requeue_unsent(sessions: list[dict[str, Any]], worker: Any, *, now_s: float) -> int:
    """Queue the recent sessions (history rows) whose leaderboard copy never reached the outbox
    (the game stopped between keeping a session and queueing it); returns how many. A session's
    submission id is its own uid, so one already queued or sent is skipped here, and the server
    ignores a repeat."""
    known = {item.id for item in worker.outbox.items()}
    queued = 0
    for row in sessions:
        if row.get("for_leaderboard") is False:
            continue  # a scripted run's session: never meant for the board
        result = SessionResult.from_json(row)
        if not result.uid or now_s - result.started_s > REQUEUE_WINDOW_S or not result.is_ranked:
            continue  # too old to check, or a warm-up or free-scored clip (never a score)
        try:
            sub = submission_for(result)
        except ValueError:
            continue  # not a leaderboard session (it was refused when it was new too)
        if sub is None or sub["id"] in known:
            continue
        worker.submit(sub)
        known.add(sub["id"])
        queued += 1
    return queued


# -- the coach's override from the leaderboard server ----------------------------------------

def apply_coach_override(plan: TodayPlan, override: dict[str, Any] | None) -> TodayPlan:
    """Today's plan with a server-side coach override applied (pure).

    Understands the protocol's override plan fields: ``rest_day``, ``max_rounds``,
    ``round_length_s``, ``target_reps``, ``volume_pct`` (scales sets and rounds), ``exercises``
    (keeps only those blocks), ``intensity``; the coach's name and note lead the explanation.
    """
    if not override:
        return plan
    p = override.get("plan") or {}
    coach = str(override.get("coach") or "your coach")
    note = str(override.get("note") or "").strip()
    why = f"Coach {coach} changed today's plan" + (f": {note}" if note else ".")
    if p.get("rest_day"):
        blocks = tuple(b for b in plan.blocks if b.exercise == "mobility") or (
            PlanBlock("mobility", "Mobility", warmup_detail(10), minutes=10),)
        return replace(plan, title="Today: rest day (coach)", blocks=blocks,
                       reason=f"{why} Rest day: easy mobility only.", source="coach")
    scale = float(p.get("volume_pct") or 100) / 100.0
    keep = set(p.get("exercises") or [])
    out: list[PlanBlock] = []
    for b in plan.blocks:
        if keep and b.exercise not in keep and b.exercise != "mobility":
            continue
        if b.exercise == exercises.BOXING:
            rounds = max(1, round(b.rounds * scale))
            if isinstance(p.get("max_rounds"), int):
                rounds = min(rounds, int(p["max_rounds"]))
            round_s = int(p.get("round_length_s") or b.round_s)
            b = replace(b, rounds=rounds, round_s=round_s,
                        detail=f"{rounds} x {round_s} s rounds, {b.rest_s} s rest (coach)")
        elif b.exercise in exercises.REP_NAMES:
            sets = max(1, round(b.sets * scale))
            reps = int(p.get("target_reps") or b.reps)
            b = replace(b, sets=sets, reps=reps,
                        detail=f"{sets} sets of {reps}, {b.rest_s} s rest (coach)")
        out.append(b)
    intensity = p.get("intensity")
    title = f"Today: {intensity} day (coach)" if intensity else f"{plan.title} (coach)"
    return replace(plan, title=title, blocks=tuple(out), reason=f"{why} {plan.reason}",
                   source="coach")


# -- boards from the leaderboard server (read on a worker thread) ----------------------------

BOARD_MODES = exercises.NAMES
BOARD_PERIODS = ("daily", "weekly", "all_time")


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str
    score: float
    is_me: bool


@dataclass(frozen=True)
class BoardView:
    """One board as the Leaderboard screen shows it, or why it could not be read."""

    mode: str
    period: str
    group: str | None = None  # group id; None: everyone on the server
    group_name: str | None = None
    period_key: str = ""
    rows: tuple[BoardRow, ...] = ()
    me: tuple[int, float] | None = None  # (rank, score) when outside the rows shown
    groups: tuple[tuple[str, str], ...] = ()  # (id, name) of the player's groups
    problem: str | None = None  # a sentence for the player (offline, refused, ...)


def friendly_net_problem(message: str, server: str) -> str:
    """A network failure as a sentence a player understands: never an exception class name."""
    text = message.lower()
    if "cannot reach" in text or ("connection" in text and "lost" in text) or \
            "did not answer" in text or "timed out" in text:
        return (f"Offline: the leaderboard server ({server}) cannot be reached right now. Your "
                "scores are kept on this computer and sent when it is back. You can change the "
                "server in Settings.")
    if "refused the connection" in text:
        return (f"The leaderboard server ({server}) would not let the game in. Check the server "
                "address in Settings, or ask whoever runs it.")
    return f"The leaderboard server could not show this board: {message.rstrip('.')}."


def fetch_board(home: Path, mode: str, period: str, group: str | None = None, *,
                timeout_s: float = 4.0) -> BoardView:
    """Read one board (and the player's groups) from the server; blocking: call it on a worker
    thread. Never raises: a failure is a :class:`BoardView` with ``problem`` set."""
    from websockets.exceptions import WebSocketException  # noqa: PLC0415 - lazy: as above

    from game.net.client import open_link  # noqa: PLC0415 - lazy: websockets (0.1 s CPU to import) only once a leaderboard is used

    try:
        settings = load_settings(home)
    except RingsideError as err:
        return BoardView(mode, period, group, problem=str(err))

    async def read() -> BoardView:
        link, signed = await open_link(settings, folder=home, timeout_s=timeout_s)
        try:
            groups = tuple((str(g["id"]), str(g["name"])) for g in
                           (await link.request({"type": "group.list"})).get("groups", []))
            msg: dict[str, Any] = {"type": "board.get", "mode": mode, "period": period,
                                   "limit": 10}
            if group:
                msg["group"] = group
            reply = await link.request(msg, timeout_s=timeout_s)
        finally:
            await link.close()
        me_id = signed.player_id
        rows = tuple(BoardRow(int(e["rank"]), str(e["name"]), float(e["score"]),
                              e.get("player") == me_id) for e in reply.get("entries", []))
        me = reply.get("me")
        mine = None
        if isinstance(me, dict) and me.get("rank") is not None and not any(r.is_me for r in rows):
            mine = (int(me["rank"]), float(me["score"]))
        gname = dict(groups).get(group or "")
        return BoardView(mode, period, group, gname, str(reply.get("period_key") or ""), rows,
                         mine, groups)

    try:
        return asyncio.run(read())
    except RingsideError as err:
        return BoardView(mode, period, group,
                         problem=friendly_net_problem(str(err), settings.server))
    except (WebSocketException, OSError, KeyError, TypeError, ValueError) as exc:
        # a protocol surprise (a reply without the fields we read): still a sentence, never a traceback
        return BoardView(mode, period, group,
                         problem=friendly_net_problem(f"{type(exc).__name__}: {exc}",
                                                      settings.server))


def leaderboard_identity(home: Path) -> tuple[str, str]:
    """(player name, server URL) the leaderboard uses; defaults when not set up."""
    try:
        s = load_settings(home)
    except RingsideError:
        s = NetSettings()
    return s.name, s.server


def normalise_server(text: str) -> str:
    """``192.168.1.5`` or ``gym.example:8765`` -> ``ws://192.168.1.5:8765/ws``. Raises
    ValueError with a sentence when it cannot be a server address."""
    t = text.strip()
    if not t:
        raise ValueError("type the server's address, e.g. 192.168.1.20:8765")
    if "://" not in t:
        t = "ws://" + t
    scheme, rest = t.split("://", 1)
    if scheme not in ("ws", "wss") or not rest or any(c.isspace() for c in rest):
        raise ValueError("a server address looks like 192.168.1.20:8765 or wss://gym.example")
    host, _, path = rest.partition("/")
    if not host:
        raise ValueError("a server address needs a host name")
    if ":" not in host and scheme == "ws":
        host += ":8765"
    return f"{scheme}://{host}/{path or 'ws'}"


def set_leaderboard_identity(link: LeaderboardLink, *, name: str | None = None,
                             server: str | None = None) -> None:
    """Save the player's name and/or server for the leaderboard (``leaderboard.json``, the file
    ``ringside sync`` uses) and restart syncing so they apply now. Raises RingsideError."""
    try:
        s = load_settings(link.home)
    except RingsideError:
        s = NetSettings()
    if name is not None:
        s = replace(s, name=name)
    if server is not None:
        s = replace(s, server=server)
    save_settings(s, link.home)
    link.stop()
