"""The scenes of the loop (title offer, block intro, HRV import, source error, leaderboard,
settings, workout, results) render at any window size with no two text boxes overlapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pygame
import pytest

from game.session_result import FinishedSession
from tests.game.loop.conftest import run_steps

SIZES = [(1280, 720), (1920, 1080), (800, 600)]


def _session(**extra: Any) -> dict[str, Any]:
    reps = [{"type": "rep", "t": 2.0 + i, "counted": True, "count": i + 1, "score": 90,
             "metrics": {"peak_velocity_mps": 0.8}} for i in range(3)]
    return {"mode": "rep", "exercise": "squat", "uid": "u1", "ended": "source_end", "reps": reps,
            "stats": {"reps": 3, "attempts": 3, "target": 10, "avg_score": 90, "best_score": 90,
                      "velocity_loss_pct": 0.0, "duration_s": 12.0}, **extra}


def _make(app: Any, name: str) -> Any:
    from game.integrations import DEFAULT_PLAN
    from game.scenes.hrv_import import HrvImportScene
    from game.scenes.leaderboard import LeaderboardScene
    from game.scenes.results import ResultsScene
    from game.scenes.session import SourceErrorScene
    from game.scenes.settings import SettingsScene
    from game.scenes.title import TitleScene
    from game.scenes.workout import BlockIntroScene, WorkoutRunner, WorkoutScene
    from game.storage.journal import SessionJournal

    if name == "title_offer":
        j = SessionJournal.create(app.home, {"uid": "u9", "exercise": "squat", "started": 1.7e9})
        j.update({"stats": {"reps": 4}})
        j.close()
        from game.storage.journal import pending_journals

        app.unfinished = pending_journals(app.home)
        return TitleScene(app.services)
    if name == "block_intro":
        runner = WorkoutRunner(app.services, DEFAULT_PLAN)
        runner.block_i = 1
        return BlockIntroScene(app.services, runner)
    return {
        "hrv_import": lambda: HrvImportScene(app.services, start=Path(__file__).parent),
        "source_error": lambda: SourceErrorScene(
            app.services, "clip.mp4 is damaged: it stops after 5.3 s of its 10.7 s (the file is cut "
                 "short)"),
        "leaderboard": lambda: LeaderboardScene(app.services),
        "settings": lambda: SettingsScene(app.services),
        "workout": lambda: WorkoutScene(app.services),
        "results_video": lambda: ResultsScene(app.services, [FinishedSession.from_json(
            _session(not_saved="not yours", source_kind="video"))]),
        "results_block": lambda: ResultsScene(app.services, [FinishedSession.from_json(_session()),
                                                    FinishedSession.from_json(_session(warmup=True))],
                                              title="Block 1 of 3 done",
                                              on_continue=lambda: None,
                                              continue_label="Next: Shadowboxing"),
    }[name]()


def _text_boxes(app: Any) -> list[tuple[str, pygame.Rect]]:
    from game.scenes import ui

    boxes: list[tuple[str, pygame.Rect]] = []
    orig = ui.text

    def text(surface: Any, s: str, *a: Any, **k: Any) -> Any:
        r = orig(surface, s, *a, **k)
        if s.strip() and isinstance(r, pygame.Rect):
            boxes.append((s, r))
        return r

    ui.text = text
    try:
        app.stack.draw(app.screen)
    finally:
        ui.text = orig
    return boxes


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ["title_offer", "block_intro", "hrv_import", "source_error",
                                  "leaderboard", "settings", "workout", "results_video",
                                  "results_block"])
def test_loop_scenes_have_no_overlapping_text(make_app: Any, name: str,
                                              size: tuple[int, int]) -> None:
    app = make_app("menu", size=size)
    app.stack.push(_make(app, name))
    app.stack.apply()
    run_steps(app, 3)
    boxes = _text_boxes(app)
    assert boxes
    w, h = size
    for i, (s1, r1) in enumerate(boxes):
        assert r1.left >= -1 and r1.top >= -1 and r1.right <= w + 1 and r1.bottom <= h + 1, \
            f"{s1!r} leaves the window at {size}"
        for s2, r2 in boxes[i + 1:]:
            overlap = r1.clip(r2)
            assert overlap.width <= 2 or overlap.height <= 2, f"{s1!r} over {s2!r} at {size}"
