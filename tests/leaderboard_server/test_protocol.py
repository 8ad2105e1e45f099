"""The protocol's schemas: documented examples are valid, the schemas are valid JSON Schema, and
the compiled validator agrees with the reference implementation on generated messages."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from leaderboard_server import protocol
from leaderboard_server.errors import ProtocolError, UnsupportedVersionError

DOC = Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md"


def _blocks(kind: str) -> list[dict[str, Any]]:
    text = DOC.read_text(encoding="utf-8")
    return [json.loads(b) for b in re.findall(rf"```json {kind}\n(.*?)\n```", text, re.S)]


def test_every_documented_client_message_is_valid() -> None:
    examples = _blocks("client")
    assert len(examples) >= 20
    for example in examples:
        protocol.validate(example)
    documented = {e["type"] for e in examples}
    assert documented == set(protocol.MESSAGE_SCHEMAS), "every message type has an example"


def test_documented_server_messages_are_json_with_envelope() -> None:
    for example in _blocks("server"):
        assert example["v"] == protocol.PROTOCOL_VERSION and isinstance(example["type"], str)


@pytest.mark.parametrize("message_type", ["", *sorted(protocol.MESSAGE_SCHEMAS)])
def test_schemas_are_valid_draft7(message_type: str) -> None:
    Draft7Validator.check_schema(protocol.schema_for(message_type))


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("{", "not valid JSON"),
        ("[1]", "JSON object"),
        ('{"v": 1}', "type"),
        ('{"v": 1, "type": "teleport"}', "unknown message type"),
        ('{"v": 1, "type": "ping", "extra": 1}', "must not contain"),
        ('{"v": 1, "type": "board.get", "mode": "boxing", "period": "daily", "limit": true}', "limit"),
        ('{"v": 1, "type": "challenge.progress", "code": "ABCDEF", "score": NaN, "elapsed_ms": 1}', "not valid JSON"),
        ('{"v": 1, "type": "register", "name": ""}', "name"),
        ('{"v": 1, "type": "register", "name": "a\\u0000b"}', "name"),
        (b"\xff\xfe", "UTF-8"),
        ('{"v": 1, "type": "register", "name": "\\ud800"}', "lone surrogate"),
    ],
)
def test_bad_messages_are_refused_with_a_reason(raw: str | bytes, fragment: str) -> None:
    with pytest.raises(ProtocolError, match=re.escape(fragment)):
        protocol.decode(raw)


def test_unknown_version_is_its_own_error() -> None:
    with pytest.raises(UnsupportedVersionError, match="speaks 1"):
        protocol.decode('{"v": 2, "type": "ping"}')


def test_nested_errors_name_the_field() -> None:
    sub = _blocks("client")[[e["type"] for e in _blocks("client")].index("submit")]
    sub["submission"]["telemetry"]["reps"][1]["duration_ms"] = -5
    with pytest.raises(ProtocolError, match=r"submission/telemetry/reps/1/duration_ms"):
        protocol.validate(sub)


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**15), st.floats(allow_nan=False, allow_infinity=False),
              st.text(max_size=70)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_compiled_validator_agrees_with_jsonschema(data: Any) -> None:
    examples = _blocks("client")
    message = copy.deepcopy(data.draw(st.sampled_from(examples)))
    for _ in range(data.draw(st.integers(0, 3))):
        path = data.draw(st.sampled_from(_paths(message)[1:] or [()]))
        if not path:
            break
        parent: Any = message
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.integers(0, 2))
        if action == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == 1:
            parent[path[-1]] = data.draw(_json)
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=8))] = data.draw(_json)
    reference = Draft7Validator(protocol.schema_for(message.get("type", "") if isinstance(message.get("type"), str)
                                                    and message.get("type") in protocol.MESSAGE_SCHEMAS else ""))
    envelope_ok = Draft7Validator(protocol.schema_for("")).is_valid(message)
    expected = envelope_ok and message.get("v") == 1 and message.get("type") in protocol.MESSAGE_SCHEMAS \
        and reference.is_valid(message)
    try:
        protocol.validate(message)
        accepted = True
    except ProtocolError:
        accepted = False
    assert accepted == expected, json.dumps(message)[:500]


def test_free_text_refuses_nul_on_every_database() -> None:
    """PostgreSQL cannot store a NUL character in text (SQLite can): the schema refuses it for
    every database alike, instead of the same note being stored on one and failing on the other."""
    msg = {"v": 1, "type": "override.set", "player": "0123456789abcdef", "plan": {"rest_day": True},
           "note": "rest\u0000day"}
    with pytest.raises(ProtocolError, match="note"):
        protocol.validate(msg)
    protocol.validate({**msg, "note": "Rest day.\nSleep first, then mobility."})  # line breaks are fine
