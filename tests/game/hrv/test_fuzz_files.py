"""Seeded fuzzing of every HRV importer (marker ``fuzz``; budget from ``tests/support/fuzz.py``).

Mutations of the real files in ``../shared/data/hrv`` and of generated ones, for FIT, every CSV
layout, Apple XML and zip, RR text and Polar HRM. Whatever the bytes: no traceback (only
ImportFileError, one line), no hang, every record dated 1980-2099 and every figure JSON-clean.
A failure names the seed and case that reproduce it.
"""

from __future__ import annotations

import io
import json
import random
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from game.errors import ImportFileError
from game.hrv.importers import read_file
from game.hrv.quality import assess_device_value, assess_recording
from game.hrv.records import DeviceValue, ImportProblem, RRRecording, is_plausible_day
from tests.support.fuzz import cases

pytestmark = pytest.mark.fuzz

SEED = 13
#: A case slower than this is a hang. Real cases take well under a second; the margin is for
#: a machine shared by many processes (load average 15 on 2 cores while this was written).
HANG_S = 60.0


def _survives(path: Path) -> str:
    """Import ``path`` the way ``ringside hrv import`` does (read, then assess every record)."""
    try:
        items = list(read_file(path))
    except ImportFileError as exc:
        assert "\n" not in str(exc)
        return "refused"
    for item in items:
        if isinstance(item, ImportProblem):
            assert "\n" not in str(item)
            continue
        assert isinstance(item, (RRRecording, DeviceValue))
        m = assess_recording(item) if isinstance(item, RRRecording) else assess_device_value(item)
        assert is_plausible_day(m.day) and is_plausible_day(m.start_utc.date())
        json.dumps(m.to_json(), allow_nan=False)  # what --json prints must be valid JSON
    return "read"


Case = Callable[[random.Random, int], tuple[str, bytes]]


