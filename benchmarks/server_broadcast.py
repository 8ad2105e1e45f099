"""Leaderboard server: live standings pushed to 500 watchers of one challenge (goal: p99 < 100 ms).

One ``ringside-server`` process (SQLite). A trainer runs a shadowboxing challenge with 10
players; 500 watcher connections (gym TVs, phones, the players' games) follow it. For 20 s each
player reports its live score once a second (10 updates/s in total, staggered). Latency is the
time from a player sending a progress report to a watcher receiving standings that include it,
measured for every (update, watcher) pair, and per update until the last of the 500 has it.
Watchers run in four child processes (they stand for 500 separate devices), players in this one, all on the same shared 2 cores, so the
figures include the load generator's own delays. Bounded: fixed duration, loopback.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from typing import Any

from benchmarks.server_connections import (
    TRAINER_CODE,
    cpu_s,
    load_note,
    open_clients,
    pct,
    request,
    server,
)
from ringside_protocol import BOXING_MODE

WATCHERS = 500
WATCHER_PROCESSES = 4
PLAYERS = 10
DURATION_S = 20.0


def watcher_process(url: str, code: str, count: int, ready: Any, stop: Any, results: Any) -> None:
    """A child process with ``count`` watcher connections; records when each score first arrives
    (wall clock, comparable across processes on one machine)."""

    async def main() -> None:
        conns = await open_clients(url, count)
        await asyncio.gather(*[request(ws, {"type": "challenge.watch", "code": code}) for ws in conns])
        received: list[tuple[int, str, float]] = []
        ready.set()

        async def watch(k: int, ws: Any) -> None:
            # Only record here (cheap); parse after the run, so the client's own work does not
            # delay the next message.
            try:
                async for raw in ws:
                    received.append((k, raw, time.time()))
            except Exception:  # noqa: BLE001 - closed at the end of the run
                pass

        tasks = [asyncio.create_task(watch(k, ws)) for k, ws in enumerate(conns)]
        await asyncio.to_thread(stop.wait)
        await asyncio.gather(*[ws.close() for ws in conns])
        await asyncio.gather(*tasks)
        arrivals: list[tuple[str, int, float, float]] = []
        seen: dict[tuple[int, str], int] = {}
        for k, raw, now in received:
            msg = json.loads(raw)
            if msg.get("type") != "standings":
                continue
            for e in msg["entries"]:
                player, score = e["player"], int(e["score"])
                for s in range(seen.get((k, player), 0) + 100, score + 1, 100):
                    arrivals.append((player, s, now, msg["now_ms"] / 1000.0))
                seen[(k, player)] = max(seen.get((k, player), 0), score)
        results.put(arrivals)

    asyncio.run(main())


async def run() -> None:
    ctx = multiprocessing.get_context("spawn")
    with server() as (url, pid):
        (coach,) = await open_clients(url, 1)
        await request(coach, {"type": "register", "name": "Coach", "trainer_code": TRAINER_CODE})
        code = (await request(coach, {"type": "challenge.create", "title": "Bench bout", "exercise": BOXING_MODE,
                                      "duration_s": 600}))["challenge"]["code"]
        players = await open_clients(url, PLAYERS)
        ids = []
        for i, ws in enumerate(players):
            ids.append((await request(ws, {"type": "register", "name": f"Boxer {i}"}))["player"]["id"])
            await request(ws, {"type": "challenge.join", "code": code})
        stop, results = ctx.Event(), ctx.Queue()
        procs, readies = [], []
        for _ in range(WATCHER_PROCESSES):
            ready = ctx.Event()
            proc = ctx.Process(target=watcher_process,
                               args=(url, code, WATCHERS // WATCHER_PROCESSES, ready, stop, results))
            proc.start()
            procs.append(proc)
            readies.append(ready)
        for ready in readies:
            await asyncio.to_thread(ready.wait, 120)
        await request(coach, {"type": "challenge.start", "code": code})
        sent_at: dict[tuple[str, int], float] = {}

        async def drain(ws: Any) -> None:
            try:
                async for _ in ws:
                    pass
            except Exception:  # noqa: BLE001 - closed at the end of the run
                pass

        async def play(k: int, ws: Any) -> None:
            await asyncio.sleep(0.1 * k)
            started = time.perf_counter()
            n = 0
            while time.perf_counter() - started < DURATION_S:
                n += 1
                score = n * 100
                sent_at[(ids[k], score)] = time.time()
                await ws.send(json.dumps({"v": 1, "type": "challenge.progress", "code": code, "score": score,
                                          "elapsed_ms": int((time.perf_counter() - started) * 1000) + 1000}))
                await asyncio.sleep(1.0)

        drains = [asyncio.create_task(drain(ws)) for ws in players + [coach]]
        await asyncio.sleep(1.0)
        cpu0 = cpu_s(pid)
        await asyncio.gather(*[play(k, ws) for k, ws in enumerate(players)])
        await asyncio.sleep(1.5)
        server_cpu = cpu_s(pid) - cpu0
        stop.set()
        await asyncio.gather(*[ws.close() for ws in players + [coach]])
        arrivals = []
        for _ in procs:
            arrivals += await asyncio.to_thread(results.get, True, 60)
        for proc in procs:
            proc.join(30)
        await asyncio.gather(*drains)
        deliveries: list[float] = []
        last: dict[tuple[str, int], float] = {}
        server_side: list[float] = []
        for player, score, t, snap_t in arrivals:
            sent = sent_at.get((player, score))
            if sent is not None:
                deliveries.append((t - sent) * 1000)
                server_side.append((snap_t - sent) * 1000)
                last[(player, score)] = max(last.get((player, score), 0.0), t)
        complete = [(last[key] - t) * 1000 for key, t in sent_at.items() if key in last]
        expected = len(sent_at) * WATCHERS
        print(f"standings pushed to {WATCHERS} watchers of one challenge, {len(sent_at)} progress updates from "
              f"{PLAYERS} players over {DURATION_S:.0f} s")
        print(f"deliveries: {len(deliveries)} of {expected} (update, watcher) pairs "
              f"({len(deliveries) / max(expected, 1) * 100:.1f}%)")
        print(f"update -> watcher: p50 {pct(deliveries, 50):.1f} ms, p99 {pct(deliveries, 99):.1f} ms, "
              f"max {max(deliveries):.1f} ms")
        print(f"  of which update sent -> standings read on the server (snapshot time): p50 "
              f"{pct(server_side, 50):.1f} ms, p99 {pct(server_side, 99):.1f} ms")
        print(f"update -> all {WATCHERS} watchers: p50 {pct(complete, 50):.1f} ms, p99 {pct(complete, 99):.1f} ms")
        print(f"server CPU during the run: {server_cpu / (DURATION_S + 1.5) * 100:.0f}% of one core")
        print(load_note() + f"; the clients ({WATCHER_PROCESSES} watcher processes, players) share the 2 cores")


if __name__ == "__main__":
    asyncio.run(run())
