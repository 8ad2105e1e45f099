"""SQLAlchemy table definitions. Only the storage package sees these classes.

Times are stored as naive UTC (SQLite has no time zones) through :class:`UTCDateTime`, which
refuses naive datetimes on the way in and hands back aware UTC datetimes on the way out.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware (UTC) datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class ProfileRow(Base):
    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    player_uid: Mapped[str] = mapped_column(String(36), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="Player")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settings_json: Mapped[str] = mapped_column(Text, default="{}")


class HrvRecordRow(Base):
    __tablename__ = "hrv_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    source: Mapped[str] = mapped_column(String(40))
    device: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    utc_offset_min: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date, index=True)
    context: Mapped[str] = mapped_column(String(10))
    rmssd_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    sdnn_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    resting_hr_bpm: Mapped[float | None] = mapped_column(Float, nullable=True)
    mean_hr_bpm: Mapped[float | None] = mapped_column(Float, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    beats_total: Mapped[int] = mapped_column(Integer, default=0)
    beats_used: Mapped[int] = mapped_column(Integer, default=0)
    artefacts_corrected: Mapped[int] = mapped_column(Integer, default=0)
    quality: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_usable: Mapped[bool] = mapped_column(Boolean)
    reject_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes_json: Mapped[str] = mapped_column(Text, default="[]")
    rr_ms_json: Mapped[str] = mapped_column(Text, default="[]")
    origin: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReadinessDayRow(Base):
    __tablename__ = "readiness_days"

    series_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    state: Mapped[str] = mapped_column(String(10))
    value_ln: Mapped[float | None] = mapped_column(Float, nullable=True)
    rolling7_ln: Mapped[float | None] = mapped_column(Float, nullable=True)
    band_low_ln: Mapped[float | None] = mapped_column(Float, nullable=True)
    band_high_ln: Mapped[float | None] = mapped_column(Float, nullable=True)
    resting_hr_bpm: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_s: Mapped[float] = mapped_column(Float)
    load_au: Mapped[float] = mapped_column(Float)
    rpe: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    plan_json: Mapped[str] = mapped_column(Text, default="{}")
    summary_json: Mapped[str] = mapped_column(Text, default="{}")
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    reps: Mapped[list[RepRow]] = relationship(back_populates="session", cascade="all, delete-orphan")
    punches: Mapped[list[PunchRow]] = relationship(back_populates="session", cascade="all, delete-orphan")


class RepRow(Base):
    __tablename__ = "reps"
    __table_args__ = (UniqueConstraint("session_id", "idx"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    exercise: Mapped[str] = mapped_column(String(20))
    t_ms: Mapped[int] = mapped_column(Integer)
    is_counted: Mapped[bool] = mapped_column(Boolean)
    depth_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    velocity_mps: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    metrics_json: Mapped[str] = mapped_column(Text, default="{}")

    session: Mapped[SessionRow] = relationship(back_populates="reps")


class PunchRow(Base):
    __tablename__ = "punches"
    __table_args__ = (UniqueConstraint("session_id", "idx"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int] = mapped_column(Integer)
    t_ms: Mapped[int] = mapped_column(Integer)
    hand: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    is_hit: Mapped[bool] = mapped_column(Boolean)
    speed_mps: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    metrics_json: Mapped[str] = mapped_column(Text, default="{}")

    session: Mapped[SessionRow] = relationship(back_populates="punches")


class CoachOverrideRow(Base):
    __tablename__ = "coach_overrides"
    __table_args__ = (UniqueConstraint("day", "origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    origin: Mapped[str] = mapped_column(String(10))
    coach: Mapped[str] = mapped_column(String(80))
    preset: Mapped[str | None] = mapped_column(String(12), nullable=True)
    patch_json: Mapped[str] = mapped_column(Text, default="{}")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
