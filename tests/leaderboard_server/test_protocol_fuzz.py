"""Seeded fuzzing of the protocol (marker ``fuzz``; time-bounded by ``tests/support/fuzz.py``).

Hostile messages from issue 13 (dodges alone, 0 ms sessions, 1e400 in nested telemetry, deep
nesting, lone surrogates, ...), byte-level mutations of them, and messages generated from the
schemas go through ``decode`` and the core, sent by an attacker. Goals: 0 crashes (only
``ProtocolError`` may escape ``decode``; the core answers every message, and every reply can be
encoded), and 0 effects on other players (a bystander's rows are byte-for-byte unchanged, and no
hostile submission is accepted). A failure names the seed and case that reproduce it.
"""

from __future__ import annotations

import asyncio
import json
import random
import string
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from leaderboard_server import core, protocol
from leaderboard_server.db import make_engine, migrate
from leaderboard_server.errors import ProtocolError
from leaderboard_server.repository import Repository
from tests.leaderboard_server.conftest import T0_MS, SeededEntropy, squat_submission
from tests.leaderboard_server.support import running_server, ws_url
from tests.support.fuzz import budget_seconds, cases

pytestmark = pytest.mark.fuzz
SEED = 13
CONFIG = core.CoreConfig(trainer_code="coach-secret")
NOW_MS = T0_MS + 3_600_000


def _submit(sub: dict[str, Any]) -> str:
    return json.dumps({"v": 1, "type": "submit", "id": 1, "submission": sub})


def _boxing(sid: str, score: float, duration_ms: int, **telemetry: Any) -> dict[str, Any]:
    return {"id": sid, "mode": "boxing", "score": score, "played_at_ms": NOW_MS - 120_000,
            "duration_ms": duration_ms, "telemetry": {"duration_ms": duration_ms, **telemetry}}


def _zero_ms_squats() -> dict[str, Any]:
    sub = squat_submission("hostile-0003", 3, rep_ms=600, played_at_ms=NOW_MS - 120_000)
    sub["duration_ms"] = sub["telemetry"]["duration_ms"] = 0
    return sub


#: Submissions that must never be accepted (issue 13, items 1-3).
HOSTILE_SUBMISSIONS = [
    _submit(_boxing("hostile-0001", 10_000_000, 60_000, punches_thrown=0, dodges=25_000)),
    _submit(_boxing("hostile-0002", 10_000, 0, punches_thrown=10, punches_landed=10)),
    _submit(_zero_ms_squats()),
    _submit(_boxing("hostile-0004", 500, 60_000, punches_thrown=50, punches_landed=40)).replace(
        '"duration_ms": 60000, "punches_thrown"', '"duration_ms": 60000, "plan": {"volume": 1e400}, "punches_thrown"'),
    _submit(_boxing("hostile-0005", 500, 60_000, punches_thrown=50, punches_landed=40,
                    skeleton_summary={"ranges": {"knee": [1.0, 2.0]}})).replace("2.0]", "1e999]"),
    _submit(_boxing("hostile-0006", 900, 60_000, punches_thrown=50, punches_landed=40,
                    rounds=[{"duration_ms": 60_000, "punches_thrown": 50, "dodges": 5000}])),
]
#: Other hostile messages: not JSON, NaN/Infinity, nesting, text no database stores, wrong types.
HOSTILE_OTHER = [
    '{"v": 1, "type": "challenge.progress", "code": "ABCDEF", "score": NaN, "elapsed_ms": 1}',
    '{"v": 1, "type": "challenge.progress", "code": "ABCDEF", "score": Infinity, "elapsed_ms": 1}',
    '{"v": 1, "type": "challenge.progress", "code": "ABCDEF", "score": -1e400, "elapsed_ms": 1}',
    "[" * 100_000,
    '{"v": 1, "type": "ping", "id": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"v": 1, "type": "register", "name": "\\ud800"}',
    '{"v": 1, "type": "register", "name": "Robert\'); DROP TABLE players;--"}',
    '{"v": 1, "type": "register", "name": "<script>alert(1)</script>"}',
    '{"v": 1, "type": "profile.set", "name": "a\\u0000b"}',
    '{"v": 1e400, "type": "ping"}',
    '{"v": 1, "type": "board.get", "mode": "boxing", "period": "daily", "limit": ' + "9" * 5000 + "}",
    '{"v": 1, "type": "hello", "token": "rs1.' + "A" * 43 + '"}',
    '{"v": 2, "type": "ping"}',
    '{"v": 1, "type": "token.revoke", "player": "0123456789abcdef"}',
    '{"v": 1, "type": "override.set", "player": "0123456789abcdef", "plan": {"volume_pct": 1e400}}',
    '{"v": 1, "type": "telemetry.list", "player": "0123456789abcdef"}',
    "\udcff",
    "",
    "null",
]


