"""The punch detector on generated skeletons: punches from several camera angles, things that are
not punches, half-thrown punches, and bad input."""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.analysis import Event, make_detector
from game.boxing import PunchDetector, PunchEvent
from game.pose.types import LM, PoseFrame
from models.punch_synth import Clip, Noise, flail_clip, motion_clip, punch_clip, render


def seed_of(*parts: object) -> int:
    return zlib.crc32(repr(parts).encode())


def detect(frames: tuple[PoseFrame, ...] | list[PoseFrame], orthodox: bool | None = None) -> list[PunchEvent]:
    det = PunchDetector(orthodox=orthodox)
    events: list[PunchEvent] = []
    for f in frames:
        events += det.update(f)
    events += det.finish()
    return events


def complete(events: list[PunchEvent]) -> list[PunchEvent]:
    return [e for e in events if e.complete]


def near_hand(yaw: float) -> str | None:
    """At more than ~55 degrees the far arm is hidden behind the body: throw with the near one."""
    if abs(yaw) < 55:
        return None
    return "left" if yaw > 0 else "right"


def make_punch(kind: str, yaw: float, seed: int, *, complete: bool = True) -> Clip:
    rng = np.random.default_rng(seed)
    near = near_hand(yaw)
    if kind in ("hook", "uppercut"):
        return punch_clip(kind, rng, yaw_deg=yaw, hand=near, complete=complete)
    southpaw = None if near is None else ((near == "right") == (kind == "jab"))
    return punch_clip(kind, rng, yaw_deg=yaw, southpaw=southpaw, complete=complete)


# Camera yaw: 0 = facing the camera, +-90 = profile. Hooks move mostly in depth when seen from
# the side, which BlazePose barely resolves, so they are checked up to 45 degrees.
ANGLES = {
    "jab": (0.0, 30.0, -45.0, 80.0, -90.0),
    "cross": (0.0, -30.0, 45.0, -80.0, 90.0),
    "hook": (0.0, 30.0, -30.0, 45.0),
    "uppercut": (0.0, 35.0, -45.0, 90.0),
}


@pytest.mark.parametrize("kind,yaw", [(k, y) for k, ys in ANGLES.items() for y in ys])
def test_generated_punch_is_found_once_with_the_right_hand(kind: str, yaw: float) -> None:
    clip = make_punch(kind, yaw, seed_of("found", kind, yaw))
    truth = clip.truth[0]
    got = detect(clip.frames, orthodox=not clip.body.southpaw)
    assert len(got) == 1, f"{kind} at {yaw} deg: {[e.to_json() for e in got]}"
    ev = got[0]
    assert ev.hand == truth.hand
    assert ev.kind == truth.kind
    assert ev.lead == truth.lead
    assert abs(ev.t_s - truth.t_s) <= 0.15
    assert ev.speed_mps > 0.5 and 0.0 < ev.extension <= 1.0
    if kind != "hook":
        assert ev.complete


def test_full_hooks_are_mostly_counted_as_complete() -> None:
    """A hook counts when it swings the fist across the body; seen at an angle some full hooks
    show too little of that swing and are reported as half hooks (never the reverse: see
    test_half_thrown_hooks_and_uppercuts_are_not_counted)."""
    counted = 0
    for yaw in ANGLES["hook"]:
        for rep in range(3):
            clip = make_punch("hook", yaw, seed_of("hookfull", yaw, rep))
            got = complete(detect(clip.frames, orthodox=not clip.body.southpaw))
            counted += len(got) == 1 and got[0].kind == "hook"
    assert counted >= 9, f"{counted}/12"


def test_kind_accuracy_over_many_random_clips() -> None:
    """Held-apart bodies, cameras and noise: the kind is right for most punches."""
    right = total = 0
    for i in range(40):
        kind = ("jab", "cross", "hook", "uppercut")[i % 4]
        yaw = float(np.random.default_rng(i).uniform(-45, 45))
        clip = make_punch(kind, yaw, seed_of("acc", i))
        got = complete(detect(clip.frames, orthodox=not clip.body.southpaw))
        total += 1
        right += len(got) == 1 and got[0].kind == clip.truth[0].kind and got[0].hand == clip.truth[0].hand
    assert right / total >= 0.85, f"{right}/{total}"


@pytest.mark.parametrize("motion", ["wave", "guard_adjust", "hand_to_face", "walk", "reach_slow", "idle"])
@pytest.mark.parametrize("yaw", [0.0, 40.0, -70.0])
def test_non_punch_motion_yields_no_punch(motion: str, yaw: float) -> None:
    for rep in range(2):
        clip = motion_clip(motion, np.random.default_rng(seed_of("np", motion, yaw, rep)), yaw_deg=yaw)
        got = complete(detect(clip.frames))
        assert got == [], f"{motion} at {yaw} deg: {[e.to_json() for e in got]}"


