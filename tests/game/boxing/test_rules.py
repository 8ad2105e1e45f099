"""The target game's rules: planning, timing grades, streaks, combos, dodges, rounds, determinism,
and that flailing does not score."""

from __future__ import annotations

import dataclasses
import json
import zlib
from types import SimpleNamespace
from typing import Any, TypeGuard, get_args

import numpy as np
import pytest

from game.boxing.events import Hand, PunchEvent, PunchKind
from game.boxing.rules import (
    COUNTDOWN_S,
    FACE_R,
    GOOD_S,
    PERFECT_S,
    BodyCalibration,
    BoxingRound,
    Cue,
    Difficulty,
    Phase,
    plan_cues,
)
from game.errors import CalibrationError
from game.pose.types import PoseFrame
from models.punch_synth import flail_clip, scheduled_clip


def seed_of(*parts: object) -> int:
    return zlib.crc32(repr(parts).encode())


CAL = BodyCalibration(
    image_size=(640, 480), nose_px=(320.0, 130.0), shoulder_mid_px=(320.0, 180.0),
    hip_mid_px=(320.0, 330.0), shoulder_width_px=110.0, reach_px=170.0, orthodox=True,
)
SHORT = Difficulty(bpm=90, density=0.6, combo_max_len=3, rounds=2, round_s=20, rest_s=5, dodge_share=0.1)


def is_punch_kind(kind: str) -> TypeGuard[PunchKind]:
    return kind in get_args(PunchKind)


def punch(t: float, hand: Hand | None = "left", kind: str = "jab", *, complete: bool = True,
          speed: float = 4.0) -> PunchEvent:
    """The detector's report of a punch; ``hand`` and ``kind`` may come straight from a cue, which
    must then be a punch cue (a dodge cue has no hand and a dodge kind)."""
    assert hand is not None and is_punch_kind(kind), (hand, kind)
    return PunchEvent(t_s=t, hand=hand, lead=hand == "left", kind=kind, speed_mps=speed,
                      extension=0.95, complete=complete, onset_s=t - 0.15, detected_s=t + 0.03)


def started(difficulty: Difficulty = SHORT, seed: int = 1) -> BoxingRound:
    """A session moved into its first round by empty frames."""
    game = BoxingRound(difficulty, seed, CAL, start_ms=0.0)
    game.update(PoseFrame(COUNTDOWN_S * 1000 + 1, (640, 480), None))
    assert game.view().phase == "round"
    return game


def first_punch_cue(game: BoxingRound) -> Cue:
    return next(c for c in game.cues if not c.is_dodge)


# -- difficulty and planning ----------------------------------------------------------------


def test_levels_and_validation() -> None:
    assert Difficulty.level(1).bpm < Difficulty.level(5).bpm
    assert Difficulty.level(1).window_scale > Difficulty.level(5).window_scale
    with pytest.raises(ValueError):
        Difficulty.level(9)
    with pytest.raises(ValueError):
        Difficulty(bpm=400)
    with pytest.raises(ValueError):
        Difficulty(window_scale=0.1)


def test_difficulty_from_the_planners_block_and_a_coach_dict() -> None:
    block = SimpleNamespace(style="intervals", rounds=4, round_s=90, rest_s=45, bpm=110,
                            density_targets_per_beat=0.5, combo_max_len=3, window_scale=0.9)
    d = Difficulty.from_plan(SimpleNamespace(boxing=block))
    assert (d.bpm, d.density, d.combo_max_len, d.window_scale, d.rounds, d.round_s, d.rest_s) == (
        110.0, 0.5, 3, 0.9, 4, 90.0, 45.0)
    coach = Difficulty.from_plan({"bpm": 70, "window_scale": 1.4}, base=d)
    assert coach.bpm == 70 and coach.window_scale == 1.4 and coach.rounds == 4
    with pytest.raises(ValueError):
        Difficulty.from_plan(SimpleNamespace(rounds=0, round_s=60, rest_s=0))


