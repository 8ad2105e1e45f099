"""Typed records shared by the HRV importers, the quality step and readiness.

Importers turn vendor files into :class:`RRRecording` (beat-to-beat intervals) or
:class:`DeviceValue` (a device's own nightly/daily summary). The quality step turns both into a
:class:`Measurement`, the one shape that is stored and that readiness reads.

Metrics are never mixed: RMSSD and SDNN are different statistics and only ever share a baseline
with themselves (see :func:`Measurement.series_key`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Literal

Context = Literal["rest", "night", "spot", "exercise", "unknown"]
CONTEXTS: tuple[str, ...] = ("rest", "night", "spot", "exercise", "unknown")
#: Contexts that may feed readiness. Exercise HRV is not a recovery marker (vagal withdrawal).
READINESS_CONTEXTS: frozenset[str] = frozenset({"rest", "night", "spot", "unknown"})


@dataclass(frozen=True)
class Origin:
    """Where a record came from: the file and the line (or byte offset for binary files)."""

    path: str
    line: int | None = None
    unit: str = "line"

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.unit} {self.line}"


@dataclass(frozen=True)
class RRRecording:
    """A beat-to-beat series as read from a file, before any correction.

    ``rr_ms`` holds the intervals in milliseconds exactly as recorded (artefacts included: the
    quality step decides). ``start_utc`` is timezone-aware UTC; ``utc_offset_min`` is the
    player's local offset at that time, so the calendar day is the one they lived.
    ``is_dateless`` is true when the file carried no date (plain RR text): the start then comes
    from the ``--start`` option, a date in the file name, or the file's modification time; it is
    ``is_start_estimated`` only in that last case. A dateless recording is known by its beats.
    """

    source: str
    device: str
    start_utc: datetime
    utc_offset_min: int
    rr_ms: tuple[float, ...]
    context: Context
    origin: Origin
    is_start_estimated: bool = False
    is_dateless: bool = False
    device_sdnn_ms: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class DeviceValue:
    """A summary value computed by the device (WHOOP nightly RMSSD, Apple SDNN, resting HR...).

    ``day`` is the calendar day the value describes (a night counts for the morning you wake).
    """

    source: str
    device: str
    start_utc: datetime
    utc_offset_min: int
    day: date
    context: Context
    origin: Origin
    rmssd_ms: float | None = None
    sdnn_ms: float | None = None
    resting_hr_bpm: float | None = None
    beats: int = 0
    mean_hr_bpm: float | None = None
    beat_rr_ms: tuple[float, ...] = ()


@dataclass(frozen=True)
class ImportProblem:
    """A problem found while reading a file. ``is_fatal`` means reading stopped there."""

    origin: Origin
    message: str
    is_fatal: bool = False

    def __post_init__(self) -> None:
        # Messages quote cells of the file, which may hold newlines or control characters: a
        # problem is always one printable line.
        object.__setattr__(self, "message", one_line(self.message))

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


#: Longest message kept on one line (a quoted cell can be 128 KB).
MAX_MESSAGE_CHARS = 400


def one_line(text: str) -> str:
    """``text`` with control characters (newlines included) as spaces, cut to MAX_MESSAGE_CHARS."""
    flat = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in text)
    return flat if len(flat) <= MAX_MESSAGE_CHARS else flat[: MAX_MESSAGE_CHARS - 3] + "..."


RawItem = RRRecording | DeviceValue | ImportProblem


@dataclass(frozen=True)
class Measurement:
    """One stored HRV measurement (a recording or a device value) with its quality verdict.

    ``kind`` is ``"rr"`` for beat-to-beat recordings (metrics computed here) or ``"device"`` for a
    device's own value. ``rr_ms`` holds the beats as read (for Apple SDNN records: the
    instantaneous-bpm list converted to intervals, kept but not used for metrics).
    ``quality`` is the fraction of beats kept unaltered by artefact correction (1.0 = clean);
    None for device values. ``is_usable`` is false when the recording
    is too short or too noisy to trust; ``reject_reason`` then says why.
    """

    uid: str
    source: str
    device: str
    start_utc: datetime
    utc_offset_min: int
    day: date
    context: Context
    origin: str
    rmssd_ms: float | None = None
    sdnn_ms: float | None = None
    resting_hr_bpm: float | None = None
    mean_hr_bpm: float | None = None
    duration_s: float | None = None
    beats_total: int = 0
    beats_used: int = 0
    artefacts_corrected: int = 0
    quality: float | None = None
    is_usable: bool = True
    reject_reason: str | None = None
    notes: tuple[str, ...] = ()
    rr_ms: tuple[float, ...] = field(default=(), repr=False)
    kind: str = "device"


    def series_key(self, metric: str) -> str:
        """The baseline this measurement belongs to for ``metric`` ("rmssd" or "sdnn").

        A baseline never mixes metrics, nor device families (a WHOOP night-long RMSSD and a
        one-minute chest-strap RMSSD are on different scales).
        """
        return f"{metric}:{family_of(self.source)}"

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "device": self.device,
            "start": self.start_local().isoformat(),
            "day": self.day.isoformat(),
            "context": self.context,
            "kind": self.kind,
            "rmssd_ms": _round(self.rmssd_ms),
            "sdnn_ms": _round(self.sdnn_ms),
            "resting_hr_bpm": _round(self.resting_hr_bpm),
            "mean_hr_bpm": _round(self.mean_hr_bpm),
            "duration_s": _round(self.duration_s),
            "beats_total": self.beats_total,
            "beats_used": self.beats_used,
            "artefacts_corrected": self.artefacts_corrected,
            "quality": _round(self.quality, 3),
            "is_usable": self.is_usable,
            "reject_reason": self.reject_reason,
            "notes": list(self.notes),
            "origin": self.origin,
        }

    def start_local(self) -> datetime:
        return self.start_utc.astimezone(timezone(timedelta(minutes=self.utc_offset_min)))


#: Sources that measure the same thing the same way share a family (and so a baseline).
_FAMILIES = {
    "whoop": "whoop",
    "apple_health": "apple",
    "apple_health_csv": "apple",
    "health_connect": "health_connect",
    "fitbit": "fitbit",
}


def family_of(source: str) -> str:
    """Device family of a source: beat-to-beat sources (FIT, Polar, text) are all "rr"."""
    return _FAMILIES.get(source, "rr")


#: The days a real measurement can fall on. Before 1980 no consumer device recorded beat-to-beat
#: intervals (Polar's first RR-recording monitors date from the 1990s; the FIT epoch is
#: 1989-12-31); a date after 2099 is a corrupt field. The ends of the calendar (0001-01-01,
#: 9999-12-31) are placeholders some exports write for "no date", and converting them between
#: time zones overflows Python's datetime.
EARLIEST_DAY = date(1980, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def is_plausible_day(day: date) -> bool:
    """Whether ``day`` can be the day of a real measurement (1980-01-01 to 2099-12-31)."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_instant(dt: datetime) -> datetime:
    """``dt`` unchanged when its date is plausible; raises ValueError naming the date otherwise
    (before any time-zone conversion, which overflows at the ends of the calendar)."""
    if not is_plausible_day(dt.date()):
        raise ValueError(f"date {dt.date().isoformat()} is outside {EARLIEST_DAY.year}-{LATEST_DAY.year}, "
                         "not a real measurement")
    return dt


def local_day(start_utc: datetime, utc_offset_min: int) -> date:
    """The calendar day at the player's location for an instant."""
    return start_utc.astimezone(timezone(timedelta(minutes=utc_offset_min))).date()


def make_uid(*parts: object) -> str:
    """A stable identity for deduplication: same file content -> same uid."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8"))
    return digest.hexdigest()


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)
