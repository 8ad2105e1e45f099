"""The rep engine: one state machine (``game.reps.machine.TABLE``) for every exercise definition.

Pure: feed :class:`~game.pose.types.PoseFrame` objects in time order to :meth:`RepDetector.update`
and get events back; read :meth:`RepDetector.view` for the HUD. No clock, no randomness, no I/O:
the same frames give the same events, bit for bit.

Per frame, in order:
1. the input monitor: timestamps going backwards, nobody in view, a frozen stream (landmarks
   bit-identical for a while: a live tracker always jitters), missing joints, the skeleton jumping
   across the image (a second person taking over the tracker). Bad frames are never judged;
   problems become :class:`InputEvent` s with a cue, and an attempt in progress is abandoned.
2. features (angles from the image or the world landmarks, whichever the view trusts, oriented
   by the definition so that the main angle falls toward the bottom whether the joint bends or
   opens; floor contact from pixels) and the progress value p, 0 at the person's own top position, 1 at
   counting depth (the person's own range or the coach's standard), smoothed with a One Euro
   filter. Without a still start position, the top is learned from the first full cycle.
3. the transition table for the current phase.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from game.detection import Event
from game.pose.smoothing import OneEuroFilter, OneEuroParams
from game.pose.types import FloatArray, PoseFrame
from game.reps.calibration import Calibration, calibrate, classify_view, from_ready_window, is_top_posture, refit
from game.reps.definitions import ExerciseDefinition
from game.reps.events import CalibrationEvent, Cue, InputEvent, InputKind, RepEvent, RepView, StatusEvent
from game.reps.features import Features, ImageTrust, Missing, extract
from game.reps.machine import IN_ATTEMPT, MOVING, TABLE, Phase
from game.reps.scoring import Coach, Sample, measure, score_parts, total_score

# update()/finish() return game.detection.Event (anything with to_json()): concretely RepEvent,
# StatusEvent, InputEvent or CalibrationEvent; tell them apart with isinstance or to_json()["type"].
RepEngineEvent = RepEvent | StatusEvent | InputEvent | CalibrationEvent


# How far the torso's reading may stray from the one at calibration while the person is still in
# their own start posture: a push-up's torso swings 15-20 degrees between the top and the bottom
# (the shoulders drop about 0.3 m over a 1.4 m body), so 20 keeps the top of every rep and never
# reaches a standing torso from a plank (60-90 degrees away).
OWN_TORSO_DEG = 20.0


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Input-monitor limits (seconds unless named otherwise)."""

    lost_after_s: float = 0.5  # nobody in view this long = person lost (shorter = dropped frames)
    missing_after_s: float = 0.5
    frozen_after_s: float = 1.5  # bit-identical landmarks this long (and >= frozen_min_frames)
    frozen_min_frames: int = 8
    max_gap_s: float = 0.75  # a longer gap between judged frames abandons the attempt, unless:
    # A camera that stalls (a cheap webcam, a busy machine) for up to this long mid-rep keeps the
    # attempt when the body after the stall is where it was (the hips within ``jump_frac`` of the
    # person's height, the planted points not moved): what comes after is then the same rep, judged
    # on what the stream shows (its bottom and its top, or their absence). The same 1.5 s as
    # ``frozen_after_s``: a stream that stands still for longer is frozen, not stalling.
    max_stall_s: float = 1.5
    jump_window_s: float = 0.25  # skeleton jumps are judged between frames closer than this
    jump_frac: float = 0.6  # hip midpoint moving this fraction of the person's height in one step
    jump_scale: float = 1.6  # or the person's size changing by this factor in one step
    tops_window_s: float = 4.0  # start-position frames kept for calibrating a stream that starts mid-set
    report_min_peak: float = 0.5  # attempts shallower than half the required range are fidgeting
    low_p: float = 0.1  # the attempt's start time is the last frame at or below this p
    top_tau_s: float = 2.0  # how fast the top reference follows the person between reps
    # The main angle held this still (largest minus smallest reading) for the definition's
    # ``ready_hold_s`` at the top is a measurement of the person's top, taken as calibration takes
    # it (the median): twice the +-3 degrees that standing knees and locked planks jitter by on
    # the shared videos, so a held top passes and the first degrees of a descent do not.
    held_top_band_deg: float = 6.0
    # How fast the person's size in the image at the top follows them while the main angle is at
    # the top: about as fast as a phone's zoom or a step back (0.5 s), so that the rep in which the
    # view changed still locks out.
    top_size_tau_s: float = 0.5
    # Upward speed at lockout (standing heights per second) above which the verdict waits
    # ``confirm_s`` for a take-off. Squats measured 0.14-0.92 /s at lockout on the shared videos; a
    # 10 cm jump leaves the floor at 1.4 m/s, about 1.6 /s for a 0.85 m hip height, and the
    # estimate over 0.1 s lags and jitters, so the margin is wide: fast stand-ups wait a moment.
    takeoff_speed_per_s: float = 0.8
    confirm_s: float = 0.25
    # Planted points must read moved this long before the attempt is judged moved: a step or a hand
    # walked stays where it lands; a landmark misplaced by the tracker for a frame or two does not
    # (two frames at 10 fps).
    moved_hold_s: float = 0.1
    # Longest flight of a jump: 0.6 s is a 45 cm vertical jump (t = 2 sqrt(2h/g)); feet and hips
    # "in the air" for longer mean the camera or the person moved, and the floor is re-anchored.
    max_flight_s: float = 0.6
    # A flight starts with a launch: the hips rising by at least the flight threshold within this
    # long (a 5 cm jump leaves the floor at 1 m/s; the push-off lifts the hips 10-20 cm in about
    # 0.2 s). A camera or landmarks drifting slowly, or a person found higher after a step, does not.
    launch_window_s: float = 0.3
    # How far back a start without a still moment is searched for a full cycle (top, dip, top) to
    # learn the top from: two slow reps (the shared clips' slowest is about 6 s per rep).
    cycle_window_s: float = 8.0
    # Nothing counted yet and still not ready after this long: say why (the player must know within
    # 3 s what stops the counter), and again each time this long passes.
    hint_after_s: float = 2.5
    smoothing_min_cutoff_hz: float = 1.0
    smoothing_beta: float = 1.0