def test_plan_is_a_function_of_the_seed() -> None:
    a = plan_cues(SHORT, 7, CAL)
    assert a == plan_cues(SHORT, 7, CAL)
    assert a != plan_cues(SHORT, 8, CAL)
    assert all(x.t_s < y.t_s or x.combo_id == y.combo_id for x, y in zip(a, a[1:]))


def test_plan_respects_rounds_combo_length_and_kinds() -> None:
    d = Difficulty(bpm=100, density=0.9, combo_max_len=2, rounds=3, round_s=30, rest_s=10, dodge_share=0.0,
                   kinds=("jab", "cross"))
    cues = plan_cues(d, 3, CAL)
    assert cues
    for c in cues:
        start = COUNTDOWN_S + c.round_index * (d.round_s + d.rest_s)
        assert start <= c.t_s <= start + d.round_s
        assert c.combo_len <= 2 and c.kind in ("jab", "cross")
        assert c.hand == ("left" if c.kind == "jab" else "right")  # orthodox


def test_targets_sit_around_the_calibrated_body() -> None:
    cues = plan_cues(Difficulty(bpm=90, density=1.0, combo_max_len=4, rounds=1, round_s=60, rest_s=0,
                                dodge_share=0.0), 11, CAL)
    for c in cues:
        # Image x grows to the player's left: left-hand targets on the left side of the head.
        side = 1.0 if c.hand == "left" else -1.0
        assert side * (c.x_px - CAL.nose_px[0]) > 0
        if c.kind == "hook":
            assert abs(c.x_px - CAL.shoulder_mid_px[0]) > CAL.shoulder_width_px / 2
        assert CAL.nose_px[1] - FACE_R * CAL.torso_px <= c.y_px <= CAL.hip_mid_px[1]
        assert abs(c.x_px - CAL.shoulder_mid_px[0]) <= CAL.shoulder_width_px / 2 + CAL.reach_px


def test_calibration_from_frames_and_without_anyone() -> None:
    clip = scheduled_clip([], 1.5, np.random.default_rng(1))
    cal = BodyCalibration.from_frames(clip.frames)
    assert cal.shoulder_width_px > 10 and cal.reach_px > cal.shoulder_width_px * 0.8
    assert cal.nose_px[1] < cal.shoulder_mid_px[1] < cal.hip_mid_px[1]
    with pytest.raises(CalibrationError, match="Nobody"):
        BodyCalibration.from_frames([PoseFrame(0.0, (640, 480), None)])


# -- scoring ----------------------------------------------------------------------------------


def test_timing_grades_follow_the_windows() -> None:
    for offset, grade in ((0.0, "perfect"), (PERFECT_S - 0.01, "perfect"), (-(PERFECT_S + 0.03), "early"),
                          (PERFECT_S + 0.03, "late")):
        game = started()
        cue = first_punch_cue(game)
        evs = game.feed_punch(punch(cue.t_s + offset, cue.hand, cue.kind))
        assert evs[0].type == "hit" and dict(evs[0].data)["grade"] == grade, (offset, evs)


def test_punch_outside_the_window_is_wild_and_the_target_expires() -> None:
    game = started()
    cue = first_punch_cue(game)
    evs = game.feed_punch(punch(cue.t_s - GOOD_S - 0.05, cue.hand, cue.kind))
    assert [e.type for e in evs] == ["wild"]
    later = game.update(PoseFrame((cue.t_s + 0.5) * 1000, (640, 480), None))
    assert any(e.type == "miss" and dict(e.data)["target"] == cue.id for e in later)


def test_window_scale_widens_the_windows() -> None:
    strict = started(dataclasses.replace(SHORT, window_scale=0.5))
    loose = started(dataclasses.replace(SHORT, window_scale=2.0))
    for game, expect in ((strict, "wild"), (loose, "hit")):
        cue = first_punch_cue(game)
        evs = game.feed_punch(punch(cue.t_s + 0.12, cue.hand, cue.kind))
        assert evs[0].type == expect


