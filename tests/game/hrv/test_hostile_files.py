"""Hostile and damaged files (issue 13 items 5-7, 9, 10): never a traceback, the good records up
to the damage are kept, a wrong file is refused with one line saying what it looks like."""

from __future__ import annotations

import struct
from datetime import timezone
from pathlib import Path

import pytest

from game.errors import ImportFileError
from game.hrv.importers import ImportOptions, read_file
from game.hrv.quality import assess_recording
from game.hrv.records import DeviceValue, ImportProblem, RRRecording

HRV = "hrv"


def _split(items: list[object]) -> tuple[list[RRRecording | DeviceValue], list[ImportProblem]]:
    recs = [i for i in items if isinstance(i, (RRRecording, DeviceValue))]
    probs = [i for i in items if isinstance(i, ImportProblem)]
    return recs, probs


# ------------------------------------------------------------------------------------- FIT


@pytest.mark.shared_data
def test_fit_with_a_damaged_byte_keeps_the_beats_before_it(shared_data: Path, tmp_path: Path) -> None:
    """The issue's example: byte 4371 of garmin-fenix-5-run.fit set to 0xFF crashed fitdecode."""
    data = bytearray((shared_data / HRV / "garmin-fenix-5-run.fit").read_bytes())
    data[4371] = 0xFF
    path = tmp_path / "damaged.fit"
    path.write_bytes(bytes(data))
    recs, probs = _split(list(read_file(path)))
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
    recs, probs = _split(list(read_file(path, ImportOptions(local_tz=tz))))
    (rec,) = recs
    assert isinstance(rec, RRRecording) and rec.utc_offset_min == 0
    assert any("local_timestamp" in p.message and not p.is_fatal for p in probs)
    assert assess_recording(rec).day == rec.start_utc.date()  # crashed in records.local_day before


@pytest.mark.shared_data
def test_fit_local_timestamp_of_a_real_zone_is_still_used(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / HRV / "garmin-edge-820-bike.fit").read_bytes()
    path = tmp_path / "plus2.fit"
    path.write_bytes(_with_local_timestamp(data, 9 * 3600))  # the file says -7 h; now +2 h
    (rec,), probs = _split(list(read_file(path)))
    assert isinstance(rec, RRRecording) and rec.utc_offset_min == 120 and not probs
