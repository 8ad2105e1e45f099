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


@dataclass(frozen=True)
class AddressLimit:
    """What one network address may do, whatever the number of its connections. Generous enough
    for a gym behind one router (NAT: a class of 40 shares one address): the point is that one
    address cannot take the server from everyone else."""

    #: Open WebSocket connections at once (a device needs one; a TV page one).
    max_connections: int = 256
    #: Messages per second over all the address's connections (40 players reporting live
    #: progress 4 times a second is 160/s), and the burst. Beyond it the address's messages are
    #: not refused but delayed: its connections stop being read (TCP backpressure), so a flood
    #: costs the server nothing and other addresses are served as usual.
    messages: RateLimit = RateLimit(per_s=300.0, burst=3000.0)
    #: New accounts: a class registering at once, then 30 an hour.
    registrations: RateLimit = RateLimit(per_s=30 / 3600, burst=30.0)
    #: ``/api/challenges/CODE`` lookups: a page refresh now and then, never a code search
    #: (32^6 codes at 2/s is ~17 years).
    api: RateLimit = RateLimit(per_s=2.0, burst=20.0)
    #: Addresses remembered at most (oldest idle ones are forgotten first).
    max_addresses: int = 100_000
    #: Addresses these limits do not apply to (a trusted reverse proxy, a load test on loopback).
    exempt: frozenset[str] = frozenset()


class AddressBook:
    """Per-address counters and token buckets. Pure: every call takes ``now_ms``; the server
    passes the peer's address (an IP string) as the key."""

    def __init__(self, limit: AddressLimit) -> None:
        self.limit = limit
        self.connections: dict[str, int] = {}
        self._buckets: dict[tuple[str, str], TokenBucket] = {}

    def connect(self, address: str) -> bool:
        """Count a new connection; False (not counted) when the address has too many."""
        if address in self.limit.exempt:
            return True
        n = self.connections.get(address, 0)
        if n >= self.limit.max_connections:
            return False
        self.connections[address] = n + 1
        return True

    def disconnect(self, address: str) -> None:
        if address in self.limit.exempt:
            return
        n = self.connections.get(address, 0) - 1
        if n > 0:
            self.connections[address] = n
        else:
            self.connections.pop(address, None)

    def reserve(self, address: str, kind: str, now_ms: int, cost: float = 1.0) -> int:
        """Spend from the address's ``kind`` bucket even into debt; returns how many ms the
        caller must wait before acting (0 within the budget). Waiters are served in the order
        they reserved, at the bucket's rate."""
        if address in self.limit.exempt:
            return 0
        limit: RateLimit = getattr(self.limit, kind)
        key = (address, kind)
        bucket = self._buckets.pop(key, None) or TokenBucket.full(limit, now_ms)
        elapsed_s = max(0, now_ms - bucket.updated_ms) / 1000.0
        tokens = min(limit.burst, bucket.tokens + elapsed_s * limit.per_s) - cost
        self._remember(key, TokenBucket(tokens, now_ms))
        return 0 if tokens >= 0 else int(-tokens / limit.per_s * 1000) + 1

    def _remember(self, key: tuple[str, str], bucket: TokenBucket) -> None:
        self._buckets[key] = bucket  # re-inserted last: dicts keep order, so the first is the stalest
        if len(self._buckets) > self.limit.max_addresses:
            del self._buckets[next(iter(self._buckets))]

    def take(self, address: str, kind: str, now_ms: int, cost: float = 1.0) -> tuple[bool, int]:
        """Spend from the address's ``kind`` bucket (``messages``, ``registrations``, ``api``);
        returns (allowed, retry_after_ms when refused)."""
        if address in self.limit.exempt:
            return True, 0
        limit: RateLimit = getattr(self.limit, kind)
        key = (address, kind)
        bucket = self._buckets.pop(key, None) or TokenBucket.full(limit, now_ms)
        allowed, bucket, retry_ms = take(bucket, limit, now_ms, cost)
        self._remember(key, bucket)
        return allowed, retry_ms
