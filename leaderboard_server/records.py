"""What storage hands the core: frozen records with plain values (no SQLAlchemy in sight).

The core (``leaderboard_server.core``) imports these, never the repository's database code, so it
stays importable and testable without SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlayerRec:
    id: int
    public_id: str
    name: str
    role: str

    @property
    def is_trainer(self) -> bool:
        return self.role == "trainer"


@dataclass(frozen=True)
class GroupRec:
    id: int
    public_id: str
    name: str
    invite_code: str
    owner_id: int


@dataclass(frozen=True)
class ChallengeRec:
    id: int
    code: str
    title: str
    exercise: str
    trainer_id: int
    trainer_name: str
    group_id: int | None
    duration_s: int
    state: str
    created_at_ms: int
    started_at_ms: int | None
    ends_at_ms: int | None
    stopped_at_ms: int | None
    version: int


@dataclass(frozen=True)
class StandingRec:
    player_public_id: str
    name: str
    live_score: float
    final_score: float | None
    updated_at_ms: int


@dataclass(frozen=True)
class SubmissionRec:
    id: int
    player_id: int
    client_id: str
    mode: str
    exercise: str
    score: float
    played_at_ms: int
    duration_ms: int
    received_at_ms: int
    challenge_code: str | None
    is_accepted: bool
    reason: str | None
    telemetry: dict[str, Any]


@dataclass(frozen=True)
class BoardEntryRec:
    player_public_id: str
    name: str
    score: float
    achieved_at_ms: int


@dataclass(frozen=True)
class OverrideRec:
    id: int
    player_public_id: str
    coach_public_id: str
    coach_name: str
    plan: dict[str, Any]
    note: str
    created_at_ms: int


@dataclass(frozen=True)
class TokenRec:
    """One device's token (never the token itself: only its hash is stored)."""

    id: int
    public_id: str
    player_id: int
    label: str
    created_at_ms: int
    last_used_ms: int
    expires_at_ms: int
    revoked_at_ms: int | None

    def is_valid(self, now_ms: int) -> bool:
        return self.revoked_at_ms is None and now_ms < self.expires_at_ms
