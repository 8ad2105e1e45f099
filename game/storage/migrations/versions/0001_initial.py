"""Initial schema: profile, HRV records, readiness by day, sessions, reps, punches, coach overrides.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("player_uid", sa.String(36), nullable=False, unique=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("settings_json", sa.Text, nullable=False),
    )
    op.create_table(
        "hrv_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(40), nullable=False, unique=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("device", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("start_utc", sa.DateTime, nullable=False),
        sa.Column("utc_offset_min", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("context", sa.String(10), nullable=False),
        sa.Column("rmssd_ms", sa.Float),
        sa.Column("sdnn_ms", sa.Float),
        sa.Column("resting_hr_bpm", sa.Float),
        sa.Column("mean_hr_bpm", sa.Float),
        sa.Column("duration_s", sa.Float),
        sa.Column("beats_total", sa.Integer, nullable=False),
        sa.Column("beats_used", sa.Integer, nullable=False),
        sa.Column("artefacts_corrected", sa.Integer, nullable=False),
        sa.Column("quality", sa.Float),
        sa.Column("is_usable", sa.Boolean, nullable=False),
        sa.Column("reject_reason", sa.Text),
        sa.Column("notes_json", sa.Text, nullable=False),
        sa.Column("rr_ms_json", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_hrv_records_start_utc", "hrv_records", ["start_utc"])
    op.create_index("ix_hrv_records_day", "hrv_records", ["day"])
    op.create_table(
        "readiness_days",
        sa.Column("series_key", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("value_ln", sa.Float),
        sa.Column("rolling7_ln", sa.Float),
        sa.Column("band_low_ln", sa.Float),
        sa.Column("band_high_ln", sa.Float),
        sa.Column("resting_hr_bpm", sa.Float),
        sa.Column("detail_json", sa.Text, nullable=False),
        sa.Column("computed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(40), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("started_utc", sa.DateTime, nullable=False),
        sa.Column("duration_s", sa.Float, nullable=False),
        sa.Column("load_au", sa.Float, nullable=False),
        sa.Column("rpe", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("plan_json", sa.Text, nullable=False),
        sa.Column("summary_json", sa.Text, nullable=False),
        sa.Column("synced_at", sa.DateTime),
    )
    op.create_index("ix_sessions_started_utc", "sessions", ["started_utc"])
    op.create_table(
        "reps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("exercise", sa.String(20), nullable=False),
        sa.Column("t_ms", sa.Integer, nullable=False),
        sa.Column("is_counted", sa.Boolean, nullable=False),
        sa.Column("depth_deg", sa.Float),
        sa.Column("velocity_mps", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("metrics_json", sa.Text, nullable=False),
        sa.UniqueConstraint("session_id", "idx"),
    )
    op.create_index("ix_reps_session_id", "reps", ["session_id"])
    op.create_table(
        "punches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("session_id", sa.Integer, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("t_ms", sa.Integer, nullable=False),
        sa.Column("hand", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("is_hit", sa.Boolean, nullable=False),
        sa.Column("speed_mps", sa.Float),
        sa.Column("score", sa.Float),
        sa.Column("metrics_json", sa.Text, nullable=False),
        sa.UniqueConstraint("session_id", "idx"),
    )
    op.create_index("ix_punches_session_id", "punches", ["session_id"])
    op.create_table(
        "coach_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("coach", sa.String(80), nullable=False),
        sa.Column("preset", sa.String(12)),
        sa.Column("patch_json", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("day", "origin"),
    )
    op.create_index("ix_coach_overrides_day", "coach_overrides", ["day"])


def downgrade() -> None:
    for index, table in (
        ("ix_coach_overrides_day", "coach_overrides"),
        ("ix_punches_session_id", "punches"),
        ("ix_reps_session_id", "reps"),
        ("ix_sessions_started_utc", "sessions"),
    ):
        op.drop_index(index, table_name=table)
    op.drop_table("coach_overrides")
    op.drop_table("punches")
    op.drop_table("reps")
    op.drop_table("sessions")
    op.drop_table("readiness_days")
    op.drop_index("ix_hrv_records_day", table_name="hrv_records")
    op.drop_index("ix_hrv_records_start_utc", table_name="hrv_records")
    op.drop_table("hrv_records")
    op.drop_table("profile")
