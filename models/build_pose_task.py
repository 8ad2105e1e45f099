"""Build the BlazePose full ``.task`` bundle the game ships (``game/pose/pose_landmarker_full.task``).

MediaPipe 1.x wheels ship no pose model and would download one at run time, which we refuse
(offline, privacy). The mediapipe 0.10.21 wheel still carries the BlazePose weights:
``modules/pose_detection/pose_detection.tflite`` (the person detector) and
``modules/pose_landmark/pose_landmark_full.tflite`` (the landmark model, "full" = complexity 1).
A Tasks bundle is an uncompressed, 4-byte aligned zip of those two models, renamed, each carrying
image-normalisation metadata (the Tasks graph reads it to scale pixels):

- ``pose_detector.tflite``: input in [-1, 1], i.e. (pixel - 127.5) / 127.5;
- ``pose_landmarks_detector.tflite``: input in [0, 1], i.e. (pixel - 0) / 255.

Those two conventions are the ones the 0.10.21 graphs themselves apply
(``ImageToTensorCalculator`` output ranges in its pose_detection and pose_landmark subgraphs).
The metadata is written with the writer of the 0.10.x wheel
(``mediapipe.tasks.python.metadata.metadata_writers``); 1.x no longer ships it. So this runs in
its own throwaway environment, never in the game's venv:

    python3.11 -m venv /tmp/posetask && /tmp/posetask/bin/pip install mediapipe==0.10.21
    /tmp/posetask/bin/python models/build_pose_task.py

The output is reproducible (fixed zip times, sorted members): rebuilding from the same wheel gives
the same bytes, printed as a sha256 to compare with ``game/pose/pose_landmarker_full.task.sha256``.
The weights are Apache-2.0 (the mediapipe wheel's licence), copied next to the bundle.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import sys
import zipfile
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[1] / "game" / "pose"
BUNDLE_NAME = "pose_landmarker_full.task"
LICENCE_NAME = "LICENSE-pose-model.txt"
WHEEL_VERSION = "0.10.21"

# (name inside the bundle, path inside the mediapipe wheel, normalisation mean, std, description)
MEMBERS = (
    ("pose_detector.tflite", ("modules", "pose_detection", "pose_detection.tflite"), 127.5, 127.5,
     "BlazePose person detector: RGB 224x224 in [-1, 1]."),
    ("pose_landmarks_detector.tflite", ("modules", "pose_landmark", "pose_landmark_full.tflite"),
     0.0, 255.0, "BlazePose full landmark model: RGB 256x256 in [0, 1]."),
)


def with_image_metadata(model: bytes, name: str, mean: float, std: float, description: str) -> bytes:
    """The model with image-input metadata (RGB, (pixel - mean) / std) written into it."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer  # noqa: PLC0415 - lazy: MediaPipe (0.8 s CPU to import) only when a pose model is built

    writer = metadata_writer.MetadataWriter.create(bytearray(model))
    writer.add_general_info(name, description)
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    populated, _json = writer.populate()
    return bytes(populated)


def write_bundle(members: dict[str, bytes], out: Path) -> None:
    """An uncompressed zip with 4-byte aligned members (the Tasks loader mmaps them) and fixed
    times, so the same inputs give the same bytes."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import AlignZipFile  # noqa: PLC0415 - lazy: MediaPipe (0.8 s CPU to import) only when a pose model is built

    tmp = out.with_suffix(".part")
    with AlignZipFile(tmp, mode="w", alignment=4) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])
    tmp.replace(out)


def build(out_dir: Path) -> Path:
    try:
        version = importlib.metadata.version("mediapipe")
    except importlib.metadata.PackageNotFoundError:
        raise SystemExit("build_pose_task: mediapipe is not installed here; run it in a throwaway "
                         f"venv with 'pip install mediapipe=={WHEEL_VERSION}' (see this file's docstring)") from None
    if version != WHEEL_VERSION:
        raise SystemExit(f"build_pose_task: needs mediapipe {WHEEL_VERSION} (the last wheel with the "
                         f"BlazePose weights and the metadata writer), found {version}")
    import mediapipe  # noqa: PLC0415 - lazy: MediaPipe (0.8 s CPU to import) only when a pose model is built

    root = Path(mediapipe.__file__).parent
    members: dict[str, bytes] = {}
    for name, rel, mean, std, description in MEMBERS:
        src = root.joinpath(*rel)
        members[name] = with_image_metadata(src.read_bytes(), name, mean, std, description)
        print(f"{name}: from {'/'.join(rel)} ({src.stat().st_size} bytes), "
              f"normalised (x - {mean}) / {std}")
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / BUNDLE_NAME
    write_bundle(members, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    (out_dir / f"{BUNDLE_NAME}.sha256").write_text(f"{digest}  {BUNDLE_NAME}\n")
    licence = Path(str(importlib.metadata.distribution("mediapipe").locate_file(
        f"mediapipe-{WHEEL_VERSION}.dist-info/LICENSE")))
    (out_dir / LICENCE_NAME).write_text(
        f"The BlazePose models in {BUNDLE_NAME} (pose_detector.tflite, pose_landmarks_detector.tflite)\n"
        f"are taken unchanged, apart from added input-normalisation metadata, from the mediapipe\n"
        f"{WHEEL_VERSION} wheel by Google LLC (The MediaPipe Authors), distributed under the\n"
        f"Apache License 2.0, whose text follows.\n\n" + licence.read_text())
    print(f"wrote {out} ({out.stat().st_size} bytes, sha256 {digest})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    build(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
