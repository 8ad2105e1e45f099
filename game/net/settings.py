"""Where the game finds its leaderboard server, and the player's identity on it.

Stored in ``leaderboard.json`` in the data directory (written atomically, readable only by the
user since it holds the token). ``$RINGSIDE_SERVER`` overrides the server URL for one run.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from game.config import data_dir
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
    #: Tokens from other servers this device registered with (server URL -> token), so that
    #: going back to one signs in as the same player instead of registering a new one.
    other_tokens: Mapping[str, str] = field(default_factory=dict)

    def token_for(self, server: str) -> str | None:
        if self.token_server == server:
            return self.token
        return self.other_tokens.get(server)

    def with_token(self, server: str, token: str, player_id: str) -> NetSettings:
        """These settings after registering at ``server``: its token becomes the current one and
        the previous server's token is kept in ``other_tokens``."""
        others = {k: v for k, v in self.other_tokens.items() if k != server}
        if self.token is not None and self.token_server is not None and self.token_server != server:
            others[self.token_server] = self.token
        return replace(self, token=token, player_id=player_id, token_server=server, other_tokens=others)


def settings_path(folder: Path | None = None) -> Path:
    if folder is None:
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
            others = known.get("other_tokens", {})
            if not isinstance(others, dict) or not all(isinstance(v, str) for v in others.values()):
                raise ValueError("other_tokens is not a map of server to token")
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
            json.dump({**asdict(settings), "other_tokens": dict(settings.other_tokens)}, fh, indent=2)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise StorageError(f"cannot save {path}: {exc}") from exc
