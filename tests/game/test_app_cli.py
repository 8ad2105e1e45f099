"""`ringside play` scripted runs: headless, screenshots, the session summary as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame
import pytest

from game.cli import main


def _play(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["play", "--headless", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith("{") else {}


def _looks_at(path: str) -> pygame.Surface:
    img = pygame.image.load(path)
    assert img.get_size() == (1280, 720)
    return img


def test_scripted_demo_squat_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shots = tmp_path / "shots"
    code, summary = _play(["--mode", "squat", "--target", "3", "--exit-after", "40",
                           "--screenshots", str(shots), "--every", "5"], capsys)
    assert code == 0
    assert summary["exit"] == "session_complete"
    assert summary["reps"] == 3
    assert summary["scenes"][-1] == "results"
    assert summary["session"]["stats"]["attempts"] >= 3
    final = [p for p in summary["screenshots"] if p.endswith("final.png")]
    assert final and Path(final[0]).exists()
    _looks_at(final[0])


def test_scripted_demo_jumping_jack_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An exercise added through the registry alone plays end to end: the CLI offers it, the
    generated player does it, the engine counts it, the results show it."""
    code, summary = _play(["--mode", "jumping_jack", "--target", "3", "--exit-after", "40"], capsys)
    assert code == 0
    assert summary["exit"] == "session_complete"
    assert summary["reps"] == 3
    assert summary["session"]["exercise"] == "jumping_jack"
    assert summary["scenes"][-1] == "results"


def test_exit_after_ends_a_session_with_results(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, summary = _play(["--mode", "boxing", "--exit-after", "6", "--screenshots",
                           str(tmp_path)], capsys)
    assert code == 0
    assert summary["exit"] == "exit_after"
    assert summary["session"]["exercise"] == "boxing"
    assert summary["scenes"][-1] == "results"
    assert any(p.endswith("final.png") for p in summary["screenshots"])


def test_a_missing_source_file_is_a_clear_error(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["play", "--headless", "--source", str(tmp_path / "nope.mp4"), "--exit-after",
                 "1"])
    err = capsys.readouterr().err
    assert code == 2 and "no such file" in err


def test_a_source_that_is_not_a_video_fails_gracefully(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 10)
    code = main(["play", "--headless", "--source", str(junk), "--mode", "squat", "--exit-after",
                 "6"])
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    # an error screen, not a session: exit status 3 (SourceError), nothing saved
    assert code == 3
    assert summary["exit"] == "source_error" and summary["scenes"][-1] == "source_error"
    assert summary["feed_status"] == "failed" and summary["saved"] == 0
    assert "results" not in summary["scenes"]
    assert "junk.mp4" in (summary["feed_message"] or "")
    assert "nothing was saved" in captured.err and "Traceback" not in captured.err


def test_recording_as_the_camera_counts_the_shared_squats(
        shared_recording: Callable[[str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    rsk = shared_recording("squat_side_deep")
    code, summary = _play(["--source", str(rsk), "--mode", "squat", "--exit-after", "40",
                           "--screenshots", str(tmp_path)], capsys)
    assert code == 0
    assert summary["reps"] == 3, summary["session"]
    assert summary["scenes"][-1] == "results"


@pytest.mark.slow
@pytest.mark.shared_data
def test_scripted_squat_video_ends_with_three_reps_on_the_results_screen(
        shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    video = shared_data / "video" / "squat_side_deep.mp4"
    if not video.exists():
        pytest.skip(f"{video} not found")
    code, summary = _play(["--source", str(video), "--mode", "squat", "--exit-after", "40",
                           "--screenshots", str(tmp_path)], capsys)
    assert code == 0
    assert summary["reps"] == 3
    assert summary["exit"] == "session_complete"
    assert summary["scenes"][-1] == "results"
    assert Path(summary["screenshots"][-1]).name.endswith("final.png")


def test_scripted_runs_are_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Frames follow the game clock: two runs give the same reps and scores, bit for bit."""
    runs = []
    for _ in range(2):
        code, summary = _play(["--mode", "squat", "--target", "2", "--exit-after", "30"], capsys)
        assert code == 0
        runs.append([(r["t"], r["counted"], r["score"], r.get("reason"))
                     for r in summary["session"]["reps"]])
    assert runs[0] == runs[1] and len(runs[0]) >= 2
