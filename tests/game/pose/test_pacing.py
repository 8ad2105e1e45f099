"""The one real-time pacing helper, on a fake clock."""

from __future__ import annotations

import pytest

from game.pose.pacing import RealtimePacer


class FakeClock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


def test_the_first_timestamp_is_due_at_once_and_later_ones_at_their_offsets() -> None:
    clock = FakeClock()
    pacer = RealtimePacer(clock=clock, sleep=clock.sleep)
    assert pacer.wait(500.0) == 0.0 and clock.sleeps == []  # anchored: due now
    assert pacer.wait(533.0) == 0.0
    assert clock.sleeps == [pytest.approx(0.033)]
    assert clock.t == pytest.approx(100.033)


def test_a_late_caller_is_told_how_late_and_never_sleeps() -> None:
    clock = FakeClock()
    pacer = RealtimePacer(clock=clock, sleep=clock.sleep)
    pacer.anchor(0.0)
    clock.t += 0.25  # the machine stalled
    assert pacer.wait(100.0) == pytest.approx(0.15)
    assert clock.sleeps == []
    assert pacer.lateness_s(400.0) == pytest.approx(-0.15)
    assert pacer.due_s(400.0) == pytest.approx(100.4)


def test_an_explicit_anchor_starts_the_clock_later() -> None:
    clock = FakeClock()
    pacer = RealtimePacer(clock=clock, sleep=clock.sleep)
    assert not pacer.is_anchored
    clock.t = 102.0  # the model took two seconds to load
    pacer.anchor(0.0)
    assert pacer.is_anchored
    pacer.wait(1000.0)
    assert clock.t == pytest.approx(103.0)
