"""Two server processes behind one database (the real local PostgreSQL): a score sent to one
reaches a watcher connected to the other, and a watcher re-reads state after reconnecting."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from game.net.client import ServerLink
from tests.leaderboard_server.conftest import squat_submission
from tests.leaderboard_server.support import TRAINER_CODE, ServerProcess, fresh_postgres_database


async def _wait_for(pushes: list[dict[str, Any]], pred: Any, timeout_s: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for p in pushes:
            if pred(p):
                return p
        await asyncio.sleep(0.02)
    raise AssertionError(f"no matching push within {timeout_s} s; got {pushes[-3:]}")


def test_two_processes_share_postgres_and_push_to_each_others_watchers(tmp_path: Path) -> None:
    with fresh_postgres_database() as db_url:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RINGSIDE_HOME": str(tmp_path)}
        args = ["--db", db_url, "--trainer-code", TRAINER_CODE]
        one = ServerProcess(args=args, env=env).start()
        two = ServerProcess(args=args, env=env).start()
        try:
            assert "LISTEN/NOTIFY" in "".join(one.output)

            async def scenario() -> None:
                coach = await ServerLink.connect(one.url)
                await coach.request({"type": "register", "name": "Coach", "trainer_code": TRAINER_CODE})
                code = (await coach.request({"type": "challenge.create", "title": "Two rooms", "exercise": "squat",
                                             "duration_s": 300}))["challenge"]["code"]
                # The TV watches through process two; the player plays through process one.
                tv_pushes: list[dict[str, Any]] = []
                tv = await ServerLink.connect(two.url, on_push=tv_pushes.append)
                await tv.request({"type": "challenge.watch", "code": code})
                ann = await ServerLink.connect(one.url)
                token = (await ann.request({"type": "register", "name": "Ann"}))["token"]
                await ann.request({"type": "challenge.join", "code": code})
                await _wait_for(tv_pushes, lambda p: [e["name"] for e in p["entries"]] == ["Ann"])
                await coach.request({"type": "challenge.start", "code": code})
                await _wait_for(tv_pushes, lambda p: p["challenge"]["state"] == "running")
                await asyncio.sleep(1.0)
                sub = squat_submission("ann-scale-0001", 3, mode="challenge", challenge=code,
                                       played_at_ms=int(time.time() * 1000) - 500, rep_ms=1300)
                sub["duration_ms"] = sub["telemetry"]["duration_ms"] = 5000
                reply = await ann.request({"type": "submit", "submission": sub})
                assert reply["status"] == "accepted", reply
                got = await _wait_for(tv_pushes, lambda p: p["entries"] and p["entries"][0]["score"] == 3)
                assert got["entries"][0]["final"] is True
                # The same player resending through the other process (ack lost, reconnected
                # elsewhere) is recognised as a duplicate: counted once.
                ann_two = await ServerLink.connect(two.url)
                await ann_two.request({"type": "hello", "token": token})
                again = await ann_two.request({"type": "submit", "submission": sub})
                assert again["status"] == "duplicate"
                await ann_two.close()

                # Process two restarts (a deploy): its watcher reconnects and re-reads the state,
                # including what changed while it was away.
                two.kill()
                await tv.closed.wait()
                await ann.request({"type": "challenge.progress", "code": code, "score": 5, "elapsed_ms": 4000})
                two.start()
                tv2_pushes: list[dict[str, Any]] = []
                tv2 = await ServerLink.connect(two.url, on_push=tv2_pushes.append)
                snapshot = await tv2.request({"type": "challenge.watch", "code": code})
                assert snapshot["entries"][0]["score"] == 5
                await ann.request({"type": "challenge.progress", "code": code, "score": 6, "elapsed_ms": 5000})
                await _wait_for(tv2_pushes, lambda p: p["entries"][0]["score"] == 6)
                for link in (coach, ann, tv2):
                    await link.close()

            asyncio.run(scenario())
        finally:
            one.kill()
            two.kill()


def test_a_revoked_token_is_signed_out_on_every_process(tmp_path: Path) -> None:
    import json

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    with fresh_postgres_database() as db_url:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RINGSIDE_HOME": str(tmp_path)}
        one = ServerProcess(args=["--db", db_url], env=env).start()
        two = ServerProcess(args=["--db", db_url], env=env).start()
        try:
            async def scenario() -> None:
                phone = await ServerLink.connect(one.url)
                await phone.request({"type": "register", "name": "Ann"})
                laptop_token = (await phone.request({"type": "token.issue", "label": "laptop"}))["token"]
                async with connect(two.url) as laptop:
                    await laptop.send(json.dumps({"v": 1, "type": "hello", "token": laptop_token}))
                    assert json.loads(await laptop.recv())["type"] == "welcome"
                    devices = (await phone.request({"type": "token.list"}))["tokens"]
                    laptop_id = next(d["id"] for d in devices if d["label"] == "laptop")
                    await phone.request({"type": "token.revoke", "token": laptop_id})
                    try:
                        await asyncio.wait_for(laptop.recv(), 10)
                        raise AssertionError("the laptop stayed signed in on the other process")
                    except ConnectionClosed as closed:
                        assert closed.rcvd is not None and closed.rcvd.code == 4001
                await phone.close()

            asyncio.run(scenario())
        finally:
            one.kill()
            two.kill()