def test_flailing_is_mostly_refused() -> None:
    """Arms thrown about at random for 20 s (about 260 swings of the two arms): only a stray few
    excursions pass as punches, and those the game's flail lock voids (see test_rules)."""
    clip = flail_clip(20.0, np.random.default_rng(seed_of("flail")))
    det = PunchDetector()
    got = []
    for f in clip.frames:
        got += det.update(f)
    # 12 before a hand could relaunch from a wind-up without coming home (docs/BOXING.md), 18
    # since: a few more swings pass, and the game's flail lock voids them all (test_rules).
    assert len(got) <= 20
    assert any(why == "flail" or why.startswith("not from") for _, _, why in det.rejected)


def test_half_thrown_straight_is_reported_as_such() -> None:
    """Jabs and crosses stopped 40-65 % of the way out: never counted, mostly reported as half
    (the smallest ones, a few centimetres past the guard, are not distinguishable from a guard
    shuffle and pass unreported)."""
    reported = total = 0
    for kind in ("jab", "cross"):
        for rep in range(8):
            clip = make_punch(kind, 0.0, seed_of("half", kind, rep), complete=False)
            events = detect(clip.frames, orthodox=not clip.body.southpaw)
            assert complete(events) == [], [e.to_json() for e in events]
            total += 1
            reported += any(not e.complete and e.hand == clip.truth[0].hand for e in events)
    assert reported >= total // 2, f"{reported}/{total}"


def test_combination_is_found_in_order() -> None:
    from models.punch_synth import combo_clip

    clip = combo_clip([("jab", "left"), ("cross", "right"), ("hook", "left"), ("cross", "right")],
                      np.random.default_rng(seed_of("combo")), yaw_deg=15.0, southpaw=False)
    got = complete(detect(clip.frames, orthodox=True))
    assert [(e.hand, e.kind) for e in got] == [(t.hand, t.kind) for t in clip.truth]


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    yaw=st.floats(-45, 45),
    px_sigma=st.floats(0.0, 0.004),
    depth_gain=st.floats(0.55, 1.0),
    # The game's camera runs at 30 fps (60 where offered). At 24 fps (film) with a dropped frame, a
    # jab locked out for under a frame can read as half-thrown: docs/BOXING.md, Limitations.
    fps=st.sampled_from([30.0, 60.0]),
)
def test_a_full_jab_counts_once_whatever_the_noise(seed: int, yaw: float, px_sigma: float, depth_gain: float,
                                                   fps: float) -> None:
    # Derandomised so CI is repeatable; widen max_examples locally to explore (300 cases pass).
    # No dropped frames here: a frame lost at the very peak hides the lock-out (see the next test).
    noise = Noise(px_sigma_frac=px_sigma, world_sigma_m=0.004, depth_sigma_m=0.01, depth_gain=depth_gain,
                  world_scale=0.85, drop_prob=0.0, fps=fps)
    clip = punch_clip("jab", np.random.default_rng(seed), yaw_deg=yaw, noise=noise)
    got = complete(detect(clip.frames, orthodox=not clip.body.southpaw))
    assert len(got) == 1 and got[0].hand == clip.truth[0].hand


def test_dropped_frames_never_double_count() -> None:
    """One frame in ten lost at random: each jab is reported at most once, and almost always as
    a complete punch (a frame lost at the very peak can leave it reading half-thrown)."""
    counted = 0
    for rep in range(12):
        noise = dataclasses.replace(Noise.sample(np.random.default_rng(rep), smooth=False), drop_prob=0.1)
        clip = punch_clip("jab", np.random.default_rng(seed_of("drop", rep)), yaw_deg=0.0, noise=noise)
        got = detect(clip.frames, orthodox=not clip.body.southpaw)
        assert len(got) <= 1
        counted += len(complete(got)) == 1
    assert counted >= 10


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), yaw=st.floats(-45, 45))
def test_a_partial_jab_never_counts(seed: int, yaw: float) -> None:
    clip = punch_clip("jab", np.random.default_rng(seed), yaw_deg=yaw, complete=False)
    assert complete(detect(clip.frames)) == []


# -- bad input ------------------------------------------------------------------------------


def test_lost_track_mid_punch_gives_no_phantom() -> None:
    rng = np.random.default_rng(seed_of("lost"))
    from models.punch_synth import Body, camera, punch_programme

    body = Body.sample(rng, southpaw=False)
    prog, truth = punch_programme("jab", rng, body, lead_in_s=0.8)
    t_peak = truth[0].t_s
    frames = render(prog, body, camera(yaw_deg=10.0), Noise.sample(rng), rng,
                    lost_track_s=(t_peak - 0.08, t_peak + 0.3))
    got = detect(frames, orthodox=True)
    assert all(not (t_peak - 0.1 <= e.t_s <= t_peak + 0.35) for e in got)
    assert len(complete(got)) <= 1


