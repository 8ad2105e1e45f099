"""BlazePose through our pipeline against the reference landmarks in ../shared/data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from game.pose.pipeline import PipelineOptions, PosePipeline
from game.pose.sources import ImageSource, VideoSource


def test_still_image_within_reference_tolerance(shared_data: Path) -> None:
    expected = json.loads((shared_data / "image/pose_warrior.expected.json").read_text())
    pipe = PosePipeline(PipelineOptions(static_image=True, smoothing=False))
    try:
        pf = pipe.process(next(iter(ImageSource(shared_data / "image/pose_warrior.jpg"))))
    finally:
        pipe.close()
    assert pf.landmarks_px is not None and pf.world_m is not None
    err_px = np.linalg.norm(pf.landmarks_px[:, :2] - np.array(expected["pixel_xy"]), axis=1)
    assert err_px.max() <= expected["pixel_tolerance_px"]["mediapipe_pose_test"], err_px.round(1)
    err_w = np.abs(pf.world_m - np.array(expected["world_xyz_m"]))
    assert err_w.max() <= expected["world_tolerance_m"]["mediapipe_pose_test"]


def test_video_error_against_the_per_frame_reference(shared_data: Path) -> None:
    """squat_front_band (5 fps) against the reference BlazePose landmarks of its source.

    Measured 2026-12-05: raw model 5.98 px mean (mediapipe 0.10.21 solutions: 6.79 px), smoothed
    5.44 px (0.10.21: 4.82 px). The Tasks model tracks closer to the reference; the One Euro
    filter (tuned at 30 fps) lags a little at this clip's 5 fps, so the raw figure is the one
    held to the old model's, and smoothing must not make the mean worse than raw.
    """
    ref = np.array(json.loads((shared_data / "landmarks/squat_front_band.expected_px.json").read_text()))
    frames = list(VideoSource(shared_data / "video/squat_front_band.mp4"))
    assert len(frames) == len(ref)
    mean_px = {}
    for smoothing in (False, True):
        pipe = PosePipeline(PipelineOptions(smoothing=smoothing))
        errors = []
        try:
            for i, frame in enumerate(frames):
                pf = pipe.process(frame)
                assert pf.landmarks_px is not None, f"no person in frame {i}"
                errors.append(np.linalg.norm(pf.landmarks_px[:, :2] - ref[i][:, :2], axis=1))
        finally:
            pipe.close()
        mean_px[smoothing] = float(np.mean(errors))
    assert mean_px[False] < 6.79, mean_px  # the mediapipe 0.10.21 model's raw mean on this clip
    assert mean_px[True] <= mean_px[False], mean_px


def test_nobody_in_a_blank_image(tmp_path: Path) -> None:
    import cv2

    blank = tmp_path / "wall.png"
    cv2.imwrite(str(blank), np.full((480, 640, 3), 180, np.uint8))
    pipe = PosePipeline(PipelineOptions(static_image=True))
    try:
        pf = pipe.process(next(iter(ImageSource(blank))))
    finally:
        pipe.close()
    assert not pf.has_person and pf.landmarks_px is None


def test_lowlight_enhancement_recovers_a_dark_clip(shared_data: Path) -> None:
    """A clip darkened to a mean luma of ~7/255: BlazePose alone loses the person; with CLAHE on
    luminance (and a gamma lift) it finds them again."""
    from game.pose.lowlight import LowLightOptions
    from game.pose.types import Frame

    rng = np.random.default_rng(0)
    frames = [Frame(np.clip(f.image_bgr.astype(np.float32) * 0.08 + rng.normal(0, 2.0, f.image_bgr.shape),
                            0, 255).astype(np.uint8), f.timestamp_ms, f.index)
              for f in list(VideoSource(shared_data / "video/jab_side_single.mp4"))[::3]]
    # Every third frame keeps the test at ~2 s; the separation is the same on all frames
    # (measured: found in 0 % without and 100 % with enhancement, on every 1st, 2nd or 3rd frame).
    rates = {}
    for enabled in (False, True):
        pipe = PosePipeline(PipelineOptions(lowlight=LowLightOptions(enabled=enabled)))
        try:
            rates[enabled] = sum(pipe.process(f).has_person for f in frames) / len(frames)
        finally:
            pipe.close()
    assert rates[True] >= 0.9
    assert rates[True] - rates[False] >= 0.4
