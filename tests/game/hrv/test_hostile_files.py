"""Hostile and damaged files (issue 13 items 5-7, 9, 10): never a traceback, the good records up
to the damage are kept, a wrong file is refused with one line saying what it looks like."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest

from game.errors import ImportFileError
from game.hrv.importers import ImportOptions, read_file
from game.hrv.quality import assess_recording
from game.hrv.records import DeviceValue, RawItem, RRRecording
from tests.game.hrv.support import split_items, split_values

HRV = "hrv"


# ------------------------------------------------------------------------------------- FIT


@pytest.mark.shared_data
def test_fit_with_a_damaged_byte_keeps_the_beats_before_it(shared_data: Path, tmp_path: Path) -> None:
    """The issue's example: byte 4371 of garmin-fenix-5-run.fit set to 0xFF crashed fitdecode."""
    data = bytearray((shared_data / HRV / "garmin-fenix-5-run.fit").read_bytes())
    data[4371] = 0xFF
    path = tmp_path / "damaged.fit"
    path.write_bytes(bytes(data))
    recs, probs = split_items(list(read_file(path)))
    assert len(recs) == 1 and isinstance(recs[0], RRRecording) and len(recs[0].rr_ms) > 50
    (problem,) = [p for p in probs if "damaged" in p.message]
    # The damaged byte is in a definition; decoding fails where a message uses it.
    assert problem.origin.unit == "byte" and problem.origin.line is not None and 4371 <= problem.origin.line < len(data)
    assert "\n" not in str(problem)


def _with_local_timestamp(data: bytes, shift_s: int) -> bytes:
    """The FIT file with its activity local_timestamp moved by ``shift_s`` and the CRC redone."""
    import fitdecode
    from fitdecode.utils import compute_crc

    out = bytearray(data)
    with fitdecode.FitReader(data, keep_raw_chunks=True) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "activity":
                raw = frame.get_field("local_timestamp").raw_value
                at = bytes(frame.chunk.bytes).index(struct.pack("<I", raw)) + frame.chunk.offset
                out[at: at + 4] = struct.pack("<I", raw + shift_s)
                break
        else:
            raise AssertionError("no activity message")
    out[-2:] = struct.pack("<H", compute_crc(out, end=len(out) - 2))
    return bytes(out)


@pytest.mark.shared_data
@pytest.mark.parametrize("shift_h", [24, 30, -40, 24 * 3650])
def test_fit_local_timestamp_a_day_or_more_off_is_not_a_time_zone(shared_data: Path, tmp_path: Path,
                                                                   shift_h: int) -> None:
    data = (shared_data / HRV / "garmin-edge-820-bike.fit").read_bytes()
    path = tmp_path / "shifted.fit"
    path.write_bytes(_with_local_timestamp(data, shift_h * 3600))
    tz = timezone.utc
    recs, probs = split_items(list(read_file(path, ImportOptions(local_tz=tz))))
    (rec,) = recs
    assert isinstance(rec, RRRecording) and rec.utc_offset_min == 0
    assert any("local_timestamp" in p.message and not p.is_fatal for p in probs)
    assert assess_recording(rec).day == rec.start_utc.date()  # crashed in records.local_day before


@pytest.mark.shared_data
def test_fit_local_timestamp_of_a_real_zone_is_still_used(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / HRV / "garmin-edge-820-bike.fit").read_bytes()
    path = tmp_path / "plus2.fit"
    path.write_bytes(_with_local_timestamp(data, 9 * 3600))  # the file says -7 h; now +2 h
    (rec,), probs = split_items(list(read_file(path)))
    assert isinstance(rec, RRRecording) and rec.utc_offset_min == 120 and not probs


# ------------------------------------------------------------------------ calendar ends

ENDS = ["0001-01-01", "9999-12-31"]


