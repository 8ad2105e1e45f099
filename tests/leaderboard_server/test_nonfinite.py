"""NaN and Infinity: refused anywhere in a message, never stored; old rows that hold them are
still readable (telemetry.list answers, for the player and for the coach)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

from leaderboard_server import core, protocol
from leaderboard_server.errors import ProtocolError
from leaderboard_server.repository import Repository
from tests.leaderboard_server.conftest import T0_MS, Harness, squat_submission
from tests.leaderboard_server.support import running_server, ws_url


def _submit_text(telemetry_extra: str) -> str:
    sub = squat_submission("nonfinite-0001", 1)
    text = json.dumps({"v": 1, "type": "submit", "submission": sub})
    # Splice the raw number in: json.dumps could not write 1e400 as such.
    return text.replace('"telemetry": {', '"telemetry": {' + telemetry_extra + ", ", 1)


@pytest.mark.parametrize("extra", [
    '"plan": {"volume": 1e400}',
    '"plan": {"volume": -1e400}',
    '"skeleton_summary": {"ranges": {"knee": [1.0, 1e999]}}',
    '"custom_metric": 1e309',
    '"plan": {"volume": NaN}',
    '"plan": {"volume": -Infinity}',
])
def test_non_finite_numbers_anywhere_are_refused(extra: str) -> None:
    raw = _submit_text(extra)
    assert extra in raw
    with pytest.raises(ProtocolError, match="numbers must be finite|not valid JSON"):
        protocol.decode(raw)


def test_an_already_parsed_message_with_infinity_is_refused() -> None:
    sub = squat_submission("nonfinite-0002", 1)
    sub["telemetry"]["plan"] = {"volume": float("inf")}
    with pytest.raises(ProtocolError, match="finite"):
        protocol.validate({"v": 1, "type": "submit", "submission": sub})


def _store_row_with_infinity(harness: Harness, player: core.SessionState) -> None:
    """A row as an older server stored it (Infinity inside the telemetry text)."""
    assert player.player is not None
    Repository(harness.session).add_submission(
        player_id=player.player.id, client_id="legacy-inf-0001", mode="squat", exercise="squat", score=0.0,
        played_at_ms=T0_MS - 60_000, duration_ms=10_000, received_at_ms=T0_MS, challenge_id=None,
        is_accepted=True, reason=None, telemetry={"duration_ms": 10_000, "plan": {"volume": float("inf"),
                                                                                   "x": float("nan")}},
    )
    harness.session.commit()


def test_old_rows_with_infinity_read_as_null_for_player_and_coach(harness: Harness) -> None:
    coach = harness.register("Coach", trainer=True)
    ann = harness.register("Ann")
    group = harness.ask(coach, {"type": "group.create", "name": "Class"})["group"]
    harness.ask(ann, {"type": "group.join", "invite_code": group["invite_code"]})
    _store_row_with_infinity(harness, ann)
    assert ann.player is not None
    for who, msg in ((ann, {"type": "telemetry.list"}),
                     (coach, {"type": "telemetry.list", "player": ann.player.public_id})):
        reply = harness.ask(who, msg)
        assert reply["type"] == "telemetry", reply
        encoded = protocol.encode(reply)  # raised ValueError (then 1011 on the socket) before
        assert json.loads(encoded)["submissions"][0]["telemetry"]["plan"] == {"volume": None, "x": None}


def test_the_real_server_refuses_1e400_and_keeps_the_connection() -> None:
    async def scenario() -> None:
        async with running_server() as server:
            async with connect(ws_url(server)) as ws:
                await ws.send(json.dumps({"v": 1, "type": "register", "name": "Ann", "id": 1}))
                assert json.loads(await ws.recv())["type"] == "registered"
                await ws.send(_submit_text('"plan": {"volume": 1e400}').replace('"v": 1,', '"v": 1, "id": 2,', 1))
                reply: dict[str, Any] = json.loads(await ws.recv())
                assert (reply["type"], reply["code"], reply["re"]) == ("error", "bad_request", 2)
                await ws.send(json.dumps({"v": 1, "type": "telemetry.list", "id": 3}))
                listed = json.loads(await ws.recv())
                assert listed["type"] == "telemetry" and listed["submissions"] == []

    asyncio.run(scenario())
