"""One feedback channel: what the player is told, where, and which message wins.

A play screen has a few *regions* where words may appear (the coaching line along the bottom of
the stage, the centre of the stage, a notice strip); each shows at most one message at a time.
Scenes :meth:`FeedbackChannel.post` messages as things happen (or every step while a condition
lasts) and draw :meth:`FeedbackChannel.shown`; the channel decides:

- **the most important wins**: a higher :class:`Priority` takes the region at once;
- **no flicker**: a message keeps its region for at least ``min_show_s`` against equals and
  lower ones (a higher priority still takes over);
- **the rest wait or drop**: a message that loses waits while it is still fresh (``ttl_s``) and is
  dropped when it goes stale, so an old cue never appears late;
- **one thing said once**: messages share a ``topic`` ("presence", "pace", ...), and a topic is
  shown in one region only, by its most important message, so "Nobody in view", "Step back into
  view" and "Counter paused" never stack up saying the same thing.

Pure: time is an argument (seconds on any monotonic clock), no pygame, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Priority(IntEnum):
    """How much a message matters; higher wins its region."""

    HINT = 10  # how-to lines, pause hints
    PRAISE = 20  # "Good rep", grades
    COACH = 30  # form cues after a rep
    STATE = 40  # the game's state: get set, counter paused, rest
    PROBLEM = 50  # the player or the input needs fixing: out of view, wild punches
    SOURCE = 60  # the camera or the file itself: starting, failed


TONES = ("info", "good", "warn", "bad")


@dataclass(frozen=True, slots=True)
class Message:
    """One thing to tell the player. ``text`` says what to do, not only what went wrong.

    - ``key``: identity; posting the same key again refreshes the message instead of adding one.
    - ``region``: where it may appear ("cue", "centre", "notice", ... as the scene defines).
    - ``head``: an optional short heading ("COUNTER PAUSED") shown above the text.
    - ``tone``: "info" | "good" | "warn" | "bad" (the scene picks the colour).
    - ``ttl_s``: how long it stays relevant after its last post (it waits at most this long).
    """

    key: str
    text: str
    region: str = "cue"
    priority: Priority = Priority.COACH
    topic: str | None = None
    head: str = ""
    tone: str = "info"
    ttl_s: float = 3.0

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("a message needs words")
        if self.tone not in TONES:
            raise ValueError(f"tone must be one of {TONES}, got {self.tone!r}")
        if self.ttl_s <= 0:
            raise ValueError("ttl_s must be > 0")


@dataclass(slots=True)
class _Live:
    msg: Message
    posted_s: float  # first post
    expires_s: float  # last post + ttl
    order: int  # post order, for ties


@dataclass
class FeedbackChannel:
    """The messages of one screen (see the module doc). ``min_show_s``: least display time."""

    min_show_s: float = 0.8
    _live: dict[str, _Live] = field(default_factory=dict)
    _shown: dict[str, tuple[str, float]] = field(default_factory=dict)  # region -> (key, since)
    _order: int = 0
    _now_s: float = 0.0

    def post(self, msg: Message, now_s: float) -> None:
        """Say ``msg`` (again). A condition that lasts is posted every step; its message lives
        ``ttl_s`` after the last post."""
        old = self._live.get(msg.key)
        self._order += 1
        if old is not None and old.expires_s > now_s:
            old.msg, old.expires_s, old.order = msg, now_s + msg.ttl_s, self._order
        else:
            self._live[msg.key] = _Live(msg, now_s, now_s + msg.ttl_s, self._order)
        self._now_s = max(self._now_s, now_s)
        self._choose(now_s)

    def withdraw(self, key: str, now_s: float) -> None:
        """The condition is over: take the message down now (a waiting one may take its place)."""
        self._live.pop(key, None)
        self._choose(now_s)

    def clear(self) -> None:
        self._live.clear()
        self._shown.clear()

    def tick(self, now_s: float) -> None:
        """Advance to ``now_s``: drop stale messages and settle who shows where."""
        self._now_s = max(self._now_s, now_s)
        self._choose(now_s)

    def shown(self) -> dict[str, Message]:
        """Region -> the message shown there, as of the last post/tick (reading changes nothing)."""
        return {region: self._live[key].msg for region, (key, _) in self._shown.items()
                if key in self._live}

    def in_region(self, region: str) -> Message | None:
        return self.shown().get(region)

    def _choose(self, now_s: float) -> None:
        for key in [k for k, lv in self._live.items() if lv.expires_s <= now_s]:
            del self._live[key]
        # Most important first; among equals the newest post.
        ranked = sorted(self._live.values(), key=lambda lv: (-int(lv.msg.priority), -lv.order))
        taken_topics: set[str] = set()
        new: dict[str, tuple[str, float]] = {}
        # A message already up keeps its place against equals for min_show_s.
        held: dict[str, _Live] = {}
        for region, (key, since) in self._shown.items():
            lv = self._live.get(key)
            if lv is not None and lv.msg.region == region and now_s - since < self.min_show_s:
                held[region] = lv
        for lv in ranked:
            region = lv.msg.region
            if region in new or (lv.msg.topic is not None and lv.msg.topic in taken_topics):
                continue
            keep = held.get(region)
            if keep is not None and keep is not lv and keep.msg.priority >= lv.msg.priority and \
                    not (keep.msg.topic is not None and keep.msg.topic in taken_topics):
                lv = keep
            if lv.msg.topic is not None and lv.msg.topic in taken_topics:
                continue
            prev = self._shown.get(region)
            since = prev[1] if prev is not None and prev[0] == lv.msg.key else now_s
            new[region] = (lv.msg.key, since)
            if lv.msg.topic is not None:
                taken_topics.add(lv.msg.topic)
        self._shown = new

