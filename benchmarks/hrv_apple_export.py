"""Benchmark: import a generated Apple Health export (300 MB export.xml and its zip).

Goal (issue 6): a real-size export imports in bounded memory. Prints the import time and the
peak resident memory of a child process that does only the import, next to the same child
importing a tiny export (the fixed cost of Python + libraries), so the difference is what the
300 MB file costs. Run: ``python -m benchmarks.hrv_apple_export [SIZE_MB]``.

``python -m benchmarks.hrv_apple_export --hostile [SIZE_MB]`` measures the hostile exports of
issue 13 instead (goal: < 200 MB RSS whatever the line length or compression ratio): a
SIZE_MB (default 100) export.xml on one line, the same zipped, one element of SIZE_MB, and a
1 MB export.zip expanding to one 1 GB line.

``write_export`` is also used by the tests (with a few MB) to check streaming on a big file.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
]>
<HealthData locale="en_US">
 <ExportDate value="2026-11-30 06:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>
"""
_DEVICE = ("&lt;&lt;HKDevice: 0x283a1c2d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
           "hardware:Watch6,2, software:10.1&gt;")


@dataclass(frozen=True)
class ExportTruth:
    hrv_records: int
    rhr_records: int
    other_records: int
    bytes_written: int


def _fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S %z")


def write_export(path: Path, target_bytes: int, *, seed: int = 7) -> ExportTruth:
    """Write an export.xml of about ``target_bytes``: mostly heart-rate and step samples (as in
    real exports), one HRV (SDNN) record with a beat list every ~2 h and a resting HR per day."""
    rng = random.Random(seed)
    tz = timezone(timedelta(hours=1))
    t = datetime(2025, 1, 1, 0, 0, tzinfo=tz)
    hrv = rhr = other = 0
    last_day = None
    next_hrv = t
    with path.open("w", encoding="utf-8") as fh:
        fh.write(_HEADER)
        written = len(_HEADER)
        while written < target_bytes:
            t += timedelta(seconds=rng.randint(20, 400))
            if t.date() != last_day:
                last_day = t.date()
                day_start = t.replace(hour=0, minute=0, second=0)
                s = (f' <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="Watch" sourceVersion="10.1" '
                     f'device="{_DEVICE}" unit="count/min" creationDate="{_fmt(day_start + timedelta(hours=23))}" '
                     f'startDate="{_fmt(day_start)}" endDate="{_fmt(day_start + timedelta(hours=23, minutes=59))}" '
                     f'value="{rng.randint(48, 62)}"/>\n')
                fh.write(s)
                written += len(s)
                rhr += 1
            if t >= next_hrv:
                next_hrv = t + timedelta(hours=2)
                beats = []
                bt = t
                for _ in range(rng.randint(55, 90)):
                    bpm = rng.randint(52, 75)
                    bt += timedelta(seconds=60.0 / bpm)
                    beats.append(f'   <InstantaneousBeatsPerMinute bpm="{bpm}" time="{bt.strftime("%-I:%M:%S.%f")[:-4]} '
                                 f'{bt.strftime("%p")}"/>\n')
                s = (f' <Record type="HKQuantityTypeIdentifierHeartRateVariabilitySDNN" sourceName="Watch" '
                     f'sourceVersion="10.1" device="{_DEVICE}" unit="ms" creationDate="{_fmt(bt)}" startDate="{_fmt(t)}" '
                     f'endDate="{_fmt(bt)}" value="{rng.uniform(25, 90):.4f}">\n  <HeartRateVariabilityMetadataList>\n'
                     + "".join(beats) + "  </HeartRateVariabilityMetadataList>\n </Record>\n")
                fh.write(s)
                written += len(s)
                hrv += 1
                continue
            kind = rng.random()
            if kind < 0.7:
                s = (f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" sourceVersion="10.1" '
                     f'device="{_DEVICE}" unit="count/min" creationDate="{_fmt(t)}" startDate="{_fmt(t)}" '
                     f'endDate="{_fmt(t)}" value="{rng.randint(55, 160)}">\n'
                     f'  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="{rng.randint(0, 2)}"/>\n </Record>\n')
            else:
                s = (f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" sourceVersion="17.1" '
                     f'unit="count" creationDate="{_fmt(t)}" startDate="{_fmt(t)}" endDate="{_fmt(t + timedelta(minutes=5))}" '
                     f'value="{rng.randint(1, 900)}"/>\n')
            fh.write(s)
            written += len(s)
            other += 1
        fh.write("</HealthData>\n")
        written += len("</HealthData>\n")
    return ExportTruth(hrv, rhr, other, written)


def zip_export(xml_path: Path, zip_path: Path) -> None:
    """Pack like Apple does: apple_health_export/export.xml inside export.zip."""
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.write(xml_path, "apple_health_export/export.xml")


_CHILD = """
import sys, time, resource
from datetime import datetime, timezone
from pathlib import Path
from game.hrv.service import import_paths
from game.storage import open_database
t0 = time.perf_counter()
with open_database(Path(sys.argv[2])) as db:
    reports = import_paths(db, [Path(sys.argv[1])], now=datetime.now(timezone.utc))
dt = time.perf_counter() - t0
r = reports[0]
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{dt:.2f} {r.count} {r.added} {len(r.problems)} {rss_kb} {r.error}")
"""


