"""Skeleton recordings: the ``.rsk`` file format (version 1).

A recording holds skeletons and timestamps only -- never pixels. It is a gzip-compressed text file
of JSON lines (documented in docs/RECORDING_FORMAT.md):

1. a header: ``{"format": "ringside-skeleton", "version": 1, "landmarks": 33,
   "image_size": [w, h], "fps": 30.0, "source": "...", "meta": {...}}``
2. one line per frame: ``{"i": index, "t": timestamp_ms, "p": [[x, y, z, vis] x 33] | null,
   "w": [[x, y, z] x 33] | null}`` -- ``p`` in pixels, ``w`` in metres; ``null`` = nobody in view;
   A recording of everyone tracked (header ``"people": true``) adds to each frame the player's
   identity (``"id"``, ``"s"``: slot; absent when the player is not in view) and the other people
   tracked, ``"o": [{"id", "s", "p", "w"}, ...]``;
3. a footer: ``{"end": true, "frames": n}``. A file without it was cut off (a crash while
   recording): readers refuse it unless asked to salvage the frames that are complete.

Numbers are rounded on write (pixels to 1/1000 px, world to 1/100 mm, visibility to 1e-4), so a
replay yields exactly the numbers in the file, every time.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from game.errors import RecordingFormatError, StorageWriteError
from game.pose.types import NUM_LANDMARKS, PoseFrame, TrackedPose

FORMAT_NAME = "ringside-skeleton"
FORMAT_VERSION = 1
SUFFIX = ".rsk"

PX_DECIMALS = 3
VIS_DECIMALS = 4
WORLD_DECIMALS = 5


def _round_px(a: np.ndarray) -> list[list[float]]:
    out = np.empty_like(a)
    out[:, :3] = np.round(a[:, :3], PX_DECIMALS)
    out[:, 3] = np.round(a[:, 3], VIS_DECIMALS)
    return out.tolist()


class RecordingWriter:
    """Writes a ``.rsk`` file frame by frame; flushes about once a second so a crash loses
    little, and writes the footer on :meth:`close` (use it as a context manager)."""

    def __init__(self, path: str | Path, *, image_size: tuple[int, int], fps: float = 30.0,
                 source: str = "", meta: dict[str, Any] | None = None,
                 flush_every: int = 30, people: bool = False) -> None:
        """``people``: the recording holds everyone tracked (pass them to :meth:`write`)."""
        self.path = Path(path)
        self.holds_people = people
        self._count = 0
        self._flush_every = max(1, flush_every)
        self._failed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh: gzip.GzipFile = gzip.open(self.path, "wb", compresslevel=6)
        except OSError as exc:
            raise self._storage_error(exc) from None
        header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "landmarks": NUM_LANDMARKS,
                  "image_size": list(image_size), "fps": float(fps), "source": source,
                  "meta": meta or {}}
        if people:
            header["people"] = True
        # Flushed at once: a recording killed in its first second still has a readable header,
        # so it salvages to zero frames instead of being an empty gzip stream.
        try:
            self._write_line(header, flush=True)
        except StorageWriteError:
            self.close()  # only releases the file: nothing more is written after a failure
            raise

    def _storage_error(self, exc: OSError) -> StorageWriteError:
        why = (exc.strerror or str(exc)).lower()
        return StorageWriteError(f"cannot write the recording {self.path}: {why}; free some space or "
                            "choose another place with -o")

    def _line(self, obj: dict[str, Any]) -> None:
        self._fh.write(json.dumps(obj, separators=(",", ":")).encode() + b"\n")

    def _write_line(self, obj: dict[str, Any], *, flush: bool = False) -> None:
        """Write one line; an OSError (disk full, drive gone) becomes a StorageError and the
        writer stops writing, so the frames already flushed stay readable with salvage."""
        if self._failed:
            raise StorageWriteError(f"the recording {self.path} stopped after an earlier write error")
        try:
            self._line(obj)
            if flush:
                self._fh.flush()  # gzip: a sync flush, so the data so far is readable after a crash
        except OSError as exc:
            self._failed = True
            raise self._storage_error(exc) from None

    def write(self, frame: PoseFrame, people: Sequence[TrackedPose] = ()) -> None:
        """Append one frame: ``frame`` is the player's (``PosePipeline.process``); in a recording
        of everyone (``people=True``) ``people`` are everyone tracked in it
        (``PosePipeline.process_all``), the player among them when in view. Raises
        StorageWriteError (an OSError too) when the file cannot be written."""
        line: dict[str, Any] = {"i": frame.index, "t": round(float(frame.timestamp_ms), 3),
                                **_skeleton(frame)}
        if self.holds_people:
            line["o"] = []
            for person in people:
                if person.is_player:
                    line["id"], line["s"] = person.person_id, person.slot
                else:
                    line["o"].append({"id": person.person_id, "s": person.slot,
                                      **_skeleton(person.pose)})
        self._write_line(line, flush=(self._count + 1) % self._flush_every == 0)
        self._count += 1

    @property
    def frames_written(self) -> int:
        return self._count

    def close(self) -> None:
        """Write the end marker and close. Raises StorageError if that fails; after a failed
        write it only releases the file (no end marker: the file reads with salvage)."""
        if self._fh.closed:
            return
        if self._failed:
            try:
                self._fh.close()
            except OSError:
                pass
            return
        try:
            self._write_line({"end": True, "frames": self._count})
        finally:
            try:
                self._fh.close()
            except OSError as exc:
                if not self._failed:
                    self._failed = True
                    raise self._storage_error(exc) from None

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _skeleton(frame: PoseFrame) -> dict[str, Any]:
    p = None if frame.landmarks_px is None else _round_px(frame.landmarks_px)
    w = None if frame.world_m is None or frame.landmarks_px is None else \
        np.round(frame.world_m, WORLD_DECIMALS).tolist()
    return {"p": p, "w": w}


# Bounds a reader enforces: a frame line of 33 landmarks is about 3 KB; nothing the writer makes comes
# near these, and they keep a damaged or hostile file from costing unbounded memory or time.
MAX_HEADER_BYTES = 1 << 20
MAX_LINE_BYTES = 1 << 16
MAX_OTHERS = 8  # other people in one frame (the tracker keeps two; room for more)
MAX_SLOT_CHARS = 16
MAX_IMAGE_SIDE_PX = 1 << 14
MAX_FPS = 1000.0
MAX_TIMESTAMP_MS = 1e9  # about 11.5 days
# BlazePose places hidden joints outside the image, but within a few image sizes of it; world
# coordinates are metres around the hips.
MAX_ABS_PX = 1e6
MAX_ABS_WORLD_M = 1e3


class _Damaged(Exception):
    """A line that is not a valid header/frame/footer; the message says what is wrong."""


def _refuse_constant(name: str) -> float:
    raise _Damaged(f"{name} is not a number a recording may hold")


def _loads(raw: bytes) -> Any:
    """Strict JSON: NaN and Infinity are refused, deep nesting is damage. A number too big for a
    double (1e400) reads as infinity: every field's range check refuses it (a per-float hook
    here would double the reader's cost)."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant)
    except _Damaged:
        raise
    except RecursionError:
        raise _Damaged("it is nested too deeply") from None
    except ValueError as exc:  # includes UnicodeDecodeError and over-long integers
        raise _Damaged(f"not JSON: {str(exc)[:60]}") from None


