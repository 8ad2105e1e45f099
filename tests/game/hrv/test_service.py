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
        override = st.to_json()["override"]
        assert isinstance(override, dict) and override["coach"] == "Coach K"
        # The server no longer has one: the stored copy goes, a local one would stay.
        assert store_server_override(db, None, today=DAY, now=NOW) is None
        assert not status(db, today=DAY, now=NOW).plan.is_override


def test_expired_server_override_is_not_stored(tmp_path: Path) -> None:
    with open_database(tmp_path / "t.db") as db:
        payload = {"coach": "K", "plan": {"rest_day": True, "expires_at_ms": int(NOW.timestamp() * 1000) - 1}}
        assert store_server_override(db, payload, today=DAY, now=NOW) is None
        assert not status(db, today=DAY, now=NOW).plan.is_override


def test_progress_reports_every_byte_and_json_sink_gets_every_record(tmp_path: Path) -> None:
    from benchmarks.hrv_apple_export import write_export
    from game.hrv.importers import Progress
    from game.hrv.service import import_paths

    xml = tmp_path / "export.xml"
    truth = write_export(xml, 200_000, seed=1)
    csv = tmp_path / "hc.csv"
    csv.write_text("time,zoneOffset,heartRateVariabilityMillis\n2026-03-01T06:00:00Z,+01:00,40\n")
    ticks: dict[Path, list[int]] = {}

    def progress(path: Path, size: int) -> Progress:
        ticks[path] = [size, 0]

        def tick(n: int) -> None:
            ticks[path][1] += n

        return tick

    seen: list[tuple[str, bool]] = []
    with open_database(tmp_path / "t.db") as db:
        reports = import_paths(db, [xml, csv], now=NOW, progress=progress,
                               on_measurement=lambda p, f, m, new: seen.append((f, new)))
        again = import_paths(db, [xml], now=NOW, on_measurement=lambda p, f, m, new: seen.append((f, new)))
    assert ticks[xml] == [xml.stat().st_size, xml.stat().st_size]
    assert ticks[csv] == [csv.stat().st_size, csv.stat().st_size]
    n = truth.hrv_records + truth.rhr_records
    assert [r.count for r in reports] == [n, 1] and [r.added for r in reports] == [n, 1]
    assert again[0].added == 0 and again[0].count == n
    assert seen[: n + 1] == [("apple_xml", True)] * n + [("health_connect_csv", True)]
    assert seen[n + 1 :] == [("apple_xml", False)] * n
    assert len(reports[0].sample) == 3


def test_a_long_import_does_not_lock_out_other_writers(tmp_path: Path) -> None:
    """Records are committed batch by batch: while a big export is still being read, the game can
    save a finished session (SQLite has one writer; a whole-file transaction would hold it for the
    whole import and the game's save would time out)."""
    import sqlite3

    from game.hrv.service import import_paths

    csv = tmp_path / "hc.csv"
    rows = [f"2026-03-{d:02d}T06:00:00Z,+01:00,{40 + d}" for d in range(1, 29)]
    csv.write_text("time,zoneOffset,heartRateVariabilityMillis\n" + "\n".join(rows) + "\n")
    db_path = tmp_path / "t.db"
    other_writes: list[str] = []

    def save_elsewhere(path: Path, fmt: str, m: object, is_new: bool) -> None:
        if other_writes:
            return
        conn = sqlite3.connect(db_path, timeout=0.2)
        try:
            with conn:
                conn.execute("UPDATE profile SET display_name = display_name")
            other_writes.append("ok")
        except sqlite3.OperationalError as exc:
            other_writes.append(str(exc))
        finally:
            conn.close()

    with open_database(db_path) as db:
        reports = import_paths(db, [csv], now=NOW, on_measurement=save_elsewhere)
    assert reports[0].added == 28
    assert other_writes == ["ok"]
