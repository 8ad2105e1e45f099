"""Who is who: stable identities for the people the pose backend finds, frame after frame.

The backend reports every person in a frame in no particular order. ``PoseTracker`` gives each a
lasting ``person_id`` and a screen slot (``"left"`` / ``"right"``, chosen when the person first
appears and kept), and marks one of them as the player: the first person seen (when two appear
together, the larger, i.e. nearer, one). Pure: time is an argument, no clock, no randomness.

How detections are matched to people (all distances in *body scales*, so the same thresholds work
for a child far away and an adult close up, at any resolution):

- body scale = torso length in pixels (shoulder midpoint to hip midpoint, the most stable segment
  BlazePose reports in every view), or a third of the visible skeleton's bounding-box diagonal
  when the torso is not visible;
- people seen within the last ``coast_ms`` are predicted forward at their own (smoothed) velocity,
  so two people whose paths cross keep going their own way; the cost of a detection for such a
  person is the distance from the prediction plus the change of body scale (|ln ratio|) plus the
  change of posture (mean landmark offset from the body centre), plus a preference for whoever
  was seen most recently (where paths cross, the hidden person's prediction lies exactly on the
  one in front, whom the camera kept seeing); detections are assigned by minimum total cost
  (Hungarian method, ``scipy.optimize.linear_sum_assignment``) among pairs within a gate of
  ``gate_base`` + ``max_speed`` x elapsed time body scales of the prediction;
- a detection left over goes to a person out of view for over ``coast_ms`` (left the frame,
  hidden behind the other): with one such person it is them; with two, the one whose body scale
  and last place match best. Only when fewer than ``max_people`` identities exist does a new
  identity start; a detection far from someone seen moments ago is never them;
- the player's identity passes to the only person in view when the player has been gone for
  ``handover_ms`` and that person appeared after the player was last seen (never in view
  together): a cut in a video, or the player back where re-identification could not tie them.

Each assignment carries a confidence in (0, 1]: ``exp(-cost)`` for a continued track, scaled
down by how close the second-best explanation was (a swap that costs nearly the same is a guess).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from game.pose.types import LM, FloatArray

SLOTS = ("left", "right")


@dataclass(frozen=True, slots=True)
class TrackerOptions:
    max_people: int = 2
    # A person unseen for longer than this is "out of view": no motion prediction, and a detection
    # comes back to them only through re-identification (1/3 s: a webcam-rate occlusion).
    coast_ms: float = 333.0
    # How far (body scales) a person still in view may be from where they were predicted:
    # gate_base for landmark noise and posture changes that move the torso centre, plus
    # max_speed body scales per second of elapsed time. 5 torso lengths/s is about 2.5 m/s for an
    # adult torso of ~0.5 m, above a boxer's duck or a lunge step; at 30 fps the gate is 0.67 torso
    # lengths, so the model jumping to the other person (a torso or more away) is not a match.
    gate_base: float = 0.5
    max_speed: float = 5.0
    # Weights of the cost terms: position dominates; posture and size break ties when two people
    # are side by side or overlap.
    w_shape: float = 0.5
    w_scale: float = 1.0
    # Preference (per coast_ms unseen) for the person seen most recently when two explanations
    # cost about the same: where paths cross, the one hidden behind has a prediction exactly where
    # the one in front is; the one in front is the one the camera kept seeing.
    w_unseen: float = 1.0
    visibility: float = 0.5
    # The player's identity passes to the only person in view when the player has been gone this
    # long and the two were never in view together (a jump cut in a video; the player back in a
    # place re-identification could not tie to them). Longer than the model's brief switches to
    # another person (0.6 s on the father-and-child clip, both later in view together), short
    # enough that counting stops only briefly.
    handover_ms: float = 1000.0
    # Velocity smoothing (exponential, per frame) and the longest extrapolation.
    velocity_alpha: float = 0.5
    max_predict_ms: float = 500.0


@dataclass(frozen=True, slots=True)
class Assignment:
    """One detection of this frame, given an identity."""

    detection: int  # index into the detections passed to update()
    person_id: int
    slot: str
    is_player: bool
    confidence: float


@dataclass(slots=True)
class _Track:
    person_id: int
    slot: str
    centre: FloatArray  # (2,) px
    offsets: FloatArray  # (33, 2) landmark offsets from the centre, in body scales
    seen: np.ndarray  # (33,) bool
    scale_px: float
    t_ms: float
    velocity: FloatArray  # (2,) px per ms
    born_ms: float = 0.0


def body_scale_px(landmarks: FloatArray, visibility: float = 0.5) -> float:
    """Torso length in pixels (mean of the visible shoulder-to-hip sides, or of the midpoints),
    or a third of the visible skeleton's bounding-box diagonal when no torso side is visible."""
    lm = np.asarray(landmarks, dtype=np.float64)
    vis = lm[:, 3] >= visibility
    sides = [float(np.linalg.norm(lm[s, :2] - lm[h, :2]))
             for s, h in ((LM.LEFT_SHOULDER, LM.LEFT_HIP), (LM.RIGHT_SHOULDER, LM.RIGHT_HIP))
             if vis[s] and vis[h]]
    if sides:
        return max(max(sides), 1.0)
    pts = lm[vis, :2] if vis.sum() >= 2 else lm[:, :2]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2:
        return 1.0
    return max(float(np.linalg.norm(pts.max(axis=0) - pts.min(axis=0))) / 3.0, 1.0)


