"""The HRV trend chart's data: a pure function the game calls to draw the chart.

The game draws, per day: the daily ln value (dots; None where there was no reading), the 7-day
rolling mean (line), the normal band (shaded between low and high) and the day's state (colour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from game.hrv.readiness import ReadinessDay, ReadinessOptions, assess
from game.hrv.records import Measurement


@dataclass(frozen=True)
class TrendSeries:
    """Parallel tuples, one entry per calendar day, oldest first. ln units (ln of ms)."""

    series_key: str
    label: str
    dates: tuple[date, ...]
    value_ln: tuple[float | None, ...]
    rolling7_ln: tuple[float | None, ...]
    band_low_ln: tuple[float | None, ...]
    band_high_ln: tuple[float | None, ...]
    states: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.dates)

    def to_json(self) -> dict[str, object]:
        def r(xs: tuple[float | None, ...]) -> list[float | None]:
            return [None if x is None else round(x, 3) for x in xs]

        return {
            "series": self.series_key,
            "label": self.label,
            "dates": [d.isoformat() for d in self.dates],
            "value_ln": r(self.value_ln),
            "rolling7_ln": r(self.rolling7_ln),
            "band_low_ln": r(self.band_low_ln),
            "band_high_ln": r(self.band_high_ln),
            "states": list(self.states),
        }


def trend_series(history: Sequence[ReadinessDay], *, days: int = 60) -> TrendSeries:
    """The last ``days`` days of a readiness history as chart series."""
    tail = list(history)[-days:] if days > 0 else list(history)
    key = tail[0].series_key if tail else "rmssd:none"
    return TrendSeries(
        series_key=key,
        label="ln" + key.split(":", 1)[0].upper(),
        dates=tuple(d.day for d in tail),
        value_ln=tuple(d.value_ln for d in tail),
        rolling7_ln=tuple(d.rolling7_ln for d in tail),
        band_low_ln=tuple(d.band_low_ln for d in tail),
        band_high_ln=tuple(d.band_high_ln for d in tail),
        states=tuple(d.state for d in tail),
    )


def trend_from_measurements(
    measurements: Sequence[Measurement], today: date, *, days: int = 60,
    options: ReadinessOptions = ReadinessOptions(),
) -> TrendSeries:
    """Chart series straight from measurements (the series readiness uses today)."""
    return trend_series(assess(measurements, today, options).history, days=days)
