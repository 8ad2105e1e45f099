"""COCO-17 keypoint CSVs as PoseFrames (the shared real boxers), and their bad-input handling."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.errors import ImportFileError
from game.pose.types import LM
from models.coco17 import COCO17, read_coco17_csv


def test_reads_a_generated_csv(tmp_path: Path) -> None:
    header = ",".join(f"{n}_{a}" for n in COCO17 for a in "xy") + ",pose_score"
    rows = [",".join(str(100 + i + j) for j in range(34)) + ",0.8" for i in range(3)]
    rows.append(",".join("1" for _ in range(34)) + ",0.05")  # nobody
    path = tmp_path / "k.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    frames = read_coco17_csv(path, fps=25.0)
    assert len(frames) == 4 and frames[3].landmarks_px is None
    p = frames[0].landmarks_px
    assert p is not None and p[LM.LEFT_WRIST, 0] == 100 + 18 and p[LM.LEFT_WRIST, 3] > 0.5
    assert p[LM.LEFT_INDEX, 0] == p[LM.LEFT_WRIST, 0]
    assert frames[1].timestamp_ms == pytest.approx(40.0)
    assert frames[0].world_m is None


def test_foreign_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFileError, match="not a COCO-17"):
        read_coco17_csv(path)
    with pytest.raises(ImportFileError):
        read_coco17_csv(tmp_path / "missing.csv")


@pytest.mark.shared_data
def test_shared_boxer_keypoints_run_through_the_detector(shared_data: Path) -> None:
    from game.boxing import make_punch_detector

    folder = shared_data / "landmarks" / "shadowboxer_coco17" / "shadow"
    frames = read_coco17_csv(sorted(folder.glob("*.csv"))[0])
    det = make_punch_detector(use_model=False)
    for f in frames:
        det.update(f)
    assert det.summary()["punches"] > 5  # real shadowboxing: punches are found in 2-D keypoints
