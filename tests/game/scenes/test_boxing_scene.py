"""The shadowboxing screen as a player meets it: music on the beat, grades at the target, one
cue line that says what to do, targets placed clear of this screen's HUD."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from game.scenes.boxing import BoxingScene
from tests.game.scenes.conftest import run_steps


def _short_round(app: Any) -> BoxingScene:
    scene = BoxingScene(app.services, rounds=2, difficulty={"round_s": 12, "rest_s": 6, "bpm": 112})
    app.stack.replace(scene)
    app.stack.apply()
    return scene


def test_music_follows_the_rounds_and_the_targets_follow_the_music(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    scene = _short_round(app)
    assert scene.difficulty.bpm == 110  # snapped to the track the round plays to
    run_steps(app, 60 * 8, draw_every=30)
    log = list(app.audio.log)
    assert "music:beat_110bpm" in log
    beat = 60.0 / 110
    cues = [c for c in scene.rules.cues if c.round_index == 0]
    first = cues[0].t_s
    assert all(abs(((c.t_s - first) / (beat / 2)) - round((c.t_s - first) / (beat / 2))) < 1e-6
               for c in cues)  # every target on the music's beat (or half beat)
    run_steps(app, 60 * 10, draw_every=30)
    assert scene.rules.view().phase in ("rest", "round")
    assert "music:stop" in list(app.audio.log)


def test_grades_and_points_appear_at_the_target(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    scene = _short_round(app)
    seen = []
    for _ in range(60 * 16):
        run_steps(app, 1, draw_every=1000)
        for e in scene.effects:
            if e.kind == "text" and "+" in e.text and not e.text.startswith("COMBO"):
                seen.append(e)
    assert seen, "the demo boxer hit nothing"
    targets = {(c.x_px, c.y_px) for c in scene.rules.cues}
    for e in seen:
        assert (e.x_px, e.y_px) in targets
        assert e.text.split()[0] in ("PERFECT", "EARLY", "LATE")


def test_the_scoring_lock_says_how_to_unlock(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False)
    scene = _short_round(app)
    run_steps(app, 60 * 7, draw_every=60)
    assert scene.rules is not None
    scene.rules._flail_until = scene.rules._t + 2.0  # as after two wild punches
    scene.update(1 / 60)
    msg = scene.feedback.in_region("cue")
    assert msg is not None and "Hands back to guard" in msg.text


def test_targets_are_placed_clear_of_this_screens_hud(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", calibrate=False, size=(1280, 720))
    scene = _short_round(app)
    run_steps(app, 60 * 6, draw_every=60)
    cal = scene.rules.calibration
    assert len(cal.keep_out_px) == 5 and cal.min_radius_px > 0
    import pygame

    from game.scenes import ui

    view = ui.View.fit(app.screen.get_rect(), cal.image_size, app.settings.mirror)
    hud = list(scene._hud_rects(ui.Layout.of(app.screen)).values())
    for c in scene.rules.cues:
        x, y = view.to_screen(c.x_px, c.y_px)
        r = c.radius_px * view.scale
        ring = pygame.Rect(int(x - r) + 2, int(y - r) + 2, int(2 * r) - 4, int(2 * r) - 4)
        for box in hud:  # the ring's square may touch a HUD corner; its circle may not
            if ring.colliderect(box):
                cx = min(max(x, box.left), box.right)
                cy = min(max(y, box.top), box.bottom)
                assert (cx - x) ** 2 + (cy - y) ** 2 >= (r - 2) ** 2, (c, box)


def _write_boxer_clip(path: Any, punch_s: tuple[float, ...], clip_s: float) -> Any:
    """A short skeleton recording of the generated boxer throwing a straight at each of
    ``punch_s`` (seconds from the clip's start), alternating lead and rear hand."""
    from game.moves import Order, boxer_frames
    from game.pose.recording import RecordingWriter

    orders = tuple(Order(t * 1000.0, ("left", "right")[i % 2]) for i, t in enumerate(punch_s))
    frames = boxer_frames(lambda: orders)
    first = next(frames)
    with RecordingWriter(path, image_size=first.image_size, meta={"exercise": "boxing"}) as w:
        w.write(first)
        for f in frames:
            if f.timestamp_ms > clip_s * 1000.0:
                break
            w.write(f)
    return path


def test_a_short_clip_plays_from_its_start_in_the_round_and_ends_it(make_app: Any,
                                                                   tmp_path: Any) -> None:
    """A 4 s recording used as the camera: the round (not the countdown) sees every punch
    in it, and the clip's end ends the session with its results, as a rep challenge does."""
    punches = (1.0, 2.0, 3.0)
    rsk = _write_boxer_clip(tmp_path / "clip.rsk", punches, clip_s=4.0)
    app = make_app("boxing", demo=None, calibrate=False, size=(1280, 720))
    app.open_source(str(rsk))
    run_steps(app, 60 * 14, draw_every=60)
    assert app.stack.top.name == "results", app.stack.top.name
    session = app.sessions[-1].to_json()
    assert session["ended"] == "source_end"
    assert session["source_kind"] == "recording"
    assert session["stats"]["punches"] == len(punches), session["per_round"]
    assert session["stats"]["rounds"] == 1
    # the boxer in a clip cannot follow targets: free scoring, one round as long as the clip
    assert session["stats"]["scoring"] == "free" and session["stats"]["targets"] == 0
    assert session["stats"]["clean_punches"] == len(punches), session["per_round"]
    assert session["stats"]["score"] >= 60 * len(punches)
    assert session["difficulty"]["rounds"] == 1
    assert 3.9 <= session["difficulty"]["round_s"] <= 4.2, session["difficulty"]
    assert [p["grade"] for p in session["punches"]] == ["clean"] * len(punches)
    from game.scenes.results import _ended_text

    assert _ended_text(app.sessions[-1].result) == "The recording finished."
    video = replace(app.sessions[-1].result, source_kind="video")
    assert _ended_text(video) == "The video finished."


def test_on_a_clip_the_scoring_lock_says_why_not_what_to_do(make_app: Any, tmp_path: Any) -> None:
    """Nobody in a clip can put their hands back to guard on our say: the lock says why."""
    rsk = _write_boxer_clip(tmp_path / "clip.rsk", (1.0,), clip_s=8.0)
    app = make_app("boxing", demo=None, calibrate=False)
    app.open_source(str(rsk))
    scene = app.stack.top
    run_steps(app, 60 * 4, draw_every=60)
    assert scene.rules is not None and scene.clip
    scene.rules._flail_until = scene.rules._t + 2.0  # as after two wild punches
    scene.update(1 / 60)
    msg = scene.feedback.in_region("cue")
    assert msg is not None and "Hands back" not in msg.text and "clip" in msg.text


def test_a_clip_round_is_labelled_free_scoring_and_timed_by_the_clip(make_app: Any,
                                                                     tmp_path: Any) -> None:
    """What the player reads on a clip: free scoring (not "Round 1 of 3"), the clip's time
    left (not 1:00), no targets; a file is drawn as filmed (never mirrored)."""
    from game.scenes import ui

    rsk = _write_boxer_clip(tmp_path / "clip.rsk", (1.0,), clip_s=6.0)
    app = make_app("boxing", demo=None, calibrate=False, size=(1280, 720))
    app.open_source(str(rsk))
    assert app.settings.mirror and not app.services.mirror  # a file: as filmed
    scene = app.stack.top
    lay = ui.Layout.of(app.screen)
    cue = scene._hud_rects(lay)["cue"]
    run_steps(app, 60, draw_every=30)  # in the countdown: what free scoring is, whole
    msg = scene.feedback.in_region("cue")
    assert msg is not None and msg.head == "FREE SCORING" and "Go" in msg.text, msg
    assert len(ui.wrap(msg.text, lay.px(4.4), cue.width - 2 * lay.px(2))) <= 2  # never cut
    run_steps(app, 60 * 2 + 30, draw_every=30)  # the rest of it, and half a second of the clip
    assert scene.state == "active" and scene.rules is not None
    assert scene.rules.difficulty.is_free and scene.rules.cues == ()
    with ui.record_boxes() as boxes:
        app._draw()
    words = [b.text for b in boxes.texts]
    assert "Clip: free scoring" in words and not any(w.startswith("Round ") for w in words)
    assert any(w in ("0:06", "0:05") for w in words), words
    msg = scene.feedback.in_region("cue")
    assert msg is not None and msg.head == "FREE SCORING", msg
    assert len(ui.wrap(msg.text, lay.px(4.4), cue.width - 2 * lay.px(2))) <= 2


def test_the_picture_sits_above_the_cue_line(make_app: Any) -> None:
    """A message on the cue line never covers the boxer's feet: the picture ends above it."""
    app = make_app("boxing", demo="boxing", size=(1280, 720))
    scene = app.stack.top
    from game.scenes import ui

    lay = ui.Layout.of(app.screen)
    assert scene._stage_area(lay).bottom <= scene._hud_rects(lay)["cue"].top
    assert app.services.mirror == app.settings.mirror  # the demo player is a live image
