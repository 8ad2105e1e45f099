"""Nothing lost (issue 11 item 7, issue 13 item 12): the session journal and one-journal saving,
tested with real processes killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy",
               PYGAME_HIDE_SUPPORT_PROMPT="1", PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def _real_session() -> dict[str, Any]:
    """A finished squat session made of the rep engine's own events (generated player)."""
    from game.moves import SyntheticSession
    from game.reps import make_rep_detector

    det = make_rep_detector("squat")
    reps: list[dict[str, Any]] = []
    for frame in SyntheticSession(exercise="squat", seed=11).frames():
        reps.extend(e.to_json() for e in det.update(frame))
    reps = [r for r in reps if r.get("type") == "rep"]
    counted = sum(1 for r in reps if r.get("counted"))
    assert counted >= 2
    return {"mode": "rep", "exercise": "squat", "uid": str(uuid.uuid4()),
            "started": time.time() - 120, "active_s": 27.0, "ended": "target",
            "source_kind": "camera", "reps": reps,
            "stats": {"reps": counted, "attempts": len(reps), "target": counted,
                      "avg_score": 80, "best_score": 90, "duration_s": 27.0}}


def _where(home: Path, uid: str) -> tuple[int, int, int]:
    """How many times the session is in the history, the database and the outbox."""
    from game.history import History

    hist = sum(1 for s in History.load(home).sessions if s.get("uid") == uid)
    db = out = 0
    if (home / "ringside.db").exists():
        with sqlite3.connect(home / "ringside.db") as c:
            db = c.execute("SELECT count(*) FROM sessions WHERE uid = ?", (uid,)).fetchone()[0]
    if (home / "outbox.sqlite3").exists():
        with sqlite3.connect(home / "outbox.sqlite3") as c:
            out = c.execute("SELECT count(*) FROM outbox WHERE id = ?",
                            (uid.replace("-", ""),)).fetchone()[0]
    return hist, db, out


SAVE_AND_DIE = """
import json, os, signal, sys
from pathlib import Path
from game.history import History
from game.integrations import persist_session
from game.session_result import SessionResult

home, kill_at = Path(sys.argv[1]), sys.argv[2]
session = json.loads((home / "session.json").read_text())

def step(name):
    if name == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

persist_session(home, SessionResult.from_json(session), ["history", "database", "outbox"], history=History.load(home),
                on_step=step)
"""


@pytest.mark.parametrize("kill_at", ["commit", "history", "database", "outbox", "done"])
def test_kill_at_any_step_of_saving_leaves_every_store_agreeing(tmp_path: Path,
                                                               kill_at: str) -> None:
    from game.history import History
    from game.integrations import replay_journals

    home = tmp_path / "home"
    home.mkdir()
    session = _real_session()
    (home / "session.json").write_text(json.dumps(session))
    proc = _run(SAVE_AND_DIE, str(home), kill_at)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # restart: the journal (if any) is replayed before anything else
    replayed, unfinished, problems = replay_journals(home, History.load(home))
    assert problems == [] and unfinished == []
    assert _where(home, session["uid"]) == (1, 1, 1), f"killed after {kill_at}"
    # and again: nothing is ever stored twice
    assert replay_journals(home, History.load(home))[0] == 0
    assert _where(home, session["uid"]) == (1, 1, 1)
    assert not list((home / "journal").glob("*.jsonl"))


PLAY_AND_DIE = """
import os, signal, sys
from pathlib import Path
import pygame
from game.app import App, AppOptions
from game.scenes.reps import RepScene
from tests.game.loop.conftest import use_synthetic

home = Path(sys.argv[1])
app = App(AppOptions(mode="menu", exit_after_s=600.0), home=home)
pygame.display.init(); pygame.font.init()
app.screen = pygame.display.set_mode((640, 360))
use_synthetic(app, "squat", camera=True)
scene = RepScene(app.services, "squat", target=10, countdown_s=0.2)
app.stack.push(scene); app.stack.apply()
for _ in range(60 * 60):
    app._step()
    counted = sum(1 for r in scene.reps if r.counted)
    if counted >= 2:
        print(counted, scene.uid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
print("never counted 2", flush=True)
"""


