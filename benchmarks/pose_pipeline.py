"""Pose pipeline figures (``make bench``): per-frame time at 640x480 of our pipeline against the
previous pipeline (mediapipe 0.10.21 solutions, numpy 1; run as a subprocess in its own venv,
frames interleaved in chunks so both see the same machine load) and against the bare MediaPipe
Tasks landmarker; two people tracked at once; analysis speed; low-light detection rates; webcam
hand-over latency.

The old pipeline needs a venv with the old stack (mediapipe 0.10.21, numpy 1), outside the repo:
``RINGSIDE_OLD_PYTHON``, by default ``../venv-old/bin/python`` next to this checkout, made with
``python3.11 -m venv ../venv-old && ../venv-old/bin/pip install mediapipe==0.10.21 'numpy<2'
'opencv-contrib-python<4.12'``. Its code is taken from git (``RINGSIDE_OLD_REF``, default the last
commit before the switch). Without them, or when that python has no mediapipe 0.10 solutions,
that comparison is skipped with a message.

Prints plain lines with the load average; see docs/BENCHMARKS.md for recorded results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from game.pose import backend
from game.pose.backend import _import_tasks, create_landmarker, pose_model_path
from game.pose.lowlight import LowLightOptions
from game.pose.pipeline import PipelineOptions, PosePipeline, percentile, recording_options
from game.pose.sources import LatestFrameGrabber, VideoSource
from game.pose.types import Frame

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "video"
VIDEOS = ["squat_side_deep", "squat_threequarter_8", "jab_side_single", "punches_straight_profile"]
TWO_PEOPLE = ["two_kids_partner_punch_drill", "punch_two_people_duck_drill", "pushup_two_people_father_child"]
OLD_REF = os.environ.get("RINGSIDE_OLD_REF", "720b1f0")
OLD_PYTHON = Path(os.environ.get("RINGSIDE_OLD_PYTHON", str(ROOT.parent / "venv-old" / "bin" / "python")))
CHUNK = 10  # frames per turn when interleaving contenders (short turns: each sees the same load)


def load() -> str:
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())


def letterbox(image: np.ndarray, w: int = 640, h: int = 480) -> np.ndarray:
    import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video, image or camera is read

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


# The old side: a small worker run by the old venv's python on the old code (from git). It reads
# the same clip, letterboxes it the same way, and processes the next N frames on each "N" line,
# answering with their times; "reset STEM" starts a clip.
OLD_WORKER = r"""
import json, sys, time
import numpy as np, cv2
from game.pose.pipeline import PipelineOptions, PosePipeline
from game.pose.sources import VideoSource
from game.pose.types import Frame
def letterbox(image, w=640, h=480):
    ih, iw = image.shape[:2]; s = min(w / iw, h / ih); nw, nh = int(iw * s), int(ih * s)
    out = np.zeros((h, w, 3), np.uint8); x0, y0 = (w - nw) // 2, (h - nh) // 2
    out[y0:y0 + nh, x0:x0 + nw] = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA); return out
frames, pos, pipe = [], 0, None
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "reset":
        if pipe: pipe.close()
        frames = [Frame(letterbox(f.image_bgr), f.timestamp_ms, f.index) for f in VideoSource(cmd[1])][:int(cmd[2])]
        pos, pipe = 0, PosePipeline(PipelineOptions())
        pipe.process(frames[0]); pos = 1  # graph start-up, not timed
        print(json.dumps([]), flush=True)
    else:
        n = int(cmd[0]); out = []; cpu = time.process_time()
        for f in frames[pos:pos + n]:
            pipe.process(f); out.append(pipe.last_ms)
        pos += n
        print(json.dumps(out + [(time.process_time() - cpu) * 1000.0]), flush=True)
