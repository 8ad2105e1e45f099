"""Errors of the game's network client (part of the one hierarchy rooted in game.errors)."""

from __future__ import annotations

from game.errors import RingsideError, StorageError


class NetworkError(RingsideError):
    """The leaderboard server cannot be reached or dropped the connection; nothing is lost,
    the outbox keeps every score until the next sync."""

    exit_code = 8


class ServerReplyError(NetworkError):
    """The server answered a request with an error (``code`` is the protocol's error code)."""

    def __init__(self, code: str, message: str, *, is_final: bool, retry_after_ms: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.is_final = is_final
        self.retry_after_ms = retry_after_ms


class OutboxError(StorageError):
    """The on-disk outbox cannot be opened or written."""
