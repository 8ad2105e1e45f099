"""Generated sound assets are complete and the mixer plays them (or stays silent, logging)."""

from __future__ import annotations

import wave

from game.audio import EFFECTS, PHRASES, SOUNDS_DIR, VOICE_DIR, Audio


def test_every_phrase_and_effect_has_a_generated_file() -> None:
    missing = [k for k in PHRASES if not any((VOICE_DIR / f"{k}{ext}").exists()
                                             for ext in (".ogg", ".wav"))]
    assert not missing, f"run assets/make_assets.py: missing {missing[:5]}"
    for name in EFFECTS:
        with wave.open(str(SOUNDS_DIR / f"{name}.wav")) as w:
            assert w.getnchannels() == 1 and 0.03 < w.getnframes() / w.getframerate() < 3.0


def test_audio_plays_or_degrades_silently_and_logs() -> None:
    audio = Audio(volume=0.5)
    audio.start()
    audio.effect("hit")
    audio.count(3)
    audio.say("go_lower")
    audio.pump()
    assert list(audio.log)[-3:] == ["sfx:hit", "say:n3", "say:go_lower"]
    if audio.enabled:
        assert audio.has("voice", "n3") and audio.has("sounds", "bell")
    audio.stop()


def test_voice_off_says_nothing() -> None:
    audio = Audio(voice=False)
    audio.say("go")
    assert list(audio.log) == []
