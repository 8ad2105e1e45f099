"""The database schema (SQLAlchemy 2.x declarative). Changes ship as Alembic migrations in
``leaderboard_server/migrations/versions``; a test checks the two agree.

Times are integer milliseconds since the Unix epoch (UTC), named ``*_ms``. Telemetry and plans are
JSON text: the server stores and serves them but never queries inside them.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Player(Base):
    __tablename__ = "players"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(16))  # "player" | "trainer"
    #: sha256 hex of the player's first token. Not used to sign in since migration 0002: the
    #: ``tokens`` table holds every device's token with its lifetime and revocation.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class Token(Base):
    """One signed-in device: its token's hash, when it expires, and whether it was revoked."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)  # shown in token.list
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(60))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    last_used_ms: Mapped[int] = mapped_column(BigInteger)
    expires_at_ms: Mapped[int] = mapped_column(BigInteger)
    revoked_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    __table_args__ = (Index("ix_tokens_player", "player_id"),)


class Group(Base):
    __tablename__ = "player_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    invite_code: Mapped[str] = mapped_column(String(12), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    created_at_ms: Mapped[int] = mapped_column(BigInteger)


class GroupMember(Base):
    __tablename__ = "group_members"
    group_id: Mapped[int] = mapped_column(ForeignKey("player_groups.id"), primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), primary_key=True)
    joined_at_ms: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_group_members_player", "player_id"),)


class Challenge(Base):
    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(40))
    exercise: Mapped[str] = mapped_column(String(16))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("player_groups.id"), nullable=True)
    duration_s: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12))  # "lobby" | "running" | "stopped"
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    started_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ends_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    stopped_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    version: Mapped[int] = mapped_column(Integer)


class ChallengeParticipant(Base):
    __tablename__ = "challenge_participants"
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), primary_key=True)
    joined_at_ms: Mapped[int] = mapped_column(BigInteger)
    live_score: Mapped[float] = mapped_column(Float)
    final_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class Submission(Base):
    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    exercise: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    played_at_ms: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(Integer)
    received_at_ms: Mapped[int] = mapped_column(BigInteger)
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenges.id"), nullable=True)
    is_accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    telemetry: Mapped[str] = mapped_column(Text)
    #: Characters of ``telemetry`` (the per-player quota sums this, not the text).
    telemetry_chars: Mapped[int] = mapped_column(Integer, server_default="0")
    __table_args__ = (
        UniqueConstraint("player_id", "client_id", name="uq_submissions_player_client"),
        Index("ix_submissions_player_played", "player_id", "played_at_ms"),
        # Covers the quota's sum: no table row is read for it.
        Index("ix_submissions_player_received", "player_id", "received_at_ms", "telemetry_chars"),
    )


class BestScore(Base):
    """Best-score semantics: one row per (board, player), raised only by a better score."""

    __tablename__ = "best_scores"
    mode: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)  # daily | weekly | all_time
    period_key: Mapped[str] = mapped_column(String(10), primary_key=True)  # 2026-11-30 | 2026-W49 | all
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    achieved_at_ms: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_best_scores_board", "mode", "period", "period_key", "score"),)


class CoachOverride(Base):
    __tablename__ = "coach_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    coach_id: Mapped[int] = mapped_column(ForeignKey("players.id"))
    plan: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    created_at_ms: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_coach_overrides_player", "player_id", "id"),)
