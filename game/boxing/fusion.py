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

from game.boxing.choice import WHY as CHOICE_WHY
from game.boxing.detector import (
    Candidate,
    DetectorOptions,
    ExcursionJudge,
    HalfHold,
    KindClassifier,
    PunchDetector,
    summarise,
)
from game.boxing.events import Hand, PunchEvent
from game.boxing.kinematics import sample_body
from game.pose.types import PoseFrame

FRONT_SHOULDER_RATIO = 0.75  # shoulder width / torso length facing the camera (0.38 m / 0.5 m)
PROFILE_YAW_DEG = 60.0  # beyond this the body is side-on: its punches cross the image plane
PROFILE_SHOULDER_RATIO = FRONT_SHOULDER_RATIO * math.cos(math.radians(PROFILE_YAW_DEG))
WARM_YAW_DEG = 30.0  # from this turn on the image channel runs (it is in charge from PROFILE_YAW_DEG)
WARM_SHOULDER_RATIO = FRONT_SHOULDER_RATIO * math.cos(math.radians(WARM_YAW_DEG))
ACROSS_IMAGE_REACH = 0.95 * math.cos(math.radians(WARM_YAW_DEG))  # arm lengths from the shoulder in
# the image: a straight locked out (0.95+) within 30 deg of the image plane reaches this far in it
SAME_PUNCH_S = 0.2  # the other channel's punch of the same hand this close is the same punch
VIEW_WINDOW = 30  # frames the view is judged over (a running median: one frame's swap is noise)


