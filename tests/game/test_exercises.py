"""The exercise registry and the start modes: one table each, everything else derived (issue 12).

The goals: a mode's name (every exercise, shadowboxing included, and the game's other start
modes) is written in at most four source files, so adding one touches those files and no list
anywhere else; every list of exercises (CLI, menu, boards, versus, protocol, server limits, web
pages) follows the table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from game import exercises, modes

ROOT = Path(__file__).resolve().parents[2]
#: Where an exercise's name may be written: the shared table, the rep definitions, the demo moves
#: and the test-body generator. Everything else reads game.exercises or ringside_protocol.
REGISTRY_FILES = {
    "ringside_protocol/exercises.py",
    "game/reps/definitions.py",
    "game/moves.py",
    "game/reps/synthetic.py",
}
#: Other keys spelt like an exercise's name, each a named constant where it belongs: they are
#: not the mode, and their strings are in files earlier versions wrote, so they stay.
SAME_SPELLING = {
    exercises.BOXING: {
        "game/session_result.py",  # POINTS_GROUP: a saved session's history group ("mode")
        "game/hrv/plan.py",  # BOXING_BLOCK_KEY: the plan's JSON key of its shadowboxing block
    },
}
SOURCE_SUFFIXES = {".py", ".js", ".html"}


def source_files() -> list[Path]:
    """Every source file: all but tests/ and docs/ (and virtual environments, caches)."""
    skip = {"tests", "docs", ".venv", ".venv-server", ".cache", ".git", "build", "node_modules"}
    out = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in skip or rel.parts[0].startswith(".") or "egg-info" in rel.parts[0]:
            continue
        if path.suffix in SOURCE_SUFFIXES and path.is_file():
            out.append(path)
    return out


def files_naming(name: str, files: list[Path] | None = None, root: Path = ROOT) -> set[str]:
    literal = re.compile(rf"""["']{re.escape(name)}["']""")
    return {p.relative_to(root).as_posix() for p in (source_files() if files is None else files)
            if literal.search(p.read_text(encoding="utf-8", errors="replace"))}


@pytest.mark.parametrize("name", exercises.NAMES)
def test_an_exercise_is_named_in_four_source_files_at_most(name: str) -> None:
    """Fails when someone writes a list of exercises again (a CLI choice, a title dict, a JS
    array) or compares with a name written out (``exercise == "boxing"``): use game.exercises
    (or ringside_protocol's table and constants on the server side) instead."""
    found = files_naming(name)
    allowed = REGISTRY_FILES | SAME_SPELLING.get(name, set())
    assert len(found) <= 4 and found <= allowed, (
        f"{name!r} is written out in {sorted(found - allowed)}: derive it from game.exercises")
    assert "ringside_protocol/exercises.py" in found
    if name in exercises.REP_NAMES:
        assert "game/reps/definitions.py" in found


@pytest.mark.parametrize("name", modes.SCREENS)
def test_a_start_mode_is_named_in_four_source_files_at_most(name: str) -> None:
    """The game's other start modes (versus, workout...) are written in game/modes.py and read
    from there (CLI choices, the start scene, the title's buttons)."""
    found = files_naming(name)
    assert "game/modes.py" in found
    assert len(found) <= 4, f"{name!r} is written out in {sorted(found)}: use game.modes"


def test_the_scan_finds_a_list_written_out(tmp_path: Path) -> None:
    """The guard itself: a Python or JS list naming the exercises is found (so the test above can
    fail), a longer word containing a name is not."""
    py = tmp_path / "lists.py"
    py.write_text(f"NAMES = {list(exercises.NAMES)!r}\n", encoding="utf-8")
    js = tmp_path / "page.js"
    js.write_text("const MODES = [" + ", ".join(f"['{n}', 'x']" for n in exercises.NAMES) + "];\n")
    other = tmp_path / "other.py"
    other.write_text('"squats_total" "jumping_jacks" "shadowboxing" "boxing_rounds"\n', encoding="utf-8")
    for name in exercises.NAMES:
        assert files_naming(name, [py, js, other], tmp_path) == {"lists.py", "page.js"}


def test_the_table_and_the_rep_definitions_agree() -> None:
    from game.moves import MOVES
    from game.reps import DEFINITIONS
    from ringside_protocol import EXERCISE_MODES, REP_MODES

    assert exercises.NAMES == EXERCISE_MODES
    assert set(exercises.REP_NAMES) == set(REP_MODES) == set(DEFINITIONS)
    for e in exercises.EXERCISES:
        assert e.demo in MOVES, e.name
        if e.is_reps:
            assert MOVES[e.demo].depth_pose is not None, f"{e.name}: the demo player needs a depth pose"
            assert e.definition is not None and set(e.definition.parts) <= set(_scorers())
            assert e.mode.limits is not None and e.mode.limits.min_rep_ms > 0


def _scorers() -> set[str]:
    from game.reps.scoring import SCORERS

    return set(SCORERS)


def test_every_list_derives_from_the_table() -> None:
    from game.app_cli import play
    from game.evaluation.labels import REP_EXERCISES
    from game.integrations import BOARD_MODES
    from game.pose.cli import analyze
    from game.scenes.versus import KINDS, TITLES, UNITS
    from leaderboard_server.plausibility import HUMAN_LIMITS
    from ringside_protocol import MODES, SUBMISSION_SCHEMA

    names = set(exercises.NAMES)
    mode = next(p for p in play.params if p.name == "mode")
    assert isinstance(mode.type, click.Choice) and tuple(mode.type.choices) == modes.START_MODES
    assert names <= set(modes.START_MODES) and names <= set(modes.PLAYING)
    assert not names & set(modes.SCREENS)
    choice = next(p for p in analyze.params if p.name == "exercise")
    assert isinstance(choice.type, click.Choice) and set(choice.type.choices) == names
    assert set(BOARD_MODES) == names and set(KINDS) == names and set(TITLES) == set(UNITS) == names
    assert set(REP_EXERCISES) == set(exercises.REP_NAMES)
    assert names <= set(MODES) and set(SUBMISSION_SCHEMA["properties"]["exercise"]["enum"]) == names
    for name in exercises.REP_NAMES:
        assert f"{name}.rate" in HUMAN_LIMITS and f"{name}.rep_ms" in HUMAN_LIMITS


def test_the_web_pages_read_the_servers_table() -> None:
    from leaderboard_server.web import WebResponse, route
    from ringside_protocol import CHALLENGE_MODE

    resp = route("/static/modes.js")
    assert isinstance(resp, WebResponse) and resp.status == 200
    text = resp.body.decode("utf-8")
    found = re.search(r"const EXERCISE_MODES = (\[.*?\]);", text)
    assert found is not None, "modes.js has no EXERCISE_MODES table"
    table = json.loads(found.group(1))
    assert [m["mode"] for m in table] == list(exercises.NAMES)
    assert [m["title"] for m in table] == [e.title for e in exercises.EXERCISES]
    challenge = re.search(r"const CHALLENGE_MODE = (.*?);", text)
    assert challenge is not None and json.loads(challenge.group(1)) == CHALLENGE_MODE
    pages = sorted((ROOT / "leaderboard_server" / "pages").glob("*.js"))
    assert files_naming(CHALLENGE_MODE, pages) == set(), "the pages read CHALLENGE_MODE from modes.js"
    for page in ("boards.html", "coach.html", "tv.html"):
        html = (ROOT / "leaderboard_server" / "pages" / page).read_text(encoding="utf-8")
        assert html.index("/static/modes.js") < html.index("/static/live.js"), page


def test_titles_and_names() -> None:
    jack = exercises.get("jumping_jack")
    assert (jack.title, jack.singular, jack.race_title, jack.race_unit) == (
        "Jumping jacks", "Jumping jack", "Jumping jack race", "jumping jacks")
    assert exercises.get(exercises.DEFAULT).menu_title == "Squat challenge"
    assert exercises.title("no_such_thing") == "No_Such_Thing"
    with pytest.raises(ValueError, match="choose one of"):
        exercises.get("no_such_thing")
