"""Importers: one small adapter per file format, all producing the same typed records.

``read_file(path, options)`` sniffs the format and yields :class:`~game.hrv.records.RRRecording`,
:class:`~game.hrv.records.DeviceValue` and :class:`~game.hrv.records.ImportProblem` items as it
streams the file, so a 300 MB Apple Health export is read in bounded memory and a file that breaks
half-way still yields every good record before the break. Problems name the file and the line (the
byte offset for binary FIT files).

Supported: Garmin FIT ``hrv`` messages (fitdecode), Polar ``.hrm`` and Polar RR text exports,
Elite HRV and plain one-RR-per-line text, Apple Health ``export.xml`` and the ``export.zip`` Apple
produces, Apple Health CSV conversions, WHOOP ``physiological_cycles.csv``, Health Connect RMSSD
CSV (``time,zoneOffset,heartRateVariabilityMillis``) and Fitbit's "Daily Heart Rate Variability
Summary" CSV (``timestamp,rmssd,nremhr,entropy``).
"""

from __future__ import annotations

import contextlib
import csv
import lzma
import math
import re
import statistics
import struct
import warnings
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import IO, Protocol, TypeGuard, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import fitdecode

from game.errors import ImportFileError
from game.hrv.records import (
    EARLIEST_DAY,
    LATEST_DAY,
    Context,
    DeviceValue,
    ImportProblem,
    Origin,
    RawItem,
    RRRecording,
    check_instant,
    is_plausible_day,
)

Progress = Callable[[int], None]

FORMATS: dict[str, str] = {
    "fit": "Garmin FIT (hrv messages)",
    "polar_hrm": "Polar HRM",
    "polar_txt": "Polar RR export (elapsed s, RR s)",
    "rr_text": "Elite HRV / plain text, one RR per line",
    "apple_xml": "Apple Health export.xml",
    "apple_zip": "Apple Health export.zip",
    "apple_csv": "Apple Health CSV conversion",
    "whoop_csv": "WHOOP physiological_cycles.csv",
    "health_connect_csv": "Health Connect HRV (RMSSD) CSV",
    "fitbit_csv": "Fitbit Daily Heart Rate Variability Summary CSV",
}

#: At most this many per-line problems are reported per file; the rest are counted.
MAX_LINE_PROBLEMS = 20


@dataclass(frozen=True)
class ImportOptions:
    """How to read files that leave something unsaid.

    ``local_tz``: the zone for dates that carry none (the machine's zone, passed in by the CLI).
    ``start``: the start of a recording whose file has no date (plain RR text); without it the
    file's modification time is used and the measurement says so. ``context``: overrides the
    importer's guess of the measurement context (``rest``, ``night``, ``spot``, ``exercise``).
    """

    local_tz: tzinfo = timezone.utc
    start: datetime | None = None
    context: Context | None = None


@dataclass
class _ProblemSink:
    """Caps per-line problems so a broken million-line file does not flood the terminal."""

    path: str
    count: int = 0
    items: list[ImportProblem] = field(default_factory=list)

    def add(self, line: int | None, message: str, unit: str = "line") -> ImportProblem | None:
        self.count += 1
        if self.count <= MAX_LINE_PROBLEMS:
            return ImportProblem(Origin(self.path, line, unit), message)
        return None

    def summary(self) -> ImportProblem | None:
        if self.count > MAX_LINE_PROBLEMS:
            return ImportProblem(Origin(self.path), f"{self.count - MAX_LINE_PROBLEMS} more bad lines not shown")
        return None


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def detect_format(path: Path) -> str:
    """Guess the format from the name and the first bytes; raises ImportFileError if unknown."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a folder; pass the export file itself") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if len(head) >= 12 and head[8:12] == b".FIT":
        return "fit"
    if suffix == ".fit":
        raise ImportFileError(f"{path}: byte 0: not a FIT file (no '.FIT' signature in the header)")
    if head[:4] == b"PK\x03\x04" or suffix == ".zip":
        return "apple_zip"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if "<HealthData" in text or (suffix == ".xml" and "HealthKit" in text):
        return "apple_xml"
    if suffix == ".xml":
        raise ImportFileError(f"{path}: line 1: an XML file that is not an Apple Health export.xml")
    if text.lstrip().startswith("[Params]") or suffix == ".hrm":
        return "polar_hrm"
    first_line = text.splitlines()[0] if text.splitlines() else ""
    if "," in first_line and re.search(r"[A-Za-z]", first_line):
        return _detect_csv(path, first_line)
    if suffix == ".csv":
        return _detect_csv(path, first_line)
    return _detect_text(path, text)


def _detect_csv(path: Path, header_line: str) -> str:
    cols = {c.strip().strip('"').lower() for c in next(csv.reader([header_line]), [])}
    if {"cycle start time", "heart rate variability (ms)"} <= cols:
        return "whoop_csv"
    if {"type", "value", "startdate"} <= cols or _is_apple_csv(cols):
        return "apple_csv"
    if "heartratevariabilitymillis" in cols:
        return "health_connect_csv"
    if {"timestamp", "rmssd", "nremhr"} <= cols:
        return "fitbit_csv"
    if {"timestamp", "rmssd", "coverage"} <= cols:
        raise ImportFileError(
            f"{path}: line 1: this is Fitbit's per-5-minute 'Heart Rate Variability Details' file; "
            "import the 'Daily Heart Rate Variability Summary' file from the same export instead"
        )
    shown = ", ".join(sorted(cols))[:200]
    raise ImportFileError(
        f"{path}: line 1: unknown CSV layout (columns: {shown}). Supported CSVs: WHOOP "
        "physiological_cycles.csv, Apple Health CSV, Health Connect HRV, Fitbit daily HRV summary"
    )


def _detect_text(path: Path, text: str) -> str:
    """RR text if one of the first non-empty lines starts with a number (a header may precede)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:20]
    if not lines:
        raise ImportFileError(f"{path}: the file is empty")
    for line in lines:
        parts = line.replace(",", " ").replace(";", " ").split()
        if not parts or not _is_number(parts[0]):
            continue
        return "polar_txt" if len(parts) == 2 and all(_is_number(p) for p in parts) else "rr_text"
    raise ImportFileError(
        f"{path}: line 1: not an HRV file Ringside knows (no RR values in its first lines). Supported: "
        + ", ".join(FORMATS.values())
    )


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def read_file(path: Path, options: ImportOptions = ImportOptions(), progress: Progress | None = None) -> Iterator[RawItem]:
    """Stream records and problems from one file. Raises ImportFileError if it cannot be opened."""
    fmt = detect_format(path)
    tick: Progress = progress or (lambda _n: None)
    readers: dict[str, Callable[[Path, ImportOptions, Progress], Iterator[RawItem]]] = {
        "fit": read_fit,
        "polar_hrm": read_polar_hrm,
        "polar_txt": read_rr_text,
        "rr_text": read_rr_text,
        "apple_xml": read_apple_xml,
        "apple_zip": read_apple_zip,
        "apple_csv": read_apple_csv,
        "whoop_csv": read_whoop_csv,
        "health_connect_csv": read_health_connect_csv,
        "fitbit_csv": read_fitbit_csv,
    }
    for item in readers[fmt](path, options, tick):
        if not isinstance(item, ImportProblem) and not _is_dated_plausibly(item):
            # Every reader checks its dates; this keeps a record dated at the ends of the calendar
            # from ever reaching the store, whatever a future reader forgets.
            yield ImportProblem(item.origin, f"date {item.start_utc.date().isoformat()} is outside "
                                f"{EARLIEST_DAY.year}-{LATEST_DAY.year}, not a real measurement; skipped")
            continue
        if options.context is not None and not isinstance(item, ImportProblem):
            item = _with_context(item, options.context)
        yield item


