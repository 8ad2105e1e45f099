"""Fault tests with real processes: a server killed mid-session loses no acknowledged score and
counts none twice; a game offline for a whole session syncs everything when the server is back."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from game.net.client import open_link, sync_outbox
from game.net.errors import NetworkError
from game.net.outbox import Outbox
from game.net.settings import NetSettings
from game.net.sync import SyncWorker
from tests.leaderboard_server.conftest import boxing_submission, squat_submission
from tests.leaderboard_server.support import server_process


def _stored(db: Path) -> list[tuple[str, float]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT client_id, score FROM submissions ORDER BY client_id").fetchall()


def test_kill_mid_session_loses_nothing_acknowledged_and_counts_nothing_twice(tmp_path: Path) -> None:
    data = tmp_path / "server"
    with server_process(["--data-dir", str(data)], tmp_path) as srv:
        outbox = Outbox(tmp_path / "game" / "outbox.sqlite3")
        now = int(time.time() * 1000)
        ids = [f"kill-test-{i:05d}" for i in range(200)]
        for i, sid in enumerate(ids):
            outbox.enqueue(boxing_submission(sid, 1000 + i, played_at_ms=now - 120_000))
        settings = NetSettings(server=srv.url, name="Crash Tester")

        async def first_half() -> tuple[set[str], NetSettings]:
            link, s = await open_link(settings, folder=tmp_path / "game")
            task = asyncio.create_task(sync_outbox(link, outbox))
            deadline = time.monotonic() + 60
            while outbox.counts().sent < 60:
                assert time.monotonic() < deadline and not task.done(), "sync stalled before the kill"
                await asyncio.sleep(0.005)
            srv.kill()  # SIGKILL while submissions are in flight
            report = await task
            assert report.error is not None and report.remaining > 0
            acked = {item.id for item in outbox.items() if item.state == "sent"}
            try:
                await link.close()
            except NetworkError:
                pass
            return acked, s

        acked, settings = asyncio.run(first_half())
        assert 60 <= len(acked) < len(ids)
        stored_after_crash = {sid for sid, _ in _stored(data / "leaderboard.sqlite3")}
        assert acked <= stored_after_crash, "an acknowledged submission was lost"

        # Simulate an acknowledgement lost in the crash: the game resends it.
        lost_ack = sorted(acked)[0]
        with sqlite3.connect(outbox.path) as conn:
            conn.execute("UPDATE outbox SET state = 'pending' WHERE id = ?", (lost_ack,))

        srv.start()  # same port, same database file

        async def second_half() -> None:
            link, _ = await open_link(settings, folder=tmp_path / "game")
            report = await sync_outbox(link, outbox)
            assert report.error is None and report.remaining == 0
            assert report.duplicates >= 1  # at least the lost-ack resend
            board = await link.request({"type": "board.get", "mode": "boxing", "period": "all_time"})
            assert board["entries"][0]["score"] == 1000 + len(ids) - 1
            await link.close()

        asyncio.run(second_half())
        assert srv.terminate() == 0
        stored = _stored(data / "leaderboard.sqlite3")
        assert [sid for sid, _ in stored] == sorted(ids), "every submission exactly once"
        outbox.close()


def test_offline_session_syncs_everything_when_the_server_is_back(tmp_path: Path) -> None:
    game_dir = tmp_path / "game"
    game_dir.mkdir()
    # Reserve a port for the server that is not running yet.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outbox = Outbox(game_dir / "outbox.sqlite3")
    worker = SyncWorker(outbox, NetSettings(server=f"ws://127.0.0.1:{port}/ws", name="Offline Olga"), folder=game_dir,
                        retry_delays_s=(0.1, 0.2, 0.3)).start()
    try:
        now = int(time.time() * 1000)
        ids = []
        for i in range(40):  # a whole session of sets while offline
            sub = squat_submission(f"offline-{i:04d}", 5 + i % 7, played_at_ms=now - 3600_000 + i * 60_000)
            ids.append(worker.submit(sub))
        time.sleep(0.5)
        status = worker.status()
        assert not status.is_connected and status.pending == 40 and status.last_error
        data = tmp_path / "server"
        import os

        from tests.leaderboard_server.support import ServerProcess

        srv = ServerProcess(args=["--data-dir", str(data)], env={**os.environ, "PYTHONUNBUFFERED": "1"}, port=port)
        srv.start()
        try:
            deadline = time.monotonic() + 20
            while worker.status().pending and time.monotonic() < deadline:
                time.sleep(0.1)
            status = worker.status()
            assert status.pending == 0 and status.is_connected and status.player_id
            assert srv.terminate() == 0
        finally:
            srv.kill()
        assert sorted(sid for sid, _ in _stored(data / "leaderboard.sqlite3")) == sorted(ids)
    finally:
        worker.stop()
        outbox.close()


def test_the_game_re_reads_a_challenge_after_the_server_restarts(tmp_path: Path) -> None:
    """Pushes sent while the game was disconnected are gone; after reconnecting it must show the
    current standings anyway."""
    import asyncio

    from game.net.client import ServerLink
    from tests.leaderboard_server.support import TRAINER_CODE

    data = tmp_path / "server"
    with server_process(["--data-dir", str(data), "--trainer-code", TRAINER_CODE], tmp_path) as srv:

        async def setup() -> tuple[str, str]:
            coach = await ServerLink.connect(srv.url)
            await coach.request({"type": "register", "name": "Coach", "trainer_code": TRAINER_CODE})
            code = (await coach.request({"type": "challenge.create", "title": "Restart", "exercise": "boxing",
                                         "duration_s": 600}))["challenge"]["code"]
            rival = await ServerLink.connect(srv.url)
            token = (await rival.request({"type": "register", "name": "Rival"}))["token"]
            await rival.request({"type": "challenge.join", "code": code})
            await coach.request({"type": "challenge.start", "code": code})
            await coach.close()
            await rival.close()
            return code, token

        code, rival_token = asyncio.run(setup())
        game_dir = tmp_path / "game"
        game_dir.mkdir()
        worker = SyncWorker(Outbox(game_dir / "outbox.sqlite3"), NetSettings(server=srv.url, name="Me"),
                            folder=game_dir, retry_delays_s=(0.1, 0.2)).start()
        try:
            worker.join(code)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not ((s := worker.standings()) and len(s.entries) == 2):
                time.sleep(0.05)
            assert (st := worker.standings()) is not None and len(st.entries) == 2
            srv.kill()
            deadline = time.monotonic() + 15
            while worker.status().is_connected and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not worker.status().is_connected
            srv.start()  # back on the same port; the rival scores before the game reconnects

            async def rival_scores() -> None:
                rival = await ServerLink.connect(srv.url)
                await rival.request({"type": "hello", "token": rival_token})
                await rival.request({"type": "challenge.progress", "code": code, "score": 700, "elapsed_ms": 2000})
                await rival.close()

            asyncio.run(rival_scores())
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                st = worker.standings()
                if st is not None and st.entries[0].name == "Rival" and st.entries[0].score == 700:
                    break
                time.sleep(0.05)
            st = worker.standings()
            assert st is not None and st.entries[0].name == "Rival" and st.entries[0].score == 700
            assert worker.status().is_connected
        finally:
            worker.stop()