"""


class OldPipeline:
    """The previous pipeline in a subprocess; None when its venv or code is not available."""

    def __init__(self, proc: subprocess.Popen[str], tmp: tempfile.TemporaryDirectory[str]) -> None:
        self.proc = proc
        self._tmp = tmp

    @classmethod
    def start(cls) -> OldPipeline | None:
        if not OLD_PYTHON.is_file():
            print(f"old pipeline: skipped (no old-stack python at {OLD_PYTHON}; set RINGSIDE_OLD_PYTHON)")
            return None
        probe = subprocess.run([str(OLD_PYTHON), "-c", "import mediapipe.python.solutions.pose"],
                               capture_output=True, check=False)
        if probe.returncode != 0:
            print(f"old pipeline: skipped ({OLD_PYTHON} has no mediapipe 0.10 solutions; "
                  "set RINGSIDE_OLD_PYTHON to the old stack's venv)")
            return None
        tmp = tempfile.TemporaryDirectory(prefix="ringside-old-")
        archive = subprocess.run(["git", "archive", OLD_REF, "game"], cwd=ROOT, capture_output=True, check=False)
        if archive.returncode != 0:
            print(f"old pipeline: skipped (git archive {OLD_REF} failed)")
            return None
        subprocess.run(["tar", "-x", "-C", tmp.name], input=archive.stdout, check=True)
        env = dict(os.environ, PYTHONPATH=tmp.name, PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.Popen([str(OLD_PYTHON), "-c", OLD_WORKER], cwd=tmp.name, env=env, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return cls(proc, tmp)

    def ask(self, line: str) -> list[float]:
        """The worker's answer: per-frame times (ms), then, after frames, its CPU time (ms)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline()
        if not reply:
            raise RuntimeError("old pipeline worker died")
        times: list[float] = json.loads(reply)
        return times

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self._tmp.cleanup()


class BareTasks:
    """The MediaPipe Tasks landmarker as a user would call it: cv2 colour conversion, one call.

    ``shipped``: on the shipped ``.task`` as it is (what a user of the bundle gets, mask branch
    included); otherwise on the landmarks-only bundle our pipeline runs (game/pose/bundle.py), so
    ours / bare is our own work on top of the same model.
    """

    def __init__(self, shipped: bool = False) -> None:
        if shipped:
            self.t = _import_tasks()
            options = self.t.pl.PoseLandmarkerOptions(
                base_options=self.t.BaseOptions(model_asset_path=str(pose_model_path())),
                running_mode=self.t.RunningMode.VIDEO, num_poses=1)
            self.lm = self.t.pl.PoseLandmarker.create_from_options(options)
        else:
            self.t, self.lm = create_landmarker(video=True, num_poses=1)
        self.ts = 0

    def process(self, f: Frame) -> float:
        import cv2  # noqa: PLC0415 - lazy: OpenCV (0.14 s CPU to import) only when a video, image or camera is read

        start = time.perf_counter()
        rgb = cv2.cvtColor(f.image_bgr, cv2.COLOR_BGR2RGB)
        self.ts = max(self.ts + 1, int(f.timestamp_ms))
        self.lm.detect_for_video(self.t.Image(image_format=self.t.ImageFormat.SRGB, data=rgb), self.ts)
        return (time.perf_counter() - start) * 1000.0

    def close(self) -> None:
        self.lm.close()


def _pipeline_times(pipe: PosePipeline, chunk: list[Frame]) -> list[float]:
    for f in chunk:
        pipe.process(f)
    return pipe.timings_ms[-len(chunk):]


def _bare_times(tasks: BareTasks, chunk: list[Frame]) -> list[float]:
    return [tasks.process(f) for f in chunk]


def _old_times(old: OldPipeline, chunk: list[Frame], cpu_ms: list[float]) -> list[float]:
    *times, cpu = old.ask(str(len(chunk)))
    cpu_ms.append(cpu)  # the worker process's own CPU time for the chunk
    return times


def _in_process(run: Callable[[list[Frame]], list[float]], chunk: list[Frame], cpu_ms: list[float]) -> list[float]:
    # Process CPU time counts MediaPipe's graph threads too; the other contenders are idle meanwhile.
    cpu = time.process_time()
    times = run(chunk)
    cpu_ms.append((time.process_time() - cpu) * 1000.0)
    return times


