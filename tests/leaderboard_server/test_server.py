"""The real server on a real socket (in-process, port 0), driven by the game's own client."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from game.net.client import ServerLink
from game.net.errors import ServerReplyError
from leaderboard_server.limits import RateLimit
from tests.leaderboard_server.conftest import boxing_submission, squat_submission
from tests.leaderboard_server.support import TRAINER_CODE, running_server, ws_url


async def _player(url: str, name: str, *, trainer: bool = False, pushes: list[dict[str, Any]] | None = None) -> ServerLink:
    link = await ServerLink.connect(url, on_push=None if pushes is None else pushes.append)
    msg: dict[str, Any] = {"type": "register", "name": name}
    if trainer:
        msg["trainer_code"] = TRAINER_CODE
    await link.request(msg)
    return link


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def test_register_submit_board_round_trip() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            ann = await _player(url, "Ann")
            bob = await _player(url, "Bob")
            t = _now_ms() - 60_000
            r1 = await ann.request({"type": "submit", "submission": boxing_submission("ann-0000001", 4000, played_at_ms=t)})
            assert r1["status"] == "accepted"
            await bob.request({"type": "submit", "submission": boxing_submission("bob-0000001", 5000, played_at_ms=t)})
            # Lower score later: best-score semantics keep 4000.
            await ann.request({"type": "submit", "submission": boxing_submission("ann-0000002", 3000, played_at_ms=t)})
            again = await ann.request({"type": "submit", "submission": boxing_submission("ann-0000001", 4000, played_at_ms=t)})
            assert again["status"] == "duplicate"
            board = await ann.request({"type": "board.get", "mode": "boxing", "period": "daily"})
            assert [(e["name"], e["score"], e["rank"]) for e in board["entries"]] == [("Bob", 5000, 1), ("Ann", 4000, 2)]
            assert board["me"] == {"score": 4000, "rank": 2}
            for link in (ann, bob):
                await link.close()

    asyncio.run(scenario())


def test_live_challenge_pushes_standings_to_participants_and_watchers() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await _player(url, "Coach", trainer=True)
            created = await coach.request({"type": "challenge.create", "title": "Squat-off", "exercise": "squat",
                                           "duration_s": 60})
            code = created["challenge"]["code"]
            tv_pushes: list[dict[str, Any]] = []
            tv = await ServerLink.connect(url, on_push=tv_pushes.append)
            await tv.request({"type": "hello", "client": "tv"})
            watched = await tv.request({"type": "challenge.watch", "code": code.lower()})
            assert watched["challenge"]["state"] == "lobby"
            ann_pushes: list[dict[str, Any]] = []
            ann = await _player(url, "Ann", pushes=ann_pushes)
            await ann.request({"type": "challenge.join", "code": code})
            await coach.request({"type": "challenge.start", "code": code})
            await asyncio.sleep(1.1)
            await ann.request({"type": "challenge.progress", "code": code, "score": 1, "elapsed_ms": 1000})

            async def wait_for(pushes: list[dict[str, Any]], pred: Any) -> dict[str, Any]:
                for _ in range(100):
                    for p in pushes:
                        if pred(p):
                            return p
                    await asyncio.sleep(0.02)
                raise AssertionError(f"no matching push in {pushes}")

            got = await wait_for(tv_pushes, lambda p: p["entries"] and p["entries"][0]["score"] == 1)
            assert got["entries"][0]["name"] == "Ann" and got["challenge"]["state"] == "running"
            await wait_for(ann_pushes, lambda p: p["entries"] and p["entries"][0]["score"] == 1)
            await coach.request({"type": "challenge.stop", "code": code})
            await wait_for(tv_pushes, lambda p: p["challenge"]["state"] == "finished")
            # Another player cannot run the trainer's challenge.
            with pytest.raises(ServerReplyError) as err:
                await ann.request({"type": "challenge.start", "code": code})
            assert err.value.code == "forbidden"
            for link in (coach, tv, ann):
                await link.close()

    asyncio.run(scenario())


def test_challenge_time_limit_pushes_final_standings_without_any_message() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await _player(url, "Coach", trainer=True)
            pushes: list[dict[str, Any]] = []
            code = (await coach.request({"type": "challenge.create", "title": "Quick", "exercise": "boxing",
                                         "duration_s": 10}))["challenge"]["code"]
            await coach.request({"type": "challenge.start", "code": code})
            # Nearly over (as if started 9.7 s ago), and the TV connects only now: no further
            # message will come, yet it must see the final standings when the time is up.
            from sqlalchemy import update

            from leaderboard_server.models import Challenge

            with srv.engine.begin() as conn:
                conn.execute(update(Challenge).values(ends_at_ms=_now_ms() + 300))
            tv = await ServerLink.connect(url, on_push=pushes.append)
            watched = await tv.request({"type": "challenge.watch", "code": code})
            assert watched["challenge"]["state"] == "running" and not pushes
            for _ in range(150):
                if any(p["challenge"]["state"] == "finished" for p in pushes):
                    break
                await asyncio.sleep(0.02)
            assert pushes and pushes[-1]["challenge"]["state"] == "finished"
            await tv.close()
            await coach.close()

    asyncio.run(scenario())


def test_malformed_and_hostile_messages_get_errors_then_a_close() -> None:
    async def scenario() -> None:
        async with running_server(max_bad_messages=6) as srv:
            async with connect(ws_url(srv), compression=None) as ws:
                for raw in ["{", "[]", '{"v":1}', '{"v":9,"type":"ping","id":3}', '{"v":1,"type":"nope","id":"x"}',
                            '{"v":1,"type":"ping","score":NaN}']:
                    await ws.send(raw)
                    reply = json.loads(await ws.recv())
                    assert reply["type"] == "error" and reply["code"] in ("bad_request", "unsupported_version")
                assert reply.get("re") is None
                await ws.send("{")
                assert json.loads(await ws.recv())["code"] == "policy_violation"
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
            # The server is still fine for everyone else.
            link = await ServerLink.connect(ws_url(srv))
            assert (await link.request({"type": "ping"}))["type"] == "pong"
            await link.close()

    asyncio.run(scenario())


def test_oversized_message_closes_with_1009() -> None:
    async def scenario() -> None:
        async with running_server(max_message_bytes=4096) as srv:
            async with connect(ws_url(srv), compression=None, max_size=None) as ws:
                await ws.send(json.dumps({"v": 1, "type": "ping", "pad": "x" * 10_000}))
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009

    asyncio.run(scenario())


def test_rate_limit_refuses_then_closes_a_flood() -> None:
    async def scenario() -> None:
        async with running_server(rate=RateLimit(per_s=5, burst=5, max_strikes=20)) as srv:
            async with connect(ws_url(srv), compression=None) as ws:
                for i in range(10):
                    await ws.send(json.dumps({"v": 1, "type": "ping", "id": i}))
                replies = [json.loads(await ws.recv()) for _ in range(10)]
                limited = [r for r in replies if r["type"] == "error"]
                assert limited and all(r["code"] == "rate_limited" and r["retry_after_ms"] > 0 for r in limited)
                assert {r["re"] for r in limited} <= set(range(10))
                for i in range(40):
                    await ws.send(json.dumps({"v": 1, "type": "ping", "id": i}))
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await ws.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008

    asyncio.run(scenario())


def test_browser_origins_are_checked() -> None:
    async def scenario() -> None:
        async with running_server(allowed_origins=("https://gym.example",)) as srv:
            url = ws_url(srv)
            with pytest.raises(InvalidStatus) as refused:
                await connect(url, origin=Origin("https://evil.example"))
            assert refused.value.response.status_code == 403
            for origin in ("https://gym.example", f"http://127.0.0.1:{srv.port}"):
                async with connect(url, origin=Origin(origin)) as ws:
                    await ws.send('{"v":1,"type":"ping"}')
                    assert json.loads(await ws.recv())["type"] == "pong"

    asyncio.run(scenario())


def test_http_routes_serve_pages_and_snapshots() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            base = f"http://127.0.0.1:{srv.port}"
            coach = await _player(ws_url(srv), "Coach", trainer=True)
            code = (await coach.request({"type": "challenge.create", "title": "HTTP", "exercise": "squat",
                                         "duration_s": 60}))["challenge"]["code"]

            def get(path: str) -> tuple[int, str, bytes]:
                try:
                    with urllib.request.urlopen(base + path, timeout=5) as res:
                        return res.status, res.headers["Content-Type"], res.read()
                except urllib.error.HTTPError as exc:
                    return exc.code, exc.headers["Content-Type"], exc.read()

            results = await asyncio.gather(*[asyncio.to_thread(get, p) for p in (
                "/", f"/tv/{code}", "/coach", "/static/tv.js", f"/api/challenges/{code}", "/api/challenges/ZZZZZZ",
                "/healthz", "/etc/passwd", "/static/../server.py")])
            (index, tv, coach_page, js, api, missing, health, nothing, traversal) = results
            assert index[0] == 200 and index[1].startswith("text/html") and b"Ringside" in index[2]
            assert tv[0] == 200 and b"/static/tv.js" in tv[2]
            assert coach_page[0] == 200 and b"coach.js" in coach_page[2]
            assert js[0] == 200 and "javascript" in js[1]
            assert api[0] == 200 and json.loads(api[2])["challenge"]["code"] == code
            assert missing[0] == 404
            assert health[0] == 200 and json.loads(health[2])["connections"] == 1
            assert nothing[0] == 404 and traversal[0] == 404
            await coach.close()

    asyncio.run(scenario())


def test_tls_when_given_a_certificate(tmp_path: Path) -> None:
    import shutil
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)

    async def scenario() -> None:
        async with running_server(certfile=cert, keyfile=key) as srv:
            url = ws_url(srv)
            assert url.startswith("wss://")
            ctx = ssl.create_default_context(cafile=str(cert))
            link = await ServerLink.connect(url, ssl_context=ctx)
            assert (await link.request({"type": "ping"}))["type"] == "pong"
            await link.close()
            with pytest.raises(ssl.SSLError):
                await connect(url, ssl=ssl.create_default_context())  # untrusted certificate

    asyncio.run(scenario())


def test_squat_submission_and_coach_telemetry_over_the_wire() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await _player(url, "Coach", trainer=True)
            group = (await coach.request({"type": "group.create", "name": "Morning class"}))["group"]
            ann = await _player(url, "Ann")
            await ann.request({"type": "group.join", "invite_code": group["invite_code"].lower()})
            t = _now_ms() - 120_000
            await ann.request({"type": "submit", "submission": squat_submission("ann-sq-00001", 12, played_at_ms=t)})
            players = (await coach.request({"type": "coach.players"}))["players"]
            assert [p["name"] for p in players] == ["Ann"]
            tele = await coach.request({"type": "telemetry.list", "player": players[0]["id"]})
            reps = tele["submissions"][0]["telemetry"]["reps"]
            assert len(reps) == 12 and reps[0]["depth_deg"] == 95.0
            await coach.request({"type": "override.set", "player": players[0]["id"],
                                 "plan": {"difficulty": "easy", "volume_pct": 60}, "note": "knees"})
            mine = await ann.request({"type": "override.get"})
            assert mine["override"]["plan"] == {"difficulty": "easy", "volume_pct": 60}
            for link in (coach, ann):
                await link.close()

    asyncio.run(scenario())


def test_a_lagging_watcher_is_skipped_then_catches_up_on_the_latest(monkeypatch: pytest.MonkeyPatch) -> None:
    from leaderboard_server import server as server_module

    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await _player(url, "Coach", trainer=True)
            code = (await coach.request({"type": "challenge.create", "title": "Lag", "exercise": "boxing",
                                         "duration_s": 60}))["challenge"]["code"]
            pushes: list[dict[str, Any]] = []
            tv = await ServerLink.connect(url, on_push=pushes.append)
            await tv.request({"type": "challenge.watch", "code": code})
            # Every watcher looks backed up: nothing is pushed...
            monkeypatch.setattr(server_module, "MAX_WRITE_BUFFER_BYTES", -1)
            await coach.request({"type": "challenge.start", "code": code})
            await asyncio.sleep(0.3)
            assert pushes == []
            # ...until it catches up, and then it gets the latest snapshot, not a backlog.
            monkeypatch.setattr(server_module, "MAX_WRITE_BUFFER_BYTES", 256 * 1024)
            for _ in range(100):
                if pushes:
                    break
                await asyncio.sleep(0.02)
            assert len(pushes) == 1 and pushes[0]["challenge"]["state"] == "running"
            await tv.close()
            await coach.close()

    asyncio.run(scenario())
