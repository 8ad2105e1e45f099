"""A real leaderboard server on a background thread, for the game's synchronous net APIs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.leaderboard_server.conftest import engine, harness  # noqa: F401 - shared fixtures
from tests.leaderboard_server.support import running_server, ws_url


@dataclass
class ThreadedServer:
    url: str
    server: Any
    loop: asyncio.AbstractEventLoop

    def run(self, coro: Any, timeout_s: float = 20.0) -> Any:
        """Run a coroutine (e.g. a second client) on the server's loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)


@pytest.fixture
def threaded_server() -> Iterator[ThreadedServer]:
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        async with running_server() as srv:
            holder["srv"] = ThreadedServer(ws_url(srv), srv, asyncio.get_running_loop())
            holder["stop"] = asyncio.Event()
            ready.set()
            await holder["stop"].wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(20), "server did not start"
    srv: ThreadedServer = holder["srv"]
    yield srv
    srv.loop.call_soon_threadsafe(holder["stop"].set)
    thread.join(20)
