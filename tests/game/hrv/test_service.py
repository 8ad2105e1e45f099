"""The adapter layer: server overrides into the store, and status reading them back."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from game.hrv.service import status, store_server_override
from game.storage import open_database

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
DAY = date(2026, 11, 30)


def test_server_override_is_stored_shown_and_withdrawn(tmp_path: Path) -> None:
    with open_database(tmp_path / "t.db") as db:
        payload = {"coach": "Coach K", "note": "deload", "plan": {"intensity": "low"}}
        ov = store_server_override(db, payload, today=DAY, now=NOW)
        assert ov is not None and ov.origin == "server"
        st = status(db, today=DAY, now=NOW)
        assert st.plan.is_override and st.plan.override_origin == "server" and st.plan.intensity == "easy"
        assert "from the leaderboard server" in st.plan.reason and "deload" in st.plan.reason
        assert st.to_json()["override"]["coach"] == "Coach K"  # type: ignore[index]
        # The server no longer has one: the stored copy goes, a local one would stay.
        assert store_server_override(db, None, today=DAY, now=NOW) is None
        assert not status(db, today=DAY, now=NOW).plan.is_override


def test_expired_server_override_is_not_stored(tmp_path: Path) -> None:
    with open_database(tmp_path / "t.db") as db:
        payload = {"coach": "K", "plan": {"rest_day": True, "expires_at_ms": int(NOW.timestamp() * 1000) - 1}}
        assert store_server_override(db, payload, today=DAY, now=NOW) is None
        assert not status(db, today=DAY, now=NOW).plan.is_override
