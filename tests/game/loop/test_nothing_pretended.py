"""Nothing pretended (issue 11 item 7): a damaged source is an error screen with a non-zero
exit status and nothing saved; a pose rate too low to judge makes the judge wait."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.cli import main
from tests.game.loop.conftest import run_steps, use_synthetic


def _avi(path: Path, frames: int = 90) -> Path:
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30, (160, 120))
    for i in range(frames):
        w.write(np.full((120, 160, 3), (i * 2) % 255, np.uint8))
    w.release()
    return path


def _play(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["play", "--headless", *args])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip().startswith("{") else {}, out.err


def test_a_truncated_video_is_an_error_screen_not_a_session(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGSIDE_HOME", str(tmp_path / "home"))
    full = _avi(tmp_path / "full.avi")
    cut = tmp_path / "cut.avi"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # the download stopped half-way
    code, summary, err = _play(["--source", str(cut), "--mode", "squat", "--exit-after", "10",
                                "--screenshots", str(tmp_path / "shots")], capsys)
    assert code == 3, summary
    assert summary["exit"] == "source_error" and "results" not in summary["scenes"]
    assert "damaged" in err and "cut.avi" in err and summary["saved"] == 0
    assert not (tmp_path / "home" / "history.json").exists()
    # the whole file is an ordinary (empty-room) session
    code, summary, _ = _play(["--source", str(full), "--mode", "squat", "--exit-after", "10"],
                             capsys)
    assert code == 0 and summary["scenes"][-1] == "results"


def test_a_folder_of_non_images_is_an_error_screen(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGSIDE_HOME", str(tmp_path / "home"))
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i:03d}.jpg").write_text("not a picture")
    code, summary, err = _play(["--source", str(folder), "--mode", "boxing", "--exit-after",
                                "8"], capsys)
    assert code == 3 and summary["exit"] == "source_error"
    assert summary["sessions"] == 0 and summary["saved"] == 0
    assert err.startswith("ringside: error: ") and err.count("\n") == 1


def test_a_pose_rate_too_low_to_judge_is_said_and_the_judge_waits(make_app: Any) -> None:
    from game.scenes.reps import RepScene

    app = make_app("menu", demo=None)
    use_synthetic(app, camera=True, every=5)  # 6 pose frames/s
    scene = RepScene(app.services, "squat", target=10, countdown_s=0.2)
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 60 * 20, draw_every=60)
    assert scene.judge_waiting and 5.0 < scene.pose_rate.fps < 7.0
    assert scene.reps == [], "no rep may be counted or refused from too few frames"
    assert "too slow" in _texts_drawn(app, scene)


def test_the_judge_runs_at_full_rate(make_app: Any) -> None:
    from game.scenes.reps import RepScene

    app = make_app("menu", demo=None)
    use_synthetic(app, camera=True)
    scene = RepScene(app.services, "squat", target=10, countdown_s=0.2)
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 60 * 20, draw_every=60)
    assert not scene.judge_waiting and sum(1 for r in scene.reps if r.counted) >= 2


def _texts_drawn(app: Any, scene: Any) -> str:
    """Every string the scene draws (ui.text and ui.paragraph calls), joined."""
    from game.scenes import ui

    seen: list[str] = []
    orig_text, orig_par = ui.text, ui.paragraph

    def text(surface: Any, s: str, *a: Any, **k: Any) -> Any:
        seen.append(s)
        return orig_text(surface, s, *a, **k)

    def paragraph(surface: Any, s: str, *a: Any, **k: Any) -> Any:
        seen.append(s)
        return orig_par(surface, s, *a, **k)

    ui.text, ui.paragraph = text, paragraph
    try:
        app._draw()
    finally:
        ui.text, ui.paragraph = orig_text, orig_par
    return " | ".join(seen)
