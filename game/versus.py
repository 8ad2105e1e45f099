"""Local versus: two players side by side in front of one camera. Pure: frames and time in, events out.

Each player is a tracked person with a stable slot ("left" / "right", given by the pose tracker
when they first appear); each gets their own detector and their own game, so nothing one player
does can score for the other.

- :class:`RepRace`: first to ``target`` counted reps wins (squats by default); when the time limit
  comes first, the most counted reps wins, then the earlier last rep, else a draw.
- :class:`BoxingVersus`: both players box the same seeded target sequence (the same cues on the
  same beats, placed on each one's own body); the higher score wins when the rounds end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from game import exercises
from game.boxing.rules import BoxingRound
from game.moves import MOVES, Camera, SyntheticSession, boxer_frames
from game.pose.types import PoseFrame, TrackedPose
from game.reps import make_rep_detector

Slot = Literal["left", "right"]
SLOTS: tuple[Slot, Slot] = ("left", "right")


class _Events(Protocol):
    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class VersusEvent:
    """Something one player did (``slot``) or the match did (``slot`` None), at ``t_s`` seconds."""

    t_s: float
    kind: str  # "player": a player's own detector/game event; "lead", "finished"
    slot: Slot | None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"type": "versus", "t": round(self.t_s, 3), "kind": self.kind, "slot": self.slot, **self.data}


@dataclass(frozen=True, slots=True)
class VersusResult:
    mode: str
    scores: dict[str, int]  # slot -> counted reps or points
    winner: Slot | None  # None: a draw (or nobody did anything)
    reason: str  # "target", "time", "score", "draw"

    def headline(self, names: dict[str, str] | None = None) -> str:
        names = names or {"left": "Left player", "right": "Right player"}
        if self.winner is None:
            return "It's a draw"
        return f"{names.get(self.winner, self.winner)} wins"

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "scores": dict(self.scores), "winner": self.winner, "reason": self.reason}


def _other(slot: Slot) -> Slot:
    return "right" if slot == "left" else "left"


def nobody(t_ms: float, image_size: tuple[int, int]) -> PoseFrame:
    """A frame in which this player is not seen (their clock and game still run)."""
    return PoseFrame(t_ms, image_size, None, None, -1)


class _Match:
    """What both kinds of match share: a step with whoever is in view."""

    result: VersusResult | None

    def update(self, slot: Slot, frame: PoseFrame) -> list[VersusEvent]:
        raise NotImplementedError

    def step(self, t_ms: float, image_size: tuple[int, int], people: dict[str, PoseFrame]) -> list[VersusEvent]:
        """One camera frame: each player's own frame, or "nobody" for a player out of view."""
        out: list[VersusEvent] = []
        for slot in SLOTS:
            out += self.update(slot, people.get(slot) or nobody(t_ms, image_size))
        return out


class RepRace(_Match):
    """First to ``target`` counted reps of ``exercise``; ``time_limit_s`` ends it otherwise.

    ``make_detector(exercise)`` builds each player's own rep detector (the game's by default).
    """

    def __init__(self, exercise: str = exercises.DEFAULT, *, target: int = 10, time_limit_s: float = 120.0,
                 make_detector: Callable[[str], Any] | None = None) -> None:
        if target < 1:
            raise ValueError("target must be at least 1 rep")
        if make_detector is None:
            make_detector = make_rep_detector
        self.exercise = exercise
        self.target = target
        self.time_limit_s = time_limit_s
        self._detectors = {s: make_detector(exercise) for s in SLOTS}
        self.counts: dict[str, int] = {s: 0 for s in SLOTS}
        self._last_rep_s: dict[str, float] = {}
        self._start_s: float | None = None
        self._t_s = 0.0
        self._leader: Slot | None = None
        self.result: VersusResult | None = None

    @property
    def is_over(self) -> bool:
        return self.result is not None

    def elapsed_s(self) -> float:
        return 0.0 if self._start_s is None else self._t_s - self._start_s

    def update(self, slot: Slot, frame: PoseFrame) -> list[VersusEvent]:
        """Feed one player's frame (frames of both players interleave in time order)."""
        t = frame.timestamp_ms / 1000.0
        if self._start_s is None:
            self._start_s = t
        self._t_s = max(self._t_s, t)
        if self.result is not None:
            return []
        out: list[VersusEvent] = []
        for ev in self._detectors[slot].update(frame):
            data = ev.to_json()
            out.append(VersusEvent(t, "player", slot, data))
            if data.get("type") == "rep" and data.get("counted"):
                self.counts[slot] += 1
                self._last_rep_s[slot] = t
                out += self._check_lead(t)
                if self.counts[slot] >= self.target:
                    out.append(self._finish(t, slot, "target"))
                    return out
        if self.elapsed_s() >= self.time_limit_s:
            out.append(self._finish_on_time(t))
        return out

    def tick(self, t_s: float) -> list[VersusEvent]:
        """Advance the clock without a frame (nobody in view still runs the time limit)."""
        self._t_s = max(self._t_s, t_s)
        if self.result is None and self._start_s is not None and self.elapsed_s() >= self.time_limit_s:
            return [self._finish_on_time(t_s)]
        return []

    def _check_lead(self, t: float) -> list[VersusEvent]:
        a, b = self.counts["left"], self.counts["right"]
        leader: Slot | None = None if a == b else ("left" if a > b else "right")
        if leader is not None and leader != self._leader:
            self._leader = leader
            return [VersusEvent(t, "lead", leader, {"counts": dict(self.counts)})]
        return []

    def _finish_on_time(self, t: float) -> VersusEvent:
        a, b = self.counts["left"], self.counts["right"]
        if a != b:
            return self._finish(t, "left" if a > b else "right", "time")
        if a and self._last_rep_s.get("left") != self._last_rep_s.get("right"):
            # level on reps: whoever got there first wins
            first = min(SLOTS, key=lambda s: self._last_rep_s.get(s, float("inf")))
            return self._finish(t, first, "time")
        return self._finish(t, None, "draw")

    def _finish(self, t: float, winner: Slot | None, reason: str) -> VersusEvent:
        self.result = VersusResult(self.exercise, dict(self.counts), winner, reason)
        return VersusEvent(t, "finished", winner, self.result.to_json())

    def finish(self, t_s: float) -> VersusResult:
        """End now (the players stopped it): the current standing decides."""
        if self.result is None:
            self._finish_on_time(t_s)
        assert self.result is not None
        return self.result