def test_wrong_hand_or_half_punch_is_a_miss_and_resets_the_streak() -> None:
    game = started()
    cues = [c for c in game.cues if not c.is_dodge][:3]
    game.feed_punch(punch(cues[0].t_s, cues[0].hand, cues[0].kind))
    assert game.streak == 1
    other: Hand = "right" if cues[1].hand == "left" else "left"
    evs = game.feed_punch(punch(cues[1].t_s, other, cues[1].kind))
    assert evs[0].type == "miss" and dict(evs[0].data)["why"] == "wrong_hand"
    assert game.streak == 0
    evs = game.feed_punch(punch(cues[2].t_s, cues[2].hand, cues[2].kind, complete=False))
    assert dict(evs[0].data)["why"] in ("half", "flail")


def test_streak_multiplier_and_power_points() -> None:
    game = started(Difficulty(bpm=80, density=1.0, combo_max_len=1, rounds=1, round_s=40, rest_s=0, dodge_share=0.0))
    cues = [c for c in game.cues if not c.is_dodge]
    points = []
    for c in cues[:9]:
        ev = game.feed_punch(punch(c.t_s, c.hand, c.kind, speed=2.0))[0]
        points.append(dict(ev.data)["points"])
    assert points[:4] == [100] * 4 and points[4:8] == [200] * 4 and points[8] == 300
    assert game.multiplier == 3
    fast = started(Difficulty(bpm=80, density=1.0, combo_max_len=1, rounds=1, round_s=40, rest_s=0, dodge_share=0.0))
    c = first_punch_cue(fast)
    assert dict(fast.feed_punch(punch(c.t_s, c.hand, c.kind, speed=8.0))[0].data)["power"] == 50


def test_completed_combo_earns_a_bonus() -> None:
    d = Difficulty(bpm=80, density=1.0, combo_max_len=3, rounds=1, round_s=60, rest_s=0, dodge_share=0.0)
    game = started(d, seed=5)
    combo = next(c for c in game.cues if c.combo_len >= 2 and c.combo_pos == 0)
    members = [c for c in game.cues if c.combo_id == combo.combo_id]
    for c in game.cues:
        if c.t_s < combo.t_s:
            game.feed_punch(punch(c.t_s, c.hand, c.kind))
    events = []
    for c in members:
        events += game.feed_punch(punch(c.t_s, c.hand, c.kind))
    assert any(e.type == "combo" and dict(e.data)["length"] == len(members) for e in events)


def test_rounds_rests_and_view() -> None:
    game = BoxingRound(SHORT, 2, CAL, start_ms=0.0)
    phases: list[Phase] = []
    for t in np.arange(0.0, COUNTDOWN_S + 2 * SHORT.round_s + SHORT.rest_s + 1.0, 0.5):
        events = game.update(PoseFrame(t * 1000, (640, 480), None))
        v = game.view()
        if not phases or phases[-1] != v.phase:
            phases.append(v.phase)
        assert v.time_left_s >= -0.5
        for tv in v.targets:
            assert -GOOD_S * 2 <= tv.time_to_hit_s <= 1.6 and tv.radius_px > 0
        for e in events:
            json.dumps(e.to_json())
    assert phases == ["countdown", "round", "rest", "round", "done"]
    stats = game.round_stats()
    assert len(stats) == 2 and all(s["hits"] == 0 and s["misses"] == s["targets"] > 0 for s in stats)
    assert game.session_stats()["accuracy_pct"] == 0.0


# -- whole sessions from skeletons ----------------------------------------------------------


def play(stream_seed: int, game_seed: int, d: Difficulty) -> tuple[BoxingRound, list[dict[str, Any]]]:
    warm = scheduled_clip([], 2.0, np.random.default_rng(stream_seed))
    cal = BodyCalibration.from_frames(warm.frames, orthodox=not warm.body.southpaw)
    cues = plan_cues(d, game_seed, cal)
    clip = scheduled_clip(
        [(c.t_s, c.kind, c.hand) for c in cues if not c.is_dodge and c.hand],
        COUNTDOWN_S + d.rounds * (d.round_s + d.rest_s), np.random.default_rng(stream_seed),
        ducks=[c.t_s for c in cues if c.kind == "duck"],
        slips=[(c.t_s, c.kind[5:]) for c in cues if c.kind.startswith("slip")],
        southpaw=warm.body.southpaw,
    )
    game = BoxingRound(d, game_seed, cal)
    events = []
    for f in clip.frames:
        events += [e.to_json() for e in game.update(f)]
    return game, events


