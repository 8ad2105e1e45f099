"""Per-connection rate limiting as a pure token bucket (time is an argument)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    #: Sustained messages per second. A game sends a progress report every 250 ms at most and a
    #: submission per set; 30/s leaves room for outbox syncing.
    per_s: float = 30.0
    #: Bucket size: a week of offline sessions can sync at once before being paced.
    burst: float = 300.0
    #: After this many refused messages in a row the connection is closed (1008).
    max_strikes: int = 200
    #: Every this many bytes of a message cost one more token: validating a 200 KiB submission
    #: takes ~15 ms of the event loop (measured on the 2-core box), a ping microseconds.
    bytes_per_token: int = 16 * 1024


@dataclass(frozen=True)
class TokenBucket:
    tokens: float
    updated_ms: int

    @classmethod
    def full(cls, limit: RateLimit, now_ms: int) -> TokenBucket:
        return cls(limit.burst, now_ms)


def message_cost(size_bytes: int, limit: RateLimit) -> float:
    """Tokens a message of ``size_bytes`` costs: one, plus one per ``bytes_per_token``."""
    return 1.0 + size_bytes / limit.bytes_per_token


def take(bucket: TokenBucket, limit: RateLimit, now_ms: int, cost: float = 1.0) -> tuple[bool, TokenBucket, int]:
    """Try to spend ``cost`` tokens. Returns (allowed, new bucket, retry_after_ms when refused).
    A cost above the bucket size is charged as a full bucket (it waits, it is not refused forever)."""
    cost = min(cost, limit.burst)
    elapsed_s = max(0, now_ms - bucket.updated_ms) / 1000.0
    tokens = min(limit.burst, bucket.tokens + elapsed_s * limit.per_s)
    if tokens >= cost:
        return True, TokenBucket(tokens - cost, now_ms), 0
    retry_ms = int((cost - tokens) / limit.per_s * 1000) + 1
    return False, TokenBucket(tokens, now_ms), retry_ms
