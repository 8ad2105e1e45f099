"""Async protocol client for the leaderboard server (websockets' asyncio client).

:class:`ServerLink` is one connection: ``request()`` sends a message and returns its reply
(matched by request id), pushes (``standings``) go to a callback. :func:`sync_outbox` drains the
outbox; :func:`open_link` signs in (registering the first time and saving the token).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from game.net.errors import NetworkError, ServerReplyError
from game.net.outbox import Outbox
from game.net.settings import NetSettings, save_settings
from ringside_protocol import PROTOCOL_VERSION

log = logging.getLogger("ringside.net")
CLIENT_NAME = "ringside-game/0.1"


class ServerLink:
    def __init__(self, ws: Any, on_push: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.on_push = on_push
        self._reader = asyncio.create_task(self._read())
        self.closed = asyncio.Event()

    @classmethod
    async def connect(cls, url: str, *, timeout_s: float = 5.0, ssl_context: ssl.SSLContext | None = None,
                      on_push: Callable[[dict[str, Any]], None] | None = None) -> ServerLink:
        kwargs: dict[str, Any] = {"open_timeout": timeout_s, "compression": None, "proxy": None,
                                  "max_size": 4 * 1024 * 1024}
        if url.startswith("wss://") and ssl_context is not None:
            kwargs["ssl"] = ssl_context
        try:
            ws = await connect(url, **kwargs)
        except (OSError, TimeoutError) as exc:
            raise NetworkError(f"cannot reach the leaderboard server at {url} ({exc.__class__.__name__}); "
                               "scores stay in the outbox until it is back") from exc
        except (WebSocketException, ValueError) as exc:  # websockets' handshake errors (bad URL, 403 origin, 503 full)
            raise NetworkError(f"the leaderboard server at {url} refused the connection: {exc}") from exc
        return cls(ws, on_push)

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                rid = msg.get("re")
                fut = self._waiting.pop(rid, None) if isinstance(rid, int) else None
                if fut is not None and not fut.done():
                    fut.set_result(msg)
                elif msg.get("type") == "standings" and self.on_push is not None:
                    try:
                        self.on_push(msg)
                    except Exception:  # noqa: BLE001 - a display bug must not kill the link
                        log.exception("standings callback failed")
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            for fut in self._waiting.values():
                if not fut.done():
                    fut.set_exception(NetworkError("the connection to the leaderboard server was lost"))
            self._waiting.clear()

    async def request(self, message: dict[str, Any], *, timeout_s: float = 10.0) -> dict[str, Any]:
        """Send a message and return its reply. Error replies raise :class:`ServerReplyError`;
        a lost connection or a timeout raises :class:`NetworkError`."""
        if self.closed.is_set():
            raise NetworkError("the connection to the leaderboard server was lost")
        rid = next(self._ids)
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[rid] = fut
        try:
            await self._ws.send(json.dumps({"v": PROTOCOL_VERSION, "id": rid, **message}, separators=(",", ":")))
        except (ConnectionClosed, OSError) as exc:
            self._waiting.pop(rid, None)
            raise NetworkError("the connection to the leaderboard server was lost") from exc
        try:
            reply = await asyncio.wait_for(fut, timeout_s)
        except TimeoutError as exc:
            self._waiting.pop(rid, None)
            raise NetworkError("the leaderboard server did not answer in time") from exc
        if reply.get("type") == "error":
            raise ServerReplyError(str(reply.get("code")), str(reply.get("message")),
                                   is_final=bool(reply.get("final")), retry_after_ms=reply.get("retry_after_ms"))
        return reply

    async def close(self) -> None:
        await self._ws.close()
        await self.closed.wait()
        self._reader.cancel()


async def open_link(settings: NetSettings, *, folder: Path | None = None, timeout_s: float = 5.0,
                    on_push: Callable[[dict[str, Any]], None] | None = None,
                    save: bool = True) -> tuple[ServerLink, NetSettings]:
    """Connect and sign in; registers (and saves the new token) when there is no valid token."""
    link = await ServerLink.connect(settings.server, timeout_s=timeout_s, on_push=on_push)
    try:
        token = settings.token_for(settings.server)
        if token is not None:
            try:
                welcome = await link.request({"type": "hello", "token": token, "client": CLIENT_NAME})
                name = settings.name.strip()
                if name and name != welcome["player"]["name"] and len(name) <= 40 and name.isprintable():
                    await link.request({"type": "profile.set", "name": name})  # renamed on this device
                return link, replace(settings, player_id=welcome["player"]["id"])
            except ServerReplyError as err:
                if err.code not in ("unauthenticated", "token_expired"):
                    raise
                log.warning("the server no longer accepts our token (%s); registering again", err)
        await link.request({"type": "hello", "client": CLIENT_NAME})
        reg = await link.request({"type": "register", "name": settings.name})
        settings = settings.with_token(settings.server, reg["token"], reg["player"]["id"])
        if save:
            save_settings(settings, folder)
        return link, settings
    except BaseException:
        await link.close()
        raise


def _all_pending(outbox: Outbox, page: int = 500) -> Any:
    """Pending items oldest first, read a page at a time (an outbox back from months offline can
    hold thousands); items left pending by a passing refusal are not read twice."""
    seen: set[str] = set()
    while True:
        fresh = [item for item in outbox.pending(limit=page + len(seen)) if item.id not in seen]
        if not fresh:
            return
        for item in fresh:
            seen.add(item.id)
            yield item


@dataclass(frozen=True)
class SyncReport:
    sent: int = 0
    duplicates: int = 0
    rejected: int = 0
    remaining: int = 0
    error: str | None = None
    rejections: tuple[tuple[str, str], ...] = ()
    #: The sync stopped because the connection failed (else the server answered every request).
    is_connection_lost: bool = False


#: Non-final errors about one submission only: the next ones are still sent.
_WAITS_ALONE = frozenset({"clock_ahead"})


#: Pacing after a ``rate_limited`` reply: wait what the server asks, at least the floor, doubling
#: while refusals follow each other (the server may limit per address too, shared with other
#: devices); give up only after this long without one submission getting through.
RATE_WAIT_FLOOR_S = 0.05
RATE_WAIT_CEILING_S = 5.0
RATE_PATIENCE_S = 120.0


class Requester(Protocol):
    """What :func:`sync_outbox` needs of a link (a :class:`ServerLink`, or a test's fake server)."""

    async def request(self, message: dict[str, Any]) -> dict[str, Any]: ...


async def sync_outbox(link: Requester, outbox: Outbox, *, patience_s: float = RATE_PATIENCE_S,
                      sleep: Callable[[float], Any] = asyncio.sleep) -> SyncReport:
    """Send every pending submission, oldest first. Stops at the first network problem (the rest
    stay pending); a final refusal (e.g. implausible) marks the item rejected with its reason; a
    passing refusal of one item (e.g. ``clock_ahead``) keeps it pending and goes on with the next,
    so one score that must wait never holds back the others. ``rate_limited`` replies pace the
    sync (see :data:`RATE_PATIENCE_S`): any number of pending scores finishes in one run."""
    sent = duplicates = rejected = 0
    rejections: list[tuple[str, str]] = []
    error: str | None = None
    must_stop = is_connection_lost = False
    backoff_s = RATE_WAIT_FLOOR_S
    waited_s = 0.0  # since the last submission that got through
    for item in _all_pending(outbox):
        while True:
            try:
                reply = await link.request({"type": "submit", "submission": item.submission})
            except ServerReplyError as err:
                if err.code == "rate_limited" and waited_s < patience_s:
                    delay_s = min(max((err.retry_after_ms or 0) / 1000.0, backoff_s), RATE_WAIT_CEILING_S)
                    backoff_s = min(backoff_s * 2, RATE_WAIT_CEILING_S)
                    waited_s += delay_s
                    await sleep(delay_s)
                    continue
                if err.is_final:
                    outbox.mark_rejected(item.id, f"{err.code}: {err}")
                    rejected += 1
                    rejections.append((item.id, str(err)))
                else:
                    outbox.mark_attempt(item.id, f"{err.code}: {err}")
                    error = str(err)
                    # Only this submission must wait; anything else (rate limit, database down,
                    # sign-in) holds for the ones after it too: stop for now.
                    must_stop = err.code not in _WAITS_ALONE
                break
            except NetworkError as err:
                outbox.mark_attempt(item.id, str(err))
                error = str(err)
                must_stop = is_connection_lost = True
                break
            backoff_s, waited_s = RATE_WAIT_FLOOR_S, 0.0
            outbox.mark_sent(item.id, reply)
            if reply.get("status") == "duplicate":
                duplicates += 1
            else:
                sent += 1
            break
        if must_stop:
            break
    return SyncReport(sent, duplicates, rejected, outbox.counts().pending, error, tuple(rejections),
                      is_connection_lost)