ONE_ROUND = Difficulty(bpm=85, density=0.6, combo_max_len=2, rounds=1, round_s=25, rest_s=0, dodge_share=0.3)


def test_a_player_on_the_beat_scores_well() -> None:
    game, events = play(seed_of("good"), 4, ONE_ROUND)
    st = game.round_stats()[0]
    assert st["accuracy"] >= 0.7, st
    assert st["perfect"] >= 0.6 * st["hits"]
    assert st["dodges_made"] >= 1
    assert st["mean_speed_mps"] and st["punches_per_min"] > 10 and st["intensity_met"] > 3.5
    assert game.score > 1000


def test_same_stream_seed_and_level_give_the_same_score_bit_for_bit() -> None:
    a, ev_a = play(seed_of("replay"), 9, ONE_ROUND)
    b, ev_b = play(seed_of("replay"), 9, ONE_ROUND)
    assert a.score == b.score and ev_a == ev_b
    assert json.dumps(a.round_stats()) == json.dumps(b.round_stats())
    c, _ = play(seed_of("replay"), 10, ONE_ROUND)  # another seed: other targets
    assert c.cues != a.cues


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flailing_does_not_score(seed: int) -> None:
    d = Difficulty(bpm=90, density=0.7, combo_max_len=2, rounds=1, round_s=30, rest_s=0, dodge_share=0.1)
    warm = scheduled_clip([], 2.0, np.random.default_rng(seed))
    cal = BodyCalibration.from_frames(warm.frames)
    clip = flail_clip(COUNTDOWN_S + d.round_s + 1.0, np.random.default_rng(seed_of("flail", seed)),
                      yaw_deg=float(np.random.default_rng(seed).uniform(-30, 30)))
    game = BoxingRound(d, seed, cal)
    events = []
    for f in clip.frames:
        events += game.update(f)
    assert game.score == 0, [e.to_json() for e in events if e.type in ("hit", "dodge")]
    assert any(e.type == "flail" for e in events)


@pytest.mark.parametrize("offset", ["left", "right", "low"])
def test_standing_off_centre_or_crouched_does_not_farm_dodges(offset: str) -> None:
    """A dodge is a movement: a player who stands a little to the side of where they calibrated
    (or stays crouched) with the guard up must not collect every slip or duck cue."""
    d = Difficulty(bpm=90, density=0.9, combo_max_len=1, rounds=1, round_s=30, rest_s=0, dodge_share=1.0)
    rng_seed = seed_of("static", offset)
    warm = scheduled_clip([], 2.0, np.random.default_rng(rng_seed))
    cal = BodyCalibration.from_frames(warm.frames)
    dx, dy = {"left": (0.7 * cal.shoulder_width_px, 0.0), "right": (-0.7 * cal.shoulder_width_px, 0.0),
              "low": (0.0, 0.35 * cal.torso_px)}[offset]
    clip = scheduled_clip([], COUNTDOWN_S + d.round_s + 1.0, np.random.default_rng(rng_seed))
    game = BoxingRound(d, 3, cal)
    events = []
    for f in clip.frames:
        p = None
        if f.landmarks_px is not None:
            p = f.landmarks_px.copy()
            p[:, 0] += dx
            p[:, 1] += dy
        events += game.update(dataclasses.replace(f, landmarks_px=p))
    assert sum(c.is_dodge for c in game.cues) >= 5
    assert game.round_stats()[0]["dodges_made"] == 0, [e.to_json() for e in events if e.type == "dodge"]


