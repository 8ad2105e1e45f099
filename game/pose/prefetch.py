"""Read ahead of a consumer on a second core: the decode stage of ``ringside analyze`` and ``record``.

``prefetched(frames)`` runs an iterator (a video being decoded) on its own thread and hands its
items over, in order, through a small bounded queue. OpenCV's decoder and MediaPipe's graph both
release the GIL while they work, so decoding the next frame overlaps the pose model on this one:
two cores, and the very same frames in the very same order as reading them in line (results are
identical by construction). See docs/POSE.md ("Throughput") for why this and not a split video.

The producer's exceptions are re-raised in the consumer, at the point in the stream where they
happened. Closing the returned generator (or leaving a ``for`` loop early) stops the thread.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetched(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """The items of ``items``, produced on a worker thread at most ``depth`` ahead of the caller.

    ``depth`` bounds memory: a 1080p frame is 6 MB, so the default holds at most ~25 MB.
    """
    q: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(obj: object) -> bool:
        while not stop.is_set():
            try:
                q.put(obj, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failure(exc))
            return
        put(_END)

    worker = threading.Thread(target=produce, name="prefetch", daemon=True)
    worker.start()
    try:
        while True:
            obj = q.get()
            if obj is _END:
                return
            if isinstance(obj, _Failure):
                raise obj.exc
            yield obj  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5.0)