def _calendar_files(tmp_path: Path, day: str) -> dict[str, Path]:
    """One file per dated layout, each with a row at ``day`` between two good rows."""
    compact = day.replace("-", "")
    files = {
        "whoop": ("physiological_cycles.csv",
                  "Cycle start time,Cycle end time,Cycle timezone,Resting heart rate (bpm),Heart rate variability (ms),"
                  "Sleep onset,Wake onset\n"
                  "2024-03-01 23:00:00,2024-03-02 22:00:00,UTC+14:00,50,60,2024-03-01 23:00:00,2024-03-02 06:30:00\n"
                  f"{day} 00:00:00,{day} 22:00:00,UTC-12:00,50,60,{day} 00:00:00,{day} 06:30:00\n"
                  f"{day} 00:00:00,{day} 22:00:00,UTC+14:00,50,60,{day} 00:00:00,{day} 06:30:00\n"
                  "2024-03-03 23:00:00,2024-03-04 22:00:00,UTC+01:00,50,60,2024-03-03 23:00:00,2024-03-04 06:30:00\n"),
        "apple_csv": ("apple.csv",
                      "type,sourceName,unit,startDate,endDate,value\n"
                      "HKQuantityTypeIdentifierHeartRateVariabilitySDNN,W,ms,2024-01-10 07:00:00 +0900,x,50\n"
                      f"HKQuantityTypeIdentifierHeartRateVariabilitySDNN,W,ms,{day} 07:00:00 +1400,x,50\n"
                      f"HKQuantityTypeIdentifierRestingHeartRate,W,count/min,{day} 07:00:00 -1200,x,50\n"
                      "HKQuantityTypeIdentifierRestingHeartRate,W,count/min,2024-01-11 07:00:00 +0900,x,50\n"),
        "apple_xml": ("export.xml",
                      '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n'
                      ' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" '
                      'startDate="2024-01-10 07:00:00 +0900" endDate="x" value="50"/>\n'
                      ' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" '
                      f'startDate="{day} 07:00:00 +1400" endDate="x" value="50"/>\n'
                      ' <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="W" unit="count/min" '
                      'startDate="2024-01-11 07:00:00 +0900" endDate="x" value="50"/>\n</HealthData>\n'),
        "health_connect": ("hc.csv",
                           "time,zoneOffset,heartRateVariabilityMillis\n2026-03-01T22:30:00Z,+09:00,48.5\n"
                           f"{day}T00:00:00Z,+14:00,40\n{day}T23:59:59,-12:00,40\n2026-03-02T22:30:00Z,+09:00,48.5\n"),
        "fitbit": ("fitbit.csv",
                   "timestamp,rmssd,nremhr,entropy\n2026-03-01T00:00:00,35.2,55.1,2.9\n"
                   f"{day}T00:00:00,35.2,55.1,2.9\n{day}T23:59:59+14:00,35.2,55.1,2.9\n2026-03-02T00:00:00,31.0,56.0,2.8\n"),
    }
    out = {}
    for kind, (name, text) in files.items():
        path = tmp_path / kind / name
        path.parent.mkdir()
        path.write_text(text)
        out[kind] = path
    hrm = tmp_path / "polar" / "old.hrm"
    hrm.parent.mkdir()
    hrm.write_text(f"[Params]\nVersion=106\nMonitor=22\nDate={compact}\nStartTime=23:59:59.0\nInterval=238\n\n[HRData]\n"
                   + "\n".join(str(1000 + (i % 7) * 10) for i in range(200)) + "\n")
    out["polar"] = hrm
    return out


@pytest.mark.parametrize("day", ENDS)
def test_rows_at_the_ends_of_the_calendar_are_refused_one_by_one(tmp_path: Path, day: str) -> None:
    tz = timezone.utc
    for kind, path in _calendar_files(tmp_path, day).items():
        recs, probs = split_items(list(read_file(path, ImportOptions(local_tz=tz))))
        assert all(1980 <= r.start_utc.year <= 2099 for r in recs), kind
        if kind == "polar":
            # The whole file is one recording: its start is estimated (file time), with a warning.
            (rec,) = recs
            assert isinstance(rec, RRRecording) and rec.is_start_estimated and day[:4] not in str(rec.start_utc)
            assert any(day.replace("-", "") in p.message or day in p.message for p in probs)
            continue
        assert len(recs) == 2, kind
        bad = [p for p in probs if day in p.message]
        assert bad and all(not p.is_fatal and p.origin.line for p in bad), (kind, probs)


