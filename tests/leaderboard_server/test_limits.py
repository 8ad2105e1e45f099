"""The per-connection rate limit, as a pure token bucket: messages and bytes both cost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaderboard_server.limits import RateLimit, TokenBucket, message_cost, take


def _allowed_in(limit: RateLimit, size_bytes: int, seconds: int, step_ms: int = 10) -> int:
    """How many messages of ``size_bytes`` a client sending as fast as it may gets through."""
    bucket, n = TokenBucket.full(limit, 0), 0
    for t in range(0, seconds * 1000, step_ms):
        ok, bucket, _ = take(bucket, limit, t, message_cost(size_bytes, limit))
        n += ok
    return n


def test_big_messages_are_paced_by_their_size() -> None:
    """Validating a 200 KiB submission costs ~15 ms of the event loop, a ping microseconds: a
    client flooding big messages must not get as many through as one sending pings."""
    limit = RateLimit()
    pings = _allowed_in(limit, 30, 60)
    big = _allowed_in(limit, 200 * 1024, 60)
    assert pings >= 300 + 30 * 60 - 5
    assert big * 10 <= pings
    # A week of offline sessions (50 of ~30 KiB) still goes in one burst.
    assert _allowed_in(limit, 30 * 1024, 1, step_ms=1) >= 50


@given(sizes=st.lists(st.integers(0, 256 * 1024), max_size=200))
def test_cost_is_at_least_one_and_grows_with_size(sizes: list[int]) -> None:
    limit = RateLimit()
    costs = [message_cost(s, limit) for s in sorted(sizes)]
    assert all(c >= 1.0 for c in costs) and costs == sorted(costs)


def test_an_address_over_its_budget_waits_its_turn() -> None:
    from leaderboard_server.limits import AddressBook, AddressLimit

    book = AddressBook(AddressLimit(messages=RateLimit(per_s=10.0, burst=5.0)))
    waits = [book.reserve("10.0.0.1", "messages", 0) for _ in range(8)]
    assert waits[:5] == [0] * 5 and waits[5:] == [101, 201, 301]  # then one every 100 ms
    assert book.reserve("10.0.0.2", "messages", 0) == 0  # another address has its own budget
    assert book.reserve("10.0.0.1", "messages", 1000) == 0  # a second later the debt is paid


def test_exempt_addresses_are_not_limited() -> None:
    from leaderboard_server.limits import AddressBook, AddressLimit

    book = AddressBook(AddressLimit(max_connections=1, registrations=RateLimit(per_s=0.001, burst=1.0),
                                    exempt=frozenset({"10.0.0.9"})))
    assert all(book.connect("10.0.0.9") for _ in range(5)) and book.connect("10.0.0.1")
    assert not book.connect("10.0.0.1")
    assert all(book.take("10.0.0.9", "registrations", 0)[0] for _ in range(5))
    assert book.take("10.0.0.1", "registrations", 0)[0] and not book.take("10.0.0.1", "registrations", 0)[0]
