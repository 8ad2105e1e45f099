"""Fixtures for the leaderboard server: a real database (in-memory SQLite, migrated) and a
harness that plays clients against the pure core."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.orm import Session

from leaderboard_server import core
from leaderboard_server.db import make_engine, migrate
from leaderboard_server.repository import Repository

T0_MS = 1_796_000_000_000  # 2026-11-29, a fixed clock for the core


class SeededEntropy:
    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._rng.randbytes(n)


@dataclass
class Harness:
    """Clients talking to the core through one database session (committed after each message)."""

    session: Session
    config: core.CoreConfig
    entropy: SeededEntropy = field(default_factory=lambda: SeededEntropy(7))
    now_ms: int = T0_MS

    def send(self, state: core.SessionState, message: dict[str, Any]) -> core.Outcome:
        outcome = core.handle({"v": 1, **message}, state, Repository(self.session), self.now_ms, self.entropy,
                              self.config)
        self.session.commit()
        return outcome

    def ask(self, state: core.SessionState, message: dict[str, Any]) -> dict[str, Any]:
        return self.send(state, message).replies[0]

    def register(self, name: str, *, trainer: bool = False) -> core.SessionState:
        msg: dict[str, Any] = {"type": "register", "name": name}
        if trainer:
            msg["trainer_code"] = self.config.trainer_code
        outcome = self.send(core.SessionState(), msg)
        assert outcome.replies[0]["type"] == "registered", outcome.replies
        return outcome.session


@pytest.fixture
def engine() -> Iterator[Any]:
    eng = make_engine("sqlite://")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def harness(engine: Any) -> Iterator[Harness]:
    with Session(engine) as session:
        yield Harness(session, core.CoreConfig(trainer_code="coach-secret"))


def boxing_submission(sid: str, score: float, *, played_at_ms: int = T0_MS - 60_000, punches: int = 120,
                      duration_ms: int = 60_000, **extra: Any) -> dict[str, Any]:
    """A plausible shadowboxing session: ``punches`` thrown over one round."""
    return {
        "id": sid, "mode": "boxing", "score": score, "played_at_ms": played_at_ms, "duration_ms": duration_ms,
        "telemetry": {
            "duration_ms": duration_ms, "punches_thrown": punches, "punches_landed": punches - 10,
            "rounds": [{"index": 0, "duration_ms": duration_ms, "punches_thrown": punches,
                        "punches_landed": punches - 10, "peak_hand_speed_mps": 8.5, "score": score}],
            "skeleton_summary": {"frames": 1800, "fps": 30.0, "visibility_mean": 0.93},
        },
        **extra,
    }


def squat_submission(sid: str, reps: int, *, played_at_ms: int = T0_MS - 60_000, rep_ms: int = 2000,
                     mode: str = "squat", **extra: Any) -> dict[str, Any]:
    duration_ms = max(reps * rep_ms + 5000, 10_000)
    return {
        "id": sid, "mode": mode, "score": reps, "played_at_ms": played_at_ms, "duration_ms": duration_ms,
        "telemetry": {
            "duration_ms": duration_ms,
            "reps": [{"index": i, "duration_ms": rep_ms, "counted": True, "depth_deg": 95.0,
                      "spine_angle_deg": 30.0, "peak_velocity_mps": 0.9, "mean_velocity_mps": 0.5}
                     for i in range(reps)],
        },
        **extra,
    }
