"""The One Euro filter (Casiez, Roussel & Vogel, CHI 2012): little lag when moving, smooth when still.

Timestamped (``filter(x, t_s)``), so a replayed recording filters to the same values bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class OneEuro:
    min_cutoff_hz: float = 1.0
    beta: float = 1.0
    d_cutoff_hz: float = 1.0
    _x: float | None = None
    _dx: float = 0.0
    _t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: float, dt: float) -> float:
        tau = 1.0 / (2.0 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt)

    def reset(self) -> None:
        self._x = None
        self._t = None
        self._dx = 0.0

    def filter(self, x: float, t_s: float) -> float:
        if self._x is None or self._t is None or t_s <= self._t:
            self._x, self._t, self._dx = x, t_s, 0.0
            return x
        dt = t_s - self._t
        dx = (x - self._x) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        self._dx = a_d * dx + (1.0 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = a * x + (1.0 - a) * self._x
        self._t = t_s
        return self._x
