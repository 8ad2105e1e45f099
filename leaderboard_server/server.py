"""The only module that touches sockets: websockets (asyncio API) around the pure core.

Pieces:
- :class:`DbWorker`: one thread owns the database. Messages queue up; the worker handles them in
  small groups inside one transaction and commits once (group commit), then resolves each
  message's future. A reply is sent only after its commit: an acknowledged submission is on disk.
- :class:`Hub`: who watches which challenge; coalesced standings pushes (one database read and
  one JSON encoding per change, then ``broadcast``); a ticker that pushes the final standings when
  a challenge's time runs out.
- :class:`PgListener`: with PostgreSQL, every committed change is also announced with NOTIFY (in
  the same transaction), and every process LISTENs, so watchers on any process see it. After the
  listener reconnects, all watched challenges are re-read, since notifications can be missed.
- :class:`LeaderboardServer`: the connection handler, HTTP routes for the web view, origin checks,
  rate limits, size limits, TLS.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http
import json
import logging
import queue
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from leaderboard_server import core, protocol, web
from leaderboard_server.errors import (
    AbuseError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    ServerSetupError,
    StorageUnavailableError,
)
from leaderboard_server.limits import AddressBook, AddressLimit, RateLimit, TokenBucket, message_cost, take
from leaderboard_server.repository import Repository

log = logging.getLogger("ringside.server")
NOTIFY_CHANNEL = "ringside_standings"


def now_ms() -> int:
    return int(time.time() * 1000)


class SystemEntropy:
    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    db_url: str = "sqlite://"
    certfile: Path | None = None
    keyfile: Path | None = None
    #: Browser origins allowed besides the server's own pages ("*" allows any).
    allowed_origins: tuple[str, ...] = ()
    #: Host names (``Host`` header) this server answers to besides IP addresses, localhost and the
    #: machine's own name: the DNS name players use ("*" allows any; ".gym.example" a domain).
    allowed_hosts: tuple[str, ...] = ()
    #: What one network address may do (connections, messages, accounts, API lookups).
    address: AddressLimit = field(default_factory=AddressLimit)
    #: A connection that neither signed in nor watches a challenge is closed after this long
    #: without a message.
    idle_timeout_s: float = 60.0
    #: Largest accepted message. Telemetry of a long set with skeleton summaries is ~50 KiB.
    max_message_bytes: int = 256 * 1024
    max_connections: int = 20_000
    rate: RateLimit = field(default_factory=RateLimit)
    #: Bad messages (invalid JSON, schema errors) tolerated per connection before closing it.
    max_bad_messages: int = 50
    core: core.CoreConfig = field(default_factory=core.CoreConfig)
    #: Messages committed together at most (group commit).
    batch_max: int = 256
    server_id: str = field(default_factory=lambda: secrets.token_hex(4))


# -- database worker ------------------------------------------------------------------------------


@dataclass
class _Job:
    kind: str  # "handle" | "read"
    payload: Any
    future: asyncio.Future[Any]


#: Message types whose effects must survive a power cut: their batch is committed with a full
#: fsync before any reply. Live progress, watches and reads only need to survive a crash of the
#: process (WAL commit without fsync), which keeps a slow disk out of the live standings' latency.
DURABLE_TYPES = frozenset({
    "register", "profile.set", "submit", "group.create", "group.join", "group.leave", "group.remove",
    "challenge.create", "challenge.join",
    "challenge.start", "challenge.stop", "override.set",
})


class DbWorker:
    """Database work off the event loop, with group commit.

    One writer thread handles messages in groups inside one transaction and commits once; a
    second thread serves read-only snapshots (standings pushes, the HTTP API) so that they never
    wait behind a commit. (An in-memory SQLite database has a single connection, so there the
    reads share the writer thread.)
    """

    def __init__(self, engine: Engine, options: ServerOptions, loop: asyncio.AbstractEventLoop) -> None:
        self._engine = engine
        self._options = options
        self._loop = loop
        self._entropy = SystemEntropy()
        self._dialect = engine.dialect.name
        self._is_postgres = self._dialect == "postgresql"
        is_memory = self._dialect == "sqlite" and engine.url.database in (None, "", ":memory:")
        self._writes: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._reads = self._writes if is_memory else queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._lane, args=(self._writes,), name="ringside-db-write",
                                          daemon=True)]
        if self._reads is not self._writes:
            self._threads.append(threading.Thread(target=self._lane, args=(self._reads,), name="ringside-db-read",
                                                  daemon=True))
        self.committed_messages = 0
        self.batches = 0
        self.busy_s = 0.0

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Finish queued work and stop (called at shutdown)."""
        self._writes.put(None)
        if self._reads is not self._writes:
            self._reads.put(None)
        for thread in self._threads:
            thread.join(timeout=30)

    async def handle(self, message: dict[str, Any], state: core.SessionState, t_ms: int) -> core.Outcome:
        fut: asyncio.Future[core.Outcome] = self._loop.create_future()
        self._writes.put(_Job("handle", (message, state, t_ms), fut))
        return await fut

    async def read(self, fn: Callable[[Repository], Any]) -> Any:
        """Run a read-only function on committed data."""
        fut: asyncio.Future[Any] = self._loop.create_future()
        self._reads.put(_Job("read", fn, fut))
        return await fut

    def _lane(self, jobs: queue.SimpleQueue[_Job | None]) -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            batch = [job]
            stop = False
            while len(batch) < self._options.batch_max:
                try:
                    nxt = jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._run_batch(batch)
            if stop:
                return

    def _execute(self, job: _Job, repo: Repository) -> Any:
        if job.kind == "handle":
            message, state, t_ms = job.payload
            return core.handle(message, state, repo, t_ms, self._entropy, self._options.core)
        return job.payload(repo)

    def _begin(self, session: Session, batch: list[_Job]) -> None:
        """Choose the commit's durability: fsync only when the batch holds a durable write."""
        durable = any(j.kind == "handle" and j.payload[0].get("type") in DURABLE_TYPES for j in batch)
        if self._dialect == "sqlite":
            session.connection().exec_driver_sql(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        elif self._is_postgres and not durable:
            session.execute(text("SET LOCAL synchronous_commit = off"))

    def _announce(self, session: Session, results: list[Any]) -> None:
        if not self._is_postgres:
            return
        codes = {e.code for r in results if isinstance(r, core.Outcome) for e in r.effects
                 if isinstance(e, core.Publish)}
        payloads: list[dict[str, Any]] = [{"code": code} for code in sorted(codes)]
        revoked = sorted({t for r in results if isinstance(r, core.Outcome) for e in r.effects
                          if isinstance(e, core.Revoked) for t in e.tokens})
        if revoked:
            payloads.append({"revoked": revoked})  # other processes close their connections too
        for body in payloads:
            # NOTIFY inside the transaction: delivered to the other processes only if it commits.
            payload = json.dumps({**body, "origin": self._options.server_id})
            session.execute(text("SELECT pg_notify(:channel, :payload)"),
                            {"channel": NOTIFY_CHANNEL, "payload": payload})

    def _run_batch(self, batch: list[_Job]) -> None:
        started = time.perf_counter()
        results: list[Any] | None
        try:
            with Session(self._engine) as session:
                self._begin(session, batch)
                repo = Repository(session)
                results = [self._execute(job, repo) for job in batch]
                self._announce(session, results)
                session.commit()
        except Exception:  # noqa: BLE001 - one bad message must not fail the others: retry singly
            if len(batch) == 1:
                log.exception("database work failed")
            results = None
        if results is None:
            results = []
            for job in batch:
                try:
                    with Session(self._engine) as session:
                        self._begin(session, [job])
                        result = self._execute(job, Repository(session))
                        self._announce(session, [result])
                        session.commit()
                    results.append(result)
                except Exception as exc:  # noqa: BLE001 - this message alone fails: its sender gets the error (_resolve)
                    log.warning("message failed in storage: %s", exc)
                    results.append(exc)
        if batch[0].kind == "handle" or self._reads is self._writes:
            self.committed_messages += len(batch)
            self.batches += 1
            self.busy_s += time.perf_counter() - started
        for job, result in zip(batch, results):
            self._loop.call_soon_threadsafe(_resolve, job, result)


def _resolve(job: _Job, result: Any) -> None:
    if job.future.done():
        return
    if isinstance(result, BaseException):
        if job.kind == "handle":
            message, state, _ = job.payload
            err: ServerError
            if isinstance(result, (UnicodeError, DataError)):
                # The same message would fail again: refuse it for good instead of a retry loop.
                err = ProtocolError(f"this message cannot be stored ({result.__class__.__name__}); nothing was applied")
            else:
                err = StorageUnavailableError("the server could not store this right now; nothing was applied, "
                                              "send it again")
            job.future.set_result(core.Outcome((core.error_reply(err, protocol.request_id(message)),), (), state))
        else:
            job.future.set_exception(result)
    else:
        job.future.set_result(result)


# -- subscriptions and pushes ---------------------------------------------------------------------


#: A watcher with more than this much unsent data is skipped until it catches up.
MAX_WRITE_BUFFER_BYTES = 256 * 1024


def _write_buffer(ws: ServerConnection) -> int:
    try:
        return int(ws.transport.get_write_buffer_size())
    except (AttributeError, RuntimeError):
        return 0


class Hub:
    """Local watchers per challenge, and coalesced standings pushes."""

    def __init__(self, worker: DbWorker) -> None:
        self._worker = worker
        self.watchers: dict[str, set[ServerConnection]] = {}
        self._dirty: set[str] = set()
        self._wake = asyncio.Event()
        #: code -> (phase, end ms) of the last push, for the end-of-time ticker.
        self._last: dict[str, tuple[str, int | None]] = {}
        self.pushes = 0

    def subscribe(self, code: str, ws: ServerConnection) -> None:
        self.watchers.setdefault(code, set()).add(ws)

    def unsubscribe(self, code: str, ws: ServerConnection) -> None:
        conns = self.watchers.get(code)
        if conns is not None:
            conns.discard(ws)
            if not conns:
                del self.watchers[code]
                self._last.pop(code, None)

    def drop(self, ws: ServerConnection, codes: frozenset[str]) -> None:
        for code in codes:
            self.unsubscribe(code, ws)

    def mark(self, code: str) -> None:
        if code in self.watchers:
            self._dirty.add(code)
            self._wake.set()

    def mark_all(self) -> None:
        for code in self.watchers:
            self.mark(code)

    def remember(self, snap: dict[str, Any]) -> None:
        ch = snap["challenge"]
        self._last[ch["code"]] = (ch["state"], ch["ends_at_ms"])

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            codes, self._dirty = self._dirty, set()
            t_ms = now_ms()
            try:
                snaps = await self._worker.read(lambda repo: [core.snapshot(repo, c, t_ms) for c in codes])  # noqa: B023 - awaited here
            except Exception:  # noqa: BLE001 - keep pushing later changes; watchers re-read on reconnect
                log.exception("could not read standings for %s", ", ".join(sorted(codes)))
                await asyncio.sleep(0.5)
                self._dirty |= codes
                self._wake.set()
                continue
            for code, snap in zip(codes, snaps):
                conns = self.watchers.get(code)
                if snap is None or not conns:
                    continue
                self.remember(snap)
                # broadcast() has no backpressure: a watcher that stopped reading would buffer
                # every snapshot. Snapshots are complete, so a lagging one just skips to a later
                # one; retry shortly so it still ends on the latest.
                ready = [ws for ws in conns if _write_buffer(ws) < MAX_WRITE_BUFFER_BYTES]
                if len(ready) < len(conns):
                    asyncio.get_running_loop().call_later(0.5, self.mark, code)
                broadcast(ready, protocol.encode(snap).encode("utf-8"), text=True)  # encoded once for all
                self.pushes += 1

    async def tick(self) -> None:
        """Push final standings when a running challenge's time is up (no message triggers it)."""
        while True:
            await asyncio.sleep(0.25)
            t_ms = now_ms()
            for code, (phase, end_ms) in list(self._last.items()):
                if phase == "running" and end_ms is not None and t_ms >= end_ms:
                    self._last[code] = ("finished", end_ms)
                    self.mark(code)


class PgListener:
    """LISTEN for other processes' changes; reconnect with backoff and re-read after a gap."""

    def __init__(self, dsn: str, hub: Hub, server_id: str,
                 on_revoked: Callable[[frozenset[str]], Awaitable[None]] | None = None) -> None:
        self._dsn = dsn
        self._hub = hub
        self._server_id = server_id
        self._on_revoked = on_revoked
        self.connected = asyncio.Event()

    async def run(self) -> None:
        import psycopg  # noqa: PLC0415 - lazy: only with a PostgreSQL database

        delay_s = 0.2
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    delay_s = 0.2
                    self.connected.set()
                    self._hub.mark_all()  # anything missed while we were not listening
                    async for note in conn.notifies():
                        try:
                            payload = json.loads(note.payload)
                        except ValueError:
                            continue
                        if not isinstance(payload, dict) or payload.get("origin") == self._server_id:
                            continue
                        if isinstance(payload.get("code"), str):
                            self._hub.mark(payload["code"])
                        revoked = payload.get("revoked")
                        if self._on_revoked is not None and isinstance(revoked, list):
                            await self._on_revoked(frozenset(t for t in revoked if isinstance(t, str)))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep serving; pushes resume on reconnect
                self.connected.clear()
                log.warning("LISTEN connection lost (%s); retrying in %.1f s", exc, delay_s)
                await asyncio.sleep(delay_s)
                delay_s = min(delay_s * 2, 10.0)


# -- the server -----------------------------------------------------------------------------------


class LeaderboardServer:
    def __init__(self, engine: Engine, options: ServerOptions) -> None:
        self.engine = engine
        self.options = options
        self.connections: set[ServerConnection] = set()
        self.worker: DbWorker | None = None
        self.hub: Hub | None = None
        self.listener: PgListener | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._server: Any = None
        self.port: int = options.port
        self.addresses = AddressBook(options.address)
        #: Connections by the public id of the device token they signed in with.
        self.by_token: dict[str, set[ServerConnection]] = {}
        self._own_names = _own_names(options.host)

    # HTTP and handshake checks
    def _origin_ok(self, request: Request) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: games and tools
        allowed = self.options.allowed_origins
        if "*" in allowed or origin in allowed:
            return True
        host = request.headers.get("Host", "")
        parts = urlsplit(origin)
        return parts.netloc == host and parts.scheme in ("http", "https")

    async def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        is_upgrade = "websocket" in request.headers.get("Upgrade", "").lower()
        if request.method not in web.ALLOWED_METHODS or (is_upgrade and request.method != "GET"):
            response = _http(405, web.json_response(405, {"error": "method_not_allowed",
                                                          "message": "only GET (and HEAD) are answered here"}))
            response.headers["Allow"] = ", ".join(web.ALLOWED_METHODS)
            return response
        if not web.is_host_allowed(request.headers.get("Host"), self.options.allowed_hosts, self._own_names):
            log.info("refused host %s", request.headers.get("Host"))
            return _http(403, web.json_response(403, {
                "error": "forbidden_host",
                "message": "this server does not answer to that host name; its operator can allow it with "
                           "--allowed-host"}))
        address = _address(connection)
        if is_upgrade:
            if path not in ("/", "/ws"):
                return _http(404, web.json_response(404, {"error": "not_found", "message": "connect to /ws"}))
            if not self._origin_ok(request):
                log.info("refused origin %s", request.headers.get("Origin"))
                return _http(403, web.json_response(403, {"error": "forbidden_origin",
                                                          "message": "this origin may not connect"}))
            if len(self.connections) >= self.options.max_connections:
                return _http(503, web.json_response(503, {"error": "busy", "message": "server full, retry later"}))
            if (address not in self.options.address.exempt
                    and self.addresses.connections.get(address, 0) >= self.options.address.max_connections):
                return _too_many("too many connections from your address; close some and retry", 5000)
            return None
        if path == "/healthz":
            return _http(200, web.json_response(200, self.health()))
        routed = web.route(path)
        if isinstance(routed, web.SnapshotRequest):
            assert self.worker is not None
            t_ms, code = now_ms(), routed.code
            allowed, retry_ms = self.addresses.take(address, "api", t_ms)
            if not allowed:
                return _too_many(f"too many lookups; retry in {retry_ms} ms", retry_ms)
            snap = await self.worker.read(lambda repo: core.snapshot(repo, code, t_ms))
            if snap is None:
                return _http(404, web.json_response(404, {"error": "not_found", "message": f"no challenge {code}"}))
            return _http(200, web.json_response(200, snap))
        return _http(routed.status, routed)

    def _respond(self, connection: ServerConnection, request: Request, response: Response) -> Response:
        """HEAD gets GET's headers (Content-Length included) without the body."""
        if request.method == "HEAD":
            return dataclasses.replace(response, body=b"")
        return response

    def _forget_token(self, token: str, ws: ServerConnection) -> None:
        conns = self.by_token.get(token)
        if conns is not None:
            conns.discard(ws)
            if not conns:
                del self.by_token[token]

    async def sign_out(self, tokens: frozenset[str]) -> None:
        """Close this process's connections signed in with a revoked token (4001: sign in again)."""
        for token in tokens:
            for ws in list(self.by_token.pop(token, ())):
                ws.close_timeout = 1.0
                await ws.close(4001, "signed out: this device's token was revoked")

    def health(self) -> dict[str, Any]:
        return {"ok": True, "server_id": self.options.server_id, "connections": len(self.connections),
                "watched_challenges": 0 if self.hub is None else len(self.hub.watchers),
                "database": self.engine.dialect.name,
                "db_messages": 0 if self.worker is None else self.worker.committed_messages,
                "db_batches": 0 if self.worker is None else self.worker.batches,
                "db_busy_s": 0.0 if self.worker is None else round(self.worker.busy_s, 3),
                "listening": None if self.listener is None else self.listener.connected.is_set()}

    # one connection
    async def handler(self, ws: ServerConnection) -> None:
        assert self.worker is not None and self.hub is not None
        address = _address(ws)
        if not self.addresses.connect(address):
            ws.close_timeout = 1.0
            await ws.close(1008, "too many connections from your address")
            return
        self.connections.add(ws)
        state = core.SessionState()
        bucket = TokenBucket.full(self.options.rate, now_ms())
        strikes = 0
        bad = 0
        try:
            while True:
                # Idle connections that neither signed in nor watch anything are not kept.
                is_idle_allowed = state.player is not None or bool(state.watching)
                try:
                    async with asyncio.timeout(None if is_idle_allowed else self.options.idle_timeout_s):
                        raw = await ws.recv()
                except TimeoutError:
                    ws.close_timeout = 1.0
                    await ws.close(1008, "idle without signing in")
                    break
                t_ms = now_ms()
                rate = self.options.rate
                cost = message_cost(len(raw), rate)
                allowed, bucket, retry_ms = take(bucket, rate, t_ms, cost)
                if allowed:
                    # One address shares one budget, however many connections it opens: over it,
                    # this connection is not read until its turn (the flood waits in TCP buffers).
                    wait_ms = self.addresses.reserve(address, "messages", t_ms, cost)
                    if wait_ms:
                        await asyncio.sleep(wait_ms / 1000.0)
                        t_ms = now_ms()
                if not allowed:
                    strikes += 1
                    if strikes > self.options.rate.max_strikes:
                        raise AbuseError("too many messages; slow down")
                    await ws.send(protocol.encode(core.error_reply(
                        RateLimitedError(f"too many messages; retry in {retry_ms} ms", retry_ms), _loose_id(raw))))
                    continue
                strikes = 0
                try:
                    message = protocol.decode(raw)
                except ProtocolError as err:
                    bad += 1
                    if bad > self.options.max_bad_messages:
                        raise AbuseError("too many malformed messages") from err
                    await ws.send(protocol.encode(core.error_reply(err, _loose_id(raw))))
                    continue
                if message["type"] == "register":
                    allowed, retry_ms = self.addresses.take(address, "registrations", t_ms)
                    if not allowed:
                        await ws.send(protocol.encode(core.error_reply(RateLimitedError(
                            f"too many new accounts from your address; retry in {retry_ms // 1000} s",
                            retry_ms), protocol.request_id(message))))
                        continue
                outcome = await self.worker.handle(message, state, t_ms)
                if state.token is not None and outcome.session.token != state.token:
                    self._forget_token(state.token, ws)  # signed in again with another device token
                state = outcome.session
                for reply in outcome.replies:
                    await ws.send(protocol.encode(reply))
                for effect in outcome.effects:
                    if isinstance(effect, core.Subscribe):
                        self.hub.subscribe(effect.code, ws)
                        first = outcome.replies[0] if outcome.replies else {}
                        if isinstance(first.get("challenge"), dict):
                            self.hub.remember(first)  # so its end is pushed even if nothing else changes
                    elif isinstance(effect, core.Unsubscribe):
                        self.hub.unsubscribe(effect.code, ws)
                    elif isinstance(effect, core.Publish):
                        self.hub.mark(effect.code)
                    elif isinstance(effect, core.Close):
                        await ws.close(effect.code, effect.reason)
                    elif isinstance(effect, core.Revoked):
                        await self.sign_out(effect.tokens)
                if state.token is not None:
                    self.by_token.setdefault(state.token, set()).add(ws)
        except AbuseError as err:
            await ws.send(protocol.encode(core.error_reply(err, None)))
            # A flooder's unread messages fill our receive queue, so its close reply may never be
            # read: do not hold the connection open for the full handshake timeout.
            ws.close_timeout = 1.0
            await ws.close(1008, err.code)
        except ConnectionClosed:
            pass
        finally:
            self.addresses.disconnect(address)
            self.connections.discard(ws)
            if state.token is not None:
                self._forget_token(state.token, ws)
            self.hub.drop(ws, state.watching | frozenset(
                code for code, conns in list(self.hub.watchers.items()) if ws in conns))

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.options.certfile is None:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            ctx.load_cert_chain(self.options.certfile, self.options.keyfile)
        except (OSError, ssl.SSLError) as exc:
            raise ServerSetupError(f"cannot load the TLS certificate/key: {exc}") from exc
        return ctx

    async def start(self) -> None:
        ssl_context = self._ssl_context()  # fail before anything starts
        loop = asyncio.get_running_loop()
        self.worker = DbWorker(self.engine, self.options, loop)
        self.worker.start()
        self.hub = Hub(self.worker)
        self._tasks.append(asyncio.create_task(self.hub.run()))
        self._tasks.append(asyncio.create_task(self.hub.tick()))
        if self.engine.dialect.name == "postgresql":
            dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.listener = PgListener(dsn, self.hub, self.options.server_id, on_revoked=self.sign_out)
            self._tasks.append(asyncio.create_task(self.listener.run()))
        try:
            self._server = await serve(
                self.handler, self.options.host, self.options.port,
                process_request=self.process_request,
                process_response=self._respond,
                ssl=ssl_context,
                max_size=self.options.max_message_bytes,
                compression=None,  # small JSON messages; per-connection zlib state costs ~100 KiB each
                max_queue=16,
                server_header="ringside-server",
                ping_interval=20, ping_timeout=20,
            )
        except OSError as exc:
            raise ServerSetupError(f"cannot listen on {self.options.host}:{self.options.port}: {exc.strerror}") from exc
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]

    @property
    def scheme(self) -> str:
        return "wss" if self.options.certfile else "ws"

    async def wait_listening(self, timeout_s: float = 5.0) -> None:
        if self.listener is not None:
            await asyncio.wait_for(self.listener.connected.wait(), timeout_s)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()  # closes every connection with 1001 (going away)
            await self._server.wait_closed()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.worker is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.worker.stop)