class RepDetector:
    """Counts and scores reps of one exercise. See docs/REPS.md for events and the view model."""

    def __init__(
        self, definition: ExerciseDefinition, *, calibration: Calibration | None = None, options: EngineOptions | None = None
    ) -> None:
        self.defn = definition
        self.opts = options or EngineOptions()
        self.cal: Calibration | None = calibration
        self.phase = Phase.GETTING_READY
        self._filter = OneEuroFilter(OneEuroParams(self.opts.smoothing_min_cutoff_hz, self.opts.smoothing_beta, 1.0))
        self._coach = Coach(definition)
        self._t: float | None = None
        self._p = 0.0
        self._p_raw = 0.0
        self._p_raw_prev = 0.0
        self._top_deg = calibration.top_angle_deg if calibration else 0.0
        self._top_sec = calibration.top_secondary_deg if calibration else None
        # The person's own top between reps: their size in the image there (pixels) and their torso's
        # reading from the camera's vertical (degrees), followed like the top angle.
        self._top_h = calibration.height_px if calibration else 1.0
        self._top_torso: float | None = None
        self._held: deque[Features] = deque()  # frames at the top of the current top phase
        self._moved = False
        self._moved_since: float | None = None
        self._planted_sides: tuple[tuple[float, float], tuple[float, float]] | None = None  # at calibration
        # Where the planted points are, from calibration, then followed at the top between reps.
        self._planted: _Planted | None = None
        # attempt
        self._samples: list[Sample] = []
        self._start_s = 0.0
        self._peak = 0.0
        self._peak_s = 0.0
        self._turn_s: float | None = None
        self._trough = 0.0
        self._trough_s = 0.0
        self._depth_ok = False
        self._flags: set[str] = set()
        self._t_low: float | None = None
        self._hold_s = 0.0
        self._airborne = False
        self._air_prev = False
        self._up_peak = 0.0  # highest upward speed of this attempt so far (standing heights / s)
        self._floor: tuple[float, float] = (0.0, 0.0)  # feet on the floor (image y), tracked at the top
        self._hip_line = 0.0  # the moving points (hips) when standing (image y), tracked at the top
        self._low_top: float | None = None  # the definition's low point above the floor at the top (x height)
        self._spread_top: float | None = None  # the definition's spread at the top (Spread)
        self._air_since: float | None = None  # when the feet and hips last left their lines
        # (t, hips' image y, each foot's lowest image y) over the last launch window
        self._hip_hist: deque[tuple[float, float, float, float]] = deque()
        self._heights: deque[tuple[float, float]] = deque()
        # input monitor
        self._seen_person = False
        self._last_person_s: float | None = None
        self._lost = False
        self._last_lm: FloatArray | None = None
        self._same_since: float | None = None
        self._same_count = 0
        self._frozen = False
        self._missing_since: float | None = None
        self._missing = False
        self._bad_ts = False
        self._last_f: Features | None = None
        # The image-trust weights followed from frame to frame (features.ImageTrust).
        self._trust: ImageTrust | None = None
        self._t_prev_person: float | None = None
        self._prev_judged_s: float | None = None
        self._ready: deque[Features] = deque()
        self._tops: deque[Features] = deque()  # start-position frames of the last few seconds
        self._cycle: deque[Features] = deque()  # judged frames while getting ready (learning the top)
        self._hint_since: float | None = None  # when the engine last started waiting (or hinted)
        self._hint_seen: Counter[str] = Counter()  # what the frames showed since then
        self._announced_ready_wait = False
        # results
        self._reps: list[RepEvent] = []
        self._count = 0
        self._reasons: Counter[str] = Counter()
        self._problems: Counter[str] = Counter()
        self._best_v: float | None = None
        self._last_vl: float | None = None
        self._paused = False
        self._pause_is_input = False  # paused by bad input (lifted when ready again), not by a failed rep
        self._pause_cue: Cue | None = None
        self._cue: Cue | None = None
        self._last_rep: RepEvent | None = None

    # ------------------------------------------------------------------ public API

    def calibrate(self, frames: Iterable[PoseFrame]) -> Calibration:
        """Explicit calibration (standing still, then optionally one slow rep); see
        :func:`game.reps.calibration.calibrate`. Raises CalibrationError with a user message."""
        self.cal = calibrate(self.defn, frames)
        self._top_deg = self.cal.top_angle_deg
        self._top_sec = self.cal.top_secondary_deg
        self._top_h = self.cal.height_px
        return self.cal

    def update(self, frame: PoseFrame) -> list[Event]:
        """Feed one frame (with or without a person); return the events it completes."""
        ev: list[Event] = []
        t = frame.timestamp_ms / 1000.0
        if not math.isfinite(t) or (self._t is not None and t <= self._t):
            if not self._bad_ts:
                self._bad_ts = True
                self._problems["bad_timestamps"] += 1
                ev.append(InputEvent(t if math.isfinite(t) else (self._t or 0.0), "bad_timestamps", None, "frame time did not advance; frame ignored"))
            return ev
        self._bad_ts = False
        self._t = t

        if frame.landmarks_px is None:
            self._on_no_person(t, ev)
            return ev
        if self._lost:
            self._lost = False
            ev.append(InputEvent(t, "person_reentered", self.defn.cues["getting_ready"]))
            self._to_getting_ready(t, ev, None)
        self._last_person_s = t
        if not self._seen_person:
            self._seen_person = True
            ev.append(StatusEvent(t, "getting_ready", self.defn.cues["getting_ready"]))

        if self._check_frozen(frame, t, ev):
            return ev

        f = extract(self.defn, frame, self._trust)
        if isinstance(f, Missing):
            self._on_missing(t, f, ev)
            self._hint(t, f, ev)
            return ev
        if self._missing:
            self._missing = False
            self._missing_since = None
            ev.append(InputEvent(t, "joints_back", self.defn.cues["getting_ready"]))
            self._to_getting_ready(t, ev, None)
        self._missing_since = None

        last = self._last_f
        self._last_f = f
        self._trust = f.trust
        if last is not None and self._skeleton_jumped(last, f):
            self._trust = None  # someone else's limbs from here
            self._problems["two_people_suspected"] += 1
            ev.append(InputEvent(t, "two_people_suspected", self.defn.cues["two_people"], "the tracked skeleton jumped"))
            self._abort(t, "lost_tracking", ev)
            self._to_getting_ready(t, ev, self.defn.cues["two_people"])
            return ev
        if last is not None and self.phase in IN_ATTEMPT and t - last.t_s > self.opts.max_gap_s and not self._is_stall(last, f):
            self._abort(t, "lost_tracking", ev)
            self._to_getting_ready(t, ev, None)

        if self.phase is Phase.INTERRUPTED:
            self._to_getting_ready(t, ev, None)

        if self.phase is Phase.GETTING_READY:
            self._learn_top_from_cycle(f, ev)
        self._update_progress(f)
        self._step(f, ev)
        self._hint(t, f, ev)
        return ev

    def finish(self) -> list[Event]:
        """End of stream: an attempt in progress is reported as not counted ("incomplete")."""
        ev: list[Event] = []
        if self.phase is Phase.LOCKOUT:
            self._emit_attempt(self._hold_s, None, ev)
            self.phase = Phase.TOP
        elif self.phase in IN_ATTEMPT and self._t is not None:
            self._emit_attempt(self._t, "incomplete", ev)
            self.phase = Phase.TOP
        return ev

    def summary(self) -> dict[str, Any]:
        counted = [r for r in self._reps if r.counted]
        scores = [r.score for r in counted if r.score is not None]
        out: dict[str, Any] = {
            "exercise": self.defn.name,
            "reps": self._count,
            "attempts": len(self._reps),
            "not_counted": dict(sorted(self._reasons.items())),
            "mean_score": round(sum(scores) / len(scores)) if scores else None,
            "best_velocity_mps": None if self._best_v is None else round(self._best_v, 3),
            "velocity_loss_pct": self._last_vl,
            "fatigue": _fatigue_label(self._last_vl),
            "form_stability": _stability(counted),
            "view": self.cal.view if self.cal else "unknown",
            "calibration": self.cal.source if self.cal else None,
            "input_problems": dict(sorted(self._problems.items())),
        }
        return out

    def view(self) -> RepView:
        """The live view model for the current frame (cheap; call every frame)."""
        last = self._last_rep
        rom = max(0.0, min(1.0, self._p)) if self.cal is not None and self.phase is not Phase.INTERRUPTED else 0.0
        return RepView(
            exercise=self.defn.name,
            t_s=self._t or 0.0,
            count=self._count,
            attempts=len(self._reps),
            phase=self.phase.value,
            is_paused=self._paused,
            cue=self._cue.text if self._cue else None,
            cue_kind=self._cue.kind if self._cue else None,
            rom=rom,
            is_depth_reached=self._depth_ok and self.phase in IN_ATTEMPT,
            is_calibrated=self.cal is not None,
            view=self.cal.view if self.cal else "unknown",
            last_score=last.score if last else None,
            last_counted=last.counted if last else None,
            last_cues=tuple(c.text for c in last.cues) if last else (),
            velocity_loss_pct=self._last_vl,
        )

    @property
    def count(self) -> int:
        return self._count

    @property
    def reps(self) -> tuple[RepEvent, ...]:
        return tuple(self._reps)

    # ------------------------------------------------------------------ input monitor

    def _on_no_person(self, t: float, ev: list[Event]) -> None:
        self._last_lm = None
        self._same_since = None
        if self._lost or self._last_person_s is None:
            return
        if t - self._last_person_s >= self.opts.lost_after_s:
            self._lost = True
            self._problems["person_lost"] += 1
            cue = self.defn.cues["lost_tracking"]
            ev.append(InputEvent(t, "person_lost", cue))
            self._interrupt(t, cue, ev)

    def _check_frozen(self, frame: PoseFrame, t: float, ev: list[Event]) -> bool:
        lm = frame.landmarks_px
        assert lm is not None
        same = self._last_lm is not None and self._last_lm.shape == lm.shape and np.array_equal(self._last_lm, lm)
        self._last_lm = lm
        if same:
            if self._same_since is None:
                self._same_since = self._t_prev_person if self._t_prev_person is not None else t
            self._same_count += 1
            if (
                not self._frozen
                and self._same_since is not None
                and t - self._same_since >= self.opts.frozen_after_s
                and self._same_count >= self.opts.frozen_min_frames
            ):
                self._frozen = True
                self._problems["frozen_stream"] += 1
                cue = self.defn.cues["frozen"]
                ev.append(InputEvent(t, "frozen_stream", cue, "landmarks have not changed at all"))
                self._interrupt(t, cue, ev)
            self._t_prev_person = t
            # A repeated frame carries no new information: never judge it twice.
            return True
        self._same_since = None
        self._same_count = 0
        self._t_prev_person = t
        if self._frozen:
            self._frozen = False
            ev.append(InputEvent(t, "stream_resumed", self.defn.cues["getting_ready"]))
            self._to_getting_ready(t, ev, None)
        return False

    def _on_missing(self, t: float, f: Missing, ev: list[Event]) -> None:
        if self._missing_since is None:
            self._missing_since = t
        if not self._missing and t - self._missing_since >= self.opts.missing_after_s:
            self._missing = True
            kind: InputKind = "invalid_landmarks" if f.reason == "invalid" else "missing_joints"
            self._problems[kind] += 1
            cue = self.defn.cues["missing_joints"]
            ev.append(InputEvent(t, kind, cue, f"need {self.defn.required_names}"))
            self._interrupt(t, cue, ev)

    def _skeleton_jumped(self, a: Features, b: Features) -> bool:
        dt = b.t_s - a.t_s
        if dt <= 0 or dt > self.opts.jump_window_s:
            return False
        scale = self.cal.height_px if self.cal else max(a.height_px, 1.0)
        d = math.hypot(b.moving_xy_px[0] - a.moving_xy_px[0], b.moving_xy_px[1] - a.moving_xy_px[1])
        if d > self.opts.jump_frac * scale:
            return True
        # The measured height itself changes with the exercise (a push-up halves it), so a size
        # jump is only telling between frames too close for a body to do that (100 ms).
        ratio = max(a.height_px, 1.0) / max(b.height_px, 1.0)
        return dt <= 0.1 and (ratio > self.opts.jump_scale or ratio < 1.0 / self.opts.jump_scale)

    def _is_stall(self, a: Features, b: Features) -> bool:
        """A gap from ``a`` to ``b`` that the attempt survives: no longer than ``max_stall_s``, and
        the body after it where it was before (a camera that stalled, not a person who left,
        stepped or was swapped for someone else while nothing was seen)."""
        if b.t_s - a.t_s > self.opts.max_stall_s or self.cal is None:
            return False
        scale = self.cal.height_px
        d = math.hypot(b.moving_xy_px[0] - a.moving_xy_px[0], b.moving_xy_px[1] - a.moving_xy_px[1])
        if d > self.opts.jump_frac * scale:
            return False
        return not self._is_moved(b)

    def _interrupt(self, t: float, cue: str, ev: list[Event]) -> None:
        self._abort(t, "lost_tracking", ev)
        self.phase = Phase.INTERRUPTED
        self._ready.clear()
        self._tops.clear()
        self._cycle.clear()
        self._filter.reset()
        self._heights.clear()
        self._last_f = None
        self._set_paused(t, Cue("input", cue, "corrective"), ev, is_input=True)

    def _to_getting_ready(self, t: float, ev: list[Event], cue: str | None) -> None:
        self.phase = Phase.GETTING_READY
        self._ready.clear()
        self._tops.clear()
        self._cycle.clear()
        text = cue or self.defn.cues["getting_ready"]
        ev.append(StatusEvent(t, "getting_ready", text))
        self._cue = Cue("getting_ready", text, "corrective")

    def _set_paused(self, t: float, cue: Cue, ev: list[Event], *, is_input: bool = False) -> None:
        self._cue = cue
        self._pause_cue = cue
        self._pause_is_input = is_input
        if not self._paused:
            self._paused = True
            ev.append(StatusEvent(t, "paused", cue.text))

    # ------------------------------------------------------------------ progress

    def _progress(self, f: Features) -> float:
        cal = self.cal
        if cal is None:
            return 0.0
        defn = self.defn
        p = bend = (self._top_deg - f.primary_deg) / cal.required_flexion_deg
        if defn.depth_angle_deg is not None and self._top_deg - defn.depth_angle_deg > 10.0:
            # The coach's standard (an absolute angle) also counts, whatever the person's top reads.
            p = max(p, (self._top_deg - f.primary_deg) / (self._top_deg - defn.depth_angle_deg))
        if defn.height_depth_share is not None and bend > defn.thresholds.lockout:
            # The shoulders' height above the hands stands in for an elbow angle that the view
            # foreshortens, and only while the arms bend: straight arms hold the shoulders at
            # their full height, so a plank that reads smaller with its arms straight is the
            # picture's scale (a zoom, a step back), never depth, and must not hide the lockout.
            p = max(p, (1.0 - f.height_px / self._top_h) / (1.0 - defn.height_depth_share))
        if f.low_point_gap_px is not None and self._low_top is not None:
            span = self._low_top - defn.low_point_rise
            if span > 0.1:
                p = max(p, (self._low_top - f.low_point_gap_px / cal.height_px) / span)
        sec = self.defn.secondary
        if sec is not None and f.secondary_deg is not None and self._top_sec is not None:
            span = self._top_sec - sec.depth_deg
            if span > sec.min_span_deg:
                if self.defn.secondary_combine == "max":
                    # A segment that can count a rep on its own must turn from how it stood as far
                    # as an upright one turns to ``depth_deg``. Measured against the picture's
                    # level, a camera rolled in its own plane (a propped phone) adds its roll to
                    # both readings and, through a shorter span, lowers the bar: an 8 degree roll
                    # took the landmine pick-up hinge (squat_landmine_side_pickup_putdown, thigh
                    # 35 degrees from level, p 0.90) to depth. The turn from the top is the same
                    # whatever the roll; a thigh that stood leaning only needs more of it. (Where
                    # the segment only holds a rep back, "min", the camera's reading stays: lunges
                    # start from a split stance, thighs already inclined.)
                    span = 90.0 - sec.depth_deg
                p2 = (self._top_sec - f.secondary_deg) / span
                p = max(p, p2) if self.defn.secondary_combine == "max" else min(p, p2)
        spread = defn.spread
        if spread is not None:
            # Points moving apart across the body from the top (feet jumping out): this and the rest.
            if f.spread_ratio is None or self._spread_top is None:
                p = min(p, 0.0)
            else:
                p = min(p, (f.spread_ratio - self._spread_top) / spread.gain)
        return max(-0.5, min(1.5, p))

    def _update_progress(self, f: Features) -> None:
        self._p_raw_prev = self._p_raw
        self._p_raw = self._progress(f)
        self._p = float(self._filter.filter(np.asarray(self._p_raw), f.t_s * 1000.0))

    # ------------------------------------------------------------------ guards

    def _guard(self, name: str, f: Features) -> bool:
        th = self.defn.thresholds
        p = self._p
        if name == "always":
            return True
        if name == "ready_held":
            return self._ready_held(f)
        if name == "entered":
            return p > th.enter
        if name == "deep":
            # Smoothing shaves the peak of a fast rep seen at a low frame rate; two frames in a row
            # at depth are as good (one frame could be a tracker glitch).
            return p >= 1.0 or min(self._p_raw, self._p_raw_prev) >= 1.0
        if name == "turned":
            return p < self._peak - th.turn
        if name == "locked_out":
            return p <= th.lockout
        if name == "locked_out_fast":
            # (or already in the air: with the feet out of the frame, judged at the landing)
            return p <= th.lockout and (self._maybe_taking_off(f) or self._air_since is not None)
        if name == "confirmed":
            # Not while a flight is under way: with the feet out of the frame a jump is only
            # known at its landing (up to ``max_flight_s`` later).
            return f.t_s - self._hold_s >= self.opts.confirm_s and self._air_since is None
        if name == "locked_out_after_jump":
            return p <= th.lockout and "jump" in self._flags
        if name == "sank":
            # Down again without ever leaving counting depth: the bottom of the same rep, not a
            # new one. A lunge or squat held deep bobs there (the knee's reading swings 0.2-0.35
            # of the range at the bottom of lunge_walking_dumbbells_trackingcam_mirrors, 2.5-2.7
            # s, all of it deeper than the count needs); only a rise out of depth and a fall back
            # is an attempt that did not lock out.
            return self._trough >= 1.0 and p > self._trough + th.rebound
        if name == "rebounded":
            return self._trough > th.lockout and p > self._trough + th.rebound
        if name == "moved":
            return self._moved
        if name == "airborne":
            return self._is_airborne(f)
        if name == "overtime":
            return f.t_s - self._start_s > self.defn.max_rep_s
        raise KeyError(name)

    def _track_height(self, f: Features) -> None:
        cal = self.cal
        if cal is None:
            return
        if f.height_m is not None and cal.height_m:
            h = f.height_m / cal.height_m
        else:
            h = f.height_px / cal.height_px
        q = self._heights
        q.append((f.t_s, h))
        while len(q) > 2 and f.t_s - q[1][0] >= 0.1:
            q.popleft()

    def _rise_speed(self) -> float:
        """Upward speed over the last ~0.1 s, in standing heights per second."""
        q = self._heights
        if len(q) < 2 or q[-1][0] - q[0][0] <= 0:
            return 0.0
        return (q[-1][1] - q[0][1]) / (q[-1][0] - q[0][0])

    def _update_moved(self, f: Features) -> None:
        """Feet (hands) moved from where they were planted, and stayed moved for ``moved_hold_s``: a
        step or a hand walked lands and stays; a tracker re-acquiring someone after a dropout can
        place the limbs wrongly for a frame or two (pushup_front_dumbbells_portrait_dark, 5.32 s)."""
        if not self._is_moved(f):
            self._moved_since = None
            self._moved = False
            return
        if self._moved_since is None:
            self._moved_since = f.t_s
        self._moved = f.t_s - self._moved_since >= self.opts.moved_hold_s

    def _is_moved(self, f: Features) -> bool:
        lim = self.defn.max_planted_shift
        if lim is None or self.cal is None or not f.is_planted_in_frame:
            return False
        ref = self._planted or _Planted(self.cal.planted_xy_px, self._planted_sides, self.cal.feet_low_y_px)
        return planted_shift_px(self.defn, f, ref) > lim * self.cal.height_px

    def _feet_rise(self, f: Features) -> float:
        """How far both feet are above the floor line tracked while standing (not the
        calibration's: people shuffle), as a fraction of the person's height in the image: the
        lower foot against the lower standing foot, so that feet that swap places (walking lunges)
        or stand at different depths (a split stance seen from the front) still compare."""
        if self.cal is None:
            return 0.0
        rise = max(self._floor) - max(f.feet_low_y_px)
        return rise / self.cal.height_px

    def _hip_rise(self, f: Features) -> float:
        """How far the hips (moving points) are above where they are when standing, as a fraction
        of the person's height in the image: in flight the whole body is up, not just the feet."""
        if self.cal is None:
            return 0.0
        return (self._hip_line - f.moving_xy_px[1]) / self.cal.height_px

    def _shift_lines(self, f: Features) -> None:
        """Re-anchor the floor and standing-hip lines to this frame's feet (the camera, its zoom or
        the person's place moved): hips keep their height above the floor."""
        dy = max(f.feet_low_y_px) - max(self._floor)
        self._floor = f.feet_low_y_px
        self._hip_line += dy
        self._hip_hist.clear()

    def _maybe_taking_off(self, f: Features) -> bool:
        """At lockout: could the feet be about to leave the floor? A squat slows down to stand (the
        shared videos: 30-68 % of the rep's peak upward speed at lockout); a jump is still at its
        fastest at take-off. Doubtful cases wait ``confirm_s`` before counting."""
        v = self._rise_speed()
        if v > self.opts.takeoff_speed_per_s or self._feet_rising(f):
            return True
        return v > 0.5 and v > 0.6 * self._up_peak

    def _feet_rising(self, f: Features) -> bool:
        """Both feet already half-way to the jump threshold: the take-off may be under way."""
        lim = self.defn.flight_rise
        return lim is not None and self._feet_rise(f) > 0.5 * lim

    def _update_airborne(self, f: Features) -> None:
        """Both feet off the floor: on two frames in a row (one frame of tracker jitter is not a
        jump), or on one when frames are sparse (11 fps or less: a short hop may span one frame)
        or the feet are clearly high (1.5 x the threshold)."""
        lim = self.defn.flight_rise
        if lim is None or self.cal is None:
            self._airborne = self._air_prev = False
            self._air_since = None
            return
        feet_seen = f.is_planted_in_frame
        rise = self._feet_rise(f) if feet_seen else 0.0
        if feet_seen and self.phase in MOVING and self._p >= 0.5 and rise > 0.5 * lim:
            # Half-way down or deeper the feet carry the body: feet "above the floor" there mean
            # the view moved (a zoom, a panning or tilted phone, a step back) or the landmarks
            # drifted, not a jump; the lines follow the feet.
            self._shift_lines(f)
            rise = self._feet_rise(f)
        hist = self._hip_hist
        fl, fr = f.feet_low_y_px
        hist.append((f.t_s, f.moving_xy_px[1], fl, fr))
        while len(hist) > 2 and f.t_s - hist[1][0] >= self.opts.launch_window_s:
            hist.popleft()
        h = self.cal.height_px
        launched = (max(x[1] for x in hist) - f.moving_xy_px[1]) / h >= lim
        if feet_seen:
            # Both feet leave the floor fast too (1 m/s for a 5 cm jump): a step lifts one foot, and
            # a floor line left stale by a step or a drifting camera is no take-off.
            launched = launched and min(max(x[2] for x in hist) - fl, max(x[3] for x in hist) - fr) / h >= lim
        hip_rise = self._hip_rise(f)
        landed = False
        if feet_seen:
            # Both feet up and the hips up with them, launched fast. Front-view feet landmarks
            # drift up 6-9 % of hip height at the bottom of a squat, while the hips are far below
            # standing.
            now = rise > lim and hip_rise > 0.5 * lim and (self._air_since is not None or launched)
        elif self._air_since is None:
            # Feet out of the frame: the hips alone, 1.5 thresholds above where they stand (about
            # 8 cm: rising onto the toes and standing taller lift them 3-5 %), launched fast.
            now = hip_rise > 1.5 * lim and launched
            rise = hip_rise
        else:
            # ...and a jump is told from a picture that moved (a zoom, a camera panning up while
            # the person stands) by its landing: within a flight's time the hips come back down
            # to where they stand (half a threshold from it) on legs still straight, or from the
            # air to below it: a landing absorbed into bent knees, which a camera at 12 frames/s
            # or less sees as the frame after the flight (a jump squat of 19 cm landed at knee
            # depth p 0.24, 85 ms after the last frame in the air).
            # A flight is on straight legs: knees bending while the hips are still up mean the
            # hips were up because the picture moved, and this is the next descent.
            straight = self._p_raw <= self.defn.thresholds.enter
            now = hip_rise > 0.5 * lim and straight
            landed = (
                hip_rise <= 0.5 * lim
                and f.t_s - self._air_since <= self.opts.max_flight_s
                and (straight or hip_rise < 0.0)
            )
            rise = hip_rise
        if now and self._air_since is None:
            self._air_since = f.t_s
        elif not now:
            self._air_since = None
        if now and self._air_since is not None and f.t_s - self._air_since > self.opts.max_flight_s:
            # Longer than any jump's flight: this is where the floor is now.
            self._shift_lines(f)
            self._air_since = None
            now = False
            self._flags.discard("jump")
        sparse = self._prev_judged_s is None or f.t_s - self._prev_judged_s > 0.09
        clear = rise > 1.5 * lim  # about 8 cm: no tracker jitter does that
        if feet_seen:
            self._airborne = now and (self._air_prev or sparse or clear)
        else:
            self._airborne = landed  # the hips alone: judged on landing
        self._air_prev = now

    def _is_airborne(self, f: Features) -> bool:
        return self._airborne

    def _ready_held(self, f: Features) -> bool:
        w = self._ready
        if self._air_prev:
            # Still in the air after a jump: that is not where the floor is.
            w.clear()
            return False
        leaving = not is_top_posture(self.defn, f) or (
            len(w) >= 2 and statistics.median(x.primary_deg for x in w) - f.primary_deg > 10.0
        )
        if leaving:
            # Starting to go down on both sides at once (a step bends one knee, not both): a still
            # start position held for half the usual time is enough (a clip that starts squatting
            # at once, or frames dropped at the start).
            if (
                len(w) >= 2
                and w[-1].t_s - w[0].t_s >= 0.5 * self.defn.ready_hold_s
                and _is_still(w, upright=self.defn.posture == "upright")
                and _both_sides_bend(w, f)
            ):
                return True
            w.clear()
            return False
        tops = self._tops
        tops.append(f)
        while f.t_s - tops[0].t_s > self.opts.tops_window_s:
            tops.popleft()
        if w:
            first = w[0]
            shift = math.hypot(f.planted_xy_px[0] - first.planted_xy_px[0], f.planted_xy_px[1] - first.planted_xy_px[1])
            if shift > 0.08 * max(first.height_px, 1.0) or f.t_s - w[-1].t_s > self.opts.max_gap_s:
                w.clear()
        w.append(f)
        while len(w) > 2 and w[-1].t_s - w[1].t_s >= self.defn.ready_hold_s:
            w.popleft()
        if not _is_still(w, upright=self.defn.posture == "upright"):
            # Walking into place (even straight at the camera, where the feet hardly move in the
            # image): start the wait again from this frame.
            while len(w) > 1:
                w.popleft()
        if len(w) >= 2 and w[-1].t_s - w[0].t_s >= self.defn.ready_hold_s:
            return True
        return not self._cycle_open() and self._tops_repeat()

    def _hint(self, t: float, f: Features | Missing, ev: list[Event]) -> None:
        """While not ready, tell the player within 3 s what keeps the counter from starting.

        The cue follows what the frames since the last hint showed most: joints out of view ("show
        your whole body"), a horizontal exercise seen head-on without its start posture ("turn
        side-on"), not in the start posture at all, or in it but never still ("stand still a
        moment")."""
        if self.phase is not Phase.GETTING_READY:
            self._hint_since = None
            self._hint_seen.clear()
            return
        if self._hint_since is None:
            self._hint_since = t
        seen = self._hint_seen
        if isinstance(f, Missing):
            seen["missing"] += 1
        elif is_top_posture(self.defn, f):
            seen["top"] += 1
        elif self.defn.posture == "horizontal" and f.yaw_deg is not None and f.yaw_deg < 30.0:
            seen["head_on"] += 1
        else:
            seen["posture"] += 1
        if t - self._hint_since < self.opts.hint_after_s:
            return
        key = seen.most_common(1)[0][0] if seen else "posture"
        cue_key = {"missing": "show_body", "top": "stand_still", "head_on": "turn_side_on"}.get(key, "getting_ready")
        text = self.defn.cues[cue_key]
        ev.append(StatusEvent(t, "getting_ready", text))
        self._cue = Cue("getting_ready", text, "corrective")
        self._hint_since = t
        seen.clear()

    def _learn_top_from_cycle(self, f: Features, ev: list[Event]) -> bool:
        """Start without a still moment: learn the top from the first full cycle and judge it.

        Reverse lunges into a knee drive, walking lunges and clips that start at the bottom never
        stand still in the start position. Once the buffered frames hold a start position, a dip of
        at least half the counting range and a return to the start position (this frame), the top
        is the straightest start position seen (90th percentile of the main angle), the engine
        calibrates from the frames near it and replays the buffered frames from the first of them,
        so that cycle is judged like any other. A rise without a descent before it is never a rep.
        For exercises with planted feet (hands) the cycle must keep them in one place, judged as
        the moved check judges them (walking is not a cycle: its steps move one foot at a time). The
        person's size in the image is not held steady: a zoom changes it as much as walking toward
        the camera does, and a walk gives itself away by its steps.
        """
        buf = self._cycle
        if self._air_prev or (buf and f.t_s - buf[-1].t_s > self.opts.max_gap_s):
            # In the air after a jump (not where the floor is), or a gap: start again.
            buf.clear()
            return False
        buf.append(f)
        while f.t_s - buf[0].t_s > self.opts.cycle_window_s:
            buf.popleft()
        defn = self.defn
        # The start posture as this person shows it through this camera: the first frame in the
        # definition's start posture sets how their torso reads; straight-limbed frames with the
        # torso reading within OWN_TORSO_DEG of it are that posture too (a plank that a low front
        # camera reads 56 degrees from vertical at the first top and 45 at the next).
        first = next((x for x in buf if is_top_posture(defn, x)), None)
        if first is None:
            return False
        ref = first.torso_from_vertical_deg

        def top_like(x: Features) -> bool:
            return is_top_posture(defn, x) or (
                x.primary_deg >= defn.ready_min_angle_deg and abs(x.torso_from_vertical_deg - ref) <= OWN_TORSO_DEG
            )

        if len(buf) < 4 or not top_like(f):
            return False
        tops = sorted(x.primary_deg for x in buf if top_like(x))
        top = tops[int(0.9 * (len(tops) - 1))]
        band = defn.thresholds.lockout * defn.required_flexion_deg
        if f.primary_deg < top - band:
            return False
        frames = list(buf)
        i0 = next(i for i, x in enumerate(frames) if top_like(x) and x.primary_deg >= top - band)
        half = self.opts.report_min_peak * defn.required_flexion_deg
        deep = [x for x in frames[i0 + 1 : -1] if top - x.primary_deg >= half]
        if len(deep) < 2:
            return False
        if defn.max_planted_shift is not None:
            # The body's size at the top (the measured height shrinks on the way down).
            h = max(1.0, statistics.median(x.height_px for x in frames[i0:] if top_like(x)))
            ref0 = _Planted.of(frames[i0])
            # Compared at the top only: feet landmarks ride up at the bottom of a squat (6-9 % of
            # hip height head-on, more from above), walking moves them between tops. Judged as the
            # moved check judges them: what steps do, not what a panning camera does.
            if any(
                planted_shift_px(defn, x, ref0) > defn.max_planted_shift * h
                for x in frames[i0:]
                if top_like(x)
            ):
                return False
        self._ready = deque(x for x in frames[i0:] if top_like(x) and x.primary_deg >= top - 8.0)
        buf.clear()
        start = frames[i0]
        self.phase = Phase.TOP
        self._heights.clear()
        self._air_prev = self._airborne = False
        self._prev_judged_s = start.t_s
        self._act_calibrate(start, ev, Phase.GETTING_READY)
        self._prev_judged_s = start.t_s
        for x in frames[i0 + 1 : -1]:
            self._update_progress(x)
            self._step(x, ev)
        return True

    def _cycle_open(self) -> bool:
        """The frames kept while getting ready hold a start position and then a dip of at least
        half the counting range: a cycle is under way, and :meth:`_learn_top_from_cycle` judges it
        once it is back at the top. The mid-set fallback must not calibrate from its way up (the
        rising frames pass the start posture before they reach the top, and the cycle would go
        unjudged)."""
        defn = self.defn
        first = next((i for i, x in enumerate(self._cycle) if is_top_posture(defn, x)), None)
        if first is None:
            return False
        frames = list(self._cycle)[first:]
        top = max(x.primary_deg for x in frames if is_top_posture(defn, x))
        half = self.opts.report_min_peak * defn.required_flexion_deg
        return any(top - x.primary_deg >= half for x in frames)

    def _tops_repeat(self) -> bool:
        """Fallback for a stream that starts mid-set: reps without a still moment at the top.

        Start-position frames spread over at least a second of the last few, all with the feet in
        the same place (walking moves them), calibrate from the straightest of them.
        """
        tops = list(self._tops)
        if len(tops) < 4 or tops[-1].t_s - tops[0].t_s < 1.0:
            return False
        mx = statistics.median(t.planted_xy_px[0] for t in tops)
        my = statistics.median(t.planted_xy_px[1] for t in tops)
        h = statistics.median(t.height_px for t in tops)
        if any(math.hypot(t.planted_xy_px[0] - mx, t.planted_xy_px[1] - my) > 0.06 * h for t in tops):
            return False
        if max(t.height_px for t in tops) - min(t.height_px for t in tops) > 0.08 * h:
            return False  # growing in the image: walking toward the camera
        best = max(t.primary_deg for t in tops)
        self._ready = deque(t for t in tops if t.primary_deg >= best - 8.0)
        return True

    # ------------------------------------------------------------------ the machine

    def _step(self, f: Features, ev: list[Event]) -> None:
        self._follow_top_size(f)
        self._track_height(f)
        self._update_airborne(f)
        self._update_moved(f)
        if self.phase in (Phase.BOTTOM, Phase.ASCENT):
            self._up_peak = max(self._up_peak, self._rise_speed())
        if self.phase in MOVING:
            self._samples.append(Sample(self._p, f))
            if self._p > self._peak:
                self._peak, self._peak_s = self._p, f.t_s
            if self.phase is Phase.ASCENT and self._p < self._trough:
                self._trough, self._trough_s = self._p, f.t_s
        if self.phase in IN_ATTEMPT and self._is_airborne(f):
            self._flags.add("jump")
        # A sparse stream (low frame rate, dropped frames) can cross two thresholds in one frame,
        # e.g. from the top straight to counting depth: follow up to three transitions per frame.
        for _ in range(3):
            taken = None
            for tr in TABLE[self.phase]:
                if self._guard(tr.guard, f):
                    taken = tr
                    break
            if taken is None:
                break
            prev = self.phase
            self.phase = taken.target
            if taken.action is not None:
                getattr(self, "_act_" + taken.action)(f, ev, prev)
            if taken.target is prev or self.phase is not taken.target:
                break
        self._prev_judged_s = f.t_s

    def _act_calibrate(self, f: Features, ev: list[Event], prev: Phase) -> None:
        window = list(self._ready)
        if self.cal is None:
            self.cal = from_ready_window(self.defn, window)
        else:
            self.cal = refit(self.defn, self.cal, window)
        self._top_deg = self.cal.top_angle_deg
        self._top_sec = self.cal.top_secondary_deg
        self._top_h = self.cal.height_px
        self._floor = self.cal.feet_low_y_px
        self._top_torso = statistics.median(x.torso_from_vertical_deg for x in window) if window else None
        sides = [x.planted_sides_px for x in window if x.planted_sides_px is not None]
        self._planted_sides = (
            (
                (statistics.median(s[0][0] for s in sides), statistics.median(s[0][1] for s in sides)),
                (statistics.median(s[1][0] for s in sides), statistics.median(s[1][1] for s in sides)),
            )
            if sides
            else None
        )
        self._planted = _Planted(self.cal.planted_xy_px, self._planted_sides, self.cal.feet_low_y_px)
        if window:
            self._hip_line = statistics.median(x.moving_xy_px[1] for x in window)
            lows = [x.low_point_gap_px for x in window if x.low_point_gap_px is not None]
            if lows:
                self._low_top = statistics.median(lows) / self.cal.height_px
            spreads = [x.spread_ratio for x in window if x.spread_ratio is not None]
            if spreads:
                self._spread_top = statistics.median(spreads)
        self._air_since = None
        self._ready.clear()
        self._tops.clear()
        self._held.clear()
        self._filter.reset()
        self._update_progress(f)
        self._t_low = f.t_s
        ev.append(
            CalibrationEvent(
                f.t_s, self.cal.source, self.cal.view, self.cal.top_angle_deg, self.cal.required_flexion_deg, self.cal.height_m
            )
        )
        ev.append(StatusEvent(f.t_s, "ready", self.defn.cues["ready"]))
        if self._paused and self._pause_is_input:
            self._paused = False  # the input is good again; nothing about the reps to hold against
        if self._paused and self._pause_cue is not None:
            self._cue = self._pause_cue  # still paused by a rep that did not count: keep saying why
        else:
            self._cue = Cue("ready", self.defn.cues["ready"], "positive")

    def _act_track_top(self, f: Features, ev: list[Event], prev: Phase) -> None:
        if self._p <= self.opts.low_p:
            self._t_low = f.t_s
        dt = f.t_s - self._prev_judged_s if self._prev_judged_s is not None else 0.0
        if self._p <= self.defn.thresholds.lockout and self._is_own_top(f) and dt > 0:
            # Follow slow drift of the top between reps (fatigue, a changed stance, a plank that
            # settles after a calibration made while getting into it): the main angle and the
            # person's size in the image there, which the depth judgements are relative to.
            a = 1.0 - math.exp(-min(dt, 0.5) / self.opts.top_tau_s)
            self._top_deg += a * (f.primary_deg - self._top_deg)
            if f.secondary_deg is not None and self._top_sec is not None:
                self._top_sec += a * (f.secondary_deg - self._top_sec)
            if self._top_torso is not None:
                self._top_torso += a * (f.torso_from_vertical_deg - self._top_torso)
            if self._planted is not None and f.is_planted_in_frame and not self._moved:
                # Where the hands (feet) are planted, too, as fast as the person's size there (a
                # phone's zoom or pan): a handheld camera drifting over a set moves them in the
                # picture by more than a hand walked (pushup_front_portrait_outdoor_slow panned
                # 12 % of the picture: 0.6 arm heights by the third rep), while within one rep,
                # the stretch that the moved check judges, it moves them little. A step or a hand
                # walked reads moved after ``moved_hold_s``, when this has followed a fifth of it.
                b = 1.0 - math.exp(-min(dt, 0.5) / self.opts.top_size_tau_s)
                self._planted = _follow_planted(self._planted, f, b)
        self._measure_held_top(f)
        if self._p <= self.defn.thresholds.lockout and is_top_posture(self.defn, f) and dt > 0:
            b = 1.0 - math.exp(-min(dt, 0.5) / 1.0)
            if not self._air_prev:
                if f.is_planted_in_frame:
                    self._floor = (
                        self._floor[0] + b * (f.feet_low_y_px[0] - self._floor[0]),
                        self._floor[1] + b * (f.feet_low_y_px[1] - self._floor[1]),
                    )
                self._hip_line += b * (f.moving_xy_px[1] - self._hip_line)

    def _measure_held_top(self, f: Features) -> None:
        """The person holding still at the top, straighter than the top reference: that is their
        top, measured as calibration measures it (the median over ``ready_hold_s``).

        The reference follows the top slowly (``top_tau_s``) and also takes in the first degrees
        of every descent and the last of every ascent (the lockout band), so after a rep it lags
        below a plank held straight again (pushup_front_dumbbells_portrait_dark, last rep: held
        at 176-177 degrees for a second, reference 168.5), and a rep's flexion was measured from
        where the reference had got to rather than from where the rep started. A lockout is the
        straightest the limb gets, so a straighter held top replaces the reference at once; a
        less straight one (fatigue, a changed stance, or a rest short of lockout) is left to the
        slow follower, so that resting bent never lowers the bar for the next lockout at once."""
        held = self._held
        at_top = self._is_back_at_top(f)
        if not at_top or (held and f.t_s - held[-1].t_s > self.opts.max_gap_s):
            held.clear()
        if not at_top:
            return
        held.append(f)
        hold = self.defn.ready_hold_s
        while len(held) > 2 and f.t_s - held[1].t_s >= hold:
            held.popleft()
        if f.t_s - held[0].t_s < hold:
            return
        angles = [x.primary_deg for x in held]
        if max(angles) - min(angles) > self.opts.held_top_band_deg:
            return
        top = statistics.median(angles)
        if top > self._top_deg:
            self._top_deg = top

    def _follow_top_size(self, f: Features) -> None:
        """The person's size in the image at the top, followed whenever the main angle is back at
        the top in their own start posture, in any phase: a camera that zooms or a person who
        steps back changes it, and the depth read from it (the shoulders' height above the hands)
        must not then hold a straight-armed plank half-way down forever."""
        if self._prev_judged_s is None or f.t_s <= self._prev_judged_s or not self._is_back_at_top(f):
            return
        a = 1.0 - math.exp(-min(f.t_s - self._prev_judged_s, 0.5) / self.opts.top_size_tau_s)
        self._top_h += a * (f.height_px - self._top_h)

    def _is_back_at_top(self, f: Features) -> bool:
        """The main angle within the lockout band of the top, in the person's own start posture."""
        if self.cal is None:
            return False
        if (self._top_deg - f.primary_deg) / self.cal.required_flexion_deg > self.defn.thresholds.lockout:
            return False
        return self._is_own_top(f)

    def _is_own_top(self, f: Features) -> bool:
        """At the top in this person's own start posture: the main angle straight enough, and the
        torso as the definition wants it or within ``OWN_TORSO_DEG`` of how it read at calibration.

        The torso's angle is read against the camera's vertical: a camera on the floor in front of
        a plank reads it 40-50 degrees from vertical (pushup_front_portrait_outdoor_slow), a side
        camera 70-85. Once someone has been accepted in the start position, the same posture
        seen through the same camera is theirs, whatever the camera makes of it."""
        if is_top_posture(self.defn, f):
            return True
        if f.primary_deg < self.defn.ready_min_angle_deg or self._top_torso is None:
            return False
        return abs(f.torso_from_vertical_deg - self._top_torso) <= OWN_TORSO_DEG

    def _act_unsettle(self, f: Features, ev: list[Event], prev: Phase) -> None:
        cue = self.defn.cues["jump"] if self._is_airborne(f) else self.defn.cues["moved"]
        self._to_getting_ready(f.t_s, ev, cue)

    def _begin(self, start_s: float) -> None:
        self._held.clear()
        self._samples = []
        self._start_s = start_s
        self._peak = self._p
        self._peak_s = self._t or start_s
        self._turn_s = None
        self._trough = self._p
        self._trough_s = self._t or start_s
        self._depth_ok = False
        self._flags = set()
        self._up_peak = 0.0

    def _act_begin(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._begin(self._t_low if self._t_low is not None else f.t_s)
        self._samples.append(Sample(self._p, f))

    def _act_reach_depth(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._depth_ok = True

    def _act_turn(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._turn_s = f.t_s
        self._trough, self._trough_s = self._p, f.t_s

    def _act_sink(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._turn_s = None  # the way up starts at the next turn

    def _act_finish(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._emit_attempt(f.t_s, None, ev)
        self._t_low = f.t_s
        if self.phase is Phase.GETTING_READY:
            self._to_getting_ready(f.t_s, ev, self.defn.cues["jump"])

    def _act_hold(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._hold_s = f.t_s

    def _act_finish_jump(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._flags.add("jump")
        self._emit_attempt(self._hold_s, None, ev)
        self._to_getting_ready(f.t_s, ev, self.defn.cues["jump"])

    def _act_finish_held(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._emit_attempt(self._hold_s, None, ev)
        self._t_low = f.t_s

    def _act_finish_held_and_begin(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._emit_attempt(self._hold_s, None, ev)
        self._begin(self._hold_s)
        self._samples.append(Sample(self._p, f))

    def _act_finish_without_lockout(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._emit_attempt(self._trough_s, "no_lockout", ev)
        self._begin(self._trough_s)
        self._samples.append(Sample(self._p, f))

    def _act_abort_moved(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._flags.add("moved")
        self._emit_attempt(f.t_s, "moved", ev)
        self._to_getting_ready(f.t_s, ev, self.defn.cues["moved"])

    def _act_abort_overtime(self, f: Features, ev: list[Event], prev: Phase) -> None:
        self._emit_attempt(f.t_s, "too_slow", ev)
        self._to_getting_ready(f.t_s, ev, self.defn.cues["too_slow"])

    def _abort(self, t: float, reason: str, ev: list[Event]) -> None:
        if self.phase is Phase.LOCKOUT:  # the rep was finished; only the jump check was pending
            self._emit_attempt(self._hold_s, None, ev)
            self.phase = Phase.GETTING_READY
        elif self.phase in IN_ATTEMPT:
            self._emit_attempt(t, reason, ev)
            self.phase = Phase.GETTING_READY

    # ------------------------------------------------------------------ judging an attempt

    def _emit_attempt(self, end_s: float, forced: str | None, ev: list[Event]) -> None:
        """Judge the attempt that ends at ``end_s``; ``forced`` is why it ended early, if it did."""
        cal = self.cal
        samples = self._samples
        self._samples = []
        if cal is None or not samples:
            return
        reason: str | None
        if "jump" in self._flags:
            reason = "jump"
        elif "moved" in self._flags or forced == "moved":
            reason = "moved"
        elif forced in ("lost_tracking", "too_slow"):
            reason = forced
        elif not self._depth_ok:
            reason = "not_deep_enough"
        elif forced is not None:
            reason = forced  # "no_lockout", "incomplete"
        elif end_s - self._start_s < self.defn.min_rep_s:
            reason = "too_fast"
        else:
            reason = None
        counted = reason is None
        if not counted and self._peak < self.opts.report_min_peak:
            return  # a fidget, not an attempt
        # The deepest moment: the peak of p, or, where p saturates (capped at 1.5 for deep reps),
        # the smallest main angle among the frames at that peak (within 0.02: smoothing).
        at_peak = [x for x in samples if x.p >= self._peak - 0.02]
        bottom_s = min(at_peak, key=lambda x: x.f.primary_deg).f.t_s if at_peak else self._peak_s
        metrics = measure(
            self.defn, cal, samples, start_s=self._start_s, bottom_s=bottom_s, end_s=end_s, turn_s=self._turn_s
        )
        parts = score_parts(self.defn, metrics, self._peak, counted)
        score = total_score(parts) if counted else None
        vl: float | None = None
        v = metrics.get("mean_velocity_mps")
        if counted and isinstance(v, float) and v > 0:
            self._best_v = v if self._best_v is None else max(self._best_v, v)
            vl = round(100.0 * (self._best_v - v) / self._best_v, 1)
            self._last_vl = vl
        metrics["velocity_loss_pct"] = vl
        if counted:
            self._count += 1
        else:
            self._reasons[reason or "?"] += 1
        cues = self._coach.cues_for(end_s, counted, reason, parts, vl)
        rep = RepEvent(
            t_s=end_s,
            exercise=self.defn.name,
            counted=counted,
            reason=reason,
            count=self._count,
            metrics=metrics,
            score=score,
            score_parts=parts,
            cues=cues,
            start_s=self._start_s,
            bottom_s=bottom_s,
        )
        self._reps.append(rep)
        self._last_rep = rep
        ev.append(rep)
        if counted:
            if self._paused:
                self._paused = False
                ev.append(StatusEvent(end_s, "counting", cues[0].text if cues else None))
            self._cue = cues[0] if cues else None
        else:
            self._set_paused(end_s, cues[0] if cues else Cue(reason or "?", reason or "", "corrective"), ev)


def _is_still(window: deque[Features], *, upright: bool = True) -> bool:
    """Standing still, judged on trends and spreads that tracker jitter does not fake:

    - the main angle's 20-80 % spread within 15 degrees (gait swings the mean of both knees by
      20-45 degrees; squat_side_slow starts bending 0.1 s into the clip, 10 degrees by 0.4 s);
    - the person's size in the image changing by at most 6 % from the first to the last third of
      the window (walking toward the camera grows it, even when the feet hardly move in the image;
      upright exercises only: nobody walks in a plank, and the shoulder-to-wrist height seen
      head-on is short and jittery);
    - the hips moving by at most 15 % of the person's height in the image between those thirds
      (walking across at 0.5 m/s moves them 25 % in 0.4 s; sitting back into a squat moved them 8 %).
    """
    n = len(window)
    if n < 2:
        return True
    frames = list(window)
    k = max(1, n // 3)
    first, last = frames[:k], frames[-k:]
    angles = sorted(f.primary_deg for f in frames)
    spread = angles[int(0.8 * (n - 1))] - angles[int(0.2 * (n - 1))] if n >= 5 else angles[-1] - angles[0]
    h = statistics.median(f.height_px for f in frames)
    size_change = abs(statistics.median(f.height_px for f in last) - statistics.median(f.height_px for f in first))
    dx = statistics.median(f.moving_xy_px[0] for f in last) - statistics.median(f.moving_xy_px[0] for f in first)
    dy = statistics.median(f.moving_xy_px[1] for f in last) - statistics.median(f.moving_xy_px[1] for f in first)
    return spread <= 15.0 and (not upright or size_change <= 0.06 * h) and math.hypot(dx, dy) <= 0.15 * h


def _both_sides_bend(window: deque[Features], f: Features) -> bool:
    """Left and right main angles both at least 5 degrees below their median in the window."""
    lefts = [x.primary_left_deg for x in window if x.primary_left_deg is not None]
    rights = [x.primary_right_deg for x in window if x.primary_right_deg is not None]
    if not lefts or not rights or f.primary_left_deg is None or f.primary_right_deg is None:
        return False
    return (
        statistics.median(lefts) - f.primary_left_deg >= 5.0 and statistics.median(rights) - f.primary_right_deg >= 5.0
    )


@dataclass(frozen=True, slots=True)
class _Planted:
    """Where the planted points were: their mean, each side's mean, each foot's lowest point."""

    xy_px: tuple[float, float]
    sides_px: tuple[tuple[float, float], tuple[float, float]] | None
    feet_low_y_px: tuple[float, float]

    @staticmethod
    def of(f: Features) -> _Planted:
        return _Planted(f.planted_xy_px, f.planted_sides_px, f.feet_low_y_px)


def _follow_planted(ref: _Planted, f: Features, a: float) -> _Planted:
    """``ref`` moved the share ``a`` of the way to where this frame's planted points are."""

    def toward(old: tuple[float, float], new: tuple[float, float]) -> tuple[float, float]:
        return old[0] + a * (new[0] - old[0]), old[1] + a * (new[1] - old[1])

    sides = ref.sides_px
    if sides is not None and f.planted_sides_px is not None:
        sides = (toward(sides[0], f.planted_sides_px[0]), toward(sides[1], f.planted_sides_px[1]))
    return _Planted(toward(ref.xy_px, f.planted_xy_px), sides, toward(ref.feet_low_y_px, f.feet_low_y_px))


def planted_shift_px(defn: ExerciseDefinition, f: Features, ref: _Planted) -> float:
    """How far the planted points moved from ``ref`` in the image, counting only what a step (a
    hand walked) does, not what the view does."""
    dx = f.planted_xy_px[0] - ref.xy_px[0]
    dy = f.planted_xy_px[1] - ref.xy_px[1]
    if defn.posture == "horizontal" and ref.sides_px is not None and f.planted_sides_px is not None:
        # The body moves on its hands only by moving both (walking the hands, getting up); one
        # wrist alone reading far from its place is the tracker snapping one arm onto the other
        # (head-on in a dark gym, pushup_front_dumbbells_portrait_dark 5.3-6.3 s and 9.1-10.1 s:
        # the left wrist jumps 150-250 px in a frame and back, the right stays put). So the hand
        # that moved least speaks for the plank.
        return min(
            math.hypot(now[0] - then[0], now[1] - then[1]) for now, then in zip(f.planted_sides_px, ref.sides_px, strict=True)
        )
    if defn.flight_rise is not None:
        # Both feet shifting up or down the image together is the view (a zoom, a tilted phone)
        # or the landmarks riding up at the bottom of a squat (6-9 % of hip height head-on, up
        # to 25 % seen from above), not walking: steps move one foot at a time. What both
        # feet share is not a move; one foot stepping or lifting still is.
        dy -= _shared(f.feet_low_y_px[0] - ref.feet_low_y_px[0], f.feet_low_y_px[1] - ref.feet_low_y_px[1])
        if ref.sides_px is not None and f.planted_sides_px is not None:
            # Sideways too: a camera panning or zooming moves both feet, a step one at a time
            # (mid-step one foot is a step length from where it stood, the other has not moved).
            dx -= _shared(f.planted_sides_px[0][0] - ref.sides_px[0][0], f.planted_sides_px[1][0] - ref.sides_px[1][0])
    return math.hypot(dx, dy)


def _shared(a: float, b: float) -> float:
    """What two displacements along one axis have in common: the smaller one when both go the same
    way, else nothing."""
    if a * b <= 0:
        return 0.0
    return a if abs(a) < abs(b) else b


def _fatigue_label(vl: float | None) -> str | None:
    if vl is None:
        return None
    return "stop" if vl >= 30.0 else "warn" if vl >= 20.0 else "ok"


def _stability(counted: list[RepEvent]) -> int | None:
    """Form stability across the set, 0-100: 100 minus the mean spread (SD) of the score parts."""
    if len(counted) < 3:
        return None
    keys = sorted({k for r in counted for k in r.score_parts})
    sds = []
    for k in keys:
        vals = [r.score_parts[k] for r in counted if k in r.score_parts]
        if len(vals) >= 3:
            sds.append(statistics.pstdev(vals))
    if not sds:
        return None
    return max(0, min(100, round(100 - sum(sds) / len(sds))))


__all__ = ["EngineOptions", "RepDetector", "RepEngineEvent", "classify_view"]