def test_overlapping_windows_give_a_punch_to_the_target_it_fits() -> None:
    """With forgiving windows (a coach's window_scale 2.0) the windows of a fast 1-2 overlap: a
    cross thrown a little early must land on the cross, not be called a wrong-hand jab."""
    d = Difficulty(bpm=100, density=1.0, combo_max_len=2, window_scale=2.0, rounds=1, round_s=60,
                   rest_s=0, dodge_share=0.0, kinds=("jab", "cross"))
    for seed in range(40):
        game = started(d, seed=seed)
        pair = [(a, b) for a, b in zip(game.cues, game.cues[1:])
                if a.combo_id == b.combo_id and a.hand != b.hand]
        if pair:
            break
    a, b = pair[0]
    for c in game.cues:
        if c.t_s < a.t_s:
            game.feed_punch(punch(c.t_s, c.hand, c.kind))
    t = b.t_s - 0.2  # inside both windows
    assert abs(t - a.t_s) <= GOOD_S * 2.0
    evs = game.feed_punch(punch(t, b.hand, b.kind))
    assert evs[0].type == "hit" and dict(evs[0].data)["target"] == b.id, [e.to_json() for e in evs]


def test_round_stats_count_only_the_combos_asked_so_far() -> None:
    """A session stopped early (the player quits, a scripted run) reports the combos it asked,
    not the whole round's plan (it said '12 combos' after 10 targets)."""
    d = Difficulty(bpm=90, density=0.9, combo_max_len=3, rounds=1, round_s=60, rest_s=0, dodge_share=0.0)
    game = started(d, seed=4)
    t_stop = COUNTDOWN_S + 15.0
    game.update(PoseFrame(t_stop * 1000, (640, 480), None))
    asked = {c.combo_id for c in game.cues if c.combo_len > 1 and c.combo_pos == 0 and c.t_s + 0.2 <= t_stop}
    st = game.round_stats()[0]
    assert st["combos"] == len(asked) < len({c.combo_id for c in game.cues if c.combo_len > 1})


# -- where targets go: any body, any stance, any HUD -------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from game.boxing.rules import GAP_R, MIN_R_FRAC, MISS_AFTER_S, SHOW_AHEAD_S, TARGET_R, facing_of, shoulder_px  # noqa: E402,E501


@st.composite
def bodies(draw: st.DrawFn) -> tuple[BodyCalibration, bool]:
    """A player somewhere in the picture, square on or side-on either way, with a HUD over the
    image corners; also says whether the player has room around them (roomy)."""
    w, h = draw(st.sampled_from([(640, 480), (1280, 720), (720, 1280), (1920, 1080)]))
    torso = draw(st.floats(0.12, 0.3)) * h
    side_on = draw(st.booleans())
    facing = draw(st.sampled_from([1.0, -1.0])) if side_on else 0.0
    width = torso * (draw(st.floats(0.1, 0.4)) if side_on else draw(st.floats(0.6, 0.95)))
    sx = draw(st.floats(0.15, 0.85)) * w
    sy = draw(st.floats(0.25, 0.6)) * h
    nose = (sx + facing * 0.15 * torso, sy - 0.35 * torso)
    reach = torso * draw(st.floats(1.1, 1.4))
    hud = []
    if draw(st.booleans()):
        hud.append((0.0, 0.0, 0.3 * w, 0.22 * h))  # score
    if draw(st.booleans()):
        hud.append((0.7 * w, 0.0, 0.3 * w, 0.3 * h))  # timer and combo
    if draw(st.booleans()):
        hud.append((0.2 * w, 0.85 * h, 0.6 * w, 0.15 * h))  # the cue line
    cal = BodyCalibration((w, h), nose, (sx, sy), (sx, sy + torso), width, reach,
                          orthodox=draw(st.booleans()), facing_x=facing,
                          keep_out_px=tuple(hud), min_radius_px=draw(st.sampled_from([0.0, 0.05 * h])))
    # room around them, and near enough (torso >= 15 % of the picture) for full-size rings
    roomy = (0.3 * w <= sx <= 0.7 * w and sy - 1.2 * torso > 0.3 * h and not hud
             and torso >= 0.15 * h)
    return cal, roomy


ALL_IN = Difficulty(bpm=100, density=1.0, combo_max_len=4, rounds=1, round_s=30, rest_s=0,
                    dodge_share=0.15)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies(), st.integers(0, 2**31))
