"""Settings and history files: defaults, round trips, and damaged files kept aside."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from game.history import History
from game.scenes.settings import ROWS, step
from game.session_result import SessionResult
from game.settings import Settings, load_settings, save_settings


def test_round_trip(tmp_path: Path) -> None:
    s = Settings(camera_index=2, mirror=False, volume=0.3, units="imperial", privacy_mode=True)
    save_settings(tmp_path, s)
    loaded = load_settings(tmp_path)
    assert loaded.settings == s and loaded.notice is None


def test_corrupt_settings_are_backed_up_and_defaults_used(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{ not json")
    loaded = load_settings(tmp_path)
    assert loaded.settings == Settings()
    assert loaded.notice and "damaged" in loaded.notice
    backup = tmp_path / "settings.json.corrupt-1"
    assert backup.read_text() == "{ not json", "the damaged file is kept, byte for byte"
    assert not (tmp_path / "settings.json").exists()
    (tmp_path / "settings.json").write_text("[1, 2]")
    load_settings(tmp_path)
    assert (tmp_path / "settings.json.corrupt-2").exists(), "a second backup never overwrites"


def test_wrong_types_count_as_damage(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(json.dumps({"volume": "loud"}))
    loaded = load_settings(tmp_path)
    assert loaded.notice and loaded.settings.volume == Settings().volume


@given(st.sampled_from([r[0] for r in ROWS]), st.sampled_from([-1, 1]), st.integers(0, 30))
def test_any_number_of_setting_steps_stays_valid(field: str, direction: int, n: int) -> None:
    s = Settings()
    for _ in range(n):
        s = step(s, field, direction)
    assert s == s.validated()


def test_corrupt_history_is_backed_up_and_a_new_one_started(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text('{"sessions": 5}')
    h = History.load(tmp_path)
    assert h.sessions == [] and h.notice
    assert (tmp_path / "history.json.corrupt-1").exists()
    h.add(SessionResult.from_json({"exercise": "squat", "uid": "1",
                                   "stats": {"reps": 5, "avg_score": 70}}))
    bests = h.add(SessionResult.from_json({"exercise": "squat", "uid": "2",
                                           "stats": {"reps": 7, "avg_score": 60}}))
    assert bests == ["Reps"]
    assert History.load(tmp_path).bests("rep", "squat") == {"reps": 7.0, "avg_score": 70.0}
    assert History.load(tmp_path).bests("rep", "squat", exclude_uid="2")["reps"] == 5.0


def test_app_starts_clean_and_says_so_with_a_corrupt_settings_file(tmp_path: Path) -> None:
    from game.app import App, AppOptions

    (tmp_path / "settings.json").write_bytes(b"\x00\xff garbage")
    app = App(AppOptions(), home=tmp_path)
    assert app.settings == Settings()
    assert any("damaged" in n for n in app.notices)
    assert (tmp_path / "settings.json.corrupt-1").exists()


def test_coach_override_reshapes_todays_plan() -> None:
    from game.integrations import DEFAULT_PLAN, apply_coach_override

    assert apply_coach_override(DEFAULT_PLAN, None) is DEFAULT_PLAN
    plan = apply_coach_override(DEFAULT_PLAN, {"coach": "Ana", "note": "Knee is sore",
                                               "plan": {"exercises": ["boxing"], "max_rounds": 2,
                                                        "round_length_s": 90}})
    kinds = [b.exercise for b in plan.blocks]
    assert "squat" not in kinds and "boxing" in kinds
    box = next(b for b in plan.blocks if b.exercise == "boxing")
    assert (box.rounds, box.round_s) == (2, 90)
    assert plan.reason.startswith("Coach Ana changed today's plan: Knee is sore")
    rest = apply_coach_override(DEFAULT_PLAN, {"coach": "Ana", "plan": {"rest_day": True}})
    assert [b.exercise for b in rest.blocks] == ["mobility"] and "rest day" in rest.title
    half = apply_coach_override(DEFAULT_PLAN, {"plan": {"volume_pct": 50, "target_reps": 6}})
    sq = next(b for b in half.blocks if b.exercise == "squat")
    assert (sq.sets, sq.reps) == (2, 6)
