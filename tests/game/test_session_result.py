"""The typed, frozen session result: built once, read back from what this and the previous version
saved (history.json, journals), and turned into history rows, database rows and a leaderboard
submission by one function each, the same whether fresh or read back from disk."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.history import History, history_row
from game.integrations import persist_session, replay_journals
from game.net.session import submission_for
from game.reps.events import Cue, RepEvent
from game.session_result import FinishedSession, PunchHit, SessionResult, rep_stats
from game.storage.journal import read_journal
from game.storage.session_rows import session_rows

V1 = Path(__file__).parent / "data" / "v1"  # written by the previous version (README there)


def _v1_history(home: Path) -> list[dict[str, Any]]:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(V1 / "history.json", home / "history.json")
    return list(json.loads((V1 / "history.json").read_text())["sessions"])


def _fresh_squat_result() -> SessionResult:
    """A result as a rep scene builds it, from the real rep engine on a generated squat set."""
    from game.reps import make_rep_detector
    from game.reps.synthetic import Camera, Move, simulate

    script = [Move("stand", 1.5)] + [Move("rep", 2.2), Move("stand", 0.6)] * 3
    frames = simulate("squat", script, rng=np.random.default_rng(5), camera=Camera(yaw_deg=60),
                      fps=30.0)
    det = make_rep_detector("squat")
    events = [e for f in frames for e in det.update(f)] + det.finish()
    reps = tuple(e for e in events if isinstance(e, RepEvent))
    summary = dict(det.summary())
    active_s = len(frames) / 30.0
    return SessionResult(uid="1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b", exercise="squat",
                         ended="target", started_s=time.time() - 60, active_s=round(active_s, 2),
                         stats=rep_stats(reps, summary, target=3, active_s=active_s),
                         source="camera 0", source_kind="camera", player="Player", reps=reps,
                         summary=summary)


def test_a_result_is_frozen_and_its_figures_read_only() -> None:
    result = _fresh_squat_result()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.exercise = "lunge"  # type: ignore[misc]  # on purpose: the write must be refused
    with pytest.raises(TypeError):
        result.stats["reps"] = 99  # type: ignore[index]  # on purpose: the write must be refused
    assert all(isinstance(r, RepEvent) for r in result.reps) and result.counted_reps


def test_fresh_and_read_back_give_the_same_rows_and_submission() -> None:
    """Saving when the session ends and replaying its journal after a crash must store the same
    thing: the JSON round trip is lossless for every consumer (times in ms included)."""
    fresh = _fresh_squat_result()
    back = SessionResult.from_json(json.loads(json.dumps(fresh.to_json())))
    assert back.to_json() == fresh.to_json()
    assert [r.cues for r in back.reps] == [r.cues for r in fresh.reps]  # cue kinds kept
    assert session_rows(back) == session_rows(fresh)
    assert submission_for(back) == submission_for(fresh)
    assert history_row(back, ["Reps"]) == history_row(fresh, ["Reps"])
    rows = session_rows(fresh)
    assert [r.t_ms for r in rows.reps] == [int(round(r.t_s, 3) * 1000) for r in fresh.reps]
    sub = submission_for(fresh)
    assert sub is not None and sub["score"] == fresh.stats["reps"] == len(fresh.counted_reps)


def test_the_previous_versions_history_still_loads(tmp_path: Path) -> None:
    rows = _v1_history(tmp_path)
    history = History.load(tmp_path)
    assert history.notice is None and history.sessions == rows
    assert history.bests("rep", "squat") == {"reps": 3.0, "avg_score": 100.0, "best_score": 100.0}
    squat, boxing = (SessionResult.from_json(r) for r in rows)
    assert squat.exercise == "squat" and len(squat.reps) == squat.stats["attempts"] == 4
    assert sum(r.counted for r in squat.reps) == 3 and squat.started_s == rows[0]["started"]
    assert squat.reps[0].cues[0].text == rows[0]["reps"][0]["cues"][0]
    assert boxing.mode == "boxing" and boxing.seed == 1 and boxing.per_round
    # Everything the old row held is written back unchanged (new keys may be added).
    for row, result in ((rows[0], squat), (rows[1], boxing)):
        again = history_row(result, row["personal_bests"], for_leaderboard=row["for_leaderboard"])
        for key, value in row.items():
            if key == "reps":
                assert [{k: r[k] for k in old} for r, old in zip(again[key], value)] == value
            else:
                assert again[key] == value, key
    # A new session lands beside the old ones and is compared with them for bests.
    better = dataclasses.replace(squat, uid="new-uid", stats=dict(squat.stats, reps=5))
    assert history.add(better) == ["Reps"]
    assert len(History.load(tmp_path).sessions) == 3


def test_an_old_boxing_row_with_punches_reads_back() -> None:
    row = {"mode": "boxing", "exercise": "boxing", "uid": "u", "started": 1.7e9, "active_s": 30.0,
           "stats": {"score": 900, "hits": 2}, "ended": "rounds",
           "punches": [{"t": 3.25, "hit": True, "points": 450, "grade": "perfect",
                        "hand": "left", "kind": "jab"}]}
    result = SessionResult.from_json(row)
    assert result.punches == (PunchHit(3.25, 450, "perfect", "left", "jab"),)
    rows = session_rows(result)
    assert [(p.t_ms, p.hand, p.kind, p.is_hit, p.score) for p in rows.punches] == \
        [(3250, "left", "jab", True, 450.0)]


def test_the_previous_versions_committed_journal_is_applied(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "journal").mkdir(parents=True)
    shutil.copy(V1 / "journal_committed.jsonl", home / "journal" / "0c0ffee0.jsonl")
    history = History.load(home)
    replayed, unfinished, problems = replay_journals(home, history)
    assert (replayed, unfinished, problems) == (1, [], [])
    assert [s["uid"] for s in History.load(home).sessions] == \
        ["0c0ffee0-0000-4000-8000-000000000001"]
    with sqlite3.connect(home / "ringside.db") as db:
        assert db.execute("SELECT count(*) FROM reps").fetchone()[0] == 4
    assert not list((home / "journal").glob("*.jsonl"))


def test_the_previous_versions_unfinished_journal_is_offered_back(tmp_path: Path) -> None:
    state = read_journal(V1 / "journal_uncommitted.jsonl")
    assert not state.is_committed and state.bad_lines == 0
    result = state.result()
    assert result.exercise == "lunge" and result.ended == "crash"
    assert sum(r.counted for r in result.reps) == result.stats["reps"] == state.counted == 2
    home = tmp_path / "home"
    out = persist_session(home, result, ["history", "database"], history=History.load(home))
    assert out.problems == [] and History.load(home).has(result.uid)


def test_finished_session_json_round_trip() -> None:
    done = FinishedSession(_fresh_squat_result(), personal_bests=("Reps",), is_saved=True,
                           is_for_leaderboard=False)
    data = done.to_json()
    assert data["saved"] is True and data["personal_bests"] == ["Reps"]
    assert FinishedSession.from_json(data).to_json() == data
    video = dataclasses.replace(done.result, source_kind="video")
    assert FinishedSession(video, not_saved="not yours").can_save_as_mine
    assert not FinishedSession(dataclasses.replace(video, source_kind="demo"),
                               not_saved="demo").can_save_as_mine


def test_cue_kinds_default_for_old_rows() -> None:
    rep = SessionResult.from_json({"exercise": "squat", "reps": [
        {"type": "rep", "t": 1.0, "counted": True, "count": 1, "cues": ["Great depth!"],
         "cue_keys": ["good_depth"]}]}).reps[0]
    assert rep.cues == (Cue("good_depth", "Great depth!", "corrective"),)
