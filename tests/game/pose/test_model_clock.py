"""The model's timestamps: strictly increasing (Tasks rejects any other) and, after a source
restarts (a clip replayed from its start at "Go"), still spaced as the frames are: MediaPipe's
own smoothing reads motion against them, so frames 1 ms apart would slow every punch down."""

from __future__ import annotations

from typing import Any

from game.pose.backend import RESTART_GAP_MS, ModelClock


def test_frames_keep_their_spacing_after_the_source_restarts() -> None:
    clock = ModelClock()
    first = [clock.to_model(i * 1000 / 30) for i in range(90)]  # the countdown: 3 s of clip
    again = [clock.to_model(i * 1000 / 30) for i in range(30)]  # restarted from its start
    assert all(b > a for a, b in zip(first + again, (first + again)[1:], strict=False))
    assert again[0] - first[-1] == RESTART_GAP_MS
    steps = [b - a for a, b in zip(again, again[1:], strict=False)]
    assert min(steps) >= 33 and max(steps) <= 34


def test_equal_or_slightly_late_times_still_increase() -> None:
    clock = ModelClock()
    out = [clock.to_model(t) for t in (0.0, 33.0, 33.0, 66.4, 66.0, 100.0)]
    assert all(b > a for a, b in zip(out, out[1:], strict=False))
    assert out[-1] - out[0] <= 101


def test_a_restarted_source_gets_a_fresh_model_from_the_shared_one() -> None:
    """Tracking state carried from the clip's 3rd second into its restart hid 1 of the shared
    shadowboxing clip's 5 punches and halved their speed: a new stream starts a fresh model."""
    from game.feed import SharedBackend

    made: list[list[float]] = []

    class Fake:
        def __init__(self) -> None:
            self.seen: list[float] = []
            made.append(self.seen)

        def detect(self, image: Any, t_ms: float) -> tuple[None, None]:
            self.seen.append(t_ms)
            return None, None

        def close(self) -> None: ...

    shared = SharedBackend(make=Fake)
    for i in range(90):
        shared.detect(None, i * 1000 / 30)  # type: ignore[arg-type]
    assert len(made) == 1
    shared.detect(None, 2950.0)  # type: ignore[arg-type]  # a jitter-sized step back: same stream
    shared.detect(None, 2990.0)  # type: ignore[arg-type]
    assert len(made) == 1
    for i in range(30):  # the clip again from its start
        shared.detect(None, i * 1000 / 30)  # type: ignore[arg-type]
    assert len(made) == 2 and made[1][0] == 0.0 and len(made[1]) == 30