def _is_dated_plausibly(item: RRRecording | DeviceValue) -> bool:
    day = item.day if isinstance(item, DeviceValue) else item.start_utc.date()
    return is_plausible_day(day) and is_plausible_day(item.start_utc.date())


def _with_context(item: RRRecording | DeviceValue, context: Context) -> RRRecording | DeviceValue:
    return replace(item, context=context)


# --------------------------------------------------------------------------------------------
# Plain RR text, Elite HRV, Polar RR text
# --------------------------------------------------------------------------------------------

_FILENAME_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T_](\d{2})[-:.](\d{2})[-:.](\d{2})")


def _start_for_dateless(path: Path, options: ImportOptions) -> tuple[datetime, bool, str | None]:
    """Start time for a file with no date inside: --start, a date in the name, or the mtime."""
    if options.start is not None:
        start = options.start if options.start.tzinfo else options.start.replace(tzinfo=options.local_tz)
        return start, False, None
    m = _FILENAME_DATETIME.search(path.name)
    if m:
        y, mo, d, h, mi, s = (int(x) for x in m.groups())
        try:
            named = check_instant(datetime(y, mo, d, h, mi, s, tzinfo=options.local_tz))
            return named, False, "start time read from the file name"
        except ValueError:
            pass
    try:
        mtime = check_instant(datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)).astimezone(options.local_tz)
    except (ValueError, OverflowError, OSError):
        raise ImportFileError(f"{path}: the file has no date inside and its modification time is no real "
                              "date; give the recording's start with --start") from None
    return mtime, True, None


