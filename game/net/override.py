"""The coach's latest override of this player's plan, fetched from the server and cached on disk.

:func:`latest_coach_override` is what the game (and ``game.storage``) calls: it asks the server
when reachable, keeps the answer in ``coach_override.json`` in the data directory, and falls back
to that copy offline. The result is a plain dict (or None when no coach has overridden the plan).
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from game.config import data_dir
from game.net.errors import NetworkError
from game.net.settings import load_settings

FILENAME = "coach_override.json"


def _cache_path(folder: Path | None) -> Path:
    if folder is None:
        folder = data_dir()
    return folder / FILENAME


def save_cached_override(override: dict[str, Any] | None, folder: Path | None = None,
                         now_ms: int | None = None) -> None:
    path = _cache_path(folder)
    payload = {"fetched_at_ms": int(time.time() * 1000) if now_ms is None else now_ms, "override": override}
    fd, tmp = tempfile.mkstemp(prefix=".override-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def cached_override(folder: Path | None = None) -> dict[str, Any] | None:
    """The last override fetched (None if never fetched or the cache is unreadable)."""
    try:
        payload = json.loads(_cache_path(folder).read_text(encoding="utf-8"))
        override = payload.get("override") if isinstance(payload, dict) else None
        return override if isinstance(override, dict) else None
    except (OSError, ValueError):
        return None


def _is_current(override: dict[str, Any] | None, now_ms: int) -> dict[str, Any] | None:
    if override is None:
        return None
    expires = (override.get("plan") or {}).get("expires_at_ms")
    if isinstance(expires, int) and now_ms >= expires:
        return None
    return override


async def fetch_override(link: Any) -> dict[str, Any] | None:
    """Ask the server over an open :class:`~game.net.client.ServerLink`."""
    reply = await link.request({"type": "override.get"})
    override = reply.get("override")
    return override if isinstance(override, dict) else None


def latest_coach_override(*, fetch: bool = True, timeout_s: float = 3.0, folder: Path | None = None,
                          now_ms: int | None = None) -> dict[str, Any] | None:
    """The latest coach override for this player as a plain dict, or None.

    Shape: ``{"id": int, "player": str, "coach": str, "coach_id": str, "plan": {"difficulty":
    "easy"|"normal"|"hard"|"expert", "intensity": "rest"|"low"|"moderate"|"high", "volume_pct":
    int, "max_rounds": int, "round_length_s": int, "target_reps": int, "exercises": [...],
    "rest_day": bool, "expires_at_ms": int} (each key optional), "note": str, "created_at_ms":
    int}``. An override whose ``expires_at_ms`` has passed is treated as none. Never raises for
    network problems: offline, the cached copy is returned. Blocking (up to ``timeout_s``); do
    not call it from the frame loop, call it at start-up or from a worker thread.
    """
    t_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if fetch:
        settings = load_settings(folder)
        if settings.token_for(settings.server) is not None:
            try:
                override = asyncio.run(asyncio.wait_for(_fetch(settings, folder, timeout_s), timeout_s + 1))
                save_cached_override(override, folder, t_ms)
                return _is_current(override, t_ms)
            except (NetworkError, TimeoutError, OSError):
                pass
    return _is_current(cached_override(folder), t_ms)


async def _fetch(settings: Any, folder: Path | None, timeout_s: float) -> dict[str, Any] | None:
    from game.net.client import open_link  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    link, _ = await open_link(settings, folder=folder, timeout_s=timeout_s)
    try:
        return await fetch_override(link)
    finally:
        await link.close()
