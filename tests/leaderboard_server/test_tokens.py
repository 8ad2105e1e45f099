"""Device tokens: they expire when unused, a player signs out a lost device, a trainer revokes a
coached player's tokens, revoked connections are closed, and old databases keep their players."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from leaderboard_server import core
from leaderboard_server.db import database_url, make_engine, migrate
from tests.leaderboard_server.conftest import Harness
from tests.leaderboard_server.support import running_server, ws_url

DAY_MS = 24 * 3600 * 1000


def _register(h: Harness, name: str, **extra: Any) -> tuple[core.SessionState, str]:
    outcome = h.send(core.SessionState(), {"type": "register", "name": name, **extra})
    return outcome.session, outcome.replies[0]["token"]


def _hello(h: Harness, token: str) -> dict[str, Any]:
    return h.ask(core.SessionState(), {"type": "hello", "token": token})


def test_a_player_signs_out_a_lost_device(harness: Harness) -> None:
    phone, phone_token = _register(harness, "Ann")
    laptop_reply = harness.ask(phone, {"type": "token.issue", "label": "laptop"})
    laptop_token = laptop_reply["token"]
    assert _hello(harness, laptop_token)["player"]["name"] == "Ann"
    devices = harness.ask(phone, {"type": "token.list"})["tokens"]
    assert [(d["label"], d["current"]) for d in devices] == [("device", True), ("laptop", False)]
    # The phone is lost: sign it out from the laptop.
    laptop = harness.send(core.SessionState(), {"type": "hello", "token": laptop_token}).session
    outcome = harness.send(laptop, {"type": "token.revoke", "token": devices[0]["id"]})
    assert outcome.replies[0]["tokens"] == [devices[0]["id"]]
    assert outcome.effects == (core.Revoked(frozenset({devices[0]["id"]})),)
    refused = _hello(harness, phone_token)
    assert (refused["code"], refused["final"]) == ("token_expired", False)
    assert _hello(harness, laptop_token)["type"] == "welcome"
    # Signing out this device: no token named.
    out = harness.send(laptop, {"type": "token.revoke"})
    assert out.session.player is None and out.replies[0]["tokens"] == [devices[1]["id"]]
    assert _hello(harness, laptop_token)["code"] == "token_expired"


def test_a_trainer_revokes_a_coached_players_tokens_and_nobody_else_can(harness: Harness) -> None:
    coach, _ = _register(harness, "Coach", trainer_code="coach-secret")
    ann, ann_token = _register(harness, "Ann")
    bob, bob_token = _register(harness, "Bob")
    assert ann.player is not None and bob.player is not None
    invite = harness.ask(coach, {"type": "group.create", "name": "Class"})["group"]["invite_code"]
    harness.ask(ann, {"type": "group.join", "invite_code": invite})
    # Bob is not coached by anyone, and a player cannot revoke another player's tokens.
    assert harness.ask(coach, {"type": "token.revoke", "player": bob.player.public_id})["code"] == "forbidden"
    assert harness.ask(bob, {"type": "token.revoke", "player": ann.player.public_id})["code"] == "forbidden"
    listed = harness.ask(coach, {"type": "token.list", "player": ann.player.public_id})["tokens"]
    assert len(listed) == 1
    assert harness.ask(coach, {"type": "token.revoke", "player": ann.player.public_id})["tokens"] == [listed[0]["id"]]
    assert _hello(harness, ann_token)["code"] == "token_expired"
    assert _hello(harness, bob_token)["type"] == "welcome"
    # Revoking a token that is not the player's is "not found", whoever asks.
    other = harness.ask(bob, {"type": "token.list"})["tokens"][0]["id"]
    assert harness.ask(coach, {"type": "token.revoke", "player": ann.player.public_id,
                               "token": other})["code"] == "not_found"
    assert _hello(harness, bob_token)["type"] == "welcome"


def test_tokens_expire_unused_and_each_sign_in_renews_them(harness: Harness) -> None:
    idle_days = harness.config.token_idle_ms // DAY_MS
    _, kept = _register(harness, "Regular")
    _, lost = _register(harness, "Gone")
    start = harness.now_ms
    for day in range(30, 3 * idle_days, 30):  # signs in monthly for over a year: never expires
        harness.now_ms = start + day * DAY_MS
        assert _hello(harness, kept)["type"] == "welcome", day
    assert _hello(harness, lost)["code"] == "token_expired"


def test_an_expired_token_is_refused_at_the_boundary(harness: Harness) -> None:
    _, token = _register(harness, "Edge")
    harness.now_ms += harness.config.token_idle_ms - 1
    assert _hello(harness, token)["type"] == "welcome"  # renewed here
    harness.now_ms += harness.config.token_idle_ms
    assert _hello(harness, token)["code"] == "token_expired"


def test_players_of_an_old_database_keep_their_token(tmp_path: Path) -> None:
    engine = make_engine(database_url(None, tmp_path))
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(core.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO players (public_id, name, role, token_hash, created_at_ms)"
                          " VALUES ('0123456789abcdef', 'Veteran', 'player', :h, 1)"),
                     {"h": core.hash_token("rs1.old-token")})
    migrate(engine)
    with Session(engine) as session:
        h = Harness(session, core.CoreConfig())
        h.now_ms = int(time.time() * 1000)
        assert _hello(h, "rs1.old-token")["player"]["name"] == "Veteran"
    engine.dispose()


def test_revoking_closes_the_devices_connections() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            async with connect(url) as phone, connect(url) as laptop:
                await phone.send(json.dumps({"v": 1, "type": "register", "name": "Ann"}))
                token = json.loads(await phone.recv())["token"]
                await phone.send(json.dumps({"v": 1, "type": "token.issue", "label": "laptop"}))
                laptop_token = json.loads(await phone.recv())["token"]
                await laptop.send(json.dumps({"v": 1, "type": "hello", "token": laptop_token}))
                assert json.loads(await laptop.recv())["type"] == "welcome"
                await laptop.send(json.dumps({"v": 1, "type": "token.list"}))
                phone_id = next(d["id"] for d in json.loads(await laptop.recv())["tokens"] if not d["current"])
                await laptop.send(json.dumps({"v": 1, "type": "token.revoke", "token": phone_id}))
                assert json.loads(await laptop.recv())["tokens"] == [phone_id]
                with pytest.raises(ConnectionClosed) as closed:
                    await asyncio.wait_for(phone.recv(), 5)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
                await laptop.send(json.dumps({"v": 1, "type": "ping"}))
                assert json.loads(await laptop.recv())["type"] == "pong"
            async with connect(url) as again:
                await again.send(json.dumps({"v": 1, "type": "hello", "token": token}))
                assert json.loads(await again.recv())["code"] == "token_expired"

    asyncio.run(scenario())


def test_a_connection_that_signed_in_again_is_not_closed_for_its_old_token() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            async with connect(ws_url(srv)) as ws:
                await ws.send(json.dumps({"v": 1, "type": "register", "name": "Ann"}))
                assert json.loads(await ws.recv())["type"] == "registered"
                await ws.send(json.dumps({"v": 1, "type": "token.issue", "label": "second"}))
                second = json.loads(await ws.recv())
                await ws.send(json.dumps({"v": 1, "type": "token.list"}))
                first_id = next(d["id"] for d in json.loads(await ws.recv())["tokens"] if d["current"])
                await ws.send(json.dumps({"v": 1, "type": "hello", "token": second["token"]}))
                assert json.loads(await ws.recv())["type"] == "welcome"  # now signed in as "second"
                await ws.send(json.dumps({"v": 1, "type": "token.revoke", "token": first_id}))
                assert json.loads(await ws.recv())["tokens"] == [first_id]
                await ws.send(json.dumps({"v": 1, "type": "ping"}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"

    asyncio.run(scenario())
