"""How the detector reports punches: one physical punch, one report.

A half punch is held back and superseded by the complete report of the same punch (``HalfHold``),
in the detector, in the view fusion, and so in the round; a hidden arm's excursion is not counted
on the sighting of the next one; losing track forgets everything in flight, reported rises too.

On the real clips the state machine judged two uppercuts half at their peak (the fist still short
of the shoulder line) and the rise cue reported each complete 0.07-0.1 s later, at the fist's top
(`punch_uppercuts_front_boxinggym` 0.63 s, `punch_uppercut_cable_gym` 2.75 s): in the round the half
report took the target as a half miss and the complete one scored "wild"."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Sequence

import numpy as np

from game.boxing.detector import DetectorOptions, HalfHold, PunchDetector, _FollowThrough
from game.boxing.events import Hand, PunchEvent
from game.boxing.fusion import ViewFusedDetector
from game.boxing.kinematics import ArmSample, BodySample, sample_body
from game.boxing.rules import GameEvent
from game.pose.types import PoseFrame
from models.punch_synth import motion_clip
from tests.game.boxing.test_detector_windup import straight_arm
from tests.game.boxing.test_rules import is_punch_kind, started

HOLD_S = DetectorOptions().half_hold_s


def ev(t: float, hand: Hand = "right", *, complete: bool, kind: str = "uppercut", onset: float | None = None,
       detected: float | None = None) -> PunchEvent:
    return PunchEvent(t_s=t, hand=hand, lead=hand == "left", kind=kind, speed_mps=4.0,  # type: ignore[arg-type]
                      extension=0.8, complete=complete, onset_s=t - 0.25 if onset is None else onset,
                      detected_s=t + 0.03 if detected is None else detected)


def fed(hold: HalfHold, script: dict[int, list[PunchEvent]], frames: int = 40, fps: float = 30.0) -> list[PunchEvent]:
    out: list[PunchEvent] = []
    for i in range(frames):
        out += hold.feed(script.get(i, []), i / fps)
    return out + hold.flush(frames / fps)


def test_a_complete_report_of_the_same_hand_supersedes_the_held_half() -> None:
    half, full = ev(0.30, complete=False, detected=0.33), ev(0.37, complete=True, onset=0.1, detected=0.40)
    hold = HalfHold(HOLD_S)
    got = fed(hold, {10: [half], 12: [full]})
    assert got == [full]
    assert list(hold.superseded) == [half]


def test_a_half_punch_alone_is_reported_once_its_hold_is_over() -> None:
    half = ev(0.30, complete=False, detected=10 / 30)
    got = fed(HalfHold(HOLD_S), {10: [half]})
    assert len(got) == 1 and not got[0].complete and got[0].t_s == half.t_s
    assert abs(got[0].detected_s - (half.detected_s + HOLD_S)) <= 1 / 30 + 1e-9


def test_the_other_hand_or_a_later_punch_does_not_supersede_it() -> None:
    half = ev(0.30, "right", complete=False, detected=10 / 30)
    other = ev(0.55, "left", complete=True, kind="jab", onset=0.32, detected=17 / 30)  # started after its peak
    later = ev(1.0, "right", complete=True, detected=30 / 30)  # after the hold: a new punch
    got = fed(HalfHold(HOLD_S), {10: [half], 17: [other], 30: [later]})
    assert [(e.hand, e.complete) for e in got] == [("left", True), ("right", False), ("right", True)]


def test_the_guard_hand_carried_by_the_other_hands_punch_is_not_a_half_punch() -> None:
    """The cable uppercuts: the left guard hand, carried by the body's turn under the right
    uppercut, reads as a half jab peaking during it. Reported before or after the uppercut, it is
    dropped; a feint peaking before the other hand's punch starts (a half jab, then the cross) is
    reported."""
    upper = ev(1.52, "right", complete=True, onset=1.04, detected=1.52)
    carried = ev(1.48, "left", complete=False, kind="jab", onset=1.2, detected=1.48)
    assert fed(HalfHold(HOLD_S), {44: [carried], 46: [upper]}, frames=60) == [upper]
    late = ev(1.50, "left", complete=False, kind="jab", onset=1.3, detected=1.6)
    assert fed(HalfHold(HOLD_S), {46: [upper], 48: [late]}, frames=60) == [upper]
    feint = ev(0.9, "left", complete=False, kind="jab", onset=0.75, detected=0.93)
    cross = ev(1.3, "right", complete=True, kind="cross", onset=1.0, detected=1.33)
    got = fed(HalfHold(HOLD_S), {28: [feint], 40: [cross]}, frames=60)
    assert [(e.hand, e.complete) for e in got] == [("left", False), ("right", True)]


def test_complete_punches_are_never_delayed() -> None:
    full = ev(0.30, complete=True, detected=10 / 30)
    hold = HalfHold(HOLD_S)
    assert hold.feed([full], 10 / 30) == [full]


def test_the_end_of_the_stream_releases_a_held_half() -> None:
    hold = HalfHold(HOLD_S)
    assert hold.feed([ev(0.30, complete=False, detected=0.33)], 0.33) == []
    assert [e.t_s for e in hold.flush(0.4)] == [0.30]


def guard_frames(seconds: float = 1.5) -> list[PoseFrame]:
    """A boxer holding a guard (generated, seeded): valid arms, no punch of their own."""
    clip = motion_clip("idle", np.random.default_rng(7), yaw_deg=0.0)
    return [f for f in clip.frames if f.timestamp_ms <= seconds * 1000]


class ScriptedDetector(PunchDetector):
    """The detector's reporting path with the two punch sources scripted: the state machine reports
    ``machine`` and the rise cue ``rise`` at the frames whose time passes their ``detected_s``."""

    def __init__(self, machine: Sequence[PunchEvent], rise: Sequence[PunchEvent], options: DetectorOptions,
                 *, holds_halves: bool = True) -> None:
        super().__init__(options, holds_halves=holds_halves)
        self._machine = deque(sorted(machine, key=lambda e: e.detected_s))
        self._rise = deque(sorted(rise, key=lambda e: e.detected_s))

    def _step_hand(self, hand: Hand, s: BodySample) -> tuple[list[PunchEvent], bool]:
        if self._machine and self._machine[0].hand == hand and s.t_s >= self._machine[0].detected_s - 1e-9:
            return [self._machine.popleft()], False
        return [], False

    def _rise_uppercut(self, hand: Hand, s: BodySample, out: Sequence[PunchEvent]) -> PunchEvent | None:
        if self._rise and self._rise[0].hand == hand and s.t_s >= self._rise[0].detected_s - 1e-9:
            return self._rise.popleft()
        return None


def run(det: PunchDetector, frames: Sequence[PoseFrame]) -> list[PunchEvent]:
    out: list[PunchEvent] = []
    for f in frames:
        out += det.update_sample(sample_body(f))
    return out + det.finish()


def uppercut_seen_twice() -> tuple[PunchEvent, PunchEvent]:
    """The state machine's half uppercut at its peak, the rise cue's complete one at the top."""
    return (ev(0.63, complete=False, onset=0.45, detected=0.67),
            ev(0.73, complete=True, onset=0.40, detected=0.77))


def test_the_detector_reports_an_uppercut_seen_half_then_complete_once() -> None:
    half, full = uppercut_seen_twice()
    got = run(ScriptedDetector([half], [full], DetectorOptions()), guard_frames())
    assert [(e.t_s, e.complete) for e in got] == [(full.t_s, True)]


def test_without_the_hold_it_was_reported_twice() -> None:
    """The same script with no hold: what the detector did before (both reports)."""
    half, full = uppercut_seen_twice()
    got = run(ScriptedDetector([half], [full], DetectorOptions(), holds_halves=False), guard_frames())
    assert [e.complete for e in got] == [False, True]


def test_the_fusion_reports_a_half_then_complete_punch_once() -> None:
    """The fusion holds the half reports after choosing the channel (its channels hold nothing):
    the complete report supersedes it."""
    half, full = uppercut_seen_twice()
    fused = ViewFusedDetector()
    opts = fused.world.options
    fused.world = ScriptedDetector([half], [full], opts, holds_halves=False)
    fused.image = ScriptedDetector([], [], dataclasses.replace(opts, image_plane=True), holds_halves=False)
    got = [e for f in guard_frames() for e in fused.update(f)] + fused.finish()
    assert [(e.t_s, e.complete) for e in got] == [(full.t_s, True)]
    assert fused.summary()["half_punches"] == 0


def test_the_fusion_releases_a_held_half_when_the_person_is_lost() -> None:
    """A half punch held back, then nobody in view: it is the lost person's, released at the
    loss; the next person's complete punch of the same hand (0.2 s later) does not supersede it."""
    half = ev(0.63, complete=False, onset=0.45, detected=0.67)
    frames = guard_frames(0.7)
    step = frames[1].timestamp_ms - frames[0].timestamp_ms
    t_lost = frames[-1].timestamp_ms + step
    nobody = PoseFrame(timestamp_ms=t_lost, image_size=frames[0].image_size, landmarks_px=None)
    later = [dataclasses.replace(f, timestamp_ms=t_lost + step * (i + 1)) for i, f in enumerate(guard_frames(0.5))]
    nxt = ev(0.87, complete=True, onset=0.75, detected=t_lost / 1000.0 + 0.05)
    fused = ViewFusedDetector()
    opts = fused.world.options
    fused.world = ScriptedDetector([half], [nxt], opts, holds_halves=False)
    fused.image = ScriptedDetector([], [], dataclasses.replace(opts, image_plane=True), holds_halves=False)
    at_loss = [e for f in frames for e in fused.update(f)] + fused.update(nobody)
    assert [(e.t_s, e.complete) for e in at_loss] == [(half.t_s, False)]
    after = [e for f in later for e in fused.update(f)] + fused.finish()
    assert [(e.t_s, e.complete) for e in after] == [(nxt.t_s, True)]