def _offset_min(dt: datetime) -> int:
    off = dt.utcoffset()
    return 0 if off is None else int(off.total_seconds() // 60)


def read_rr_text(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """One RR per line (ms or s), or Polar's two columns (elapsed s, RR s); with a header, the
    column it names RR. Anything else (an ECG sample table, any numeric table) is refused with
    what the file looks like (see :func:`rr_table_verdict`)."""
    sink = _ProblemSink(str(path))
    values: list[float] = []
    elapsed: list[float] = []
    first_line: int | None = None
    columns: int | None = None
    header: list[str] = []
    pick = -1
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        for lineno, raw in enumerate(_bounded_lines(fh, path, progress), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.replace(",", " ").replace(";", " ").split()
            if not parts:
                continue
            try:
                nums = [float(p) for p in parts]
            except ValueError:
                if not values and lineno <= 3:
                    header = parts  # a header line ("RR", "Time RR")
                    continue
                p = sink.add(lineno, f"{line[:40]!r} is not a number; line skipped")
                if p:
                    yield p
                continue
            if columns is None:
                columns, first_line = len(nums), lineno
                found = _rr_column(header, columns)
                if found is None:
                    yield ImportProblem(Origin(str(path), lineno), f"a table of {columns} numeric columns"
                                        f"{_named(header)}, not RR intervals: it looks like sensor samples (an ECG "
                                        "or motion recording); export the beat-to-beat (RR) intervals instead",
                                        is_fatal=True)
                    return
                pick = found
            if len(nums) != columns:
                p = sink.add(lineno, f"expected {columns} column(s), found {len(nums)}; line skipped")
                if p:
                    yield p
                continue
            values.append(nums[pick])
            if columns == 2 and pick == 1:
                elapsed.append(nums[0])
    summary = sink.summary()
    if summary:
        yield summary
    if not values:
        yield ImportProblem(Origin(str(path)), "no RR intervals found in this file", is_fatal=True)
        return
    source = "polar_txt" if columns == 2 else "rr_text"
    note = None
    positive = [v for v in values if v > 0]
    median = statistics.median(positive) if positive else 0.0
    if 0 < median < 10:
        values = [v * 1000.0 for v in values]
        if columns == 1:
            note = f"RR values look like seconds (median {median:.3f}); converted to milliseconds"
            yield ImportProblem(Origin(str(path), first_line), note)
    verdict = rr_table_verdict(values, [e * 1000.0 for e in elapsed] if elapsed else None)
    if verdict is not None:
        yield ImportProblem(Origin(str(path), first_line), f"{verdict}; file not imported", is_fatal=True)
        return
    start, estimated, start_note = _start_for_dateless(path, options)
    yield RRRecording(
        source=source,
        device="Polar" if source == "polar_txt" else "RR text",
        start_utc=start.astimezone(timezone.utc),
        utc_offset_min=_offset_min(start),
        rr_ms=tuple(values),
        context="unknown",
        origin=Origin(str(path), first_line),
        is_start_estimated=estimated,
        is_dateless=True,
        note=note or start_note,
    )


_RR_NAMES = re.compile(r"^(rr|rri|nn|ibi|rr_?ms|rr[-_ ]?intervals?|intervals?|beat[-_ ]?to[-_ ]?beat)$", re.IGNORECASE)


def _rr_column(header: list[str], columns: int) -> int | None:
    """Which column holds the RR intervals: the one the header names, else the only one, else the
    second of Polar's (elapsed, RR) pair; None for a wider table without an RR header."""
    names = [h.strip("()[]\"'").lower() for h in header]
    if len(names) == columns:
        for i, name in enumerate(names):
            if _RR_NAMES.match(name):
                return i
    if columns <= 2:
        return columns - 1
    return None


def _named(header: list[str]) -> str:
    return f" ({', '.join(header)[:80]})" if header else ""


#: A file is RR intervals only if most of its values are heartbeat intervals (250-3000 ms, the
#: physiological limits used by quality: 240 and 20 bpm) ...
MIN_PLAUSIBLE_SHARE = 0.5
#: ... and successive values typically differ by less than 20 % (Malik's rule for normal beats:
#: the median successive change of the shared recordings is 0-3.6 %, of random numbers ~40 %).
MAX_TYPICAL_CHANGE = 0.2


def rr_table_verdict(rr_ms: list[float], elapsed_ms: list[float] | None = None) -> str | None:
    """Why these values are not beat-to-beat intervals (what the file looks like), or None.

    ``rr_ms``: the candidate intervals in ms; ``elapsed_ms``: Polar's elapsed-time column, if any,
    which must advance by about one interval per row. Needs 10 values to judge structure.
    """
    finite = [v for v in rr_ms if math.isfinite(v)]
    if not finite:
        return "no numeric RR values"
    inside = sum(1 for v in finite if 250.0 <= v <= 3000.0) / len(finite)
    if inside < MIN_PLAUSIBLE_SHARE:
        lo, hi, med = min(finite), max(finite), statistics.median(finite)
        looks = "heart rates in bpm" if 30 <= med <= 220 else "another measurement"
        return (f"only {inside:.0%} of the values are heartbeat intervals (250-3000 ms); they run from {lo:g} to "
                f"{hi:g} (median {med:g}), which looks like {looks}, not RR intervals")
    if len(finite) >= 10:
        changes = [abs(b - a) / a for a, b in zip(finite, finite[1:]) if a > 0]
        typical = statistics.median(changes) if changes else 0.0
        if typical > MAX_TYPICAL_CHANGE:
            return (f"successive values differ by a median of {typical:.0%}; successive heartbeats differ by a few "
                    "percent, so this column is not RR intervals (it looks like unrelated numbers)")
    if elapsed_ms is not None and len(elapsed_ms) >= 10:
        steps = [b - a for a, b in zip(elapsed_ms, elapsed_ms[1:])]
        backwards = sum(1 for d in steps if d < 0) / len(steps)
        off = statistics.median(abs(d - r) for d, r in zip(steps, rr_ms[1:]))
        if backwards > 0.05 or off > MAX_TYPICAL_CHANGE * statistics.median(finite):
            return ("two numeric columns, but the first is not the elapsed time of the beats in the second "
                    "(Polar's RR export layout); it looks like a table of two measurements")
    return None


# --------------------------------------------------------------------------------------------
# Polar HRM
# --------------------------------------------------------------------------------------------


def read_polar_hrm(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """Polar ``.hrm``: [Params] gives the date and start; [HRData] holds RR (ms) when Interval=238."""
    sink = _ProblemSink(str(path))
    params: dict[str, str] = {}
    section = ""
    rr: list[float] = []
    data_line: int | None = None
    with path.open("r", encoding="latin-1", newline="") as fh:
        for lineno, raw in enumerate(_bounded_lines(fh, path, progress), start=1):
            line = raw.strip()
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if not line:
                continue
            if section == "Params" and "=" in line:
                key, _, value = line.partition("=")
                params[key.strip()] = value.strip()
            elif section == "HRData":
                if data_line is None:
                    data_line = lineno
                first = line.split()[0]
                try:
                    rr.append(float(first))
                except ValueError:
                    p = sink.add(lineno, f"{line[:40]!r} is not an RR value; line skipped")
                    if p:
                        yield p
    summary = sink.summary()
    if summary:
        yield summary
    interval = params.get("Interval", "")
    if interval and interval != "238":
        yield ImportProblem(
            Origin(str(path)),
            f"this HRM file holds heart-rate samples every {interval} s, not RR intervals "
            "(Interval=238); no HRV can be computed from it",
            is_fatal=True,
        )
        return
    if not rr:
        yield ImportProblem(Origin(str(path)), "no [HRData] RR intervals found", is_fatal=True)
        return
    try:
        day = datetime.strptime(params["Date"], "%Y%m%d").date()
        start_time = _parse_clock(params.get("StartTime", "00:00:00"))
        start = check_instant(datetime.combine(day, start_time, tzinfo=options.local_tz))
        estimated, dateless, note = False, False, None
    except (KeyError, ValueError) as exc:
        why = "no Date in [Params]" if isinstance(exc, KeyError) else f"[Params] Date/StartTime unusable ({exc})"
        start, estimated, note = _start_for_dateless(path, options)
        dateless = True
        yield ImportProblem(Origin(str(path)), f"{why}; start time estimated")
    yield RRRecording(
        source="polar_hrm",
        device=f"Polar (monitor {params.get('Monitor', '?')})",
        start_utc=start.astimezone(timezone.utc),
        utc_offset_min=_offset_min(start),
        rr_ms=tuple(rr),
        context="unknown",
        origin=Origin(str(path), data_line),
        is_start_estimated=estimated,
        is_dateless=dateless,
        note=note,
    )


def _parse_clock(text: str) -> time:
    hms, _, frac = text.partition(".")
    h, m, s = (int(x) for x in hms.split(":"))
    return time(h, m, s, int(float("0." + (frac or "0")) * 1e6))


# --------------------------------------------------------------------------------------------
# Garmin FIT
# --------------------------------------------------------------------------------------------


def read_fit(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """Garmin FIT: beat-to-beat intervals from ``hrv`` messages (seconds, up to 5 per message).

    A damaged file keeps every beat decoded before the damage: decoding stops at the first frame
    fitdecode cannot read and says at which byte.
    """
    rr: list[float] = []
    start: datetime | None = None
    offset: int | None = None
    device = "Garmin"
    file_type = None
    problem: ImportProblem | None = None
    size = path.stat().st_size
    notes: list[ImportProblem] = []
    good_until = 0
    try:
        with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE, keep_raw_chunks=True,
                                 error_handling=fitdecode.ErrorHandling.RAISE) as reader:
            for frame in _fit_frames(reader):
                chunk = getattr(frame, "chunk", None)
                if chunk is not None:
                    good_until = chunk.offset + len(chunk.bytes)
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                name = frame.name
                if name == "hrv":
                    values = frame.get_value("time", fallback=None) or ()
                    if not isinstance(values, (tuple, list)):
                        values = (values,)
                    rr.extend(float(v) * 1000.0 for v in values if isinstance(v, (int, float)))
                elif name == "file_id":
                    file_type = frame.get_value("type", fallback=None)
                    maker = frame.get_value("manufacturer", fallback=None)
                    product = frame.get_value("garmin_product", fallback=None) or frame.get_value("product", fallback=None)
                    device = " ".join(str(x) for x in (maker, product) if x) or device
                    created = frame.get_value("time_created", fallback=None)
                    if start is None and _is_fit_time(created):
                        start = created
                elif name in ("record", "session") and start is None:
                    ts = frame.get_value("start_time" if name == "session" else "timestamp", fallback=None)
                    if _is_fit_time(ts):
                        start = ts
                elif name == "activity":
                    ts = frame.get_value("timestamp", fallback=None)
                    local = frame.get_value("local_timestamp", fallback=None)
                    if isinstance(ts, datetime) and local is not None:
                        found = _fit_offset_min(ts, local)
                        if isinstance(found, str):
                            notes.append(ImportProblem(Origin(str(path), good_until, "byte"), found))
                        elif found is not None and offset is None:
                            offset = found
    except fitdecode.FitCRCError:
        problem = ImportProblem(Origin(str(path), size, "byte"), "checksum mismatch: the file may be damaged; kept what was read")
    except (fitdecode.FitError, _FitDamage) as exc:
        cause = exc.__cause__ if isinstance(exc, _FitDamage) and exc.__cause__ else exc
        detail = str(cause) or type(cause).__name__
        problem = ImportProblem(
            Origin(str(path), good_until, "byte"),
            f"the FIT file is truncated or damaged here ({detail[:120]}); kept the {len(rr)} beats read before it",
        )
    yield from notes
    progress(size)
    if problem:
        yield problem
    if not rr:
        yield ImportProblem(Origin(str(path)), "no beat-to-beat (hrv) messages in this FIT file; enable "
                            "'Log HRV' on the watch", is_fatal=True)
        return
    if start is None:
        start_local, _, _ = _start_for_dateless(path, options)
        start = start_local.astimezone(timezone.utc)
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    if offset is None:
        offset = _offset_min(start.astimezone(options.local_tz))
    context: Context = "exercise" if str(file_type) == "activity" else "unknown"
    yield RRRecording(
        source="fit",
        device=device,
        start_utc=start.astimezone(timezone.utc),
        utc_offset_min=offset,
        rr_ms=tuple(rr),
        context=context,
        origin=Origin(str(path)),
    )


def _is_fit_time(value: object) -> TypeGuard[datetime]:
    """A FIT date-time that can be a real start (a damaged field can read as any year)."""
    return isinstance(value, datetime) and is_plausible_day(value.date())


class _FitDamage(Exception):
    """fitdecode failed on a damaged file in a way it does not report as a FitError."""


def _fit_frames(reader: Iterable[object]) -> Iterator[object]:
    """The reader's frames, with every failure of the decoder turned into ``_FitDamage``.

    On damaged bytes fitdecode raises not only its FitError family but also AssertionError,
    ValueError, KeyError, TypeError, IndexError and struct.error from many places (issue 13:
    122 of 1,860 mutated files, 10 places). Only the decoder's own step is guarded, so a bug in
    our handling of a frame still surfaces. Its warnings (undefined developer fields) are noise.
    """
    frames = iter(reader)
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                frame = next(frames)
            except StopIteration:
                return
            except fitdecode.FitError:
                raise
            except Exception as exc:  # the decoder's failure modes on damaged input are open-ended
                raise _FitDamage(type(exc).__name__) from exc
        yield frame


#: Real UTC offsets run from -12:00 to +14:00.
_MAX_UTC_OFFSET_MIN = 14 * 60


def _fit_offset_min(ts: datetime, local: object) -> int | str | None:
    """The UTC offset (minutes) from an ``activity`` message's local_timestamp; a warning (str)
    when the two are further apart than any time zone; None when local_timestamp is unusable."""
    local_dt = _fit_local(local)
    if local_dt is None:
        return None
    delta = local_dt - ts.replace(tzinfo=None)
    minutes = int(round(delta.total_seconds() / 900.0)) * 15
    if abs(minutes) > _MAX_UTC_OFFSET_MIN:
        return (f"local_timestamp is {delta.total_seconds() / 3600:.1f} h from timestamp, which is no "
                "time zone; the day is taken in this computer's zone")
    return minutes


def _fit_local(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, int) and 0 <= value < 2**32:
        # FIT local_timestamp: seconds since 1989-12-31 00:00 in local time (a uint32).
        return datetime(1989, 12, 31) + timedelta(seconds=value)
    return None


# --------------------------------------------------------------------------------------------
# Apple Health export.xml / export.zip
# --------------------------------------------------------------------------------------------

_APPLE_SDNN = "HKQuantityTypeIdentifierHeartRateVariabilitySDNN"
_APPLE_RHR = "HKQuantityTypeIdentifierRestingHeartRate"


#: Bytes handed to the XML parser at a time: a line longer than this (a whole export on one
#: line) is fed in pieces, so memory does not grow with line length.
XML_PIECE_BYTES = 1 << 16
#: Largest top-level element (a Record with its beat list, a Workout...) and largest single tag
#: or text run accepted. Apple's largest records are a few KB (an HRV record with ~90 beats is
#: ~6 KB); anything this big is not an export Apple wrote, and parsing it would hold it in memory.
MAX_XML_ELEMENT_BYTES = 4 << 20
#: Largest uncompressed/compressed ratio accepted for export.xml inside a zip. Apple's exports
#: compress 10-25x (XML of repeated records: the generated 300 MB export packs 12x); a zip bomb
#: packs 1,000x or more.
MAX_ZIP_RATIO = 100
#: Zip compression methods zipfile can read (stored, deflate, bzip2, lzma).
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
                zipfile.ZIP_LZMA: "lzma"}


def read_apple_xml(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    with path.open("rb") as fh:
        yield from _stream_apple(fh, str(path), options, progress)


def read_apple_zip(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """Apple's export.zip: stream ``apple_health_export/export.xml`` without unpacking it.

    Refused before reading: an encrypted or Deflate64 member (zipfile cannot read them) and a
    member that claims to expand more than ``MAX_ZIP_RATIO`` times. While reading, output beyond
    that ratio stops the import too (sizes in a zip header can lie).
    """
    with contextlib.ExitStack() as opened:
        try:
            zf = opened.enter_context(zipfile.ZipFile(path))
            members = [i for i in zf.infolist() if i.filename.endswith("export.xml")]
            if not members:
                raise ImportFileError(f"{path}: this zip has no export.xml (is it an Apple Health export?)")
            member = min(members, key=lambda i: i.filename.count("/"))
            _check_zip_member(path, member)
            fh = opened.enter_context(zf.open(member))
        except _ZIP_DAMAGE as exc:
            raise ImportFileError(f"{path}: not a readable zip ({_one_line(exc)}); the download may be "
                                  "incomplete") from None
        limit = max(member.compress_size, 1) * MAX_ZIP_RATIO
        yield from _stream_apple(_RatioGuard(fh, limit, f"{path}!{member.filename}"),
                                 f"{path}!{member.filename}", options, progress)


#: What zipfile raises on a damaged archive besides BadZipFile: a negative seek (OSError), a
#: bad compressed stream (zlib.error, lzma.LZMAError, OSError from bz2), a bad header field
#: (struct.error, ValueError, UnicodeDecodeError, OverflowError), an unsupported feature.
_ZIP_DAMAGE = (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, NotImplementedError,
               RuntimeError, struct.error, UnicodeDecodeError, OverflowError)


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:160] if text.strip() else type(exc).__name__


def _check_zip_member(path: Path, member: zipfile.ZipInfo) -> None:
    name = f"{path}!{member.filename}"
    if member.flag_bits & 0x1:
        raise ImportFileError(f"{name}: the file is encrypted (password-protected zip); Apple's exports are not: "
                              "export again from the Health app")
    if member.compress_type not in _ZIP_METHODS:
        method = "Deflate64" if member.compress_type == 9 else f"method {member.compress_type}"
        raise ImportFileError(f"{name}: compressed with {method}, which Ringside cannot read; unzip it with "
                              "your system's tool and import export.xml itself")
    ratio = member.file_size / max(member.compress_size, 1)
    if ratio > MAX_ZIP_RATIO:
        raise ImportFileError(f"{name}: would expand {ratio:,.0f} times ({member.compress_size:,} -> "
                              f"{member.file_size:,} bytes); real exports expand at most {MAX_ZIP_RATIO} times, "
                              "so this looks like a zip bomb and is not read")


class _RatioGuard:
    """A binary stream that stops with ImportFileError once more than ``limit`` bytes came out."""

    def __init__(self, fh: IO[bytes], limit: int, name: str) -> None:
        self._fh, self._limit, self._name, self._out = fh, limit, name, 0

    def readline(self, size: int = -1) -> bytes:
        try:
            data = self._fh.readline(size)
        except _ZIP_DAMAGE as exc:
            raise ImportFileError(f"{self._name}: the zip is damaged here ({_one_line(exc)}); the download may be "
                                  "incomplete") from None
        self._out += len(data)
        if self._out > self._limit:
            raise ImportFileError(f"{self._name}: expands more than {MAX_ZIP_RATIO} times its compressed size; "
                                  "this looks like a zip bomb, reading stopped")
        return data


def _stream_apple(fh: _LineReader, name: str, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """Feed the XML to a pull parser in pieces of at most ``XML_PIECE_BYTES``: memory stays flat
    whatever the line length, and we still know the line of each record."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    sink = _ProblemSink(name)
    depth = 0
    root: ET.Element | None = None
    lineno = 1
    kept = 0
    record_line = 0
    since_event = 0  # bytes fed since the parser last produced an event (one tag or text run)
    record_bytes = 0  # bytes fed since the current top-level element started

    def stop(line: int, message: str) -> ImportProblem:
        return ImportProblem(Origin(name, line), f"{message}; kept the {kept} HRV/resting-HR records read before it",
                             is_fatal=True)

    try:
        while True:
            raw = fh.readline(XML_PIECE_BYTES)
            if not raw:
                parser.close()
                break
            progress(len(raw))
            try:
                parser.feed(raw)
            except (LookupError, ValueError) as exc:
                # expat refuses an undeclared-to-it encoding (LookupError) or a multi-byte one.
                yield stop(lineno, f"the export declares an encoding Ringside cannot read ({exc}); Apple writes UTF-8")
                break
            since_event += len(raw)
            record_bytes += len(raw)
            # Only "start"/"end" events were asked for: each is (event, element).
            for event, elem in cast("Iterator[tuple[str, ET.Element]]", parser.read_events()):
                since_event = 0
                if event == "start":
                    depth += 1
                    if depth == 1:
                        root = elem
                    elif depth == 2:
                        record_line, record_bytes = lineno, 0
                    continue
                depth -= 1
                if depth != 1:
                    continue
                if elem.tag == "Record":
                    item = _apple_record(elem, Origin(name, record_line), options, sink)
                    if item is not None:
                        kept += not isinstance(item, ImportProblem)
                        yield item
                elem.clear()
                if root is not None:
                    root.clear()
            if since_event > MAX_XML_ELEMENT_BYTES or (depth >= 2 and record_bytes > MAX_XML_ELEMENT_BYTES):
                where = record_line if depth >= 2 else lineno
                yield stop(where, f"one element or text run is over {MAX_XML_ELEMENT_BYTES >> 20} MB, which no "
                                  "Apple Health export holds; reading stopped")
                break
            if raw.endswith(b"\n"):
                lineno += 1
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (lineno, 0))
        msg = str(getattr(exc, "msg", exc))
        if "unknown encoding" in msg:
            yield stop(line, "the export declares an encoding Ringside cannot read (Apple writes UTF-8)")
        else:
            cut = "ends in the middle of a record" if "no element found" in msg or "unclosed" in msg else "is malformed"
            yield stop(line, f"the export {cut} (column {col}: {msg})")
    summary = sink.summary()
    if summary:
        yield summary


class _LineReader(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def _apple_record(elem: object, origin: Origin, options: ImportOptions, sink: _ProblemSink) -> RawItem | None:
    assert isinstance(elem, ET.Element)
    rtype = elem.get("type", "")
    if rtype not in (_APPLE_SDNN, _APPLE_RHR):
        return None
    try:
        start = _parse_apple_date(elem.get("startDate", ""))
        value = _number(elem.get("value", ""))
    except ValueError:
        return sink.add(origin.line, f"{rtype.removeprefix('HKQuantityTypeIdentifier')} record has a bad "
                        f"date or value ({elem.get('startDate')!r}, {elem.get('value')!r}); skipped")
    device = _apple_device(elem.get("sourceName", ""), elem.get("device", ""))
    offset = _offset_min(start)
    if rtype == _APPLE_RHR:
        return DeviceValue("apple_health", device, start.astimezone(timezone.utc), offset, start.date(),
                           "rest", origin, resting_hr_bpm=value)
    unit = elem.get("unit", "ms")
    if unit != "ms":
        return sink.add(origin.line, f"HRV record in unit {unit!r}, expected 'ms'; skipped")
    bpms = []
    for child in elem.iter("InstantaneousBeatsPerMinute"):
        try:
            bpms.append(float(child.get("bpm", "")))
        except ValueError:
            continue
    bpms = [b for b in bpms if 20.0 <= b <= 250.0]
    mean_hr = sum(bpms) / len(bpms) if bpms else None
    # Apple lists each beat's instantaneous rate rounded to whole bpm (and leaves out beats it
    # discarded), so the intervals are kept for the record but metrics come from Apple's SDNN.
    return DeviceValue("apple_health", device, start.astimezone(timezone.utc), offset, start.date(),
                       "spot", origin, sdnn_ms=value, beats=len(bpms), mean_hr_bpm=mean_hr,
                       beat_rr_ms=tuple(round(60000.0 / b, 1) for b in bpms))


def _apple_device(source_name: str, device: str) -> str:
    m = re.search(r"name:([^,>]+)", device)
    return (m.group(1).strip() if m else source_name) or "Apple Health"


def _parse_apple_date(text: str) -> datetime:
    """Apple writes '2023-11-20 08:00:00 +0100': local time with its offset."""
    return check_instant(datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S %z"))


# --------------------------------------------------------------------------------------------
# CSV layouts
# --------------------------------------------------------------------------------------------


def _csv_rows(path: Path, progress: Progress) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV with their line numbers. A field over csv's 128 KB limit or a line over
    ``MAX_LINE_CHARS`` stops reading with ImportFileError (the rows before it are kept)."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(_bounded_lines(fh, path, progress), restkey="\x00extra")
        try:
            for row in reader:
                yield reader.line_num, {
                    (k or "").strip(): v.strip() for k, v in row.items() if isinstance(v, str) and k != "\x00extra"
                }
        except csv.Error as exc:
            # line_num counts the lines read before the one that failed.
            raise ImportFileError(f"{path}: line {reader.line_num + 1}: {exc}; this is not a CSV export Ringside "
                                  "knows (their fields are short numbers and dates)") from None


#: Longest text line read from a CSV, HRM or RR text file (characters). Real lines are under
#: 1 KB; a longer one is not one of these formats, and reading it whole would hold it in memory.
MAX_LINE_CHARS = 1 << 20


def _bounded_lines(fh: IO[str], path: Path, progress: Progress) -> Iterator[str]:
    """The file's lines, refusing (ImportFileError) one longer than ``MAX_LINE_CHARS``."""
    lineno = 0
    while True:
        line = fh.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        lineno += 1
        progress(len(line))
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(f"{path}: line {lineno} is longer than {MAX_LINE_CHARS >> 20} MB; not a file "
                                  "Ringside knows (HRV exports have short lines)")
        yield line


#: Column names of Apple Health CSV conversions: Apple's attribute names (most converters) and
#: the short names other converters write (``,source,start,end,duration,value,unit``, the first
#: column a pandas index). Compared in lower case.
_APPLE_CSV_COLUMNS = {
    "type": ("type", "kind", "record_type"),
    "start": ("startdate", "start", "start_date", "start date"),
    "value": ("value",),
    "unit": ("unit",),
    "source": ("sourcename", "source", "source_name", "source name"),
    "device": ("device",),
}
_APPLE_KINDS = {"heartratevariabilitysdnn": "sdnn", "restingheartrate": "rhr"}


def _is_apple_csv(cols: set[str]) -> bool:
    def has(key: str) -> bool:
        return any(c in cols for c in _APPLE_CSV_COLUMNS[key])

    return has("value") and has("start") and (has("type") or has("source") or has("unit"))


def _apple_csv_kind(path: Path, row_type: str, unit: str) -> str | None:
    """"sdnn", "rhr" or None (another type). Converters writing one file per type leave the type
    out of the rows: it is then the file's name, or for SDNN its unit (ms: no other heart type)."""
    if row_type:
        key = row_type.removeprefix("HKQuantityTypeIdentifier").lower()
        return _APPLE_KINDS.get(key)
    name = path.stem.lower().replace("hkquantitytypeidentifier", "")
    for key, kind in _APPLE_KINDS.items():
        if key in name:
            return kind
    return "sdnn" if unit == "ms" else None


def read_apple_csv(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    sink = _ProblemSink(str(path))
    rows = 0
    kept = 0
    for lineno, raw_row in _csv_rows(path, progress):
        rows += 1
        row = _apple_csv_row(raw_row)
        kind = _apple_csv_kind(path, row["type"], row["unit"])
        if kind is None:
            continue
        try:
            start = _parse_any_date(row["start"], options.local_tz)
            value = _number(row["value"])
        except ValueError as exc:
            p = sink.add(lineno, f"bad date or value ({row['start']!r}, {row['value']!r}: {exc}); row skipped")
            if p:
                yield p
            continue
        device = _apple_device(row["source"], row["device"])
        origin = Origin(str(path), lineno)
        kept += 1
        if kind == "rhr":
            yield DeviceValue("apple_health_csv", device, start.astimezone(timezone.utc), _offset_min(start),
                              start.date(), "rest", origin, resting_hr_bpm=value)
        elif row["unit"] not in ("ms", ""):
            kept -= 1
            p = sink.add(lineno, f"HRV in unit {row['unit']!r}, expected 'ms'; row skipped")
            if p:
                yield p
        else:
            yield DeviceValue("apple_health_csv", device, start.astimezone(timezone.utc), _offset_min(start),
                              start.date(), "spot", origin, sdnn_ms=value)
    summary = sink.summary()
    if summary:
        yield summary
    if rows and not kept and not sink.count:
        yield ImportProblem(Origin(str(path)), "no HRV (SDNN) or resting-heart-rate rows in this Apple Health CSV; "
                            "a file without a type column must be named after its type (e.g. "
                            "HeartRateVariabilitySDNN.csv)", is_fatal=True)


def _apple_csv_row(row: dict[str, str]) -> dict[str, str]:
    lower = {k.lower(): v for k, v in row.items()}
    return {key: next((lower[n] for n in names if n in lower), "") for key, names in _APPLE_CSV_COLUMNS.items()}


_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}:?\d{2})$")


def _parse_any_date(text: str, default_tz: tzinfo) -> datetime:
    """Apple's '2023-11-20 08:00:00 +0100' or ISO 8601 ('2023-11-20T08:00:00+01:00', 'Z', naive)."""
    text = text.strip()
    try:
        return _parse_apple_date(text)
    except ValueError:
        return _parse_iso(_SPACED_OFFSET.sub(r"\1", text), default_tz)


_UTC_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$")


def _parse_offset(text: str) -> timezone | None:
    text = text.strip()
    if text in ("UTC", "GMT", "Z"):
        return timezone.utc
    m = _UTC_OFFSET.match(text)
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return timezone(sign * timedelta(minutes=minutes))


def _parse_zone(text: str) -> tzinfo | None:
    """A UTC offset ('UTC-04:00', '+0200') or an IANA zone name ('Europe/Zurich')."""
    zone = _parse_offset(text)
    if zone is not None:
        return zone

    name = text.strip()
    if not _ZONE_NAME.match(name):
        return None  # IANA names are short words joined by '/': never ask the file system for others
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")


def read_whoop_csv(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """WHOOP cycles: nightly RMSSD and resting HR, counted for the day you woke up."""
    sink = _ProblemSink(str(path))
    for lineno, row in _csv_rows(path, progress):
        hrv_text = row.get("Heart rate variability (ms)", "")
        rhr_text = row.get("Resting heart rate (bpm)", "")
        if not hrv_text and not rhr_text:
            continue  # a cycle without a scored sleep: nothing to import
        try:
            zone_text = row.get("Cycle timezone", "")
            tz = _parse_zone(zone_text) if zone_text else options.local_tz
            if tz is None:
                raise ValueError(f"unknown time zone {zone_text!r}")
            wake_text = row.get("Wake onset") or row.get("Cycle end time") or row.get("Cycle start time", "")
            onset_text = row.get("Sleep onset") or row.get("Cycle start time", "")
            wake = check_instant(datetime.strptime(wake_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz))
            onset = check_instant(datetime.strptime(onset_text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz))
            rmssd = _number(hrv_text) if hrv_text else None
            rhr = _number(rhr_text) if rhr_text else None
        except ValueError as exc:
            p = sink.add(lineno, f"cannot read this cycle ({exc}); row skipped")
            if p:
                yield p
            continue
        yield DeviceValue("whoop", "WHOOP", onset.astimezone(timezone.utc), _offset_min(onset), wake.date(),
                          "night", Origin(str(path), lineno), rmssd_ms=rmssd, resting_hr_bpm=rhr)
    summary = sink.summary()
    if summary:
        yield summary


def read_health_connect_csv(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """Health Connect ``HeartRateVariabilityRmssdRecord`` rows: time (instant), zoneOffset, millis."""
    sink = _ProblemSink(str(path))
    for lineno, row in _csv_rows(path, progress):
        try:
            instant = _parse_iso(row.get("time", ""), options.local_tz)
            zone_text = row.get("zoneOffset", "")
            zone = _parse_offset(zone_text) if zone_text else None
            if zone_text and zone is None:
                raise ValueError(f"zoneOffset {zone_text!r} is not an offset like +02:00")
            local = instant.astimezone(zone or options.local_tz)
            rmssd = _number(row.get("heartRateVariabilityMillis", ""))
        except ValueError as exc:
            p = sink.add(lineno, f"cannot read this row ({exc}); row skipped")
            if p:
                yield p
            continue
        yield DeviceValue("health_connect", row.get("dataOrigin") or "Health Connect", instant.astimezone(timezone.utc),
                          _offset_min(local), local.date(), "unknown", Origin(str(path), lineno), rmssd_ms=rmssd)
    summary = sink.summary()
    if summary:
        yield summary


def read_fitbit_csv(path: Path, options: ImportOptions, progress: Progress) -> Iterator[RawItem]:
    """Fitbit daily HRV summary: one nightly RMSSD per row, ``timestamp`` in local time."""
    sink = _ProblemSink(str(path))
    for lineno, row in _csv_rows(path, progress):
        try:
            stamp = _parse_iso(row.get("timestamp", ""), options.local_tz)
            rmssd = _number(row.get("rmssd", ""))
        except ValueError as exc:
            p = sink.add(lineno, f"cannot read this row ({exc}); row skipped")
            if p:
                yield p
            continue
        yield DeviceValue("fitbit", "Fitbit", stamp.astimezone(timezone.utc), _offset_min(stamp), stamp.date(),
                          "night", Origin(str(path), lineno), rmssd_ms=rmssd)
    summary = sink.summary()
    if summary:
        yield summary


def _number(text: str | None) -> float:
    """A finite number from a cell; ValueError for empty, 'nan', 'inf' or an overflow (1e400)."""
    value = float(text if text is not None else "")
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _parse_iso(text: str, default_tz: tzinfo) -> datetime:
    """ISO 8601 with or without an offset ('Z' accepted); naive times take ``default_tz``."""
    text = text.strip()
    if not text:
        raise ValueError("empty date")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = check_instant(datetime.fromisoformat(text))
    return dt if dt.tzinfo else dt.replace(tzinfo=default_tz)


__all__ = ["FORMATS", "ImportOptions", "detect_format", "read_file"]
