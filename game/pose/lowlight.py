"""Low-light handling: measure frame brightness and lift dark frames before detection.

Dark webcam frames (a living room in the evening) lose the pose detector before they lose a human
eye. We measure mean luminance on a downscaled copy (cheap) and, below a threshold, equalise the
luminance channel with CLAHE (contrast-limited adaptive histogram equalisation) plus a gamma lift;
colour is untouched. The threshold and strength are measured in docs/POSE.md (detection rate on the
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


def frame_brightness(image_bgr: np.ndarray) -> float:
    """Mean luma (0-255) of a BGR image, measured on a 1/8-size copy."""
    small = image_bgr[::8, ::8]
    # ITU-R BT.601 luma weights, in BGR order.
    return float(small[..., 0].mean() * 0.114 + small[..., 1].mean() * 0.587
                 + small[..., 2].mean() * 0.299)


class LowLightEnhancer:
    """Enhances frames darker than ``options.dark_below``; returns (image, brightness, enhanced)."""

    def __init__(self, options: LowLightOptions = LowLightOptions()) -> None:
        import cv2

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
