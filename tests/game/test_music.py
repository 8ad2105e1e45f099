"""Our own boxing music: one loop per tempo, on the beat, that the targets follow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import ModuleType

import numpy as np
import pytest

from game.audio import MUSIC_DIR, TRACK_BPMS, music_bpm, track_name

RATE = 22050


@pytest.fixture(scope="module")
def mixer() -> Iterator[ModuleType]:
    """pygame, its mixer opened at the tracks' rate."""
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import pygame

    pygame.mixer.init(frequency=RATE, size=-16, channels=1)
    yield pygame
    pygame.mixer.quit()


@pytest.mark.parametrize("bpm", TRACK_BPMS)
def test_each_track_is_a_small_loop_of_four_bars_with_a_hit_on_every_beat(mixer: ModuleType, bpm: int) -> None:
    path = MUSIC_DIR / f"{track_name(bpm)}.ogg"
    assert path.stat().st_size < 120_000
    got = mixer.mixer.get_init()
    samples = mixer.sndarray.array(mixer.mixer.Sound(str(path))).astype(float)
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    rate = got[0]
    beat = 60.0 / bpm
    assert abs(samples.size / rate - 16 * beat) < 0.005  # 16 beats exactly: it loops on the beat
    # loudness in 10 ms frames: every beat opens with a hit (kick or snare) louder than
    # anything in the back half of the beat (bass and hats only)
    hop = int(rate * 0.01)
    rms = np.sqrt(np.convolve(samples ** 2, np.ones(hop) / hop, mode="same"))
    for k in range(16):
        at = int(k * beat * rate)
        near = rms[at:at + int(0.04 * rate)].max()
        off = rms[at + int(0.62 * beat * rate):at + int(0.95 * beat * rate)].max()
        before = rms[max(0, at - int(0.03 * rate)):max(1, at - int(0.01 * rate))].max()
        assert near > 1.4 * off, (bpm, k, near, off)
        assert k == 0 or near > 1.4 * before, (bpm, k, near, before)


def test_a_rounds_tempo_snaps_to_a_track() -> None:
    assert music_bpm(90) == 90
    assert music_bpm(112) == 110
    assert music_bpm(40) == 70 and music_bpm(180) == 140
    from game.boxing.rules import Difficulty

    for level in range(1, 6):  # every preset plays to its own track, unchanged
        assert music_bpm(Difficulty.level(level).bpm) == Difficulty.level(level).bpm
