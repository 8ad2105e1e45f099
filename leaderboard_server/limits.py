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


@dataclass(frozen=True)
class TokenBucket:
    tokens: float
    updated_ms: int

    @classmethod
    def full(cls, limit: RateLimit, now_ms: int) -> TokenBucket:
        return cls(limit.burst, now_ms)


def take(bucket: TokenBucket, limit: RateLimit, now_ms: int) -> tuple[bool, TokenBucket, int]:
    """Try to spend one token. Returns (allowed, new bucket, retry_after_ms when refused)."""
    elapsed_s = max(0, now_ms - bucket.updated_ms) / 1000.0
    tokens = min(limit.burst, bucket.tokens + elapsed_s * limit.per_s)
    if tokens >= 1.0:
        return True, TokenBucket(tokens - 1.0, now_ms), 0
    retry_ms = int((1.0 - tokens) / limit.per_s * 1000) + 1
    return False, TokenBucket(tokens, now_ms), retry_ms
