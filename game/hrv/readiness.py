"""Readiness from the player's own HRV history: pure functions of measurements and a day.

Per day, the value is ln(RMSSD) (or ln(SDNN) for Apple, which exports nothing else), averaged
over that day's usable resting/night readings of one series (a metric from one device family;
see :meth:`Measurement.series_key`). Then, for each day ``d``:

* **weekly figure**: the mean of the daily values in ``[d-6, d]``, only with at least 3 of them
  (Plews et al. 2012: a 7-day rolling mean needs 3+ valid days a week to track recovery).
* **normal range**: mean +/- 0.5 SD of the daily values in ``[d-59, d]`` (the HRV4Training
  normal range; 0.5 SD is the smallest worthwhile change, Plews et al. 2013).
* **learning** until 14 days with a reading sit in that 60-day window, or when fewer than 3
  readings fall in the last 7 days: nothing adapts on too little data.
* **low** when any of:
  - ``weekly``: the 7-day mean is below the normal range;
  - ``kiviniemi``: today's value is below the mean - 1 SD of the 10 preceding days (at least 7
    of them with a reading; Kiviniemi et al. 2007);
  - ``two_day_decline``: the value fell two days running (d-2 > d-1 > d) by more than one
    60-day SD in total. Kiviniemi et al. 2007 prescribe easy training on "a decreasing trend for
    2 days" with no size; the one-SD gate is ours: with day-to-day noise alone, about one day in
    six follows two successive drops, so the plain rule flags noise (on the WHOOP sample the gate
    keeps 17 of the plain rule's 21 days);
  - ``rhr_and_hrv``: resting heart rate is elevated (above the mean + 1 SD of the 60 days before,
    with at least 7 of them known, and by 3 bpm
    or more) while the 7-day HRV mean sits below its 60-day mean: two signals agree.
* **high** when the 7-day mean is above the normal range and resting HR is not elevated
  (high HRV with a raised resting HR is not a green light).
* **normal** otherwise.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean, stdev

from game.hrv.records import READINESS_CONTEXTS, Measurement, is_plausible_day

STATES = ("learning", "normal", "low", "high")


@dataclass(frozen=True)
class ReadinessOptions:
    baseline_days: int = 60
    week_days: int = 7
    min_week_readings: int = 3
    min_baseline_readings: int = 14
    band_sd: float = 0.5
    kiviniemi_days: int = 10
    kiviniemi_min_readings: int = 7
    rhr_min_rise_bpm: float = 3.0
    rhr_min_readings: int = 7


@dataclass(frozen=True)
class ReadinessDay:
    """The readiness verdict for one day, with every number behind it (ln units for HRV)."""

    day: date
    series_key: str
    state: str
    value_ln: float | None
    rolling7_ln: float | None
    band_low_ln: float | None
    band_high_ln: float | None
    mean60_ln: float | None
    sd60_ln: float | None
    readings_60d: int
    readings_7d: int
    kiviniemi_ref_ln: float | None
    rules: tuple[str, ...]
    resting_hr_bpm: float | None
    rhr_mean_bpm: float | None
    rhr_sd_bpm: float | None
    is_rhr_elevated: bool
    explanation: str

    @property
    def metric(self) -> str:
        return self.series_key.split(":", 1)[0]

    def to_json(self) -> dict[str, object]:
        r = _r
        return {
            "day": self.day.isoformat(),
            "series": self.series_key,
            "state": self.state,
            "explanation": self.explanation,
            "rules_fired": list(self.rules),
            f"ln_{self.metric}": r(self.value_ln),
            f"{self.metric}_ms": r(math.exp(self.value_ln) if self.value_ln is not None else None, 1),
            "rolling7_ln": r(self.rolling7_ln),
            "normal_low_ln": r(self.band_low_ln),
            "normal_high_ln": r(self.band_high_ln),
            "mean60_ln": r(self.mean60_ln),
            "sd60_ln": r(self.sd60_ln),
            "readings_last_60d": self.readings_60d,
            "readings_last_7d": self.readings_7d,
            "kiviniemi_threshold_ln": r(self.kiviniemi_ref_ln),
            "resting_hr_bpm": r(self.resting_hr_bpm, 1),
            "resting_hr_mean_bpm": r(self.rhr_mean_bpm, 1),
            "resting_hr_sd_bpm": r(self.rhr_sd_bpm, 1),
            "is_resting_hr_elevated": self.is_rhr_elevated,
        }


@dataclass(frozen=True)
class Readiness:
    """Today's readiness: the chosen series, its history up to today, and the other series."""

    today: ReadinessDay
    history: tuple[ReadinessDay, ...]
    other_series: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {**self.today.to_json(), "other_series_readings_60d": dict(self.other_series)}