def at_first_target(reports: Sequence[PunchEvent], full: PunchEvent) -> list[GameEvent]:
    """The round's events for ``reports`` moved onto its first punch target (its hand and kind,
    the complete punch on its beat)."""
    game = started()
    cue = next(c for c in game.cues if not c.is_dodge)
    assert cue.hand is not None and is_punch_kind(cue.kind)
    shift = cue.t_s - full.t_s
    return [g for e in reports for g in game.feed_punch(dataclasses.replace(
        e, hand=cue.hand, kind=cue.kind, t_s=e.t_s + shift, onset_s=e.onset_s + shift, detected_s=e.detected_s + shift))]


def test_the_round_scores_that_uppercut_once_as_a_hit() -> None:
    """What the round makes of the detector's reports: the target is hit, no half miss, no wild."""
    half, full = uppercut_seen_twice()
    reports = run(ScriptedDetector([half], [full], DetectorOptions()), guard_frames())
    out = at_first_target(reports, full)
    assert [g.type for g in out] == ["hit"]


def test_the_round_scored_the_two_reports_as_a_half_miss_then_a_wild_punch() -> None:
    """The same uppercut reported twice (no hold): the half report takes the target."""
    half, full = uppercut_seen_twice()
    out = at_first_target([half, full], full)
    assert [g.type for g in out][:2] == ["miss", "wild"] and dict(out[0].data)["why"] == "half"



