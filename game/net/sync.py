"""Background sync for the running game: a thread with its own asyncio loop keeps a connection
to the leaderboard server, drains the outbox, follows a live challenge and sends progress.

The frame loop only calls non-blocking methods (``submit``, ``join``, ``progress``,
``standings``, ``status``); every score goes to the on-disk outbox first, so quitting, crashing
or playing offline loses nothing. After every (re)connect the worker re-reads the challenge it
follows, because pushes sent while it was away are gone.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from websockets.exceptions import WebSocketException

from game.errors import RingsideError
from game.net.client import ServerLink, SyncReport, open_link, sync_outbox
from game.net.errors import NetworkError, ServerReplyError
from game.net.outbox import Outbox
from game.net.override import fetch_override, save_cached_override
from game.net.settings import NetSettings, load_settings
from game.net.standings import Standings, parse_standings

log = logging.getLogger("ringside.net")
#: Seconds between reconnect attempts (the last one repeats).
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: Live progress is sent at most this often (the server pushes standings to every watcher).
PROGRESS_INTERVAL_S = 0.25
#: Seconds before scores the server asked to wait for (clock ahead, database busy, rate limit)
#: are sent again on the same connection; a new score goes at once.
WAITING_RETRY_S = 30.0
#: How long acknowledged submissions stay in the outbox file.
SENT_KEPT_MS = 30 * 24 * 3600 * 1000


@dataclass(frozen=True)
class SyncStatus:
    is_connected: bool
    pending: int
    rejected: int
    last_error: str | None
    player_id: str | None
    last_report: SyncReport | None
    clock_offset_ms: int


class SyncWorker:
    def __init__(self, outbox: Outbox, settings: NetSettings, *, folder: Path | None = None,
                 retry_delays_s: Sequence[float] = RETRY_DELAYS_S) -> None:
        self.outbox = outbox
        self._settings = settings
        self._folder = folder
        self._retry = tuple(retry_delays_s)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._thread = threading.Thread(target=self._thread_main, name="ringside-sync", daemon=True)
        self._ready = threading.Event()
        # shared state (guarded by _lock)
        self._connected = False
        self._last_error: str | None = None
        self._last_report: SyncReport | None = None
        self._standings: Standings | None = None
        self._follow: tuple[str, bool] | None = None  # (code, as participant)
        self._follow_set_in_game = False
        self._bad_codes: set[str] = set()
        self._follow_sent: tuple[str, bool] | None = None
        self._progress: dict[str, Any] | None = None
        self._override: dict[str, Any] | None = None
        self._clock_offset_ms = 0
        self._sync_after = 0.0  # time.monotonic() before which waiting scores are not resent

    # -- called from the game thread ----------------------------------------------------------
    def start(self) -> SyncWorker:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stopping = True
        self._poke()
        self._thread.join(timeout_s)

    def submit(self, submission: Mapping[str, Any]) -> str:
        """Queue a submission durably (returns once it is on disk) and wake the sender."""
        sid = self.outbox.enqueue(submission)
        with self._lock:
            self._sync_after = 0.0
        self._poke()
        return sid

    def join(self, code: str) -> None:
        """Join challenge ``code`` as a participant and follow its standings."""
        with self._lock:
            self._follow = (code.upper(), True)
            self._follow_set_in_game = True
        self._poke()

    def watch(self, code: str | None) -> None:
        """Follow challenge ``code``'s standings as a spectator (None stops following)."""
        with self._lock:
            self._follow = None if code is None else (code.upper(), False)
            self._follow_set_in_game = True
            if code is None:
                self._standings = None
        self._poke()

    def progress(self, code: str, score: float, elapsed_ms: int, count: int | None = None) -> None:
        """Report the live score in a running challenge (only the latest value is sent)."""
        msg: dict[str, Any] = {"type": "challenge.progress", "code": code.upper(), "score": score,
                               "elapsed_ms": int(elapsed_ms)}
        if count is not None:
            msg["count"] = int(count)
        with self._lock:
            self._progress = msg
        self._poke()

    def standings(self) -> Standings | None:
        with self._lock:
            return self._standings

    def override(self) -> dict[str, Any] | None:
        with self._lock:
            return self._override

    def status(self) -> SyncStatus:
        counts = self.outbox.counts()
        with self._lock:
            return SyncStatus(self._connected, counts.pending, counts.rejected, self._last_error,
                              self._settings.player_id, self._last_report, self._clock_offset_ms)

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:
                pass  # loop already closed

    # -- the worker thread ----------------------------------------------------------------------
    def _thread_main(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._ready.set()
        attempt = 0
        while not self._stopping:
            link: ServerLink | None = None
            try:
                link, settings = await open_link(self._settings, folder=self._folder, on_push=self._on_push)
                self._settings = settings
                attempt = 0
                with self._lock:
                    self._connected = True
                    self._last_error = None
                    self._follow_sent = None  # re-read after every reconnect
                await self._session(link)
            except (NetworkError, ServerReplyError) as err:
                with self._lock:
                    self._last_error = str(err)
            except Exception as err:  # noqa: BLE001 - never let the sync thread die
                log.exception("sync worker error")
                with self._lock:
                    self._last_error = f"unexpected: {err}"
            finally:
                with self._lock:
                    self._connected = False
                if link is not None:
                    try:
                        await link.close()
                    except (OSError, WebSocketException):  # already gone
                        pass
            if self._stopping:
                break
            delay = self._retry[min(attempt, len(self._retry) - 1)]
            attempt += 1
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass
            self._wake.clear()

    def _on_push(self, msg: dict[str, Any]) -> None:
        try:
            st = parse_standings(msg, self._settings.player_id)
        except ValueError:
            return
        with self._lock:
            current = self._standings
            if self._follow is None or self._follow[0] != st.code:
                return
            if current is None or current.code != st.code or st.version >= current.version:
                self._standings = st
                self._clock_offset_ms = st.server_now_ms - int(time.time() * 1000)

    async def _session(self, link: ServerLink) -> None:
        assert self._wake is not None
        await self._sync(link)
        override = await fetch_override(link)
        save_cached_override(override, self._folder)
        with self._lock:
            self._override = override
        last_progress = 0.0
        while not self._stopping and not link.closed.is_set():
            self._refresh_follow()
            with self._lock:
                follow, sent = self._follow, self._follow_sent
                progress = self._progress
            if follow != sent:
                await self._follow_challenge(link, follow)
            with self._lock:
                is_sync_due = time.monotonic() >= self._sync_after
            if is_sync_due and self.outbox.counts().pending:
                await self._sync(link)
            if progress is not None and time.monotonic() - last_progress >= PROGRESS_INTERVAL_S:
                with self._lock:
                    self._progress = None
                last_progress = time.monotonic()
                try:
                    await link.request(progress)
                except ServerReplyError as err:
                    with self._lock:
                        self._last_error = str(err)
            try:
                wait_s = PROGRESS_INTERVAL_S if self._progress is not None else 2.0
                await asyncio.wait_for(self._wake.wait(), wait_s)
            except TimeoutError:
                pass
            self._wake.clear()

    def _refresh_follow(self) -> None:
        """Pick up a challenge joined from the command line (``ringside sync --join``)."""
        if self._follow_set_in_game:
            return

        try:
            code = load_settings(self._folder).follow
        except RingsideError:  # a broken settings file is reported elsewhere
            return
        with self._lock:
            if code and code not in self._bad_codes and (self._follow is None or self._follow[0] != code):
                self._follow = (code, True)

    async def _follow_challenge(self, link: ServerLink, follow: tuple[str, bool] | None) -> None:
        with self._lock:
            previous = self._follow_sent
        if previous is not None and (follow is None or follow[0] != previous[0]):
            await link.request({"type": "challenge.unwatch", "code": previous[0]})
        if follow is not None:
            code, as_player = follow
            try:
                reply = await link.request({"type": "challenge.join" if as_player else "challenge.watch",
                                            "code": code})
                st = parse_standings(reply, self._settings.player_id)
                with self._lock:
                    if self._standings is None or self._standings.code != code or st.version >= self._standings.version:
                        self._standings = st
                    self._clock_offset_ms = st.server_now_ms - int(time.time() * 1000)
            except ServerReplyError as err:
                with self._lock:
                    self._last_error = str(err)
                    if err.is_final:
                        self._follow = None
                        self._bad_codes.add(code)  # e.g. deleted or over: do not retry it
        with self._lock:
            self._follow_sent = follow

    async def _sync(self, link: ServerLink) -> None:
        report = await sync_outbox(link, self.outbox)
        if report.sent or report.duplicates:
            # Acknowledged scores are kept a while (the game can show "sent"), then forgotten.
            self.outbox.prune_sent(int(time.time() * 1000) - SENT_KEPT_MS)
        with self._lock:
            self._last_report = report
            if report.error:
                self._last_error = report.error
            # The server answered but some scores must wait: keep the connection, try them later.
            self._sync_after = time.monotonic() + WAITING_RETRY_S if report.error else 0.0
        if report.is_connection_lost:
            raise NetworkError(report.error or "the connection to the leaderboard server was lost")


def start_sync(*, folder: Path | None = None, server: str | None = None) -> SyncWorker:
    """Start a :class:`SyncWorker` on the default outbox and saved settings."""
    settings = load_settings(folder)
    if server:
        settings = replace(settings, server=server)
    outbox = Outbox(folder / "outbox.sqlite3") if folder is not None else Outbox.default()
    return SyncWorker(outbox, settings, folder=folder).start()
