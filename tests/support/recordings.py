"""Skeleton recordings of the shared videos, made once with our pipeline and cached.

The shared videos are read in place (never copied). Their skeletons live in the same cache as
``ringside eval``'s (``.cache/eval/pipeline-N/<stem>.rsk``, git-ignored, rebuilt when the video or
the pipeline version changes), so the tests, the accuracy table and the benchmarks run the pose
model once per video. The first test that needs one records every shared video, on every core.
"""

from __future__ import annotations

from pathlib import Path

from game.evaluation.cache import cached_path, ensure_cached

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "eval"
_warmed = False


def shared_video(stem: str) -> Path:
    """``video/<stem>.mp4`` (or another container) in the shared data folder."""
    mp4 = SHARED / "video" / f"{stem}.mp4"
    if mp4.is_file():
        return mp4
    others = sorted((SHARED / "video").glob(f"{stem}.*"))
    return others[0] if others else mp4


def _warm() -> None:
    """Record every shared video not yet cached, in parallel (once per test process)."""
    global _warmed
    if not _warmed:
        _warmed = True
        ensure_cached(sorted((SHARED / "video").glob("*.*")), CACHE)


def ensure_recording(stem: str) -> Path:
    """The cached recording of the shared video ``<stem>``, recording it first if needed.

    Raises FileNotFoundError when the shared video is absent.
    """
    video = shared_video(stem)
    if not video.is_file():
        raise FileNotFoundError(video)
    _warm()
    errors = ensure_cached([video], CACHE)
    if errors:
        raise RuntimeError(f"could not record {video.name}: {errors[video]}")
    return cached_path(CACHE, video)


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or sorted(p.stem for p in (SHARED / "video").glob("*.*")):
        print(ensure_recording(name))
