"""The game opens the database from several threads at once (today's plan, an HRV import,
saving a session): a fresh database is migrated once, without crashing."""

from __future__ import annotations

import threading
from pathlib import Path


def test_opening_a_fresh_database_from_many_threads_at_once(tmp_path: Path) -> None:
    from game.storage import open_database

    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work() -> None:
        try:
            start.wait()
            db = open_database(tmp_path / "ringside.db")
            with db.transaction() as repo:
                repo.measurement_count()
            db.close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
