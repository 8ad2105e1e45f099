"""Local versus: each player is judged by their own detector; the race and the boxing match
name the right winner; a player out of view never scores and never stops the other."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from game.pose.types import PoseFrame
from game.reps.synthetic import Move, simulate
from game.versus import BoxingVersus, RepRace, Slot, VersusEvent, nobody

STAND = Move("stand", 1.0)


def squats(n: int, rep_s: float, seed: int) -> list[PoseFrame]:
    script = [STAND] + [Move("rep", rep_s), Move("stand", 0.6)] * n + [Move("stand", 3.0)]
    return simulate("squat", script, rng=np.random.default_rng(seed))


def play(race: RepRace, left: list[PoseFrame], right: list[PoseFrame]) -> list[VersusEvent]:
    """Interleave both players' frames in time order, as one camera delivers them."""
    both: list[tuple[float, Slot, PoseFrame]] = [(f.timestamp_ms, "left", f) for f in left]
    both += [(f.timestamp_ms, "right", f) for f in right]
    events: list[VersusEvent] = []
    for _, slot, f in sorted(both, key=lambda x: (x[0], x[1])):
        events += race.update(slot, f)
    return events


def test_first_to_the_target_wins() -> None:
    race = RepRace("squat", target=3, time_limit_s=60)
    events = play(race, squats(4, 1.6, 1), squats(4, 2.6, 2))
    assert race.result is not None and race.result.winner == "left" and race.result.reason == "target"
    assert race.counts["left"] == 3 and race.counts["right"] < 3
    assert [e.kind for e in events].count("finished") == 1
    assert race.result.headline({"left": "Ann", "right": "Bo"}) == "Ann wins"


def test_partner_reps_never_count_for_you() -> None:
    race = RepRace("squat", target=5, time_limit_s=30)
    still = simulate("squat", [Move("stand", 20.0)], rng=np.random.default_rng(5))
    play(race, still, squats(3, 2.0, 6))
    assert race.counts == {"left": 0, "right": 3}


def test_time_limit_most_reps_then_draw() -> None:
    race = RepRace("squat", target=10, time_limit_s=8)
    play(race, squats(2, 2.0, 3), squats(1, 2.0, 4))
    assert race.result is not None and race.result.winner == "left" and race.result.reason == "time"
    draw = RepRace("squat", target=10, time_limit_s=5)
    for t in range(0, 6000, 33):
        draw.step(float(t), (640, 480), {})
    assert draw.result is not None and draw.result.winner is None and draw.result.reason == "draw"


def test_target_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RepRace(target=0)


class FakeRound:
    """A stand-in game: one point per frame in which the player is seen; over at 1 s."""

    def __init__(self, cal: Any) -> None:
        self.score = 0
        self.done = False

    def update(self, frame: PoseFrame) -> list[Any]:
        if self.done:
            return []
        if frame.landmarks_px is not None:
            self.score += 1

        class Ev:
            def __init__(self, kind: str) -> None:
                self.kind = kind

            def to_json(self) -> dict[str, Any]:
                return {"type": self.kind}

        if frame.timestamp_ms >= 1000:
            self.done = True
            return [Ev("game_over")]
        return []


def test_boxing_match_higher_score_wins_and_absent_player_still_runs_out() -> None:
    match = BoxingVersus({"left": None, "right": None}, make_round=FakeRound)
    seen = squats(1, 1.0, 9)
    for i, f in enumerate(seen[:40]):
        match.step(f.timestamp_ms, f.image_size, {"right": f} if i % 2 else {"left": f, "right": f})
    assert match.result is not None
    assert match.result.winner == "right" and match.result.scores["right"] > match.result.scores["left"]
    with pytest.raises(ValueError):
        BoxingVersus({"left": None}, make_round=FakeRound)
    assert nobody(5.0, (640, 480)).landmarks_px is None
