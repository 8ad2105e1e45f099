"""The on-disk outbox keeps every score until the server acknowledges it."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from game.net.errors import OutboxError
from game.net.outbox import Outbox, OutboxCounts, make_submission


def _sub(i: int) -> dict[str, object]:
    return make_submission(mode="squat", score=i, played_at_ms=1_796_000_000_000 + i, duration_ms=30_000,
                           telemetry={"reps": [{"duration_ms": 2000}] * i}, submission_id=f"sub-{i:08d}")


def test_enqueue_is_durable_ordered_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    with Outbox(path) as box:
        for i in (3, 1, 2):
            box.enqueue(_sub(i), now_ms=1000 + i)
        box.enqueue(_sub(1), now_ms=5000)  # same id again: kept once
        assert [item.id for item in box.pending()] == ["sub-00000001", "sub-00000002", "sub-00000003"]
        box.mark_sent("sub-00000001", {"status": "accepted"})
        box.mark_rejected("sub-00000002", "implausible: too fast")
        box.mark_attempt("sub-00000003", "offline")
    with Outbox(path) as box:  # reopened: nothing lost
        counts = box.counts()
        assert (counts.pending, counts.sent, counts.rejected) == (1, 1, 1)
        (item,) = box.pending()
        assert item.attempts == 1 and item.last_error == "offline" and item.submission["score"] == 3
        assert box.reply_of("sub-00000001") == {"status": "accepted"}


def _enqueue_then_die(path: str) -> None:
    box = Outbox(Path(path))
    box.enqueue(_sub(7))
    os._exit(9)  # crash right after enqueue returns: no close, no cleanup


def test_an_enqueued_score_survives_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    proc = multiprocessing.get_context("spawn").Process(target=_enqueue_then_die, args=(str(path),))
    proc.start()
    proc.join(30)
    assert proc.exitcode == 9
    with Outbox(path) as box:
        assert [item.id for item in box.pending()] == ["sub-00000007"]


def test_a_corrupt_outbox_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match="cannot be opened"):
        Outbox(path)


def test_make_submission_validates() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        make_submission(mode="golf", score=1, played_at_ms=0, duration_ms=0, telemetry={})
    with pytest.raises(ValueError, match="challenge"):
        make_submission(mode="challenge", score=1, played_at_ms=0, duration_ms=0, telemetry={})
    sub = make_submission(mode="challenge", score=1, played_at_ms=0, duration_ms=0, telemetry={}, challenge="ab12cd")
    assert sub["challenge"] == "AB12CD" and len(sub["id"]) == 32


def test_prune_forgets_only_old_acknowledged(tmp_path: Path) -> None:
    with Outbox(tmp_path / "o.sqlite3") as box:
        box.enqueue(_sub(1), now_ms=0)
        box.enqueue(_sub(2), now_ms=0)
        box.mark_sent("sub-00000001", {}, now_ms=10)
        assert box.prune_sent(older_than_ms=100) == 1
        assert box.counts().pending == 1 and box.counts().sent == 0


def test_an_outbox_folder_that_cannot_be_made_is_an_outbox_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OutboxError, match="not-a-folder"):
        Outbox(blocker / "outbox.sqlite3")


def test_reading_the_outbox_never_waits_for_a_write(tmp_path: Path) -> None:
    """The game's screens read the outbox (counts) while the sync thread writes (an fsync each):
    reads use their own connection, so a slow or blocked write never stalls a frame."""
    import sqlite3
    import threading

    path = tmp_path / "outbox.sqlite3"
    with Outbox(path) as box:
        box.enqueue(_sub(1), now_ms=1)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the lock: our write will wait
        writer = threading.Thread(target=box.enqueue, args=(_sub(2),), kwargs={"now_ms": 2})
        writer.start()
        writer.join(0.3)
        assert writer.is_alive()  # the write is waiting
        got: list[OutboxCounts] = []
        reader = threading.Thread(target=lambda: got.append(box.counts()))
        reader.start()
        reader.join(5.0)
        is_read_done = not reader.is_alive()
        other.execute("ROLLBACK")
        other.close()
        writer.join(10.0)
        reader.join(10.0)
        assert is_read_done and got[0].pending == 1
        assert box.counts().pending == 2
