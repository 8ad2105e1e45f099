"""A finished session, typed and frozen: built once when a session ends, read by everything after.

:class:`SessionResult` holds what a rep challenge or a shadowboxing round measured (the engine's
typed :class:`~game.reps.events.RepEvent` attempts, the punches that landed, the rounds, the
stats) and where it came from. :class:`FinishedSession` adds what saving it did (personal bests,
saved or why not). Each consumer has ONE function from the result:

- the history row: :func:`game.history.history_row`;
- the database rows: :func:`game.storage.session_rows.session_rows`;
- the leaderboard submission: :func:`game.net.session.submission_for`.

On disk (history.json, journals, the CLI's summary) a result is the JSON object
:meth:`SessionResult.to_json` writes; :meth:`SessionResult.from_json` reads it back, and also
reads what earlier versions wrote (missing keys take defaults), so old history files and
journals keep loading. Times are seconds (``t_s``, ``started_s`` epoch seconds, ``active_s``);
the JSON keeps the old names (``t``, ``started``). Pure: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from game.reps.events import Cue, RepEvent
from ringside_protocol import kind_of

#: A session's history group (``mode`` in the saved JSON): which personal bests it keeps
#: (``game.history.BEST_METRICS``) and how the results screen lays it out. Not an exercise's
#: name: every rep exercise is the one group ``rep``. The strings are the ones files written by
#: earlier versions hold, so they stay as they are.
REP_GROUP = "rep"
POINTS_GROUP = "boxing"


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _plain(value: Any) -> Any:
    """A JSON-ready copy: read-only mappings become dicts, tuples lists (recursively)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _float(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value) if math.isfinite(value) else default


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class PunchHit:
    """A punch that scored: on a target, or clean under free scoring (a clip): when (session
    seconds), its points and how it landed."""

    t_s: float
    points: int | None
    grade: str  # "perfect" | "early" | "late"; "clean" with free scoring
    hand: str | None
    kind: str | None  # "jab" | "cross" | "hook" | "uppercut"

    def to_json(self) -> dict[str, Any]:
        return {"t": self.t_s, "hit": True, "points": self.points, "grade": self.grade,
                "hand": self.hand, "kind": self.kind}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> PunchHit:
        points = d.get("points")
        return cls(t_s=_float(d.get("t")),
                   points=points if isinstance(points, int) and not isinstance(points, bool)
                   else None,
                   grade=str(d.get("grade") or ""), hand=_opt_str(d.get("hand")),
                   kind=_opt_str(d.get("kind")))


def rep_to_json(rep: RepEvent) -> dict[str, Any]:
    """A rep attempt as the session's JSON keeps it: the engine's own ``to_json`` (``t`` in
    seconds) plus each cue's kind, so reading it back loses nothing."""
    return dict(rep.to_json(), cue_kinds=[c.kind for c in rep.cues])


def rep_from_json(d: Mapping[str, Any], exercise: str) -> RepEvent:
    """A rep attempt from saved JSON (this version's or an earlier one's: no ``cue_kinds``,
    no ``start``/``bottom``)."""
    texts = list(d.get("cues") or [])
    keys = list(d.get("cue_keys") or [])
    kinds = list(d.get("cue_kinds") or [])
    cues = tuple(Cue(str(keys[i]) if i < len(keys) else "", str(text),
                     "positive" if i < len(kinds) and kinds[i] == "positive" else "corrective")
                 for i, text in enumerate(texts))
    score = d.get("score")
    return RepEvent(
        t_s=_float(d.get("t")), exercise=str(d.get("exercise") or exercise),
        counted=bool(d.get("counted")), reason=_opt_str(d.get("reason")),
        count=int(_float(d.get("count"))), metrics=dict(d.get("metrics") or {}),
        score=None if isinstance(score, bool) or not isinstance(score, (int, float))
        else int(round(score)),
        score_parts=dict(d.get("score_parts") or {}), cues=cues,
        start_s=_float(d.get("start")), bottom_s=_float(d.get("bottom")))


