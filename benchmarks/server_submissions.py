"""Leaderboard server: sustained score submissions per second on SQLite (goal: at least 1,000/s).

One ``ringside-server`` process (SQLite in WAL mode, ``synchronous=FULL``: every acknowledged
submission is on disk). 200 registered players on their own connections submit sessions with
realistic telemetry (a squat set with per-rep metrics, or a shadowboxing session with rounds and a
skeleton summary: ~1.5-2.5 KB each) as fast as acknowledgements come back, for a fixed 15 s after a
2 s warm-up. Every submission is schema-validated, plausibility-checked, stored, and raises the
player's daily/weekly/all-time bests with ranks in the reply. Bounded: fixed duration, loopback.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from typing import Any

from benchmarks.server_connections import cpu_s, load_note, open_clients, pct, request, server
from ringside_protocol import BOXING_MODE, DEFAULT_REP_MODE

PLAYERS = 200


def health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url.replace("ws://", "http://").replace("/ws", "/healthz"), timeout=10) as res:
        return json.loads(res.read())
WARMUP_S = 2.0
MEASURE_S = 15.0


def squat_session(i: int, now_ms: int) -> dict[str, Any]:
    reps = 8 + i % 8
    return {
        "mode": DEFAULT_REP_MODE, "score": reps, "played_at_ms": now_ms - 120_000, "duration_ms": 60_000,
        "telemetry": {
            "duration_ms": 60_000,
            "reps": [{"index": r, "duration_ms": 2400, "counted": True, "depth_deg": 88.5 + r % 5,
                      "spine_angle_deg": 31.0, "knee_valgus_deg": 4.5, "peak_velocity_mps": 0.92,
                      "mean_velocity_mps": 0.55, "velocity_loss_pct": 3.0 * r, "form_score": 86.0}
                     for r in range(reps)],
            "skeleton_summary": {"frames": 1800, "fps": 30.0, "visibility_mean": 0.94,
                                 "hip_depth_min_deg": [86.0, 88.0, 91.0]},
        },
    }


def boxing_session(i: int, now_ms: int) -> dict[str, Any]:
    rounds = [{"index": r, "duration_ms": 60_000, "punches_thrown": 150, "punches_landed": 120,
               "score": 1500.0 + i % 100, "peak_hand_speed_mps": 9.1, "mean_hand_speed_mps": 5.2, "dodges": 12,
               "max_combo": 8} for r in range(3)]
    return {
        "mode": BOXING_MODE, "score": sum(r["score"] for r in rounds), "played_at_ms": now_ms - 300_000,
        "duration_ms": 190_000,
        "telemetry": {"duration_ms": 190_000, "punches_thrown": 450, "punches_landed": 360, "rounds": rounds,
                      "skeleton_summary": {"frames": 5700, "fps": 30.0, "visibility_mean": 0.91,
                                           "stance_width_m": 0.48, "guard_height": {"left": 0.31, "right": 0.29}}},
    }


async def run() -> None:
    with server() as (url, pid):
        conns = await open_clients(url, PLAYERS)
        await asyncio.gather(*[request(ws, {"type": "register", "name": f"Bench {i}"}) for i, ws in enumerate(conns)])
        now_ms = int(time.time() * 1000)
        sizes: list[int] = []
        acked = 0
        latencies: list[float] = []
        errors: dict[str, int] = {}
        measuring = False
        stop = False

        async def player(k: int, ws: Any) -> None:
            nonlocal acked
            n = 0
            while not stop:
                n += 1
                body = squat_session(n, now_ms) if (k + n) % 2 else boxing_session(n, now_ms)
                body["id"] = f"bench-{k:04d}-{n:07d}"
                raw = json.dumps({"v": 1, "type": "submit", "id": n, "submission": body}, separators=(",", ":"))
                if len(sizes) < 1000:
                    sizes.append(len(raw))
                t = time.perf_counter()
                await ws.send(raw)
                reply = json.loads(await ws.recv())
                if reply.get("type") == "submitted":
                    if measuring:
                        acked += 1
                        latencies.append((time.perf_counter() - t) * 1000)
                else:
                    errors[str(reply.get("code"))] = errors.get(str(reply.get("code")), 0) + 1

        tasks = [asyncio.create_task(player(k, ws)) for k, ws in enumerate(conns)]
        await asyncio.sleep(WARMUP_S)
        measuring = True
        cpu0, t0, h0 = cpu_s(pid), time.perf_counter(), health(url)
        await asyncio.sleep(MEASURE_S)
        measuring = False
        elapsed, server_cpu, h1 = time.perf_counter() - t0, cpu_s(pid) - cpu0, health(url)
        stop = True
        await asyncio.gather(*tasks)
        rate = acked / elapsed
        print(f"sustained submissions on SQLite (synchronous=FULL, group commit): {rate:.0f} /s "
              f"over {elapsed:.0f} s from {PLAYERS} players ({acked} acknowledged)")
        print(f"message size: mean {sum(sizes) / len(sizes):.0f} B")
        print(f"acknowledgement latency: p50 {pct(latencies, 50):.1f} ms, p99 {pct(latencies, 99):.1f} ms")
        print(f"server CPU: {server_cpu / elapsed * 100:.0f}% of one core "
              f"({server_cpu / max(acked, 1) * 1e6:.0f} us per submission)")
        batches = h1["db_batches"] - h0["db_batches"]
        messages = h1["db_messages"] - h0["db_messages"]
        print(f"group commit: {messages / max(batches, 1):.1f} messages per transaction on average; "
              f"database thread busy {(h1['db_busy_s'] - h0['db_busy_s']) / elapsed * 100:.0f}% of the time")
        if errors:
            print(f"errors: {errors}")
        print(load_note() + "; the load generator runs on the same 2 cores")
        await asyncio.gather(*[ws.close() for ws in conns])


if __name__ == "__main__":
    asyncio.run(run())