def _run_child(export: Path, workdir: Path) -> tuple[float, int, str]:
    """Import in a fresh process; returns (seconds, the child's own peak RSS in MB, its summary
    line: seconds, records, new, problems, peak RSS in KB, error)."""
    db = workdir / f"bench-{export.stem}-{time.monotonic_ns()}.db"
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(export), str(db)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    line = proc.stdout.strip().splitlines()[-1]
    seconds = float(line.split()[0])
    return seconds, int(line.split()[4]) // 1024, line


def write_one_line(src: Path, dst: Path) -> None:
    """The export with every newline replaced by a space: one line as long as the file."""
    with src.open("rb") as fi, dst.open("wb") as fo:
        while chunk := fi.read(1 << 20):
            fo.write(chunk.replace(b"\n", b" "))


def write_zip_bomb(path: Path, line_bytes: int) -> None:
    """An export.zip whose export.xml is a header and then one line of ``line_bytes`` spaces."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("apple_health_export/export.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">')
            block = b" " * (1 << 20)
            for _ in range(line_bytes >> 20):
                fh.write(block)
            fh.write(b"</HealthData>\n")


def write_giant_element(path: Path, size_bytes: int) -> None:
    with path.open("wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_US">\n <Record value="')
        block = b"7" * (1 << 20)
        for _ in range(size_bytes >> 20):
            fh.write(block)
        fh.write(b'"/>\n</HealthData>\n')


def hostile(size_mb: int) -> int:
    print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    with tempfile.TemporaryDirectory(prefix="ringside-bench-") as tmp:
        work = Path(tmp)
        small = work / "small.xml"
        write_export(small, 200_000)
        s_small, rss_small, _ = _run_child(small, work)
        print(f"baseline (0.2 MB export): {s_small:.2f} s, peak RSS {rss_small} MB")
        lines = work / "lines.xml"
        truth = write_export(lines, size_mb * 1_000_000)
        one = work / "one_line" / "export.xml"
        one.parent.mkdir()
        write_one_line(lines, one)
        lines.unlink()
        secs, rss, line = _run_child(one, work)
        print(f"export.xml of {truth.bytes_written / 1e6:.0f} MB on one line: {secs:.1f} s, peak RSS {rss} MB, "
              f"{int(line.split()[1])} records (expected {truth.hrv_records + truth.rhr_records})")
        zpath = work / "one_line" / "export.zip"
        zip_export(one, zpath)
        one.unlink()
        secs, rss, line = _run_child(zpath, work)
        print(f"the same zipped ({zpath.stat().st_size / 1e6:.1f} MB): {secs:.1f} s, peak RSS {rss} MB, "
              f"{int(line.split()[1])} records")
        zpath.unlink()
        giant = work / "giant" / "export.xml"
        giant.parent.mkdir()
        write_giant_element(giant, size_mb << 20)
        secs, rss, line = _run_child(giant, work)
        print(f"one element of {size_mb} MB: {secs:.2f} s, peak RSS {rss} MB, refused: {line.split(' ', 5)[-1][:90]}")
        giant.unlink()
        bomb = work / "bomb" / "export.zip"
        bomb.parent.mkdir()
        write_zip_bomb(bomb, 1 << 30)
        secs, rss, line = _run_child(bomb, work)
        print(f"export.zip of {bomb.stat().st_size / 1e6:.1f} MB expanding to one 1 GB line: {secs:.2f} s, "
              f"peak RSS {rss} MB, refused: {line.split(' ', 5)[-1][:90]}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--hostile"]:
        return hostile(int(argv[1]) if len(argv) > 1 else 100)
    size_mb = int(argv[0]) if argv else 300
    with tempfile.TemporaryDirectory(prefix="ringside-bench-") as tmp:
        work = Path(tmp)
        small = work / "small" / "export.xml"
        small.parent.mkdir()
        big = work / "big" / "export.xml"
        big.parent.mkdir()
        write_export(small, 200_000)
        t0 = time.perf_counter()
        truth = write_export(big, size_mb * 1_000_000)
        gen_s = time.perf_counter() - t0
        print(f"generated export.xml: {truth.bytes_written / 1e6:.0f} MB, {truth.hrv_records} HRV records, "
              f"{truth.rhr_records} resting-HR records, {truth.other_records} other records ({gen_s:.0f} s)")
        s_small, rss_small, _ = _run_child(small, work)
        print(f"baseline (0.2 MB export): {s_small:.2f} s, peak RSS {rss_small} MB")
        s_big, rss_big, line = _run_child(big, work)
        n = int(line.split()[1])
        print(f"export.xml {size_mb} MB: {s_big:.1f} s ({truth.bytes_written / 1e6 / s_big:.1f} MB/s), "
              f"peak RSS {rss_big} MB, {n} records imported (expected {truth.hrv_records + truth.rhr_records})")
        zpath = work / "big" / "export.zip"
        zip_export(big, zpath)
        big.unlink()
        s_zip, rss_zip, line = _run_child(zpath, work)
        print(f"export.zip ({zpath.stat().st_size / 1e6:.0f} MB compressed): {s_zip:.1f} s, peak RSS {rss_zip} MB, "
              f"{int(line.split()[1])} records imported")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
