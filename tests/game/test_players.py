"""PlayerLock: the player is whoever does the mode's movement first; nobody else adds events."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.analysis import make_detector
from game.boxing.events import PunchEvent
from game.moves import Order, boxer_frames
from game.players import PersonRound, PlayerLock, PunchTap, everyone, is_movement
from game.pose.recording import Recording
from game.pose.types import NUM_LANDMARKS, PoseFrame, TrackedPose


@dataclass(frozen=True)
class Ev:
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.data


class Scripted:
    """A detector that reads its events off the skeleton's x (its owner's script) at given frames:
    ``script[frame index]`` is the list of events; it records what it was fed."""

    def __init__(self, scripts: dict[float, dict[int, list[dict[str, Any]]]]) -> None:
        self.scripts = scripts
        self.fed: list[float | None] = []
        self.finished = False

    def update(self, frame: PoseFrame) -> Sequence[Ev]:
        if frame.landmarks_px is None:
            self.fed.append(None)
            return []
        owner = float(frame.landmarks_px[0, 0])
        self.fed.append(owner)
        return [Ev(d) for d in self.scripts.get(owner, {}).get(frame.index, [])]

    def finish(self) -> Sequence[Ev]:
        self.finished = True
        return []

    def summary(self) -> dict[str, Any]:
        return {"fed": len(self.fed)}


def pose(owner: float, i: int) -> PoseFrame:
    px = np.zeros((NUM_LANDMARKS, 4))
    px[:, 0] = owner
    px[:, 3] = 1.0
    return PoseFrame(timestamp_ms=i * 33.0, image_size=(640, 480), landmarks_px=px, index=i)


def status(t: float, who: str) -> dict[str, Any]:
    return {"type": "status", "t": t, "who": who}


def punch(t: float, who: str, complete: bool = True) -> dict[str, Any]:
    return {"type": "punch", "t": t, "who": who, "complete": complete}


def run(lock: PlayerLock, frames: int, present: dict[int, tuple[float, bool]]) -> list[dict[str, Any]]:
    """Feed ``frames`` frames with people {person_id: (owner x, is the tracker's player)}."""
    out: list[dict[str, Any]] = []
    for i in range(frames):
        people = tuple(TrackedPose(pid, "left" if pid == 1 else "right", is_player, pose(x, i))
                       for pid, (x, is_player) in sorted(present.items()))
        player = next((p.pose for p in people if p.is_player), pose(0.0, i))
        out.extend(ev.to_json() for ev in lock.update(player, people))
    out.extend(ev.to_json() for ev in lock.finish())
    return out


def test_the_first_person_to_punch_is_the_player_and_the_other_never_adds_events() -> None:
    # Person 1 (x=100) is the tracker's player and only gives cues and a half punch; person 2
    # (x=400) throws the first complete punch at frame 5, then both go on.
    scripts = {
        100.0: {1: [status(0.03, "a")], 3: [punch(0.1, "a", complete=False)], 8: [punch(0.26, "a")],
                9: [status(0.3, "a")]},
        400.0: {2: [status(0.06, "b")], 5: [status(0.16, "b"), punch(0.16, "b")], 7: [punch(0.23, "b")]},
    }
    made: list[Scripted] = []

    def make() -> Scripted:
        made.append(Scripted(scripts))
        return made[-1]

    lock = PlayerLock(make)
    got = run(lock, 10, {1: (100.0, True), 2: (400.0, False)})
    # Before the lock: person 1's events (the most prominent); the lock: person 2's punch and the
    # rest of that frame; after it: person 2 only.
    assert [(e["type"], e["who"]) for e in got] == [
        ("status", "a"), ("punch", "a"), ("status", "b"), ("punch", "b"), ("punch", "b")]
    assert lock.player_id == 2 and lock.prominent_id == 1 and lock.people == 1
    assert len(made) == 2 and made[1].finished and not made[0].finished


def test_with_nobody_moving_the_prominent_person_gives_the_cues_and_half_punches() -> None:
    scripts = {100.0: {2: [punch(0.06, "a", complete=False)]}, 400.0: {4: [status(0.13, "b")]}}
    lock = PlayerLock(lambda: Scripted(scripts))
    got = run(lock, 6, {1: (100.0, False), 2: (400.0, True)})
    assert [(e["type"], e["who"]) for e in got] == [("status", "b")]
    assert lock.player_id is None and lock.followed_id == 2 and lock.people == 2


def test_simultaneous_movements_go_to_the_earlier_punch() -> None:
    scripts = {100.0: {4: [punch(0.12, "a")]}, 400.0: {4: [punch(0.10, "b")]}}
    lock = PlayerLock(lambda: Scripted(scripts))
    got = run(lock, 6, {1: (100.0, True), 2: (400.0, False)})
    assert [e["who"] for e in got] == ["b"] and lock.player_id == 2


def test_a_person_out_of_view_is_fed_nobody_frames() -> None:
    made: list[Scripted] = []

    def make() -> Scripted:
        made.append(Scripted({}))
        return made[-1]

    lock = PlayerLock(make)
    run(lock, 2, {1: (100.0, True), 2: (400.0, False)})
    run(lock, 2, {1: (100.0, True)})
    assert made[1].fed == [400.0, 400.0, None, None]


def test_is_movement_is_a_complete_punch_or_a_counted_rep() -> None:
    assert is_movement(Ev(punch(0.1, "a")))
    assert not is_movement(Ev(punch(0.1, "a", complete=False)))
    assert is_movement(Ev({"type": "rep", "t": 1.0, "counted": True}))
    assert not is_movement(Ev({"type": "rep", "t": 1.0, "counted": False}))
    assert not is_movement(Ev(status(0.1, "a")))


def test_one_person_gives_exactly_what_their_detector_gives() -> None:
    # The real punch detector over a generated boxer, through the lock and on its own.
    orders = tuple(Order(t_ms=600.0 + 700.0 * k, move="left" if k % 2 else "right") for k in range(5))
    frames = list(itertools.islice(boxer_frames(lambda: orders), 150))
    alone = make_detector("boxing")
    want = [ev.to_json() for f in frames for ev in alone.update(f)] + [e.to_json() for e in alone.finish()]
    lock = PlayerLock(lambda: make_detector("boxing"))
    got = [ev.to_json() for f in frames
           for ev in lock.update(f, (TrackedPose(1, "left", True, f),) if f.has_person else ())]
    got += [e.to_json() for e in lock.finish()]
    assert any(e["type"] == "punch" and e["complete"] for e in want)
    assert got == want


CACHE = Path(__file__).resolve().parents[2] / ".cache" / "eval"


@pytest.mark.parametrize("stem", ["punch_two_people_duck_drill", "punch_two_people_slip_drill"])
def test_the_partner_drills_judge_the_thrower(stem: str) -> None:
    """The shared partner drills (labelled: the hooded partner on the left throws one straight,
    the man on the right ducks or slips it): the player is the thrower, whichever of the two the
    tracker took first, and the punch found is his straight."""
    from game.pose.pipeline import PIPELINE_VERSION  # noqa: PLC0415

    path = CACHE / f"pipeline-{PIPELINE_VERSION}" / f"{stem}.rsk"
    if not path.is_file():
        pytest.skip(f"no cached skeletons at {path} (run 'ringside eval --only {stem}')")
    lock = PlayerLock(lambda: make_detector("boxing"))
    events = []
    slots = {}
    for pf, people in Recording(path).people():
        slots.update({p.person_id: p.slot for p in people})
        events += [ev.to_json() for ev in lock.update(pf, people)]
    events += [ev.to_json() for ev in lock.finish()]
    done = [e for e in events if e["type"] == "punch" and e["complete"]]
    assert lock.player_id is not None and slots[lock.player_id] == "left"
    assert len(done) == 1 and done[0]["kind"] in ("jab", "cross")
    assert 0.6 <= done[0]["t"] <= 1.7  # the arm is out 0.8-1.1 s (duck) / held 0.8-1.7 s (slip)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29), st.sampled_from([100.0, 400.0]),
                          st.sampled_from(["status", "half", "punch"])), max_size=12),
       st.booleans())
