"""The wire protocol: JSON text messages, versioned, each validated against a JSON Schema.

Every client message is an object ``{"v": 1, "type": "...", "id": <optional request id>, ...}``.
Replies echo the request id as ``"re"``. The schemas below (JSON Schema draft-07) are the single
source of truth; the examples and prose live in docs/PROTOCOL.md.

Validation compiles each schema once, on first use, with ``fastjsonschema`` (generated Python
code): a submission with per-rep telemetry validates in ~50 us instead of ~780 us with
``jsonschema``'s interpreter, which alone would have capped a server core below 1,300
submissions/s. The tests check the schemas with ``jsonschema``'s meta-schema and that both
libraries agree on generated messages.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

import fastjsonschema
from fastjsonschema import JsonSchemaValueException

from ringside_protocol.errors import ProtocolError, UnsupportedVersionError
from ringside_protocol.exercises import EXERCISE_MODES, MODES

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = frozenset({1})

PERIODS = ("daily", "weekly", "all_time")

_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}
_CODE = {"type": "string", "pattern": "^[A-Za-z0-9]{4,12}$"}
_PUBLIC_ID = {"type": "string", "pattern": "^[a-f0-9]{16}$"}
_NAME = {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[^\\u0000-\\u001f]+$"}
# No NUL: PostgreSQL text cannot hold it (SQLite can), so refusing it keeps both databases alike.
_TEXT = {"type": "string", "maxLength": 500, "pattern": "^[^\\u0000]*$"}
_MS = {"type": "integer", "minimum": 0, "maximum": 10**14}
_DURATION_MS = {"type": "integer", "minimum": 0, "maximum": 4 * 3600 * 1000}
_COUNT = {"type": "integer", "minimum": 0, "maximum": 100_000}
_NUM = {"type": "number", "minimum": -1e6, "maximum": 1e6}
_POS = {"type": "number", "minimum": 0, "maximum": 1e6}
_ANGLE = {"type": "number", "minimum": -360, "maximum": 360}
_SPEED = {"type": "number", "minimum": 0, "maximum": 1000}
_NUM_LIST = {"type": "array", "items": _NUM, "maxItems": 200}
_METRIC_NAME = {"pattern": "^[a-z][a-z0-9_]{0,39}$"}
#: Extra named metrics a game may add (its own per-rep angles, round counts, ...): scalars only,
#: so telemetry can never carry a blob (an image, a video, a long text).
_EXTRA_METRIC = {
    "anyOf": [
        {"type": "number", "minimum": -1e9, "maximum": 1e9},
        {"type": ["boolean", "null"]},
        {"type": "string", "maxLength": 60},
    ]
}

_ROUND = {
    "type": "object",
    "maxProperties": 40,
    "propertyNames": _METRIC_NAME,
    "additionalProperties": _EXTRA_METRIC,
    "required": ["duration_ms", "punches_thrown"],
    "properties": {
        "index": _COUNT,
        "duration_ms": _DURATION_MS,
        "punches_thrown": _COUNT,
        "punches_landed": _COUNT,
        "score": _POS,
        "peak_hand_speed_mps": _SPEED,
        "mean_hand_speed_mps": _SPEED,
        "dodges": _COUNT,
        "max_combo": _COUNT,
        "accuracy": {"type": "number", "minimum": 0, "maximum": 1},
    },
}

_REP = {
    "type": "object",
    "maxProperties": 40,
    "propertyNames": _METRIC_NAME,
    "additionalProperties": _EXTRA_METRIC,
    "required": ["duration_ms"],
    "properties": {
        "index": _COUNT,
        "t_ms": _MS,
        "duration_ms": _DURATION_MS,
        "counted": {"type": "boolean"},
        "depth_deg": _ANGLE,
        "depth_ratio": {"type": "number", "minimum": 0, "maximum": 3},
        "spine_angle_deg": _ANGLE,
        "knee_valgus_deg": _ANGLE,
        "peak_velocity_mps": _SPEED,
        "mean_velocity_mps": _SPEED,
        "velocity_loss_pct": {"type": "number", "minimum": -1000, "maximum": 100},
        "form_score": {"type": "number", "minimum": 0, "maximum": 100},
        "cues": {"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 8},
    },
}

_SKELETON_SUMMARY = {
    "type": "object",
    "maxProperties": 64,
    "propertyNames": {"pattern": "^[a-z0-9_]{1,40}$"},
    "additionalProperties": {
        "anyOf": [
            _NUM,
            _NUM_LIST,
            {"type": "object", "maxProperties": 40, "propertyNames": {"pattern": "^[a-z0-9_]{1,40}$"},
             "additionalProperties": {"anyOf": [_NUM, _NUM_LIST]}},
        ]
    },
}

TELEMETRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 80,
    "propertyNames": _METRIC_NAME,
    "additionalProperties": _EXTRA_METRIC,
    "properties": {
        "duration_ms": _DURATION_MS,
        "punches_thrown": _COUNT,
        "punches_landed": _COUNT,
        "dodges": _COUNT,
        "peak_hand_speed_mps": _SPEED,
        "reps_attempted": _COUNT,
        "rounds": {"type": "array", "items": _ROUND, "maxItems": 60},
        "reps": {"type": "array", "items": _REP, "maxItems": 2000},
        "skeleton_summary": _SKELETON_SUMMARY,
        "plan": {"type": "object", "maxProperties": 20, "propertyNames": {"maxLength": 40},
                 "additionalProperties": {"anyOf": [
                     {"type": "number", "minimum": -1e9, "maximum": 1e9},
                     {"type": ["boolean", "null"]},
                     {"type": "string", "maxLength": 100},
                 ]}},
        "app_version": {"type": "string", "maxLength": 40},
    },
}

SUBMISSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "mode", "score", "played_at_ms", "duration_ms", "telemetry"],
    "properties": {
        "id": _ID,
        "mode": {"enum": list(MODES)},
        "exercise": {"enum": list(EXERCISE_MODES)},
        "score": {"type": "number", "minimum": 0, "maximum": 10_000_000},
        "played_at_ms": _MS,
        "duration_ms": _DURATION_MS,
        "challenge": _CODE,
        "telemetry": TELEMETRY_SCHEMA,
    },
}

PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "difficulty": {"enum": ["easy", "normal", "hard", "expert"]},
        "intensity": {"enum": ["rest", "low", "moderate", "high"]},
        "volume_pct": {"type": "integer", "minimum": 0, "maximum": 200},
        "max_rounds": {"type": "integer", "minimum": 0, "maximum": 30},
        "round_length_s": {"type": "integer", "minimum": 10, "maximum": 600},
        "target_reps": {"type": "integer", "minimum": 0, "maximum": 500},
        "exercises": {"type": "array", "items": {"enum": list(EXERCISE_MODES)},
                      "maxItems": len(EXERCISE_MODES),
                      "uniqueItems": True},
        "rest_day": {"type": "boolean"},
        "expires_at_ms": _MS,
    },
}


def _msg(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["v", "type", *required],
        "properties": {
            "v": {"type": "integer"},
            "type": {"type": "string"},
            "id": {"type": ["string", "integer"], "maxLength": 64},
            **properties,
        },
    }


#: Client-to-server messages, by type.
MESSAGE_SCHEMAS: dict[str, dict[str, Any]] = {
    "hello": _msg([], {"token": {"type": "string", "maxLength": 100},
                       "client": {"type": "string", "maxLength": 60}}),
    "register": _msg(["name"], {"name": _NAME, "trainer_code": {"type": "string", "maxLength": 100}}),
    "ping": _msg([], {}),
    "profile.set": _msg(["name"], {"name": _NAME}),
    "submit": _msg(["submission"], {"submission": SUBMISSION_SCHEMA}),
    "board.get": _msg(["mode", "period"], {
        "mode": {"enum": list(MODES)},
        "period": {"enum": list(PERIODS)},
        "group": _PUBLIC_ID,
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
    }),
    "group.create": _msg(["name"], {"name": _NAME}),
    "group.join": _msg(["invite_code"], {"invite_code": _CODE}),
    "group.leave": _msg(["group"], {"group": _PUBLIC_ID}),
    "group.list": _msg([], {}),
    "group.members": _msg(["group"], {"group": _PUBLIC_ID}),
    "group.remove": _msg(["group", "player"], {"group": _PUBLIC_ID, "player": _PUBLIC_ID}),
    "challenge.create": _msg(["title", "exercise", "duration_s"], {
        "title": _NAME,
        "exercise": {"enum": list(EXERCISE_MODES)},
        "duration_s": {"type": "integer", "minimum": 10, "maximum": 4 * 3600},
        "group": _PUBLIC_ID,
    }),
    "challenge.join": _msg(["code"], {"code": _CODE}),
    "challenge.watch": _msg(["code"], {"code": _CODE}),
    "challenge.unwatch": _msg(["code"], {"code": _CODE}),
    "challenge.get": _msg(["code"], {"code": _CODE}),
    "challenge.list": _msg([], {"limit": {"type": "integer", "minimum": 1, "maximum": 50}}),
    "challenge.start": _msg(["code"], {"code": _CODE}),
    "challenge.stop": _msg(["code"], {"code": _CODE}),
    "challenge.progress": _msg(["code", "score", "elapsed_ms"], {
        "code": _CODE,
        "score": {"type": "number", "minimum": 0, "maximum": 10_000_000},
        "elapsed_ms": _DURATION_MS,
        "count": _COUNT,
    }),
    "telemetry.list": _msg([], {
        "player": _PUBLIC_ID,
        "mode": {"enum": list(MODES)},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "before_ms": _MS,
    }),
    "coach.players": _msg([], {}),
    "override.set": _msg(["player", "plan"], {"player": _PUBLIC_ID, "plan": PLAN_SCHEMA, "note": _TEXT}),
    "override.get": _msg([], {"player": _PUBLIC_ID}),
    "token.issue": _msg([], {"label": {"type": "string", "maxLength": 60, "pattern": "^[^\\u0000-\\u001f]*$"}}),
    "token.list": _msg([], {"player": _PUBLIC_ID}),
    "token.revoke": _msg([], {"token": _PUBLIC_ID, "player": _PUBLIC_ID}),
}

_ENVELOPE = {
    "type": "object",
    "required": ["v", "type"],
    "properties": {"v": {"type": "integer"}, "type": {"type": "string", "maxLength": 40}},
}


SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"


def schema_for(message_type: str) -> dict[str, Any]:
    """The complete JSON Schema of one client message type ("" for the envelope)."""
    body = _ENVELOPE if message_type == "" else MESSAGE_SCHEMAS[message_type]
    return {"$schema": SCHEMA_DIALECT, **body}


@functools.cache
def _validator(message_type: str) -> Any:
    return fastjsonschema.compile(schema_for(message_type))


def _check(message_type: str, message: dict[str, Any]) -> None:
    try:
        _validator(message_type)(message)
    except JsonSchemaValueException as exc:
        path = [str(p) for p in (exc.path or [])[1:]]
        where = "/".join(path) or "message"
        text = str(exc.message)
        # fastjsonschema names the value "data.a.b"; the path already says where.
        if exc.name and text.startswith(exc.name):
            text = text[len(exc.name):].strip()
        if len(text) > 160:
            text = text[:157] + "..."
        raise ProtocolError(f"{where}: {text}") from None


def decode(raw: str | bytes) -> dict[str, Any]:
    """Parse and validate one client message.

    Raises :class:`ProtocolError` (bad JSON, not an object, unknown type, schema violation) or
    :class:`UnsupportedVersionError`; the message says exactly what is wrong.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError("messages must be UTF-8 JSON text") from exc
    try:
        message = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except _NotFinite as exc:
        raise ProtocolError(f"not valid JSON ({exc}): numbers must be finite, NaN and Infinity are refused") from None
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"not valid JSON ({exc.__class__.__name__})") from exc
    # Only an escaped surrogate can produce text that is not valid Unicode, and the float hook
    # already refused every non-finite number: skip the walk otherwise.
    return validate(message, check_text=_SURROGATE_ESCAPE.search(raw) is not None)


