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
from game.session_result import FinishedSession
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
    app.stack.replace(BoxingScene(app.services, rounds=2, difficulty={"round_s": 20, "rest_s": 8}))
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
    for make in (lambda: PauseScene(app.services, on_restart=lambda: None, on_end=lambda: None),
                 lambda: CameraLostScene(app.services),
                 lambda: MessageScene(app.services, "Heads up", "Your settings file was damaged; "
                                      "defaults are used."),
                 lambda: CalibrationScene(app.services, then=None), lambda: MovesScene(app.services)):
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
                                            ("pushup", "pushup_gym_side_slowholds"),
                                            ("lunge", "lunge_split_stationary_side_timer"),
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
    for _ in range(120):  # up to 60 s of play
        run_steps(app, 30, draw_every=30)
        with ui.record_boxes() as boxes:
            app._draw()
        checked += 1
        found += problems(boxes, 720)
        if getattr(app.stack.top, "name", "") not in ("rep_challenge", "shadowboxing"):
            break  # the clip ended: its results screen, as the player saw it, was the last
    assert checked >= 5
    if mode != "boxing":  # a boxing clip may outlast the round's checks; a rep clip ends
        assert getattr(app.stack.top, "name", "") == "results"
    assert not found, "\n".join(found[:20])


def _rep_session(**extra: Any) -> dict[str, Any]:
    reps = [{"type": "rep", "t": 2.0 + i, "counted": i != 2, "count": i + 1, "score": 88 - i,
             "reason": None if i != 2 else "not_deep_enough",
             "metrics": {"peak_velocity_mps": 0.9 - 0.05 * i}} for i in range(8)]
    return {"mode": "rep", "exercise": "squat", "uid": "u1", "ended": "target", "reps": reps,
            "stats": {"reps": 7, "attempts": 8, "target": 10, "avg_score": 84, "best_score": 88,
                      "velocity_loss_pct": 18.0, "duration_s": 41.0}, **extra}


def _boxing_session(**extra: Any) -> dict[str, Any]:
    rounds = [{"score": 3900 + 1000 * i, "accuracy_pct": 70.0 + 5 * i} for i in range(3)]
    return {"mode": "boxing", "exercise": "boxing", "uid": "u2", "ended": "rounds",
            "per_round": rounds,
            "stats": {"score": 14_700, "hits": 140, "targets": 152, "accuracy_pct": 92.1,
                      "best_combo": 31, "punches": 161, "peak_speed_mps": 5.2, "dodges": 12,
                      "rounds": 3}, **extra}


def _other_scene(app: Any, name: str) -> Any:
    from game.integrations import DEFAULT_PLAN
    from game.scenes.leaderboard import LeaderboardScene
    from game.scenes.results import ResultsScene
    from game.scenes.review import ReviewScene
    from game.scenes.settings import SettingsScene
    from game.scenes.versus import VersusResultsScene
    from game.scenes.workout import BlockIntroScene, WorkoutRunner, WorkoutScene
    from game.versus import VersusResult

    if name == "block_intro":
        runner = WorkoutRunner(app.services, DEFAULT_PLAN)
        runner.block_i = 1
        return BlockIntroScene(app.services, runner)
    if name == "versus_results":
        return VersusResultsScene(app.services, VersusResult("boxing", {"left": 12_480, "right": 9_310},
                                                    "left", "time"),
                                  kind="boxing", names={"left": "Blue", "right": "Red"},
                                  colors={"left": ui.BLUE, "right": ui.RED}, rematch=None)
    return {
        "results_reps": lambda: ResultsScene(app.services, [FinishedSession.from_json(_rep_session())]),
        "results_video": lambda: ResultsScene(app.services, [FinishedSession.from_json(
            _rep_session(not_saved="not yours", source_kind="video"))]),
        "results_boxing": lambda: ResultsScene(app.services, [FinishedSession.from_json(
            _boxing_session(not_saved="demo"))]),
        "results_workout": lambda: ResultsScene(app.services, [FinishedSession.from_json(_rep_session()),
                                                              FinishedSession.from_json(_boxing_session())],
                                                title="Block 1 of 3 done",
                                                on_continue=lambda: None,
                                                continue_label="Next: Shadowboxing"),
        "leaderboard": lambda: LeaderboardScene(app.services),
        "settings": lambda: SettingsScene(app.services),
        "review": lambda: ReviewScene(app.services),
        "workout": lambda: WorkoutScene(app.services),
    }[name]()


