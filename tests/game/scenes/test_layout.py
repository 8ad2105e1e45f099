"""The layout check (issue 11): on every play screen, at 1280x720, 1920x1080 and a small window,
no two text boxes overlap, no message panel covers other text, primary text (count, score, timer,
current cue) is >= 4 % of the screen height and everything else >= 2.5 %, and every line has a
WCAG contrast ratio >= 4.5 with what is under it. Frames are taken all through a demo session
(countdown, play, pauses, rests), not one lucky moment."""

from __future__ import annotations

from typing import Any

import pygame
import pytest

from game.scenes import ui
from tests.game.scenes.conftest import run_steps
from tests.game.scenes.layout import problems

SIZES = [(1280, 720), (1920, 1080), (854, 480)]
NOTICE = "Could not save this session to your history (disk full)."


def _frames(app: Any, seconds: float, every_s: float) -> list[str]:
    """Run the app, checking one drawn frame every ``every_s`` seconds; the problems found."""
    found: list[str] = []
    steps = int(every_s * 60)
    for _ in range(int(seconds / every_s)):
        run_steps(app, steps, draw_every=steps)
        with ui.record_boxes() as boxes:
            app._draw()
        assert boxes.texts, "nothing recorded"
        name = getattr(app.stack.top, "name", "?")
        found += [f"{name} @ {app.now_ms / 1000:.1f}s: {p}" for p in
                  problems(boxes, app.screen.get_height())]
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", ["squat", "pushup", "lunge"])
def test_rep_screens_pass_the_layout_check(make_app: Any, mode: str,
                                           size: tuple[int, int]) -> None:
    app = make_app(mode, demo=mode, size=size, calibrate=False)
    app.notify(NOTICE, 600.0)  # an app-wide notice is up the whole time
    found = _frames(app, 24.0, 1.5)
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("size", SIZES)
def test_the_boxing_screen_passes_the_layout_check(make_app: Any, size: tuple[int, int]) -> None:
    from game.scenes.boxing import BoxingScene

    app = make_app("boxing", demo="boxing", size=size, calibrate=False)
    # short rounds, so the check sees the countdown, rounds, the rest and its summary
    app.stack.replace(BoxingScene(app, rounds=2, difficulty={"round_s": 20, "rest_s": 8}))
    app.stack.apply()
    app.notify(NOTICE, 600.0)
    found = _frames(app, 40.0, 0.7)
    assert not found, "\n".join(found[:20])


@pytest.mark.parametrize("size", SIZES)
def test_overlays_and_calibration_pass_the_layout_check(make_app: Any,
                                                        size: tuple[int, int]) -> None:
    from game.scenes.calibration import CalibrationScene
    from game.scenes.moves import MovesScene
    from game.scenes.overlays import CameraLostScene, MessageScene, PauseScene

    app = make_app("squat", demo="squat", size=size, calibrate=False)
    run_steps(app, 60 * 5, draw_every=60)
    # the notice the app posts when it pauses a player who walked off, with the pause menu
    app.notify("Paused: you are out of view. Step back in and hold a hand on Resume.", 600.0)
    found = []
    for make in (lambda: PauseScene(app, on_restart=lambda: None, on_end=lambda: None),
                 lambda: CameraLostScene(app),
                 lambda: MessageScene(app, "Heads up", "Your settings file was damaged; "
                                      "defaults are used."),
                 lambda: CalibrationScene(app, then=None), lambda: MovesScene(app)):
        app.stack.push(make())
        app.stack.apply()
        found += _frames(app, 3.0, 1.0)
        app.stack.pop()
        app.stack.apply()
    assert not found, "\n".join(found[:20])


def test_the_check_finds_what_issue_11_saw() -> None:
    """The check itself: an overlapping pair, a toast over the count, tiny and faint text."""
    pygame.font.init()
    surf = pygame.Surface((1280, 720))
    surf.fill((20, 24, 36))
    with ui.record_boxes() as boxes:
        ui.text(surf, "1. JAB", (600, 300), 12, role="label")
        ui.text(surf, "2. CROSS", (630, 300), 12, role="label")
        ui.text(surf, "7", (40, 40), 120, role="primary")
        ui.draw_toast_in(surf, "Nobody in view", pygame.Rect(20, 60, 300, 60), ui.Layout(1280, 720))
        ui.text(surf, "Speed loss 3 %", (40, 600), 16, (70, 74, 90))
    found = problems(boxes, 720)
    assert any(p.startswith("overlap: '1. JAB'") for p in found)
    assert any(p.startswith("message over text: 'Nobody in view'") for p in found)
    assert any(p.startswith("too small: 'Speed loss") for p in found)
    assert any(p.startswith("low contrast: 'Speed loss") for p in found)
    assert any(p.startswith("too small: '1. JAB'") for p in found)


@pytest.mark.parametrize(("mode", "stem"), [("squat", "squat_side_deep"),
                                            ("squat", "squat_front_band"),
                                            ("boxing", "jab_tutorial"),
                                            ("boxing", "punches_straight_profile")])
def test_real_recordings_pass_the_layout_check(make_app: Any, shared_recording: Any, mode: str,
                                               stem: str) -> None:
    """Issue 11's goal: a scripted run on real clips with no problem in any frame."""
    path = shared_recording(stem)
    app = make_app(mode, demo=None, size=(1280, 720), calibrate=False, source=str(path))
    app.open_source()
    found: list[str] = []
    checked = 0
    for _ in range(40):
        run_steps(app, 30, draw_every=30)
        if getattr(app.stack.top, "name", "") not in ("rep_challenge", "shadowboxing"):
            break  # the clip ended: the results screen is another scene's
        with ui.record_boxes() as boxes:
            app._draw()
        checked += 1
        found += problems(boxes, 720)
    assert checked >= 5
    assert not found, "\n".join(found[:20])
