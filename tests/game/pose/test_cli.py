"""The pose CLI as a user runs it: JSON lines, and one-line errors with a non-zero status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "game.cli", *args], capture_output=True, text=True,
                          timeout=300)


def _stderr_lines(stderr: str) -> list[str]:
    # Everything on stderr: MediaPipe's, TFLite's and FFmpeg's native logging must not get through.
    return [ln for ln in stderr.splitlines() if ln.strip()]


def test_pose_json_on_the_reference_image(shared_data: Path) -> None:
    res = run("pose", str(shared_data / "image/pose_warrior.jpg"), "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert len(out["landmarks"]) == 33 and all(len(lm) == 4 for lm in out["landmarks"])


def test_pose_json_null_when_nobody(tmp_path: Path) -> None:
    import cv2

    img = tmp_path / "empty.png"
    cv2.imwrite(str(img), np.full((240, 320, 3), 90, np.uint8))
    res = run("pose", str(img), "--json")
    assert res.returncode == 0
    assert json.loads(res.stdout)["landmarks"] is None
    assert _stderr_lines(res.stderr) == []


def test_record_then_analyze_the_recording(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "clip.rsk"
    res = run("record", str(shared_data / "video/squat_front_band.mp4"), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "65 frames" in res.stdout
    res = run("analyze", str(out), "--exercise", "squat", "--json")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(ln) for ln in res.stdout.splitlines()]
    summary = lines[-1]
    assert summary["type"] == "summary"
    assert summary["frames"] == 65 and summary["frames_with_pose"] == 65
    assert summary["pose_ms_p50"] is None  # a recording replays skeletons; no model runs
    assert set(summary) >= {"frames", "frames_with_pose", "reps", "punches", "pose_ms_p50", "pose_ms_p95"}


def test_analyze_video_summary_has_timings(shared_data: Path) -> None:
    res = run("analyze", str(shared_data / "video/squat_front_band.mp4"), "--exercise", "squat", "--json")
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout.splitlines()[-1])
    assert summary["pose_ms_p50"] > 0 and summary["pose_ms_p95"] >= summary["pose_ms_p50"]
    assert "punches" in summary and summary["frames"] == 65
    assert _stderr_lines(res.stderr) == []  # native start-up chatter stays hidden


def test_bad_inputs_get_one_line_and_nonzero_status(tmp_path: Path) -> None:
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("hello")
    truncated = tmp_path / "cut.rsk"
    import gzip

    truncated.write_bytes(gzip.compress(
        b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, "image_size": [640, 480]}\n'
        b'{"i": 0, "t": 0, "p": null, "w": null}\n'))
    foreign = tmp_path / "other.rsk"
    foreign.write_text("{}")
    cases = [
        ("analyze", str(tmp_path / "missing.mp4"), "--exercise", "squat"),
        ("analyze", str(not_video), "--exercise", "squat", "--json"),
        ("analyze", str(truncated), "--exercise", "squat", "--json"),
        ("analyze", str(foreign), "--exercise", "squat"),
        ("pose", str(tmp_path / "missing.jpg")),
        ("record", str(tmp_path / "missing.mp4"), "-o", str(tmp_path / "x.rsk")),
        ("record", str(not_video), "-o", str(tmp_path / "y.rsk")),
        ("analyze", str(tmp_path), "--exercise", "squat"),  # a folder without images
    ]
    for args in cases:
        res = run(*args)
        assert res.returncode != 0, args
        lines = _stderr_lines(res.stderr)
        assert len(lines) == 1 and lines[0].startswith("ringside: error:"), (args, res.stderr)


def test_ctrl_c_during_analyze_still_prints_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from collections.abc import Iterator

    from game.cli import main
    from game.pose import cli as pose_cli
    from game.pose.types import PoseFrame

    def camera_until_ctrl_c(*args: object, **kwargs: object) -> Iterator[PoseFrame]:
        for i in range(5):
            yield PoseFrame(timestamp_ms=i * 33.3, image_size=(640, 480), landmarks_px=None, index=i)
        raise KeyboardInterrupt

    monkeypatch.setattr(pose_cli, "_pose_frames", camera_until_ctrl_c)
    status = main(["analyze", "camera:0", "--exercise", "squat", "--json"])
    out = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert out[-1]["type"] == "summary" and out[-1]["frames"] == 5 and out[-1]["interrupted"] is True


def test_image_folder_frame_rate_is_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An image sequence from a 5 fps camera read at the assumed 30 fps makes every rep "too fast":
    # the user says the rate with --fps.
    import cv2

    from game.cli import main
    from game.pose.recording import read_recording

    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i:02d}.png"), np.full((48, 64, 3), 90, np.uint8))
    assert main(["analyze", str(folder), "--exercise", "squat", "--json", "--fps", "5"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["duration_s"] == 0.4
    out = tmp_path / "seq.rsk"
    assert main(["record", str(folder), "-o", str(out), "--fps", "10"]) == 0
    assert [f.timestamp_ms for f in read_recording(out)] == [0.0, 100.0, 200.0]


def test_a_single_still_has_no_realtime_factor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # One frame spans no time: "0.0 x real time" would read as infinitely slow.
    from collections.abc import Iterator

    from game.cli import main
    from game.pose import cli as pose_cli
    from game.pose.types import PoseFrame

    def one_still(*args: object, **kwargs: object) -> Iterator[PoseFrame]:
        yield PoseFrame(timestamp_ms=0.0, image_size=(640, 480), landmarks_px=None, index=0)

    monkeypatch.setattr(pose_cli, "_pose_frames", one_still)
    assert main(["analyze", str(tmp_path / "still.jpg"), "--exercise", "squat", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["frames"] == 1 and summary["realtime_factor"] is None


def _damaged_recording(path: Path, bad_t: str) -> None:
    import gzip

    p = "[" + ",".join(["[100.0,200.0,0.0,0.9]"] * 33) + "]"
    lines = [b'{"format": "ringside-skeleton", "version": 1, "landmarks": 33, "image_size": [640, 480]}']
    for i, t in enumerate(["0", "33.3", bad_t, "100"]):
        lines.append(f'{{"i": {i}, "t": {t}, "p": {p}, "w": null}}'.encode())
    path.write_bytes(gzip.compress(b"\n".join(lines) + b'\n{"end": true}\n'))


@pytest.mark.parametrize("bad_t", ["NaN", "Infinity", "1e400", "10"])
def test_analyze_refuses_a_damaged_recording_and_salvages_what_precedes_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], bad_t: str) -> None:
    from game.cli import main

    path = tmp_path / "damaged.rsk"
    _damaged_recording(path, bad_t)
    assert main(["analyze", str(path), "--exercise", "squat", "--json"]) != 0
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and err.startswith("ringside: error:") and "line 4" in err
    assert main(["analyze", str(path), "--exercise", "squat", "--json", "--salvage"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(ln, parse_constant=lambda c: pytest.fail(f"printed {c}")) for ln in out.splitlines()]
    assert rows[-1]["frames"] == 2 and rows[-1]["truncated"] is True and rows[-1]["duration_s"] == 0.033
    assert err.startswith("ringside: warning:") and "line 4" in err


def test_json_output_never_holds_nan_or_infinity(capsys: pytest.CaptureFixture[str]) -> None:
    from game.pose.cli import _emit

    _emit({"type": "rep", "t": float("nan"), "depth": [1.0, float("inf")], "ok": {"x": -float("inf")}})
    line = capsys.readouterr().out
    assert json.loads(line) == {"type": "rep", "t": None, "depth": [1.0, None], "ok": {"x": None}}


def test_analyze_and_record_of_a_partner_drill_judge_the_thrower(shared_data: Path,
                                                                 tmp_path: Path) -> None:
    # Two people in view from the first frame; the one MediaPipe follows alone is the defender,
    # who never punches. The video is judged on everyone (the thrower's cross at 0.90 s, as the
    # evaluation finds it), and a recording of it holds everyone, so analysing it does the same.
    video = shared_data / "video" / "punch_two_people_duck_drill.mp4"
    rec = tmp_path / "duck.rsk"
    res = run("record", str(video), "-o", str(rec))
    assert res.returncode == 0, res.stderr
    for source in (video, rec):
        res = run("analyze", str(source), "--exercise", "boxing", "--json")
        assert res.returncode == 0, res.stderr
        punches = [e for e in map(json.loads, res.stdout.splitlines())
                   if e["type"] == "punch" and e["complete"]]
        assert [(p["t"], p["kind"]) for p in punches] == [(0.9, "cross")], source