def test_whatever_the_events_nobody_but_the_player_is_passed_on(
        script: list[tuple[int, float, str]], first_is_prominent: bool) -> None:
    # Events at random frames from two people; the invariants of the lock hold for any of them.
    scripts: dict[float, dict[int, list[dict[str, Any]]]] = {}
    for frame, owner, kind in script:
        t = frame / 30.0
        ev = status(t, str(owner)) if kind == "status" else punch(t, str(owner), kind == "punch")
        scripts.setdefault(owner, {}).setdefault(frame, []).append(ev)
    lock = PlayerLock(lambda: Scripted(scripts))
    got = run(lock, 30, {1: (100.0, first_is_prominent), 2: (400.0, not first_is_prominent)})
    prominent = "100.0" if first_is_prominent else "400.0"
    moves = sorted((f, o) for f, o, k in script if k == "punch")
    if not moves:
        assert lock.player_id is None
        assert all(e["who"] == prominent and not is_movement(Ev(e)) for e in got)
        return
    # The first frame with a complete punch decides; its earliest (then lowest-id) thrower wins.
    locker = str(moves[0][1])
    assert lock.player_id == (1 if locker == "100.0" else 2)
    first = next(i for i, e in enumerate(got) if is_movement(Ev(e)))
    assert got[first]["who"] == locker
    # Before it: the prominent person's cues, or the locker's own events of the locking frame.
    assert all(not is_movement(Ev(e)) and (e["who"] == prominent or (
        e["who"] == locker and e["t"] == got[first]["t"])) for e in got[:first])
    assert all(e["who"] == locker for e in got[first:])


