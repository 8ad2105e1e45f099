"""Typed, timestamped skeletons: the one currency of the core.

Vendor types (MediaPipe protobufs, cv2 arrays) stop at the adapters; everything downstream sees a
frozen :class:`PoseFrame` with numpy arrays and units in the names.

Coordinate conventions (BlazePose's own):
- ``landmarks_px``: shape (33, 4): x and y in pixels of the source image (origin top-left, y down),
  z in the same pixel scale relative to the hip midpoint (smaller = nearer the camera), visibility
  in [0, 1].
- ``world_m``: shape (33, 3): metres, origin at the hip midpoint, x to the subject's left as seen
  in the image, y down, z towards the camera negative. ``None`` when the backend has no 3-D output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

NUM_LANDMARKS = 33

FloatArray = npt.NDArray[np.float64]


class LM(IntEnum):
    """BlazePose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Bones drawn for a skeleton (pairs of landmark indices).
SKELETON_EDGES: tuple[tuple[int, int], ...] = (
    (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    (LM.LEFT_SHOULDER, LM.LEFT_ELBOW),
    (LM.LEFT_ELBOW, LM.LEFT_WRIST),
    (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW),
    (LM.RIGHT_ELBOW, LM.RIGHT_WRIST),
    (LM.LEFT_SHOULDER, LM.LEFT_HIP),
    (LM.RIGHT_SHOULDER, LM.RIGHT_HIP),
    (LM.LEFT_HIP, LM.RIGHT_HIP),
    (LM.LEFT_HIP, LM.LEFT_KNEE),
    (LM.LEFT_KNEE, LM.LEFT_ANKLE),
    (LM.RIGHT_HIP, LM.RIGHT_KNEE),
    (LM.RIGHT_KNEE, LM.RIGHT_ANKLE),
    (LM.LEFT_ANKLE, LM.LEFT_HEEL),
    (LM.LEFT_HEEL, LM.LEFT_FOOT_INDEX),
    (LM.RIGHT_ANKLE, LM.RIGHT_HEEL),
    (LM.RIGHT_HEEL, LM.RIGHT_FOOT_INDEX),
    (LM.NOSE, LM.LEFT_EYE),
    (LM.NOSE, LM.RIGHT_EYE),
)


@dataclass(frozen=True, slots=True)
class Frame:
    """One image from a source. ``image_bgr`` is HxWx3 uint8 (OpenCV order)."""

    image_bgr: npt.NDArray[np.uint8]
    timestamp_ms: float
    index: int

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        h, w = self.image_bgr.shape[:2]
        return (int(w), int(h))


@dataclass(frozen=True, slots=True)
class PoseFrame:
    """The skeleton found in one frame, or the fact that nobody was found.

    ``landmarks_px`` is ``None`` when no person was detected; the frame is still reported so that
    "nobody in view" is an event, not a silent gap.
    """

    timestamp_ms: float
    image_size: tuple[int, int]
    landmarks_px: FloatArray | None
    world_m: FloatArray | None = None
    index: int = 0
    # Diagnostics from the pipeline (not part of recordings' identity).
    brightness: float | None = field(default=None, compare=False)
    enhanced: bool = field(default=False, compare=False)

    @property
    def has_person(self) -> bool:
        return self.landmarks_px is not None

    @property
    def t_s(self) -> float:
        return self.timestamp_ms / 1000.0

    def visibility(self, lm: int) -> float:
        """Visibility of one landmark in [0, 1]; 0 when nobody is in view."""
        if self.landmarks_px is None:
            return 0.0
        return float(self.landmarks_px[lm, 3])

    def px(self, lm: int) -> FloatArray:
        """(x, y) of one landmark in pixels. Raises ValueError when nobody is in view."""
        if self.landmarks_px is None:
            raise ValueError("no person in this frame")
        return self.landmarks_px[lm, :2]

    def world(self, lm: int) -> FloatArray:
        """(x, y, z) of one landmark in metres. Raises ValueError without world landmarks."""
        if self.world_m is None:
            raise ValueError("no world landmarks in this frame")
        return self.world_m[lm]

    def normalized(self) -> FloatArray | None:
        """Landmarks with x, y divided by the image width and height (z left as is)."""
        if self.landmarks_px is None:
            return None
        out = self.landmarks_px.copy()
        w, h = self.image_size
        out[:, 0] /= w
        out[:, 1] /= h
        return out


@dataclass(frozen=True, slots=True)
class TrackedPose:
    """One tracked person in one frame (``PosePipeline.process_all``).

    ``person_id`` stays the same for the same person for the whole session (crossing, leaving and
    coming back); ``slot`` is ``"left"`` or ``"right"`` (image side where they first appeared,
    kept); ``is_player`` marks the person who started (the one ``PosePipeline.process`` follows);
    ``confidence`` in (0, 1] is how sure the identity assignment is for this frame.
    """

    person_id: int
    slot: str
    is_player: bool
    pose: PoseFrame
    confidence: float = 1.0