def bench_pipeline() -> None:
    """Ours, the old pipeline and the bare landmarker (on our landmarks-only bundle and on the
    shipped one) on the same frames, in turns of CHUNK frames, the order rotating every turn."""
    ours: list[float] = []
    bare: list[float] = []
    shipped: list[float] = []
    old: list[float] = []
    cpu: dict[str, list[float]] = {"ours": [], "bare": [], "shipped": [], "old": []}
    analysed_s = 0.0
    old_pipe = OldPipeline.start()
    for stem in VIDEOS:
        frames = frames_640(stem)
        pipe = PosePipeline(PipelineOptions())
        tasks = BareTasks()
        tasks_shipped = BareTasks(shipped=True)
        pipe.process(frames[0])  # start-up, not timed
        tasks.process(frames[0])
        tasks_shipped.process(frames[0])
        if old_pipe is not None:
            old_pipe.ask(f"reset {SHARED / (stem + '.mp4')} {len(frames)}")
        contenders: list[tuple[list[float], Callable[[list[Frame]], list[float]]]] = [
            (ours, partial(_in_process, partial(_pipeline_times, pipe), cpu_ms=cpu["ours"])),
            (bare, partial(_in_process, partial(_bare_times, tasks), cpu_ms=cpu["bare"])),
            (shipped, partial(_in_process, partial(_bare_times, tasks_shipped), cpu_ms=cpu["shipped"]))]
        if old_pipe is not None:
            contenders.append((old, partial(_old_times, old_pipe, cpu_ms=cpu["old"])))
        for turn, at in enumerate(range(1, len(frames), CHUNK)):
            # Who goes first rotates: the first after a switch finds the caches cold.
            for k in range(len(contenders)):
                times, run = contenders[(turn + k) % len(contenders)]
                times += run(frames[at:at + CHUNK])
        analysed_s += (frames[-1].timestamp_ms - frames[0].timestamp_ms) / 1000.0
        pipe.close()
        tasks.close()
        tasks_shipped.close()
    if old_pipe is not None:
        old_pipe.close()

    def line(name: str, t: list[float]) -> str:
        return f"{name}: n={len(t)} p50={percentile(t, 50):.1f} ms p95={percentile(t, 95):.1f} ms mean={np.mean(t):.1f} ms"

    print(f"{len(VIDEOS)} clips at 640x480, frame in hand -> skeleton, interleaved in turns of {CHUNK} frames; {load()}")
    print(line("ours (Tasks 1.2, smoothing, tracking)", ours))
    print(line("bare Tasks PoseLandmarker, same landmarks-only bundle (cv2 RGB + detect_for_video)", bare))
    print(line("bare Tasks PoseLandmarker, shipped .task as is (mask branch computed)", shipped))

    def ratio(name: str, a: list[float], b: list[float], goal: str = "") -> None:
        print(f"ratio {name}: p50 {np.percentile(a, 50) / np.percentile(b, 50):.2f}x, "
              f"mean {np.mean(a) / np.mean(b):.2f}x{goal}")

    ratio("ours / bare (same bundle)", ours, bare, " (goal <= 1.15x)")
    ratio("ours / bare (shipped bundle)", ours, shipped)
    ratio("bare landmarks-only / bare shipped", bare, shipped)
    if old:
        print(line("old pipeline (mediapipe 0.10.21 solutions, numpy 1)", old))
        ratio("ours / old", ours, old, " (goal <= 0.8x)")
        ratio("bare shipped / old", shipped, old)
    # CPU time per frame is what a quiet machine would take as wall time, less what waiting for a
    # core adds under load (cache and memory contention still count): the load-robust comparison.
    per_frame = {k: sum(v) / len(ours) for k, v in cpu.items() if v}
    print("CPU per frame (all threads): " + ", ".join(f"{k} {v:.1f} ms" for k, v in per_frame.items()))
    if "old" in per_frame:
        print(f"CPU ratio ours / old: {per_frame['ours'] / per_frame['old']:.2f}x (goal <= 0.8x), "
              f"ours / bare {per_frame['ours'] / per_frame['bare']:.2f}x (goal <= 1.15x), "
              f"bare shipped / old {per_frame['shipped'] / per_frame['old']:.2f}x")
    wall = sum(ours) / 1000.0
    print(f"analysis speed (model + pipeline only, frames decoded beforehand): "
          f"{analysed_s:.1f} s of video in {wall:.1f} s = {analysed_s / wall:.2f}x real time")


def bench_two_people() -> None:
    """Two people tracked in every frame (num_poses=2): frames/s, each person in each frame."""
    for stem in TWO_PEOPLE:
        if not (SHARED / f"{stem}.mp4").is_file():
            print(f"two people {stem}: skipped (clip not found)")
            continue
        frames = frames_640(stem, 240)
        pipe = PosePipeline(PipelineOptions(max_people=2))
        pipe.process_all(frames[0])
        both = 0
        t0 = time.perf_counter()
        for f in frames[1:]:
            both += len(pipe.process_all(f)) == 2
        wall = time.perf_counter() - t0
        t = pipe.timings_ms[1:]
        pipe.close()
        print(f"two people {stem} (640x480, n={len(t)}): p50={percentile(t, 50):.1f} ms "
              f"p95={percentile(t, 95):.1f} ms -> {len(t) / wall:.1f} frames/s, both tracked in "
              f"{both / len(t):.0%} of frames (goal >= 20 frames/s each); {load()}")