def test_a_store_holding_a_record_at_the_end_of_the_calendar_still_gives_readiness(tmp_path: Path) -> None:
    """Older versions committed Polar Date=00010101 records; readiness then crashed for good."""
    from datetime import date, datetime, timedelta

    from game.hrv.service import refresh_readiness, status
    from game.storage import open_database
    from tests.game.hrv.factories import nightly, series

    now = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
    today = date(2026, 11, 30)
    good = series(today - timedelta(days=29), [3.9 + 0.01 * (i % 5) for i in range(30)])
    ancient = nightly(date(1, 1, 1), 40.0)
    future = nightly(date(9999, 12, 31) - timedelta(days=1), 40.0, rhr=50.0)
    with open_database(tmp_path / "t.db") as db:
        with db.transaction() as repo:
            repo.add_new_measurements([*good, ancient, future], now=now)
        refresh_readiness(db, today=today, now=now)
        st = status(db, today=today, now=now)
        assert st.readiness.today.state in ("normal", "low", "high")
        with db.transaction() as repo:
            assert all(r.day.year >= 1980 for r in repo.readiness_history())


# ------------------------------------------------------------------ Apple exports: memory, zip


def _one_line(src: Path, dst: Path) -> None:
    with src.open("rb") as fi, dst.open("wb") as fo:
        while chunk := fi.read(1 << 20):
            fo.write(chunk.replace(b"\n", b" "))


