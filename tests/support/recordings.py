"""Skeleton recordings of the shared videos, made once with our pipeline and cached.

The shared videos are read in place (never copied); their skeletons are recorded into
``.cache/recordings/<stem>.rsk`` (git-ignored) and rebuilt when the video or the pipeline
version changes. Tests and benchmarks use them so the pose model runs once per video.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / ".cache" / "recordings"


def shared_video(stem: str) -> Path:
    return SHARED / "video" / f"{stem}.mp4"


def _key(video: Path) -> str:
    from game.pose.pipeline import PIPELINE_VERSION

    st = video.stat()
    return hashlib.sha256(f"{video.name}:{st.st_size}:{PIPELINE_VERSION}".encode()).hexdigest()[:16]


def ensure_recording(stem: str) -> Path:
    """The cached recording of ``video/<stem>.mp4``, recording it first if needed.

    Raises FileNotFoundError when the shared video is absent.
    """
    from game.pose.pipeline import PipelineOptions, PosePipeline
    from game.pose.recording import RecordingWriter
    from game.pose.sources import VideoSource

    video = shared_video(stem)
    if not video.is_file():
        raise FileNotFoundError(video)
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / f"{stem}.rsk"
    key_file = CACHE / f"{stem}.key"
    key = _key(video)
    if out.is_file() and key_file.is_file() and key_file.read_text().strip() == key:
        return out
    tmp = CACHE / f"{stem}.{os.getpid()}.part"
    src = VideoSource(video)
    pipe = PosePipeline(PipelineOptions())
    writer: RecordingWriter | None = None
    try:
        for frame in src:
            pf = pipe.process(frame)
            if writer is None:
                writer = RecordingWriter(tmp, image_size=pf.image_size, fps=src.fps,
                                         source=video.name, meta={"pipeline": key})
            writer.write(pf)
    finally:
        src.close()
        pipe.close()
        if writer is not None:
            writer.close()
    tmp.replace(out)
    key_file.write_text(key + "\n")
    return out


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or sorted(p.stem for p in (SHARED / "video").glob("*.mp4")):
        print(ensure_recording(name))