class BoxingVersus(_Match):
    """Both players box the same seeded session; each has their own body calibration and game.

    ``make_round(calibration)`` builds one player's game (the target game's ``BoxingRound`` with
    the shared difficulty, seed and start time by default).
    """

    def __init__(self, calibrations: dict[Slot, Any], *, difficulty: Any = 1, seed: int = 0,
                 start_ms: float | None = None,
                 make_round: Callable[[Any], Any] | None = None) -> None:
        if set(calibrations) != set(SLOTS):
            raise ValueError("both players need a calibration (left and right)")
        if make_round is None:
            def make_round(cal: Any) -> Any:
                return BoxingRound(difficulty, seed, cal, start_ms=start_ms)

        self._rounds = {s: make_round(calibrations[s]) for s in SLOTS}
        self.result: VersusResult | None = None
        self._ended: set[str] = set()

    @property
    def is_over(self) -> bool:
        return self.result is not None

    def game(self, slot: Slot) -> Any:
        """That player's own game (its ``view()`` draws their targets, score and streak)."""
        return self._rounds[slot]

    def scores(self) -> dict[str, int]:
        return {s: int(self._rounds[s].score) for s in SLOTS}

    def update(self, slot: Slot, frame: PoseFrame) -> list[VersusEvent]:
        if self.result is not None:
            return []
        t = frame.timestamp_ms / 1000.0
        out: list[VersusEvent] = []
        for ev in self._rounds[slot].update(frame):
            data = ev.to_json()
            out.append(VersusEvent(t, "player", slot, data))
            if data.get("type") == "game_over":
                self._ended.add(slot)
        if self._ended == set(SLOTS):
            out.append(self._finish(t))
        return out

    def finish(self, t_s: float) -> VersusResult:
        if self.result is None:
            self._finish(t_s)
        assert self.result is not None
        return self.result

    def _finish(self, t: float) -> VersusEvent:
        sc = self.scores()
        a, b = sc["left"], sc["right"]
        winner: Slot | None = None if a == b else ("left" if a > b else "right")
        self.result = VersusResult(exercises.BOXING, sc, winner, "score" if winner else "draw")
        return VersusEvent(t, "finished", winner, self.result.to_json())


def split_by_slot(people: Iterable[tuple[str, PoseFrame]]) -> dict[str, PoseFrame]:
    """{slot: frame} from the tracker's (slot, frame) pairs; a slot seen twice keeps the first."""
    out: dict[str, PoseFrame] = {}
    for slot, frame in people:
        if slot in SLOTS and slot not in out:
            out[slot] = frame
    return out


# -- two generated players (demo mode) ------------------------------------------------------

DEMO_CELL = (640, 480)  # each generated player stands in their own half of a 1280x480 image


def demo_people(exercise: str, *, seed: int = 11,
                orders: dict[str, Callable[[], tuple[Any, ...]]] | None = None,
                fps: float = 30.0) -> Iterator[tuple[TrackedPose, ...]]:
    """Two generated players side by side, endless, for ``ringside play --demo --mode versus``.

    Reps: two synthetic bodies at different tempos (the left one rests 0.6 s between reps, the
    right one 1.1 s and makes one shallow rep that must not count), so a race has a winner.
    Boxing: two generated boxers, each throwing what its own ``orders[slot]()`` asks (the
    versus scene directs them from each player's own targets). Timestamps are shared.
    """
    def looped(session: Any) -> Iterator[PoseFrame]:
        while True:
            yield from session.frames()

    streams: dict[str, Iterator[PoseFrame]] = {}
    if exercise == exercises.BOXING:
        cam = Camera(view="front", px_per_m=MOVES["jab"].px_per_m, image_size=DEMO_CELL)
        books = orders or {}
        for i, slot in enumerate(SLOTS):
            book = books.get(slot, lambda: ())
            streams[slot] = boxer_frames(book, fps=fps, seed=seed + i, camera=cam)
    else:
        tempo = {"left": (0.6, (1.0,) * 12), "right": (1.1, (1.0, 1.0, 0.3) + (1.0,) * 10)}
        for i, slot in enumerate(SLOTS):
            rest_s, depths = tempo[slot]
            streams[slot] = looped(SyntheticSession(exercise=exercise, depths=depths, fps=fps,
                                                    rest_s=rest_s, seed=seed + i))
    size = (DEMO_CELL[0] * 2, DEMO_CELL[1])
    index = 0
    while True:
        t_ms = index * 1000.0 / fps
        group = []
        for pid, slot in enumerate(SLOTS, start=1):
            frame = next(streams[slot])
            lm = frame.landmarks_px
            if lm is not None:
                lm = lm.copy()
                lm[:, 0] += DEMO_CELL[0] * (pid - 1)  # the right player in the right half
            pose = PoseFrame(t_ms, size, lm, frame.world_m, index)
            group.append(TrackedPose(pid, slot, pid == 1, pose))
        yield tuple(group)
        index += 1
