"""The landmarks-only bundle the game runs (game/pose/bundle.py) against the shipped one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from game.errors import ModelError
from game.pose.backend import create_landmarker, pose_model_path
from game.pose.bundle import (
    ALIGNMENT,
    LANDMARK_MEMBER,
    landmarks_only_bundle,
    without_segmentation,
)


def _members(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _graph(model: bytes) -> schema.SubGraphT:
    return schema.ModelT.InitFromPackedBuf(model, 0).subgraphs[0]


def test_the_mask_branch_is_gone_and_everything_else_is_kept() -> None:
    shipped = _members(pose_model_path().read_bytes())
    derived = _members(landmarks_only_bundle(pose_model_path()))
    assert sorted(derived) == sorted(shipped)
    assert derived["pose_detector.tflite"] == shipped["pose_detector.tflite"]
    full, lean = _graph(shipped[LANDMARK_MEMBER]), _graph(derived[LANDMARK_MEMBER])
    # Tasks splits five outputs; the mask (third) is now a 1x1x1x1 placeholder.
    assert len(lean.outputs) == 5
    assert list(lean.tensors[lean.outputs[2]].shape) == [1, 1, 1, 1]
    assert list(full.tensors[full.outputs[2]].shape) == [1, 256, 256, 1]
    for i in (0, 1, 3, 4):
        assert list(lean.tensors[lean.outputs[i]].shape) == list(full.tensors[full.outputs[i]].shape)

    def full_res(graph: schema.SubGraphT) -> int:
        return sum(1 for op in graph.operators for t in op.outputs
                   if list(graph.tensors[t].shape)[1:3] == [256, 256])

    # 46 of 332 operators fed only the mask; nothing is computed at the mask's resolution any more.
    assert len(full.operators) - len(lean.operators) == 45  # 46 removed, the placeholder added
    assert full_res(full) > 0 and full_res(lean) == 0


def test_members_and_weights_are_aligned() -> None:
    bundle = landmarks_only_bundle(pose_model_path())
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        for info in zf.infolist():
            name_len = int.from_bytes(bundle[info.header_offset + 26:info.header_offset + 28], "little")
            extra_len = int.from_bytes(bundle[info.header_offset + 28:info.header_offset + 30], "little")
            assert (info.header_offset + 30 + name_len + extra_len) % ALIGNMENT == 0, info.filename
    model = _members(bundle)[LANDMARK_MEMBER]
    root = schema.Model.GetRootAs(model, 0)
    for i in range(root.BuffersLength()):
        buf = root.Buffers(i)
        if buf.DataLength():
            assert buf.DataAsNumpy().ctypes.data % ALIGNMENT == np.frombuffer(model, np.uint8).ctypes.data % ALIGNMENT


def test_another_model_is_refused_not_guessed(tmp_path: Path) -> None:
    detector = _members(pose_model_path().read_bytes())["pose_detector.tflite"]
    with pytest.raises(ModelError, match="outputs"):
        without_segmentation(detector)
    with pytest.raises(ModelError, match="cannot be read"):
        without_segmentation(b"not a model at all, just some bytes")
    broken = tmp_path / "broken.task"
    broken.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ModelError):
        landmarks_only_bundle(broken)


@pytest.mark.slow
def test_the_game_gets_the_very_same_landmarks_as_the_full_model(shared_data: Path) -> None:
    """On real frames (VIDEO mode, tracking between frames), the derived bundle and the shipped
    one give bit-identical landmarks, world landmarks and visibilities."""
    import cv2

    from game.pose.sources import VideoSource

    frames = []
    for f in VideoSource(shared_data / "video/squat_side_deep.mp4"):
        frames.append(cv2.cvtColor(f.image_bgr, cv2.COLOR_BGR2RGB))
        if len(frames) == 40:
            break
    tasks, lean = create_landmarker(video=True)  # what MediaPipeBackend uses
    options = tasks.pl.PoseLandmarkerOptions(
        base_options=tasks.BaseOptions(model_asset_path=str(pose_model_path())),
        running_mode=tasks.RunningMode.VIDEO, num_poses=1, min_pose_detection_confidence=0.5,
        min_pose_presence_confidence=0.5, min_tracking_confidence=0.5)
    full = tasks.pl.PoseLandmarker.create_from_options(options)
    found = 0
    try:
        for i, rgb in enumerate(frames):
            got = [lm.detect_for_video(tasks.Image(image_format=tasks.ImageFormat.SRGB, data=rgb), i * 33 + 1)
                   for lm in (lean, full)]
            a, b = ([[(p.x, p.y, p.z, p.visibility) for p in pose] for pose in r.pose_landmarks] for r in got)
            wa, wb = ([[(p.x, p.y, p.z) for p in pose] for pose in r.pose_world_landmarks] for r in got)
            assert a == b and wa == wb, f"frame {i}"
            found += bool(a)
    finally:
        lean.close()
        full.close()
    assert found == len(frames)


def test_the_backend_runs_the_landmarks_only_bundle_unless_masks_are_asked_for(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from game.pose import backend, bundle

    calls: list[Path] = []

    def spy(path: Path) -> bytes:
        calls.append(path)
        return landmarks_only_bundle(path)

    monkeypatch.setattr(bundle, "landmarks_only_bundle", spy)
    backend._landmarks_only_cached.cache_clear()
    try:
        backend.MediaPipeBackend().close()
        backend.MediaPipeBackend().close()  # derived once per process
        assert calls == [pose_model_path()]
        _tasks, with_masks = create_landmarker(video=False, segmentation=True)
        with_masks.close()
        assert len(calls) == 1
    finally:
        backend._landmarks_only_cached.cache_clear()
