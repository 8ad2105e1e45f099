"""One error hierarchy for the game package.

Every error carries a message written for the user (what went wrong and what to do). The CLI maps
them to a one-line message and a non-zero exit status in one place (``game.cli``); the app maps them
to an on-screen message.
"""

from __future__ import annotations


class RingsideError(Exception):
    """Base class: ``str(err)`` is a one-line message that tells the user what to do."""

    exit_code: int = 1


class UsageError(RingsideError):
    """The command line or an option value is wrong."""

    exit_code = 2


class SourceError(RingsideError):
    """A camera, video, image or recording could not be opened or read."""

    exit_code = 3


class CameraUnavailableError(SourceError):
    """No camera at that index, or it is busy in another program."""


class RecordingFormatError(SourceError):
    """A skeleton recording is truncated, foreign or of an unknown version."""


class CalibrationError(RingsideError, ValueError):
    """Calibration saw too little (nobody, or not the start position or the guard) to measure the
    body; the message says what to do. One type for the set-up scene, the rep engine and the
    boxing round; also a ``ValueError`` (what measuring raised before)."""


class ModelError(RingsideError):
    """A model file is missing or cannot be loaded."""

    exit_code = 4


class ImportFileError(RingsideError):
    """A data file (HRV export, settings, ...) is malformed; names the file and line."""

    exit_code = 5


class StorageError(RingsideError):
    """The local database or data directory cannot be used."""

    exit_code = 6


class StorageWriteError(StorageError, OSError):
    """A file could not be written (disk full, drive removed). Also an ``OSError``, so code that
    guards its file writes with ``except OSError`` keeps working."""
