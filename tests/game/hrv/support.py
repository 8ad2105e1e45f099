"""What the importer tests share: a reader's output split into records and problems."""

from __future__ import annotations

from collections.abc import Iterable

from game.hrv.records import DeviceValue, ImportProblem, RawItem, RRRecording


def split_items(items: Iterable[RawItem]) -> tuple[list[RRRecording | DeviceValue], list[ImportProblem]]:
    """The records (in file order) and the problems of one read."""
    recs: list[RRRecording | DeviceValue] = []
    probs: list[ImportProblem] = []
    for item in items:
        if isinstance(item, ImportProblem):
            probs.append(item)
        else:
            recs.append(item)
    return recs, probs


def split_values(items: Iterable[RawItem]) -> tuple[list[DeviceValue], list[ImportProblem]]:
    """Like :func:`split_items` for a file of device values (nightly summaries, exported metrics):
    a beat recording among them fails the test."""
    recs, probs = split_items(items)
    values = [r for r in recs if isinstance(r, DeviceValue)]
    assert len(values) == len(recs), [r for r in recs if not isinstance(r, DeviceValue)]
    return values, probs


def split_recordings(items: Iterable[RawItem]) -> tuple[list[RRRecording], list[ImportProblem]]:
    """Like :func:`split_items` for a file of beat-to-beat recordings: a device value among them
    fails the test."""
    recs, probs = split_items(items)
    recordings = [r for r in recs if isinstance(r, RRRecording)]
    assert len(recordings) == len(recs), [r for r in recs if not isinstance(r, RRRecording)]
    return recordings, probs
