"""What the live feed pays for looking for a second person (issue 14): the game's pose feed
(``game.feed.PoseFeed``, wall pacing, frames the model is too slow for dropped as a camera drops
them) over shared videos, with the single-player pipeline the game used before (one person) and
the one it uses now (``watching_pipeline``: a still-image look for two once a second, both
followed while two are in view). The two are run in turns on each clip (one, watching, one,
watching, ...), so each sees the same machine load; the ratios of one run are the figures to read.

Per clip and pipeline: skeletons delivered per second of video, frames dropped before the model,
frame-in-hand to skeleton-ready time (p50 / p95 / max), items with two people. Boxing needs 24
skeletons a second, reps 10 (``game.feed.MIN_POSE_FPS``). ``RINGSIDE_BENCH_FEED_TURNS`` sets the
turns per clip (default 2).
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from benchmarks.pose_pipeline import SHARED, load
from game.feed import (
    PoseFeed,
    SharedBackend,
    SharedPeopleBackend,
    pose_opener,
    watching_pipeline,
)
from game.pose.backend import MediaPipeBackend
from game.pose.pipeline import PipelineOptions, PosePipeline

CLIPS = ["punches_straight_profile", "squat_side_deep", "punch_two_people_duck_drill",
         "two_kids_partner_punch_drill"]
TURNS = int(os.environ.get("RINGSIDE_BENCH_FEED_TURNS", "2"))


def run_feed(video: str, watching: bool, models: dict[str, Any]) -> dict[str, Any]:
    """One pass of the feed over ``video`` in real time; what it delivered."""
    shared = models["one"]
    if watching:
        def make() -> Any:
            return watching_pipeline(shared, models["look"], models["both"])
    else:
        def make() -> Any:
            return PosePipeline(PipelineOptions(), backend=shared)
    opener = pose_opener(video, drop_late=True, pipeline_factory=make, hands_out_everyone=watching)
    feed = PoseFeed(opener, label=os.path.basename(video), pacing="wall").start()
    items: list[Any] = []
    while not feed.is_exhausted:
        feed.wait_for_items(0.05)
        items.extend(feed.poll())
    feed.stop()
    if len(items) < 2:
        raise SystemExit(f"{video}: the feed gave {len(items)} skeletons; a latency needs at least 2")
    lat = np.array([i.pose_latency_ms for i in items[1:]])  # the first pays the model's load
    span_s = (items[-1].pose.timestamp_ms - items[0].pose.timestamp_ms) / 1000.0 if items else 0.0
    return {"skeletons_per_s": (len(items) - 1) / span_s if span_s > 0 else 0.0,
            "dropped": feed.frames_skipped, "delivered": len(items),
            "lat_p50": float(np.median(lat)), "lat_p95": float(np.percentile(lat, 95)),
            "lat_max": float(lat.max()), "two": sum(len(i.people) >= 2 for i in items)}


def main() -> None:
    models = {"one": SharedBackend(),
              "look": SharedPeopleBackend(lambda: MediaPipeBackend(static_image_mode=True, num_poses=2),
                                          is_per_stream=False),
              "both": SharedPeopleBackend(lambda: MediaPipeBackend(num_poses=2))}
    for stem in CLIPS:
        video = SHARED / f"{stem}.mp4"
        if not video.is_file():
            print(f"feed {stem}: skipped (clip not found)")
            continue
        runs: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
        before = load()
        for _ in range(TURNS):
            for watching in (False, True):
                runs[watching].append(run_feed(str(video), watching, models))
        after = load()
        fig = {w: {k: float(np.mean([r[k] for r in rs])) for k in rs[0]} for w, rs in runs.items()}
        for watching in (False, True):
            f = fig[watching]
            print(f"feed {stem} {'watching' if watching else 'one person'} (n={TURNS} runs): "
                  f"{f['skeletons_per_s']:.1f} skeletons/s, {f['dropped']:.0f} dropped of "
                  f"{f['dropped'] + f['delivered']:.0f}, latency p50 {f['lat_p50']:.1f} / p95 "
                  f"{f['lat_p95']:.1f} / max {f['lat_max']:.1f} ms, {f['two']:.0f} with two people")
        one, watch = fig[False], fig[True]
        print(f"feed {stem} ratio watching/one: skeletons/s {watch['skeletons_per_s'] / one['skeletons_per_s']:.2f}, "
              f"latency p50 {watch['lat_p50'] / one['lat_p50']:.2f}, p95 {watch['lat_p95'] / one['lat_p95']:.2f}; "
              f"{before} -> {after}")
        time.sleep(0.5)
    for m in models.values():
        m.close()


if __name__ == "__main__":
    main()