def hidden_excursion(det: PunchDetector, hand: Hand, t_s: float) -> None:
    """Leave an excursion of a hidden arm waiting to be seen (``_Hand.unseen``), as ``_conclude``
    does: a straight that peaked at ``t_s`` - 0.1 s, seen in time if seen by ``t_s`` + 0.2 s."""
    c = straight_arm(0.95, fist_below_shoulder=0.0)
    c = dataclasses.replace(c, hand=hand, onset_s=t_s - 0.3, t_peak_s=t_s - 0.1, detected_s=t_s)
    det._hands[hand].unseen = (c, t_s + 0.2)


def seen_frame(det: PunchDetector, hand: Hand) -> BodySample:
    s = sample_body(guard_frames()[-1], use_world=not det.options.image_plane)
    assert s is not None and s.arm(hand).visibility >= 0.5
    return s


def test_a_hidden_excursion_is_reported_when_its_arm_is_seen_back_home() -> None:
    det = PunchDetector(DetectorOptions(image_plane=True))
    s = seen_frame(det, "right")
    hidden_excursion(det, "right", s.t_s - 0.05)
    det._hands["right"].state = "back"
    got = det._seen_late("right", det._hands["right"], s)
    assert got is not None and got.complete


def test_an_arm_first_seen_out_on_a_new_excursion_does_not_count_the_hidden_one() -> None:
    """The hand relaunched before its arm was seen: the sighting is the new excursion's (judged on
    its own when it ends). Counting the hidden one on it as well counted one visible punch twice."""
    det = PunchDetector(DetectorOptions(image_plane=True))
    s = seen_frame(det, "right")
    hidden_excursion(det, "right", s.t_s - 0.05)
    det._hands["right"].state = "out"
    assert det._seen_late("right", det._hands["right"], s) is None
    assert det.rejected[-1][1:] == ("right", "arm hidden")
    assert det._hands["right"].unseen is None


