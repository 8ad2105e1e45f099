"""The real server against hostile clients: host names (DNS rebinding), HTTP methods, per-address
limits (connections, messages, accounts, API lookups) that leave a bystander at another address
unaffected, and idle connections that never signed in."""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from leaderboard_server import web
from leaderboard_server.limits import AddressLimit, RateLimit
from tests.leaderboard_server.support import running_server, ws_url

BYSTANDER = "127.0.0.2"  # another loopback address: another "machine" for the per-address limits


def _http(port: int, method: str, path: str, host: str | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {} if host is None else {"Host": host}
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


async def _ask(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps({"v": 1, **message}))
    reply: dict[str, Any] = json.loads(await ws.recv())
    return reply


@pytest.mark.parametrize(("host", "allowed", "expected"), [
    ("127.0.0.1:8765", (), True), ("[::1]:8765", (), True), ("localhost:8765", (), True),
    ("192.168.1.20", (), True), ("evil.example", (), False), ("evil.example:8765", (), False),
    ("gym.example:8765", ("gym.example",), True), ("tv.gym.example", (".gym.example",), True),
    ("gym.example.evil.example", (".gym.example",), False), ("anything", ("*",), True),
])
def test_host_names(host: str, allowed: tuple[str, ...], expected: bool) -> None:
    assert web.is_host_allowed(host, allowed, ("gym-laptop",)) is expected


def test_dns_rebinding_is_refused_on_pages_and_upgrades() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            evil = f"evil.example:{srv.port}"
            assert (await asyncio.to_thread(_http, srv.port, "GET", "/", evil)).status == 403
            assert (await asyncio.to_thread(_http, srv.port, "GET", "/api/challenges/ABCDEF", evil)).status == 403
            with pytest.raises(InvalidStatus) as refused:
                await connect(f"ws://{evil}/ws", host="127.0.0.1", port=srv.port,
                              origin=Origin(f"http://{evil}"))
            assert refused.value.response.status_code == 403
            assert (await asyncio.to_thread(_http, srv.port, "GET", "/")).status == 200  # 127.0.0.1:port
        async with running_server(allowed_hosts=("gym.example",)) as srv:
            ok = f"gym.example:{srv.port}"
            assert (await asyncio.to_thread(_http, srv.port, "GET", "/", ok)).status == 200
            async with connect(f"ws://{ok}/ws", host="127.0.0.1", port=srv.port, origin=Origin(f"http://{ok}")) as ws:
                assert (await _ask(ws, {"type": "ping"}))["type"] == "pong"

    asyncio.run(scenario())


def test_only_get_and_head_are_answered() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
                response = await asyncio.to_thread(_http, srv.port, method, "/")
                assert response.status == 405 and response.getheader("Allow") == "GET, HEAD", method
            get = await asyncio.to_thread(_http, srv.port, "GET", "/coach")
            head = await asyncio.to_thread(_http, srv.port, "HEAD", "/coach")
            assert get.status == head.status == 200
            assert head.getheader("Content-Length") == get.getheader("Content-Length") != "0"

    asyncio.run(scenario())


def test_connections_per_address_are_capped_but_not_for_others() -> None:
    async def scenario() -> None:
        async with running_server(address=AddressLimit(max_connections=5)) as srv:
            url = ws_url(srv)
            held = [await connect(url) for _ in range(5)]
            with pytest.raises(InvalidStatus) as refused:
                await connect(url)
            assert refused.value.response.status_code == 429
            async with connect(url, local_addr=(BYSTANDER, 0)) as ws:
                assert (await _ask(ws, {"type": "ping"}))["type"] == "pong"
            await held[0].close()
            await asyncio.sleep(0.1)
            async with connect(url) as ws:  # a slot is free again
                assert (await _ask(ws, {"type": "ping"}))["type"] == "pong"
            for ws in held[1:]:
                await ws.close()

    asyncio.run(scenario())


def test_accounts_per_address_are_limited() -> None:
    async def scenario() -> None:
        limit = AddressLimit(registrations=RateLimit(per_s=0.001, burst=3))
        async with running_server(address=limit) as srv:
            url = ws_url(srv)
            codes = []
            for i in range(5):
                async with connect(url) as ws:
                    reply = await _ask(ws, {"type": "register", "name": f"Sock {i}"})
                    codes.append(reply.get("code", reply["type"]))
            assert codes == ["registered"] * 3 + ["rate_limited"] * 2
            async with connect(url, local_addr=(BYSTANDER, 0)) as ws:
                assert (await _ask(ws, {"type": "register", "name": "Bystander"}))["type"] == "registered"

    asyncio.run(scenario())


def test_one_address_shares_one_message_budget_and_a_bystander_stays_fast() -> None:
    """Ten connections from one address flooding pings get the address's budget (here 200/s after
    a burst of 100), not ten times it; they are paced, not refused, and a bystander at another
    address is answered at once meanwhile."""
    async def scenario() -> None:
        limit = AddressLimit(messages=RateLimit(per_s=200.0, burst=100.0))
        async with running_server(address=limit) as srv:
            url = ws_url(srv)
            flooders = [await connect(url) for _ in range(10)]
            answered: dict[str, int] = {}

            async def flood(ws: ClientConnection) -> None:
                for _ in range(50):
                    await ws.send('{"v":1,"type":"ping"}')
                for _ in range(50):
                    kind = json.loads(await ws.recv())["type"]
                    answered[kind] = answered.get(kind, 0) + 1

            async with connect(url, local_addr=(BYSTANDER, 0)) as bystander:
                t0 = time.perf_counter()
                flooding = asyncio.ensure_future(asyncio.gather(*(flood(ws) for ws in flooders)))
                worst = 0.0
                while not flooding.done():
                    t1 = time.perf_counter()
                    assert (await _ask(bystander, {"type": "ping"}))["type"] == "pong"
                    worst = max(worst, time.perf_counter() - t1)
                    await asyncio.sleep(0.05)
                await flooding
                elapsed = time.perf_counter() - t0
            assert answered == {"pong": 500}
            assert elapsed >= (500 - 100) / 200 * 0.9, elapsed  # paced to the address's budget
            assert worst < 0.5, worst
            for ws in flooders:
                await ws.close()

    asyncio.run(scenario())


def test_idle_connections_that_never_signed_in_are_dropped() -> None:
    async def scenario() -> None:
        async with running_server(idle_timeout_s=0.5) as srv:
            url = ws_url(srv)
            async with connect(url) as idle, connect(url) as player, connect(url) as coach_tv:
                assert (await _ask(player, {"type": "register", "name": "Ann"}))["type"] == "registered"
                await _ask(coach_tv, {"type": "hello"})
                await asyncio.sleep(1.2)
                with pytest.raises(ConnectionClosed) as closed:
                    await idle.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
                assert (await _ask(player, {"type": "ping"}))["type"] == "pong"  # signed in: kept
                with pytest.raises(ConnectionClosed):
                    await coach_tv.recv()  # a hello without a token is not a sign-in

    asyncio.run(scenario())


def test_challenge_lookups_are_rate_limited_per_address() -> None:
    async def scenario() -> None:
        async with running_server(address=AddressLimit(api=RateLimit(per_s=0.001, burst=3))) as srv:
            statuses = [(await asyncio.to_thread(_http, srv.port, "GET", f"/api/challenges/ABCD{i:02d}")).status
                        for i in range(5)]
            assert statuses == [404, 404, 404, 429, 429]
            limited = await asyncio.to_thread(_http, srv.port, "GET", "/api/challenges/ABCDEF")
            assert int(limited.getheader("Retry-After") or 0) >= 1

    asyncio.run(scenario())