@dataclass(frozen=True)
class SessionResult:
    """What one rep challenge or shadowboxing session did. Built once, when it ends."""

    uid: str
    exercise: str  # a name of game.exercises.NAMES
    # why it ended: "target" | "time" | "source_end" | "player" | "rounds" | "fatigue" | "quit"
    # | "crash"
    ended: str
    started_s: float  # epoch seconds (wall clock, read at the edge)
    active_s: float  # seconds of play, pauses cut out
    stats: Mapping[str, Any] = field(default_factory=dict)  # the results screen's figures
    source: str | None = None  # the source's label ("camera 0", a file name, "demo (<exercise>)")
    source_kind: str | None = None  # "camera" | "video" | "recording" | "demo"
    player: str | None = None
    reps: tuple[RepEvent, ...] = ()  # every attempt, counted or not (rep sessions)
    summary: Mapping[str, Any] = field(default_factory=dict)  # the rep engine's summary
    punches: tuple[PunchHit, ...] = ()  # punches that landed (boxing)
    per_round: tuple[Mapping[str, Any], ...] = ()  # the rules' round figures (boxing)
    difficulty: Mapping[str, Any] | None = None  # with seed and calibration: replays a round
    seed: int | None = None
    calibration: Mapping[str, Any] | None = None
    recording: str | None = None  # the skeleton recording's path, for coach review
    is_warmup: bool = False  # a workout's warm-up: kept, never a best or a leaderboard score
    plan: Mapping[str, Any] | None = None  # today's plan (JSON) when played in a workout
    challenge: str | None = None  # the live challenge it counts for

    def __post_init__(self) -> None:
        # Read-only views: a frozen result is not changed through its mappings either.
        for name in ("stats", "summary"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for name in ("difficulty", "calibration", "plan"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen(value))
        object.__setattr__(self, "per_round", tuple(_frozen(r) for r in self.per_round))

    @property
    def is_ranked(self) -> bool:
        """A score to compare: never a warm-up, nor a clip's free-scored boxing (no targets: its
        points are not the target game's), so neither sets a best or goes to a leaderboard."""
        return not self.is_warmup and self.stats.get("scoring") != "free"

    @property
    def is_points(self) -> bool:
        """A points game (shadowboxing: punches and rounds) rather than counted reps."""
        return kind_of(self.exercise) == "points"

    @property
    def mode(self) -> str:
        """The history group: :data:`POINTS_GROUP` or :data:`REP_GROUP`."""
        return POINTS_GROUP if self.is_points else REP_GROUP

    @property
    def counted_reps(self) -> tuple[RepEvent, ...]:
        return tuple(r for r in self.reps if r.counted)

    def stat(self, key: str, default: Any = None) -> Any:
        return self.stats.get(key, default)

    def to_json(self) -> dict[str, Any]:
        """The JSON object history.json, the journal and the CLI's summary keep."""
        out: dict[str, Any] = {"mode": self.mode, "exercise": self.exercise,
                               "stats": _plain(self.stats)}
        if self.is_points:
            out["per_round"] = _plain(self.per_round)
            out["punches"] = [p.to_json() for p in self.punches]
            out["difficulty"] = _plain(self.difficulty)
            out["seed"] = self.seed
            if self.calibration is not None:
                out["calibration"] = _plain(self.calibration)
        else:
            out["reps"] = [rep_to_json(r) for r in self.reps]
            out["summary"] = _plain(self.summary)
        out.update({"recording": self.recording, "ended": self.ended, "started": self.started_s,
                    "active_s": self.active_s, "uid": self.uid, "source": self.source,
                    "source_kind": self.source_kind, "player": self.player})
        if self.is_warmup:
            out["warmup"] = True
        if self.plan is not None:
            out["plan"] = _plain(self.plan)
        if self.challenge is not None:
            out["challenge"] = self.challenge
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> SessionResult:
        """Read a saved session (this version's :meth:`to_json`, or an earlier version's
        dict: a history row, a journal's commit line or its progress). Missing keys take
        defaults; keys it does not know (``personal_bests``, ``saved``...) are ignored."""
        exercise = str(d.get("exercise") or "")
        reps = tuple(rep_from_json(r, exercise) for r in d.get("reps") or []
                     if isinstance(r, Mapping) and r.get("type", "rep") == "rep")
        punches = tuple(PunchHit.from_json(p) for p in d.get("punches") or []
                        if isinstance(p, Mapping))
        seed = d.get("seed")
        return cls(
            uid=str(d.get("uid") or ""), exercise=exercise, ended=str(d.get("ended") or ""),
            started_s=_float(d.get("started")), active_s=_float(d.get("active_s")),
            stats=_mapping(d.get("stats")), source=_opt_str(d.get("source")),
            source_kind=_opt_str(d.get("source_kind")), player=_opt_str(d.get("player")),
            reps=reps, summary=_mapping(d.get("summary")), punches=punches,
            per_round=tuple(r for r in d.get("per_round") or [] if isinstance(r, Mapping)),
            difficulty=_opt_mapping(d.get("difficulty")),
            seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            calibration=_opt_mapping(d.get("calibration")), recording=_opt_str(d.get("recording")),
            is_warmup=bool(d.get("warmup")), plan=_opt_mapping(d.get("plan")),
            challenge=_opt_str(d.get("challenge")))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _opt_mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


NOT_SAVED_REASONS = ("nobody was seen", "demo", "not yours")


@dataclass(frozen=True)
class FinishedSession:
    """A result and what saving it did: the personal bests it set, whether it was saved and,
    when not, why (``nobody was seen``, ``demo``: a generated player, ``not yours``: a person
    in a video until the player says it is them)."""

    result: SessionResult
    personal_bests: tuple[str, ...] = ()
    is_saved: bool = False
    not_saved: str | None = None
    is_saved_as_mine: bool = False
    is_for_leaderboard: bool | None = None  # None: never offered for saving

    @property
    def can_save_as_mine(self) -> bool:
        """A person in a video or recording may be the player (their own clip): they can say
        so. A generated demo player never is."""
        return self.not_saved == "not yours" and self.result.source_kind in ("video", "recording")

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> FinishedSession:
        """Read :meth:`to_json` back (or a history row: its bests, never saved-as-mine)."""
        not_saved = d.get("not_saved")
        for_board = d.get("for_leaderboard")
        return cls(SessionResult.from_json(d),
                   personal_bests=tuple(str(b) for b in d.get("personal_bests") or []),
                   is_saved=bool(d.get("saved")),
                   not_saved=str(not_saved) if not_saved else None,
                   is_saved_as_mine=bool(d.get("saved_as_mine")),
                   is_for_leaderboard=for_board if isinstance(for_board, bool) else None)

    def to_json(self) -> dict[str, Any]:
        """The result's JSON with the outcome's keys (the CLI's run summary prints it)."""
        out = self.result.to_json()
        out["personal_bests"] = list(self.personal_bests)
        if self.is_for_leaderboard is not None:
            out["for_leaderboard"] = self.is_for_leaderboard
        out["saved"] = self.is_saved
        if self.not_saved is not None:
            out["not_saved"] = self.not_saved
        if self.is_saved_as_mine:
            out["saved_as_mine"] = True
        return out


@dataclass(frozen=True)
class FinishedMatch:
    """A two-player match (never saved, never a best): the run's summary lists it."""

    match: Mapping[str, Any]  # VersusResult.to_json() with the game's name
    is_saved = False

    def to_json(self) -> dict[str, Any]:
        return dict(_plain(self.match), saved=False)


def rep_stats(reps: Sequence[RepEvent], summary: Mapping[str, Any], *, target: int,
              active_s: float) -> dict[str, Any]:
    """The stats of a rep set (the results screen and the personal bests read them)."""
    counted = [r for r in reps if r.counted]
    scores = [r.score for r in counted if r.score is not None]
    return {
        "reps": int(summary.get("reps") or len(counted)),
        "attempts": len(reps),
        "target": target,
        "avg_score": round(sum(scores) / len(scores)) if scores else None,
        "best_score": max(scores) if scores else None,
        "velocity_loss_pct": summary.get("velocity_loss_pct"),
        "duration_s": round(active_s, 1),
    }
