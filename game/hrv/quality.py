"""Signal quality: artefact and ectopic-beat correction, time-domain HRV, and a verdict.

Correction runs in three steps. (1) An interval that is a whole multiple (2x, 3x...) of the local
median, each part within 20 % of it, is a run of missed beats (a chest strap or watch that lost
the R wave) and is split into equal parts; a short interval followed by a long one, together two
medians, is an ectopic beat and its compensatory pause, and the beat is moved to the middle.
(2) NeuroKit2's implementation of the Kubios method
(Lipponen & Tarvainen 2019, ``neurokit2.signal_fixpeaks(method="Kubios")``) classifies ectopic,
missed, extra and long/short beats and corrects each class. (3) Malik's 20 % rule (Malik et al.
1989, Eur Heart J 10:1060) on what is left: an interval still more than 20 % away from its local
11-beat median is removed, and the successive differences that touch it are left out of RMSSD
(NeuroKit2's ``hrv_time`` skips differences across a missing interval). Step 1 exists because the
Kubios thresholds scale with the recording's own beat-to-beat spread: on a smooth exercise series
(the Garmin bike file, a spread of ~0) two 990 ms intervals among 495 ms ones were not flagged.
Step 3 covers the first and last intervals, which the Kubios detector, needing neighbours on both
sides, never classifies. One gate is ours: a beat the detector calls
"ectopic" or "long/short" (both corrected by moving the beat) is corrected only when its interval
is also more than 20 % away from the local median (the classic Malik 20 % rule). On clean
resting recordings those classes catch ordinary sinus-arrhythmia beats 10-15 % off the median,
and correcting them biases RMSSD low: on the supine, ectopic-free ``rest_rri.txt`` the ungated
correction moves RMSSD from 55.1 to 52.7 ms. Missed and extra beats are always corrected.

Pure: no clock, no I/O. NeuroKit2 is imported inside the functions (it takes seconds to import).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from game.hrv.records import DeviceValue, Measurement, RRRecording, local_day, make_uid

#: Beat-to-beat intervals in milliseconds: a recording's tuple, or an array of them (what the
#: functions below take is read once with ``np.asarray``).
Intervals = Sequence[float] | npt.NDArray[np.float64]

#: Physiological limits for one interval: 240 bpm and 20 bpm. Anything outside (a 0 ms value,
#: a gap of several seconds) is a recording artefact, never a heartbeat.
HARD_MIN_RR_MS = 250.0
HARD_MAX_RR_MS = 3000.0


@dataclass(frozen=True)
class QualityOptions:
    """Thresholds for trusting a recording.

    ``min_duration_s``: 60 s, the shortest window in which RMSSD agrees with the 5-minute
    standard (Esco & Flatt 2014; Munoz et al. 2015). ``max_artefact_fraction``: 5 %; beyond it a
    corrected RMSSD is no longer the player's (Peltola 2012 reviews the bias). ``misaligned_gate``:
    see the module docstring. ``max_rest_hr_bpm``/``max_fast_share``: a "resting" reading with
    more than a quarter of its beats above 100 bpm (the tachycardia line) is exercise, not rest.
    """

    min_duration_s: float = 60.0
    min_beats: int = 40
    max_artefact_fraction: float = 0.05
    misaligned_gate: float = 0.20
    max_rest_hr_bpm: float = 100.0
    max_fast_share: float = 0.25
    max_passes: int = 3


@dataclass(frozen=True)
class Correction:
    """Result of artefact correction: the normal-to-normal intervals and what was changed."""

    nn_ms: tuple[float, ...]
    beats_in: int
    impossible_removed: int
    ectopic: int
    missed: int
    extra: int
    longshort: int
    removed: int = 0

    @property
    def artefacts_corrected(self) -> int:
        return self.impossible_removed + self.ectopic + self.missed + self.extra + self.longshort + self.removed

    @property
    def valid_nn_ms(self) -> tuple[float, ...]:
        """The intervals kept (``nn_ms`` without the NaN marks of removed ones)."""
        return tuple(x for x in self.nn_ms if math.isfinite(x))


@dataclass(frozen=True)
class TimeDomain:
    rmssd_ms: float
    sdnn_ms: float
    mean_nn_ms: float

    @property
    def mean_hr_bpm(self) -> float:
        return 60000.0 / self.mean_nn_ms


def correct_rr(rr_ms: Intervals, options: QualityOptions = QualityOptions()) -> Correction:
    """Remove impossible intervals, split runs of missed beats, correct artefacts with the Kubios
    method, then remove what is still more than 20 % off its local median (see the module doc).

    ``rr_ms`` are intervals in milliseconds. Returns the corrected intervals (NaN where one was
    removed: differences across it are not successive) and counts per class.
    """
    rr = np.asarray(rr_ms, dtype=float)
    keep = np.isfinite(rr) & (rr >= HARD_MIN_RR_MS) & (rr <= HARD_MAX_RR_MS)
    impossible = int((~keep).sum())
    rr = rr[keep]
    counts = {"ectopic": 0, "missed": 0, "extra": 0, "longshort": 0}
    if rr.size < 8:
        return Correction(tuple(float(x) for x in rr), len(rr_ms), impossible, 0, 0, 0, 0)
    rr, counts["missed"] = _split_missed(rr, options.misaligned_gate)
    rr, counts["ectopic"] = _even_ectopic_pairs(rr, options.misaligned_gate)

    import neurokit2 as nk  # noqa: PLC0415 - lazy: NeuroKit2 (2.3 s CPU to import) only when RR intervals are cleaned

    peaks = np.concatenate([[0], np.round(np.cumsum(rr))]).astype(np.int64)
    for _ in range(options.max_passes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info, fixed = nk.signal_fixpeaks(peaks, sampling_rate=1000, iterative=False, method="Kubios")
        fixed = np.asarray(fixed, dtype=np.int64)
        benign_ectopic = _benign(peaks, list(info["ectopic"]), options.misaligned_gate)
        benign_longshort = _benign(peaks, list(info["longshort"]), options.misaligned_gate)
        rejected = benign_ectopic + benign_longshort
        accepted = {
            "ectopic": len(info["ectopic"]) - len(benign_ectopic),
            "missed": len(info["missed"]),
            "extra": len(info["extra"]),
            "longshort": len(info["longshort"]) - len(benign_longshort),
        }
        if sum(accepted.values()) == 0:
            break
        if rejected:
            fixed = _restore(peaks, fixed, rejected, list(info["extra"]), list(info["missed"]))
        if np.array_equal(fixed, peaks):
            break
        for key, n in accepted.items():
            counts[key] += n
        peaks = fixed
    nn, removed = _remove_outliers(np.diff(peaks).astype(float), options.misaligned_gate)
    return Correction(
        tuple(float(x) for x in nn), len(rr_ms), impossible,
        counts["ectopic"], counts["missed"], counts["extra"], counts["longshort"], removed,
    )


#: Beats on each side of an interval in its local median (an 11-beat window, as in the gate).
_HALF_WINDOW = 5


def _local_medians(rr: np.ndarray) -> np.ndarray:
    """Median of the 11-beat window around each interval (shorter at the edges), NaN ignored."""
    padded = np.concatenate([np.full(_HALF_WINDOW, np.nan), rr, np.full(_HALF_WINDOW, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * _HALF_WINDOW + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN window has no median: NaN
        medians: np.ndarray = np.nanmedian(windows, axis=1)
        return medians


def _split_missed(rr: np.ndarray, gate: float) -> tuple[np.ndarray, int]:
    """Split an interval that is n >= 2 times its local median (each part within ``gate``) into n
    equal parts: n-1 beats the sensor missed. Returns the series and the number of beats added."""
    med = _local_medians(rr)
    parts: list[np.ndarray] = []
    added = 0
    for k, x in enumerate(rr):
        n = int(round(x / med[k])) if med[k] > 0 else 1
        if n >= 2 and abs(x / n - med[k]) <= gate * med[k]:
            parts.append(np.full(n, x / n))
            added += n - 1
        else:
            parts.append(np.array([x]))
    return (np.concatenate(parts), added) if added else (rr, 0)


def _even_ectopic_pairs(rr: np.ndarray, gate: float) -> tuple[np.ndarray, int]:
    """A premature beat and its compensatory pause: a short interval then a long one, each more
    than ``gate`` off the local median, that together last two medians (within ``gate``). The
    beat between them is moved to the middle (two equal intervals), the textbook correction of
    an ectopic beat. The Kubios detector sees these too, but its shift of the beat can leave both
    intervals ~20 % off (a pre-existing Hypothesis counter-example: 608 + 1369 ms became 796 + 1177)."""
    med = _local_medians(rr)
    out = rr.copy()
    fixed = 0
    k = 0
    while k < out.size - 1:
        a, b, m = out[k], out[k + 1], med[k]
        if (m > 0 and a < (1 - gate) * m and b > (1 + gate) * m and abs(a + b - 2 * m) <= gate * 2 * m):
            out[k] = out[k + 1] = (a + b) / 2
            fixed += 1
            k += 2
            continue
        k += 1
    return out, fixed


def _remove_outliers(nn: np.ndarray, gate: float) -> tuple[np.ndarray, int]:
    """Malik's rule: mark NaN every interval more than ``gate`` away from its local median,
    again on what is left until nothing is (a removal moves its neighbours' medians)."""
    out = nn.copy()
    for _ in range(_MAX_REMOVAL_PASSES):
        bad = _far_from_median(out, gate)
        if not bad.any():
            break
        out[bad] = math.nan
    return out, int((~np.isfinite(out)).sum())


def _far_from_median(nn: np.ndarray, gate: float) -> np.ndarray:
    med = _local_medians(nn)
    far: np.ndarray = np.isfinite(nn) & (np.abs(nn - med) > gate * med)
    return far


#: Removal passes (a bound on work): a series that still has intervals far off after 10 is
#: rejected by :func:`assess_recording`.
_MAX_REMOVAL_PASSES = 10


def _benign(peaks: np.ndarray, idcs: list[int], gate: float) -> list[int]:
    """Flagged beats within ``gate`` of the local 11-beat median: sinus rhythm, not artefact."""
    if not idcs:
        return []
    rr = np.diff(peaks).astype(float)
    benign = []
    for j in idcs:
        k = j - 1  # peak j closes interval j-1
        if k < 0 or k >= rr.size:
            continue
        lo, hi = max(0, k - 5), min(rr.size, k + 6)
        med = float(np.median(rr[lo:hi]))
        if abs(rr[k] - med) <= gate * med:
            benign.append(int(j))
    return benign


def _restore(
    peaks: np.ndarray, fixed: np.ndarray, benign: list[int], extra: list[int], missed: list[int]
) -> np.ndarray:
    """Put benign long/short beats back where they were after the library's correction.

    The library deletes extra peaks, then inserts missed ones, shifting later indices by -1/+1
    (its documented index bookkeeping); we follow the same shifts to find each beat.
    """
    out = fixed.copy()
    missed_shifted = [m - sum(1 for e in extra if m > e) for m in missed]
    for j in benign:
        k = j - sum(1 for e in extra if j > e)
        k = k + sum(1 for m in missed_shifted if k > m)
        if 0 < k < out.size - 1:
            out[k] = peaks[j]
    if np.all(np.diff(out) > 0):
        return out
    return fixed


def time_domain(nn_ms: Intervals) -> TimeDomain | None:
    """RMSSD, SDNN and mean NN with NeuroKit2's ``hrv_time``; None with fewer than 3 intervals.

    A NaN in ``nn_ms`` marks a removed interval: differences across it are not used for RMSSD.
    """
    nn = np.asarray(nn_ms, dtype=float)
    finite = np.isfinite(nn)
    if finite.sum() < 3 or not (finite[1:] & finite[:-1]).any():
        return None
    import neurokit2 as nk  # noqa: PLC0415 - lazy: NeuroKit2 (2.3 s CPU to import) only when RR intervals are cleaned

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if finite.all():
            peaks = np.concatenate([[0], np.round(np.cumsum(nn))]).astype(np.int64)
            table = nk.hrv_time(peaks, sampling_rate=1000)
        else:
            table = nk.hrv_time({"RRI": nn}, sampling_rate=1000)
    return TimeDomain(
        rmssd_ms=float(table["HRV_RMSSD"].iloc[0]),
        sdnn_ms=float(table["HRV_SDNN"].iloc[0]),
        mean_nn_ms=float(table["HRV_MeanNN"].iloc[0]),
    )


def assess_recording(rec: RRRecording, options: QualityOptions = QualityOptions()) -> Measurement:
    """Correct a recording, compute its HRV and decide whether it can be trusted."""
    corr = correct_rr(rec.rr_ms, options)
    td = time_domain(corr.nn_ms)
    notes: list[str] = []
    if rec.note:
        notes.append(rec.note)
    if rec.is_start_estimated:
        notes.append("the file has no date: start time taken from the file's modification time")
    if corr.impossible_removed:
        notes.append(f"{corr.impossible_removed} impossible interval(s) (outside 250-3000 ms) removed")
    kept = corr.valid_nn_ms
    duration_s = float(sum(kept)) / 1000.0
    n_in = max(1, corr.beats_in)
    fraction = corr.artefacts_corrected / n_in
    quality = max(0.0, 1.0 - fraction)
    reason: str | None = None
    if td is None or len(kept) < options.min_beats:
        reason = f"too short: {len(kept)} beats (need {options.min_beats})"
    elif duration_s < options.min_duration_s:
        reason = f"too short: {duration_s:.0f} s of beats (need {options.min_duration_s:.0f} s)"
    elif _far_from_median(np.asarray(corr.nn_ms, dtype=float), options.misaligned_gate).any():
        reason = "too noisy: intervals more than 20 % off their neighbours remain after correction"
    elif fraction > options.max_artefact_fraction:
        reason = (
            f"too noisy: {fraction:.0%} of beats were artefacts "
            f"(limit {options.max_artefact_fraction:.0%})"
        )
    context = rec.context
    fast = _share_faster_than(kept, options.max_rest_hr_bpm)
    if context in ("rest", "unknown") and fast > options.max_fast_share:
        context = "exercise"
        notes.append(f"{fast:.0%} of beats faster than {options.max_rest_hr_bpm:.0f} bpm: treated as exercise, "
                     "not a resting reading")
    uid_parts: tuple[object, ...]
    if rec.is_dateless or rec.is_start_estimated:
        # Known by its beats: importing it again with --start moves it rather than adding it.
        uid_parts = ("rr", rec.source, _rr_digest(rec.rr_ms))
    else:
        uid_parts = ("rr", rec.source, rec.device, rec.start_utc.isoformat(), _rr_digest(rec.rr_ms))
    return Measurement(
        uid=make_uid(*uid_parts),
        source=rec.source,
        device=rec.device,
        start_utc=rec.start_utc,
        utc_offset_min=rec.utc_offset_min,
        day=local_day(rec.start_utc, rec.utc_offset_min),
        context=context,
        origin=str(rec.origin),
        rmssd_ms=None if td is None else td.rmssd_ms,
        sdnn_ms=None if td is None else td.sdnn_ms,
        mean_hr_bpm=None if td is None else td.mean_hr_bpm,
        duration_s=duration_s,
        beats_total=corr.beats_in,
        beats_used=len(kept),
        artefacts_corrected=corr.artefacts_corrected,
        quality=quality,
        is_usable=reason is None,
        reject_reason=reason,
        notes=tuple(notes),
        rr_ms=tuple(float(x) for x in rec.rr_ms),
        kind="rr",
    )


#: Plausible ranges for device values; outside them the value is a unit or export error.
_RANGES = {"rmssd_ms": (1.0, 300.0), "sdnn_ms": (1.0, 400.0), "resting_hr_bpm": (25.0, 150.0)}


def assess_device_value(value: DeviceValue) -> Measurement:
    """A device summary value becomes a Measurement; implausible values are kept but unusable."""
    reason: str | None = None
    for name, (lo, hi) in _RANGES.items():
        v = getattr(value, name)
        if v is not None and not (lo <= v <= hi and math.isfinite(v)):
            reason = f"{name} = {v:g} is outside the plausible range {lo:g}-{hi:g}"
    return Measurement(
        uid=make_uid("device", value.source, value.device, value.start_utc.isoformat(),
                     value.rmssd_ms is not None, value.sdnn_ms is not None, value.resting_hr_bpm is not None),
        source=value.source,
        device=value.device,
        start_utc=value.start_utc,
        utc_offset_min=value.utc_offset_min,
        day=value.day,
        context=value.context,
        origin=str(value.origin),
        rmssd_ms=value.rmssd_ms,
        sdnn_ms=value.sdnn_ms,
        resting_hr_bpm=value.resting_hr_bpm,
        mean_hr_bpm=value.mean_hr_bpm,
        beats_total=value.beats,
        beats_used=0,
        is_usable=reason is None,
        reject_reason=reason,
        rr_ms=value.beat_rr_ms,
        kind="device",
    )


def _share_faster_than(nn_ms: Sequence[float], bpm: float) -> float:
    if not nn_ms:
        return 0.0
    limit_ms = 60000.0 / bpm
    return sum(1 for x in nn_ms if x < limit_ms) / len(nn_ms)


def _rr_digest(rr_ms: Sequence[float]) -> str:
    return make_uid(*(f"{x:.1f}" for x in rr_ms))
