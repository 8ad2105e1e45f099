"""Measurement factories for readiness and plan tests (seeded, no clock)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone

from game.hrv.quality import Intervals
from game.hrv.records import Context, Measurement, make_uid


def nightly(day: date, rmssd_ms: float | None = None, *, source: str = "whoop", sdnn_ms: float | None = None,
            rhr: float | None = None, context: Context = "night", usable: bool = True) -> Measurement:
    start = datetime.combine(day, time(6, 30), tzinfo=timezone.utc)
    return Measurement(
        uid=make_uid(source, day, rmssd_ms, sdnn_ms, rhr, context), source=source, device="test", start_utc=start,
        utc_offset_min=0, day=day, context=context,
        origin="test", rmssd_ms=rmssd_ms, sdnn_ms=sdnn_ms, resting_hr_bpm=rhr, is_usable=usable,
        reject_reason=None if usable else "test",
    )


def series(start: date, ln_values: Sequence[float | None], *, rhr: float | None = None) -> list[Measurement]:
    """One measurement per day from ln values (None = no reading that day)."""
    out = []
    for i, v in enumerate(ln_values):
        if v is not None:
            out.append(nightly(start + timedelta(days=i), math.exp(v), rhr=rhr))
    return out


def malik_rmssd(rr: Intervals) -> float:
    """Independent RMSSD after Malik's 20 % rule: successive pairs whose two intervals are both
    within 20 % of their 11-beat median (written from the definition, not with the library)."""
    import numpy as np

    x = np.asarray(rr, dtype=float)
    med = np.array([np.median(x[max(0, k - 5): k + 6]) for k in range(x.size)])
    ok = np.abs(x - med) <= 0.2 * med
    return float(np.sqrt(np.mean(np.diff(x)[ok[1:] & ok[:-1]] ** 2)))