def _is_int(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> TypeGuard[int | float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _array(v: Any, cols: int, what: str, bound: float) -> np.ndarray:
    try:
        arr = np.asarray(v)
    except (ValueError, TypeError, OverflowError, RecursionError):  # ragged or absurd nesting
        raise _Damaged(f"{what} are not a {NUM_LANDMARKS}x{cols} table of numbers") from None
    if arr.shape != (NUM_LANDMARKS, cols) or arr.dtype.kind not in "iuf":
        raise _Damaged(f"{what} are not a {NUM_LANDMARKS}x{cols} table of numbers")
    out = arr.astype(np.float64)
    if not np.all(np.abs(out[:, :3]) <= bound):
        raise _Damaged(f"{what} lie outside +-{bound:g}")
    return out


class Recording:
    """An opened recording: ``header`` fields, and iteration over its PoseFrames.

    Raises :class:`RecordingFormatError` (one line naming the file and line) for a foreign,
    unknown-version, truncated or damaged file. Frames are checked as they are read: numbers are
    finite and within bounds, landmark tables have the right shape, timestamps increase.
    With ``salvage=True`` a truncated or damaged file yields the frames before the first damage
    and sets ``truncated`` (and ``damage``, saying what and where).
    """

    def __init__(self, path: str | Path, *, salvage: bool = False) -> None:
        self.path = Path(path)
        self.salvage = salvage
        self.truncated = False
        self.damage = ""
        if not self.path.is_file():
            raise RecordingFormatError(f"recording not found: {self.path}")
        self.header = self._read_header()
        self.image_size, self.fps = self._header_fields(self.header)
        # A recording of everyone tracked (RecordingWriter(people=True)): see people().
        self.holds_people = self.header.get("people") is True

    def _open(self) -> gzip.GzipFile:
        try:
            return gzip.open(self.path, "rb")
        except OSError as exc:
            raise RecordingFormatError(f"cannot read {self.path}: {exc.strerror or exc}") from None

    def _read_header(self) -> dict[str, Any]:
        try:
            with self._open() as fh:
                first = fh.readline(MAX_HEADER_BYTES)
        except (OSError, EOFError, zlib.error):
            raise RecordingFormatError(
                f"{self.path} is not a Ringside skeleton recording (not gzip data); "
                "record one with 'ringside record SOURCE -o FILE.rsk'") from None
        try:
            header = _loads(first)
        except _Damaged as why:
            if FORMAT_NAME.encode() in first[:200]:
                raise RecordingFormatError(f"{self.path}: the header is damaged ({why})") from None
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise RecordingFormatError(
                f"{self.path} is not a Ringside skeleton recording (no '{FORMAT_NAME}' header)")
        version = header.get("version")
        if version != FORMAT_VERSION or not _is_int(version):
            raise RecordingFormatError(
                f"{self.path} is recording format version {str(version)[:20]}; this Ringside reads "
                f"version {FORMAT_VERSION}: update Ringside")
        if header.get("landmarks") != NUM_LANDMARKS:
            raise RecordingFormatError(f"{self.path}: expected {NUM_LANDMARKS} landmarks per frame")
        return header

    def _header_fields(self, header: dict[str, Any]) -> tuple[tuple[int, int], float]:
        size = header.get("image_size")
        fps = header.get("fps", 30.0)
        fps = 30.0 if fps is None else fps
        if not (isinstance(size, list) and len(size) == 2 and all(_is_number(v) for v in size)
                and all(1 <= v <= MAX_IMAGE_SIDE_PX and v == int(v) for v in size)):
            raise RecordingFormatError(
                f"{self.path}: the header's image_size is malformed (want [width, height] in pixels, "
                f"1-{MAX_IMAGE_SIDE_PX}); the file is damaged")
        if not (_is_number(fps) and 0 < fps <= MAX_FPS):
            raise RecordingFormatError(
                f"{self.path}: the header's fps is malformed (want a number in (0, {MAX_FPS:g}]); "
                "the file is damaged")
        return (int(size[0]), int(size[1])), float(fps)

    def _truncated(self, frames: int, why: str) -> RecordingFormatError:
        return RecordingFormatError(
            f"{self.path} is truncated after {frames} frames ({why}); the recorder did not "
            "finish. Pass --salvage to use the complete frames")

    def _stop(self, error: RecordingFormatError) -> None:
        """Salvage: note the damage and end the stream; otherwise raise it."""
        if not self.salvage:
            raise error
        self.truncated = True
        self.damage = str(error).removesuffix(". Pass --salvage to use the complete frames")

    def __iter__(self) -> Iterator[PoseFrame]:
        for frame, _ in self._read():
            yield frame

    def people(self) -> Iterator[tuple[PoseFrame, tuple[TrackedPose, ...]]]:
        """Each frame as (the player's PoseFrame, everyone tracked in it in ``person_id`` order).
        In a recording that does not hold everyone (``holds_people`` False) the people are the
        player alone (``person_id`` 1), or nobody."""
        return self._read()

    def _read(self) -> Iterator[tuple[PoseFrame, tuple[TrackedPose, ...]]]:
        count = 0
        line_no = 1
        last_t: float | None = None
        fh = self._open()
        try:
            try:
                fh.readline(MAX_HEADER_BYTES)
            except (EOFError, OSError, zlib.error):
                pass  # read fine in __init__; a failure now shows on the next read
            while True:
                try:
                    raw = fh.readline(MAX_LINE_BYTES + 1)
                except (EOFError, OSError, zlib.error):
                    self._stop(self._truncated(count, "compressed data cut off or damaged"))
                    return
                line_no += 1
                if not raw:
                    self._stop(self._truncated(count, "no end marker"))
                    return
                if len(raw) > MAX_LINE_BYTES:
                    self._stop(RecordingFormatError(
                        f"{self.path}: line {line_no} is longer than {MAX_LINE_BYTES} bytes; "
                        f"the file is damaged after {count} frames"))
                    return
                if not raw.endswith(b"\n"):
                    self._stop(self._truncated(count, f"line {line_no} cut off"))
                    return
                try:
                    obj = _loads(raw)
                    if not isinstance(obj, dict):
                        raise _Damaged("not a frame (JSON object)")
                    if obj.get("end"):
                        frames = obj.get("frames", count)
                        if frames != count:
                            raise _Damaged(f"the end marker counts {str(frames)[:20]} frames, "
                                           f"the file holds {count}")
                        return
                    frame, people = self._frame(obj, count)
                    if last_t is not None and frame.timestamp_ms <= last_t:
                        raise _Damaged(f"its time {frame.timestamp_ms:g} ms is not after the "
                                       f"previous frame's {last_t:g} ms")
                except _Damaged as why:
                    self._stop(RecordingFormatError(
                        f"{self.path}: line {line_no} is damaged ({why}); "
                        f"{count} frames before it are complete"))
                    return
                last_t = frame.timestamp_ms
                yield frame, people
                count += 1
        finally:
            fh.close()

    def _frame(self, obj: dict[str, Any], count: int) -> tuple[PoseFrame, tuple[TrackedPose, ...]]:
        index = obj.get("i", count)
        t = obj.get("t")
        if not _is_int(index) or not 0 <= index < 2**53:
            raise _Damaged("the frame index 'i' is not a whole number >= 0")
        if not _is_number(t) or not 0 <= t <= MAX_TIMESTAMP_MS:
            raise _Damaged(f"the timestamp 't' is not a number of milliseconds in "
                           f"[0, {MAX_TIMESTAMP_MS:g}]")
        frame = self._pose(obj, float(t), int(index), "")
        if not self.holds_people:
            return frame, ((TrackedPose(1, "left", True, frame),) if frame.has_person else ())
        people: list[TrackedPose] = []
        if frame.has_person:
            people.append(TrackedPose(_person_id(obj.get("id")), _slot(obj.get("s")), True, frame))
        others = obj.get("o", [])
        if not isinstance(others, list) or len(others) > MAX_OTHERS:
            raise _Damaged(f"the other people 'o' are not a list of at most {MAX_OTHERS}")
        for other in others:
            if not isinstance(other, dict):
                raise _Damaged("another person in 'o' is not an object")
            pose = self._pose(other, float(t), int(index), "another person's ")
            if pose.has_person:
                people.append(TrackedPose(_person_id(other.get("id")), _slot(other.get("s")), False, pose))
        if len({p.person_id for p in people}) != len(people):
            raise _Damaged("two people in one frame have the same 'id'")
        return frame, tuple(sorted(people, key=lambda p: p.person_id))

    def _pose(self, obj: dict[str, Any], t: float, index: int, whose: str) -> PoseFrame:
        p, w = obj.get("p"), obj.get("w")
        px = None if p is None else _array(p, 4, f"{whose}landmarks 'p'", MAX_ABS_PX)
        if px is not None and not np.all((px[:, 3] >= 0.0) & (px[:, 3] <= 1.0)):
            raise _Damaged(f"{whose}visibility is outside [0, 1]")
        world = None if w is None or px is None else _array(w, 3, f"{whose}world landmarks 'w'", MAX_ABS_WORLD_M)
        return PoseFrame(timestamp_ms=t, image_size=self.image_size, landmarks_px=px,
                         world_m=world, index=index)


def _person_id(v: Any) -> int:
    if not _is_int(v) or not 1 <= v < 2**31:
        raise _Damaged("a person's 'id' is not a whole number >= 1")
    return int(v)


def _slot(v: Any) -> str:
    if not isinstance(v, str) or not 0 < len(v) <= MAX_SLOT_CHARS:
        raise _Damaged(f"a person's slot 's' is not a name of 1-{MAX_SLOT_CHARS} characters")
    return v


def read_recording(path: str | Path, *, salvage: bool = False) -> Iterator[PoseFrame]:
    """Iterate the PoseFrames of a ``.rsk`` recording (see :class:`Recording`)."""
    return iter(Recording(path, salvage=salvage))
