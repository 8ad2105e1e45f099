"""The same punch filmed at 10, 15, 30 and 60 frames per second gives the same events.

The state machine once counted frames where it meant time ("stopped for two frames", speeds over
the last two frames, a rise "within one frame"): 33 ms at 60 fps, 200 ms at 10 fps. A slow
straight split in two at 60 fps, a speed over two 60 fps frames doubled the landmark noise, and a
10 fps camera saw few of the frames a rule asked for. Here one generated punch (one programme, one
body, one camera) is rendered at each frame rate with light tracker noise and no dropped frames,
and the detector the game uses must report the same punches: same hand, kind and completeness,
within a 10 fps frame of each other. Plus unit tests of the time-based speed
(``game.boxing.kinematics.velocity``) on uneven frame gaps.
"""

from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pytest

from game.boxing import make_punch_detector
from game.boxing.events import PunchEvent
from game.boxing.kinematics import SPEED_WINDOW_S, velocity, window_start
from game.pose.types import PoseFrame
from models.punch_synth import Body, Noise, punch_programme, render, sample_camera

FPS = (10.0, 15.0, 30.0, 60.0)
# Light tracker noise (a well-lit webcam): the comparison is about frame rate, not noise.
NOISE = Noise(px_sigma_frac=0.001, world_sigma_m=0.002, depth_sigma_m=0.004, drop_prob=0.0)


def seed_of(*parts: object) -> int:
    return zlib.crc32(repr(parts).encode())


def rendered(kind: str, seed: int, yaw_deg: float, fps: float) -> list[PoseFrame]:
    """One punch programme (the same for every ``fps``: its own generator), sampled at ``fps``."""
    rng = np.random.default_rng(seed)
    body = Body.sample(rng, southpaw=False)
    cam = sample_camera(rng, yaw_deg)
    prog, _ = punch_programme(kind, rng, body)
    return render(prog, body, cam, dataclasses.replace(NOISE, fps=fps), np.random.default_rng(seed + 1))


def events(frames: list[PoseFrame]) -> list[PunchEvent]:
    det = make_punch_detector()
    out = [e for f in frames for e in det.update(f)]
    return out + det.finish()


def assert_same_events(by_fps: dict[float, list[PunchEvent]], what: str) -> None:
    ref = by_fps[30.0]
    for fps, got in by_fps.items():
        assert [(e.hand, e.kind, e.complete) for e in got] == [(e.hand, e.kind, e.complete) for e in ref], (
            f"{what} at {fps:g} fps: {[e.to_json() for e in got]} vs 30 fps: {[e.to_json() for e in ref]}")
        for a, b in zip(got, ref, strict=True):
            assert abs(a.t_s - b.t_s) <= 0.1, f"{what} at {fps:g} fps: peak {a.t_s:.2f} s vs {b.t_s:.2f} s"


@pytest.mark.parametrize("yaw", [0.0, 30.0, -45.0])
@pytest.mark.parametrize("kind", ["jab", "cross"])
def test_a_straight_gives_the_same_events_at_10_to_60_fps(kind: str, yaw: float) -> None:
    for k in range(4):
        seed = seed_of("fps", kind, yaw, k)
        by_fps = {fps: events(rendered(kind, seed, yaw, fps)) for fps in FPS}
        assert len([e for e in by_fps[30.0] if e.complete]) == 1, f"{kind} {yaw} #{k}: not found at 30 fps"
        assert_same_events(by_fps, f"{kind} at {yaw:g} deg #{k}")


def test_hooks_and_uppercuts_mostly_give_the_same_events_at_15_and_60_fps() -> None:
    """Bent-arm punches are shorter (0.2-0.3 s from the guard to the peak, with a wind-up or a
    dip), so a frame more or less still moves one over a threshold now and then (an uppercut rising
    0.24 arm lengths at one frame rate, 0.25 at another). Of 18 generated hooks and 18 uppercuts
    found at 30 fps, at 15 and at 60 fps at least 90 % give the same events as at 30 fps (measured
    2026-12-05: 60 of 64; 55 with the frame counts). At 10 fps a wind-up and its swing fall between
    two or three frames and the speed reads half (docs/BOXING.md, Limitations): not compared here."""
    same = total = 0
    for kind in ("hook", "uppercut"):
        for yaw in (0.0, 30.0, -45.0):
            for k in range(6):
                seed = seed_of("fps", kind, yaw, k)
                ref = [(e.hand, e.kind, e.complete) for e in events(rendered(kind, seed, yaw, 30.0))]
                if not any(complete for _, _, complete in ref):
                    continue  # not found at 30 fps either: nothing to compare
                for fps in (15.0, 60.0):
                    got = [(e.hand, e.kind, e.complete) for e in events(rendered(kind, seed, yaw, fps))]
                    same += got == ref
                    total += 1
    assert total >= 50 and same >= 0.9 * total, f"{same}/{total}"


# -- the time-based speed --------------------------------------------------------------------


def test_velocity_is_per_second_at_any_frame_rate_and_with_gaps() -> None:
    """A wrist moving at a steady 2 m/s reads 2 m/s whatever the frame rate, with frames missing
    at random, and on whole-millisecond timestamps."""
    rng = np.random.default_rng(seed_of("velocity"))
    for fps in (10.0, 24.0, 30.0, 60.0, 120.0):
        t = np.round(np.arange(0.0, 1.0, 1.0 / fps) * 1000.0) / 1000.0
        t = t[rng.random(t.size) > 0.2]
        x = [np.array([2.0 * ti, 0.5, -1.0 * ti]) for ti in t]
        v = velocity(list(t), x)
        assert np.allclose(v, [2.0, 0.0, -1.0], atol=0.05), (fps, v)


def test_velocity_averages_noise_at_high_frame_rates() -> None:
    """Landmark noise drawn afresh in every frame: over the same 67 ms, 60 fps reads no noisier than
    30 fps (a two-frame difference at 60 fps would read it twice as noisy)."""
    rng = np.random.default_rng(seed_of("noise"))

    def noise_speed(fps: float) -> float:
        t = list(np.arange(0.0, 0.2, 1.0 / fps))
        out = []
        for _ in range(400):
            x = [rng.normal(0.0, 0.01, 3) for _ in t]
            out.append(float(np.linalg.norm(velocity(t, x))))
        return float(np.median(out))

    assert noise_speed(60.0) <= noise_speed(30.0)


def test_window_start_spans_the_window_or_takes_the_last_gap() -> None:
    t30 = [0.0, 0.033, 0.067, 0.1]
    assert window_start(t30, SPEED_WINDOW_S) == 1  # two frame intervals back at 30 fps
    t10 = [0.0, 0.1, 0.2]
    assert window_start(t10, SPEED_WINDOW_S) == 1  # one interval at 10 fps spans it
    t60 = [k / 60.0 for k in range(8)]
    assert window_start(t60, SPEED_WINDOW_S) == 3  # four intervals at 60 fps
    assert window_start([0.5], SPEED_WINDOW_S) == 0
