"""Pose pipeline figures: per-frame time at 640x480, the bare model floor, analysis speed,
low-light detection rates, and webcam hand-over latency.

Prints plain lines; see docs/BENCHMARKS.md for recorded results.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from game.pose.backend import mediapipe_model_paths
from game.pose.lowlight import LowLightOptions
from game.pose.pipeline import PipelineOptions, PosePipeline, percentile
from game.pose.sources import LatestFrameGrabber, VideoSource
from game.pose.types import Frame

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "video"
VIDEOS = ["squat_side_deep", "squat_threequarter_8", "jab_side_single", "punches_straight_profile"]


def letterbox(image: np.ndarray, w: int = 640, h: int = 480) -> np.ndarray:
    import cv2

    ih, iw = image.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = int(iw * s), int(ih * s)
    out = np.zeros((h, w, 3), np.uint8)
    x0, y0 = (w - nw) // 2, (h - nh) // 2
    out[y0:y0 + nh, x0:x0 + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    return out


def frames_640(stem: str, limit: int = 300) -> list[Frame]:
    out = []
    for f in VideoSource(SHARED / f"{stem}.mp4"):
        out.append(Frame(letterbox(f.image_bgr), f.timestamp_ms, f.index))
        if len(out) >= limit:
            break
    return out


def bench_pipeline() -> None:
    times: list[float] = []
    analysed_s = 0.0
    wall = 0.0
    for stem in VIDEOS:
        frames = frames_640(stem)
        pipe = PosePipeline(PipelineOptions())
        t0 = time.perf_counter()
        for f in frames:
            pipe.process(f)
        wall += time.perf_counter() - t0
        analysed_s += frames[-1].timestamp_ms / 1000.0 + 1 / 30
        times += pipe.timings_ms[5:]  # the first frames include graph start-up
        pipe.close()
    print(flush=True)
    print(f"pipeline 640x480 (frame in hand -> smoothed skeleton): n={len(times)} "
          f"p50={percentile(times, 50):.1f} ms p95={percentile(times, 95):.1f} ms max={max(times):.1f} ms")
    print(f"analysis speed: {analysed_s:.1f} s of video in {wall:.1f} s = {analysed_s / wall:.2f}x real time")
    floor = bench_bare_model()
    print(f"ratio pipeline p50 / bare landmark model p50 = {percentile(times, 50) / floor:.2f}")


def bench_bare_model() -> float:
    try:
        from tflite_runtime.interpreter import Interpreter
    except ImportError:  # pragma: no cover
        from ai_edge_litert.interpreter import Interpreter  # type: ignore[no-redef]
    path = mediapipe_model_paths()["landmark_full"]
    interp = Interpreter(model_path=str(path), num_threads=2)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    x = np.random.default_rng(0).random(inp["shape"], dtype=np.float32)
    times = []
    for i in range(120):
        t0 = time.perf_counter()
        interp.set_tensor(inp["index"], x)
        interp.invoke()
        if i >= 10:
            times.append((time.perf_counter() - t0) * 1000)
    p50 = percentile(times, 50) or 1.0
    print(f"bare BlazePose full landmark model ({inp['shape'][1]}x{inp['shape'][2]}, tflite, 2 threads): "
          f"p50={p50:.1f} ms p95={percentile(times, 95):.1f} ms (the floor)")
    return p50


def darken(image: np.ndarray, factor: float = 0.18) -> np.ndarray:
    # Underexposure plus sensor noise, as a dim room looks to a webcam.
    noise = np.random.default_rng(0).normal(0, 2.0, image.shape)
    return np.clip(image.astype(np.float32) * factor + noise, 0, 255).astype(np.uint8)


def _run(frames: list[Frame], enabled: bool = True) -> list[np.ndarray | None]:
    pipe = PosePipeline(PipelineOptions(lowlight=LowLightOptions(enabled=enabled)))
    out = [None if (pf := pipe.process(f)).landmarks_px is None else pf.landmarks_px for f in frames]
    pipe.close()
    return out


def bench_lowlight() -> None:
    for stem in ["squat_side_deep", "squat_threequarter_8", "squat_barbell_side", "jab_side_single"]:
        bright = frames_640(stem, 240)
        truth = _run(bright)
        for factor in (0.18, 0.08):
            frames = [Frame(darken(f.image_bgr, factor), f.timestamp_ms, f.index) for f in bright]
            parts = []
            for label, enabled in (("without", False), ("with", True)):
                got = _run(frames, enabled)
                rate = sum(g is not None for g in got) / len(got)
                errs = [np.linalg.norm(g[:, :2] - t[:, :2], axis=1).mean()
                        for g, t in zip(got, truth) if g is not None and t is not None]
                err = f"{np.mean(errs):.1f} px" if errs else "n/a"
                parts.append(f"{label} enhancement {rate:.0%} found, mean deviation from the bright "
                             f"frames' skeleton {err}")
            b = float(np.mean([f.image_bgr.mean() for f in frames[:10]]))
            print(f"low light {stem} darkened x{factor} (mean {b:.0f}/255, n={len(frames)}): " + "; ".join(parts))


class BufferedCamera:
    """A camera that fills a 4-frame driver buffer at 30 fps, like V4L2 under OpenCV."""

    def __init__(self, fps: float = 30.0, depth: int = 4) -> None:
        self.period = 1 / fps
        self.buf: deque[tuple[float, Any]] = deque(maxlen=depth)
        self.cond = threading.Condition()
        self.running = True
        threading.Thread(target=self._produce, daemon=True).start()

    def _produce(self) -> None:
        nxt = time.monotonic()
        while self.running:
            nxt += self.period
            time.sleep(max(0.0, nxt - time.monotonic()))
            with self.cond:
                self.buf.append((time.monotonic(), np.zeros((2, 2, 3), np.uint8)))
                self.cond.notify_all()

    def read(self) -> tuple[bool, Any]:
        with self.cond:
            while not self.buf:
                self.cond.wait()
            t, img = self.buf.popleft()
        img = img.copy()
        img.flat[0] = 0
        self.last_t = t
        return True, (t, img)

    def release(self) -> None:
        self.running = False


def bench_capture(work_ms: float = 45.0, n: int = 60) -> None:
    cam = BufferedCamera()
    ages = []
    for _ in range(n):  # naive: read, then process
        ok, (t, _img) = cam.read()
        ages.append((time.monotonic() - t) * 1000)
        time.sleep(work_ms / 1000)
    cam.release()
    naive = ages[10:]
    cam = BufferedCamera()
    grab = LatestFrameGrabber(cam)
    ages = []
    seq = 0
    for _ in range(n):
        got = grab.get(seq)
        assert got is not None
        seq, (t, _img), _ = got
        ages.append((time.monotonic() - t) * 1000)
        time.sleep(work_ms / 1000)
    grab.close()
    print(f"capture hand-over with a {work_ms:.0f} ms/frame consumer on a 30 fps camera with a 4-frame buffer: "
          f"naive cap.read() frame age p50={np.median(naive):.0f} ms max={max(naive):.0f} ms; "
          f"newest-frame grabber p50={np.median(ages[10:]):.0f} ms max={max(ages[10:]):.0f} ms "
          f"(dropped {grab.dropped} stale frames)")


if __name__ == "__main__":
    bench_capture()
    bench_pipeline()
    bench_lowlight()
