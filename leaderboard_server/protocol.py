"""The server's view of the shared protocol package (:mod:`ringside_protocol`).

Everything is re-exported unchanged except :func:`decode` and :func:`validate`, which raise the
server's own :class:`~leaderboard_server.errors.ProtocolError` (a :class:`ServerError`, so the
core maps it to an ``error`` reply like any other).
"""

from __future__ import annotations

from typing import Any

import ringside_protocol as _wire
from leaderboard_server.errors import ProtocolError, UnsupportedVersionError
from ringside_protocol import (
    CHALLENGE_MODE,
    EXERCISE_MODES,
    MESSAGE_SCHEMAS,
    MODES,
    PERIODS,
    PROTOCOL_VERSION,
    REP_MODES,
    SUBMISSION_SCHEMA,
    SUPPORTED_VERSIONS,
    TELEMETRY_SCHEMA,
    encode,
    request_id,
    schema_for,
)


def _server_error(exc: _wire.ProtocolError) -> ProtocolError:
    cls = UnsupportedVersionError if isinstance(exc, _wire.UnsupportedVersionError) else ProtocolError
    return cls(str(exc))


def decode(raw: str | bytes) -> dict[str, Any]:
    """Parse and validate one client message (see :func:`ringside_protocol.decode`)."""
    try:
        return _wire.decode(raw)
    except _wire.ProtocolError as exc:
        raise _server_error(exc) from None


def validate(message: Any, *, check_text: bool = True) -> dict[str, Any]:
    """Validate an already-parsed message (see :func:`ringside_protocol.validate`)."""
    try:
        return _wire.validate(message, check_text=check_text)
    except _wire.ProtocolError as exc:
        raise _server_error(exc) from None


__all__ = [
    "CHALLENGE_MODE", "EXERCISE_MODES", "MESSAGE_SCHEMAS", "MODES", "PERIODS", "PROTOCOL_VERSION", "REP_MODES", "SUBMISSION_SCHEMA",
    "SUPPORTED_VERSIONS", "TELEMETRY_SCHEMA", "decode", "encode", "request_id", "schema_for", "validate",
]
