"""Punches measured where the skeleton is trustworthy: in 3-D facing the camera, in the image plane
side-on.

BlazePose's depth is its weakest axis. Facing the camera a punch travels mostly in depth, so only
the world landmarks show it; side-on it travels across the image, where the image landmarks are
measured directly, while the world landmarks' depth is a guess (the far arm's swings by 0.3-0.4 m
with its image position still; a hidden arm is drawn held out, 1.1 arm lengths from the body, so
its punches never start "from a guard"). :class:`ViewFusedDetector` runs the same state machine
twice, on the world landmarks and on the image plane alone, and reports the punches of the one the
view calls for: the image plane when the body is turned more than ``PROFILE_YAW_DEG`` from the
camera, read from the shoulders' width in the image against the torso's length (no depth needed).
Each channel keeps its own guard, history and stance, so a switch of view never fabricates a
punch from the other channel's state.

Pure: frames in, events out; no clock, no randomness, no I/O.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from typing import Any

import numpy as np

from game.boxing.detector import (
    Candidate,
    DetectorOptions,
    ExcursionJudge,
    KindClassifier,
    PunchDetector,
    rule_kind,
    summarise,
)
from game.boxing.events import PunchEvent, PunchKind
from game.boxing.kinematics import sample_body
from game.pose.types import PoseFrame

FRONT_SHOULDER_RATIO = 0.75  # shoulder width / torso length facing the camera (0.38 m / 0.5 m)
PROFILE_YAW_DEG = 60.0  # beyond this the body is side-on: its punches cross the image plane
PROFILE_SHOULDER_RATIO = FRONT_SHOULDER_RATIO * math.cos(math.radians(PROFILE_YAW_DEG))
KIND_MATCH_S = 0.2  # the world channel's excursion this close to the image channel's punch is that punch
KIND_WAIT_S = 0.2  # longest an image-channel punch waits for the world channel's reading of it
VIEW_WINDOW = 30  # frames the view is judged over (a running median: one frame's swap is noise)


class ViewFusedDetector:
    """Punches from a PoseFrame stream (the :class:`~game.analysis.Detector` protocol), measured in
    3-D or in the image plane as the view calls for (module docstring).

    ``rejected`` and ``events`` hold what the channel in charge said; ``channel`` names it
    ("world" or "image").
    """

    def __init__(
        self,
        options: DetectorOptions = DetectorOptions(),
        *,
        orthodox: bool | None = None,
        kind_classifier: KindClassifier | None = None,
        judge: ExcursionJudge | None = None,
    ) -> None:
        self.options = options
        self.world = PunchDetector(dataclasses.replace(options, image_plane=False), orthodox=orthodox,
                                   kind_classifier=kind_classifier, judge=judge)
        self.image = PunchDetector(dataclasses.replace(options, image_plane=True), orthodox=orthodox,
                                   kind_classifier=kind_classifier, judge=judge)
        self._ratios: deque[float] = deque(maxlen=VIEW_WINDOW)
        self.channel = "world"
        self.events: list[PunchEvent] = []
        self.rejected: list[tuple[float, str, str]] = []
        self._pending: list[PunchEvent] = []  # image-channel punches waiting for the world's kind

    @property
    def active(self) -> PunchDetector:
        return self.image if self.channel == "image" else self.world

    @property
    def candidates(self) -> deque[Candidate]:
        return self.active.candidates

    def is_side_on(self) -> bool:
        return bool(self._ratios) and float(np.median(self._ratios)) < PROFILE_SHOULDER_RATIO

    def update(self, frame: PoseFrame) -> list[PunchEvent]:
        s3 = sample_body(frame)
        s2 = sample_body(frame, use_world=False) if s3 is not None and s3.is_3d else s3
        if s3 is not None:
            self._ratios.append(s3.shoulder_ratio())
        self.channel = "image" if self.is_side_on() else "world"
        n_world, n_image = len(self.world.rejected), len(self.image.rejected)
        from_world = self.world.update_sample(s3)
        from_image = self.image.update_sample(s2)
        if self.channel == "image":
            self._pending += from_image
            self.rejected[len(self.rejected):] = self.image.rejected[n_image:]
            out = []
        else:
            out, self.rejected[len(self.rejected):] = from_world, self.world.rejected[n_world:]
        return self._report(self._release(frame.timestamp_ms / 1000.0) + out)

    def _report(self, events: list[PunchEvent]) -> list[PunchEvent]:
        out = []
        for e in events:
            if not self._is_reported(e):
                self.events.append(e)
                out.append(e)
        return out

    def _is_reported(self, e: PunchEvent) -> bool:
        """The same punch already reported by the other channel (the view changed during it): the
        same hand within ``KIND_MATCH_S``, less than the quickest double jab takes (~0.3 s)."""
        return any(p.hand == e.hand and abs(p.t_s - e.t_s) <= KIND_MATCH_S for p in self.events[-4:])

    def _release(self, t_s: float) -> list[PunchEvent]:
        """The image channel's punches whose kind the world channel can now tell: its excursion
        of that hand is over (the hand is home), or ``KIND_WAIT_S`` has passed (the event keeps its peak time)."""
        ready = [e for e in self._pending
                 if self.world.hand_state(e.hand) == "guard" or t_s - e.detected_s >= KIND_WAIT_S]
        self._pending = [e for e in self._pending if e not in ready]
        return [self._bent_kind(e) for e in ready]

    def _bent_kind(self, e: PunchEvent) -> PunchEvent:
        """A straight found in the image plane that the world landmarks read as a hook or an
        uppercut is one: side-on, a hook's arc and an uppercut's forearm go in depth, which the
        image plane cannot see (a side-on hook projects as a straight arm), while the world
        landmarks keep the raised elbow and the rising forearm however noisy their depth."""
        if e.kind not in ("jab", "cross"):
            return e
        near = [c for c in self.world.candidates
                if c.hand == e.hand and abs(c.t_peak_s - e.t_s) <= KIND_MATCH_S]
        # The world channel may cut the same move in two (a wind-up, then the drive): any of its
        # excursions around the punch that reads bent names it.
        bent = [f for f in (self._bent_family(c) for c in near) if f is not None]
        if not bent:
            return e
        kind: PunchKind = "hook" if bent[0] == "hook" else "uppercut"
        return dataclasses.replace(e, kind=kind)

    def _bent_family(self, c: Candidate) -> str | None:
        """"hook" or "uppercut" when the world channel reads the excursion so from heights (the
        elbow raised to the shoulder for a hook, the forearm up and the fist rising for an
        uppercut), which side-on lie in the image plane; a hook read only from the fist's sweep
        along the shoulder line (side-on: the depth axis) is not taken."""
        opt = self.world.options
        family, _ = rule_kind(c, opt)
        if family == "hook" and c.peak_elbow[1] - c.peak_shoulder[1] < opt.hook_elbow_up:
            return None
        return family if family in ("hook", "uppercut") else None

    def finish(self) -> list[PunchEvent]:
        out = self._report([self._bent_kind(e) for e in self._pending])
        self._pending = []
        self.world.finish()
        self.image.finish()
        return out

    def is_guard_up(self) -> bool:
        return self.active.is_guard_up()

    def summary(self) -> dict[str, Any]:
        return summarise(self.events, self.active.summary()["stance"])
