"""``ringside hrv``: import, status, trend and override, end to end on a temporary data dir."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.hrv_apple_export import write_export
from game.cli import main
from game.storage import open_database
from tests.game.hrv.factories import malik_rmssd


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _count() -> int:
    with open_database() as db, db.transaction() as repo:
        return repo.measurement_count()


@pytest.mark.shared_data
def test_import_json_then_reimport_adds_nothing(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "hrv", "import", str(shared_data / "hrv"), "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    files = {Path(r["file"]).name for r in rows}
    assert len(files) == 12
    for r in rows:
        for key in ("source", "start", "rmssd_ms", "sdnn_ms", "beats_used", "artefacts_corrected", "quality"):
            assert key in r
    rest = next(r for r in rows if r["file"].endswith("rest_rri.txt"))
    rr = np.array([float(x) for x in (shared_data / "hrv" / "rest_rri.txt").read_text().split()])
    assert abs(rest["rmssd_ms"] - malik_rmssd(rr)) < 1.0
    real = next(r for r in rows if r["file"].endswith("real_rri.txt"))
    assert real["artefacts_corrected"] >= 1 and any("impossible" in n for n in real["notes"])
    assert all(r["is_new"] for r in rows)
    stored = _count()
    assert stored == len(rows)

    code, out, _ = _run(capsys, "hrv", "import", str(shared_data / "hrv"), "--json")
    assert code == 0
    again = [json.loads(line) for line in out.splitlines()]
    assert len(again) == len(rows) and not any(r["is_new"] for r in again)
    assert _count() == stored


@pytest.mark.shared_data
def test_status_json_on_a_low_whoop_day(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "hrv", "import", str(shared_data / "hrv" / "whoop_physiological_cycles.csv"))[0] == 0
    code, out, _ = _run(capsys, "hrv", "status", "--json", "--date", "2024-06-20")
    assert code == 0
    st = json.loads(out)
    assert st["readiness"]["state"] == "low"
    assert st["readiness"]["series"] == "rmssd:whoop"
    assert st["readiness"]["rolling7_ln"] < st["readiness"]["normal_low_ln"]
    assert st["inputs"]["measurements"] == 171
    assert st["plan"]["intensity"] == "easy" and st["plan"]["boxing"]["style"] == "steady"
    assert st["plan"]["volume_change_pct"] < 0 and "below your normal range" in st["plan"]["reason"]

    code, out, _ = _run(capsys, "hrv", "status", "--date", "2024-06-20")
    assert "LOW" in out and "Today's plan: easy" in out and "why:" in out

    code, out, _ = _run(capsys, "hrv", "trend", "--json", "--date", "2024-06-20", "--days", "14")
    t = json.loads(out)
    assert len(t["dates"]) == 14 and t["dates"][-1] == "2024-06-20" and t["states"][-1] == "low"


def test_override_set_show_clear(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "hrv", "override", "set", "--coach", "Sam", "--preset", "easy",
                          "--set", "bpm=96", "--note", "travel day", "--date", "2026-11-30")
    assert code == 0, err
    code, out, _ = _run(capsys, "hrv", "status", "--json", "--date", "2026-11-30")
    plan = json.loads(out)["plan"]
    assert plan["is_override"] and plan["override_by"] == "Sam" and plan["boxing"]["bpm"] == 96
    assert plan["reason"].startswith("Coach override by Sam") and "travel day" in plan["reason"]
    code, out, _ = _run(capsys, "hrv", "status", "--date", "2026-11-30")
    assert "coach override by Sam" in out
    assert _run(capsys, "hrv", "override", "clear", "--date", "2026-11-30")[0] == 0
    code, out, _ = _run(capsys, "hrv", "status", "--json", "--date", "2026-11-30")
    assert not json.loads(out)["plan"]["is_override"]


@pytest.mark.parametrize("bad", ["bpm=900", "laps=3", "bpm"])
def test_override_rejects_bad_fields(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    code, _, err = _run(capsys, "hrv", "override", "set", "--coach", "Sam", "--set", bad)
    assert code == 2 and "ringside: error:" in err


def test_bad_file_among_good_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "2026-11-29 07-00-00.txt"
    good.write_text("\n".join(str(1000 + (i % 7) * 10) for i in range(120)))
    unknown = tmp_path / "garmin_connect.csv"
    unknown.write_text("Date,Overnight HRV,Baseline\n2026-11-29,45,40-50\n")
    code, out, err = _run(capsys, "hrv", "import", str(good), str(unknown))
    assert code == 5
    assert f"{unknown}: line 1: unknown CSV layout" in err
    assert "1 of 2 file(s) could not be imported" in err
    assert "Imported 1 new record(s)" in out
    assert _count() == 1


def test_a_cut_off_export_loses_nothing_already_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full = tmp_path / "full" / "export.xml"
    full.parent.mkdir()
    truth = write_export(full, 300_000, seed=9)
    assert _run(capsys, "hrv", "import", str(full))[0] == 0
    stored = _count()
    assert stored == truth.hrv_records + truth.rhr_records
    data = full.read_bytes()
    cut = tmp_path / "export.xml"
    cut.write_bytes(data[: len(data) // 2])
    code, out, err = _run(capsys, "hrv", "import", str(cut))
    assert code == 0  # the good half is a valid import; the cut is a warning naming file and line
    assert f"warning: {cut}:line " in err and "ends in the middle" in err
    assert _count() == stored  # nothing lost, nothing doubled


def test_status_with_no_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "hrv", "status", "--json", "--date", "2026-11-30")
    st = json.loads(out)
    assert code == 0 and st["readiness"]["state"] == "learning" and st["plan"]["intensity"] == "normal"


def test_no_data_says_how_to_import_in_the_words_of_each_place(capsys: pytest.CaptureFixture[str]) -> None:
    """The readiness sentence is shown in the game too: no command-line syntax in it; the
    command line adds its own hint."""
    code, out, _ = _run(capsys, "hrv", "status", "--json", "--date", "2026-11-30")
    explanation = json.loads(out)["readiness"]["explanation"]
    assert code == 0 and "No HRV readings yet" in explanation and "ringside" not in explanation
    code, out, _ = _run(capsys, "hrv", "status", "--date", "2026-11-30")
    assert code == 0 and "ringside hrv import PATH" in out


def test_bad_date_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "hrv", "status", "--date", "30/11/2026")
    assert code == 2 and "not a date" in err


def test_folder_import_skips_files_that_are_not_hrv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "apple_health_export"
    (folder / "workout-routes").mkdir(parents=True)
    write_export(folder / "export.xml", 50_000, seed=2)
    (folder / "export_cda.xml").write_text('<?xml version="1.0"?>\n<ClinicalDocument/>\n')
    (folder / "workout-routes" / "route_1.gpx").write_text('<?xml version="1.0"?>\n<gpx/>\n')
    code, out, err = _run(capsys, "hrv", "import", str(folder))
    assert code == 0
    assert err.count("skipped: ") == 2
    assert "Imported" in out and "from 1 file(s)" in out
    assert _count() > 0


def test_damaged_zip_keeps_records_before_the_damage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    xml = tmp_path / "export.xml"
    truth = write_export(xml, 2_000_000, seed=5)
    zpath = tmp_path / "export.zip"
    with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(xml, "apple_health_export/export.xml")
    data = bytearray(zpath.read_bytes())
    mid = len(data) // 2
    data[mid : mid + 64] = bytes(64)  # scribble over compressed data in the middle
    zpath.write_bytes(bytes(data))
    code, out, err = _run(capsys, "hrv", "import", str(zpath))
    assert code == 0, err
    assert "warning:" in err and str(zpath) in err
    assert 0 < _count() < truth.hrv_records + truth.rhr_records


def test_giving_the_start_of_an_undated_file_moves_it_instead_of_adding_it_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An RR text file has no date: the first import takes the file's time and says so; the player
    then imports it again with --start. That is the same recording (same beats) on the right day,
    not a second reading: one record, moved, and a later plain re-import leaves it there."""
    rr = tmp_path / "morning.txt"
    rr.write_text("\n".join(str(950 + (i * 37) % 90) for i in range(300)))

    def days() -> list[str]:
        with open_database() as db, db.transaction() as repo:
            return [m.day.isoformat() for m in repo.measurements()]

    assert _run(capsys, "hrv", "import", str(rr))[0] == 0
    assert len(days()) == 1 and days() != ["2026-11-28"]
    code, out, err = _run(capsys, "hrv", "import", str(rr), "--start", "2026-11-28T07:05", "--tz", "Europe/Paris")
    assert code == 0, err
    assert days() == ["2026-11-28"]
    assert "moved" in out
    assert _run(capsys, "hrv", "import", str(rr))[0] == 0
    assert days() == ["2026-11-28"]


def test_override_names_the_field_whose_value_is_not_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "hrv", "override", "set", "--coach", "Sam", "--set", "bpm=fast")
    assert code == 2 and "bpm=fast" in err and "FIELD=NUMBER" in err
