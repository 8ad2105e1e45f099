"""The leaderboard server's errors, and their mapping to protocol outcomes in one place.

Every error carries a stable ``code`` (sent in ``error`` replies, documented in docs/PROTOCOL.md)
and a message written for the person at the other end. ``close_code`` is set for errors after
which the connection is closed (RFC 6455 close codes). Start-up problems (a bad database URL, an
unreadable certificate) are :class:`ServerSetupError` and become one line and an exit status in
``leaderboard_server.__main__``.
"""

from __future__ import annotations

import ringside_protocol
from ringside_protocol import FINAL_CODES


class ServerError(Exception):
    """Base class for everything the server reports to a client or an operator; ``str(err)`` is
    one line that says what to do."""

    code: str = "server_error"
    close_code: int | None = None
    exit_code = 7


class ServerSetupError(ServerError):
    """The server cannot start: bad option, unreachable database, unreadable certificate."""

    code = "setup"


class ProtocolError(ServerError, ringside_protocol.ProtocolError):
    """The message is not valid JSON, not an object, or does not match its schema."""

    code = "bad_request"


class UnsupportedVersionError(ProtocolError, ringside_protocol.UnsupportedVersionError):
    """The client speaks a protocol version this server does not."""

    code = "unsupported_version"


class NotAuthenticatedError(ServerError):
    """The message needs a player; send ``hello`` with a token (or ``register``) first."""

    code = "unauthenticated"


class TokenExpiredError(NotAuthenticatedError):
    """The token was valid once but expired or was revoked (signed out): sign in again."""

    code = "token_expired"


class QuotaExceededError(ServerError):
    """The player (or the address) stored as much as it may; nothing was stored."""

    code = "quota_exceeded"

    def __init__(self, message: str, retry_after_ms: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms


class ForbiddenError(ServerError):
    """The sender is known but has no right to do this (not a trainer, not the owner, ...)."""

    code = "forbidden"


class NotFoundError(ServerError):
    """The group, challenge or player named in the message does not exist."""

    code = "not_found"


class ConflictError(ServerError):
    """The request clashes with the current state (challenge already started, ...)."""

    code = "conflict"


class ImplausibleError(ServerError):
    """A score that its own telemetry cannot explain, or telemetry beyond human limits.

    Final: the submission is recorded as rejected and resending it returns the same answer.
    """

    code = "implausible"


class RateLimitedError(ServerError):
    """Too many messages; ``retry_after_ms`` says when to try again."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after_ms: int) -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms


class ClockAheadError(ServerError):
    """A session stamped ahead of the server's clock (the device clock runs fast). Not applied and
    not final: the same submission counts once that time has passed (``retry_after_ms``)."""

    code = "clock_ahead"

    def __init__(self, message: str, retry_after_ms: int) -> None:
        super().__init__(message)
        self.retry_after_ms = retry_after_ms


class AbuseError(ServerError):
    """The client keeps breaking the rules (flooding, repeated garbage): the connection closes."""

    code = "policy_violation"
    close_code = 1008


class StorageUnavailableError(ServerError):
    """The database failed for a moment; the message was not applied and can be resent."""

    code = "unavailable"


__all__ = [
    "FINAL_CODES", "AbuseError", "ClockAheadError", "ConflictError", "ForbiddenError", "ImplausibleError",
    "NotAuthenticatedError", "NotFoundError", "ProtocolError", "QuotaExceededError", "RateLimitedError",
    "ServerError", "ServerSetupError", "StorageUnavailableError", "TokenExpiredError", "UnsupportedVersionError",
]