def test_hand_out_of_frame_gives_no_punch() -> None:
    clip = make_punch("jab", 0.0, seed_of("oof"))
    t_peak = clip.truth[0].t_s
    hand = clip.truth[0].hand
    wrist = LM.LEFT_WRIST if hand == "left" else LM.RIGHT_WRIST
    frames = []
    for f in clip.frames:
        if f.landmarks_px is not None and abs(f.t_s - t_peak) < 0.25:
            p = f.landmarks_px.copy()
            p[wrist, 0] = f.image_size[0] + 40.0  # beyond the right edge
            p[wrist, 3] = 0.05
            f = dataclasses.replace(f, landmarks_px=p)
        frames.append(f)
    assert complete(detect(frames, orthodox=not clip.body.southpaw)) == []


def test_second_person_stepping_in_gives_no_phantom() -> None:
    a = motion_clip("idle", np.random.default_rng(seed_of("p1")), yaw_deg=0.0)
    b = motion_clip("idle", np.random.default_rng(seed_of("p2")), yaw_deg=-30.0)
    # The tracker jumps from one person to the other and back every 0.5 s.
    frames = []
    for i, f in enumerate(a.frames):
        if (i // 15) % 2 == 1 and i < len(b.frames):
            other = b.frames[i]
            p = None if other.landmarks_px is None else other.landmarks_px + np.array([180.0, 20.0, 0.0, 0.0])
            f = dataclasses.replace(f, landmarks_px=p, world_m=other.world_m)
        frames.append(f)
    assert detect(frames) == []


def test_garbage_landmarks_do_not_crash() -> None:
    clip = make_punch("jab", 0.0, seed_of("nan"))
    frames = list(clip.frames)
    bad = frames[20]
    assert bad.landmarks_px is not None
    p = bad.landmarks_px.copy()
    p[LM.LEFT_SHOULDER, :2] = np.nan
    frames[20] = dataclasses.replace(bad, landmarks_px=p)
    frames.insert(10, PoseFrame(frames[9].timestamp_ms + 1, bad.image_size, None))
    frames[30] = dataclasses.replace(frames[30], world_m=np.full((33, 3), np.inf))
    det = PunchDetector()
    for f in frames:
        det.update(f)  # must not raise
    det.finish()
    assert det.summary()["punches"] <= 1


def test_image_only_input_still_finds_a_profile_jab() -> None:
    """No world landmarks (a 2-D backend): a jab across the image is still a jab."""
    clip = make_punch("jab", 85.0, seed_of("2d"))
    frames = [dataclasses.replace(f, world_m=None) for f in clip.frames]
    got = complete(detect(frames, orthodox=not clip.body.southpaw))
    assert len(got) == 1 and got[0].hand == clip.truth[0].hand


def test_same_stream_same_events() -> None:
    clip = make_punch("hook", 20.0, seed_of("det"))
    a = [e.to_json() for e in detect(clip.frames)]
    b = [e.to_json() for e in detect(clip.frames)]
    assert a == b and a


def test_event_json_and_summary() -> None:
    clip = make_punch("cross", 0.0, seed_of("json"))
    det = make_detector("boxing")
    events: list[Event] = []
    for f in clip.frames:
        events += det.update(f)
    events += det.finish()
    assert events
    js = events[0].to_json()
    assert js["type"] == "punch"
    assert js["hand"] in ("left", "right") and isinstance(js["lead"], bool)
    assert js["kind"] in ("jab", "cross", "hook", "uppercut")
    assert isinstance(js["speed_mps"], float) and isinstance(js["extension"], float)
    assert isinstance(js["complete"], bool) and isinstance(js["t"], float)
    summary = det.summary()
    assert summary["punches"] == sum(1 for e in events if e.to_json()["complete"])
    assert set(summary["by_kind"]) == {"jab", "cross", "hook", "uppercut"}


@pytest.mark.parametrize("kind", ["hook", "uppercut"])
def test_half_thrown_hooks_and_uppercuts_are_not_counted(kind: str) -> None:
    """A hook that stops out wide, an uppercut that stops below the chin: (almost) never counted."""
    counted = 0
    for rep in range(20):
        rng = np.random.default_rng(seed_of("halfbent", kind, rep))
        clip = punch_clip(kind, rng, yaw_deg=float(rng.uniform(-40, 40)), complete=False)
        counted += bool(complete(detect(clip.frames, orthodox=not clip.body.southpaw)))
    assert counted <= 1
