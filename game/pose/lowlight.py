"""Low-light handling: measure frame brightness and lift dark frames before detection.

Dark webcam frames (a living room in the evening) lose the pose detector before they lose a human
eye. We measure mean luminance on a downscaled copy (cheap) and, below a threshold, equalise the
luminance channel with CLAHE (contrast-limited adaptive histogram equalisation) plus a gamma lift;
colour is untouched. Black letterbox bars are left out of the measurement (a bright picture
between bars is not dark). The threshold and strength are measured in docs/POSE.md (detection rate on the
shared videos darkened synthetically, with and without enhancement).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class LowLightOptions:
    enabled: bool = True
    # Mean luma (0-255) below which a frame counts as dark. Typical indoor frames sit at 90-140.
    dark_below: float = 70.0
    clahe_clip: float = 3.0
    clahe_tiles: int = 8
    # Frames darker than this also get a gamma lift so CLAHE has levels to spread.
    gamma_below: float = 45.0


# Letterbox/pillarbox bars: edge rows (columns) of the 1/8-size copy whose every pixel is at most
# BAR_MAX and that vary by at most BAR_SPREAD (black, flat; decoded limited-range black lands at
# 0-16 with a little compression noise), on both opposite edges within BAR_SYMMETRY rows of the
# same thickness (bars are added symmetrically; a dark room is neither flat nor symmetric).
BAR_MAX = 24
BAR_SPREAD = 10
BAR_SYMMETRY = 2


def _bars(flat: np.ndarray) -> tuple[int, int]:
    """Thickness (in rows of ``flat``) of symmetric flat black bars at both ends of axis 0."""
    is_bar = (flat.max(axis=1) <= BAR_MAX) & (np.ptp(flat, axis=1) <= BAR_SPREAD)
    n = len(is_bar)
    top = int(np.argmin(is_bar)) if not is_bar.all() else n
    bottom = int(np.argmin(is_bar[::-1])) if not is_bar.all() else n
    if top == n or top == 0 or bottom == 0 or abs(top - bottom) > BAR_SYMMETRY:
        return 0, 0
    return top, bottom


def image_area(small: np.ndarray) -> np.ndarray:
    """``small`` (an HxWx3 image) without letterbox or pillarbox bars; itself when there are none
    (or when the whole frame is dark: then there is no picture to tell from bars)."""
    rows = small.reshape(small.shape[0], -1)
    top, bottom = _bars(rows)
    if top or bottom:
        small = small[top:small.shape[0] - bottom]
    cols = small.transpose(1, 0, 2).reshape(small.shape[1], -1)
    left, right = _bars(cols)
    if left or right:
        small = small[:, left:small.shape[1] - right]
    return small


def frame_brightness(image_bgr: np.ndarray) -> float:
    """Mean luma (0-255) of a BGR image's picture area (letterbox bars excluded), measured on a
    1/8-size copy."""
    small = image_area(image_bgr[::8, ::8])
    # ITU-R BT.601 luma weights, in BGR order.
    return float(small[..., 0].mean() * 0.114 + small[..., 1].mean() * 0.587
                 + small[..., 2].mean() * 0.299)


class LowLightEnhancer:
    """Enhances frames darker than ``options.dark_below``; returns (image, brightness, enhanced)."""

    def __init__(self, options: LowLightOptions = LowLightOptions()) -> None:
        import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video, image or camera is read

        self._cv2: Any = cv2
        self.options = options
        self._clahe = cv2.createCLAHE(clipLimit=options.clahe_clip,
                                      tileGridSize=(options.clahe_tiles, options.clahe_tiles))
        self._lut_cache: dict[int, np.ndarray] = {}

    def _gamma_lut(self, brightness: float) -> np.ndarray:
        # Aim the mean at ~90: gamma = log(90/255) / log(b/255), bucketed to reuse tables.
        b = max(4, int(brightness) // 4 * 4)
        lut = self._lut_cache.get(b)
        if lut is None:
            gamma = float(np.log(90.0 / 255.0) / np.log(b / 255.0))
            lut = (np.clip(((np.arange(256) / 255.0) ** gamma) * 255.0, 0, 255)).astype(np.uint8)
            self._lut_cache[b] = lut
        return lut

    def process(self, image_bgr: np.ndarray) -> tuple[np.ndarray, float, bool]:
        brightness = frame_brightness(image_bgr)
        if not self.options.enabled or brightness >= self.options.dark_below:
            return image_bgr, brightness, False
        cv2 = self._cv2
        lab = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2LAB)
        l_chan = lab[..., 0]
        if brightness < self.options.gamma_below:
            l_chan = cv2.LUT(l_chan, self._gamma_lut(brightness))
        lab[..., 0] = self._clahe.apply(l_chan)
        return cv2.cvtColor(lab, cv2.COLOR_LAB2BGR), brightness, True