def _run(tmp_path: Path, kind: str, make: Case) -> dict[str, int]:
    """Run cases until the budget is spent; ``make(rng, case)`` returns a file name and bytes."""
    import fitdecode  # noqa: F401 - imported before the clock starts: importing is not a hang
    import neurokit2  # noqa: F401

    outcomes: dict[str, int] = {}
    for case in cases(min_cases=15):
        rng = random.Random(f"{SEED}-{kind}-{case}")
        name, data = make(rng, case)
        path = tmp_path / name
        path.write_bytes(data)
        t0 = time.monotonic()
        try:
            outcome = _survives(path)
        except Exception as exc:  # report the case that reproduces it
            raise AssertionError(f"{kind}: seed {SEED} case {case} ({name}): {type(exc).__name__}: {exc}") from exc
        assert time.monotonic() - t0 < HANG_S, f"{kind}: seed {SEED} case {case} took too long"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        path.unlink()
    print(f"fuzz {kind}: {sum(outcomes.values())} cases, {outcomes}")  # shown with -s (make fuzz)
    return outcomes


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """Set, insert, delete or duplicate a few bytes, or cut the file."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not b:
            break
        at = rng.randrange(len(b))
        op = rng.random()
        if op < 0.45:
            b[at] = rng.choice([0x00, 0xFF, 0x7F, 0x80, rng.randrange(256)])
        elif op < 0.6:
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op < 0.75:
            del b[at: at + rng.randint(1, 16)]
        elif op < 0.9:
            span = b[at: at + rng.randint(1, 64)]
            b[at:at] = span * rng.randint(1, 50)
        else:
            del b[at:]
    return bytes(b)


def _shared(shared_data: Path, name: str) -> bytes:
    return (shared_data / "hrv" / name).read_bytes()


# ------------------------------------------------------------------------------------ FIT

FIT_FILES = ["garmin-fenix-5-run.fit", "garmin-fenix-5-walk.fit", "garmin-edge-820-bike.fit"]


@pytest.mark.shared_data
def test_fuzz_fit(tmp_path: Path, shared_data: Path) -> None:
    real = [_shared(shared_data, n) for n in FIT_FILES]
    out = _run(tmp_path, "fit", lambda rng, case: ("x.fit", _mutate(real[case % len(real)], rng)))
    assert out.get("read", 0) > 0


# ------------------------------------------------------------------------------------ CSV

_HOSTILE_CELLS = [
    "", " ", "0", "-1", "1e400", "-1e400", "nan", "NaN", "inf", "-inf", "1e-320", "99999999999999999999",
    "0001-01-01 00:00:00", "9999-12-31 23:59:59", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00",
    "2024-02-30 00:00:00", "2024-03-01 25:61:61", "2024-03-01T07:00:00", "2024-03-01 07:00:00 +0100",
    "UTC+99:99", "UTC-12:00", "UTC+14:00", "Mars/Olympus", "Etc/GMT+12", "+25:00", "Z", "\x00", "é\u202e",
    '"', '""', "a,b", "\r", "../../../etc/passwd", "x" * 300, "HKQuantityTypeIdentifierHeartRateVariabilitySDNN",
    "HKQuantityTypeIdentifierRestingHeartRate", "ms", "count/min", "s",
]
_GOOD = {
    "whoop": "2024-03-01 23:00:00,2024-03-02 22:00:00,UTC+01:00,50,60,2024-03-01 23:00:00,2024-03-02 06:30:00",
    "apple": "HKQuantityTypeIdentifierHeartRateVariabilitySDNN,W,ms,2024-01-10 07:00:00 +0900,x,50",
    "apple_short": "0,W,2024-01-10 07:00:00+09:00,x,0 days,50,ms",
    "hc": "2026-03-01T22:30:00Z,+09:00,48.5",
    "fitbit": "2026-03-01T00:00:00,35.2,55.1,2.9",
}
_HEAD = {
    "whoop": "Cycle start time,Cycle end time,Cycle timezone,Resting heart rate (bpm),Heart rate variability (ms),"
             "Sleep onset,Wake onset",
    "apple": "type,sourceName,unit,startDate,endDate,value",
    "apple_short": ",source,start,end,duration,value,unit",
    "hc": "time,zoneOffset,heartRateVariabilityMillis",
    "fitbit": "timestamp,rmssd,nremhr,entropy",
}
_CSV_NAME = {"whoop": "physiological_cycles.csv", "apple": "apple.csv", "apple_short": "HeartRateVariabilitySDNN.csv",
             "hc": "hc.csv", "fitbit": "fitbit.csv"}
REAL_CSV = ["whoop_physiological_cycles.csv", "apple_health_sdnn.csv", "apple_health_resting_hr.csv"]


def _csv_case(layout: str, rng: random.Random) -> bytes:
    rows = [_HEAD[layout]]
    for _ in range(rng.randint(0, 12)):
        cells = _GOOD[layout].split(",")
        for _ in range(rng.randint(0, 3)):
            i = rng.randrange(len(cells) + 1)
            value = rng.choice(_HOSTILE_CELLS)
            if i < len(cells):
                cells[i] = f'"{value}"' if rng.random() < 0.3 else value
            else:
                cells.append(value)
        rows.append(",".join(cells))
    text = "\n".join(rows) + "\n"
    return _mutate(text.encode(), rng) if rng.random() < 0.3 else text.encode()


def test_fuzz_csv(tmp_path: Path, shared_data_if_any: Path | None) -> None:
    """Every CSV layout generated with hostile cells, and mutations of the real CSVs."""
    layouts = sorted(_HEAD)
    real = [(n, _shared(shared_data_if_any, n)) for n in REAL_CSV] if shared_data_if_any else []

    def make(rng: random.Random, case: int) -> tuple[str, bytes]:
        k = case % (len(layouts) + len(real))
        if k < len(layouts):
            return _CSV_NAME[layouts[k]], _csv_case(layouts[k], rng)
        name, data = real[k - len(layouts)]
        return name, _mutate(data, rng)

    out = _run(tmp_path, "csv", make)
    assert out.get("read", 0) > 0


# ------------------------------------------------------------------------------ XML and zip


@pytest.fixture(scope="module")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from benchmarks.hrv_apple_export import write_export

    path = tmp_path_factory.mktemp("fuzz") / "export.xml"
    write_export(path, 30_000, seed=2)
    return path.read_bytes()


@pytest.fixture
def shared_data_if_any() -> Path | None:
    """The shared recordings when present: fuzz suites then mutate them too (else generated only)."""
    from tests.support.recordings import SHARED

    return SHARED if (SHARED / "hrv").is_dir() else None


def test_fuzz_apple_xml(tmp_path: Path, small_export: bytes, shared_data_if_any: Path | None) -> None:
    seeds = [small_export]
    if shared_data_if_any:
        seeds.append(_shared(shared_data_if_any, "apple_health_export_fixture.xml"))
    out = _run(tmp_path, "xml", lambda rng, case: ("export.xml", _mutate(seeds[case % len(seeds)], rng)))
    assert out.get("read", 0) > 0


def _zip_case(export: bytes, rng: random.Random) -> bytes:
    buf = io.BytesIO()
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        zf.writestr("apple_health_export/export.xml", _mutate(export, rng) if rng.random() < 0.5 else export)
        if rng.random() < 0.3:
            zf.writestr("apple_health_export/export_cda.xml", b"<ClinicalDocument/>")
    data = buf.getvalue()
    return _mutate(data, rng) if rng.random() < 0.6 else data


def test_fuzz_apple_zip(tmp_path: Path, small_export: bytes) -> None:
    out = _run(tmp_path, "zip", lambda rng, case: ("export.zip", _zip_case(small_export, rng)))
    assert out.get("read", 0) > 0


# ------------------------------------------------------------------------------- RR text, HRM

REAL_RR = ["rest_rri.txt", "real_rri.txt", "elitehrv_export.txt", "polar_v800_export.txt"]


def _rr_text_case(rng: random.Random) -> bytes:
    lines = ["RR"] if rng.random() < 0.3 else []
    base = rng.choice([0.8, 800.0, 1000.0, 500.0, 70.0])
    for _ in range(rng.randint(0, 300)):
        if rng.random() < 0.9:
            lines.append(f"{base * rng.uniform(0.9, 1.1):.3f}")
        else:
            lines.append(rng.choice(_HOSTILE_CELLS + ["1000 1000", "1,2,3,4,5,6", "# note", "1e308", "-0"]))
    return ("\n".join(lines) + "\n").encode()


def test_fuzz_rr_text(tmp_path: Path, shared_data_if_any: Path | None) -> None:
    real = [_shared(shared_data_if_any, n) for n in REAL_RR] if shared_data_if_any else []

    def make(rng: random.Random, case: int) -> tuple[str, bytes]:
        k = case % (1 + len(real))
        return "rr.txt", _rr_text_case(rng) if k == 0 else _mutate(real[k - 1], rng)

    out = _run(tmp_path, "rr_text", make)
    assert out.get("read", 0) > 0


def _hrm_case(rng: random.Random) -> bytes:
    params = {"Version": "106", "Monitor": "22", "Date": "20080208", "StartTime": "08:50:31.0", "Interval": "238"}
    for _ in range(rng.randint(0, 3)):
        key = rng.choice(list(params))
        params[key] = rng.choice(_HOSTILE_CELLS + ["00010101", "99991231", "20240230", "5", "238", "24:00:00"])
    body = "\n".join(f"{k}={v}" for k, v in params.items())
    beats = "\n".join(f"{int(rng.gauss(900, 40))}" if rng.random() < 0.95 else rng.choice(_HOSTILE_CELLS)
                      for _ in range(rng.randint(0, 200)))
    return f"[Params]\n{body}\n\n[HRData]\n{beats}\n".encode("latin-1", errors="replace")


def test_fuzz_hrm(tmp_path: Path, shared_data_if_any: Path | None) -> None:
    real = _shared(shared_data_if_any, "exercise_rri.hrm") if shared_data_if_any else None

    def make(rng: random.Random, case: int) -> tuple[str, bytes]:
        return "x.hrm", _hrm_case(rng) if real is None or case % 2 == 0 else _mutate(real, rng)

    out = _run(tmp_path, "hrm", make)
    assert out.get("read", 0) > 0
