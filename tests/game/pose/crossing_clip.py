"""A two-people-crossing clip made from two shared single-person videos, with known identities.

Person B is ``squat_threequarter_8`` (squatting in place, mid-frame). Person A, the boxer of
``punches_straight_profile``, is cut out of each of its frames with BlazePose's own segmentation
mask and composited over B's frame at a horizontal offset that moves from the left edge to the
right edge over the clip (in front of B), so their paths cross: A hides B while passing.
Ground truth comes from running the model on each source alone: A's torso centre is moved by the
same scale and offset, B's is unchanged. Frames are made in memory (nothing is written), 640x480.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from game.pose.types import Frame

W, H = 640, 480
FPS = 30.0


def _letterbox(image: np.ndarray) -> np.ndarray:
    import cv2

    ih, iw = image.shape[:2]
    s = min(W / iw, H / ih)
    nw, nh = int(iw * s), int(ih * s)
    out = np.zeros((H, W, 3), np.uint8)
    x0, y0 = (W - nw) // 2, (H - nh) // 2
    out[y0:y0 + nh, x0:x0 + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return out


def _frames(video: Path) -> list[np.ndarray]:
    from game.pose.sources import VideoSource

    src = VideoSource(video)
    try:
        return [_letterbox(f.image_bgr) for f in src]
    finally:
        src.close()


class _Segmenter:
    """BlazePose with its person mask (image mode: every frame on its own)."""

    def __init__(self) -> None:
        from game.pose.backend import create_landmarker

        self.t, self.lm = create_landmarker(video=False, num_poses=1, segmentation=True)

    def __call__(self, image_bgr: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(mask HxW in [0, 1], torso centre (x, y) px) or (None, None)."""
        import cv2

        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        res: Any = self.lm.detect(self.t.Image(image_format=self.t.ImageFormat.SRGB, data=rgb))
        if not res.pose_landmarks or not res.segmentation_masks:
            return None, None
        lms = res.pose_landmarks[0]
        centre = np.mean([(lms[i].x * W, lms[i].y * H) for i in (11, 12, 23, 24)], axis=0)
        return np.array(res.segmentation_masks[0].numpy_view(), dtype=np.float32).reshape(H, W), centre

    def close(self) -> None:
        self.lm.close()


@dataclass(frozen=True)
class CrossingClip:
    frames: list[Frame]
    # Per frame: true torso centres (x, y) of A and B, None where that person is not in the picture.
    truth_a: list[np.ndarray | None]
    truth_b: list[np.ndarray | None]


def make_crossing_clip(shared: Path, n: int = 150) -> CrossingClip:
    """``n`` frames at 30 fps; A moves from x = -0.35 W to +0.35 W relative to its own place."""
    back = _frames(shared / "video" / "squat_threequarter_8.mp4")  # 23.98 fps
    front = _frames(shared / "video" / "punches_straight_profile.mp4")  # 23.98 fps
    seg = _Segmenter()
    frames, truth_a, truth_b = [], [], []
    try:
        for i in range(n):
            b_img = back[min(int(i * 23.976 / FPS), len(back) - 1)]
            a_img = front[min(int(i * 23.976 / FPS), len(front) - 1)]
            mask, a_centre = seg(a_img)
            _, b_centre = seg(b_img)
            shift = int(round((-0.35 + 0.7 * i / (n - 1)) * W))
            out = b_img.copy()
            if mask is not None and a_centre is not None:
                moved_mask = np.zeros_like(mask)
                moved_img = np.zeros_like(a_img)
                src = slice(max(0, -shift), min(W, W - shift))
                dst = slice(max(0, shift), min(W, W + shift))
                moved_mask[:, dst] = mask[:, src]
                moved_img[:, dst] = a_img[:, src]
                alpha = moved_mask[..., None]
                out = (alpha * moved_img + (1 - alpha) * out).astype(np.uint8)
                ax = a_centre[0] + shift
                truth_a.append(np.array([ax, a_centre[1]]) if 0 <= ax < W else None)
            else:
                truth_a.append(None)
            truth_b.append(b_centre)
            frames.append(Frame(image_bgr=out, timestamp_ms=i * 1000.0 / FPS, index=i))
    finally:
        seg.close()
    return CrossingClip(frames, truth_a, truth_b)
