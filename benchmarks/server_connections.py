"""Leaderboard server: 2,000 concurrent connected clients on one process, and the memory each
idle connection costs.

Starts ``ringside-server`` (SQLite, loopback, a temporary data directory) as a child process,
opens 2,000 WebSocket connections from this process, signs each in (``hello``), then measures the
server's resident memory (VmRSS) before and after, and a ``ping`` round trip on every connection
while all are connected. Bounded: fixed counts, loopback only.

Also exports the helpers the other ``server_*`` benchmarks use.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CLIENTS = 2000
TRAINER_CODE = "bench-trainer"


@contextmanager
def server(extra_args: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """Run ``python -m leaderboard_server serve`` on a free loopback port; yields (ws url, pid)."""
    with tempfile.TemporaryDirectory(prefix="ringside-bench-") as home:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RINGSIDE_HOME": home}
        proc = subprocess.Popen(
            [sys.executable, "-m", "leaderboard_server", "serve", "--port", "0", "--data-dir", home,
             # Every simulated client is on loopback: one address, so lift the per-address limits.
             "--trainer-code", TRAINER_CODE, "--exempt-address", "127.0.0.1", *(extra_args or [])],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        try:
            assert proc.stdout is not None
            url = None
            for line in proc.stdout:
                match = re.search(r"listening on (ws://\S+)", line)
                if match:
                    url = match.group(1)
                    break
            if url is None:
                raise SystemExit("server did not start")
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else float("nan")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores, shared with other work"


async def open_clients(url: str, n: int, *, batch: int = 100) -> list[Any]:
    from websockets.asyncio.client import connect  # noqa: PLC0415 - lazy: websockets (0.1 s CPU to import) only once a leaderboard is used

    conns: list[Any] = []
    for start in range(0, n, batch):
        conns += await asyncio.gather(*[connect(url, compression=None, open_timeout=60, ping_interval=None)
                                        for _ in range(min(batch, n - start))])
    return conns


async def request(ws: Any, message: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps({"v": 1, **message}))
    while True:
        reply = json.loads(await ws.recv())
        if reply.get("type") != "standings":
            return reply


async def run() -> None:
    with server() as (url, pid):
        warm = await open_clients(url, 1)
        await request(warm[0], {"type": "hello"})
        await asyncio.sleep(0.5)
        base_mb = rss_mb(pid)
        t0 = time.perf_counter()
        conns = await open_clients(url, CLIENTS)
        connect_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        await asyncio.gather(*[request(ws, {"type": "hello", "client": "bench"}) for ws in conns])
        hello_s = time.perf_counter() - t0
        await asyncio.sleep(1.0)
        idle_mb = rss_mb(pid)

        async def ping(ws: Any) -> float:
            t = time.perf_counter()
            await request(ws, {"type": "ping"})
            return (time.perf_counter() - t) * 1000

        t0 = time.perf_counter()
        rtts = await asyncio.gather(*[ping(ws) for ws in conns])
        ping_all_s = time.perf_counter() - t0
        alive = sum(1 for ws in conns if ws.state.name == "OPEN")
        sequential = [await ping(conns[i]) for i in range(0, CLIENTS, 10)]
        print(f"clients connected concurrently: {alive} / {CLIENTS} (open after the run)")
        print(f"connect {CLIENTS}: {connect_s:.2f} s; hello on all: {hello_s:.2f} s")
        print(f"server RSS: {base_mb:.1f} MB with 1 client -> {idle_mb:.1f} MB with {CLIENTS} idle clients")
        print(f"memory per idle connection: {(idle_mb - base_mb) * 1024 / CLIENTS:.1f} KiB")
        print(f"ping to all {CLIENTS} at once: {ping_all_s * 1000:.0f} ms total, "
              f"round trip p50 {pct(rtts, 50):.1f} ms, p99 {pct(rtts, 99):.1f} ms")
        print(f"ping one at a time with {CLIENTS} connected: p50 {pct(sequential, 50):.2f} ms, "
              f"p99 {pct(sequential, 99):.2f} ms")
        print(load_note())
        await asyncio.gather(*[ws.close() for ws in conns + warm])


if __name__ == "__main__":
    asyncio.run(run())
