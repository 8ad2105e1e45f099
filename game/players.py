"""Who the player is when more than one person is in view in a single-player mode.

The pose pipeline follows everyone it finds (stable identities, ``TrackedPose``), but a camera
does not know which of two people is training: a partner holds the pads, a parent kneels beside a
child, two people drill a defence. ``PlayerLock`` runs the mode's own detector on every tracked
person and locks the player to **the first person who does the mode's movement** -- a complete
punch in boxing, a counted rep in a rep challenge (:func:`is_movement`) -- and keeps the lock by
identity from then on. Until the lock, the events of the most prominent person (the tracker's
player: the first seen, the larger of two seen together) are passed on, so cues such as
"show your whole body" come from them; the movement that makes the lock is passed on whoever
makes it. Nobody else's events are ever passed on: before the lock another person's events are
dropped, after it their detector is dropped.

Why the movement: it is the one thing the mode itself defines, whatever the camera, room or
drill. Size and "who came first" are properties of where people stand (in the shared partner
drills the tracker's player is the thrower in one and the defender in the other); a person who
does what the mode counts is the person the mode is for. The cost: the detectors run once per
person until the lock (the punch detector takes under 1 ms a frame, docs/BENCHMARKS.md).

Pure: frames and time in, events out; no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from game.detection import Detector, Event
from game.pose.types import PoseFrame, TrackedPose

if TYPE_CHECKING:
    from game.boxing.detector import PunchSource
    from game.boxing.events import PunchEvent

# The event that shows a person doing the mode's movement: its type and the field that must be
# true. A half punch or a shallow rep is an attempt, which a partner also makes (a feint, a
# demonstration), so it does not decide who the player is.
MOVEMENT_FIELDS: dict[str, str] = {"punch": "complete", "rep": "counted"}


def is_movement(event: Event) -> bool:
    """Whether an event is a complete punch or a counted rep (:data:`MOVEMENT_FIELDS`)."""
    data = event.to_json()
    field = MOVEMENT_FIELDS.get(str(data.get("type")))
    return field is not None and data.get(field) is True


def nobody_frame(frame: PoseFrame) -> PoseFrame:
    """``frame`` with nobody in it (same time, index and image): what a person out of view is fed."""
    return PoseFrame(timestamp_ms=frame.timestamp_ms, image_size=frame.image_size,
                     landmarks_px=None, world_m=None, index=frame.index,
                     brightness=frame.brightness, enhanced=frame.enhanced)


def person_frames(frames: Sequence[tuple[PoseFrame, Sequence[TrackedPose]]],
                  person_id: int | None) -> list[PoseFrame]:
    """One person's frames out of everyone's (a nobody frame where they are out of view)."""
    return [next((p.pose for p in people if p.person_id == person_id), nobody_frame(frame))
            for frame, people in frames]


def everyone(frame: PoseFrame, people: Sequence[TrackedPose]) -> tuple[TrackedPose, ...]:
    """Everyone tracked in a frame: ``people`` as the pipeline gave them, or, from a source that
    follows one person (a single-person feed, a recording of one, the demo), that person alone
    (as the player, id 1) when they are in view."""
    if people:
        return tuple(people)
    return (TrackedPose(1, "left", True, frame),) if frame.landmarks_px is not None else ()


def _t(event: Event) -> float:
    t = event.to_json().get("t")
    return float(t) if isinstance(t, (int, float)) else 0.0


class PlayerLock:
    """One detector per tracked person until one of them does the mode's movement; then theirs.

    Feed every frame in time order with :meth:`update` (the player's PoseFrame, as
    ``PosePipeline.process`` gives it, and everyone tracked, as ``process_all`` gives them), then
    call :meth:`finish` once. ``player_id`` is the locked person (None until the movement).
    """

    def __init__(self, make_detector: Callable[[], Detector] | None = None,
                 locks_on: Callable[[Event], bool] = is_movement, *,
                 make_for: Callable[[int], Detector] | None = None) -> None:
        """``make_detector()`` makes each person's detector; or ``make_for(person_id)`` when it
        depends on the person (the live boxing round is calibrated on each one's own guard)."""
        if make_for is None:
            if make_detector is None:
                raise ValueError("PlayerLock needs make_detector or make_for")
            made = make_detector

            def make_for(_person_id: int) -> Detector:
                return made()
        self._make = make_for
        self._locks_on = locks_on
        self._detectors: dict[int, Detector] = {}
        self.player_id: int | None = None
        self.prominent_id: int | None = None

    @property
    def followed_id(self) -> int | None:
        """Whose events are passed on now: the locked player, or before the lock the most
        prominent person (None while nobody has been seen)."""
        return self.player_id if self.player_id is not None else self.prominent_id

    @property
    def followed_detector(self) -> Detector | None:
        """The detector whose events are passed on now (see :attr:`followed_id`)."""
        pid = self.followed_id
        return self._detectors.get(pid) if pid is not None else None

    def followed_pose(self, frame: PoseFrame, people: Sequence[TrackedPose]) -> PoseFrame:
        """The followed person's skeleton in this frame (a nobody frame when out of view)."""
        pid = self.followed_id
        return next((p.pose for p in people if p.person_id == pid), nobody_frame(frame))

    @property
    def people(self) -> int:
        """How many people have a detector running (1 after the lock)."""
        return len(self._detectors)

    def meet(self, people: Sequence[TrackedPose]) -> None:
        """Take note of who is in view (their detectors made, none fed): what :meth:`update`
        does first. A game calls it to show the followed detector before the first frame."""
        for person in people:
            if person.is_player:
                self.prominent_id = person.person_id
        if self.player_id is None:
            for person in people:
                if person.person_id not in self._detectors:
                    self._detectors[person.person_id] = self._make(person.person_id)

    def update(self, frame: PoseFrame, people: Sequence[TrackedPose]) -> list[Event]:
        """The events of this frame that belong to the player (see the module's docstring)."""
        self.meet(people)
        by_id = {p.person_id: p.pose for p in people}
        nobody = nobody_frame(frame)
        events = {pid: list(det.update(by_id.get(pid, nobody)))
                  for pid, det in sorted(self._detectors.items())}
        return self._pass_on(events)

    def finish(self) -> list[Event]:
        """End of stream: the player's pending events (or, without a lock, as in :meth:`update`)."""
        return self._pass_on({pid: list(det.finish()) for pid, det in sorted(self._detectors.items())})

    def summary(self) -> dict[str, Any]:
        """The followed person's detector's summary (``{}`` when nobody was ever seen)."""
        pid = self.followed_id
        det = self._detectors.get(pid) if pid is not None else None
        return dict(det.summary()) if det is not None else {}

    def _pass_on(self, events: dict[int, list[Event]]) -> list[Event]:
        if self.player_id is None:
            # The earliest movement (then the lowest id) decides; the same update's other events
            # of that person come with it.
            moves = [(_t(ev), pid) for pid, evs in events.items() for ev in evs if self._locks_on(ev)]
            if moves:
                self._lock(min(moves)[1])
        pid = self.followed_id
        if pid is None:
            return []
        if self.player_id is None:
            return [ev for ev in events.get(pid, []) if not self._locks_on(ev)]
        return events.get(pid, [])

    def _lock(self, person_id: int) -> None:
        self.player_id = person_id
        self._detectors = {person_id: self._detectors[person_id]}


class PunchTap:
    """A punch detector (``game.boxing.detector.PunchSource``) that also keeps the complete
    punches it gives, for :class:`PersonRound` to show them to the lock."""

    def __init__(self, inner: PunchSource) -> None:
        self.inner = inner
        self.rejected = inner.rejected
        self._complete: list[PunchEvent] = []

    def update(self, frame: PoseFrame) -> list[PunchEvent]:
        punches = self.inner.update(frame)
        self.rejected = self.inner.rejected  # (the same list, unless the detector replaced it)
        self._complete.extend(ev for ev in punches if ev.complete)
        return punches

    def finish(self) -> list[PunchEvent]:
        return self.inner.finish()

    def is_guard_up(self) -> bool:
        return bool(self.inner.is_guard_up())

    def summary(self) -> dict[str, Any]:
        return dict(self.inner.summary())

    def drain(self) -> list[PunchEvent]:
        """The complete punches given since the last drain."""
        out, self._complete = self._complete, []
        return out


class PersonRound:
    """One person's boxing round as a :class:`PlayerLock` detector: the round's game events
    (hits, misses, bells) plus its detector's complete punches (``type`` ``punch``, which lock the
    player whatever the round's phase: a punch in the countdown is the movement too).

    ``rules`` is a ``game.boxing.rules.BoxingRound`` made with ``detector=tap``.
    """

    def __init__(self, rules: Any, tap: PunchTap) -> None:
        self.rules = rules
        self.tap = tap

    def update(self, frame: PoseFrame) -> list[Event]:
        events: list[Event] = list(self.rules.update(frame))
        return events + self.tap.drain()

    def finish(self) -> list[Event]:
        return []  # the round ends on its own clock; the game reads its stats

    def summary(self) -> dict[str, Any]:
        return {"score": int(self.rules.score)}
