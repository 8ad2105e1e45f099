"""Where saved state lives, and frozen option objects read once at start-up.

All saved state (settings, recordings, the local database, the outbox) lives in one data
directory: ``$RINGSIDE_HOME`` when set (tests and scripted runs use it), otherwise the platform's
user data directory. Nothing is read at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

from game.errors import StorageError

ENV_HOME = "RINGSIDE_HOME"


def data_dir(environ: Mapping[str, str] | None = None, *, create: bool = True) -> Path:
    """Return the data directory, creating it unless ``create`` is false.

    ``environ`` defaults to ``os.environ``; pass a mapping in tests. Raises
    :class:`~game.errors.StorageError` when the folder cannot be created.
    """
    env = os.environ if environ is None else environ
    override = env.get(ENV_HOME, "").strip()
    if override:
        path = Path(override).expanduser()
    else:
        path = Path(platformdirs.user_data_dir("ringside", appauthor=False))
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            hint = f"check {ENV_HOME}" if override else f"set {ENV_HOME} to a folder you can write to"
            raise StorageError(f"cannot use the data folder {path}: {(exc.strerror or str(exc)).lower()}; "
                               f"{hint}") from None
    return path


def shared_data_dir(project_root: Path | None = None) -> Path:
    """The ``../shared/data`` folder next to the project checkout (may not exist)."""
    root = project_root or Path(__file__).resolve().parent.parent
    return root.parent / "shared" / "data"