class _NotFinite(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON and would slip through numeric range checks.
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    # ``1e400`` is valid JSON but parses to inf, which no range check catches (inf > max is
    # caught, but the value would still reach storage through unbounded fields) and which
    # ``encode`` cannot write back: refuse it here, where the number is read.
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text[:40])
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _bad_value(value: Any) -> str | None:
    """Why a parsed message cannot be stored or sent back, or None: a string (key or value) with
    a lone surrogate (no database can store it), or a non-finite number (not JSON)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "text must be valid Unicode (a lone surrogate escape was found)"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"not valid JSON ({item}): numbers must be finite, NaN and Infinity are refused"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def validate(message: Any, *, check_text: bool = True) -> dict[str, Any]:
    """Validate an already-parsed message; returns it unchanged. ``check_text=False`` skips the
    walk for lone surrogates and non-finite numbers (``decode`` does so when the raw text cannot
    contain either)."""
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object with 'v' and 'type'")
    if check_text:
        why = _bad_value(message)
        if why is not None:
            raise ProtocolError(why)
    _check("", message)
    if message["v"] not in SUPPORTED_VERSIONS:
        raise UnsupportedVersionError(
            f"protocol version {message['v']} is not supported; this server speaks "
            f"{', '.join(str(v) for v in sorted(SUPPORTED_VERSIONS))}"
        )
    message_type = message["type"]
    if message_type not in MESSAGE_SCHEMAS:
        raise ProtocolError(f"unknown message type {message_type!r}")
    _check(message_type, message)
    return message


def request_id(message: Any) -> str | int | None:
    """The request id to echo, taken defensively from a message that may be invalid."""
    if isinstance(message, dict):
        rid = message.get("id")
        if isinstance(rid, int) and not isinstance(rid, bool):
            return rid
        if isinstance(rid, str) and len(rid) <= 64:
            return rid
    return None


def encode(message: dict[str, Any]) -> str:
    """Serialise a message (compact, UTF-8 safe). Raises ValueError for NaN or Infinity."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
