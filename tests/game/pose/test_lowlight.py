"""Low-light check: measured on the picture, not on letterbox bars."""

from __future__ import annotations

import numpy as np
import pytest

from game.pose.lowlight import LowLightEnhancer, frame_brightness


def picture(h: int, w: int, level: float, seed: int = 0) -> np.ndarray:
    """A textured picture around ``level`` (0-255)."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(level, 25, (h, w, 3)), 0, 255).astype(np.uint8)


def letterbox(inner: np.ndarray, h: int = 480, w: int = 640) -> np.ndarray:
    out = np.zeros((h, w, 3), np.uint8)
    ih, iw = inner.shape[:2]
    y, x = (h - ih) // 2, (w - iw) // 2
    out[y:y + ih, x:x + iw] = inner
    return out


@pytest.mark.parametrize("inner_shape", [(200, 640), (480, 270), (150, 640)])
def test_bright_picture_between_black_bars_is_not_dark(inner_shape: tuple[int, int]) -> None:
    frame = letterbox(picture(*inner_shape, level=120))
    assert frame.mean() < 70  # the whole frame, bars included, looks dark
    image, brightness, enhanced = LowLightEnhancer().process(frame)
    assert brightness == pytest.approx(120, abs=8)
    assert not enhanced and image is frame


def test_dark_picture_between_bars_is_still_enhanced() -> None:
    frame = letterbox(picture(240, 640, level=35))
    _, brightness, enhanced = LowLightEnhancer().process(frame)
    assert brightness == pytest.approx(35, abs=8) and enhanced


def test_a_dark_room_is_not_taken_for_bars() -> None:
    # Uniformly dim, with noise: no flat symmetric black edges, so all of it is measured.
    frame = picture(480, 640, level=12, seed=1)
    assert frame_brightness(frame) == pytest.approx(float(frame[::8, ::8].mean()), abs=2)
    # A black wall along one edge only is part of the picture, not a bar.
    frame[:120] = 0
    assert frame_brightness(frame) == pytest.approx(float(frame[::8, ::8].mean()), abs=2)


def test_an_all_black_frame_measures_black() -> None:
    assert frame_brightness(np.zeros((480, 640, 3), np.uint8)) == 0.0
