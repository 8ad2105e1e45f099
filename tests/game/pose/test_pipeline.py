"""The pipeline around a fake backend: odd frames never crash it and never reach the model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from game.pose.pipeline import PipelineOptions, PosePipeline, holds_two_people
from game.pose.types import NUM_LANDMARKS, Frame


class FakeBackend:
    """Always finds the same person (all landmarks visible) and counts its calls."""

    name = "fake"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> tuple[np.ndarray, np.ndarray]:
        self.calls += 1
        px = np.column_stack([np.linspace(10, 50, NUM_LANDMARKS), np.linspace(20, 90, NUM_LANDMARKS),
                              np.zeros(NUM_LANDMARKS), np.ones(NUM_LANDMARKS)])
        return px, np.zeros((NUM_LANDMARKS, 3))

    def close(self) -> None:
        pass


def test_empty_image_is_nobody_in_view_not_a_crash() -> None:
    backend = FakeBackend()
    pipe = PosePipeline(PipelineOptions(), backend=backend)
    for shape in [(0, 0, 3), (0, 640, 3), (480, 0, 3)]:
        pf = pipe.process(Frame(image_bgr=np.zeros(shape, np.uint8), timestamp_ms=0.0, index=0))
        assert not pf.has_person
    assert backend.calls == 0
    # and the pipeline carries on with real frames afterwards
    pf = pipe.process(Frame(image_bgr=np.full((48, 64, 3), 120, np.uint8), timestamp_ms=33.0, index=1))
    assert pf.has_person and backend.calls == 1


def test_time_going_backwards_restarts_smoothing_instead_of_extrapolating() -> None:
    pipe = PosePipeline(PipelineOptions(), backend=FakeBackend())
    img = np.full((48, 64, 3), 120, np.uint8)
    for i, t in enumerate([0.0, 33.0, 66.0, 40.0, 40.0, 73.0]):
        pf = pipe.process(Frame(image_bgr=img, timestamp_ms=t, index=i))
        assert pf.landmarks_px is not None and np.isfinite(pf.landmarks_px).all()


def skeleton(x: float, torso_px: float = 80.0) -> np.ndarray:
    """A crude upright skeleton (33, 4) centred at x, torso of the given length."""
    rng = np.random.default_rng(int(x))
    pts = np.column_stack([np.full(NUM_LANDMARKS, x) + rng.normal(0, torso_px * 0.3, NUM_LANDMARKS),
                           np.linspace(100, 100 + 2.5 * torso_px, NUM_LANDMARKS)])
    pts[11], pts[12], pts[23], pts[24] = (x + 15, 150), (x - 15, 150), (x + 10, 150 + torso_px), (x - 10, 150 + torso_px)
    return np.column_stack([pts, np.zeros(NUM_LANDMARKS), np.ones(NUM_LANDMARKS)])


class TwoPeopleBackend:
    """Reports the people of a script frame by frame, in the order given (no identity kept)."""

    name = "fake-two"

    def __init__(self, script: list[list[float]]) -> None:
        self.script = script
        self.i = 0

    def detect_all(self, image_bgr: np.ndarray, timestamp_ms: float) -> list[tuple[np.ndarray, np.ndarray]]:
        xs = self.script[self.i]
        self.i += 1
        return [(skeleton(x), np.zeros((NUM_LANDMARKS, 3))) for x in xs]

    def detect(self, image_bgr: np.ndarray, timestamp_ms: float) -> tuple[np.ndarray | None, np.ndarray | None]:
        raise AssertionError("the pipeline asks a multi-person backend for everyone")

    def close(self) -> None:
        pass


def test_process_all_gives_stable_identities_and_process_follows_the_player() -> None:
    # The player (x=200) starts alone; a second person (x=450) joins; the backend reports them in
    # either order; then the player leaves and only the other one is in view.
    script = [[200.0]] * 3 + [[200.0, 450.0], [450.0, 200.0]] * 3 + [[450.0]] * 3
    img = np.full((480, 640, 3), 120, np.uint8)
    pipe = PosePipeline(PipelineOptions(max_people=2), backend=TwoPeopleBackend(script))
    player_x: list[int | None] = []
    ids_by_x: dict[int, set[tuple[int, str, bool]]] = {}
    for i in range(len(script)):
        frame = Frame(image_bgr=img, timestamp_ms=i * 33.0, index=i)
        people = pipe.process_all(frame)
        assert [p.person_id for p in people] == sorted(p.person_id for p in people)
        for p in people:
            assert p.pose.landmarks_px is not None
            x = round(float(p.pose.landmarks_px[[11, 12], 0].mean()) / 50) * 50
            ids_by_x.setdefault(x, set()).add((p.person_id, p.slot, p.is_player))
    assert ids_by_x == {200: {(1, "left", True)}, 450: {(2, "right", False)}}
    # process() on a fresh pipeline over the same script: the player's pose, or nobody.
    pipe = PosePipeline(PipelineOptions(max_people=2), backend=TwoPeopleBackend(script))
    for i in range(len(script)):
        pf = pipe.process(Frame(image_bgr=img, timestamp_ms=i * 33.0, index=i))
        player_x.append(None if pf.landmarks_px is None else round(float(pf.landmarks_px[[11, 12], 0].mean())))
    assert player_x == [200] * 9 + [None] * 3


def test_smoothing_is_per_person() -> None:
    # Two people far apart, reported in alternating order: each one's smoothed skeleton stays
    # on them (a shared filter would pull both toward the middle).
    script = [[150.0, 500.0], [500.0, 150.0]] * 5
    img = np.full((480, 640, 3), 120, np.uint8)
    pipe = PosePipeline(PipelineOptions(max_people=2), backend=TwoPeopleBackend(script))
    for i in range(len(script)):
        people = pipe.process_all(Frame(image_bgr=img, timestamp_ms=i * 33.0, index=i))
    skeletons = [p.pose.landmarks_px for p in people]
    xs = sorted(float(lm[[11, 12], 0].mean()) for lm in skeletons if lm is not None)
    assert len(xs) == len(people) == 2
    assert xs == [pytest.approx(150.0, abs=1), pytest.approx(500.0, abs=1)]


def test_missing_model_is_a_clear_model_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from game.errors import ModelError
    from game.pose import backend

    monkeypatch.setattr(backend, "BUNDLE", tmp_path / "gone.task")
    with pytest.raises(ModelError, match="never downloaded"):
        backend.MediaPipeBackend()
    with pytest.raises(ModelError, match="missing"):
        backend.MediaPipeBackend(model_path=tmp_path / "other.task")


def test_the_shipped_bundle_is_the_one_the_build_script_made() -> None:
    import hashlib

    from game.pose.backend import pose_model_path

    path = pose_model_path()
    recorded = path.with_name(path.name + ".sha256").read_text().split()[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded
    assert (path.parent / "LICENSE-pose-model.txt").read_text().count("Apache License") >= 1


def test_a_cut_is_a_whole_picture_change_not_a_person_moving() -> None:
    from game.pose.pipeline import _grey_thumb, is_cut

    rng = np.random.default_rng(0)
    room = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    moved = room.copy()
    moved[100:400, 150:400] = 255 - moved[100:400, 150:400]  # someone big moving close to the camera
    other_shot = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    darker = (room * 0.9).astype(np.uint8)  # an auto-exposure step
    assert not is_cut(_grey_thumb(room), _grey_thumb(moved))
    assert not is_cut(_grey_thumb(room), _grey_thumb(darker))
    assert is_cut(_grey_thumb(room), _grey_thumb(other_shot))
    assert not is_cut(None, _grey_thumb(room))


class CountingPeople(TwoPeopleBackend):
    """Reports the people of ``people_at(t_ms)`` (their x), counting its calls; ``num_poses`` caps
    how many it reports, as the model does."""

    name = "fake-counting"

    def __init__(self, num_poses: int, people_at: Callable[[float], list[float]]) -> None:
        super().__init__([])
        self.num_poses = num_poses
        self.people_at = people_at
        self.calls: list[float] = []

    def detect_all(self, image_bgr: np.ndarray, timestamp_ms: float) -> list[tuple[np.ndarray, np.ndarray]]:
        self.calls.append(timestamp_ms)
        xs = self.people_at(timestamp_ms)[: self.num_poses]
        return [(skeleton(x), np.zeros((NUM_LANDMARKS, 3))) for x in xs]


def test_a_second_person_is_looked_for_once_a_second_and_followed_once_found() -> None:
    # The player (x=200) alone for 2.5 s; a partner (x=450) from 2.5 s to 5 s; alone again after.
    def people_at(t_ms: float) -> list[float]:
        return [200.0, 450.0] if 2500 <= t_ms < 5000 else [200.0]

    made: dict[tuple[int, bool], CountingPeople] = {}

    def factory(num_poses: int, still: bool) -> CountingPeople:
        made[(num_poses, still)] = CountingPeople(num_poses, people_at)
        return made[(num_poses, still)]

    single = CountingPeople(1, people_at)
    pipe = PosePipeline(PipelineOptions(watch_others_ms=1000.0, others_gone_ms=3000.0),
                        backend=single, backend_factory=factory)
    img = np.full((480, 640, 3), 120, np.uint8)
    counts: dict[float, int] = {}
    for i in range(300):  # 10 s at 30 fps
        t = i * 1000.0 / 30.0
        counts[t] = len(pipe.process_all(Frame(image_bgr=img, timestamp_ms=t, index=i)))
    look, both = made[(2, True)], made[(2, False)]
    # One look a second while one person is in view; the first look after the partner came in
    # (at 3.0 s) switches to following both, which goes on until 3 s after the partner left.
    assert [round(t) for t in look.calls[:4]] == [0, 1000, 2000, 3000]
    assert pipe.switches == 1
    assert round(both.calls[0]) == 3000 and 8000 <= both.calls[-1] <= 8100
    assert all(counts[t] == 2 for t in counts if 3000 <= t < 5000)
    assert all(counts[t] == 1 for t in counts if t < 2500 or t >= 5000)
    # Back to one person: the look resumes once a second, and the single model takes over again.
    assert all(t > 8000 for t in look.calls[4:]) and len(look.calls) >= 5
    assert not pipe.is_following_both and single.calls[-1] > 8000
    # The tracker kept the player: one identity for each person over the whole run.
    assert pipe.tracker.people == 2


def test_without_watching_a_single_person_pipeline_never_looks() -> None:
    made: list[int] = []

    def factory(num_poses: int, still: bool) -> CountingPeople:
        made.append(num_poses)
        return CountingPeople(num_poses, lambda t: [200.0, 450.0])

    pipe = PosePipeline(PipelineOptions(), backend=CountingPeople(1, lambda t: [200.0, 450.0]),
                        backend_factory=factory)
    img = np.full((480, 640, 3), 120, np.uint8)
    for i in range(60):
        assert len(pipe.process_all(Frame(image_bgr=img, timestamp_ms=i * 33.3, index=i))) == 1
    assert made == []


def test_one_body_reported_twice_is_not_two_people() -> None:
    body = skeleton(200.0)
    shifted = body.copy()
    shifted[:, 0] += 10.0  # a tenth of a torso length
    assert not holds_two_people([(body, None), (shifted, None)])
    assert holds_two_people([(body, None), (skeleton(450.0), None)])
    assert not holds_two_people([(body, None)])
