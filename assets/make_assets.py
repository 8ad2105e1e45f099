"""Generate the game's sounds and spoken cues into assets/sounds and assets/voice.

Run once by a developer after changing the phrase list (``game.audio.PHRASES``):

    python assets/make_assets.py            # needs espeak-ng (apt install espeak-ng)
    python assets/make_assets.py --music    # only the music (needs oggenc: apt install vorbis-tools)

Effects are synthesised here with numpy (no samples from anywhere); phrases are rendered with
espeak-ng. Output: 22.05 kHz mono, trimmed and normalised; effects as WAV (lowest latency),
voice as Ogg Vorbis when sox is installed (apt install sox), else WAV. The generated files are
committed, so the game never needs espeak at run time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.audio import EFFECTS, MUSIC_DIR, PHRASES, SOUNDS_DIR, TRACK_BPMS, VOICE_DIR, track_name  # noqa: E402,E501

RATE = 22050


def write_wav(path: Path, samples: np.ndarray) -> None:
    peak = float(np.max(np.abs(samples))) or 1.0
    data = np.clip(samples / peak * 0.85, -1, 1)
    pcm = (data * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def t_axis(seconds: float) -> np.ndarray:
    return np.arange(int(RATE * seconds)) / RATE


def env(t: np.ndarray, attack: float, decay: float) -> np.ndarray:
    a = np.clip(t / max(attack, 1e-4), 0, 1)
    return a * np.exp(-np.maximum(t - attack, 0) / decay)


def tone(freq: float, seconds: float, decay: float, attack: float = 0.003,
         harmonics: tuple[float, ...] = (1.0, 0.3, 0.1)) -> np.ndarray:
    t = t_axis(seconds)
    wave_ = sum(a * np.sin(2 * np.pi * freq * (i + 1) * t) for i, a in enumerate(harmonics))
    return wave_ * env(t, attack, decay)


def noise(seconds: float, decay: float, rng: np.random.Generator, lowpass: int = 8) -> np.ndarray:
    t = t_axis(seconds)
    n = rng.normal(0, 1, t.size)
    kernel = np.ones(lowpass) / lowpass
    return np.convolve(n, kernel, mode="same") * env(t, 0.002, decay)


def effect(name: str, rng: np.random.Generator) -> np.ndarray:
    if name == "hit":  # a padded thump: low sine drop plus a short noise slap
        t = t_axis(0.22)
        freq = 140 * np.exp(-t * 12) + 55
        body = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * env(t, 0.002, 0.06)
        return body + 0.6 * noise(0.22, 0.025, rng, 4)
    if name == "hit_power":
        t = t_axis(0.35)
        freq = 180 * np.exp(-t * 9) + 45
        body = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * env(t, 0.002, 0.1)
        return body + 0.8 * noise(0.35, 0.05, rng, 3) + 0.3 * tone(880, 0.35, 0.08)
    if name == "miss":
        t = t_axis(0.25)
        freq = 300 - 500 * t
        return np.sin(2 * np.pi * np.cumsum(freq) / RATE) * env(t, 0.005, 0.08) * 0.6
    if name == "tick":
        return tone(1000, 0.09, 0.02)
    if name == "go":
        return tone(1500, 0.45, 0.18)
    if name == "bell":  # boxing bell: inharmonic partials, long ring, three strikes
        one = sum(a * tone(f, 1.6, 0.6, harmonics=(1.0,)) for f, a in
                  ((620, 1.0), (1550, 0.5), (2340, 0.3), (3100, 0.15)))
        gap = int(RATE * 0.28)
        out = np.zeros(one.size + 2 * gap)
        for k in range(3):
            out[k * gap:k * gap + one.size] += one
        return out
    if name == "click":
        return tone(2200, 0.04, 0.01, harmonics=(1.0,))
    if name == "combo":
        return np.concatenate([tone(f, 0.09, 0.05) for f in (660, 880, 1320)])
    if name == "rep":
        return tone(880, 0.18, 0.06) + 0.5 * tone(1320, 0.18, 0.05)
    if name == "paused":
        return np.concatenate([tone(440, 0.14, 0.06), tone(330, 0.2, 0.08)])
    if name == "whoosh":
        t = t_axis(0.3)
        return noise(0.3, 0.12, rng, 12) * np.sin(np.pi * t / 0.3)
    if name == "success":
        return np.concatenate([tone(f, 0.13, 0.1) for f in (523, 659, 784, 1047)])
    raise KeyError(name)


# -- music: drums and bass at each track's BPM ------------------------------------------------
# Four bars of 4/4 that loop seamlessly: the targets' beat grid is the loop's beat grid (the
# boxing scene starts the loop on a target beat). A minor, i - VI - III - VII (A, F, C, G).
BARS = 4
BASS_ROOTS_HZ = (55.0, 43.65, 65.41, 49.0)


def kick(rng: np.random.Generator) -> np.ndarray:
    t = t_axis(0.3)
    freq = 110 * np.exp(-t * 30) + 45
    return np.sin(2 * np.pi * np.cumsum(freq) / RATE) * env(t, 0.001, 0.12)


def snare(rng: np.random.Generator) -> np.ndarray:
    return 0.55 * noise(0.2, 0.06, rng, 2) + 0.3 * tone(190, 0.2, 0.05, harmonics=(1.0,))


def hat(rng: np.random.Generator) -> np.ndarray:
    n = rng.normal(0, 1, int(RATE * 0.05))
    hp = np.diff(n, prepend=0.0)  # a crude high-pass: hats are bright
    return 0.18 * hp * env(t_axis(0.05), 0.001, 0.012)


def bass_note(freq: float, seconds: float) -> np.ndarray:
    t = t_axis(seconds)
    wave_ = np.sin(2 * np.pi * freq * t) + 0.35 * np.sin(2 * np.pi * 2 * freq * t) + \
        0.12 * np.sign(np.sin(2 * np.pi * freq * t))
    gate = np.clip((seconds - t) / 0.02, 0, 1)  # no click at the note's end
    return wave_ * env(t, 0.005, seconds * 0.8) * gate


def music(bpm: float, rng: np.random.Generator) -> np.ndarray:
    """``BARS`` bars of drums and bass at ``bpm``, as one seamless loop."""
    beat = 60.0 / bpm
    total = int(round(BARS * 4 * beat * RATE))
    out = np.zeros(total + RATE)  # room for tails, folded back onto the start

    def put(sound: np.ndarray, at_s: float, gain: float = 1.0) -> None:
        i = int(round(at_s * RATE))
        out[i:i + sound.size] += gain * sound[:out.size - i]

    k, s, h = kick(rng), snare(rng), hat(rng)
    busy = bpm <= 100  # slow tracks get a busier groove so they do not drag
    for bar in range(BARS):
        for b in range(4):
            at = (bar * 4 + b) * beat
            put(k, at, 1.0 if b in (0, 2) else 0.7)
            if b in (1, 3):
                put(s, at, 0.8)
            put(h, at + beat / 2, 1.0)
            put(h, at, 0.6)
            if busy and b == 3:
                put(k, at + beat / 2, 0.5)
            root = BASS_ROOTS_HZ[bar % len(BASS_ROOTS_HZ)]
            for e in range(2):  # eighth-note bass: root, octave on the off-beats of 2 and 4
                f = root * (2.0 if (e == 1 and b in (1, 3)) else 1.0)
                put(bass_note(f, beat / 2 * 0.9), at + e * beat / 2, 0.45)
    loop = out[:total].copy()
    loop[:out.size - total] += out[total:]
    return loop


def write_music(oggenc: str) -> int:
    MUSIC_DIR.mkdir(parents=True, exist_ok=True)
    for old in MUSIC_DIR.glob("*.ogg"):
        old.unlink()
    for bpm in TRACK_BPMS:
        rng = np.random.default_rng(int(bpm))
        wav = MUSIC_DIR / f"{track_name(bpm)}.wav"
        write_wav(wav, music(bpm, rng))
        subprocess.run([oggenc, "-Q", "-q", "0", "-o", str(wav.with_suffix(".ogg")), str(wav)],
                       check=True)
        wav.unlink()
    return len(TRACK_BPMS)


def speak(text: str, out: Path, espeak: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run([espeak, "-v", "en-us+m3", "-s", "165", "-a", "180", "-w", str(raw), text],
                       check=True)
        with wave.open(str(raw), "rb") as w:
            rate = w.getframerate()
            data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64)
    data /= 32768.0
    if rate != RATE:
        x_old = np.arange(data.size) / rate
        x_new = np.arange(int(data.size * RATE / rate)) / RATE
        data = np.interp(x_new, x_old, data)
    loud = np.nonzero(np.abs(data) > 0.02)[0]
    if loud.size:
        data = data[max(0, loud[0] - 200):loud[-1] + 400]
    write_wav(out, data)


def main() -> int:
    oggenc = shutil.which("oggenc")
    if "--music" in sys.argv[1:]:
        if oggenc is None:
            print("oggenc not found (apt install vorbis-tools): music not written")
            return 1
        print(f"wrote {write_music(oggenc)} music loops")
        return 0
    rng = np.random.default_rng(2024)
    for name in EFFECTS:
        write_wav(SOUNDS_DIR / f"{name}.wav", effect(name, rng))
    if oggenc is not None:
        write_music(oggenc)
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    if espeak is None:
        print("espeak-ng not found: effects written, voice skipped (apt install espeak-ng)")
        return 1
    sox = shutil.which("sox")
    for old in VOICE_DIR.glob("*.*"):
        old.unlink()
    for key, text in PHRASES.items():
        wav = VOICE_DIR / f"{key}.wav"
        speak(text, wav, espeak)
        if sox:  # Ogg Vorbis: a tenth of the size, and pygame.mixer plays it natively
            subprocess.run([sox, str(wav), "-C", "3", str(wav.with_suffix(".ogg"))], check=True)
            wav.unlink()
    print(f"wrote {len(EFFECTS)} effects and {len(PHRASES)} phrases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