OTHER_SCENES = ["results_reps", "results_video", "results_boxing", "results_workout",
                "leaderboard", "settings", "review", "workout", "block_intro", "versus_results"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", OTHER_SCENES)
def test_menus_and_results_pass_the_layout_check(make_app: Any, name: str,
                                                 size: tuple[int, int]) -> None:
    """Results (reps, boxing, a workout block, versus), the leaderboard, settings, coach review
    and the workout screens: read from across the room too (issue 11, goal 1)."""
    app = make_app("menu", size=size)
    app.stack.push(_other_scene(app, name))
    app.stack.apply()
    found = _frames(app, 2.0, 1.0)
    assert not found, "\n".join(found[:30])
    if name in ("versus_results", "results_boxing"):  # big numbers grouped as everywhere else
        with ui.record_boxes() as boxes:
            app._draw()
        words = [t.text for t in boxes.texts]
        assert "12,480" in words or "14,700" in words, words
    if name == "results_reps":  # a chart title, not an order to the player ("Speed up")
        with ui.record_boxes() as boxes:
            app._draw()
        assert any(t.text.startswith("Lifting speed per rep") for t in boxes.texts)


def test_settings_scroll_keeps_the_chosen_row_in_view(make_app: Any) -> None:
    """13 rows at a readable size do not fit a 16:9 window: the list scrolls with the focus, and
    the hand's scroll buttons reach every row."""
    from game.input import Action, InputEvent
    from game.scenes.settings import ROWS, SettingsScene, scrolled

    assert scrolled(0, 3, 8, 13) == 0 and scrolled(0, 9, 8, 13) == 2
    assert scrolled(5, 4, 8, 13) == 4 and scrolled(9, 12, 8, 2) == 0
    app = make_app("menu", size=(1280, 720))
    scene = SettingsScene(app.services)
    app.stack.push(scene)
    app.stack.apply()
    app._draw()
    assert scene.visible < len(ROWS)
    assert ROWS[-1][0] not in scene.row_rects
    for _ in range(len(ROWS) - 1):
        scene.handle(InputEvent(Action.DOWN))
        app._draw()
        assert ROWS[scene.focus][0] in scene.row_rects
    scene.handle(InputEvent(Action.DOWN))  # wraps to the top
    app._draw()
    assert scene.focus == 0 and ROWS[0][0] in scene.row_rects
    down = scene.targets["more_down"]
    scene.handle(InputEvent(Action.CLICK, pos=down.center))
    app._draw()
    assert ROWS[scene.focus][0] in scene.row_rects and scene.focus == scene.visible


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("stem", ["squat_side_deep", "jab_tutorial"])
def test_coach_review_of_a_recording_passes_the_layout_check(make_app: Any, shared_recording: Any,
                                                             stem: str,
                                                             size: tuple[int, int]) -> None:
    """Coach review playing a real recording (the picker is checked above)."""
    from game.scenes.review import ReviewScene

    app = make_app("menu", size=size)
    app.stack.push(ReviewScene(app.services, path=shared_recording(stem)))
    app.stack.apply()
    found = _frames(app, 6.0, 1.5)
    assert not found, "\n".join(found[:30])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["title", "hrv_import", "source_error"])
def test_title_and_import_screens_pass_the_layout_check(make_app: Any, tmp_path: Any, name: str,
                                                        size: tuple[int, int]) -> None:
    from game.scenes.hrv_import import HrvImportScene
    from game.scenes.session import SourceErrorScene
    from game.scenes.title import TitleScene

    (tmp_path / "whoop").mkdir()
    (tmp_path / "whoop" / "physiological_cycles.csv").write_text("Cycle start time,HRV (ms)\n")
    app = make_app("menu", size=size)
    app.stack.push({"title": lambda: TitleScene(app.services),
                    "hrv_import": lambda: HrvImportScene(app.services, start=tmp_path),
                    "source_error": lambda: SourceErrorScene(
                        app.services, "clip.mp4 is damaged: it stops after 5.3 s of its 10.7 s (the "
                             "file is cut short)")}[name]())
    app.stack.apply()
    found = _frames(app, 2.0, 1.0)
    assert not found, "\n".join(found[:30])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["squat", "boxing"])
def test_versus_play_passes_the_layout_check(make_app: Any, kind: str,
                                             size: tuple[int, int]) -> None:
    """Two players: waiting, countdown and the match (targets labelled on each body), then the
    results."""
    from tests.game.scenes.test_versus_scene import _run, _scene

    app, scene = _scene(make_app, kind, size)
    found: list[str] = []
    t = 0.0
    for seconds in (0.5, 1.0, 8.0, 3.0, 3.0, 3.0):
        t = _run(scene, seconds, ("left", "right"), t, kind)
        with ui.record_boxes() as boxes:
            app._draw()
        found += [f"{scene.state} @ {t / 1000:.1f}s: {p}" for p in
                  problems(boxes, app.screen.get_height())]
    assert scene.state == "active"
    scene.finish("stopped")
    app.stack.apply()
    with ui.record_boxes() as boxes:
        app._draw()
    found += problems(boxes, app.screen.get_height())
    assert not found, "\n".join(found[:30])


@pytest.mark.parametrize("name", ["results_reps", "results_boxing", "versus_results"])
def test_results_numbers_are_primary(make_app: Any, name: str) -> None:
    """The result itself (reps, points, each player's score) is checked as primary text, so the
    layout check holds it to >= 4 % of the screen height at every size."""
    app = make_app("menu", size=(854, 480))
    app.stack.push(_other_scene(app, name))
    app.stack.apply()
    run_steps(app, 30, draw_every=30)
    with ui.record_boxes() as boxes:
        app._draw()
    primary = [t for t in boxes.texts if t.role == "primary"]
    assert primary and all(t.text.replace(",", "").isdigit() for t in primary), primary
    assert min(t.size_px for t in primary) >= 0.04 * 480


@pytest.mark.parametrize("size", SIZES)
def test_pause_hint_never_runs_through_the_dimmed_words_beneath(make_app: Any,
                                                                size: tuple[int, int]) -> None:
    """The pause menu's "how to choose" line was drawn at the bottom, through the dimmed cue
    line and the how-to panel of the set beneath: a mess from across the room."""
    from game.scenes.overlays import PauseScene

    app = make_app("squat", demo="squat", size=size, calibrate=False)
    run_steps(app, 60 * 10, draw_every=60)
    with ui.record_boxes() as beneath:
        app._draw()
    below = [t.rect for t in beneath.texts]
    app.stack.push(PauseScene(app.services, on_restart=lambda: None, on_end=lambda: None))
    app.stack.apply()
    run_steps(app, 3)
    with ui.record_boxes() as boxes:
        app._draw()
    hint = [t for t in boxes.texts if t.text.startswith("Hold a hand")]
    assert len(hint) == 1
    crossed = [r for r in below if r.colliderect(hint[0].rect)]
    assert not crossed, crossed
