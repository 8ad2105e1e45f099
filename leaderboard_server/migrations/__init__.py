"""Alembic migrations for the leaderboard database (run by ``leaderboard_server.db.migrate``)."""
