"""One input module: keyboard, mouse and pose gestures become the same game actions.

Scenes never look at pygame events. They receive :class:`InputEvent` objects carrying an
:class:`Action` (and a screen position for pointer actions), whatever produced them:

- keyboard: arrows/WASD move, Enter/Space select, Esc/Backspace back, P pause, F3 overlay,
  C camera image, F12 screenshot, +/- volume;
- mouse: moving points (hover), a left click selects what is under the pointer;
- pose: a hand held still over a button for :data:`DWELL_MS` selects it (:class:`HoverSelect`),
  so a player standing two metres away never has to walk to the keyboard.

:func:`translate` is the only pygame adapter here; :class:`HoverSelect` is pure (time is passed in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from game.pose.types import LM


class Action(Enum):
    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    SELECT = "select"
    BACK = "back"
    PAUSE = "pause"
    POINT = "point"  # pointer moved (mouse or hand): pos is set
    CLICK = "click"  # select whatever is under pos
    TOGGLE_OVERLAY = "toggle_overlay"
    TOGGLE_CAMERA = "toggle_camera"
    SCREENSHOT = "screenshot"
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    TEXT = "text"  # typed characters (text is set): challenge codes, names
    QUIT = "quit"


@dataclass(frozen=True, slots=True)
class InputEvent:
    action: Action
    pos: tuple[int, int] | None = None
    source: str = "keyboard"  # "keyboard" | "mouse" | "pose" | "script"
    text: str = ""


def _keymap() -> dict[int, Action]:
    import pygame  # noqa: PLC0415 - adapter function: the pure input core imports no pygame

    k = pygame
    return {
        k.K_UP: Action.UP, k.K_w: Action.UP,
        k.K_DOWN: Action.DOWN, k.K_s: Action.DOWN,
        k.K_LEFT: Action.LEFT, k.K_a: Action.LEFT,
        k.K_RIGHT: Action.RIGHT, k.K_d: Action.RIGHT,
        k.K_RETURN: Action.SELECT, k.K_KP_ENTER: Action.SELECT, k.K_SPACE: Action.SELECT,
        k.K_ESCAPE: Action.BACK, k.K_BACKSPACE: Action.BACK,
        k.K_p: Action.PAUSE,
        k.K_F3: Action.TOGGLE_OVERLAY, k.K_TAB: Action.TOGGLE_OVERLAY,
        k.K_c: Action.TOGGLE_CAMERA,
        k.K_F12: Action.SCREENSHOT,
        k.K_PLUS: Action.VOLUME_UP, k.K_EQUALS: Action.VOLUME_UP, k.K_KP_PLUS: Action.VOLUME_UP,
        k.K_MINUS: Action.VOLUME_DOWN, k.K_KP_MINUS: Action.VOLUME_DOWN,
    }


_KEYMAP: dict[int, Action] | None = None


def translate(event: Any) -> list[InputEvent]:
    """Map one pygame event to game actions (an empty list for events the game ignores)."""
    import pygame  # noqa: PLC0415 - adapter function: the pure input core imports no pygame

    global _KEYMAP
    if _KEYMAP is None:
        _KEYMAP = _keymap()
    if event.type == pygame.QUIT:
        return [InputEvent(Action.QUIT, source="window")]
    if event.type == pygame.KEYDOWN:
        action = _KEYMAP.get(event.key)
        if event.key == pygame.K_q and (event.mod & pygame.KMOD_CTRL):
            action = Action.QUIT
        return [InputEvent(action)] if action else []
    if event.type == pygame.TEXTINPUT:
        return [InputEvent(Action.TEXT, text=str(event.text))]
    if event.type == pygame.MOUSEMOTION:
        return [InputEvent(Action.POINT, pos=tuple(event.pos), source="mouse")]
    if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
        return [InputEvent(Action.CLICK, pos=tuple(event.pos), source="mouse")]
    if event.type == pygame.MOUSEBUTTONDOWN and event.button == 3:
        return [InputEvent(Action.BACK, source="mouse")]
    return []


# A hand must rest over a button this long to press it: long enough that sweeping an arm across
# the menu presses nothing, short enough not to tire a raised arm (0.8-1.2 s is the range dwell
# interfaces commonly use; 1 s tested comfortable at 2 m).
DWELL_MS = 1000.0
# Leaving the button for less than this keeps the progress (pose jitter at the button's edge).
GRACE_MS = 250.0


@dataclass
class HoverSelect:
    """Pose-gesture selection: hold a hand over a target to press it.

    ``update(points, targets, t_ms)`` takes hand positions (screen pixels) and the pressable
    targets (id -> (x, y, w, h)) and returns the id pressed at this instant, or None.
    ``hover_id`` and ``progress`` (0..1) are for drawing the filling ring.
    """

    dwell_ms: float = DWELL_MS
    grace_ms: float = GRACE_MS
    hover_id: str | None = None
    since_ms: float = 0.0
    last_seen_ms: float = 0.0
    progress: float = 0.0
    _fired: set[str] = field(default_factory=set)

    def update(self, points: list[tuple[float, float]],
               targets: dict[str, tuple[float, float, float, float]], t_ms: float) -> str | None:
        over: str | None = None
        for tid, (x, y, w, h) in targets.items():
            if any(x <= px <= x + w and y <= py <= y + h for px, py in points):
                over = tid
                break
        if over is None:
            if self.hover_id is not None and t_ms - self.last_seen_ms > self.grace_ms:
                self._reset()
            elif self.hover_id is not None:
                self.progress = min(1.0, (t_ms - self.since_ms) / self.dwell_ms)
            return None
        if over != self.hover_id:
            self.hover_id = over
            self.since_ms = t_ms
            self._fired.discard(over)
        self.last_seen_ms = t_ms
        self.progress = min(1.0, (t_ms - self.since_ms) / self.dwell_ms)
        if self.progress >= 1.0 and over not in self._fired:
            # Fires once; the hand has to leave and come back to press again.
            self._fired.add(over)
            return over
        return None

    def _reset(self) -> None:
        self.hover_id = None
        self.progress = 0.0
        self._fired.clear()

    def reset(self) -> None:
        self._reset()


def hand_pointers(landmarks_px: Any, image_size: tuple[int, int], screen_size: tuple[int, int],
                  *, mirror: bool, min_visibility: float = 0.5) -> list[tuple[float, float]]:
    """Screen positions of the player's raised hands, for pointing at buttons.

    A fixed-size image mapping would leave the screen edges out of reach for a player standing
    2-3 m away, so (like Kinect's "physical interaction zone") a box around the player's
    shoulders, scaled to their arm length, maps onto the whole screen. Only hands above the
    hips point: arms hanging at rest press nothing.
    """
    if landmarks_px is None:
        return []
    lm = landmarks_px
    if min(lm[LM.LEFT_SHOULDER, 3], lm[LM.RIGHT_SHOULDER, 3]) < min_visibility:
        return []
    sh = (lm[LM.LEFT_SHOULDER, :2] + lm[LM.RIGHT_SHOULDER, :2]) / 2
    hip_y = float((lm[LM.LEFT_HIP, 1] + lm[LM.RIGHT_HIP, 1]) / 2)
    arm = float(np.linalg.norm(lm[LM.LEFT_SHOULDER, :2] - lm[LM.LEFT_ELBOW, :2]) +
                np.linalg.norm(lm[LM.LEFT_ELBOW, :2] - lm[LM.LEFT_WRIST, :2]))
    arm = max(arm, 0.12 * image_size[1])
    out = []
    sw, sh_px = screen_size
    for wrist in (LM.LEFT_WRIST, LM.RIGHT_WRIST):
        if lm[wrist, 3] < min_visibility or lm[wrist, 1] > hip_y:
            continue
        dx = (lm[wrist, 0] - sh[0]) / arm  # -1.1 .. 1.1 across the reach
        dy = (lm[wrist, 1] - sh[1]) / arm  # -1 (overhead) .. 0.6 (below chest)
        if mirror:
            dx = -dx
        x = (dx + 1.1) / 2.2 * sw
        y = (dy + 0.9) / 1.5 * sh_px
        out.append((float(min(max(x, 0), sw - 1)), float(min(max(y, 0), sh_px - 1))))
    return out


# Both hands held above the head this long pauses a session: deliberate, and never part of a
# squat, a lunge or a punch (an uppercut ends at the chin).
PAUSE_HOLD_MS = 1200.0


@dataclass
class PauseGesture:
    """Pure: ``update(landmarks_px, t_ms)`` returns True once when both wrists have been above
    the head (by a fifth of the torso length) for :data:`PAUSE_HOLD_MS`."""

    hold_ms: float = PAUSE_HOLD_MS
    since_ms: float | None = None
    fired: bool = False

    def update(self, landmarks_px: Any, t_ms: float, min_visibility: float = 0.5) -> bool:
        raised = False
        if landmarks_px is not None:
            lm = landmarks_px
            ids = (LM.LEFT_WRIST, LM.RIGHT_WRIST, LM.NOSE, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER,
                   LM.LEFT_HIP, LM.RIGHT_HIP)
            if min(lm[i, 3] for i in ids) >= min_visibility:
                sh_y = (lm[LM.LEFT_SHOULDER, 1] + lm[LM.RIGHT_SHOULDER, 1]) / 2
                hip_y = (lm[LM.LEFT_HIP, 1] + lm[LM.RIGHT_HIP, 1]) / 2
                margin = 0.2 * abs(hip_y - sh_y)
                top = lm[LM.NOSE, 1] - margin
                raised = lm[LM.LEFT_WRIST, 1] < top and lm[LM.RIGHT_WRIST, 1] < top
        if not raised:
            self.since_ms = None
            self.fired = False
            return False
        if self.since_ms is None:
            self.since_ms = t_ms
        if not self.fired and t_ms - self.since_ms >= self.hold_ms:
            self.fired = True  # once per raise
            return True
        return False


# A player gone this long has left (stepped away, sat down), not been lost for a few frames by
# the pose model, which drops a person for well under a second in a cluttered room.
AWAY_PAUSE_MS = 3000.0


@dataclass
class AwayWatch:
    """Pure: ``update(landmarks_px, t_ms)`` returns True once when a player who was in view has
    been out of it for :data:`AWAY_PAUSE_MS`; seeing them again re-arms it."""

    away_ms: float = AWAY_PAUSE_MS
    has_seen: bool = False
    since_ms: float | None = None
    fired: bool = False

    def update(self, landmarks_px: Any, t_ms: float) -> bool:
        if landmarks_px is not None:
            self.has_seen = True
            self.since_ms = None
            self.fired = False
            return False
        if not self.has_seen:
            return False
        if self.since_ms is None:
            self.since_ms = t_ms
        if not self.fired and t_ms - self.since_ms >= self.away_ms:
            self.fired = True
            return True
        return False
