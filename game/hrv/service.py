"""The HRV adapter layer: files -> quality -> store -> readiness -> plan.

The clock enters here as arguments (``now``, ``today``) passed by the CLI or the game; the core
modules below never read it.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from game.errors import ImportFileError, StorageError
from game.hrv.importers import FORMATS, ImportOptions, detect_format, read_file
from game.hrv.plan import CoachOverride, Plan, TrainingLoad, build_plan, override_from_server, training_load
from game.hrv.quality import QualityOptions, assess_device_value, assess_recording
from game.hrv.readiness import Readiness, ReadinessOptions, all_histories, assess
from game.hrv.records import ImportProblem, Measurement, Origin, RRRecording, one_line
from game.storage.database import Database
from game.storage.types import StoredReadiness

ProgressFactory = Callable[[Path, int], Callable[[int], None]]


@dataclass(frozen=True)
class FileReport:
    """What importing one file did. ``error`` is set when the file could not be read at all;
    ``skipped`` when a file inside a folder is not an HRV file. ``sample`` holds the first few
    measurements (for display); every measurement goes to the ``on_measurement`` callback."""

    path: Path
    format: str | None
    count: int = 0
    usable: int = 0
    added: int = 0
    sample: tuple[Measurement, ...] = ()
    problems: tuple[ImportProblem, ...] = ()
    error: str | None = None
    skipped: str | None = None
    moved: int = 0


#: Called for every measurement once it is stored: (file, format, measurement, is_new).
MeasurementSink = Callable[[Path, str, Measurement, bool], None]
SAMPLE_SIZE = 3
#: Records stored per transaction while importing.
BATCH_SIZE = 500


def import_paths(
    db: Database,
    paths: Sequence[Path],
    *,
    now: datetime,
    options: ImportOptions = ImportOptions(),
    quality: QualityOptions = QualityOptions(),
    progress: ProgressFactory | None = None,
    on_measurement: MeasurementSink | None = None,
) -> list[FileReport]:
    """Import file by file, committing every batch of records: a bad file never undoes a good
    one, a file that breaks half-way keeps every record read before the break, and a long import
    never holds SQLite's single write lock for long (the game can save a session meanwhile).
    Re-imports add nothing.

    Memory stays flat however big the file: records are stored in batches and handed to
    ``on_measurement`` as they go; the report keeps counts and a small sample.
    """
    reports = []
    for path, is_from_folder in _expand(paths):
        try:
            report = _import_one(db, path, is_from_folder, now=now, options=options, quality=quality,
                                 progress=progress, on_measurement=on_measurement)
        except (StorageError, SQLAlchemyError):
            raise  # the database itself failed: not this file's fault, and no later file would fare better
        except Exception as exc:  # noqa: BLE001 - one file's failure never aborts the others (issue 13)
            # The readers turn every damage we know into problems; this is a bug of ours on an input
            # nobody foresaw. Records committed before it are kept; the next file is imported.
            detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
            report = FileReport(path, None, error=f"{path}: reading stopped by an unexpected error ({detail}); "
                                "records stored before it are kept; please report this file")
        reports.append(replace(report, error=one_line(report.error)) if report.error else report)
    return reports


def _import_one(db: Database, path: Path, is_from_folder: bool, *, now: datetime, options: ImportOptions,
                quality: QualityOptions, progress: ProgressFactory | None,
                on_measurement: MeasurementSink | None) -> FileReport:
    """Import one file (see :func:`import_paths`)."""
    try:
        fmt = detect_format(path)
    except ImportFileError as exc:
        # Inside a folder (an unzipped Apple export holds routes, ECGs...) a file we do not
        # know is skipped; named on the command line, it is an error.
        if is_from_folder:
            return FileReport(path, None, skipped=str(exc))
        return FileReport(path, None, error=str(exc))
    tick = progress(path, path.stat().st_size) if progress else None
    problems: list[ImportProblem] = []
    stats = {"count": 0, "usable": 0, "added": 0, "moved": 0}
    sample: list[Measurement] = []

    def measured() -> Iterator[Measurement]:
        items = read_file(path, options, tick)
        while True:
            try:
                item = next(items)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                if not stats["count"] and isinstance(exc, ImportFileError):
                    raise
                # The disk or the archive failed mid-file: keep what was read before.
                problems.append(ImportProblem(Origin(str(path)), f"reading stopped ({exc}); kept the "
                                              f"{stats['count']} record(s) read before", is_fatal=True))
                return
            if isinstance(item, ImportProblem):
                problems.append(item)
                continue
            m = assess_recording(item, quality) if isinstance(item, RRRecording) else assess_device_value(item)
            stats["count"] += 1
            stats["usable"] += m.is_usable
            if len(sample) < SAMPLE_SIZE:
                sample.append(replace(m, rr_ms=()))
            yield m

    def stored(batch: list[Measurement], new: set[str], moved: set[str]) -> None:
        stats["added"] += len(new)
        stats["moved"] += len(moved)
        if on_measurement is not None:
            for m in batch:
                on_measurement(path, fmt, m, m.uid in new)

    try:
        _add_in_batches(db, measured(), now, stored, is_start_given=options.start is not None)
    except ImportFileError as exc:
        return FileReport(path, fmt, problems=tuple(problems), error=str(exc))
    fatal = next((p for p in problems if p.is_fatal), None)
    if fatal is not None and not stats["count"]:
        # Nothing could be read: the file is refused, and says why in one line.
        return FileReport(path, fmt, problems=tuple(p for p in problems if p is not fatal), error=str(fatal))
    return FileReport(path, fmt, stats["count"], stats["usable"], stats["added"], tuple(sample),
                      tuple(problems), moved=stats["moved"])


_READ_ERRORS = (ImportFileError, OSError, EOFError, zlib.error, zipfile.BadZipFile)


_Stored = Callable[[list[Measurement], set[str], set[str]], None]


def _add_in_batches(db: Database, ms: Iterator[Measurement], now: datetime, stored: _Stored, *,
                    is_start_given: bool) -> None:
    """Store in batches of ``BATCH_SIZE``, each in its own short transaction; the file is read
    between them, outside any transaction. With ``is_start_given`` (``--start``), records already
    stored take the given start: an undated recording imported before is moved, not added again."""
    batch: list[Measurement] = []
    for m in ms:
        batch.append(m)
        if len(batch) >= BATCH_SIZE:
            _store_batch(db, batch, now, stored, is_start_given)
            batch = []
    if batch:
        _store_batch(db, batch, now, stored, is_start_given)


def _store_batch(db: Database, batch: list[Measurement], now: datetime, stored: _Stored,
                 is_start_given: bool) -> None:
    with db.transaction() as repo:
        new = repo.add_new_measurements(batch, now=now)
        moved = repo.move_measurements(m for m in batch if m.uid not in new) if is_start_given else set()
    stored(batch, new, moved)


def _expand(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Folders are imported file by file (sorted), skipping hidden files. Returns (path, is_from_folder)."""
    out: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            out.extend((q, True) for q in sorted(p.rglob("*")) if q.is_file() and not q.name.startswith("."))
        else:
            out.append((p, False))
    return out


