"""Bad input never crashes an importer: it yields problems or raises ImportFileError, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.errors import ImportFileError
from game.hrv.importers import read_file
from game.hrv.records import DeviceValue, ImportProblem, RawItem, RRRecording

WHOOP_HEADER = ("Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Resting heart rate (bpm),"
                "Heart rate variability (ms),Sleep onset,Wake onset\n")


def _consume(path: Path) -> list[RawItem]:
    try:
        items = list(read_file(path))
    except ImportFileError as exc:
        assert str(path) in str(exc)
        return []
    for item in items:
        assert isinstance(item, (RRRecording, DeviceValue, ImportProblem))
    return items


_cell = st.text(alphabet="0123456789-:. +UTCabcnif,\"", max_size=22)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_cell, min_size=0, max_size=9), max_size=8))
def test_whoop_rows_of_garbage(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "physiological_cycles.csv"
    path.write_text(WHOOP_HEADER + "\n".join(",".join(r) for r in rows) + "\n")
    _consume(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.text(alphabet="0123456789.,; -eE\txnaif", max_size=12), max_size=60))
def test_rr_text_of_garbage(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "rr.txt"
    path.write_text("\n".join(lines))
    _consume(path)


@pytest.mark.shared_data
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frac=st.floats(0.0, 1.0))
def test_fit_cut_anywhere(tmp_path: Path, shared_data: Path, frac: float) -> None:
    data = (shared_data / "hrv" / "garmin-fenix-5-walk.fit").read_bytes()
    path = tmp_path / "cut.fit"
    path.write_bytes(data[: int(len(data) * frac)])
    _consume(path)


@pytest.mark.shared_data
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frac=st.floats(0.0, 1.0), flip=st.integers(0, 255))
def test_apple_xml_cut_or_corrupted_anywhere(tmp_path: Path, shared_data: Path, frac: float, flip: int) -> None:
    data = bytearray((shared_data / "hrv" / "apple_health_export_fixture.xml").read_bytes())
    cut = int(len(data) * frac)
    if flip % 2 and cut < len(data):
        data[cut] = flip
    else:
        data = data[:cut]
    path = tmp_path / "export.xml"
    path.write_bytes(bytes(data))
    _consume(path)