def daily_values(measurements: Iterable[Measurement]) -> dict[str, dict[date, float]]:
    """Per series key, per day: the mean ln value of that day's usable resting/night readings.

    Records dated outside 1980-2099 (stored by older versions from files dated 0001-01-01 or
    9999-12-31) are ignored: they are no measurement and would overflow the date arithmetic.
    """
    acc: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for m in measurements:
        if not m.is_usable or m.context not in READINESS_CONTEXTS or not is_plausible_day(m.day):
            continue
        for metric, value in (("rmssd", m.rmssd_ms), ("sdnn", m.sdnn_ms)):
            if value is not None and value > 0:
                acc[m.series_key(metric)][m.day].append(math.log(value))
    return {key: {d: fmean(v) for d, v in days.items()} for key, days in acc.items()}


def daily_resting_hr(measurements: Iterable[Measurement]) -> dict[date, float]:
    """Per day: the device's resting HR, else the mean HR of a resting RR reading."""
    device: dict[date, list[float]] = defaultdict(list)
    readings: dict[date, list[float]] = defaultdict(list)
    for m in measurements:
        if not m.is_usable or not is_plausible_day(m.day):
            continue
        if m.resting_hr_bpm is not None:
            device[m.day].append(m.resting_hr_bpm)
        elif m.kind == "rr" and m.context in ("rest", "unknown") and m.mean_hr_bpm is not None:
            readings[m.day].append(m.mean_hr_bpm)
    out = {d: fmean(v) for d, v in readings.items()}
    out.update({d: fmean(v) for d, v in device.items()})
    return out


def choose_series(values: Mapping[str, Mapping[date, float]], today: date, options: ReadinessOptions = ReadinessOptions()) -> str | None:
    """The series with the most readings in the last 60 days (RMSSD first on ties)."""
    start = today - timedelta(days=options.baseline_days - 1)

    def rank(key: str) -> tuple[int, int, str]:
        n = sum(1 for d in values[key] if start <= d <= today)
        return (n, 1 if key.startswith("rmssd") else 0, key)

    keys = [k for k in values if any(d <= today for d in values[k])]
    return max(keys, key=rank) if keys else None


def series_history(
    series_key: str,
    values: Mapping[date, float],
    rhr: Mapping[date, float],
    until: date,
    options: ReadinessOptions = ReadinessOptions(),
) -> list[ReadinessDay]:
    """Readiness for every day from the series' first reading to ``until`` (inclusive)."""
    days = sorted(d for d in values if d <= until)
    if not days:
        return []
    out = []
    d = days[0]
    while d <= until:
        out.append(_day(series_key, values, rhr, d, options))
        d += timedelta(days=1)
    return out


def assess(measurements: Sequence[Measurement], today: date, options: ReadinessOptions = ReadinessOptions()) -> Readiness:
    """Today's readiness from all stored measurements (pure: ``today`` is an argument)."""
    values = daily_values(measurements)
    rhr = daily_resting_hr(measurements)
    key = choose_series(values, today, options)
    if key is None:
        empty = ReadinessDay(today, "rmssd:none", "learning", None, None, None, None, None, None, 0, 0, None, (),
                             rhr.get(today), None, None, False,
                             "No HRV readings yet: import a file from your watch, chest strap or phone.")
        return Readiness(empty, ())
    history = series_history(key, values[key], rhr, today, options)
    start = today - timedelta(days=options.baseline_days - 1)
    others = {k: sum(1 for d in v if start <= d <= today) for k, v in values.items() if k != key}
    return Readiness(history[-1], tuple(history), others)


def all_histories(measurements: Sequence[Measurement], until: date, options: ReadinessOptions = ReadinessOptions()) -> dict[str, list[ReadinessDay]]:
    """Readiness history of every series (what the store keeps as 'readiness by day')."""
    values = daily_values(measurements)
    rhr = daily_resting_hr(measurements)
    return {k: series_history(k, v, rhr, until, options) for k, v in values.items()}


def _window(values: Mapping[date, float], first: date, last: date) -> list[float]:
    out = []
    d = first
    while d <= last:
        v = values.get(d)
        if v is not None:
            out.append(v)
        d += timedelta(days=1)
    return out