class ViewFusedDetector:
    """Punches from a PoseFrame stream (the :class:`~game.analysis.Detector` protocol), measured in
    3-D or in the image plane as the view calls for (module docstring).

    ``rejected`` and ``events`` hold what the channel in charge said; ``channel`` names it
    ("world" or "image").
    """

    def __init__(
        self,
        options: DetectorOptions | None = None,
        *,
        orthodox: bool | None = None,
        kind_classifier: KindClassifier | None = None,
        judge: ExcursionJudge | None = None,
    ) -> None:
        options = options or DetectorOptions()
        self.options = options
        # The channels report at once; the half punches are held back here (``HalfHold``), after the
        # view has chosen whose punches are reported at the frame that found them, so that a
        # complete punch of either channel supersedes the other's half report of the same punch.
        self.world = PunchDetector(dataclasses.replace(options, image_plane=False), orthodox=orthodox,
                                   kind_classifier=kind_classifier, judge=judge, holds_halves=False)
        self.image = PunchDetector(dataclasses.replace(options, image_plane=True), orthodox=orthodox,
                                   kind_classifier=kind_classifier, judge=judge, holds_halves=False)
        self._hold = HalfHold(options.half_hold_s)
        self._ratios: deque[float] = deque(maxlen=VIEW_WINDOW)
        self._ratio = FRONT_SHOULDER_RATIO  # their median
        self._image_rests = False  # the image channel was last told nobody is in view
        self.channel = "world"
        self.events: list[PunchEvent] = []
        self.rejected: list[tuple[float, Hand, str]] = []
        self._side_on_s = 0.0
        self._models = (kind_classifier, judge)
        self._recent: deque[tuple[str, PunchEvent]] = deque(maxlen=4)  # (channel, punch) last reported
        self._last_t_s: float | None = None

    @property
    def active(self) -> PunchDetector:
        return self.image if self.channel == "image" else self.world

    @property
    def kind_classifier(self) -> KindClassifier | None:
        """The kind model both channels use in charge (None: the rules name kinds)."""
        return self._models[0]

    @property
    def candidates(self) -> deque[Candidate]:
        return self.active.candidates

    def is_side_on(self) -> bool:
        """The body turned more than ``PROFILE_YAW_DEG`` from the camera (running median)."""
        return self._ratio < PROFILE_SHOULDER_RATIO

    def update(self, frame: PoseFrame) -> list[PunchEvent]:
        s3 = sample_body(frame)
        if s3 is not None:
            self._ratios.append(s3.shoulder_ratio())
            self._ratio = sorted(self._ratios)[len(self._ratios) // 2]
        self.channel = "image" if self.is_side_on() else "world"
        # Square to the camera the image channel rests (it sees nobody): it starts afresh once the
        # body turns past WARM_YAW_DEG, with time to learn a guard before it is in charge.
        is_turned = self._ratio < WARM_SHOULDER_RATIO
        s2 = None if not is_turned else sample_body(frame, use_world=False) if s3 is not None and s3.is_3d else s3
        if self.channel == "image" and self._last_t_s is not None:
            self._side_on_s += max(0.0, frame.timestamp_ms / 1000.0 - self._last_t_s)
        self._last_t_s = frame.timestamp_ms / 1000.0
        # The models run only where their verdict is used: in the channel in charge.
        side_on = self.channel == "image"
        self.world.kind_classifier, self.world.judge = (None, None) if side_on else self._models
        self.image.kind_classifier, self.image.judge = self._models if side_on else (None, None)
        n_world, n_image = len(self.world.rejected), len(self.image.rejected)
        lost = self.world.tracks_lost
        from_world = self.world.update_sample(s3)
        # The person lost or replaced (nobody in view, someone else: the world channel sees every
        # frame's body): their held half punches are released now, before anything of the next.
        released = self._hold.flush(self._last_t_s) if self.world.tracks_lost != lost else []
        self.events.extend(released)
        from_image = [] if s2 is None and self._image_rests else self.image.update_sample(s2)
        self._image_rests = s2 is None
        if self.channel == "image":
            self.rejected[len(self.rejected):] = self.image.rejected[n_image:]
            return released + self._released(self._report(from_image, "image"), frame.timestamp_ms / 1000.0)
        self.rejected[len(self.rejected):] = self.world.rejected[n_world:]
        # The body turned 30-60 degrees is mostly a boxer twisting into his punches from a side-on
        # stance (a cross turns the shoulders 40-50 degrees towards the camera,
        # punches_straight_profile): a straight the image plane saw travel across it, locked out
        # at nearly full length, was thrown side-on whatever the shoulders read.
        # Such a straight is the better reading of the same punch: it goes first.
        return released + self._released(
            self._report([e for e in from_image if self._is_across_the_image(e)], "image")
            + self._report(from_world, "world"), frame.timestamp_ms / 1000.0)

    def _released(self, events: list[PunchEvent], t_s: float) -> list[PunchEvent]:
        out = self._hold.feed(events, t_s)
        self.events.extend(out)
        return out

    def _is_across_the_image(self, e: PunchEvent) -> bool:
        """A complete straight whose lock-out the image plane saw within 30 degrees of itself: the
        fist ``ACROSS_IMAGE_REACH`` or more from the shoulder in the image."""
        if not e.complete or e.kind not in ("jab", "cross"):
            return False
        c = next((c for c in reversed(self.image.candidates) if c.hand == e.hand and c.t_peak_s == e.t_s), None)
        return c is not None and float(np.linalg.norm((c.peak_wrist - c.peak_shoulder)[:2])) >= ACROSS_IMAGE_REACH

    def _report(self, events: list[PunchEvent], channel: str) -> list[PunchEvent]:
        """The punches of ``channel`` that the other channel has not reported already."""
        out = []
        for e in events:
            if not self._is_reported(e, channel):
                self._recent.append((channel, e))
                out.append(e)
        return out

    def _is_reported(self, e: PunchEvent, channel: str) -> bool:
        """The same punch already reported by the other channel (the view changed during it): the
        same hand within ``SAME_PUNCH_S``, less than the quickest double jab takes (~0.3 s). A half
        punch never hides a complete one: the other channel saw the punch through, and its complete
        report supersedes the half one, still held back (``HalfHold``)."""
        return any(ch != channel and p.hand == e.hand and abs(p.t_s - e.t_s) <= SAME_PUNCH_S
                   and (p.complete or not e.complete) for ch, p in self._recent)

    def finish(self) -> list[PunchEvent]:
        """The end of the stream: the half punches still held back."""
        self.world.finish()
        self.image.finish()
        out = self._hold.flush(self._last_t_s)
        self.events.extend(out)
        return out

    def is_guard_up(self) -> bool:
        return self.active.is_guard_up()

    def summary(self) -> dict[str, Any]:
        """The punches (as :meth:`PunchDetector.summary`), plus what judged them: ``kinds_by``
        ("rules" or "model", with ``kinds_by_why``) and ``side_on_s``, the time the image plane
        was in charge."""
        out = summarise(self.events, self.active.summary()["stance"])
        model = any(m is not None for m in self._models)
        out["kinds_by"] = "model" if model else "rules"
        out["kinds_by_why"] = "asked for by the caller" if model else CHOICE_WHY
        out["side_on_s"] = round(self._side_on_s, 1)
        return out
