"""The protocol's error codes (sent in ``error`` replies) and the errors validation raises.

Both sides use these: the server maps its own errors to a ``code`` from :data:`ERROR_CODES`; the
game decides from :data:`FINAL_CODES` whether resending a refused message could ever succeed.
"""

from __future__ import annotations

#: Every ``code`` an ``error`` reply can carry, with what it means (docs/PROTOCOL.md has the table).
ERROR_CODES: dict[str, str] = {
    "bad_request": "not JSON, not an object, unknown type, or a schema violation",
    "unsupported_version": "the message's protocol version is not spoken by this server",
    "unauthenticated": "sign in first (hello with a valid token, or register)",
    "token_expired": "the token expired or was revoked; sign in again",
    "forbidden": "signed in but without the right to do this",
    "not_found": "no such challenge, group, player, token or invite code",
    "conflict": "not possible in the current state",
    "implausible": "a score its telemetry cannot explain, or beyond human limits",
    "quota_exceeded": "this player or address stored as much as it may",
    "rate_limited": "too many messages; retry after retry_after_ms",
    "clock_ahead": "the session is stamped ahead of the server's clock; retry after retry_after_ms",
    "unavailable": "the database failed for a moment; nothing was applied; resend",
    "policy_violation": "sent just before the server closes an abusive connection",
}

#: Error codes after which resending the same message cannot succeed (the game's outbox keeps the
#: submission with its reason instead of retrying forever).
FINAL_CODES = frozenset(
    {"bad_request", "unsupported_version", "forbidden", "not_found", "conflict", "implausible"}
)


class ProtocolError(ValueError):
    """A message is not valid JSON, not an object, or does not match its schema; ``str()`` names
    the field and what is wrong."""

    code = "bad_request"


class UnsupportedVersionError(ProtocolError):
    """The message's ``v`` is not a protocol version this side speaks."""

    code = "unsupported_version"