def test_make_for_gets_each_persons_id_and_meet_makes_detectors_without_feeding_them() -> None:
    made: dict[int, Scripted] = {}

    def make_for(person_id: int) -> Scripted:
        made[person_id] = Scripted({})
        return made[person_id]

    lock = PlayerLock(make_for=make_for)
    people = (TrackedPose(3, "left", False, pose(100.0, 0)), TrackedPose(7, "right", True, pose(400.0, 0)))
    lock.meet(people)
    assert sorted(made) == [3, 7] and all(d.fed == [] for d in made.values())
    assert lock.followed_id == 7 and lock.followed_detector is made[7]
    assert lock.followed_pose(pose(0.0, 0), people) is people[1].pose
    assert lock.followed_pose(pose(0.0, 0), people[:1]).landmarks_px is None  # out of view
    with pytest.raises(ValueError):
        PlayerLock()


def test_everyone_is_the_one_person_of_a_single_person_source() -> None:
    f = pose(100.0, 0)
    assert everyone(f, ()) == (TrackedPose(1, "left", True, f),)
    nobody = PoseFrame(timestamp_ms=0.0, image_size=(640, 480), landmarks_px=None)
    assert everyone(nobody, ()) == ()
    two = (TrackedPose(1, "left", True, f), TrackedPose(2, "right", False, pose(400.0, 0)))
    assert everyone(f, two) == two


def test_a_persons_boxing_round_shows_the_lock_its_complete_punches() -> None:
    # The live game's per-person detector: a BoxingRound on a tapped punch detector. Its game
    # events come with the detector's complete punches, so the lock sees the movement whatever
    # the round's phase (these punches come in the round's countdown, which scores nothing).
    from game.boxing import make_punch_detector
    from game.boxing.rules import BodyCalibration, BoxingRound

    orders = tuple(Order(t_ms=600.0 + 700.0 * k, move="left" if k % 2 else "right") for k in range(3))
    frames = list(itertools.islice(boxer_frames(lambda: orders), 90))
    alone = make_detector("boxing")
    want = [e.to_json() for f in frames for e in alone.update(f) if isinstance(e, PunchEvent) and e.complete]
    cal = BodyCalibration.from_frames(frames[:10])
    tap = PunchTap(make_punch_detector(orthodox=cal.orthodox))
    person = PersonRound(BoxingRound(2, 1, cal, detector=tap, start_ms=0.0), tap)
    got = [e.to_json() for f in frames for e in person.update(f)]
    punches = [e for e in got if e["type"] == "punch"]
    assert want and [p["t"] for p in punches] == [p["t"] for p in want]
    assert all(is_movement(Ev(p)) for p in punches)
    assert person.rules.score == 0  # the countdown: nothing scores yet

