"""The Ringside leaderboard protocol, shared by the game and the server (and nothing else).

Versions, exercises and board modes (:mod:`ringside_protocol.exercises`), periods, the JSON Schemas of every client message, validation and
encoding, and the error codes. It depends on ``fastjsonschema`` only: the game imports it to
check a submission before queuing it, the server to decode every message. The reference text is
docs/PROTOCOL.md.
"""

from ringside_protocol.errors import ERROR_CODES, FINAL_CODES, ProtocolError, UnsupportedVersionError
from ringside_protocol.exercises import (
    BOXING_MODE,
    CHALLENGE_MODE,
    DEFAULT_REP_MODE,
    EXERCISE_MODES,
    EXERCISES,
    MODES,
    POINTS_MODES,
    REP_MODES,
    ExerciseMode,
    Kind,
    RepLimits,
    kind_of,
)
from ringside_protocol.messages import (
    MESSAGE_SCHEMAS,
    PERIODS,
    PROTOCOL_VERSION,
    SUBMISSION_SCHEMA,
    SUPPORTED_VERSIONS,
    TELEMETRY_SCHEMA,
    decode,
    encode,
    request_id,
    schema_for,
    validate,
)

__all__ = [
    "BOXING_MODE", "CHALLENGE_MODE", "DEFAULT_REP_MODE", "Kind", "kind_of", "ERROR_CODES", "EXERCISES", "EXERCISE_MODES", "POINTS_MODES", "ExerciseMode", "RepLimits", "FINAL_CODES", "MESSAGE_SCHEMAS", "MODES", "PERIODS", "PROTOCOL_VERSION",
    "REP_MODES", "SUBMISSION_SCHEMA", "SUPPORTED_VERSIONS", "TELEMETRY_SCHEMA", "ProtocolError",
    "UnsupportedVersionError", "decode", "encode", "request_id", "schema_for", "validate",
]
