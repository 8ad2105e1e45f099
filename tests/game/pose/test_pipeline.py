"""The pipeline around a fake backend: odd frames never crash it and never reach the model."""

from __future__ import annotations

import numpy as np

from game.pose.pipeline import PipelineOptions, PosePipeline
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
