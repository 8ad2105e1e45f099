"""Phone videos with a rotation tag arrive upright.

The clips are made here: a small MP4 written by OpenCV, then its track header's display matrix
set to a rotation, exactly where a phone puts it (ISO/IEC 14496-12 ``tkhd``: a 3x3 matrix of
16.16 fixed-point numbers after the layer/volume fields).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.pose.sources import VideoSource

W, H = 64, 48

# Display matrices (a, b, u, c, d, v, x, y, w) for a clockwise rotation of the stored picture.
MATRIX = {
    0: (0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000),
    90: (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000),
    180: (-0x10000, 0, 0, 0, -0x10000, 0, 0, 0, 0x40000000),
    270: (0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000),
}


def tagged_clip(path: Path, rotation: int, frames: int = 4) -> Path:
    """A 64x48 clip (stored landscape) with a red block at the stored top-left, tagged to be shown
    rotated clockwise by ``rotation`` degrees."""
    import cv2

    raw = path.with_suffix(".raw.mp4")
    writer = cv2.VideoWriter(str(raw), cv2.VideoWriter.fourcc(*"mp4v"), 10, (W, H))
    if not writer.isOpened():
        pytest.skip("this OpenCV build cannot write MP4 (mp4v)")
    for _ in range(frames):
        image = np.zeros((H, W, 3), np.uint8)
        image[:12, :16] = (0, 0, 255)
        writer.write(image)
    writer.release()
    data = bytearray(raw.read_bytes())
    box = data.find(b"tkhd")
    assert box > 0, "no track header in the written clip"
    version = data[box + 4]
    # After 'tkhd': version+flags (4), times/track id/duration (20 or 32), reserved (8),
    # layer, alternate group, volume, reserved (2 each).
    matrix_at = box + 4 + 4 + (32 if version == 1 else 20) + 8 + 8
    struct.pack_into(">9i", data, matrix_at, *MATRIX[rotation])
    path.write_bytes(bytes(data))
    raw.unlink()
    return path


def red_corner(image: np.ndarray) -> tuple[str, str]:
    """Where the red block is: ('top'|'bottom', 'left'|'right')."""
    ys, xs = np.nonzero(image[..., 2] > 128)
    h, w = image.shape[:2]
    return ("top" if ys.mean() < h / 2 else "bottom", "left" if xs.mean() < w / 2 else "right")


# Turning the stored picture clockwise moves its top-left corner to the top-right (90),
# bottom-right (180) or bottom-left (270).
EXPECTED = {0: ("top", "left"), 90: ("top", "right"), 180: ("bottom", "right"), 270: ("bottom", "left")}


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotation_tag_is_honoured(tmp_path: Path, rotation: int) -> None:
    src = VideoSource(tagged_clip(tmp_path / f"r{rotation}.mp4", rotation))
    try:
        frames = list(src)
    finally:
        src.close()
    assert len(frames) == 4
    upright_shape = (W, H) if rotation in (90, 270) else (H, W)
    assert all(f.image_bgr.shape[:2] == upright_shape for f in frames)
    assert red_corner(frames[0].image_bgr) == EXPECTED[rotation]
    assert src.rotation_deg == rotation


class NoAutoRotate:
    """A decoder that reports a rotation tag but will not apply it (some OpenCV builds/backends)."""

    def __init__(self, rotation: int) -> None:
        self.rotation = rotation
        self.n = 0

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        if self.n >= 2:
            return False, None
        self.n += 1
        image = np.zeros((H, W, 3), np.uint8)
        image[:12, :16] = (0, 0, 255)
        return True, image

    def set(self, prop: int, value: float) -> bool:
        return False

    def get(self, prop: int) -> float:
        import cv2

        return {cv2.CAP_PROP_ORIENTATION_META: float(self.rotation), cv2.CAP_PROP_FPS: 10.0,
                cv2.CAP_PROP_FRAME_COUNT: 2.0, cv2.CAP_PROP_POS_MSEC: self.n * 100.0}.get(prop, 0.0)

    def release(self) -> None:
        pass


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotation_applied_by_us_when_the_decoder_will_not(tmp_path: Path, rotation: int) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"stand-in: the fake decoder is used")
    frames = list(VideoSource(path, capture_factory=lambda p: NoAutoRotate(rotation)))
    assert len(frames) == 2
    assert red_corner(frames[0].image_bgr) == EXPECTED[rotation]
