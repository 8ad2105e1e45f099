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
from typing import Any

from game.detection import Detector, Event
from game.pose.types import PoseFrame, TrackedPose

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


def _t(event: Event) -> float:
    t = event.to_json().get("t")
    return float(t) if isinstance(t, (int, float)) else 0.0


class PlayerLock:
    """One detector per tracked person until one of them does the mode's movement; then theirs.

    Feed every frame in time order with :meth:`update` (the player's PoseFrame, as
    ``PosePipeline.process`` gives it, and everyone tracked, as ``process_all`` gives them), then
    call :meth:`finish` once. ``player_id`` is the locked person (None until the movement).
    """

    def __init__(self, make_detector: Callable[[], Detector],
                 locks_on: Callable[[Event], bool] = is_movement) -> None:
        self._make = make_detector
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
    def people(self) -> int:
        """How many people have a detector running (1 after the lock)."""
        return len(self._detectors)

    def update(self, frame: PoseFrame, people: Sequence[TrackedPose]) -> list[Event]:
        """The events of this frame that belong to the player (see the module's docstring)."""
        for person in people:
            if person.is_player:
                self.prominent_id = person.person_id
        if self.player_id is None:
            for person in people:
                if person.person_id not in self._detectors:
                    self._detectors[person.person_id] = self._make()
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