def _day(key: str, values: Mapping[date, float], rhr: Mapping[date, float], d: date, o: ReadinessOptions) -> ReadinessDay:
    label = "HRV (" + key.split(":", 1)[0].upper() + ")"
    x = values.get(d)
    base = _window(values, d - timedelta(days=o.baseline_days - 1), d)
    week = _window(values, d - timedelta(days=o.week_days - 1), d)
    n60, n7 = len(base), len(week)
    mean60 = fmean(base) if base else None
    sd60 = stdev(base) if n60 >= 2 else None
    band_low = band_high = None
    if mean60 is not None and sd60 is not None:
        band_low, band_high = mean60 - o.band_sd * sd60, mean60 + o.band_sd * sd60
    rolling7 = fmean(week) if n7 >= o.min_week_readings else None
    ref10 = _window(values, d - timedelta(days=o.kiviniemi_days), d - timedelta(days=1))
    kiv = fmean(ref10) - stdev(ref10) if len(ref10) >= o.kiviniemi_min_readings else None

    rhr_today = rhr.get(d)
    rhr_base = _window(rhr, d - timedelta(days=o.baseline_days), d - timedelta(days=1))
    rhr_mean = fmean(rhr_base) if len(rhr_base) >= o.rhr_min_readings else None
    rhr_sd = stdev(rhr_base) if len(rhr_base) >= o.rhr_min_readings else None
    rhr_up = (
        rhr_today is not None and rhr_mean is not None and rhr_sd is not None
        and rhr_today > rhr_mean + rhr_sd and rhr_today - rhr_mean >= o.rhr_min_rise_bpm
    )

    def make(state: str, rules: tuple[str, ...], text: str) -> ReadinessDay:
        return ReadinessDay(d, key, state, x, rolling7, band_low, band_high, mean60, sd60, n60, n7, kiv, rules,
                            rhr_today, rhr_mean, rhr_sd, rhr_up, text)

    if n60 < o.min_baseline_readings:
        return make("learning", (), f"Learning your baseline: {n60} of {o.min_baseline_readings} days with a "
                    f"valid reading in the last {o.baseline_days} days. Training follows the standard plan.")
    if rolling7 is None:
        return make("learning", (), f"Only {n7} reading(s) in the last {o.week_days} days (need "
                    f"{o.min_week_readings}) for a weekly figure. Training follows the standard plan.")
    assert band_low is not None and band_high is not None and mean60 is not None and sd60 is not None
    band = f"{_ms(band_low)}-{_ms(band_high)} ms"
    reasons: list[tuple[str, str]] = []
    if rolling7 < band_low:
        reasons.append(("weekly", f"7-day average {label} {_ms(rolling7)} ms is below your normal range {band}"))
    if x is not None and kiv is not None and x < kiv:
        reasons.append(("kiviniemi", f"today's {label} {_ms(x)} ms is below your 10-day mean - 1 SD ({_ms(kiv)} ms)"))
    x1, x2 = values.get(d - timedelta(days=1)), values.get(d - timedelta(days=2))
    if x is not None and x1 is not None and x2 is not None and x2 > x1 > x and (x2 - x) > sd60:
        reasons.append(("two_day_decline", f"{label} fell two days running ({_ms(x2)} -> {_ms(x1)} -> {_ms(x)} ms)"))
    if rhr_up and rolling7 < mean60:
        assert rhr_today is not None and rhr_mean is not None
        reasons.append(("rhr_and_hrv", f"resting HR {rhr_today:.0f} bpm is above your usual {rhr_mean:.0f} bpm "
                        f"while your 7-day {label} is below its average"))
    if reasons:
        return make("low", tuple(r for r, _ in reasons), "Recovery is low: " + "; ".join(t for _, t in reasons) + ".")
    if rolling7 > band_high and not rhr_up:
        return make("high", (), f"Recovery is high: 7-day average {label} {_ms(rolling7)} ms is above your normal range {band}.")
    text = f"Recovery is normal: 7-day average {label} {_ms(rolling7)} ms is inside your normal range {band}"
    if rhr_up:
        text += f" (resting HR {rhr_today:.0f} bpm is raised, so not counted as high)"
    return make("normal", (), text + ".")


def _ms(ln_value: float) -> str:
    """An ln value back in milliseconds for people (the rules work in ln units). One decimal:
    with whole milliseconds a weekly figure just under the range printed as "13 ms is below your
    normal range 13-21 ms"."""
    return f"{math.exp(ln_value):.1f}"


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)
