"""Free scoring (``Difficulty(scoring="free")``): a recorded clip cannot follow this session's
targets, so there are none; every clean punch scores by power, streak and combination, and
punches that are not clean (half, from no guard, flailing) score nothing."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from game.boxing.rules import (
    COUNTDOWN_S,
    FLAIL_WILD_COUNT,
    FREE_BASE,
    FREE_COMBO_GAP_S,
    PAIR_S,
    BodyCalibration,
    BoxingRound,
    Difficulty,
    plan_cues,
)
from game.pose.types import PoseFrame
from models.punch_synth import flail_clip, scheduled_clip
from tests.game.boxing.test_rules import CAL, punch, seed_of

FREE = Difficulty(rounds=1, round_s=20, rest_s=0, scoring="free")


def started(d: Difficulty = FREE) -> BoxingRound:
    game = BoxingRound(d, 1, CAL, start_ms=0.0)
    game.update(PoseFrame(COUNTDOWN_S * 1000 + 1, (640, 480), None))
    assert game.view().phase == "round"
    return game


def tick(game: BoxingRound, t_s: float) -> list[dict[str, object]]:
    """An empty frame at session time ``t_s`` (closes a combination that is over)."""
    return [e.to_json() for e in game.update(PoseFrame(t_s * 1000.0, (640, 480), None))]


def test_free_scoring_plans_no_targets_and_shows_no_beat() -> None:
    assert plan_cues(FREE, 1, CAL) == ()
    game = started()
    v = game.view()
    assert v.targets == () and v.beat_phase is None and v.combo_progress is None
    with pytest.raises(ValueError):
        Difficulty(scoring="beat")  # type: ignore[arg-type]
    # a plan or a coach keeps the scoring it is given
    assert Difficulty.from_plan({"rounds": 2}, FREE).scoring == "free"
    assert Difficulty.from_plan({"rounds": 2}).scoring == "targets"


def test_every_clean_punch_scores_by_power_and_streak() -> None:
    game = started()
    slow = game.feed_punch(punch(5.0, "left", "jab", speed=2.0))
    assert [e.type for e in slow] == ["hit"]
    assert dict(slow[0].data)["points"] == FREE_BASE and dict(slow[0].data)["grade"] == "clean"
    fast = dict(game.feed_punch(punch(7.0, "right", "hook", speed=6.0))[0].data)
    assert fast["points"] == FREE_BASE + 50  # full power, any hand, any kind
    for i in range(2):
        game.feed_punch(punch(9.0 + 2 * i, "left", "uppercut", speed=2.0))
    assert game.streak == 4 and game.multiplier == 2
    fifth = dict(game.feed_punch(punch(14.0, "left", "jab", speed=2.0))[0].data)
    assert fifth["points"] == 2 * FREE_BASE
    st = game.round_stats()[0]
    assert st["clean_punches"] == 5 and st["targets"] == 0 and st["accuracy"] is None
    assert game.session_stats()["scoring"] == "free"
    assert game.session_stats()["clean_punches"] == 5


def test_a_half_punch_scores_nothing_and_breaks_the_streak() -> None:
    game = started()
    game.feed_punch(punch(5.0))
    out = game.feed_punch(punch(7.0, complete=False))
    assert [(e.type, dict(e.data)["why"]) for e in out] == [("unclean", "half")]
    assert game.streak == 0 and game.score == FREE_BASE + 25
    st = game.round_stats()[0]
    assert st["clean_punches"] == 1 and st["half_punches"] == 1


def test_a_combination_earns_its_bonus_when_it_ends() -> None:
    game = started()
    for i in range(3):  # 1-2-3, 0.35 s apart
        assert [e.type for e in game.feed_punch(punch(5.0 + 0.35 * i, speed=2.0))] == ["hit"]
    assert tick(game, 5.7 + FREE_COMBO_GAP_S - 0.05) == []  # might still go on
    combo = [e for e in tick(game, 5.7 + FREE_COMBO_GAP_S + 0.05) if e["type"] == "combo"]
    assert len(combo) == 1 and combo[0]["length"] == 3 and combo[0]["points"] == 150
    assert game.score == 3 * FREE_BASE + 150
    # punches further apart than the gap are singles: no bonus
    game2 = started()
    for i in range(3):
        game2.feed_punch(punch(5.0 + (FREE_COMBO_GAP_S + 0.2) * i, speed=2.0))
    assert not [e for e in tick(game2, 12.0) if e["type"] == "combo"]
    assert game2.round_stats()[0]["combos_completed"] == 0


def test_a_combination_open_at_the_final_bell_still_counts() -> None:
    game = started(replace(FREE, round_s=4.0))
    game.feed_punch(punch(COUNTDOWN_S + 3.5, speed=2.0))
    game.feed_punch(punch(COUNTDOWN_S + 3.8, speed=2.0))
    events = tick(game, COUNTDOWN_S + 4.5)
    assert [e["type"] for e in events] == ["combo", "round_end", "game_over"]
    assert events[1]["stats"]["combos_completed"] == 1  # type: ignore[index]


def _session(clip_frames: list[PoseFrame], d: Difficulty, cal: BodyCalibration) -> BoxingRound:
    game = BoxingRound(d, 3, cal, start_ms=0.0)
    for f in clip_frames:
        game.update(f)
    return game


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_boxer_who_ignores_the_targets_scores_with_free_scoring_only(seed: int) -> None:
    """The recorded-clip case: a boxer throwing clean punches on their own time scores under
    free scoring; under target scoring the same stream scores (almost) nothing."""
    rng = np.random.default_rng(seed_of("free", seed))
    times = np.cumsum(rng.uniform(1.2, 2.0, 8)) + COUNTDOWN_S + 1.0
    kinds = [("jab", "left"), ("cross", "right")]
    plan = [(float(t), *kinds[i % 2]) for i, t in enumerate(times)]
    duration = float(times[-1]) + 2.0
    clip = scheduled_clip(plan, duration, np.random.default_rng(seed))
    warm = scheduled_clip([], 2.0, np.random.default_rng(seed))
    cal = BodyCalibration.from_frames(warm.frames)
    d = Difficulty(rounds=1, round_s=duration, rest_s=0)
    free = _session(list(clip.frames), replace(d, scoring="free"), cal)
    targets = _session(list(clip.frames), d, cal)
    st = free.round_stats()[0]
    assert st["clean_punches"] >= 6, st
    assert free.score >= 6 * FREE_BASE
    assert targets.score < free.score / 3, (targets.score, free.score)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flailing_scores_nothing_with_free_scoring_either(seed: int) -> None:
    d = Difficulty(rounds=1, round_s=30, rest_s=0, scoring="free")
    warm = scheduled_clip([], 2.0, np.random.default_rng(seed))
    cal = BodyCalibration.from_frames(warm.frames)
    clip = flail_clip(COUNTDOWN_S + d.round_s + 1.0, np.random.default_rng(seed_of("flail", seed)),
                      yaw_deg=float(np.random.default_rng(seed).uniform(-30, 30)))
    game = _session(list(clip.frames), d, cal)
    st = game.round_stats()[0]
    assert st["punches"] > 0 and st["clean_punches"] == 0 and game.score == 0, st


class _StrayingDetector:
    """A punch source that finds no punch and refuses, at the frames given, strays of one hand."""

    def __init__(self, strays_at_ms: dict[float, int]) -> None:
        self.rejected: list[tuple[float, str, str]] = []
        self._strays = strays_at_ms

    def update(self, frame: PoseFrame) -> list[object]:
        t_s = frame.timestamp_ms / 1000.0
        self.rejected += [(t_s, "left", "flail")] * self._strays.get(frame.timestamp_ms, 0)
        return []

    def finish(self) -> list[object]:
        return []

    def is_guard_up(self) -> bool:
        return False

    def summary(self) -> dict[str, object]:
        return {}


@pytest.mark.parametrize("before_bell_s", [0.1, 0.6])
def test_strays_at_the_final_bell_say_nothing_after_it(before_bell_s: float) -> None:
    """Free scoring judges a stray once PAIR_S has passed (it may be a punch's counter-movement);
    the strays of the round's last moments are the round's: no "flail" after the final bell.
    Strays earlier than PAIR_S before the bell are judged in the round, as before."""
    end_s = COUNTDOWN_S + 4.0
    at_ms = round((end_s - before_bell_s) * 1000.0)
    game = BoxingRound(replace(FREE, round_s=4.0), 1, CAL,
                       detector=_StrayingDetector({at_ms: FLAIL_WILD_COUNT}),  # type: ignore[arg-type]
                       start_ms=0.0)
    events = []
    for ms in range(0, round((end_s + 1.0) * 1000.0) + 1, 50):
        events += [e.to_json() for e in game.update(PoseFrame(float(ms), (640, 480), None))]
    types = [e["type"] for e in events]
    assert "flail" not in types[types.index("game_over"):]
    assert ("flail" in types) == (before_bell_s > PAIR_S)
