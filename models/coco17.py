"""Read COCO-17 keypoint CSVs (one row per frame: ``<name>_x, <name>_y`` for the 17 COCO joints
and a ``pose_score``) as PoseFrames, so 2-D keypoints from other pose models (the real boxers in
``../shared/data/landmarks/shadowboxer_coco17``) can be run through the punch detector.

Joints COCO lacks (hands, mouth, feet) are placed at their nearest COCO joint with visibility 0;
there are no world landmarks, so the detector runs in its image-only mode.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from game.errors import ImportFileError
from game.pose.types import LM, NUM_LANDMARKS, PoseFrame

COCO17 = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
          "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
          "right_knee", "left_ankle", "right_ankle")
TO_BLAZEPOSE = {
    "nose": LM.NOSE, "left_eye": LM.LEFT_EYE, "right_eye": LM.RIGHT_EYE, "left_ear": LM.LEFT_EAR,
    "right_ear": LM.RIGHT_EAR, "left_shoulder": LM.LEFT_SHOULDER, "right_shoulder": LM.RIGHT_SHOULDER,
    "left_elbow": LM.LEFT_ELBOW, "right_elbow": LM.RIGHT_ELBOW, "left_wrist": LM.LEFT_WRIST,
    "right_wrist": LM.RIGHT_WRIST, "left_hip": LM.LEFT_HIP, "right_hip": LM.RIGHT_HIP,
    "left_knee": LM.LEFT_KNEE, "right_knee": LM.RIGHT_KNEE, "left_ankle": LM.LEFT_ANKLE,
    "right_ankle": LM.RIGHT_ANKLE,
}
# BlazePose joints COCO has no counterpart for -> the COCO joint standing in for them.
STAND_INS = {
    LM.LEFT_EYE_INNER: LM.LEFT_EYE, LM.LEFT_EYE_OUTER: LM.LEFT_EYE, LM.RIGHT_EYE_INNER: LM.RIGHT_EYE,
    LM.RIGHT_EYE_OUTER: LM.RIGHT_EYE, LM.MOUTH_LEFT: LM.NOSE, LM.MOUTH_RIGHT: LM.NOSE,
    LM.LEFT_PINKY: LM.LEFT_WRIST, LM.LEFT_INDEX: LM.LEFT_WRIST, LM.LEFT_THUMB: LM.LEFT_WRIST,
    LM.RIGHT_PINKY: LM.RIGHT_WRIST, LM.RIGHT_INDEX: LM.RIGHT_WRIST, LM.RIGHT_THUMB: LM.RIGHT_WRIST,
    LM.LEFT_HEEL: LM.LEFT_ANKLE, LM.LEFT_FOOT_INDEX: LM.LEFT_ANKLE, LM.RIGHT_HEEL: LM.RIGHT_ANKLE,
    LM.RIGHT_FOOT_INDEX: LM.RIGHT_ANKLE,
}


def read_coco17_csv(path: str | Path, *, fps: float = 30.0, min_score: float = 0.2) -> list[PoseFrame]:
    """Frames from a COCO-17 CSV. Rows with ``pose_score`` below ``min_score`` are "nobody"."""
    path = Path(path)
    try:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from exc
    if not rows:
        return []
    missing = [f"{n}_{a}" for n in COCO17 for a in "xy" if f"{n}_{a}" not in rows[0]]
    if missing:
        raise ImportFileError(f"{path} is not a COCO-17 keypoint CSV (missing {', '.join(missing[:3])}...)")
    xy = np.array([[float(r[f"{n}_{a}"]) for n in COCO17 for a in "xy"] for r in rows]).reshape(len(rows), 17, 2)
    score = np.array([float(r.get("pose_score") or 1.0) for r in rows])
    w = int(max(640, np.ceil(np.nanmax(xy[..., 0]) + 10)))
    h = int(max(480, np.ceil(np.nanmax(xy[..., 1]) + 10)))
    frames = []
    for i in range(len(rows)):
        ts = i * 1000.0 / fps
        if score[i] < min_score or not np.all(np.isfinite(xy[i])):
            frames.append(PoseFrame(ts, (w, h), None, None, index=i))
            continue
        p = np.zeros((NUM_LANDMARKS, 4))
        for j, name in enumerate(COCO17):
            lm = TO_BLAZEPOSE[name]
            p[lm, :2] = xy[i, j]
            p[lm, 3] = 0.9
        for lm, src in STAND_INS.items():
            p[lm, :2] = p[src, :2]
        frames.append(PoseFrame(ts, (w, h), p, None, index=i))
    return frames
