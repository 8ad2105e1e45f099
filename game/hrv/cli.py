"""``ringside hrv``: import HRV files, show readiness and today's plan, set a coach override.

Heavy libraries (NeuroKit2, fitdecode, SQLAlchemy) are imported inside the commands.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from game.errors import ImportFileError, UsageError
from game.net.override import latest_coach_override


def _local_tz(name: str | None) -> tzinfo:
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(f"unknown time zone {name!r} (use an IANA name such as Europe/Zurich)") from None
    tz = datetime.now().astimezone().tzinfo
    return tz or timezone.utc


def _today(day: str | None, tz: tzinfo) -> date:
    if day:
        try:
            return date.fromisoformat(day)
        except ValueError:
            raise UsageError(f"--date {day!r} is not a date like 2026-11-30") from None
    return datetime.now(tz).date()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _offset_min(tz: tzinfo) -> int:
    off = datetime.now(tz).utcoffset() or timedelta(0)
    return int(off.total_seconds() // 60)


@click.group()
def hrv() -> None:
    """Recovery-aware training: import HRV, see readiness and today's plan."""


@hrv.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per recording or daily value.")
@click.option("--start", help="Start time for files with no date inside (plain RR text), e.g. 2026-11-30T07:05.")
@click.option("--context", type=click.Choice(["rest", "night", "spot", "exercise"]),
              help="Say how the recording was taken when the file does not (default: guessed).")
@click.option("--tz", "tz_name", help="Time zone for dates that carry none (default: this computer's).")
def import_cmd(paths: tuple[Path, ...], as_json: bool, start: str | None, context: str | None, tz_name: str | None) -> None:
    """Import HRV files: Garmin FIT, Polar HRM/TXT, Elite HRV, RR text, Apple Health export.xml or
    export.zip, Apple Health CSV, WHOOP physiological_cycles.csv, Health Connect and Fitbit HRV CSV.

    Importing the same file again adds nothing. Bad lines are reported and skipped; the good
    records of a damaged file are kept.
    """
    from game.hrv.importers import FORMATS, ImportOptions  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.hrv.service import import_paths, refresh_readiness  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.storage import open_database  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    tz = _local_tz(tz_name)
    start_dt = None
    if start:
        try:
            start_dt = datetime.fromisoformat(start)
        except ValueError:
            raise UsageError(f"--start {start!r} is not a date-time like 2026-11-30T07:05") from None
        if start_dt.tzinfo is None:
            start_dt = start_dt.replace(tzinfo=tz)
        from game.hrv.records import check_instant  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

        try:
            check_instant(start_dt)
        except ValueError as exc:
            raise UsageError(f"--start {start!r}: {exc}") from None
    options = ImportOptions(local_tz=tz, start=start_dt, context=context)  # type: ignore[arg-type]
    bars: list[Any] = []

    def progress(path: Path, size: int) -> Any:
        from tqdm import tqdm  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

        bar = tqdm(total=size, unit="B", unit_scale=True, desc=path.name[:30], leave=False,
                   disable=None if size > 1_000_000 else True)
        bars.append(bar)
        return bar.update

    def emit(path: Path, fmt: str, m: Any, is_new: bool) -> None:
        click.echo(json.dumps({"file": str(path), "format": fmt, **m.to_json(), "is_new": is_new}))

    now = _now()
    with open_database() as db:
        reports = import_paths(db, list(paths), now=now, options=options, progress=progress,
                               on_measurement=emit if as_json else None)
        for bar in bars:
            bar.close()
        refresh_readiness(db, today=_today(None, tz), now=now)
    failed = 0
    for rep in reports:
        for problem in rep.problems:
            click.echo(f"warning: {problem}", err=True)
        if rep.error:
            failed += 1
            click.echo(f"error: {rep.error}", err=True)
        if rep.skipped:
            click.echo(f"skipped: {rep.skipped}", err=True)
            continue
        if as_json or rep.error:
            continue
        label = FORMATS.get(rep.format or "", rep.format or "?")
        moved = f", {rep.moved} moved to the given start" if rep.moved else ""
        click.echo(f"{rep.path.name}: {label}: {rep.count} record(s), {rep.added} new{moved}, {rep.usable} usable")
        if rep.count <= len(rep.sample):
            for m in rep.sample:
                click.echo("  " + _describe(m))
    if not as_json:
        total_new = sum(r.added for r in reports)
        done = sum(1 for r in reports if not r.error and not r.skipped)
        click.echo(f"Imported {total_new} new record(s) from {done} file(s).")
    if failed:
        raise ImportFileError(f"{failed} of {len(reports)} file(s) could not be imported (see above); "
                              "everything else was saved")


