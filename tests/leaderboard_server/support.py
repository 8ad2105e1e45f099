"""Helpers to run real servers in tests: in-process (port 0) or as a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from leaderboard_server import core
from leaderboard_server.db import make_engine, migrate
from leaderboard_server.server import LeaderboardServer, ServerOptions

TRAINER_CODE = "coach-secret"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.asynccontextmanager
async def running_server(db_url: str = "sqlite://", **options: Any) -> AsyncIterator[LeaderboardServer]:
    """A real server on 127.0.0.1 with a free port, in this event loop."""
    engine = make_engine(db_url)
    migrate(engine)
    opts = ServerOptions(port=0, core=core.CoreConfig(trainer_code=TRAINER_CODE))
    opts = replace(opts, **options)
    server = LeaderboardServer(engine, opts)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        engine.dispose()


def ws_url(server: LeaderboardServer) -> str:
    return f"{server.scheme}://127.0.0.1:{server.port}/ws"


@dataclass
class ServerProcess:
    """``ringside-server serve`` as a child process (killable, restartable)."""

    args: list[str]
    env: dict[str, str]
    proc: subprocess.Popen[str] | None = None
    url: str = ""
    port: int = 0
    output: list[str] = field(default_factory=list)

    def start(self, timeout_s: float = 30.0) -> ServerProcess:
        port_args = ["--port", str(self.port)] if self.port else ["--port", "0"]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "leaderboard_server", "serve", *port_args, *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env,
        )
        deadline = time.monotonic() + timeout_s
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            match = re.search(r"listening on (wss?://[^\s]+)", line)
            if match:
                self.url = match.group(1)
                self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
                return self
        self.kill()
        raise AssertionError("server did not start:\n" + "".join(self.output))

    @property
    def http(self) -> str:
        return self.url.replace("ws", "http", 1).rsplit("/ws", 1)[0]

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as in a crash or power cut of the process."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(20)


@contextlib.contextmanager
def server_process(args: list[str], tmp_path: Path) -> Iterator[ServerProcess]:
    env = {**os.environ, "RINGSIDE_HOME": str(tmp_path / "server-home"), "PYTHONUNBUFFERED": "1"}
    sp = ServerProcess(args=args, env=env).start()
    try:
        yield sp
    finally:
        sp.kill()


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001
        return False


@contextlib.contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    if not postgres_available():
        if os.environ.get("CI") == "true":
            raise AssertionError("PostgreSQL on 127.0.0.1:5432 is required in CI")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    import psycopg

    name = f"ringside_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
