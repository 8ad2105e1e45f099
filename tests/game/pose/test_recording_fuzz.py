"""Seeded fuzzing of the .rsk reader (issue 13 item 8): mutations of real recordings.

Every mutated file must either read, or stop with one :class:`RecordingFormatError` line: strict,
with salvage, and through ``ringside analyze --json --salvage`` (whose stdout must stay valid JSON,
never NaN or Infinity). ``make test`` runs each test for a few seconds, ``make fuzz`` for longer
(``tests/support/fuzz.py``). A failure names the seed and case, which reproduce it.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import random
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from game.errors import RecordingFormatError
from game.pose.recording import Recording, RecordingWriter
from game.pose.types import PoseFrame, TrackedPose
from tests.support.fuzz import cases
from tests.support.recordings import CACHE

pytestmark = pytest.mark.fuzz

SEED = 20261205
SEED_FRAMES = 40  # a slice of each recording: enough lines to mutate, small enough to be quick
CASE_SECONDS = 5.0  # a case slower than this counts as a hang


def _real_recordings() -> list[Path]:
    """Recordings of the shared videos made by the project's pipeline, where this machine has them."""
    found = sorted(CACHE.glob("pipeline-*/*.rsk"))
    return found[:12]


def _synthetic(path: Path, *, people: bool = False) -> None:
    """A generated recording; with ``people`` one of everyone tracked (a second person in
    every other frame, the player out of view now and then)."""
    rng = np.random.default_rng(7)

    def frame(i: int, seen: bool) -> PoseFrame:
        px = None if not seen else np.column_stack(
            [rng.uniform(0, 640, 33), rng.uniform(0, 480, 33), rng.normal(0, 80, 33),
             rng.uniform(0, 1, 33)])
        return PoseFrame(timestamp_ms=i * 33.3, image_size=(640, 480), landmarks_px=px,
                         world_m=None if px is None else rng.normal(0, 0.4, (33, 3)), index=i)

    with RecordingWriter(path, image_size=(640, 480), fps=30.0, source="synthetic",
                         people=people) as w:
        for i in range(SEED_FRAMES):
            player = frame(i, i % 9 != 4)
            tracked = [TrackedPose(1, "left", True, player)] if player.has_person else []
            if people and i % 2:
                tracked.append(TrackedPose(2, "right", False, frame(i, True)))
            w.write(player, tracked)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[list[bytes]]:
    """Seed files as lists of lines: header, SEED_FRAMES frames, footer."""
    folder = tmp_path_factory.mktemp("seeds")
    synthetic, everyone = folder / "synthetic.rsk", folder / "everyone.rsk"
    _synthetic(synthetic)
    _synthetic(everyone, people=True)
    seeds = []
    for path in [synthetic, everyone, *_real_recordings()]:
        lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
        frames = lines[1:-1][:SEED_FRAMES]
        footer = json.dumps({"end": True, "frames": len(frames)}).encode() + b"\n"
        seeds.append([lines[0], *frames, footer])
    return seeds


# -- mutations ------------------------------------------------------------------------------------

HOSTILE_VALUES: list[object] = [
    float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 0, -1, 2**63, 10**30, True, None, "",
    "1", [], {}, [[]], [float("nan")] * 4, "\u0000", 1e-320,
]


def _json_value(rng: random.Random) -> str:
    v = rng.choice(HOSTILE_VALUES)
    if rng.random() < 0.1:
        return "[" * rng.choice([10, 1000, 100_000]) + "]" * rng.choice([0, 10])
    if rng.random() < 0.05:
        return "1e400"
    return json.dumps(v)  # allow_nan: NaN and Infinity come out as the bare words


def _mutate_structure(line: bytes, rng: random.Random) -> bytes:
    """Replace one value somewhere in a JSON line (a key's value, or a number inside a table)."""
    try:
        obj = json.loads(line)
    except ValueError:
        return line
    if not isinstance(obj, dict) or not obj:
        return _json_value(rng).encode() + b"\n"
    key = rng.choice(sorted(obj))
    action = rng.random()
    if action < 0.15:
        del obj[key]
        return json.dumps(obj).encode() + b"\n"
    if action < 0.5 and isinstance(obj[key], list) and obj[key]:
        table = obj[key]
        if isinstance(table[0], list) and table[0]:
            row = rng.randrange(len(table))
            if rng.random() < 0.2:
                table[row] = table[row][:-1]  # a ragged table
            else:
                table[row][rng.randrange(len(table[row]))] = "@V@"
        else:
            table[rng.randrange(len(table))] = "@V@"
        text = json.dumps(obj)
        return text.replace('"@V@"', _json_value(rng)).encode() + b"\n"
    obj[key] = "@V@"
    return json.dumps(obj).replace('"@V@"', _json_value(rng)).encode() + b"\n"


