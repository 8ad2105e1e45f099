"""Two people in view in a single-player mode: the player is the first who does the mode's
movement, only their events count, and the lock follows the person (by identity), not a place."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from game.feed import ANSWERING_READ_AHEAD, PoseFeed, synthetic_people_opener
from game.moves import Order
from game.pose.types import TrackedPose
from game.scenes.boxing import BoxingScene
from game.versus import DEMO_CELL, demo_people
from tests.game.scenes.conftest import run_steps


def _orders(*times_s: float) -> Callable[[], tuple[Order, ...]]:
    book = tuple(Order(t_ms=t * 1000.0, move="left" if k % 2 else "right")
                 for k, t in enumerate(times_s))
    return lambda: book


def two_boxers(swap_after_s: float | None = None) -> Iterator[tuple[TrackedPose, ...]]:
    """Person 1 (left, the tracker's player: first seen) and person 2 (right) in one stream of
    two generated boxers. Person 2 punches first (1.5 s); person 1 at 3.0 and 4.0 s; person 2
    again at 5.0 and 6.0 s. ``swap_after_s``: from then on the two have changed places (they
    crossed), keeping their identities."""
    people = demo_people("boxing", orders={"left": _orders(3.0, 4.0), "right": _orders(1.5, 5.0, 6.0)})
    for group in people:
        t_ms = group[0].pose.timestamp_ms
        if swap_after_s is not None and t_ms >= swap_after_s * 1000.0:
            moved = []
            for p in group:
                lm = p.pose.landmarks_px
                if lm is not None:
                    lm = lm.copy()
                    lm[:, 0] += DEMO_CELL[0] * (1 if p.person_id == 1 else -1)
                moved.append(replace(p, pose=replace(p.pose, landmarks_px=lm)))
            group = tuple(moved)
        yield group


def _clip_app(make_app: Any, frames: Callable[[], Iterator[tuple[TrackedPose, ...]]]) -> Any:
    """The game with a two-person source played as a clip (restarted at "Go", scored freely)."""
    app = make_app("boxing", demo=None, calibrate=False)

    def open_source(spec: str | None = None, *, demo: str | None = None, people: int = 1) -> None:
        if app.feed is not None:
            app.feed.stop(timeout_s=0.5)
        app.feed = PoseFeed(synthetic_people_opener(frames), label="two boxers",
                            pacing="lockstep", read_ahead=ANSWERING_READ_AHEAD)
        app._feed_t0_ms = app.now_ms
        app.feed.start()

    app.open_source = open_source
    open_source()
    return app


def _play(make_app: Any, swap_after_s: float | None) -> BoxingScene:
    app = _clip_app(make_app, lambda: two_boxers(swap_after_s))
    scene = BoxingScene(app.services, rounds=1)
    app.stack.replace(scene)
    app.stack.apply()
    run_steps(app, 60 * 11, draw_every=60)  # 3 s countdown, then 7 s of the stream and some
    assert scene.clip and scene.state == "active" and scene.rules is not None
    return scene


def _punch_times(scene: BoxingScene) -> list[float]:
    """Stream seconds of the scored punches (the clip's round clock starts 3 s before it)."""
    return [round(h.t_s - 3.0, 1) for h in scene.hits]


def test_the_first_to_punch_plays_and_the_others_punches_never_score(make_app: Any) -> None:
    scene = _play(make_app, swap_after_s=None)
    assert scene.judged_id == 2  # person 1 was the tracker's first choice; person 2 punched first
    times = _punch_times(scene)
    assert times and all(abs(t - 3.0) > 0.3 and abs(t - 4.0) > 0.3 for t in times), times
    assert any(abs(t - 5.0) < 0.4 for t in times), times
    assert scene.lock is not None and scene.lock.people == 1  # the other's round is dropped


def test_the_lock_follows_the_person_when_the_two_change_places(make_app: Any) -> None:
    scene = _play(make_app, swap_after_s=2.5)
    assert scene.judged_id == 2
    times = _punch_times(scene)
    # person 2, now on the left, still scores; person 1, now where person 2 was, never does
    assert any(abs(t - 5.0) < 0.4 for t in times), times
    assert all(abs(t - 3.0) > 0.3 and abs(t - 4.0) > 0.3 for t in times), times


def test_the_judged_person_is_drawn_in_colour_with_a_tag(make_app: Any) -> None:
    scene = _play(make_app, swap_after_s=None)
    app_latest = scene.services.latest
    assert app_latest is not None and len(app_latest.people) == 2
    assert scene.judged_item(app_latest).pose is app_latest.people[1].pose
    scene.update(1 / 60)
    msg = scene.feedback.in_region("cue")
    assert msg is not None and "Judging the person in colour" in msg.text


def two_squatters() -> Iterator[tuple[TrackedPose, ...]]:
    """Person 1 (left, the tracker's first choice) squats shallow, reps that never count; person 2
    (right) squats to depth, a little slower. Side by side in a 1280x480 image."""
    from game.moves import SyntheticSession
    from game.pose.types import PoseFrame

    streams = {1: SyntheticSession(exercise="squat", depths=(0.3,) * 12, rest_s=0.6, seed=3).frames(),
               2: SyntheticSession(exercise="squat", depths=(1.0,) * 12, rest_s=1.1, seed=4).frames()}
    for index in range(10 ** 6):
        group = []
        for pid, frames in streams.items():
            frame = next(frames, None)
            if frame is None:
                return
            lm = frame.landmarks_px
            if lm is not None:
                lm = lm.copy()
                lm[:, 0] += DEMO_CELL[0] * (pid - 1)
            pose = PoseFrame(index * 1000.0 / 30.0, (DEMO_CELL[0] * 2, DEMO_CELL[1]), lm,
                             frame.world_m, index)
            group.append(TrackedPose(pid, "left" if pid == 1 else "right", pid == 1, pose))
        yield tuple(group)


def test_in_a_rep_challenge_the_partners_shallow_reps_never_count_or_cue(make_app: Any) -> None:
    from game.players import person_frames
    from game.reps import make_rep_detector
    from game.reps.events import RepEvent
    from game.scenes.reps import RepScene

    stream = list(two_squatters())
    alone: dict[int, list[Any]] = {}
    for pid in (1, 2):
        det = make_rep_detector("squat")
        frames = person_frames([(g[0].pose, g) for g in stream], pid)
        alone[pid] = [ev for f in frames for ev in det.update(f) if isinstance(ev, RepEvent)]
    assert alone[1] and not any(r.counted for r in alone[1])  # person 1: shallow reps only
    want = [r.t_s for r in alone[2] if r.counted]
    assert len(want) >= 3
    app = _clip_app(make_app, two_squatters)
    scene = RepScene(app.services, "squat")
    app.stack.replace(scene)
    app.stack.apply()
    run_steps(app, 60 * 3 + int(60 * stream[-1][0].pose.timestamp_ms / 1000.0) + 60, draw_every=60)
    assert scene.judged_id == 2
    # every attempt the scene saw is person 2's (none of person 1's shallow ones), and all of
    # person 2's counted reps are counted
    assert [round(r.t_s, 2) for r in scene.reps if r.counted] == [round(t, 2) for t in want]
    assert all(any(abs(r.t_s - u.t_s) < 0.02 for u in alone[2]) for r in scene.reps)