def bench_watch_others() -> None:
    """What looking for a second person costs (``PipelineOptions.watch_others_ms``, the eval's
    recordings): single-person clips with and without the look once a second, and a two-person
    clip watched against one followed as two from the start; interleaved in turns of 30 frames
    (one look per turn), so each contender sees the same load."""
    turn = 30
    groups = [
        [("lunge_split_stationary_side_timer", PipelineOptions(), "one person, never looking"),
         ("lunge_split_stationary_side_timer", recording_options(), "one person, looking once a second"),
         ("squat_threequarter_8", PipelineOptions(), "one person, never looking"),
         ("squat_threequarter_8", recording_options(), "one person, looking once a second")],
        [("punch_two_people_duck_drill", recording_options(), "two people, looking (switches at 0 s)"),
         ("punch_two_people_duck_drill", PipelineOptions(max_people=2), "two people, num_poses=2 throughout")],
    ]
    for cases in groups:
        clips = {stem: frames_640(stem, 300) for stem, _, _ in cases if (SHARED / f"{stem}.mp4").is_file()}
        pipes = [(stem, PosePipeline(opts), what) for stem, opts, what in cases if stem in clips]
        for stem, pipe, _ in pipes:
            pipe.process_all(clips[stem][0])  # the model's start-up is not a frame's time
        n = min(len(f) for f in clips.values())
        for start in range(1, n, turn):
            for stem, pipe, _ in pipes:
                for f in clips[stem][start:start + turn]:
                    pipe.process_all(f)
        for stem, pipe, what in pipes:
            t = np.array(pipe.timings_ms[1:])
            times = np.array([f.timestamp_ms for f in clips[stem][1:n]])
            # the frames a look ran on: the first at or after each whole second of stream time
            look = np.zeros(len(t), bool)
            if pipe.options.watch_others_ms is not None and pipe.switches == 0:
                look[np.searchsorted(times, np.arange(1000.0, times[-1] + 1, 1000.0))[:-1]] = True
            looks = (f"; look frames mean {t[look].mean():.1f} ms (n={look.sum()}), other frames "
                     f"p50 {np.median(t[~look]):.1f} ms") if look.any() else ""
            print(f"watch {stem} {what} (640x480, n={len(t)}): mean {t.mean():.1f} ms, "
                  f"p50 {np.median(t):.1f}, p95 {np.percentile(t, 95):.1f}, max {t.max():.1f} ms"
                  f"{looks}; {load()}")
            pipe.close()


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
        _ok, (t, _img) = cam.read()
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


def bench_startup(runs: int = 3) -> None:
    """Model start-up: our landmarker (deriving the landmarks-only bundle, then loading it) against
    a landmarker on the shipped bundle, in turns."""
    ours, shipped, derive = [], [], []
    for _ in range(runs):
        backend._landmarks_only_cached.cache_clear()
        t0 = time.perf_counter()
        backend._landmarks_only(backend.pose_model_path())
        derive.append(time.perf_counter() - t0)
        backend._landmarks_only_cached.cache_clear()
        t0 = time.perf_counter()
        BareTasks().close()
        ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        BareTasks(shipped=True).close()
        shipped.append(time.perf_counter() - t0)
    print(f"landmarker start-up, median of {runs}: ours {np.median(ours):.2f} s (of which deriving the "
          f"landmarks-only bundle {np.median(derive):.2f} s), on the shipped bundle {np.median(shipped):.2f} s; {load()}")


PARTS = {"capture": bench_capture, "pipeline": bench_pipeline, "startup": bench_startup,
         "two": bench_two_people, "watch": bench_watch_others, "lowlight": bench_lowlight}

if __name__ == "__main__":
    # ``python -m benchmarks.pose_pipeline [PART ...]`` runs only those parts (default: all).
    print(f"start: {load()}")
    for part in sys.argv[1:] or list(PARTS):
        PARTS[part]()