def test_losing_track_forgets_the_reported_rises() -> None:
    """A reported rise hides the state machine's punch of that hand moving during it; after the
    track is lost (someone else, or the same person after a gap) nothing is hidden by it."""
    det = PunchDetector()
    det._rise_spans["right"] = (1.0, 1.4)
    punch = ev(1.3, complete=True, kind="jab", onset=1.1)
    assert det._is_rise_reported(punch)
    det.update_sample(None)
    assert not det._is_rise_reported(punch)


ARM_M = 0.6  # metres, upper arm + forearm
L_SHOULDER, R_SHOULDER = np.array([0.18, 0.0, 0.0]), np.array([-0.18, 0.0, 0.0])


def arm_sample(wrist_al: np.ndarray, elbow_al: np.ndarray, shoulder: np.ndarray) -> ArmSample:
    """An arm from wrist and elbow given in arm lengths over the shoulders' midpoint."""
    w, e = wrist_al * ARM_M, elbow_al * ARM_M
    seg = float(np.linalg.norm(e - shoulder) + np.linalg.norm(w - e))
    return ArmSample(True, w, e, shoulder, float(np.linalg.norm(w - shoulder)) / seg, seg)


def body(t: float, wrist_al: np.ndarray, elbow_al: np.ndarray) -> BodySample:
    right = arm_sample(np.array([-0.3, -0.1, -0.3]), np.array([-0.4, -0.5, -0.1]), R_SHOULDER)
    return BodySample(t, True, arm_sample(wrist_al, elbow_al, L_SHOULDER), right, np.array([0.0, 0.25, -0.1]),
                      {"left": R_SHOULDER, "right": L_SHOULDER}, np.array([320.0, 200.0]), 150.0)


def follow(sweep_al: float, seconds: float, elbow_y_al: float) -> list[PunchEvent]:
    """A left hook judged half at its peak (t = 1.0 s, the fist out in front at 0.5 arm lengths
    outside the body's centre line), then the fist sweeping ``sweep_al`` arm lengths across the body
    in ``seconds`` with the elbow ``elbow_y_al`` over the shoulder: what the follow-through reports."""
    det = PunchDetector()
    det._arm_m = ARM_M
    det._hands["left"].state = "back"
    c = dataclasses.replace(straight_arm(0.9, 0.0), hand="left", onset_s=0.8, t_peak_s=1.0, detected_s=1.03,
                            onset_shoulder=L_SHOULDER / ARM_M, onset_other_shoulder=R_SHOULDER / ARM_M,
                            peak_wrist=np.array([0.5, 0.0, -0.6]))
    det._follows["left"] = _FollowThrough.of(ev(1.0, "left", complete=False, kind="hook", detected=1.03), c, HOLD_S)
    out = []
    for i in range(1, 12):
        t = 1.0 + i / 30
        x = 0.5 - sweep_al * min(1.0, (t - 1.0) / seconds)
        got = det._follow_through("left", body(t, np.array([x, 0.0, -0.6]), np.array([0.45, elbow_y_al, -0.2])))
        out += [] if got is None else [got]
    return out


def test_a_hook_seen_from_mid_swing_lands_after_its_measured_peak() -> None:
    """The shadowbox's last hook (5.05 s): the arm seen only once out in front, its sweep across
    the body (0.36 arm lengths in 0.1 s, the elbow at shoulder height) read as the way back."""
    got = follow(0.4, 0.1, 0.0)
    assert len(got) == 1 and got[0].complete and got[0].kind == "hook" and 1.03 < got[0].t_s <= 1.1


def test_a_fist_coming_home_with_the_elbow_down_is_not_a_hook_landing() -> None:
    assert follow(0.4, 0.1, -0.4) == []


def test_a_slow_drift_across_is_not_a_hook_landing() -> None:
    """Hands behind the head sliding across (a prisoner squat: 0.1 in 0.3 s, elbows up)."""
    assert follow(0.3, 0.3, 0.1) == []
    assert follow(0.1, 0.3, 0.3) == []