def _describe(m: Any) -> str:
    parts = [m.start_local().strftime("%Y-%m-%d %H:%M"), m.context]
    if m.rmssd_ms is not None:
        parts.append(f"RMSSD {m.rmssd_ms:.1f} ms")
    if m.sdnn_ms is not None:
        parts.append(f"SDNN {m.sdnn_ms:.1f} ms")
    if m.resting_hr_bpm is not None:
        parts.append(f"resting HR {m.resting_hr_bpm:.0f} bpm")
    if m.kind == "rr":
        parts.append(f"{m.beats_used} beats, {m.artefacts_corrected} corrected, {m.quality:.1%} clean")
    text = ", ".join(parts)
    if not m.is_usable:
        text += f" -- not used: {m.reject_reason}"
    if m.notes:
        text += " (" + "; ".join(m.notes) + ")"
    return text


@hrv.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print readiness, its inputs and today's plan as JSON.")
@click.option("--date", "day", help="Show another day (YYYY-MM-DD) instead of today.")
@click.option("--tz", "tz_name", help="Time zone that decides what 'today' is (default: this computer's).")
def status_cmd(as_json: bool, day: str | None, tz_name: str | None) -> None:
    """Readiness (with the numbers behind it), its inputs and today's plan."""
    from game.hrv.service import status  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.storage import open_database  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    tz = _local_tz(tz_name)
    today = _today(day, tz)
    with open_database() as db:
        st = status(db, today=today, now=_now(), utc_offset_min=_offset_min(tz))
    if as_json:
        click.echo(json.dumps(st.to_json(), indent=2))
        return
    r = st.readiness.today
    click.echo(f"Readiness {today.isoformat()}: {r.state.upper()}")
    click.echo(f"  {r.explanation}")
    if r.series_key == "rmssd:none":
        click.echo("  import one with: ringside hrv import PATH (Garmin FIT, Polar, Apple Health, WHOOP, RR text)")
    if r.band_low_ln is not None and r.rolling7_ln is not None:
        click.echo(f"  series {r.series_key} (ln ms): 7-day {r.rolling7_ln:.2f}, normal {r.band_low_ln:.2f}-{r.band_high_ln:.2f}, "
                   f"{r.readings_7d} readings this week, {r.readings_60d} in 60 days")
    if r.resting_hr_bpm is not None:
        click.echo(f"  resting HR {r.resting_hr_bpm:.0f} bpm" + (" (elevated)" if r.is_rhr_elevated else ""))
    click.echo(f"  inputs: {st.measurement_count} stored record(s); training load 7 days {st.load.acute_au:.0f} AU, "
               f"usual week {st.load.chronic_weekly_au:.0f} AU")
    p = st.plan
    head = "Today's plan" + (f" (coach override by {p.override_by})" if p.is_override else "")
    click.echo(f"{head}: {p.intensity}, about {p.total_min} min")
    b = p.boxing
    if b.rounds:
        click.echo(f"  shadowboxing ({b.style}): {b.rounds} x {b.round_s} s, rest {b.rest_s} s, {b.bpm} BPM, "
                   f"{b.density_targets_per_beat:g} targets/beat, combos up to {b.combo_max_len}")
    if p.squats.sets:
        click.echo(f"  squats: {p.squats.sets} x {p.squats.reps}, rest {p.squats.rest_s} s, "
                   f"stop a set at {p.squats.stop_velocity_loss_pct} % velocity loss")
    if p.mobility_min:
        click.echo(f"  mobility: {p.mobility_min} min")
    click.echo(f"  why: {p.reason}")