class World:
    """A bystander V (submission, group, challenge entry, coach override) and an attacker M."""

    def __init__(self) -> None:
        self.engine = make_engine("sqlite://")
        migrate(self.engine)
        self.session = Session(self.engine)
        self.entropy = SeededEntropy(SEED)
        reg = {name: self.send(core.SessionState(), {"type": "register", "name": name, **extra})
               for name, extra in (("V", {}), ("M", {}), ("T", {"trainer_code": "coach-secret"}))}
        self.victim = reg["V"].session
        self.attacker = reg["M"].session
        trainer = reg["T"].session
        group = self.send(trainer, {"type": "group.create", "name": "G"}).replies[0]["group"]
        self.send(self.victim, {"type": "group.join", "invite_code": group["invite_code"]})
        self.send(self.victim, {"type": "submit", "submission": squat_submission(
            "victim-00001", 12, played_at_ms=NOW_MS - 120_000)})
        code = self.send(trainer, {"type": "challenge.create", "title": "C", "exercise": "squat",
                                   "duration_s": 600}).replies[0]["challenge"]["code"]
        self.send(self.victim, {"type": "challenge.join", "code": code})
        assert self.victim.player is not None
        self.send(trainer, {"type": "override.set", "player": self.victim.player.public_id,
                            "plan": {"difficulty": "easy"}})
        self.names = {"group": group["id"], "invite": group["invite_code"], "code": code,
                      "victim": self.victim.player.public_id}
        self.metadata = MetaData()
        self.metadata.reflect(self.engine)

    def send(self, state: core.SessionState, message: dict[str, Any]) -> core.Outcome:
        out = core.handle({"v": 1, **message}, state, Repository(self.session), NOW_MS, self.entropy, CONFIG)
        self.session.commit()
        return out

    def victim_rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row that belongs to, or names, the bystander."""
        assert self.victim.player is not None
        vid = self.victim.player.id
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for name, table in self.metadata.tables.items():
            cols = [c for c in ("player_id", "owner_id", "coach_id") if c in table.c]
            query = select(table).where(table.c.id == vid) if name == "players" else (
                select(table).where(*(table.c[c] == vid for c in cols[:1])) if cols else None)
            if query is not None:
                rows[name] = sorted(self.session.execute(query).tuples(), key=repr)
        return rows


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    w = World()
    yield w
    w.session.close()
    w.engine.dispose()


def _mutate(rng: random.Random, text: str) -> str:
    """A byte-level mutation of a JSON text: what a broken or hostile client sends."""
    kind = rng.randrange(7)
    if not text:
        return rng.choice(HOSTILE_OTHER)
    i = rng.randrange(len(text))
    if kind == 0:  # flip a character
        return text[:i] + chr(rng.randrange(1, 0x2FF)) + text[i + 1:]
    if kind == 1:  # truncate
        return text[:i]
    if kind == 2:  # replace a number by a hostile one
        hostile = rng.choice(["1e400", "-1e400", "NaN", "Infinity", "1e308", "-0", "9" * 400, "0.0", "1e-400",
                              "-1", "4294967296", "true", "null", '"1"'])
        digits = [j for j, ch in enumerate(text) if ch.isdigit()]
        if digits:
            j = rng.choice(digits)
            k = j
            while k < len(text) and (text[k].isdigit() or text[k] in ".e-+"):
                k += 1
            return text[:j] + hostile + text[k:]
        return text
    if kind == 3:  # duplicate a slice (repeated keys, nested junk)
        j = rng.randrange(i, len(text) + 1)
        return text[:j] + text[i:j] + text[j:]
    if kind == 4:  # insert random characters
        junk = "".join(rng.choice(string.printable + "\\\"[]{}") for _ in range(rng.randrange(1, 12)))
        return text[:i] + junk + text[i:]
    if kind == 5:  # swap in an id that belongs to the bystander
        return text.replace('"telemetry.list"', '"telemetry.list", "player": "' + "0" * 16 + '"')
    return text[::-1] if rng.random() < 0.1 else text.upper()


def _from_schema(rng: random.Random, schema: dict[str, Any], names: dict[str, str], depth: int = 0) -> Any:
    """A value for ``schema``: usually valid, sometimes just outside (bounds, types, lengths)."""
    if "enum" in schema:
        return rng.choice(schema["enum"]) if rng.random() < 0.9 else "nope"
    if "anyOf" in schema:
        return _from_schema(rng, rng.choice(schema["anyOf"]), names, depth)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = rng.choice(kind)
    edge = rng.random() < 0.1
    if kind == "integer":
        lo, hi = schema.get("minimum", -(2**40)), schema.get("maximum", 2**40)
        return rng.choice([lo - 1, hi + 1, 2**63]) if edge else rng.randint(lo, min(hi, lo + 10**6))
    if kind == "number":
        lo, hi = schema.get("minimum", -1e9), schema.get("maximum", 1e9)
        return rng.choice([lo - 1, hi * 10, 1e308, -1e308]) if edge else rng.uniform(lo, hi)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "string":
        pattern = schema.get("pattern", "")
        if "a-f0-9" in pattern:
            return rng.choice([names["victim"], names["group"], "0123456789abcdef"])
        if "4,12" in pattern:
            return rng.choice([names["code"], names["invite"], "ZZZZZZ"])
        size = rng.randrange(0, schema.get("maxLength", 40) + (5 if edge else 1))
        return "".join(rng.choice(string.ascii_letters + "é😀\u0000\x1f_-") for _ in range(size))
    if kind == "array":
        items = schema.get("items", {})
        size = rng.randrange(0, min(schema.get("maxItems", 5), 5) + (2 if edge else 1))
        return [_from_schema(rng, items, names, depth + 1) for _ in range(size)] if depth < 4 else []
    props = schema.get("properties", {})
    out = {k: _from_schema(rng, v, names, depth + 1) for k, v in props.items()
           if depth < 4 and (k in schema.get("required", []) or rng.random() < 0.5)}
    if edge:
        out["unexpected"] = 1
    return out


def _generated(rng: random.Random, names: dict[str, str]) -> str:
    mtype = rng.choice(sorted(protocol.MESSAGE_SCHEMAS))
    msg = _from_schema(rng, protocol.MESSAGE_SCHEMAS[mtype], names)
    msg.update({"v": 1, "type": mtype})
    return json.dumps(msg, allow_nan=True)


def _raw_case(rng: random.Random, names: dict[str, str]) -> str:
    pick = rng.random()
    if pick < 0.2:
        return rng.choice(HOSTILE_SUBMISSIONS)
    if pick < 0.3:
        return rng.choice(HOSTILE_OTHER)
    if pick < 0.65:
        return _mutate(rng, rng.choice(HOSTILE_SUBMISSIONS + HOSTILE_OTHER))
    return _generated(rng, names)


def test_hostile_and_generated_messages_never_crash_or_touch_another_player(world: World) -> None:
    rng = random.Random(SEED)
    before = world.victim_rows()
    state = world.attacker
    decoded = handled = 0
    for i in cases(min_cases=200):
        raw = _raw_case(rng, world.names)
        where = f"seed {SEED} case {i}: {raw[:120]!r}"
        try:
            msg = protocol.decode(raw)
        except ProtocolError:
            continue
        decoded += 1
        nested = world.session.begin_nested()
        out = core.handle(msg, state, Repository(world.session), NOW_MS, world.entropy, CONFIG)
        handled += 1
        assert out.replies, where
        for reply in out.replies:
            protocol.encode(reply)  # no NaN, nothing unserialisable
        if raw in HOSTILE_SUBMISSIONS:
            assert out.replies[0]["type"] == "error", where
            assert out.replies[0]["code"] in ("implausible", "bad_request"), where
        nested.rollback()  # the attacker's own writes are undone; the bystander's must be untouched
        assert world.victim_rows() == before, where
    assert decoded > 20 and handled == decoded


def test_the_issues_hostile_submissions_are_refused_with_clear_codes(world: World) -> None:
    expected = {"hostile-0001": {"dodges.rate"}, "hostile-0002": {"punches.rate"},
                "hostile-0003": {"squat.rate", "duration"}, "hostile-0006": {"dodges.rate"}}
    for raw in HOSTILE_SUBMISSIONS:
        try:
            msg = protocol.decode(raw)
        except ProtocolError as err:
            assert "finite" in str(err), raw[:80]  # 1e400, 1e999: refused when read
            continue
        nested = world.session.begin_nested()
        reply = core.handle(msg, world.attacker, Repository(world.session), NOW_MS, world.entropy, CONFIG).replies[0]
        nested.rollback()
        sid = msg["submission"]["id"]
        assert reply["code"] == "implausible" and expected[sid] <= set(reply["checks"]), (sid, reply)


def test_the_real_server_survives_a_fuzzed_connection_and_a_bystander_is_served() -> None:
    rng = random.Random(SEED + 1)
    names = {"victim": "0123456789abcdef", "group": "0123456789abcdef", "code": "ABCDEF", "invite": "ABCDEFGH"}

    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            async with connect(url, local_addr=("127.0.0.2", 0)) as bystander:
                await bystander.send(json.dumps({"v": 1, "type": "register", "name": "Bystander"}))
                assert json.loads(await bystander.recv())["type"] == "registered"
                sent = closed = 0
                deadline = asyncio.get_running_loop().time() + budget_seconds()
                while asyncio.get_running_loop().time() < deadline or sent < 100:
                    async with connect(url, max_size=None) as attacker:
                        try:
                            for _ in range(50):
                                raw = _raw_case(rng, names)
                                if rng.random() < 0.5:  # as a text frame (when it is valid UTF-8)
                                    try:
                                        raw.encode("utf-8")
                                        await attacker.send(raw)
                                        sent += 1
                                        continue
                                    except UnicodeEncodeError:
                                        pass
                                await attacker.send(raw.encode("utf-8", "surrogatepass"))  # a binary frame
                                sent += 1
                            await attacker.send('{"v":1,"type":"ping","id":"last"}')
                            while json.loads(await asyncio.wait_for(attacker.recv(), 10)).get("re") != "last":
                                pass
                        except ConnectionClosed as exc:
                            closed += 1  # 1008 for garbage floods is an answer, not a crash
                            assert exc.rcvd is None or exc.rcvd.code in (1008, 1009), exc
                    await bystander.send('{"v":1,"type":"ping"}')
                    assert json.loads(await asyncio.wait_for(bystander.recv(), 5))["type"] == "pong"
                assert sent >= 100

    asyncio.run(scenario())
