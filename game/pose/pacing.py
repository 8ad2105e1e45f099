"""Real-time pacing: release a stream's timestamps at their moments on a wall clock.

One helper for every place that plays a file as if it were live (a video source in real time,
a recording replayed in real time, the feed's worker for videos, recordings and generated
players). The clock and the sleep are arguments, so tests pace with a fake clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class RealtimePacer:
    """Maps stream timestamps (ms) to wall-clock moments (s on ``clock``).

    The first timestamp is anchored at the moment it is waited for (or explicitly with
    :meth:`anchor`, e.g. once a model has loaded); every later timestamp is due that many
    milliseconds after it. :meth:`wait` sleeps until a timestamp's moment and says how late the
    caller was past it, so the caller decides what lateness means (drop the frame, skip ahead).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._start_s: float | None = None

    @property
    def is_anchored(self) -> bool:
        return self._start_s is not None

    def anchor(self, timestamp_ms: float, now_s: float | None = None) -> None:
        """Make ``timestamp_ms`` due at ``now_s`` (default: now)."""
        now = self._clock() if now_s is None else now_s
        self._start_s = now - timestamp_ms / 1000.0

    def due_s(self, timestamp_ms: float) -> float:
        """The wall-clock moment of ``timestamp_ms``; anchors on it when not anchored yet."""
        if self._start_s is None:
            self.anchor(timestamp_ms)
        assert self._start_s is not None
        return self._start_s + timestamp_ms / 1000.0

    def lateness_s(self, timestamp_ms: float) -> float:
        """Seconds past the moment of ``timestamp_ms`` (negative: it is still to come). Reads the
        clock once; the first timestamp ever asked about is anchored at that reading."""
        now = self._clock()
        if self._start_s is None:
            self.anchor(timestamp_ms, now)
        return now - self.due_s(timestamp_ms)

    def wait(self, timestamp_ms: float) -> float:
        """Sleep until the moment of ``timestamp_ms``; return how late the call was (>= 0 s,
        0 when it had to wait)."""
        late = self.lateness_s(timestamp_ms)
        if late < 0:
            self._sleep(-late)
            return 0.0
        return late
