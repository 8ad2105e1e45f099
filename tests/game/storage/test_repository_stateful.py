"""A Hypothesis state machine drives the repository against a plain-dict model: whatever the order
of saves, retries, overrides and failed transactions, the store says what the model says."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from game.hrv.plan import CoachOverride
from game.storage import PunchRecord, RepRecord, SessionRecord, open_database

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=timezone.utc)
DAYS = [date(2026, 11, 28) + timedelta(days=i) for i in range(3)]


class RepositoryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.db = open_database(Path(":memory:"))
        self.sessions: dict[str, set[int]] = {}
        self.punches: dict[str, set[int]] = {}
        self.overrides: dict[tuple[date, str], tuple[str, int]] = {}
        self.clock = 0

    def _tick(self) -> datetime:
        self.clock += 1
        return T0 + timedelta(seconds=self.clock)

    @rule(uid=st.sampled_from(["a", "b", "c"]))
    def save_session(self, uid: str) -> None:
        with self.db.transaction() as repo:
            repo.add_session(SessionRecord(uid, "boxing", T0, 600, 60))
        self.sessions.setdefault(uid, set())
        self.punches.setdefault(uid, set())

    @rule(uid=st.sampled_from(["a", "b", "c"]), idxs=st.lists(st.integers(0, 5), max_size=4))
    def save_reps_and_punches(self, uid: str, idxs: list[int]) -> None:
        if uid not in self.sessions:
            return
        with self.db.transaction() as repo:
            sid = repo.add_session(SessionRecord(uid, "boxing", T0, 600, 60))  # a retry: same id
            repo.add_reps(sid, [RepRecord(i, "squat", i, True) for i in idxs])
            repo.add_punches(sid, [PunchRecord(i, i, "left", "jab", True) for i in idxs])
        self.sessions[uid] |= set(idxs)
        self.punches[uid] |= set(idxs)

    @rule(uid=st.sampled_from(["d", "e"]))
    def crash_mid_save(self, uid: str) -> None:
        try:
            with self.db.transaction() as repo:
                repo.add_session(SessionRecord(uid, "boxing", T0, 600, 60))
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass

    @rule(day=st.sampled_from(DAYS), origin=st.sampled_from(["local", "server"]), coach=st.sampled_from(["A", "B"]))
    def set_override(self, day: date, origin: str, coach: str) -> None:
        now = self._tick()
        with self.db.transaction() as repo:
            repo.set_override(CoachOverride(day, coach, "easy", origin=origin), now=now)
        self.overrides[(day, origin)] = (coach, self.clock)

    @rule(day=st.sampled_from(DAYS), origin=st.sampled_from(["local", "server", None]))
    def clear_override(self, day: date, origin: str | None) -> None:
        with self.db.transaction() as repo:
            repo.clear_override(day, origin=origin)
        for key in [k for k in self.overrides if k[0] == day and (origin is None or k[1] == origin)]:
            del self.overrides[key]

    @invariant()
    def store_matches_model(self) -> None:
        with self.db.transaction() as repo:
            stored = {s.record.uid: s for s in repo.sessions()}
            assert set(stored) == set(self.sessions)
            for uid, s in stored.items():
                assert {r.idx for r in repo.reps(s.id)} == self.sessions[uid]
                assert {p.idx for p in repo.punches(s.id)} == self.punches[uid]
            for day in DAYS:
                candidates = [(t, origin, coach) for (d, origin), (coach, t) in self.overrides.items() if d == day]
                ov = repo.override_for(day)
                if not candidates:
                    assert ov is None
                else:
                    _, origin, coach = max(candidates)
                    assert ov is not None and (ov.origin, ov.coach) == (origin, coach)

    def teardown(self) -> None:
        self.db.close()


RepositoryMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
TestRepositoryMachine = RepositoryMachine.TestCase
