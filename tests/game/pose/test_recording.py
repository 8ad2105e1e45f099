"""The .rsk format: exact replay, and clear refusals of truncated or foreign files."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from game.errors import RecordingFormatError, StorageError
from game.pose.recording import Recording, RecordingWriter, read_recording
from game.pose.types import PoseFrame, TrackedPose
from tests.support.arrays import same_or_both_missing


def _frames(n: int, seed: int = 0) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        if i % 7 == 3:
            out.append(PoseFrame(timestamp_ms=i * 33.333, image_size=(640, 480), landmarks_px=None, index=i))
            continue
        px = np.column_stack([rng.uniform(0, 640, 33), rng.uniform(0, 480, 33),
                              rng.normal(0, 100, 33), rng.uniform(0, 1, 33)])
        world = rng.normal(0, 0.5, (33, 3))
        out.append(PoseFrame(timestamp_ms=i * 33.333, image_size=(640, 480), landmarks_px=px,
                             world_m=world, index=i))
    return out


def _write(path: Path, frames: list[PoseFrame]) -> None:
    with RecordingWriter(path, image_size=(640, 480), fps=30.0, source="test") as w:
        for f in frames:
            w.write(f)


def test_replay_matches_what_was_recorded(tmp_path: Path) -> None:
    frames = _frames(40)
    path = tmp_path / "a.rsk"
    _write(path, frames)
    back = list(read_recording(path))
    assert len(back) == len(frames)
    for a, b in zip(frames, back):
        assert b.index == a.index and b.image_size == (640, 480)
        assert b.timestamp_ms == pytest.approx(a.timestamp_ms, abs=1e-3)
        if a.landmarks_px is None:
            assert b.landmarks_px is None and b.world_m is None
            continue
        assert b.landmarks_px is not None and b.world_m is not None and a.world_m is not None
        np.testing.assert_allclose(b.landmarks_px[:, :3], a.landmarks_px[:, :3], atol=5e-4)
        np.testing.assert_allclose(b.landmarks_px[:, 3], a.landmarks_px[:, 3], atol=5e-5)
        np.testing.assert_allclose(b.world_m, a.world_m, atol=5e-6)
    # A second replay yields the very same numbers, bit for bit.
    again = list(read_recording(path))
    for b, c in zip(back, again):
        assert same_or_both_missing(b.landmarks_px, c.landmarks_px)


def test_truncated_recording_is_refused_then_salvaged(tmp_path: Path) -> None:
    path = tmp_path / "cut.rsk"
    _write(path, _frames(30))
    raw = gzip.decompress(path.read_bytes())
    lines = raw.split(b"\n")
    cut = b"\n".join(lines[:20]) + b"\n" + lines[20][:15]  # ends mid-line, no footer
    path.write_bytes(gzip.compress(cut))
    with pytest.raises(RecordingFormatError, match="truncated after 19 frames"):
        list(read_recording(path))
    rec = Recording(path, salvage=True)
    assert len(list(rec)) == 19 and rec.truncated


def test_crash_while_recording_leaves_readable_prefix(tmp_path: Path) -> None:
    path = tmp_path / "crash.rsk"
    w = RecordingWriter(path, image_size=(640, 480), flush_every=10)
    for f in _frames(25):
        w.write(f)
    # Simulate a crash: the process dies without close(); only flushed data is on disk.
    data = path.read_bytes()
    w.close()
    path.write_bytes(data)
    with pytest.raises(RecordingFormatError, match="truncated"):
        list(read_recording(path))
    assert len(list(read_recording(path, salvage=True))) == 20


@pytest.mark.parametrize("content, message", [
    (b"hello, not gzip", "not gzip data"),
    (gzip.compress(b'{"format": "something-else"}\n'), "no 'ringside-skeleton' header"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 9, "landmarks": 33}\n'), "version 9"),
])
def test_foreign_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.rsk"
    path.write_bytes(content)
    with pytest.raises(RecordingFormatError, match=message):
        list(read_recording(path))


def test_malformed_frame_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.rsk"
    body = (b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, "image_size": [640, 480]}\n'
            b'{"i": 0, "t": 0, "p": [[1, 2, 3]], "w": null}\n{"end": true}\n')
    path.write_bytes(gzip.compress(body))
    with pytest.raises(RecordingFormatError, match="line 2"):
        list(read_recording(path))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full (always 'disk full')")
def test_full_disk_is_a_storage_error_not_a_crash(tmp_path: Path) -> None:
    # The header is flushed at creation, so a full disk shows at once.
    with pytest.raises(StorageError, match="no space"):
        RecordingWriter("/dev/full", image_size=(640, 480), flush_every=1)


def test_record_on_a_full_disk_keeps_the_frames_so_far(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    import cv2

    from game.cli import main
    from game.pose import recording

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(6):
        cv2.imwrite(str(folder / f"{i:02d}.png"), np.full((48, 64, 3), 90, np.uint8))
    real_line = recording.RecordingWriter._line
    lines = {"n": 0}

    def filling_disk(self: RecordingWriter, obj: dict[str, object]) -> None:
        lines["n"] += 1
        if lines["n"] > 4:  # header + 3 frames fit, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        real_line(self, obj)

    monkeypatch.setattr(recording.RecordingWriter, "_line", filling_disk)
    out = tmp_path / "session.rsk"
    status = main(["record", str(folder), "-o", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == StorageError.exit_code
    assert len(err) == 1 and err[0].startswith("ringside: error:") and "space" in err[0]
    assert "--salvage" in err[0] and str(out) in err[0]
    saved = list(read_recording(out, salvage=True))
    assert len(saved) == 3


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full (always 'disk full')")
def test_write_errors_are_still_os_errors_for_callers_that_guard_writes() -> None:
    with pytest.raises(OSError):
        RecordingWriter("/dev/full", image_size=(640, 480), flush_every=1)


_HEADER = b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, "image_size": [640, 480]}\n'


@pytest.mark.parametrize("body, message", [
    (_HEADER + b'[1, 2, 3]\n{"end": true}\n', "line 2"),
    (_HEADER + b'"just a string"\n{"end": true}\n', "line 2"),
    (_HEADER + b'{"i": 0, "t": "soon", "p": null, "w": null}\n{"end": true}\n', "line 2"),
    (b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, "image_size": "big"}\n'
     b'{"end": true}\n', "header"),
    (b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, "image_size": [640, 480], '
     b'"fps": "fast"}\n{"end": true}\n', "header"),
    (b'["ringside-skeleton"]\n', "header"),
])
def test_damaged_lines_are_format_errors_not_crashes(tmp_path: Path, body: bytes, message: str) -> None:
    path = tmp_path / "damaged.rsk"
    path.write_bytes(gzip.compress(body))
    with pytest.raises(RecordingFormatError, match=message):
        list(read_recording(path))


def test_ctrl_c_in_the_middle_of_a_write_leaves_a_complete_recording(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import signal

    import cv2

    from game.cli import main
    from game.pose import recording

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(8):
        cv2.imwrite(str(folder / f"{i:02d}.png"), np.full((48, 64, 3), 90, np.uint8))
    real_line = recording.RecordingWriter._line
    lines = {"n": 0}

    def interrupted_mid_write(self: RecordingWriter, obj: dict[str, object]) -> None:
        lines["n"] += 1
        if lines["n"] == 4:  # the user presses Ctrl-C while frame 3 is being written
            os.kill(os.getpid(), signal.SIGINT)
        real_line(self, obj)

    monkeypatch.setattr(recording.RecordingWriter, "_line", interrupted_mid_write)
    out = tmp_path / "session.rsk"
    status = main(["record", str(folder), "-o", str(out)])
    assert status == 0
    assert "stopped by Ctrl-C" in capsys.readouterr().out
    frames = list(read_recording(out))  # complete: no salvage needed
    assert len(frames) == 3


# -- hostile files (issue 13 item 8): each must be one clear RecordingFormatError, strict or salvaged --

def _frame_line(i: int, t: str, extra: str = "") -> bytes:
    p = "[" + ",".join(["[1.0,2.0,3.0,0.9]"] * 33) + "]"
    return f'{{"i": {i}, "t": {t}, "p": {p}, "w": null{extra}}}\n'.encode()


def _hostile(body_after_header: bytes, header: bytes = _HEADER) -> bytes:
    return gzip.compress(header + _frame_line(0, "0") + body_after_header)


@pytest.mark.parametrize("content, message", [
    (_hostile(b"[" * 100_000 + b"\n"), "line 3"),
    (_hostile(b"[" * 50_000 + b"\n"), "nested too deeply"),
    (_hostile(b'{"i": Infinity, "t": 40, "p": null, "w": null}\n'), "Infinity"),
    (_hostile(b'{"i": 1e400, "t": 40, "p": null, "w": null}\n'), "index"),
    (_hostile(b'{"i": 1, "t": 1e400, "p": null, "w": null}\n'), "timestamp"),
    (_hostile(_frame_line(1, "40").replace(b"2.0", b"1e400", 1)), "outside"),
    (_hostile(b'{"i": 1, "t": NaN, "p": null, "w": null}\n'), "NaN"),
    (_hostile(_frame_line(1, "-Infinity")), "Infinity"),
    (_hostile(_frame_line(1, "1e308")), "timestamp"),
    (_hostile(b'{"i": true, "t": 40, "p": null, "w": null}\n'), "index"),
    (_hostile(_frame_line(1, "40").replace(b"0.9]", b"NaN]", 1)), "NaN"),
    (_hostile(_frame_line(1, "40").replace(b"2.0", b"1e300", 1)), "outside"),
    (_hostile(_frame_line(1, "40").replace(b"0.9]", b"7]", 1)), "visibility"),
    (_hostile(_frame_line(1, "40").replace(b"2.0", b'"2.0"', 1)), "table of numbers"),
    (_hostile(_frame_line(1, "40").replace(b"2.0", b"2" + b"0" * 5000, 1)), "not JSON"),
    (_hostile(_frame_line(1, "-40")), "timestamp"),
    (_hostile(_frame_line(1, "0")), "not after the previous"),  # time does not advance
    (_hostile(b'{"end": true, "frames": 7}\n'), "end marker counts 7"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, '
                   b'"image_size": [Infinity, 480]}\n{"end": true}\n'), "header is damaged .Infinity"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, '
                   b'"image_size": [1e400, 480]}\n{"end": true}\n'), "image_size is malformed"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, '
                   b'"image_size": [0, 480]}\n{"end": true}\n'), "image_size"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, '
                   b'"image_size": [640, 480], "fps": NaN}\n{"end": true}\n'), "header is damaged .NaN"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, '
                   b'"image_size": [640, 480], "fps": -3}\n{"end": true}\n'), "fps"),
    (gzip.compress(b'{"format": "ringside-skeleton", "version": 1.0, "landmarks": 33}\n'), "version"),
    (gzip.compress(b"[" * 100_000 + b"\n"), "ringside-skeleton"),
])
def test_hostile_recordings_are_refused_in_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "hostile.rsk"
    path.write_bytes(content)
    with pytest.raises(RecordingFormatError, match=message) as err:
        list(read_recording(path))
    assert "\n" not in str(err.value) and "nan" not in str(err.value).replace("NaN", "")
    # Salvage never crashes either: it keeps the frames before the damage, or refuses the header.
    try:
        rec = Recording(path, salvage=True)
    except RecordingFormatError:
        return
    frames = list(rec)
    assert len(frames) <= 1 and (rec.truncated or frames)
    assert all(np.isfinite(f.timestamp_ms) for f in frames)


def test_salvage_keeps_the_frames_before_a_damaged_line_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "damaged.rsk"
    path.write_bytes(_hostile(_frame_line(1, "40") + _frame_line(2, "NaN") + _frame_line(3, "120")))
    rec = Recording(path, salvage=True)
    assert [f.index for f in rec] == [0, 1]
    assert rec.truncated and "line 4" in rec.damage and "--salvage" not in rec.damage


def test_a_recording_killed_in_its_first_second_still_salvages(tmp_path: Path) -> None:
    path = tmp_path / "killed.rsk"
    w = RecordingWriter(path, image_size=(640, 480))  # header only, then the process dies
    data = path.read_bytes()
    w.close()
    path.write_bytes(data)
    rec = Recording(path, salvage=True)
    assert rec.image_size == (640, 480)
    assert list(rec) == [] and rec.truncated
    with pytest.raises(RecordingFormatError, match="truncated after 0 frames"):
        list(read_recording(path))


def _people_frames(n: int) -> list[tuple[PoseFrame, tuple[TrackedPose, ...]]]:
    """The player (id 2) in view except every 5th frame; another person (id 1) in every 3rd."""
    a, b = _frames(n, seed=1), _frames(n, seed=2)
    out = []
    for i in range(n):
        people = []
        if i % 3 == 0 and b[i].landmarks_px is not None:
            people.append(TrackedPose(1, "left", False, b[i]))
        player = a[i] if i % 5 else PoseFrame(timestamp_ms=a[i].timestamp_ms, image_size=(640, 480),
                                              landmarks_px=None, index=i)
        if player.landmarks_px is not None:
            people.append(TrackedPose(2, "right", True, player))
        out.append((player, tuple(people)))
    return out


def test_a_recording_of_everyone_replays_everyone_and_the_player_alone(tmp_path: Path) -> None:
    frames = _people_frames(30)
    path = tmp_path / "two.rsk"
    with RecordingWriter(path, image_size=(640, 480), people=True) as w:
        for player, people in frames:
            w.write(player, people)
    rec = Recording(path)
    assert rec.holds_people
    back = list(rec.people())
    assert len(back) == len(frames)
    for (player, people), (p2, people2) in zip(frames, back):
        assert (p2.landmarks_px is None) == (player.landmarks_px is None)
        assert [(p.person_id, p.slot, p.is_player) for p in people2] == \
            [(p.person_id, p.slot, p.is_player) for p in people]
        for p, q in zip(people, people2):
            assert p.pose.landmarks_px is not None and q.pose.landmarks_px is not None
            np.testing.assert_allclose(q.pose.landmarks_px[:, :2], p.pose.landmarks_px[:, :2], atol=5e-4)
    # Reading it as before (frames only) gives the player's skeletons.
    assert [f.landmarks_px is None for f in read_recording(path)] == \
        [player.landmarks_px is None for player, _ in frames]


def test_a_recording_of_one_person_has_the_player_alone_as_people(tmp_path: Path) -> None:
    frames = _frames(15)
    path = tmp_path / "one.rsk"
    _write(path, frames)
    rec = Recording(path)
    assert not rec.holds_people
    for f, (g, people) in zip(frames, rec.people()):
        assert [(p.person_id, p.is_player) for p in people] == ([] if f.landmarks_px is None else [(1, True)])
        assert people == () or people[0].pose is g


@pytest.mark.parametrize("bad", [
    '"o": 3', '"o": [[1]]', '"o": [{"id": 0, "s": "left", "p": null}]',
    '"o": [{"id": 1, "s": "", "p": null}]', '"o": [{"id": 1, "s": "left", "p": [[1, 2]]}]',
])
def test_damaged_other_people_are_refused_naming_the_line(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "bad.rsk"
    with RecordingWriter(path, image_size=(640, 480), people=True) as w:
        for player, people in _people_frames(3):
            w.write(player, people)
    lines = gzip.open(path).read().decode().splitlines()
    lines[2] = lines[2].rsplit(',"o":', 1)[0] + "," + bad + "}"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    with pytest.raises(RecordingFormatError, match="line 3 is damaged"):
        list(Recording(path).people())


def test_two_people_with_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "same.rsk"
    player, _ = _people_frames(2)[1]  # the player in view
    with RecordingWriter(path, image_size=(640, 480), people=True) as w:
        w.write(player, (TrackedPose(4, "left", True, player), TrackedPose(4, "right", False, player)))
    with pytest.raises(RecordingFormatError, match="same 'id'"):
        list(Recording(path).people())
