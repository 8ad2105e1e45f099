"""Prototype signs gone (issue 11 item 6): counts read right, numbers look the same
everywhere, no command-line syntax or raw file names on screen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from game.session_result import FinishedSession
from game.wording import day, number, plural, without_paths
from tests.game.loop.conftest import run_steps
from tests.game.loop.test_nothing_pretended import _texts_drawn

COMMAND_LINE = re.compile(r"\bringside (play|hrv|sync|analyze|record)\b|(^|\s)--[a-z]")


def test_counts_and_numbers_read_the_same_everywhere() -> None:
    assert plural(1, "rep") == "1 rep" and plural(2, "rep") == "2 reps"
    assert plural(0, "rep") == "0 reps" and plural(11876, "point") == "11,876 points"
    assert number(11876) == "11,876" and number(11876.4) == "11,876" and number(None) == "--"
    assert number(float("nan")) == "--" and number(0.456, 2) == "0.46"
    assert day("2024-06-04") == "4 Jun 2024" and day(None) == "--"


def test_paths_read_as_file_names() -> None:
    assert without_paths("cannot read /home/ann/frames/f1.jpg: bad") == "cannot read f1.jpg: bad"
    assert without_paths(r"C:\Users\ann\a.mp4 is damaged") == "a.mp4 is damaged"


def test_recordings_are_named_by_what_and_when() -> None:
    from game.scenes.review import recording_title

    assert recording_title(Path("20261205-074512_squat.rsk")) == "Squats, Sat 05 Dec 07:45"
    assert recording_title(Path("/x/squat_side_deep.rsk")) == "Sample: squat side deep"


def _scene_texts(app: Any, scene: Any) -> str:
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 3)
    return _texts_drawn(app, scene)


@pytest.mark.parametrize("which", ["title", "review", "workout", "results", "leaderboard",
                                   "settings"])
def test_no_command_line_syntax_or_paths_on_screen(make_app: Any, which: str) -> None:
    from game.scenes.leaderboard import LeaderboardScene
    from game.scenes.results import ResultsScene
    from game.scenes.review import ReviewScene
    from game.scenes.settings import SettingsScene
    from game.scenes.title import TitleScene
    from game.scenes.workout import WorkoutScene

    app = make_app("menu")
    rec = app.home / "recordings"
    rec.mkdir(parents=True)
    (rec / "20261205-074512_squat.rsk").write_bytes(b"")
    session = {"mode": "boxing", "exercise": "boxing", "uid": "x", "ended": "target",
               "stats": {"score": 11876, "hits": 1, "targets": 1, "rounds": 1}, "per_round": []}
    scene = {"title": lambda: TitleScene(app.services), "review": lambda: ReviewScene(app.services),
             "workout": lambda: WorkoutScene(app.services), "results": lambda: ResultsScene(app.services, [FinishedSession.from_json(session)]),
             "leaderboard": lambda: LeaderboardScene(app.services),
             "settings": lambda: SettingsScene(app.services)}[which]()
    drawn = _scene_texts(app, scene)
    assert not COMMAND_LINE.search(drawn), drawn
    assert str(app.home) not in drawn and ".rsk" not in drawn and ".json" not in drawn, drawn
    if which == "results":
        assert "11,876" in drawn
