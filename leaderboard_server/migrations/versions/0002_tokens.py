"""Device tokens with a lifetime and revocation: one row per signed-in device; the size of each
submission's stored telemetry (for the per-player quota, without reading the telemetry back).

Existing players keep their token (copied here with a fresh 180-day lifetime). ``players.token_hash``
stays as it was (SQLite cannot drop a column that other tables reference without rebuilding them)
but nothing authenticates with it any more: sign-in reads ``tokens`` only.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

#: Must equal ``core.CoreConfig.token_idle_ms`` (the lifetime a fresh token gets).
TOKEN_IDLE_MS = 180 * 24 * 3600 * 1000


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(16), nullable=False, unique=True),
        sa.Column("player_id", sa.Integer(), sa.ForeignKey("players.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(60), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_used_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at_ms", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_tokens_player", "tokens", ["player_id"])
    op.add_column("submissions", sa.Column("telemetry_chars", sa.Integer(), nullable=False, server_default="0"))
    op.execute(sa.text("UPDATE submissions SET telemetry_chars = LENGTH(telemetry)"))
    op.create_index("ix_submissions_player_received", "submissions", ["player_id", "received_at_ms", "telemetry_chars"])
    now_ms = int(time.time() * 1000)
    op.execute(sa.text(
        "INSERT INTO tokens (public_id, player_id, token_hash, label, created_at_ms, last_used_ms, expires_at_ms)"
        " SELECT substr(token_hash, 1, 16), id, token_hash, 'device', created_at_ms, :now, :expires FROM players"
    ).bindparams(now=now_ms, expires=now_ms + TOKEN_IDLE_MS))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("telemetry_chars")
    op.drop_index("ix_submissions_player_received", table_name="submissions")
    op.drop_index("ix_tokens_player", table_name="tokens")
    op.drop_table("tokens")