def _traced_peak(path: Path) -> tuple[list[RawItem], int]:
    import tracemalloc

    tracemalloc.start()
    try:
        items = list(read_file(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return items, peak


def test_an_export_on_one_line_streams_in_bounded_memory(tmp_path: Path) -> None:
    """Memory used to grow with line length (a 100 MB one-line export.xml peaked at 782 MB)."""
    from benchmarks.hrv_apple_export import write_export

    lines = tmp_path / "lines.xml"
    truth = write_export(lines, 6_000_000, seed=5)
    path = tmp_path / "export.xml"
    _one_line(lines, path)
    items, peak = _traced_peak(path)
    recs, probs = split_items(items)
    assert not probs and len(recs) == truth.hrv_records + truth.rhr_records
    assert peak < 2_000_000, f"peak {peak / 1e6:.1f} MB for a {truth.bytes_written / 1e6:.0f} MB line"


@pytest.mark.parametrize("filler", [b" ", b"<!-- ", b"<Record value='"])
def test_one_giant_element_or_text_run_is_refused_in_bounded_memory(tmp_path: Path, filler: bytes) -> None:
    path = tmp_path / "export.xml"
    with path.open("wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n')
        fh.write(b' <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="W" unit="count/min" '
                 b'startDate="2024-01-11 07:00:00 +0900" endDate="x" value="50"/>\n')
        fh.write(filler)
        for _ in range(12):
            fh.write(b"x" * (1 << 20) if filler != b" " else b" " * (1 << 20))
        fh.write(b"\n</HealthData>\n")
    items, peak = _traced_peak(path)
    recs, probs = split_items(items)
    assert len(recs) == 1  # the record before the giant is kept
    (fatal,) = [p for p in probs if p.is_fatal]
    assert "over 4 MB" in fatal.message and "\n" not in fatal.message
    assert peak < 40_000_000


def _zip_with(tmp_path: Path, name: str, payload_chunks: int, chunk: bytes) -> Path:
    import zipfile

    path = tmp_path / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("apple_health_export/export.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n')
            for _ in range(payload_chunks):
                fh.write(chunk)
            fh.write(b"\n</HealthData>\n")
    return path


def test_zip_bomb_is_refused_before_reading(tmp_path: Path) -> None:
    path = _zip_with(tmp_path, "export.zip", 64, b" " * (1 << 20))  # 64 MB of one line in ~64 KB
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportFileError, match="zip bomb") as err:
        list(read_file(path))
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_output_beyond_the_ratio_stops_reading_even_if_the_header_lies() -> None:
    import io

    from game.hrv.importers import _RatioGuard

    guard = _RatioGuard(io.BytesIO(b"a" * 5000), 1000, "x.zip!export.xml")
    with pytest.raises(ImportFileError, match="zip bomb"):
        while guard.readline(300):
            pass


def _patch_zip(path: Path, *, method: int | None = None, flags: int | None = None) -> None:
    """Set the compression method / flag bits of the first member in both of its headers."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    if method is not None:
        data[local + 8: local + 10] = struct.pack("<H", method)
        data[central + 10: central + 12] = struct.pack("<H", method)
    if flags is not None:
        data[local + 6: local + 8] = struct.pack("<H", flags)
        data[central + 8: central + 10] = struct.pack("<H", flags)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("kind", "expected"), [("deflate64", "Deflate64"), ("encrypted", "encrypted")])
def test_deflate64_and_encrypted_members_are_refused_clearly(tmp_path: Path, kind: str, expected: str) -> None:
    path = _zip_with(tmp_path, "export.zip", 1, b"<Me/>")
    _patch_zip(path, method=9) if kind == "deflate64" else _patch_zip(path, flags=0x1)
    with pytest.raises(ImportFileError, match=expected) as err:
        list(read_file(path))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("encoding", ["x-foo", "utf-32", "ebcdic-cp-us"])
def test_an_unknown_xml_encoding_is_refused_clearly(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>\n<HealthData locale="en_US">\n'
                     "</HealthData>\n".encode())
    _, probs = split_items(list(read_file(path)))
    (fatal,) = probs
    assert fatal.is_fatal and "encoding" in fatal.message


WHOOP_HEAD = ("Cycle start time,Cycle end time,Cycle timezone,Resting heart rate (bpm),Heart rate variability (ms),"
              "Sleep onset,Wake onset\n")
WHOOP_ROW = "2024-03-0{d} 23:00:00,2024-03-0{e} 22:00:00,UTC+01:00,50,60,2024-03-0{d} 23:00:00,2024-03-0{e} 06:30:00\n"


def _read_until_refused(path: Path) -> tuple[list[RawItem], ImportFileError | None]:
    items: list[RawItem] = []
    try:
        for item in read_file(path):
            items.append(item)
    except ImportFileError as exc:
        return items, exc
    return items, None


@pytest.mark.parametrize("quoted", [True, False])
def test_a_csv_field_over_128_kb_or_a_huge_line_stops_with_one_line(tmp_path: Path, quoted: bool) -> None:
    path = tmp_path / "physiological_cycles.csv"
    huge = '"' + "9" * 200_000 + '"' if quoted else "9" * (2 << 20)
    path.write_text(WHOOP_HEAD + WHOOP_ROW.format(d=1, e=2) + f"{huge},x\n" + WHOOP_ROW.format(d=3, e=4))
    items, err = _read_until_refused(path)
    assert len(split_items(items)[0]) == 1  # the good row before it is kept
    assert err is not None and "line 3" in str(err) and "\n" not in str(err)


# ------------------------------------------------------------------------------ wrong files


def _ecg_table(path: Path, rows: int = 3000, *, header: bool = True) -> None:
    """An OpenSignals-style ECG sample file: 6 tab-separated columns of ADC values at 1 kHz."""
    import math as m

    lines = ['# OpenSignals Text File Format', '# {"00:07:80:0F:31:2B": {"sampling rate": 1000}}',
             "# EndOfHeader"] if header else []
    for i in range(rows):
        phase = (i % 850) / 850.0
        ecg = int(512 + 40 * m.sin(2 * m.pi * phase) + (380 if phase < 0.012 else 0))
        lines.append(f"{i % 16}\t1\t1\t0\t0\t{ecg}")
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("header", [True, False])
def test_an_ecg_sample_table_is_not_rr_intervals(tmp_path: Path, header: bool) -> None:
    """It imported as 22,350 'RR intervals', 100 % clean, from its last column."""
    path = tmp_path / "opensignals_ecg.txt"
    _ecg_table(path, header=header)
    recs, probs = split_items(list(read_file(path)))
    assert not recs
    (fatal,) = probs
    assert fatal.is_fatal and "6 numeric columns" in fatal.message and "ECG" in fatal.message


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([float(v) for v in range(55, 95)] * 3, "heart rates in bpm"),  # a heart-rate column
        ([12.0 * (i % 40) for i in range(120)], "heartbeat intervals"),  # a counter
        ([300.0 + (i * 7919) % 1700 for i in range(200)], "successive values differ"),  # unrelated numbers
    ],
)
def test_any_numeric_column_is_judged_as_rr_before_import(tmp_path: Path, values: list[float], expected: str) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("\n".join(f"{v:g}" for v in values) + "\n")
    recs, probs = split_items(list(read_file(path)))
    assert not recs and probs[-1].is_fatal and expected in probs[-1].message


def test_two_columns_that_are_not_elapsed_time_and_rr_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "two.txt"
    path.write_text("\n".join(f"{800 + (i * 37) % 60} {810 + (i * 53) % 50}" for i in range(200)) + "\n")
    recs, probs = split_items(list(read_file(path)))
    assert not recs and probs[-1].is_fatal and "elapsed time" in probs[-1].message


def test_a_table_whose_header_names_the_rr_column_is_read_from_it(tmp_path: Path) -> None:
    path = tmp_path / "beats.txt"
    rows = [f"{i * 0.8:.3f}\t{800 + 10 * (i % 5)}\t{75 - (i % 3)}" for i in range(120)]
    path.write_text("time\tRR\tHR\n" + "\n".join(rows) + "\n")
    (rec,), probs = split_items(list(read_file(path)))
    assert isinstance(rec, RRRecording) and rec.rr_ms[:3] == (800.0, 810.0, 820.0) and not probs


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["elitehrv_export.txt", "real_rri.txt", "rest_rri.txt", "polar_v800_export.txt"])
def test_real_rr_files_pass_the_plausibility_check(shared_data: Path, name: str) -> None:
    recs, probs = split_items(list(read_file(shared_data / HRV / name)))
    assert len(recs) == 1 and not [p for p in probs if p.is_fatal]


# ------------------------------------------------------------------ one command, many files


def test_each_file_of_an_import_is_independent(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused files print one line each, the good ones are imported, readiness is refreshed,
    and the exit status is 5. A bug of ours on one file (simulated) aborts nothing either."""
    from game.cli import main
    from game.hrv import service
    from game.storage import open_database

    good = tmp_path / "physiological_cycles.csv"
    good.write_text(WHOOP_HEAD + WHOOP_ROW.format(d=1, e=2) + WHOOP_ROW.format(d=3, e=4))
    ecg = tmp_path / "ecg.txt"
    _ecg_table(ecg)
    bomb = _zip_with(tmp_path, "export.zip", 16, b" " * (1 << 20))
    cursed = tmp_path / "cursed.txt"
    cursed.write_text("\n".join(["1000"] * 100))
    later = tmp_path / "later.txt"
    later.write_text("\n".join(str(900 + 10 * (i % 4)) for i in range(100)))
    real_read = service.read_file

    def read_file_with_a_bug(path: Path, *args: Any, **kwargs: Any) -> Iterator[RawItem]:
        if path.name == "cursed.txt":
            raise ZeroDivisionError("simulated bug")
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(service, "read_file", read_file_with_a_bug)
    code = main(["hrv", "import", str(good), str(ecg), str(bomb), str(cursed), str(later)])
    _, err = capsys.readouterr()
    assert code == 5
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 3  # one line per refused file ...
    assert "3 of 5 file(s) could not be imported" in err.splitlines()[-1]  # ... and the summary
    assert any("ecg.txt" in e and "numeric columns" in e for e in errors)
    assert any("export.zip" in e and "zip bomb" in e for e in errors)
    assert any("cursed.txt" in e and "unexpected error" in e for e in errors)
    assert "Traceback" not in err
    with open_database() as db, db.transaction() as repo:
        assert repo.measurement_count() == 3  # two WHOOP nights and the later RR file
        assert repo.readiness_history()  # refreshed at the end


# ------------------------------------------------------------ Apple CSVs from other converters


def _converter_csv(path: Path, rows: list[tuple[str, str, str]], *, unit: str, type_col: str | None = None) -> None:
    """The layout of converters that write one pandas frame per type: an unnamed index column,
    then source, start, end, duration, value, unit (and sometimes more)."""
    head = ",source,start,end,duration,value,unit,device" + (",type" if type_col else "")
    lines = [head]
    for i, (start, end, value) in enumerate(rows):
        extra = f",{type_col}" if type_col else ""
        lines.append(f'{i},Jo’s Apple Watch,{start},{end},0 days 00:01:05,{value},{unit},"<<HKDevice>, name:Apple '
                     f'Watch, model:Watch>"{extra}')
    path.write_text("\n".join(lines) + "\n")


def test_apple_csv_from_other_converters_sdnn_by_file_name(tmp_path: Path) -> None:
    from datetime import date

    path = tmp_path / "HeartRateVariabilitySDNN.csv"
    _converter_csv(path, [("2023-11-20 08:00:00+01:00", "2023-11-20 08:01:05+01:00", "45.5"),
                          ("2023-11-21 07:30:00 +0100", "2023-11-21 07:31:00 +0100", "52"),
                          ("2023-11-22T23:30:00-05:00", "2023-11-22T23:31:00-05:00", "38.25")], unit="ms")
    recs, probs = split_values(list(read_file(path)))
    assert not probs
    assert [(r.day, r.sdnn_ms, r.device) for r in recs] == [
        (date(2023, 11, 20), 45.5, "Apple Watch"), (date(2023, 11, 21), 52.0, "Apple Watch"),
        (date(2023, 11, 22), 38.25, "Apple Watch")]
    assert recs[2].utc_offset_min == -300


def test_apple_csv_from_other_converters_resting_hr_and_type_column(tmp_path: Path) -> None:
    rhr = tmp_path / "HKQuantityTypeIdentifierRestingHeartRate.csv"
    _converter_csv(rhr, [("2023-11-20 00:00:00+01:00", "2023-11-20 23:59:00+01:00", "51")], unit="count/min")
    (rec,), probs = split_items(list(read_file(rhr)))
    assert isinstance(rec, DeviceValue) and rec.resting_hr_bpm == 51.0 and rec.sdnn_ms is None and not probs
    mixed = tmp_path / "health.csv"
    _converter_csv(mixed, [("2023-11-20 08:00:00+01:00", "x", "60")], unit="count/min",
                   type_col="HKQuantityTypeIdentifierHeartRate")
    recs, probs = split_items(list(read_file(mixed)))
    assert not recs and probs[-1].is_fatal and "named after its type" in probs[-1].message


def test_apple_csv_without_type_is_sdnn_only_when_in_ms(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    _converter_csv(path, [("2023-11-20 08:00:00+01:00", "x", "44")], unit="ms")
    (rec,), _ = split_items(list(read_file(path)))
    assert isinstance(rec, DeviceValue) and rec.sdnn_ms == 44.0


def test_a_start_option_at_the_end_of_the_calendar_is_a_usage_error(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from game.cli import main

    path = tmp_path / "rr.txt"
    path.write_text("\n".join(["1000"] * 100))
    assert main(["hrv", "import", str(path), "--start", "0001-01-01T00:00"]) == 2
    assert "outside 1980-2099" in capsys.readouterr().err
