"""Initial schema: players, groups, challenges, submissions, best scores, coach overrides.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "players",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "player_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(16), nullable=False, unique=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("invite_code", sa.String(12), nullable=False, unique=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("players.id"), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("player_groups.id"), primary_key=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id"), primary_key=True),
        sa.Column("joined_at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_group_members_player", "group_members", ["player_id"])
    op.create_table(
        "challenges",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("title", sa.String(40), nullable=False),
        sa.Column("exercise", sa.String(16), nullable=False),
        sa.Column("trainer_id", sa.Integer(), sa.ForeignKey("players.id"), nullable=False),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("player_groups.id"), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("started_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("ends_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("stopped_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "challenge_participants",
        sa.Column("challenge_id", sa.Integer(), sa.ForeignKey("challenges.id"), primary_key=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id"), primary_key=True),
        sa.Column("joined_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("live_score", sa.Float(), nullable=False),
        sa.Column("final_score", sa.Float(), nullable=True),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("exercise", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("played_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("received_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), sa.ForeignKey("challenges.id"), nullable=True),
        sa.Column("is_accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("telemetry", sa.Text(), nullable=False),
        sa.UniqueConstraint("player_id", "client_id", name="uq_submissions_player_client"),
    )
    op.create_index("ix_submissions_player_played", "submissions", ["player_id", "played_at_ms"])
    op.create_table(
        "best_scores",
        sa.Column("mode", sa.String(16), primary_key=True),
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("period_key", sa.String(10), primary_key=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id"), primary_key=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("submission_id", sa.Integer(), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("achieved_at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_best_scores_board", "best_scores", ["mode", "period", "period_key", "score"])
    op.create_table(
        "coach_overrides",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id"), nullable=False),
        sa.Column("coach_id", sa.Integer(), sa.ForeignKey("players.id"), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_coach_overrides_player", "coach_overrides", ["player_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_coach_overrides_player", table_name="coach_overrides")
    op.drop_table("coach_overrides")
    op.drop_index("ix_best_scores_board", table_name="best_scores")
    op.drop_table("best_scores")
    op.drop_index("ix_submissions_player_played", table_name="submissions")
    op.drop_table("submissions")
    op.drop_table("challenge_participants")
    op.drop_table("challenges")
    op.drop_index("ix_group_members_player", table_name="group_members")
    op.drop_table("group_members")
    op.drop_table("player_groups")
    op.drop_table("players")