def torso_centre(landmarks: FloatArray, visibility: float = 0.5) -> FloatArray:
    """The mean of the visible torso corners (px), or of the visible landmarks without them."""
    torso = [LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP]
    lm = landmarks
    vis = lm[torso, 3] >= visibility
    pts = lm[torso][vis, :2] if vis.any() else lm[lm[:, 3] >= visibility, :2]
    if len(pts) == 0:
        pts = lm[:, :2]
    pts = pts[np.isfinite(pts).all(axis=1)]
    return pts.mean(axis=0) if len(pts) else np.zeros(2)


@dataclass(frozen=True, slots=True)
class _Obs:
    centre: FloatArray
    offsets: FloatArray
    seen: np.ndarray
    scale_px: float


def _observe(landmarks: FloatArray, visibility: float) -> _Obs:
    lm = np.asarray(landmarks, dtype=np.float64)
    scale = body_scale_px(lm, visibility)
    centre = torso_centre(lm, visibility)
    seen = (lm[:, 3] >= visibility) & np.isfinite(lm[:, :2]).all(axis=1)
    offsets = np.where(seen[:, None], (lm[:, :2] - centre) / scale, 0.0)
    return _Obs(centre, offsets, seen, scale)


class PoseTracker:
    """Stable identities over time. Feed every frame's detections (even none) in time order."""

    def __init__(self, options: TrackerOptions = TrackerOptions()) -> None:
        self.options = options
        self._tracks: list[_Track] = []
        self._next_id = 1
        self.player_id: int | None = None

    @property
    def people(self) -> int:
        """How many identities exist (seen at least once)."""
        return len(self._tracks)

    def choose_player(self, person_id: int) -> None:
        """Make another tracked person the player (e.g. whoever raised a hand at the start)."""
        if not any(t.person_id == person_id for t in self._tracks):
            raise ValueError(f"no tracked person {person_id}")
        self.player_id = person_id

    def reset(self) -> None:
        self._tracks.clear()
        self._next_id = 1
        self.player_id = None

    def _cost(self, tr: _Track, ob: _Obs, t_ms: float) -> tuple[float, bool]:
        """(matching cost, within the gate) of this detection continuing this person."""
        o = self.options
        dt = min(max(t_ms - tr.t_ms, 0.0), o.max_predict_ms)
        predicted = tr.centre + tr.velocity * dt
        scale = math.sqrt(tr.scale_px * ob.scale_px)
        position = float(np.linalg.norm(ob.centre - predicted)) / scale
        both = tr.seen & ob.seen
        shape = (float(np.linalg.norm(ob.offsets[both] - tr.offsets[both], axis=1).mean())
                 if both.sum() >= 4 else 1.0)
        size = abs(math.log(ob.scale_px / tr.scale_px))
        unseen = o.w_unseen * (t_ms - tr.t_ms) / o.coast_ms
        gate = o.gate_base + o.max_speed * min(max(t_ms - tr.t_ms, 0.0), o.coast_ms) / 1000.0
        return position + o.w_shape * shape + o.w_scale * size + unseen, position <= gate

    def _hand_over(self, owner: dict[int, _Track], t_ms: float) -> None:
        """The player's identity passes to the only person in view when the player has been gone
        for ``handover_ms`` and that person first appeared after the player was last seen (so the
        two were never in view together): a jump cut, or the player walking out and back in
        somewhere the re-identification could not tie to them. Someone ever seen together with
        the player never takes over."""
        player = next((tr for tr in self._tracks if tr.person_id == self.player_id), None)
        if player is None or t_ms - player.t_ms <= self.options.handover_ms or len(owner) != 1:
            return
        (heir,) = owner.values()
        if heir is player or heir.born_ms <= player.t_ms:
            return
        self._tracks.remove(player)
        heir.person_id, heir.slot = player.person_id, player.slot

    def _reid_cost(self, tr: _Track, ob: _Obs, width_px: float) -> float:
        # Out of view for a while: where they were and how big they looked, nothing finer.
        side = abs(float(ob.centre[0] - tr.centre[0])) / max(width_px, 1.0)
        return side + abs(math.log(ob.scale_px / tr.scale_px))

    def update(self, detections: Sequence[FloatArray], t_ms: float,
               image_size: tuple[int, int], *, cut: bool = False) -> list[Assignment]:
        """Assign this frame's detections (each (33, 4): x, y px, z, visibility) to people.

        ``cut``: the picture changed as a whole since the last frame (a cut in an edited video):
        nobody's place or motion carries over, so everyone is re-identified as if they had been
        out of view.

        Returns one :class:`Assignment` per detection that got an identity (at most
        ``max_people``; extra people beyond that are left out), in detection order.
        """
        from scipy.optimize import linear_sum_assignment  # noqa: PLC0415 - lazy: SciPy's optimiser (0.6 s CPU to import) only with several people in view

        o = self.options
        obs = [_observe(d, o.visibility) for d in detections]
        conf: dict[int, float] = {}
        owner: dict[int, _Track] = {}

        # 1. People still in view: minimum-cost assignment among the pairs within the gate.
        recent = [] if cut else [tr for tr in self._tracks if t_ms - tr.t_ms <= o.coast_ms]
        if recent and obs:
            pairs = [[self._cost(tr, ob, t_ms) for ob in obs] for tr in recent]
            cost = np.array([[c for c, _ in row] for row in pairs])
            ok = np.array([[g for _, g in row] for row in pairs])
            rows, cols = linear_sum_assignment(np.where(ok, cost, 1e6))
            for r, c in zip(rows, cols):
                if not ok[r, c]:
                    continue
                owner[int(c)] = recent[r]
                # The runner-up: the same detection explained by another person, or this person
                # by another detection. Near-equal costs mean an uncertain call.
                others = np.concatenate([np.delete(cost[:, c], r), np.delete(cost[r, :], c)])
                margin = 1.0 if others.size == 0 else float(
                    min(1.0, (others.min() - cost[r, c]) / max(others.min(), 1e-6)))
                conf[int(c)] = float(math.exp(-cost[r, c])) * max(margin, 0.05)

        # 2. Left-over detections: people out of view come back before anyone new is created.
        # Someone unseen for less than coast_ms who did not match is not "away" yet: a detection far
        # from them is someone else (or the model jumping to someone else), never them.
        free = [i for i in range(len(obs)) if i not in owner]
        away = [tr for tr in self._tracks if cut or t_ms - tr.t_ms > o.coast_ms]
        if free and away:
            cost = np.array([[self._reid_cost(tr, obs[i], image_size[0]) for i in free] for tr in away])
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols):
                i = free[c]
                owner[i] = away[r]
                if len(away) == 1:
                    conf[i] = 0.5
                else:
                    alt = float(np.delete(cost[:, c], r).min())
                    conf[i] = 0.5 * min(1.0, max((alt - cost[r, c]) / max(alt, 1e-6), 0.05))
            free = [i for i in free if i not in owner]

        # 3. New people, while identities are left: slot by side of the image, leftmost first.
        new: list[int] = []
        for i in sorted(free, key=lambda i: float(obs[i].centre[0])):
            if len(self._tracks) >= o.max_people:
                break
            taken = {tr.slot for tr in self._tracks}
            preferred = SLOTS[0] if obs[i].centre[0] < image_size[0] / 2 else SLOTS[1]
            slot = preferred if preferred not in taken else next(
                (s for s in SLOTS if s not in taken), f"p{self._next_id}")
            tr = _Track(self._next_id, slot, obs[i].centre, obs[i].offsets, obs[i].seen,
                        obs[i].scale_px, t_ms, np.zeros(2), born_ms=t_ms)
            self._next_id += 1
            self._tracks.append(tr)
            owner[i] = tr
            conf[i] = 1.0
            new.append(i)
        if self.player_id is None and new:
            first = max(new, key=lambda i: obs[i].scale_px)
            self.player_id = owner[first].person_id

        # 4. Update the people seen in this frame.
        for i, tr in owner.items():
            ob = obs[i]
            dt = t_ms - tr.t_ms
            if 0 < dt <= o.coast_ms and i not in new:
                v = (ob.centre - tr.centre) / dt
                tr.velocity = o.velocity_alpha * v + (1 - o.velocity_alpha) * tr.velocity
            elif i not in new or cut:
                tr.velocity = np.zeros(2)
            tr.centre, tr.offsets, tr.seen, tr.t_ms = ob.centre, ob.offsets, ob.seen, t_ms
            tr.scale_px = ob.scale_px
        self._hand_over(owner, t_ms)
        return [Assignment(i, tr.person_id, tr.slot, tr.person_id == self.player_id, conf[i])
                for i, tr in sorted(owner.items())]
