"""The feedback channel: one message per region, the most important wins, one topic said once."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.feedback import FeedbackChannel, Message, Priority


def test_the_pile_up_of_issue_11_becomes_one_line() -> None:
    """Nobody in view + Step back into view + COUNTER PAUSED + a side cue, all at once."""
    ch = FeedbackChannel()
    ch.post(Message("nobody", "Step in front of the camera", "cue", Priority.PROBLEM, "presence"), 0.0)
    ch.post(Message("engine_input", "Step back into view", "cue", Priority.PROBLEM, "presence"), 0.0)
    ch.post(Message("paused", "Step back into view", "cue", Priority.STATE, "presence",
                    head="COUNTER PAUSED"), 0.0)
    ch.post(Message("toast", "Step back into view", "notice", Priority.PROBLEM, "presence"), 0.0)
    shown = ch.shown()
    assert len(shown) == 1
    assert next(iter(shown.values())).priority == Priority.PROBLEM


def _shown_key(ch: FeedbackChannel, region: str = "cue") -> str | None:
    """The key of the message shown in ``region`` (None: nothing shown)."""
    shown = ch.in_region(region)
    return None if shown is None else shown.key


def test_higher_priority_takes_the_region_and_the_lower_waits_while_fresh() -> None:
    ch = FeedbackChannel(min_show_s=0.8)
    ch.post(Message("cue", "Sit back and down", priority=Priority.COACH, ttl_s=3.0), 0.0)
    ch.post(Message("away", "Step back so your feet are in view", priority=Priority.PROBLEM,
                    ttl_s=0.5), 0.2)
    assert _shown_key(ch) == "away"
    ch.tick(1.0)  # the problem is over (not posted again): the waiting cue comes back
    assert _shown_key(ch) == "cue"
    ch.tick(3.1)  # stale: dropped, never shown late
    assert ch.in_region("cue") is None


def test_equals_do_not_flicker_but_a_newer_equal_shows_after_min_show() -> None:
    ch = FeedbackChannel(min_show_s=0.8)
    ch.post(Message("a", "Chest up"), 0.0)
    ch.post(Message("b", "Knees out"), 0.3)
    assert _shown_key(ch) == "a"
    ch.tick(0.9)
    assert _shown_key(ch) == "b"


def test_withdraw_and_reposting_refreshes_in_place() -> None:
    ch = FeedbackChannel()
    m = Message("paused", "Go lower", priority=Priority.STATE, ttl_s=0.3)
    for i in range(10):
        ch.post(m, i * 0.1)
    assert ch.in_region("cue") == m  # still up: each post refreshed it
    ch.withdraw("paused", 1.0)
    assert ch.in_region("cue") is None


def test_bad_messages_are_refused() -> None:
    with pytest.raises(ValueError):
        Message("k", "   ")
    with pytest.raises(ValueError):
        Message("k", "x", tone="loud")


posts = st.lists(st.tuples(
    st.sampled_from("abcdefgh"), st.sampled_from(("cue", "centre", "notice")),
    st.sampled_from(list(Priority)), st.sampled_from((None, "presence", "pace")),
    st.floats(0.1, 4.0), st.floats(0.0, 0.5)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(posts)
def test_one_per_region_one_per_topic_and_the_most_important_shows(
        seq: list[tuple[str, str, Priority, str | None, float, float]]) -> None:
    ch = FeedbackChannel(min_show_s=0.0)
    now = 0.0
    for key, region, prio, topic, ttl, dt in seq:
        now += dt
        ch.post(Message(key, f"do {key}", region, prio, topic, ttl_s=ttl), now)
        shown = ch.shown()
        topics = [m.topic for m in shown.values() if m.topic is not None]
        assert len(topics) == len(set(topics))
        live = {k: lv.msg for k, lv in ch._live.items()}
        for region_, m in shown.items():
            assert m.region == region_ and m.key in live
        # a region is never left empty while a live message for it has a free topic,
        # and a shown message is never beaten by a live one of the same region and free topic
        for m in live.values():
            top = shown.get(m.region)
            if m.topic is None or m.topic not in topics:
                assert top is not None
                assert top.priority >= m.priority
