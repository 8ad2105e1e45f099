"""Where the game finds its leaderboard server, and the player's identity on it.

Stored in ``leaderboard.json`` in the data directory (written atomically, readable only by the
user since it holds the token). ``$RINGSIDE_SERVER`` overrides the server URL for one run.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from game.errors import StorageError

FILENAME = "leaderboard.json"
ENV_SERVER = "RINGSIDE_SERVER"
DEFAULT_SERVER = "ws://localhost:8765/ws"


@dataclass(frozen=True)
class NetSettings:
    server: str = DEFAULT_SERVER
    name: str = "Player"
    token: str | None = None
    player_id: str | None = None
    #: The server the token belongs to: a token is only sent to the server that issued it.
    token_server: str | None = None
    #: A live challenge joined with ``ringside sync --join CODE``: the game follows its standings.
    follow: str | None = None

    def token_for(self, server: str) -> str | None:
        return self.token if self.token_server == server else None


def settings_path(folder: Path | None = None) -> Path:
    if folder is None:
        from game.config import data_dir

        folder = data_dir()
    return folder / FILENAME


def load_settings(folder: Path | None = None, environ: Mapping[str, str] | None = None) -> NetSettings:
    """Read the settings (defaults when the file is absent). A corrupt file raises StorageError."""
    path = settings_path(folder)
    settings = NetSettings()
    if path.exists():
        try:
            raw: Any = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not an object")
            known = {k: raw[k] for k in asdict(settings) if k in raw}
            settings = replace(settings, **known)
        except (OSError, ValueError, TypeError) as exc:
            raise StorageError(f"{path} is unreadable ({exc}); fix or delete it (you will get a new player id)") from exc
    env = os.environ if environ is None else environ
    if env.get(ENV_SERVER, "").strip():
        settings = replace(settings, server=env[ENV_SERVER].strip())
    return settings


def save_settings(settings: NetSettings, folder: Path | None = None) -> None:
    """Write atomically (temp file, fsync, rename) with owner-only permissions."""
    path = settings_path(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".leaderboard-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(settings), fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(f"cannot save {path}: {exc}") from exc