@hrv.command("trend")
@click.option("--json", "as_json", is_flag=True, help="Print the chart series as JSON.")
@click.option("--days", default=28, show_default=True, type=click.IntRange(1, 365))
@click.option("--date", "day", help="Last day of the trend (default: today).")
def trend_cmd(as_json: bool, days: int, day: str | None) -> None:
    """The HRV trend the game charts: daily value, 7-day mean and the normal band."""
    from game.hrv.trend import trend_from_measurements  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.storage import open_database  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    today = _today(day, _local_tz(None))
    with open_database() as db, db.transaction() as repo:
        ms = repo.measurements(since=today - timedelta(days=days + 80), until=today, with_beats=False)
    t = trend_from_measurements(ms, today, days=days)
    if as_json:
        click.echo(json.dumps(t.to_json(), indent=2))
        return
    click.echo(f"{t.label} ({t.series_key}), last {len(t)} day(s)")
    for i, d in enumerate(t.dates):
        v, m7, lo, hi = t.value_ln[i], t.rolling7_ln[i], t.band_low_ln[i], t.band_high_ln[i]
        click.echo(f"  {d.isoformat()}  value {_cell(v)}  7-day {_cell(m7)}  normal {_cell(lo)}-{_cell(hi)}  "
                   f"{t.states[i]}")


def _cell(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.2f}"


@hrv.group("override")
def override_group() -> None:
    """A coach's plan for a day: it wins over readiness and is shown as such."""


@override_group.command("set")
@click.option("--coach", required=True, help="Who decided (shown with the plan).")
@click.option("--preset", type=click.Choice(["rest", "easy", "normal", "hard"]), help="Start from a whole plan.")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="Adjust one field: rounds, round_s, rest_s, bpm, density, combo_max_len, window_scale, "
                   "squat_sets, squat_reps, mobility_min. Repeatable.")
@click.option("--note", default="", help="Why, in the coach's words.")
@click.option("--date", "day", help="Day it applies to (default: today).")
def override_set(coach: str, preset: str | None, sets: tuple[str, ...], note: str, day: str | None) -> None:
    """Set a local coach override (used when there is no leaderboard server)."""
    from game.hrv.plan import CoachOverride, validate_adjustment  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.storage import open_database  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    if not preset and not sets:
        raise UsageError("give --preset and/or at least one --set FIELD=VALUE")
    adjustments = []
    for item in sets:
        name, sep, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not math.isfinite(number):
            raise UsageError(f"--set {item!r} must look like FIELD=NUMBER, e.g. bpm=100")
        try:
            validate_adjustment(name.strip(), number)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        adjustments.append((name.strip(), number))
    today = _today(day, _local_tz(None))
    ov = CoachOverride(day=today, coach=coach.strip() or "coach", preset=preset, adjustments=tuple(sorted(adjustments)),
                       note=note.strip(), origin="local")
    with open_database() as db, db.transaction() as repo:
        repo.set_override(ov, now=_now())
    click.echo(f"Override set for {today.isoformat()} by {ov.coach}. 'ringside hrv status' shows the plan.")


@override_group.command("pull")
def override_pull() -> None:
    """Fetch the coach's override from the leaderboard server (or its offline copy) for today."""
    from game.hrv.service import store_server_override  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.storage import open_database  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    tz = _local_tz(None)
    payload = latest_coach_override()
    with open_database() as db:
        ov = store_server_override(db, payload, today=_today(None, tz), now=_now())
    if ov is None:
        click.echo("No current coach override on the server.")
    else:
        click.echo(f"Coach override from {ov.coach} stored for {ov.day.isoformat()} (preset '{ov.preset}').")


@override_group.command("clear")
@click.option("--date", "day", help="Day to clear (default: today).")
def override_clear(day: str | None) -> None:
    """Remove the local coach override for a day."""
    from game.storage import open_database  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    today = _today(day, _local_tz(None))
    with open_database() as db, db.transaction() as repo:
        n = repo.clear_override(today, origin="local")
    click.echo(f"Removed {n} override(s) for {today.isoformat()}.")
