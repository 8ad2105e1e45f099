"""The repository API the game and the network client call."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.errors import StorageError
from game.hrv.plan import CoachOverride
from game.storage import PunchRecord, RepRecord, SessionRecord, StoredReadiness, open_database
from game.storage.database import Database
from tests.game.hrv.factories import nightly

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "t.db")
    yield database
    database.close()


def _session(uid: str | None = None, started: datetime = NOW, load: float = 180.0) -> SessionRecord:
    return SessionRecord(uid=uid or str(uuid.uuid4()), kind="boxing", started_utc=started, duration_s=1800,
                         load_au=load, rpe=6, score=1234.0, plan={"intensity": "normal"}, summary={"hits": 40})


def test_session_reps_punches_round_trip(db: Database) -> None:
    with db.transaction() as repo:
        sid = repo.add_session(_session("s1"))
        assert repo.add_reps(sid, [RepRecord(0, "squat", 1200, True, 95.0, 0.8, 88.0, {"spine_deg": 30}),
                                   RepRecord(1, "squat", 3400, False, 70.0, 0.7, None, {"cue": "deeper"})]) == 2
        assert repo.add_punches(sid, [PunchRecord(0, 500, "left", "jab", True, 6.1, 100.0, {"combo": 1})]) == 1
    with db.transaction() as repo:
        (s,) = repo.sessions()
        assert s.record == _session("s1").__class__(**{**_session("s1").__dict__})
        assert (s.rep_count, s.punch_count, s.synced_at) == (2, 1, None)
        reps = repo.reps(s.id)
        assert [r.is_counted for r in reps] == [True, False]
        assert reps[1].metrics == {"cue": "deeper"}
        assert repo.punches(s.id)[0].speed_mps == 6.1


def test_saving_twice_adds_nothing(db: Database) -> None:
    with db.transaction() as repo:
        a = repo.add_session(_session("same"))
        b = repo.add_session(_session("same"))
        assert a == b
        assert repo.add_reps(a, [RepRecord(0, "squat", 1, True)]) == 1
        assert repo.add_reps(a, [RepRecord(0, "squat", 1, True), RepRecord(1, "squat", 2, True)]) == 1
    with db.transaction() as repo:
        assert len(repo.sessions()) == 1 and repo.sessions()[0].rep_count == 2


def test_failed_transaction_loses_nothing_already_stored(db: Database) -> None:
    with db.transaction() as repo:
        repo.add_session(_session("kept"))
    with pytest.raises(RuntimeError), db.transaction() as repo:
        repo.add_session(_session("dropped"))
        raise RuntimeError("crash mid-save")
    with db.transaction() as repo:
        assert [s.record.uid for s in repo.sessions()] == ["kept"]


def test_errors_for_bad_calls(db: Database) -> None:
    with pytest.raises(StorageError, match="no session"), db.transaction() as repo:
        repo.add_reps(999, [RepRecord(0, "squat", 0, True)])
    with pytest.raises(StorageError), db.transaction() as repo:
        repo.add_session(SessionRecord("neg", "boxing", NOW, -1, 0))
    with pytest.raises(StorageError, match="timezone-aware"), db.transaction() as repo:
        repo.add_session(SessionRecord("naive", "boxing", datetime(2026, 1, 1), 10, 1))


def test_sync_flags_and_load(db: Database) -> None:
    with db.transaction() as repo:
        repo.add_session(_session("a", NOW - timedelta(days=1), 100))
        repo.add_session(_session("b", NOW - timedelta(days=40), 999))
        repo.mark_synced("a", now=NOW)
        assert [s.record.uid for s in repo.sessions(unsynced_only=True)] == ["b"]
        assert repo.daily_load(since_utc=NOW - timedelta(days=29)) == [(date(2026, 11, 29), 100.0)]
        with pytest.raises(StorageError):
            repo.mark_synced("nope", now=NOW)


def test_measurements_deduplicate_by_uid(db: Database) -> None:
    ms = [nightly(date(2026, 11, i), 40.0 + i) for i in range(1, 11)]
    with db.transaction() as repo:
        assert repo.add_measurements(ms, now=NOW) == 10
        assert repo.add_measurements(ms[:5] + [nightly(date(2026, 11, 20), 50.0)], now=NOW) == 1
    with db.transaction() as repo:
        back = repo.measurements(since=date(2026, 11, 3), until=date(2026, 11, 4))
        assert [m.rmssd_ms for m in back] == [43.0, 44.0]
        assert back[0] == ms[2]
        assert repo.measurement_count() == 11


def test_readiness_by_day_is_replaced(db: Database) -> None:
    rows = [StoredReadiness("rmssd:whoop", date(2026, 11, d), "normal", 4.0, 4.0, 3.9, 4.1, 55.0, {"rules": []})
            for d in (1, 2)]
    with db.transaction() as repo:
        repo.replace_readiness(rows, now=NOW)
        repo.replace_readiness(rows[:1], now=NOW)
        assert repo.readiness_history() == rows[:1]


def test_coach_override_set_replace_read_clear(db: Database) -> None:
    day = date(2026, 11, 30)
    with db.transaction() as repo:
        assert repo.override_for(day) is None
        repo.set_override(CoachOverride(day, "Sam", "easy", (("bpm", 100.0),), "deload"), now=NOW)
        repo.set_override(CoachOverride(day, "Sam", "hard", (), "changed my mind"), now=NOW + timedelta(minutes=1))
        ov = repo.override_for(day)
        assert ov is not None and ov.preset == "hard" and ov.note == "changed my mind"
        # A later server override wins over the local one.
        repo.set_override(CoachOverride(day, "Coach K", "rest", origin="server"), now=NOW + timedelta(minutes=5))
        ov = repo.override_for(day)
        assert ov is not None and ov.origin == "server" and ov.coach == "Coach K"
        assert repo.clear_override(day, origin="server") == 1
        ov = repo.override_for(day)
        assert ov is not None and ov.origin == "local"
        assert repo.clear_override(day) == 1
        assert repo.override_for(day) is None


def test_profile_update(db: Database) -> None:
    with db.transaction() as repo:
        p = repo.update_profile(now=NOW, display_name="  Ana ", settings={"camera": 1})
        assert p.display_name == "Ana" and p.settings == {"camera": 1}
        with pytest.raises(StorageError):
            repo.update_profile(now=NOW, display_name=" ")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.booleans()), max_size=30))
def test_reps_are_stored_once_per_index_in_order(reps: list[tuple[int, bool]]) -> None:
    with open_database(Path(":memory:")) as db:
        with db.transaction() as repo:
            sid = repo.add_session(_session("h"))
            repo.add_reps(sid, [RepRecord(i, "squat", i * 10, c) for i, c in reps])
        with db.transaction() as repo:
            stored = repo.reps(sid)
    first: dict[int, bool] = {}
    for i, c in reps:
        first.setdefault(i, c)
    assert [(r.idx, r.is_counted) for r in stored] == sorted(first.items())


def test_measurements_without_beats(db: Database) -> None:
    from dataclasses import replace

    m = replace(nightly(date(2026, 11, 1), 40.0), rr_ms=(1000.0, 1010.0), kind="rr")
    with db.transaction() as repo:
        repo.add_measurements([m], now=NOW)
    with db.transaction() as repo:
        assert repo.measurements()[0].rr_ms == (1000.0, 1010.0)
        light = repo.measurements(with_beats=False)[0]
        assert light.rr_ms == () and light.rmssd_ms == 40.0 and light.kind == "rr"