def test_targets_are_spaced_in_reach_off_the_face_and_the_hud_and_face_the_player(
        body: tuple[BodyCalibration, bool], seed: int) -> None:
    cal, roomy = body
    cues = plan_cues(ALL_IN, seed, cal)
    assert cues == plan_cues(ALL_IN, seed, cal)  # same seed, same session
    w, h = cal.image_size
    nx, ny = cal.nose_px
    t = cal.torso_px
    for c in cues:
        r = c.radius_px
        assert r >= max(MIN_R_FRAC * TARGET_R * t, cal.min_radius_px) - 1e-6
        assert r <= c.x_px <= w - r and r <= c.y_px <= h - r  # whole ring in the picture
        assert np.hypot(c.x_px - nx, c.y_px - ny) >= r + FACE_R * t - 1e-6  # never over the face
        for (kx, ky, kw, kh) in cal.keep_out_px:  # never under the HUD
            near = (min(max(c.x_px, kx), kx + kw), min(max(c.y_px, ky), ky + kh))
            assert np.hypot(c.x_px - near[0], c.y_px - near[1]) >= r - 1e-6
        if c.hand is not None:
            shx, shy = shoulder_px(c.hand, cal)
            assert np.hypot(c.x_px - shx, c.y_px - shy) <= cal.reach_px + 1e-6  # in reach
            if cal.facing_x:  # side-on: every punch in front, never behind the back
                assert (c.x_px - cal.shoulder_mid_px[0]) * cal.facing_x > 0
            else:  # square on: on the punching hand's side
                side = 1.0 if c.hand == "left" else -1.0
                assert (c.x_px - cal.shoulder_mid_px[0]) * side > 0
    together = SHOW_AHEAD_S + MISS_AFTER_S * ALL_IN.window_scale
    for i, a in enumerate(cues):
        for b in cues[i + 1:]:
            if abs(a.t_s - b.t_s) < together:  # on screen at the same time: apart, labels too
                gap = np.hypot(a.x_px - b.x_px, a.y_px - b.y_px)
                assert gap >= a.radius_px + b.radius_px + GAP_R * max(a.radius_px, b.radius_px) - 1e-6
    if roomy:  # a player with room around them gets a full session
        assert sum(1 for c in cues if not c.is_dodge) >= 20, len(cues)


def test_a_side_on_boxers_hook_is_on_his_front_side() -> None:
    """Issue 11: a hook target was drawn behind a side-on boxer's back."""
    for facing in (1.0, -1.0):
        cal = dataclasses.replace(CAL, shoulder_width_px=30.0, facing_x=facing,
                                  nose_px=(320.0 + facing * 20, 130.0))
        d = Difficulty(bpm=80, density=1.0, combo_max_len=2, rounds=1, round_s=40, rest_s=0,
                       dodge_share=0.0, kinds=("jab", "cross", "hook"))
        hooks = [c for c in plan_cues(d, 5, cal) if c.kind == "hook"]
        assert hooks
        assert all((c.x_px - 320.0) * facing > 0 for c in hooks)


def test_facing_is_read_from_the_shoulders_and_the_nose() -> None:
    assert facing_of(110.0, 150.0, 0.0) == 0.0  # square on
    assert facing_of(30.0, 150.0, 25.0) == 1.0  # side-on, nose towards +x
    assert facing_of(30.0, 150.0, -25.0) == -1.0
    assert facing_of(30.0, 150.0, 1.0) == 0.0  # turned, direction unknown: as square
    assert facing_of(95.0, 150.0, -27.0) == -1.0  # three-quarters: nose well ahead


def test_jab_and_cross_on_screen_together_never_overlap() -> None:
    """Issue 11: jab and cross rings overlapped on the face, labels run together."""
    cues = plan_cues(Difficulty(bpm=90, density=1.0, combo_max_len=2, rounds=1, round_s=60,
                                rest_s=0, dodge_share=0.0, kinds=("jab", "cross")), 3, CAL)
    pairs = [(a, b) for a, b in zip(cues, cues[1:]) if a.combo_id == b.combo_id]
    assert pairs
    for a, b in pairs:
        assert np.hypot(a.x_px - b.x_px, a.y_px - b.y_px) > a.radius_px + b.radius_px
