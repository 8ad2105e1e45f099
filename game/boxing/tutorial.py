"""The first-time boxing tutorial: guard, jab, cross, hook, uppercut, slip, duck, each tried by
the player and confirmed by the same detector the game scores with before the next is shown.

Pure: ``Tutorial.update(frame)`` takes PoseFrames (time is their ``timestamp_ms``) and returns
events; ``view()`` is a frozen snapshot for the scene. A wrong try gets a hint that says what to
do instead; ``skip()`` moves on when the camera cannot see a move (the player is never stuck).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from game.boxing import make_punch_detector
from game.boxing.detector import PunchSource
from game.boxing.events import PunchEvent
from game.boxing.rules import FAMILY, BodyCalibration
from game.calibration import BodyProfile
from game.errors import CalibrationError
from game.pose.types import LM, PoseFrame

GUARD_HOLD_S = 1.0  # guard up and steady this long
CONFIRM_PAUSE_S = 1.2  # the "Nice!" moment before the next step
# A slip moves the head sideways by half a shoulder width, a duck drops it by a quarter torso
# (the game's own dodge thresholds, game.boxing.rules), measured from where the head was in
# guard over the last DODGE_BASELINE_S.
SLIP_SHOULDERS = 0.5
DUCK_TORSOS = 0.25
DODGE_BASELINE_S = 0.8


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    instruction: str  # what to do, in words a first-timer follows
    role: str | None = None  # "lead" | "rear" | None (either hand) for punches


STEPS: tuple[Step, ...] = (
    Step("guard", "Guard", "Fists up by your chin, elbows in, and hold still"),
    Step("jab", "Jab", "Punch straight out with your front hand, then back to guard", "lead"),
    Step("cross", "Cross", "Punch straight out with your back hand, turning your hips", "rear"),
    Step("hook", "Hook", "Swing a bent arm round at head height, then back to guard"),
    Step("uppercut", "Uppercut", "Drive a fist up under an imaginary chin"),
    Step("slip", "Slip", "Keep your guard and move your head to one side, then back"),
    Step("duck", "Duck", "Keep your guard and bend your knees to drop your head, then up"),
)


@dataclass(frozen=True, slots=True)
class TutorialEvent:
    type: str  # "confirmed" | "hint" | "next" | "done"
    t_s: float
    step: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class TutorialView:
    index: int  # 0-based step
    steps: int
    step: Step
    progress: float  # 0..1 within the step (the guard hold fills up)
    is_confirmed: bool  # the step was just done: show it, then move on
    is_done: bool
    hint: str | None
    calibration: BodyCalibration | None  # the player's body, once the guard was held


class Tutorial:
    def __init__(self, *, orthodox: bool | None = None, profile: BodyProfile | None = None,
                 detector: PunchSource | None = None) -> None:
        """``profile``: the set-up scene's, when it ran: the stance (unless ``orthodox`` says
        it) and the arm length of the calibration taken at the guard step."""
        if orthodox is None:
            orthodox = profile.is_orthodox if profile is not None else True
        self.profile = profile
        if detector is None:
            detector = make_punch_detector(orthodox=orthodox)
        self.detector = detector
        self.orthodox = orthodox
        self.index = 0
        self.calibration: BodyCalibration | None = None
        self._t = 0.0
        self._guard_since: float | None = None
        self._guard_frames: deque[PoseFrame] = deque(maxlen=60)
        self._confirmed_at: float | None = None
        self._hint: str | None = None
        self._head: deque[tuple[float, float, float, bool]] = deque(maxlen=90)
        self._recent: deque[PoseFrame] = deque(maxlen=30)  # to measure the body if guard is skipped
        self.done = False

    @property
    def step(self) -> Step:
        return STEPS[min(self.index, len(STEPS) - 1)]

    def update(self, frame: PoseFrame) -> list[TutorialEvent]:
        t = frame.timestamp_ms / 1000.0
        if t < self._t or self.done:
            return []
        self._t = t
        out: list[TutorialEvent] = []
        punches = self.detector.update(frame)
        guard = self.detector.is_guard_up()
        p = frame.landmarks_px
        if p is not None:
            self._head.append((t, float(p[LM.NOSE, 0]), float(p[LM.NOSE, 1]), guard))
            self._recent.append(frame)
        if self._confirmed_at is not None:
            if t - self._confirmed_at >= CONFIRM_PAUSE_S:
                out += self._advance(t)
            return out
        key = self.step.key
        if key == "guard":
            if guard and p is not None:
                self._guard_since = t if self._guard_since is None else self._guard_since
                self._guard_frames.append(frame)
                if t - self._guard_since >= GUARD_HOLD_S:
                    try:
                        self.calibration = BodyCalibration.from_frames(
                            self._guard_frames, orthodox=self.orthodox, profile=self.profile)
                    except CalibrationError:
                        return out
                    out += self._confirm(t, "Good guard. Come back to it after every punch.")
            else:
                self._guard_since = None
            return out
        if key in ("slip", "duck"):
            moved = self._dodged(t, key)
            if moved:
                out += self._confirm(t, "Nice slip!" if key == "slip" else "Nice duck!")
            return out
        for ev in punches:
            out += self._judge_punch(ev)
            if self._confirmed_at is not None:
                break
        return out

    def skip(self) -> list[TutorialEvent]:
        """Move on without confirming (the camera cannot see this one)."""
        if self.done:
            return []
        return self._advance(self._t)

    def view(self) -> TutorialView:
        progress = 0.0
        if self._confirmed_at is not None:
            progress = 1.0
        elif self.step.key == "guard" and self._guard_since is not None:
            progress = min(1.0, (self._t - self._guard_since) / GUARD_HOLD_S)
        return TutorialView(self.index, len(STEPS), self.step, round(progress, 3),
                            self._confirmed_at is not None, self.done, self._hint,
                            self.calibration)

    # -- internals ---------------------------------------------------------------------------

    def _lead(self) -> str:
        return "left" if self.orthodox else "right"

    def _judge_punch(self, ev: PunchEvent) -> list[TutorialEvent]:
        step = self.step
        want_family = FAMILY[step.key]
        if not ev.complete:
            return [self._hint_event(ev.t_s, "Reach all the way out, then snap back to guard")]
        if FAMILY[ev.kind] != want_family:
            return [self._hint_event(ev.t_s, f"That looked like a {ev.kind}. {step.instruction}")]
        if step.role is not None:
            want = self._lead() if step.role == "lead" else ("right" if self._lead() == "left"
                                                               else "left")
            if ev.hand != want:
                return [self._hint_event(ev.t_s, f"Right punch, other hand: a {step.key} is your "
                                         f"{step.role} hand (your {want})")]
        return self._confirm(ev.t_s, f"That's a {step.key}!")

    def _dodged(self, t: float, key: str) -> bool:
        if self.calibration is None:  # the guard step was skipped: measure the body now
            try:
                self.calibration = BodyCalibration.from_frames(self._recent, orthodox=self.orthodox,
                                                               profile=self.profile)
            except CalibrationError:
                return False
        cal = self.calibration
        before = [(hx, hy) for (ht, hx, hy, g) in self._head if g and t - 1.0 - DODGE_BASELINE_S
                  <= ht < t - 0.4]
        if len(before) < 3:
            return False
        bx, by = (float(v) for v in np.median(np.array(before), axis=0))
        for (_ht, hx, hy, g) in list(self._head)[-12:]:  # the last ~0.4 s
            if not g:
                continue
            if key == "slip" and abs(hx - bx) >= SLIP_SHOULDERS * cal.shoulder_width_px:
                return True
            if key == "duck" and hy - by >= DUCK_TORSOS * cal.torso_px:
                return True
        return False

    def _hint_event(self, t: float, text: str) -> TutorialEvent:
        self._hint = text
        return TutorialEvent("hint", t, self.step.key, text)

    def _confirm(self, t: float, text: str) -> list[TutorialEvent]:
        self._confirmed_at = t
        self._hint = None
        return [TutorialEvent("confirmed", t, self.step.key, text)]

    def _advance(self, t: float) -> list[TutorialEvent]:
        self._confirmed_at = None
        self._hint = None
        self._guard_since = None
        self.index += 1
        if self.index >= len(STEPS):
            self.done = True
            self.index = len(STEPS) - 1
            return [TutorialEvent("done", t, "duck")]
        return [TutorialEvent("next", t, self.step.key)]
