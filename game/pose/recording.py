"""Skeleton recordings: the ``.rsk`` file format (version 1).

A recording holds skeletons and timestamps only -- never pixels. It is a gzip-compressed text file
of JSON lines (documented in docs/RECORDING_FORMAT.md):

1. a header: ``{"format": "ringside-skeleton", "version": 1, "landmarks": 33,
   "image_size": [w, h], "fps": 30.0, "source": "...", "meta": {...}}``
2. one line per frame: ``{"i": index, "t": timestamp_ms, "p": [[x, y, z, vis] x 33] | null,
   "w": [[x, y, z] x 33] | null}`` -- ``p`` in pixels, ``w`` in metres; ``null`` = nobody in view;
3. a footer: ``{"end": true, "frames": n}``. A file without it was cut off (a crash while
   recording): readers refuse it unless asked to salvage the frames that are complete.

Numbers are rounded on write (pixels to 1/1000 px, world to 1/100 mm, visibility to 1e-4), so a
replay yields exactly the numbers in the file, every time.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from game.errors import RecordingFormatError, StorageWriteError
from game.pose.types import NUM_LANDMARKS, PoseFrame

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
    return out.tolist()  # type: ignore[no-any-return]


class RecordingWriter:
    """Writes a ``.rsk`` file frame by frame; flushes about once a second so a crash loses
    little, and writes the footer on :meth:`close` (use it as a context manager)."""

    def __init__(self, path: str | Path, *, image_size: tuple[int, int], fps: float = 30.0,
                 source: str = "", meta: dict[str, Any] | None = None,
                 flush_every: int = 30) -> None:
        self.path = Path(path)
        self._count = 0
        self._flush_every = max(1, flush_every)
        self._failed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh: IO[bytes] = gzip.open(self.path, "wb", compresslevel=6)
        except OSError as exc:
            raise self._storage_error(exc) from None
        header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "landmarks": NUM_LANDMARKS,
                  "image_size": list(image_size), "fps": float(fps), "source": source,
                  "meta": meta or {}}
        self._write_line(header)

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

    def write(self, frame: PoseFrame) -> None:
        """Append one frame. Raises StorageWriteError (an OSError too) when the file cannot be
        written."""
        p = None if frame.landmarks_px is None else _round_px(frame.landmarks_px)
        w = None if frame.world_m is None or frame.landmarks_px is None else \
            np.round(frame.world_m, WORLD_DECIMALS).tolist()
        self._write_line({"i": frame.index, "t": round(float(frame.timestamp_ms), 3), "p": p, "w": w},
                         flush=(self._count + 1) % self._flush_every == 0)
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


class Recording:
    """An opened recording: ``header`` fields, and iteration over its PoseFrames.

    Raises :class:`RecordingFormatError` for a foreign, unknown-version or truncated file.
    With ``salvage=True`` a truncated file yields its complete frames and sets ``truncated``.
    """

    def __init__(self, path: str | Path, *, salvage: bool = False) -> None:
        self.path = Path(path)
        self.salvage = salvage
        self.truncated = False
        if not self.path.is_file():
            raise RecordingFormatError(f"recording not found: {self.path}")
        self.header = self._read_header()
        try:
            size = self.header.get("image_size") or [0, 0]
            self.image_size: tuple[int, int] = (int(size[0]), int(size[1]))
            self.fps = float(self.header.get("fps") or 30.0)
        except (TypeError, ValueError, IndexError, KeyError):
            raise RecordingFormatError(
                f"{self.path}: the header's image_size or fps is malformed; the file is damaged") from None

    def _open(self) -> IO[bytes]:
        return gzip.open(self.path, "rb")

    def _read_header(self) -> dict[str, Any]:
        try:
            with self._open() as fh:
                first = fh.readline()
        except (OSError, EOFError, zlib.error):
            raise RecordingFormatError(
                f"{self.path} is not a Ringside skeleton recording (not gzip data); "
                "record one with 'ringside record SOURCE -o FILE.rsk'") from None
        try:
            header = json.loads(first)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise RecordingFormatError(
                f"{self.path} is not a Ringside skeleton recording (no '{FORMAT_NAME}' header)")
        version = header.get("version")
        if version != FORMAT_VERSION:
            raise RecordingFormatError(
                f"{self.path} is recording format version {version}; this Ringside reads version "
                f"{FORMAT_VERSION}: update Ringside")
        if header.get("landmarks") != NUM_LANDMARKS:
            raise RecordingFormatError(f"{self.path}: expected {NUM_LANDMARKS} landmarks per frame")
        return header

    def _truncated(self, frames: int, why: str) -> RecordingFormatError:
        return RecordingFormatError(
            f"{self.path} is truncated after {frames} frames ({why}); the recorder did not "
            "finish. Pass --salvage to use the complete frames")

    def __iter__(self) -> Iterator[PoseFrame]:
        count = 0
        line_no = 1
        fh = self._open()
        try:
            fh.readline()
            while True:
                try:
                    raw = fh.readline()
                except (EOFError, OSError, zlib.error):
                    if self.salvage:
                        self.truncated = True
                        return
                    raise self._truncated(count, "compressed data cut off") from None
                line_no += 1
                if not raw:
                    if self.salvage:
                        self.truncated = True
                        return
                    raise self._truncated(count, "no end marker")
                if not raw.endswith(b"\n"):
                    if self.salvage:
                        self.truncated = True
                        return
                    raise self._truncated(count, f"line {line_no} cut off")
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict):
                    raise RecordingFormatError(
                        f"{self.path}: line {line_no} is not a frame (JSON object); the file is damaged")
                if obj.get("end"):
                    return
                yield self._frame(obj, line_no)
                count += 1
        finally:
            fh.close()

    def _frame(self, obj: dict[str, Any], line_no: int) -> PoseFrame:
        try:
            p = obj.get("p")
            w = obj.get("w")
            px = None if p is None else np.asarray(p, dtype=np.float64)
            world = None if w is None else np.asarray(w, dtype=np.float64)
            if px is not None and px.shape != (NUM_LANDMARKS, 4):
                raise ValueError(f"landmarks shape {px.shape}")
            if world is not None and world.shape != (NUM_LANDMARKS, 3):
                raise ValueError(f"world landmarks shape {world.shape}")
            return PoseFrame(timestamp_ms=float(obj["t"]), image_size=self.image_size,
                             landmarks_px=px, world_m=world, index=int(obj.get("i", 0)))
        except (KeyError, TypeError, ValueError) as exc:
            raise RecordingFormatError(
                f"{self.path}: frame on line {line_no} is malformed ({exc})") from None


def read_recording(path: str | Path, *, salvage: bool = False) -> Iterator[PoseFrame]:
    """Iterate the PoseFrames of a ``.rsk`` recording (see :class:`Recording`)."""
    return iter(Recording(path, salvage=salvage))