def refresh_readiness(db: Database, *, today: date, now: datetime,
                      options: ReadinessOptions = ReadinessOptions()) -> None:
    """Recompute and store readiness by day for every series (derived data)."""
    with db.transaction() as repo:
        ms = repo.measurements(with_beats=False)
        histories = all_histories(ms, today, options)
        rows = [
            StoredReadiness(d.series_key, d.day, d.state, d.value_ln, d.rolling7_ln, d.band_low_ln,
                            d.band_high_ln, d.resting_hr_bpm, {"rules": list(d.rules), "explanation": d.explanation})
            for hist in histories.values() for d in hist
        ]
        repo.replace_readiness(rows, now=now)


@dataclass(frozen=True)
class Status:
    today: date
    readiness: Readiness
    load: TrainingLoad
    plan: Plan
    override: CoachOverride | None
    measurement_count: int
    usable_count: int
    last: Measurement | None
    sources: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "readiness": self.readiness.to_json(),
            "inputs": {
                "measurements": self.measurement_count,
                "usable": self.usable_count,
                "by_source": dict(self.sources),
                "last_reading": None if self.last is None else self.last.to_json(),
                "training_load": {
                    "acute_7d_au": round(self.load.acute_au, 1),
                    "chronic_weekly_au": round(self.load.chronic_weekly_au, 1),
                    "ratio": None if self.load.ratio is None else round(self.load.ratio, 2),
                },
            },
            "plan": self.plan.to_json(),
            "override": None if self.override is None else {
                "coach": self.override.coach, "preset": self.override.preset,
                "adjustments": dict(self.override.adjustments), "note": self.override.note,
                "origin": self.override.origin,
            },
        }


def status(db: Database, *, today: date, now: datetime, utc_offset_min: int = 0,
           options: ReadinessOptions = ReadinessOptions()) -> Status:
    """Readiness, its inputs and today's plan (override included)."""
    with db.transaction() as repo:
        ms = repo.measurements(since=today - timedelta(days=options.baseline_days + 14), until=today,
                               with_beats=False)
        count = repo.measurement_count()
        daily = repo.daily_load(since_utc=now - timedelta(days=29), utc_offset_min=utc_offset_min)
        override = repo.override_for(today)
    readiness = assess(ms, today, options)
    load = training_load(daily, today)
    plan = build_plan(today, readiness.today.state, readiness.today.explanation, load, override)
    usable = [m for m in ms if m.is_usable]
    sources: dict[str, int] = {}
    for m in ms:
        sources[m.source] = sources.get(m.source, 0) + 1
    last = max(usable, key=lambda m: m.start_utc) if usable else None
    return Status(today, readiness, load, plan, override, count, len(usable), last, sources)


def store_server_override(db: Database, payload: Mapping[str, Any] | None, *, today: date, now: datetime) -> CoachOverride | None:
    """Keep the server's current override for ``today`` in the store (origin "server"), or
    remove a stale one when the server has none. Returns what was stored."""
    ov = None if payload is None else override_from_server(payload, today, now_ms=int(now.timestamp() * 1000))
    with db.transaction() as repo:
        if ov is None:
            repo.clear_override(today, origin="server")
        else:
            created = payload.get("created_at_ms") if payload else None
            if isinstance(created, int) and not isinstance(created, bool):
                ov = replace(ov, created_utc=datetime.fromtimestamp(created / 1000, tz=timezone.utc))
            repo.set_override(ov, now=now)
    return ov


__all__ = ["FORMATS", "FileReport", "Status", "import_paths", "refresh_readiness", "status", "store_server_override"]