def _mutate_lines(lines: list[bytes], rng: random.Random) -> list[bytes]:
    lines = list(lines)
    for _ in range(rng.choice([1, 1, 2, 3])):
        i = rng.randrange(len(lines))
        kind = rng.randrange(7)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])  # duplicated: time stands still
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]  # swapped: time runs backwards
        elif kind == 3:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]  # cut inside a line
        elif kind == 4:
            lines.insert(i, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + b"\n")
        else:
            lines[i] = _mutate_structure(lines[i], rng)
    return lines


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 8])):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1)  # fast: the fuzzer's time goes to reading


def _mutant(seed_lines: list[bytes], rng: random.Random) -> bytes:
    kind = rng.randrange(5)
    if kind == 0:  # lines edited, then compressed properly
        return _gz(b"".join(_mutate_lines(seed_lines, rng)))
    if kind == 1:  # bytes of the text flipped
        return _gz(_flip_bytes(b"".join(seed_lines), rng))
    if kind == 2:  # bytes of the compressed file flipped
        return _flip_bytes(_gz(b"".join(seed_lines)), rng)
    if kind == 3:  # the compressed file cut short (a crash while recording)
        data = _gz(b"".join(seed_lines))
        return data[: rng.randrange(len(data))]
    # a structural change to the header
    lines = list(seed_lines)
    lines[0] = _mutate_structure(lines[0], rng)
    return _gz(b"".join(lines))


# -- oracles --------------------------------------------------------------------------------------

def _read_all(path: Path, salvage: bool) -> None:
    try:
        rec = Recording(path, salvage=salvage)
        frames = list(rec)
    except RecordingFormatError as err:
        text = str(err)
        assert text and "\n" not in text and "Traceback" not in text
        return
    last = -math.inf
    for f in frames:
        assert math.isfinite(f.timestamp_ms) and f.timestamp_ms > last
        last = f.timestamp_ms
        if f.landmarks_px is not None:
            assert f.landmarks_px.shape == (33, 4) and np.all(np.isfinite(f.landmarks_px))
        if f.world_m is not None:
            assert f.world_m.shape == (33, 3) and np.all(np.isfinite(f.world_m))


def _analyze(path: Path, exercise: str) -> None:
    from game.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["analyze", str(path), "--exercise", exercise, "--json", "--salvage"])
    for line in out.getvalue().splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"analyze printed {c}"))
    errors = [ln for ln in err.getvalue().splitlines() if ln.startswith("ringside: error:")]
    if status != 0:
        assert len(errors) == 1 and len(err.getvalue().strip().splitlines()) == 1, err.getvalue()


def _run_cases(corpus: list[list[bytes]], tmp_path: Path, seed: int,
               check: Callable[[Path, random.Random], None]) -> int:
    rng = random.Random(seed)
    path = tmp_path / "mutant.rsk"
    n = 0
    for case in cases(min_cases=30):
        path.write_bytes(_mutant(rng.choice(corpus), rng))
        start = time.monotonic()
        try:
            check(path, rng)
        except Exception as exc:  # name the case that reproduces it
            raise AssertionError(f"seed {seed} case {case}: {type(exc).__name__}: {exc}") from exc
        assert time.monotonic() - start < CASE_SECONDS, f"seed {seed} case {case} took too long"
        n += 1
    return n


def test_fuzzed_recordings_read_or_refuse_in_one_line(corpus: list[list[bytes]], tmp_path: Path) -> None:
    def check(path: Path, rng: random.Random) -> None:
        _read_all(path, salvage=False)
        _read_all(path, salvage=True)

    assert _run_cases(corpus, tmp_path, SEED, check) >= 30


def test_fuzzed_recordings_through_analyze(corpus: list[list[bytes]], tmp_path: Path) -> None:
    exercises = ["squat", "pushup", "lunge", "boxing"]

    def check(path: Path, rng: random.Random) -> None:
        _analyze(path, rng.choice(exercises))

    assert _run_cases(corpus, tmp_path, SEED + 1, check) >= 30


def test_the_corpus_holds_real_recordings_where_available(corpus: list[list[bytes]]) -> None:
    if not _real_recordings():
        pytest.skip("no recordings of the shared videos in .cache/eval yet (the first test that "
                    "needs one makes them): fuzzing a synthetic recording only")
    assert len(corpus) >= 2 and all(len(seed) >= 3 for seed in corpus)