def _loose_id(raw: str | bytes) -> str | int | None:
    """The request id of a message we refuse without handling, so the client can match the error."""
    try:
        return protocol.request_id(json.loads(raw))
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


def _address(connection: ServerConnection) -> str:
    """The peer's IP address (the key of the per-address limits)."""
    try:
        peer = connection.remote_address
    except (AttributeError, RuntimeError):
        return "?"
    return str(peer[0]) if isinstance(peer, tuple) and peer else "?"


def _own_names(bind_host: str) -> tuple[str, ...]:
    """This machine's names, which a LAN player may type (``gym-laptop``, ``gym-laptop.local``)."""
    names = {bind_host.lower()}
    for name in (socket.gethostname(), socket.getfqdn()):
        name = name.lower().rstrip(".")
        if name:
            names.update((name, name.split(".")[0], name.split(".")[0] + ".local"))
    return tuple(sorted(names))


def _too_many(message: str, retry_ms: int) -> Response:
    response = _http(429, web.json_response(429, {"error": "rate_limited", "message": message,
                                                  "retry_after_ms": retry_ms}))
    response.headers["Retry-After"] = str(max(1, -(-retry_ms // 1000)))
    return response


def _http(status: int, res: web.WebResponse) -> Response:
    headers = Headers()
    headers["Content-Type"] = res.content_type
    headers["Content-Length"] = str(len(res.body))
    headers["Cache-Control"] = "max-age=300" if res.cache else "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Content-Security-Policy"] = (
        "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    reason = http.HTTPStatus(status).phrase
    return Response(status, reason, headers, res.body)


__all__ = ["DbWorker", "Hub", "LeaderboardServer", "ServerOptions", "now_ms"]
