"""Punch events: what the detector reports and the game scores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Hand = Literal["left", "right"]
PunchKind = Literal["jab", "cross", "hook", "uppercut"]
KINDS: tuple[PunchKind, ...] = ("jab", "cross", "hook", "uppercut")
HANDS: tuple[Hand, ...] = ("left", "right")


@dataclass(frozen=True, slots=True)
class PunchEvent:
    """One punch, reported at its peak extension.

    - ``t_s``: time of peak extension (seconds on the stream's clock).
    - ``lead``: thrown with the lead hand (left for an orthodox stance).
    - ``kind``: jab and cross are the lead and rear straight punches.
    - ``speed_mps``: peak wrist speed relative to the hips, from BlazePose's world landmarks (metres
      on its body model, which reads a little small: treat it as a relative measure of power).
    - ``extension``: straightness of the arm at the peak, |wrist - shoulder| / (upper arm +
      forearm), 1.0 = fully locked out.
    - ``complete``: False for a punch thrown only part of the way (a feint, a half-hearted jab).
    - ``onset_s``: when the hand left the guard; ``detected_s``: the frame that confirmed the peak
      (the earliest moment a game can react).
    - ``kind_source``: "rules" or "model", whichever classifier named the kind.
    """

    t_s: float
    hand: Hand
    lead: bool
    kind: PunchKind
    speed_mps: float
    extension: float
    complete: bool
    onset_s: float
    detected_s: float
    kind_source: str = "rules"
    confidence: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "punch",
            "t": round(self.t_s, 3),
            "hand": self.hand,
            "lead": self.lead,
            "kind": self.kind,
            "speed_mps": round(self.speed_mps, 2),
            "extension": round(self.extension, 3),
            "complete": self.complete,
            "onset": round(self.onset_s, 3),
            "kind_source": self.kind_source,
        }
