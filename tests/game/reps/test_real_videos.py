"""Exact rep counts on the real squat videos in ../shared/data (skipped when the data is absent).

The engine runs on our own skeleton recordings of each video (``shared_recording``), auto-calibrating
from the stream, exactly as ``ringside analyze VIDEO --exercise squat`` does. Two reference landmark
sets that came with the data (not made by our pipeline) are checked too.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.pose.recording import read_recording
from game.pose.types import PoseFrame
from game.reps import RepEvent
from tests.game.reps.support import run

pytestmark = pytest.mark.shared_data

SQUAT_VIDEOS = sorted(
    ["squat_front_band", "squat_side_deep", "squat_threequarter_8", "squat_barbell_side", "squat_side_slow"]
)


@pytest.mark.parametrize("stem", SQUAT_VIDEOS)
def test_exact_count_on_real_video(
    stem: str, shared_recording: Callable[[str], Path], labels: dict[str, Any]
) -> None:
    label = labels["videos"][f"video/{stem}.mp4"]
    det, events = run(read_recording(shared_recording(stem)))
    reps = [e for e in events if isinstance(e, RepEvent)]
    counted = [r for r in reps if r.counted]
    assert abs(det.summary()["reps"] - label["complete_reps"]) <= label["tol"]
    assert len(counted) == label["complete_reps"]
    # Each counted rep's deepest point is near one labelled bottom (by-eye labels: 0.8 s), each used once.
    bottoms = list(label["bottoms_s"])
    for r in counted:
        near = [b for b in bottoms if abs(b - r.bottom_s) <= 0.8]
        assert near, f"counted rep with bottom at {r.bottom_s:.2f}s matches no labelled bottom {label['bottoms_s']}"
        bottoms.remove(near[0])
    for r in counted:
        assert r.score is not None and 0 <= r.score <= 100
        assert r.metrics["mean_velocity_mps"] is not None and 0.02 < r.metrics["mean_velocity_mps"] < 2.5
        assert r.metrics["duration_ms"] >= 500


def test_front_band_partial_third_descent_is_reported_not_counted(shared_recording: Callable[[str], Path]) -> None:
    _, events = run(read_recording(shared_recording("squat_front_band")))
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert [r.counted for r in reps] == [True, True, False]
    assert reps[-1].reason == "incomplete"
    assert reps[-1].score is None and reps[-1].cues


def test_side_deep_walk_toward_camera_is_no_rep(shared_recording: Callable[[str], Path]) -> None:
    det, events = run(read_recording(shared_recording("squat_side_deep")))
    late = [e for e in events if isinstance(e, RepEvent) and e.t_s > 9.3]
    assert all(not r.counted for r in late)
    assert det.summary()["reps"] == 3


def test_views_are_recognised(shared_recording: Callable[[str], Path]) -> None:
    expected = {"squat_front_band": "front", "squat_side_slow": "side", "squat_threequarter_8": "three_quarter"}
    for stem, view in expected.items():
        det, _ = run(read_recording(shared_recording(stem)))
        assert det.summary()["view"] == view, stem


def _reference_front_band(shared: Path) -> list[PoseFrame]:
    px = json.loads((shared / "landmarks" / "squat_front_band.expected_px.json").read_text())
    world = json.loads((shared / "landmarks" / "squat_front_band.expected_world.json").read_text())
    frames = []
    for i, (p, w) in enumerate(zip(px, world, strict=True)):
        lm = np.ones((33, 4))
        lm[:, :3] = p  # the reference has no visibility: everything was found
        frames.append(PoseFrame(i * 200.0, (720, 1280), lm, np.asarray(w, dtype=float), i))
    return frames


def test_reference_landmarks_front_band(shared_data: Path) -> None:
    """The tfjs reference landmarks of the same clip (5 fps, frame i at i*200 ms): 2 reps, not 3."""
    det, events = run(_reference_front_band(shared_data))
    assert det.summary()["reps"] == 2
    assert [e.counted for e in events if isinstance(e, RepEvent)] == [True, True, False]


def test_reference_landmarks_without_world_fall_back_to_2d(shared_data: Path) -> None:
    frames = [PoseFrame(f.timestamp_ms, f.image_size, f.landmarks_px, None, f.index) for f in _reference_front_band(shared_data)]
    det, _ = run(frames)
    assert det.summary()["reps"] == 2


def test_mediapipe_csv_side_slow(shared_data: Path) -> None:
    """Someone else's MediaPipe run over squat_side_slow (normalised landmarks, no world): 1 rep."""
    path = shared_data / "landmarks" / "squat_side_slow.mediapipe.csv"
    w, h = 324, 422
    frames = []
    with path.open() as fh:
        for row in csv.DictReader(fh):
            i = int(float(row["frame"]))
            lm = np.array(
                [[float(row[f"x_{j}"]) * w, float(row[f"y_{j}"]) * h, float(row[f"z_{j}"]) * w, float(row[f"visibility_{j}"])] for j in range(33)]
            )
            frames.append(PoseFrame(i * 1000.0 / 30.0, (w, h), lm, None, i))
    det, _ = run(frames)
    assert det.summary()["reps"] == 1


def _perturbations(frames: list[PoseFrame]) -> dict[str, list[PoseFrame]]:
    """The same recording as other cameras and trackers would give it."""
    rng = np.random.default_rng(0)
    w = frames[0].image_size[0]
    out: dict[str, list[PoseFrame]] = {"every 2nd frame": frames[::2], "every 3rd frame": frames[::3]}
    for i in range(3):
        out[f"20% frames dropped #{i}"] = [f for f in frames if rng.random() > 0.2]
    for sigma_px in (2.0, 5.0):
        noisy = []
        for f in frames:
            if f.landmarks_px is None:
                noisy.append(f)
                continue
            p = f.landmarks_px.copy()
            p[:, :2] += rng.normal(0.0, sigma_px, (33, 2))
            wm = None if f.world_m is None else f.world_m + rng.normal(0.0, 0.005 * sigma_px, (33, 3))
            noisy.append(replace(f, landmarks_px=p, world_m=wm))
        out[f"noise {sigma_px:.0f} px / {5 * sigma_px:.0f} mm"] = noisy
    mirrored = []
    for f in frames:
        if f.landmarks_px is None:
            mirrored.append(f)
            continue
        p = f.landmarks_px.copy()
        p[:, 0] = w - p[:, 0]
        wm = None if f.world_m is None else f.world_m * np.array([-1.0, 1.0, 1.0])
        mirrored.append(replace(f, landmarks_px=p, world_m=wm))
    out["mirrored"] = mirrored
    out["no world landmarks"] = [replace(f, world_m=None) for f in frames]
    return out


@pytest.mark.parametrize("stem", SQUAT_VIDEOS)
def test_counts_survive_other_cameras_and_trackers(
    stem: str, shared_recording: Callable[[str], Path], labels: dict[str, Any]
) -> None:
    """Lower frame rates, dropped frames, extra jitter, a mirrored image, 2-D only: same count."""
    truth = labels["videos"][f"video/{stem}.mp4"]["complete_reps"]
    frames = list(read_recording(shared_recording(stem)))
    got = {name: run(variant)[0].summary()["reps"] for name, variant in _perturbations(frames).items()}
    assert all(v == truth for v in got.values()), got
