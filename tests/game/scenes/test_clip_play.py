"""A rep challenge on a clip (a recording used as the camera), as a player reads it: the clip's
reps are counted to its end (no "/ 10" target it cannot know of), the picture sits above the cue
line, the file is drawn as filmed, and the pause hint names keys (nobody in a clip can raise
their hands to pause)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.game.scenes.conftest import run_steps


def _write_squat_clip(path: Path, seconds: float) -> Path:
    from game.app import demo_frames
    from game.pose.recording import RecordingWriter

    frames = demo_frames("squat", loops=1)
    first = next(frames)
    with RecordingWriter(path, image_size=first.image_size, meta={"exercise": "squat"}) as w:
        w.write(first)
        for f in frames:
            if f.timestamp_ms - first.timestamp_ms > seconds * 1000.0:
                break
            w.write(f)
    return path


def test_a_rep_clip_is_counted_to_its_end_without_a_target(make_app: Any, tmp_path: Path) -> None:
    from game.scenes import ui
    from game.scenes.reps import RepScene

    rsk = _write_squat_clip(tmp_path / "squats.rsk", 8.0)
    app = make_app("squat", demo=None, calibrate=False, size=(1280, 720))
    app.open_source(str(rsk))
    scene = app.stack.top
    assert isinstance(scene, RepScene)
    assert not app.services.mirror  # a file is drawn as filmed
    run_steps(app, 30, draw_every=30)
    msg = scene.feedback.in_region("cue")
    assert msg is not None and msg.text == "To pause: press P or Esc", msg
    with ui.record_boxes() as boxes:  # the countdown sits in the count panel, off the picture
        app._draw()
    stage, _side = scene._areas(app.screen)
    panel = scene._count_panel(app.screen, stage)
    ready = [b for b in boxes.texts if b.text == "Get ready"]
    assert len(ready) == 1 and panel.contains(ready[0].rect), (ready, panel)
    assert not any(b.text.startswith("/ ") for b in boxes.texts)  # no "/ 10", even now
    run_steps(app, 60 * 4, draw_every=60)
    assert scene.state == "active" and not scene.has_target
    with ui.record_boxes() as boxes:
        app._draw()
    assert not any(b.text.startswith("/ ") for b in boxes.texts)  # no "/ 10"
    picture = scene._picture_area(app.screen, stage)
    for m in boxes.messages:  # a cue is drawn under the picture, never over it
        assert m.rect.top >= picture.bottom, (m, picture)
    run_steps(app, 60 * 10, draw_every=60)
    assert app.stack.top.name == "results"
    session = app.sessions[-1].to_json()
    assert session["ended"] == "source_end" and session["stats"]["target"] == 0


def test_an_asked_target_still_ends_a_clip_set(make_app: Any, tmp_path: Path) -> None:
    from game.scenes.reps import RepScene

    rsk = _write_squat_clip(tmp_path / "squats.rsk", 8.0)
    app = make_app("squat", demo=None, calibrate=False, size=(1280, 720))
    app.open_source(str(rsk))
    scene = RepScene(app.services, "squat", target=2)
    app.stack.replace(scene)
    app.stack.apply()
    run_steps(app, 60 * 4, draw_every=60)
    assert scene.has_target and scene.target == 2


def test_a_clips_length_is_read_from_the_file(tmp_path: Path) -> None:
    """The round of a boxing clip is as long as the clip: a recording's span, an image folder's
    images at 30 a second; None when it cannot be known."""
    from game.app import FOLDER_FPS, recording_length_s

    rsk = _write_squat_clip(tmp_path / "squats.rsk", 4.0)
    length = recording_length_s(str(rsk))
    assert length is not None and 3.9 <= length <= 4.1, length
    folder = tmp_path / "pictures"
    folder.mkdir()
    for i in range(45):
        (folder / f"{i:03d}.png").write_bytes(b"")
    (folder / "notes.txt").write_text("not a picture")
    assert recording_length_s(str(folder)) == 45 / FOLDER_FPS
    assert recording_length_s(str(tmp_path / "missing.rsk")) is None
    (tmp_path / "empty").mkdir()
    assert recording_length_s(str(tmp_path / "empty")) is None


def test_a_portrait_picture_moves_clear_of_the_count_panel(make_app: Any) -> None:
    """A portrait clip fits beside the count panel at the same size, so the panel covers none
    of the person; a landscape one keeps the whole stage (it would shrink beside the panel)."""
    from dataclasses import replace

    from game.scenes import ui
    from game.scenes.reps import RepScene

    app = make_app("squat", demo="squat", calibrate=False, size=(1280, 720))
    run_steps(app, 30, draw_every=30)
    scene = app.stack.top
    assert isinstance(scene, RepScene) and app.latest is not None
    stage, _side = scene._areas(app.screen)
    panel = scene._count_panel(app.screen, stage)
    sizes = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
    pictures = {}
    for name, size in sizes.items():
        app.latest = replace(app.latest, pose=replace(app.latest.pose, image_size=size))
        area = scene._picture_area(app.screen, stage)
        pictures[name] = ui.View.fit(area, size, False).rect
        app._draw()  # draws with it
    assert not pictures["portrait"].colliderect(panel)
    assert pictures["portrait"].height >= stage.height * 0.75
    assert pictures["landscape"].width >= stage.width - 2  # the whole stage's width
