"""Property-based tests on synthetic trajectories (game.reps.synthetic): whatever the camera angle,
body size, frame rate, tracker noise, dropped frames and speed within human range,

- each full cycle counts exactly once,
- partial cycles never count,
- a jump is not a squat, walking toward the camera is not a rep,
- standing up only halfway between two descents is one rep, not two,
- the same frames give the same events (the engine is pure).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from game.reps import RepEvent, make_rep_detector
from game.reps.synthetic import Camera, Move, simulate

# REPS_EXAMPLES=500 for a long local run; CI uses the default.
N = int(os.environ.get("REPS_EXAMPLES", "25"))
# derandomize comes from the profile (tests/conftest.py): fixed examples in CI, new ones locally.
SETTINGS = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Per exercise: full-depth and partial-depth ranges of the synthetic body's depth parameter
# (full cycles reach about 115-150 % of the counting range, partial ones at most ~80 %), and rep durations (s).
FULL = {"squat": (0.7, 1.0), "lunge": (0.95, 1.0), "pushup": (0.8, 1.0)}
# Squat partials stop at 0.3 (synthetic knee 116 degrees): at 0.35 the knee reaches 111, within a
# degree of the standard's 70 degrees of flexion from a straight knee, which counts. Lunge partials
# stop at 0.45: at 0.5 the synthetic front thigh is already 32 degrees from level, inside the 35
# degree standard, and only the knee bend tells it from a full lunge.
PARTIAL = {"squat": (0.05, 0.3), "lunge": (0.05, 0.45), "pushup": (0.05, 0.4)}
DURATION = {"squat": (1.0, 4.0), "lunge": (1.6, 4.5), "pushup": (0.9, 3.5)}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    """Camera, body and tracker conditions."""
    return {
        "camera": Camera(
            yaw_deg=draw(st.floats(-90.0, 90.0)),
            distance_m=draw(st.floats(2.8, 5.0)),
            height_m=draw(st.floats(0.6, 1.4)),
        ),
        # Webcam rates; below about 12 frames per second a fast rep's bottom can fall between
        # frames (slow reps at 5 fps: test_slow_reps_at_five_fps).
        "fps": draw(st.sampled_from([12.0, 15.0, 24.0, 30.0, 60.0])),
        "noise_px": draw(st.floats(0.3, 3.0)),
        "noise_m": draw(st.floats(0.002, 0.015)),
        "drop_p": draw(st.floats(0.0, 0.2)),
        "stature": draw(st.floats(0.85, 1.15)),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@st.composite
def workout(draw: st.DrawFn, exercise: str) -> tuple[list[Move], int]:
    """A set: a start stance, then full and partial cycles in any order with rests. -> (script, n_full)."""
    n_full = draw(st.integers(0, 4))
    n_partial = draw(st.integers(0, 3))
    kinds = draw(st.permutations(["rep"] * n_full + ["partial"] * n_partial))
    script = [Move("stand", draw(st.floats(0.8, 2.5)))]
    lo, hi = DURATION[exercise]
    for kind in kinds:
        depth_range = FULL[exercise] if kind == "rep" else PARTIAL[exercise]
        dur = draw(st.floats(lo, hi))
        script.append(
            Move(kind, dur, depth=draw(st.floats(*depth_range)), hold_s=draw(st.floats(0.0, min(0.6, 0.25 * dur))))
        )
        script.append(Move("stand", draw(st.floats(0.0, 1.2))))
    script.append(Move("stand", 0.6))
    return script, n_full


def replay(exercise: str, script: list[Move], cond: dict[str, Any]) -> tuple[int, list[Any]]:
    frames = simulate(
        exercise,
        script,
        rng=np.random.default_rng(cond["seed"]),
        camera=cond["camera"],
        fps=cond["fps"],
        noise_px=cond["noise_px"],
        noise_m=cond["noise_m"],
        drop_p=cond["drop_p"],
        stature=cond["stature"],
    )
    det = make_rep_detector(exercise)
    events: list[Any] = []
    for f in frames:
        events += det.update(f)
    events += det.finish()
    return int(det.summary()["reps"]), events


def _check_set(exercise: str, plan: tuple[list[Move], int], cond: dict[str, Any]) -> None:
    script, n_full = plan
    reps, events = replay(exercise, script, cond)
    rep_events = [e for e in events if isinstance(e, RepEvent)]
    assert reps == n_full, [(e.counted, e.reason, e.metrics.get("rom_pct")) for e in rep_events]
    assert sum(e.counted for e in rep_events) == n_full
    n_partial = sum(m.kind == "partial" for m in script)
    # Every shallow attempt that is reported says why it did not count.
    assert all(e.reason == "not_deep_enough" for e in rep_events if not e.counted)
    assert len(rep_events) <= n_full + n_partial
    inputs = [e for e in events if e.to_json()["type"] == "input"]
    assert not inputs, [e.to_json() for e in inputs]


# Counterexamples found by new draws (HYPOTHESIS_PROFILE=dev, REPS_EXAMPLES=400+), pinned so CI
# replays them.
#
# A partial squat head-on whose 3-D knee hovered at the 140 degree hidden-bend check: the knee read
# 137 on one frame and 165 on the next (image vs 3-D), a phantom turn and rebound, reported twice.
SQUAT_KNEE_AT_HIDDEN_BEND_CHECK: dict[str, Any] = {"plan": (
    [
        Move("stand", 1.577743964648549),
        Move("partial", 2.4901023793574764, depth=0.13231218226697025, hold_s=0.07),
        Move("stand", 0.9089549024529553),
        Move("partial", 1.0, depth=0.2149693116740422, hold_s=1e-05),
        Move("stand", 0.23370356103787526),
        Move("stand", 0.6),
    ],
    0,
), "cond": {
    "camera": Camera(yaw_deg=0.23370356103787526, distance_m=2.8, height_m=0.9383563779689283),
    "fps": 12.0, "noise_px": 1.1018567330709303, "noise_m": 0.01, "drop_p": 0.18473922086616124,
    "stature": 0.85, "seed": 3373414,
}}


# A partial lunge head-on reported twice: at its bottom the front thigh's image-trust weight read
# 0.23 -> 0.73 -> 0.0 on consecutive frames (its bone length and the body's scale read afresh from
# noisy world landmarks each frame), and with the image (88 degrees) and 3-D (39) 50 degrees apart
# the blended thigh incline jumped 49.7 -> 74.1 -> 43.3, a phantom rebound.
LUNGE_THIGH_TRUST_JUMP: dict[str, Any] = {"plan": (
    [
        Move("stand", 1.0),
        Move("partial", 2.0, depth=0.25, hold_s=0.0),
        Move("stand", 0.0),
        Move("rep", 3.0, depth=1.0, hold_s=0.0),
        Move("stand", 0.0),
        Move("partial", 3.0, depth=0.4375, hold_s=0.0),
        Move("stand", 0.0),
        Move("rep", 2.0, depth=1.0, hold_s=0.0),
        Move("stand", 0.0),
        Move("stand", 0.6),
    ],
    2,
), "cond": {
    "camera": Camera(yaw_deg=0.0, distance_m=3.0, height_m=1.25),
    "fps": 15.0, "noise_px": 1.0, "noise_m": 0.015, "drop_p": 0.0, "stature": 0.875, "seed": 1,
}}


@SETTINGS
@given(plan=workout("squat"), cond=conditions())
@example(**SQUAT_KNEE_AT_HIDDEN_BEND_CHECK)
def test_squats_full_cycles_count_once_partials_never(plan: tuple[list[Move], int], cond: dict[str, Any]) -> None:
    _check_set("squat", plan, cond)


@SETTINGS
@given(plan=workout("pushup"), cond=conditions())
def test_pushups_full_cycles_count_once_partials_never(plan: tuple[list[Move], int], cond: dict[str, Any]) -> None:
    _check_set("pushup", plan, cond)


@SETTINGS
@given(plan=workout("lunge"), cond=conditions())
@example(**LUNGE_THIGH_TRUST_JUMP)
def test_lunges_full_cycles_count_once_partials_never(plan: tuple[list[Move], int], cond: dict[str, Any]) -> None:
    _check_set("lunge", plan, cond)


# Found by this test (dev profile, 2026-12-05): a 19 cm jump squat by a small person whose feet
# are below the picture, at 12 frames/s, landed into bent knees (p 0.24) 85 ms after the last
# frame in the air; the hips-only jump check waited for a landing on straight legs and counted
# the take-off's lockout as a rep.
JUMP_LANDED_ON_BENT_KNEES: dict[str, Any] = {"jumps": [(2.5, 1.0, 0.1875)], "cond": {
    "camera": Camera(yaw_deg=0.0, distance_m=2.875, height_m=1.25, focal_px=1000.0, image_size=(1280, 720)),
    "fps": 12.0, "noise_px": 1.0, "noise_m": 0.0078125, "drop_p": 0.0, "stature": 0.859375, "seed": 0,
}}


@settings(max_examples=max(5, 4 * N // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(**JUMP_LANDED_ON_BENT_KNEES)
@given(
    jumps=st.lists(
        st.tuples(st.floats(1.0, 3.0), st.floats(0.3, 1.0), st.floats(0.12, 0.4)), min_size=1, max_size=3
    ),
    cond=conditions(),
)
def test_jumps_are_not_squats(jumps: list[tuple[float, float, float]], cond: dict[str, Any]) -> None:
    script = [Move("stand", 1.0)]
    for dur, depth, height in jumps:
        script += [Move("jump", dur, depth=depth, height_m=height), Move("stand", 0.8)]
    reps, events = replay("squat", script, cond)
    assert reps == 0, [e.to_json() for e in events if isinstance(e, RepEvent)]


@settings(max_examples=max(5, 4 * N // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exercise=st.sampled_from(["squat", "lunge"]),
    speed=st.floats(0.6, 1.4),
    walk_s=st.floats(1.5, 3.5),
    cond=conditions(),
)
def test_walking_toward_the_camera_is_not_a_rep(exercise: str, speed: float, walk_s: float, cond: dict[str, Any]) -> None:
    cam = cond["camera"]
    cond = {**cond, "camera": Camera(yaw_deg=cam.yaw_deg * 0.3, distance_m=7.5, height_m=cam.height_m)}
    script = [Move("stand", 1.0), Move("walk", walk_s, speed_mps=speed), Move("stand", 1.0)]
    reps, _ = replay(exercise, script, cond)
    assert reps == 0


@settings(max_examples=max(5, 3 * N // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dur=st.floats(2.5, 5.0), depth=st.floats(0.8, 1.0), cond=conditions())
def test_half_stand_between_descents_is_one_rep(dur: float, depth: float, cond: dict[str, Any]) -> None:
    script = [Move("stand", 1.0), Move("no_lockout", dur, depth=depth), Move("stand", 1.0)]
    reps, events = replay("squat", script, cond)
    assert reps == 1
    reasons = [e.reason for e in events if isinstance(e, RepEvent)]
    assert reasons == ["no_lockout", None]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=workout("squat"), cond=conditions())
def test_same_frames_same_events(plan: tuple[list[Move], int], cond: dict[str, Any]) -> None:
    script, _ = plan
    a = [e.to_json() for e in replay("squat", script, cond)[1]]
    b = [e.to_json() for e in replay("squat", script, cond)[1]]
    assert a == b


@settings(max_examples=max(5, 3 * N // 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exercise=st.sampled_from(["squat", "pushup", "lunge"]),
    durations=st.lists(st.floats(2.5, 4.5), min_size=1, max_size=3),
    cond=conditions(),
)
def test_slow_reps_at_five_fps(exercise: str, durations: list[float], cond: dict[str, Any]) -> None:
    """Like squat_front_band.mp4 (5 fps): slow full reps still count once each."""
    script = [Move("stand", 1.0)]
    for d in durations:
        script += [Move("rep", d, depth=FULL[exercise][1]), Move("stand", 0.6)]
    reps, events = replay(exercise, script, {**cond, "fps": 5.0, "drop_p": 0.0})
    assert reps == len(durations), [(e.counted, e.reason) for e in events if isinstance(e, RepEvent)]