def test_kill_in_the_middle_of_a_set_offers_the_reps_back_once(tmp_path: Path) -> None:
    from game.app import App, AppOptions

    home = tmp_path / "home"
    proc = _run(PLAY_AND_DIE, str(home))
    assert proc.returncode == -signal.SIGKILL, proc.stdout + proc.stderr
    counted, uid = proc.stdout.split()
    assert _where(home, uid) == (0, 0, 0)  # nothing saved yet: the set was not finished

    app = App(AppOptions(exit_after_s=600.0), home=home)
    assert len(app.unfinished) == 1
    state = app.unfinished[0]
    assert state.uid == uid and state.counted == int(counted)
    recovered = app.recover_unfinished(state, keep=True)
    assert recovered is not None
    kept = recovered.to_json()
    assert kept["stats"]["reps"] == int(counted)
    assert sum(1 for r in kept["reps"] if r["counted"]) == int(counted)
    assert kept["ended"] == "crash"
    assert _where(home, uid)[:2] == (1, 1)  # scripted: history and database, never uploaded

    again = App(AppOptions(exit_after_s=600.0), home=home)
    assert again.unfinished == []  # offered once
    assert _where(home, uid)[:2] == (1, 1)  # counted once


def test_an_interrupted_session_can_be_let_go(tmp_path: Path) -> None:
    from game.app import App, AppOptions
    from game.storage.journal import SessionJournal

    home = tmp_path / "home"
    home.mkdir()
    j = SessionJournal.create(home, {"uid": "u1", "exercise": "squat", "started": 1.7e9})
    j.update({"stats": {"reps": 3}, "reps": [{"counted": True}] * 3})
    with open(j.path, "a", encoding="utf-8") as fh:
        fh.write('{"k": "item", "key": "re')  # the line the kill cut short
    j.close()
    app = App(AppOptions(exit_after_s=600.0), home=home)
    (state,) = app.unfinished
    assert state.counted == 3 and state.bad_lines == 1
    assert app.recover_unfinished(state, keep=False) is None
    assert not j.path.exists() and app.history.sessions == []


def test_the_title_screen_offers_an_interrupted_session_back(make_app: Any,
                                                             tmp_path: Path) -> None:
    from game.input import Action, InputEvent
    from game.storage.journal import SessionJournal
    from tests.game.scenes.conftest import run_steps

    home = tmp_path / "home"
    home.mkdir()
    j = SessionJournal.create(home, {"uid": "u2", "exercise": "squat", "started": 1.7e9,
                                     "mode": "rep"})
    j.update({"stats": {"reps": 4, "attempts": 4}, "active_s": 40.0,
              "reps": [{"counted": True, "t": i * 3.0} for i in range(4)]})
    j.close()
    app = make_app("menu", home=home, size=(1280, 720))
    run_steps(app, 3)
    title = app.stack.top
    assert title.name == "title" and {"recover_keep", "recover_drop"} <= set(title.targets)
    if app.options.screenshots is None:
        import pygame

        pygame.image.save(app.screen, str(tmp_path / "offer.png"))
    x, y, w, h = title.targets["recover_keep"]
    app.dispatch(InputEvent(Action.CLICK, pos=(int(x + w / 2), int(y + h / 2))))
    run_steps(app, 3)
    assert [s["uid"] for s in app.history.sessions] == ["u2"]
    assert app.history.sessions[0]["stats"]["reps"] == 4
    assert "recover_keep" not in app.stack.top.targets and not j.path.exists()


def test_a_bug_mid_session_offers_the_set_back_at_once(make_app: Any, tmp_path: Path) -> None:
    """A bug in a scene sends the player to the menu (interactive runs): the set in progress is
    offered back there, not lost."""
    from game.scenes.reps import RepScene
    from tests.game.loop.conftest import use_synthetic
    from tests.game.scenes.conftest import run_steps

    app = make_app("menu", demo=None, home=tmp_path / "home")
    use_synthetic(app, camera=True)
    scene = RepScene(app.services, "squat", target=10, countdown_s=0.2)
    app.stack.push(scene)
    app.stack.apply()
    while sum(1 for r in scene.reps if r.counted) < 2:
        run_steps(app, 30, draw_every=30)
    app._recover(RuntimeError("a bug"))
    title = app.stack.top
    assert title.name == "title" and len(app.unfinished) == 1
    assert app.unfinished[0].counted == 2 and "recover_keep" in [b.key for b in title.menu.buttons]
