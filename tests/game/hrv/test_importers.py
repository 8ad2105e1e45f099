"""Importers: every shared file, fixtures written from documented layouts, and bad input."""

from __future__ import annotations

import shutil
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from benchmarks.hrv_apple_export import write_export, zip_export
from game.errors import ImportFileError
from game.hrv.importers import ImportOptions, detect_format, read_file
from game.hrv.records import DeviceValue, ImportProblem, RRRecording
from tests.game.hrv.support import split_items, split_values

EXPECTED_FORMATS = {
    "apple_health_export_fixture.xml": "apple_xml",
    "apple_health_resting_hr.csv": "apple_csv",
    "apple_health_sdnn.csv": "apple_csv",
    "elitehrv_export.txt": "rr_text",
    "exercise_rri.hrm": "polar_hrm",
    "garmin-edge-820-bike.fit": "fit",
    "garmin-fenix-5-run.fit": "fit",
    "garmin-fenix-5-walk.fit": "fit",
    "polar_v800_export.txt": "polar_txt",
    "real_rri.txt": "rr_text",
    "rest_rri.txt": "rr_text",
    "whoop_physiological_cycles.csv": "whoop_csv",
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", sorted(EXPECTED_FORMATS))
def test_every_shared_hrv_file_imports(shared_data: Path, name: str) -> None:
    path = shared_data / "hrv" / name
    assert detect_format(path) == EXPECTED_FORMATS[name]
    recs, probs = split_items(list(read_file(path)))
    assert recs, f"{name}: no records"
    assert not [p for p in probs if p.is_fatal], probs
    for r in recs:
        assert r.start_utc.tzinfo is not None
        if isinstance(r, RRRecording):
            assert len(r.rr_ms) > 40
            assert 200 < sorted(r.rr_ms)[len(r.rr_ms) // 2] < 2000  # milliseconds, not seconds


@pytest.mark.shared_data
def test_fit_reads_beats_in_ms_and_marks_activity_as_exercise(shared_data: Path) -> None:
    (rec,), _ = split_items(list(read_file(shared_data / "hrv" / "garmin-edge-820-bike.fit")))
    assert isinstance(rec, RRRecording)
    assert rec.context == "exercise"
    assert rec.start_utc == datetime(2017, 6, 12, 16, 10, 15, tzinfo=timezone.utc)
    assert rec.rr_ms[:3] == (594.0, 588.0, 588.0)


@pytest.mark.shared_data
def test_polar_hrm_date_and_rr(shared_data: Path) -> None:
    tz = timezone(timedelta(hours=2))
    (rec,), _ = split_items(list(read_file(shared_data / "hrv" / "exercise_rri.hrm", ImportOptions(local_tz=tz))))
    assert isinstance(rec, RRRecording)
    assert rec.start_utc == datetime(2008, 2, 8, 6, 50, 31, tzinfo=timezone.utc)
    assert rec.utc_offset_min == 120
    assert rec.rr_ms[0] == 1589.0


@pytest.mark.shared_data
def test_polar_txt_uses_rr_column_in_seconds(shared_data: Path) -> None:
    (rec,), probs = split_items(list(read_file(shared_data / "hrv" / "polar_v800_export.txt")))
    assert isinstance(rec, RRRecording)
    assert rec.rr_ms[:3] == (749.0, 749.0, 760.0)
    assert not probs  # seconds are this format's documented unit: no warning


@pytest.mark.shared_data
def test_apple_fixture_sdnn_with_beats_and_resting_hr(shared_data: Path) -> None:
    recs, _ = split_items(list(read_file(shared_data / "hrv" / "apple_health_export_fixture.xml")))
    sdnn = [r for r in recs if isinstance(r, DeviceValue) and r.sdnn_ms is not None]
    rhr = [r for r in recs if isinstance(r, DeviceValue) and r.resting_hr_bpm is not None]
    assert [r.sdnn_ms for r in sdnn] == [45.3]
    assert sdnn[0].beats == 2 and sdnn[0].mean_hr_bpm == 70.0
    assert sdnn[0].beat_rr_ms == (833.3, 882.4)  # 72 and 68 bpm, kept as intervals
    assert sdnn[0].day == date(2023, 11, 20) and sdnn[0].utc_offset_min == 60
    assert [r.resting_hr_bpm for r in rhr] == [52.0]


@pytest.mark.shared_data
def test_whoop_nights_count_for_the_wake_day_in_their_zone(shared_data: Path) -> None:
    recs, probs = split_values(list(read_file(shared_data / "hrv" / "whoop_physiological_cycles.csv")))
    assert not probs
    assert len(recs) == 171
    first = recs[0]
    # 2024-06-23 20:24 sleep onset, woke 2024-06-24 05:44, zone UTC-04:00
    assert first.day == date(2024, 6, 24)
    assert first.utc_offset_min == -240
    assert first.start_utc == datetime(2024, 6, 24, 0, 24, 26, tzinfo=timezone.utc)
    assert first.rmssd_ms == 16.0 and first.resting_hr_bpm == 77.0
    assert len({r.day for r in recs}) == 171


@pytest.mark.shared_data
def test_apple_csv_metrics_kept_apart(shared_data: Path) -> None:
    sdnn, _ = split_values(list(read_file(shared_data / "hrv" / "apple_health_sdnn.csv")))
    rhr, _ = split_values(list(read_file(shared_data / "hrv" / "apple_health_resting_hr.csv")))
    assert len(sdnn) == 8 and all(r.rmssd_ms is None for r in sdnn)
    assert len(rhr) == 20 and all(r.resting_hr_bpm for r in rhr)


@pytest.mark.shared_data
def test_truncated_fit_keeps_beats_and_names_the_byte(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / "hrv" / "garmin-fenix-5-run.fit").read_bytes()
    cut = tmp_path / "cut.fit"
    cut.write_bytes(data[: len(data) * 2 // 3])
    recs, probs = split_items(list(read_file(cut)))
    assert len(recs) == 1 and isinstance(recs[0], RRRecording) and len(recs[0].rr_ms) > 50
    assert probs and "truncated" in probs[0].message
    assert str(cut) in str(probs[0]) and "byte" in str(probs[0])


# ------------------------------------------------------------------ fixtures written by the tests


def test_health_connect_csv_uses_zone_offset_for_the_day(tmp_path: Path) -> None:
    path = tmp_path / "hc_hrv.csv"
    path.write_text(
        "time,zoneOffset,heartRateVariabilityMillis,dataOrigin\n"
        "2026-03-01T22:30:00Z,+09:00,48.5,com.samsung.health\n"
        "2026-03-02T05:10:00Z,,51.0,com.fitbit\n"
        "not-a-date,+09:00,40,x\n"
    )
    recs, probs = split_values(list(read_file(path, ImportOptions(local_tz=timezone(timedelta(hours=-5))))))
    assert [r.day for r in recs] == [date(2026, 3, 2), date(2026, 3, 2)]
    assert recs[0].utc_offset_min == 540 and recs[1].utc_offset_min == -300
    assert [r.rmssd_ms for r in recs] == [48.5, 51.0]
    assert len(probs) == 1 and ":line 4" in str(probs[0]) and str(path) in str(probs[0])


def test_fitbit_daily_summary(tmp_path: Path) -> None:
    path = tmp_path / "Daily Heart Rate Variability Summary - 2026-03-(01).csv"
    path.write_text("timestamp,rmssd,nremhr,entropy\n2026-03-01T00:00:00,35.2,55.1,2.9\n2026-03-02T00:00:00,31.0,56.0,2.8\n")
    recs, probs = split_values(list(read_file(path)))
    assert not probs
    assert [(r.day, r.rmssd_ms, r.context) for r in recs] == [
        (date(2026, 3, 1), 35.2, "night"), (date(2026, 3, 2), 31.0, "night")]


def test_fitbit_details_file_gets_a_pointer_to_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "details.csv"
    path.write_text("timestamp,rmssd,coverage,low_frequency,high_frequency\n2026-03-01T01:00:00,30,0.9,100,200\n")
    with pytest.raises(ImportFileError, match="Daily Heart Rate Variability Summary"):
        list(read_file(path))


def test_unknown_csv_names_file_line_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "oura.csv"
    path.write_text("date,score,hrv_balance\n2026-01-01,80,good\n")
    with pytest.raises(ImportFileError) as err:
        list(read_file(path))
    msg = str(err.value)
    assert str(path) in msg and "line 1" in msg and "hrv_balance" in msg and "WHOOP" in msg


def test_rr_in_seconds_is_converted_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "rr_seconds.txt"
    path.write_text("\n".join(f"{0.8 + 0.01 * (i % 5):.3f}" for i in range(200)))
    recs, probs = split_items(list(read_file(path)))
    assert isinstance(recs[0], RRRecording)
    assert 790 <= recs[0].rr_ms[0] <= 850
    assert len(probs) == 1 and "seconds" in probs[0].message and f"{path}:line 1" in str(probs[0])
    assert not probs[0].is_fatal


def test_bad_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "2026-11-29 07-02-11.txt"
    path.write_text("RR\n1000\n1010\nabc\n990\n\n1005 7\n1001\n")
    recs, probs = split_items(list(read_file(path)))
    assert isinstance(recs[0], RRRecording)
    assert recs[0].rr_ms == (1000.0, 1010.0, 990.0, 1001.0)
    assert [p.origin.line for p in probs] == [4, 7]
    # the date in an Elite HRV file name is used as the start time
    assert not recs[0].is_start_estimated
    assert recs[0].start_utc.replace(tzinfo=None) == datetime(2026, 11, 29, 7, 2, 11)


def test_dateless_file_uses_start_option(tmp_path: Path) -> None:
    path = tmp_path / "rr.txt"
    path.write_text("\n".join(["1000"] * 100))
    start = datetime(2026, 11, 30, 7, 5, tzinfo=timezone(timedelta(hours=9)))
    (rec,), _ = split_items(list(read_file(path, ImportOptions(start=start))))
    assert isinstance(rec, RRRecording)
    assert rec.start_utc == start and rec.utc_offset_min == 540 and not rec.is_start_estimated


def test_empty_or_foreign_text_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(ImportFileError, match="empty"):
        list(read_file(empty))
    gpx = tmp_path / "route.gpx"
    gpx.write_text('<?xml version="1.0"?>\n<gpx><trk><name>run</name></trk></gpx>\n')
    with pytest.raises(ImportFileError, match="not an HRV file"):
        list(read_file(gpx))


def test_a_header_line_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "rr.txt"
    path.write_text("RR\n1000\n")
    recs, probs = split_items(list(read_file(path)))
    assert len(recs) == 1 and not probs


def test_hrm_with_hr_samples_not_rr_says_so(tmp_path: Path) -> None:
    path = tmp_path / "hr.hrm"
    path.write_text("[Params]\nVersion=106\nDate=20260101\nStartTime=07:00:00.0\nInterval=5\n\n[HRData]\n60\n61\n")
    recs, probs = split_items(list(read_file(path)))
    assert not recs and probs[0].is_fatal and "not RR intervals" in probs[0].message


def test_not_a_fit_file(tmp_path: Path) -> None:
    path = tmp_path / "x.fit"
    path.write_bytes(b"hello world, this is not a FIT file")
    with pytest.raises(ImportFileError, match="not a FIT file"):
        list(read_file(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="no such file"):
        list(read_file(tmp_path / "nope.csv"))


def test_apple_dates_in_other_time_zones(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="ja_JP">\n'
        ' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" '
        'startDate="2024-01-10 07:00:00 +0900" endDate="2024-01-10 07:01:00 +0900" value="50"/>\n'
        ' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" '
        'startDate="2024-01-10 23:30:00 -0700" endDate="2024-01-10 23:31:00 -0700" value="60"/>\n'
        ' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="W" unit="ms" '
        'startDate="yesterday" endDate="" value="60"/>\n'
        "</HealthData>\n"
    )
    recs, probs = split_values(list(read_file(path)))
    assert [r.day for r in recs] == [date(2024, 1, 10), date(2024, 1, 10)]
    assert recs[0].start_utc == datetime(2024, 1, 9, 22, 0, tzinfo=timezone.utc)
    assert recs[1].start_utc == datetime(2024, 1, 11, 6, 30, tzinfo=timezone.utc)
    assert len(probs) == 1 and probs[0].origin.line == 5


def test_apple_export_cut_mid_record_keeps_what_came_before(tmp_path: Path) -> None:
    full = tmp_path / "full.xml"
    truth = write_export(full, 400_000, seed=3)
    data = full.read_bytes()
    cut_at = data.index(b"HeartRateVariabilitySDNN", len(data) // 2) + 10
    cut = tmp_path / "export.xml"
    cut.write_bytes(data[:cut_at])
    recs, probs = split_items(list(read_file(cut)))
    assert 0 < len(recs) < truth.hrv_records + truth.rhr_records
    fatal = [p for p in probs if p.is_fatal]
    assert len(fatal) == 1
    assert str(cut) in str(fatal[0]) and "ends in the middle" in fatal[0].message
    assert fatal[0].origin.line == data[:cut_at].count(b"\n") + 1


def test_apple_zip_streams_export_xml(tmp_path: Path) -> None:
    xml = tmp_path / "export.xml"
    truth = write_export(xml, 300_000, seed=4)
    zpath = tmp_path / "export.zip"
    zip_export(xml, zpath)
    assert detect_format(zpath) == "apple_zip"
    recs, probs = split_items(list(read_file(zpath)))
    assert not probs
    assert len(recs) == truth.hrv_records + truth.rhr_records


def test_zip_without_export_and_broken_zip(tmp_path: Path) -> None:
    z = tmp_path / "other.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hi")
    with pytest.raises(ImportFileError, match="no export.xml"):
        list(read_file(z))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(z.read_bytes()[:20])
    with pytest.raises(ImportFileError, match="not a readable zip"):
        list(read_file(broken))


def test_big_export_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A few-MB export: every HRV and resting-HR record is found, and the parser's memory stays
    far below the file size (a parsed tree would be several times larger than the file)."""
    path = tmp_path / "export.xml"
    truth = write_export(path, 4_000_000, seed=11)
    tracemalloc.start()
    try:
        n_hrv = n_rhr = 0
        for item in read_file(path):
            assert not isinstance(item, ImportProblem), item
            assert isinstance(item, DeviceValue)
            n_hrv += item.sdnn_ms is not None
            n_rhr += item.resting_hr_bpm is not None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (n_hrv, n_rhr) == (truth.hrv_records, truth.rhr_records)
    assert peak < truth.bytes_written / 4, f"peak {peak / 1e6:.1f} MB for a {truth.bytes_written / 1e6:.1f} MB file"


def test_context_override(tmp_path: Path, shared_data: Path) -> None:
    src = shared_data / "hrv" / "garmin-edge-820-bike.fit"
    path = tmp_path / "morning.fit"
    shutil.copy(src, path)
    (rec,), _ = split_items(list(read_file(path, ImportOptions(context="rest"))))
    assert rec.context == "rest"


def test_whoop_zone_names_and_unknown_zones(tmp_path: Path) -> None:
    path = tmp_path / "physiological_cycles.csv"
    path.write_text(
        "Cycle start time,Cycle end time,Cycle timezone,Resting heart rate (bpm),Heart rate variability (ms),"
        "Sleep onset,Wake onset\n"
        "2024-03-01 23:00:00,2024-03-02 22:00:00,Asia/Tokyo,50,60,2024-03-01 23:00:00,2024-03-02 06:30:00\n"
        "2024-03-02 23:00:00,2024-03-03 22:00:00,Mars/Olympus,51,61,2024-03-02 23:00:00,2024-03-03 06:30:00\n"
    )
    recs, probs = split_values(list(read_file(path)))
    assert len(recs) == 1 and recs[0].utc_offset_min == 540 and recs[0].day == date(2024, 3, 2)
    assert len(probs) == 1 and f"{path}:line 3" in str(probs[0]) and "Mars/Olympus" in probs[0].message
