"""Exercises as data: which joints to read, what "full range" means, and what to say.

One :class:`ExerciseDefinition` per exercise; the engine (:mod:`game.reps.engine`) runs them all
with the same state machine. Adding an exercise means adding a definition here, not a class.

Angles are interior joint angles in degrees (180 = straight). "Flexion" is measured from the
person's own calibrated top position (their standing knee angle, their plank elbow angle), so a
person whose tracked knee never reads more than 165 degrees when standing is judged on the same
range as one who reads 178. How each threshold was chosen is in docs/REPS.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from game.pose.types import LM

Triplet = tuple[int, int, int]
Pair = tuple[int, int]
Combine = Literal["mean", "min", "max"]


@dataclass(frozen=True, slots=True)
class JointAngle:
    """An interior angle at ``b`` between segments b->a and b->c, for the left and right side.

    Which way it moves: a joint that bends during the rep (a knee in a squat, 180 at the top) or,
    with ``opens``, one that opens (an arm raised sideways in a jumping jack: hip-shoulder-elbow
    about 15 degrees at the top, 170 overhead). The features hand the engine the angle oriented so
    that it always falls toward the bottom of the rep (180 minus the angle for an opening joint),
    so the engine, the calibration and the range of motion never assume a bend.
    """

    name: str
    left: Triplet
    right: Triplet
    opens: bool = False


@dataclass(frozen=True, slots=True)
class SegmentIncline:
    """Inclination of a segment (from->to) below the horizontal, in degrees (90 = hanging straight
    down, 0 = level). ``combine`` picks which side speaks for the body: for squats the more upright
    thigh (``max``) so that lifting one knee is not a squat; for lunges the front thigh (``min``)."""

    name: str
    left: Pair
    right: Pair
    combine: Combine
    depth_deg: float  # at or below this inclination the depth goal is met
    # The top's inclination must lie this far above ``depth_deg`` for the signal to be used at all
    # (closer, tracker noise alone would cross it).
    min_span_deg: float = 10.0


@dataclass(frozen=True, slots=True)
class Spread:
    """Two points moving apart across the body from where they were at the top: the feet jumping
    out in a jumping jack. Their distance is measured along the hip line (a step forward or back
    does not count) in units of the ``scale`` chains (the mean length of the left and the right
    chain, each the sum of its segments: a leg's thigh and shank, which no bending shortens; the
    shoulders are no unit: BlazePose pulls them in and up when the arms go overhead). Progress 0
    at the top's spread, 1 at ``gain`` more; combined with the main angle by ``min`` (both must
    reach the bottom)."""

    name: str
    left: int
    right: int
    scale: tuple[tuple[Pair, ...], tuple[Pair, ...]]
    gain: float


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Hysteresis on the progress value p (0 = top, 1 = counting depth).

    A descent starts when p rises above ``enter``; the bottom is reached at p >= 1; the way up starts
    when p falls ``turn`` below its peak; the rep is finished (locked out) when p falls to
    ``lockout``; rising ``rebound`` above the lowest p of the way up without locking out ends the
    attempt as "no lockout". The gap between ``enter`` and ``lockout`` is the hysteresis band that
    keeps tracker jitter at the top from starting or finishing reps.
    """

    enter: float = 0.30
    lockout: float = 0.20
    turn: float = 0.15
    rebound: float = 0.20


@dataclass(frozen=True, slots=True)
class ExerciseDefinition:
    name: str
    display_name: str
    primary: JointAngle
    # Flexion from the calibrated top that counts as full range (progress p = 1).
    required_flexion_deg: float
    # The least a calibration rep may relax ``required_flexion_deg`` to (mobility-limited users).
    min_required_flexion_deg: float
    # Top posture: the primary angle must be at least this straight to be "ready".
    ready_min_angle_deg: float
    # "upright": torso within ``torso_ready_deg`` of vertical; "horizontal": at least that far off it.
    posture: Literal["upright", "horizontal"]
    torso_ready_deg: float
    # Optional second depth signal; p = max or min of the two progress values (``secondary_combine``).
    secondary: SegmentIncline | None
    secondary_combine: Literal["max", "min"]
    # Points whose vertical distance is the "height" moved (m/s for velocity): mid(moving) above mid(anchor).
    moving: Pair
    anchor: Pair
    # Feet (or hands) that must stay planted: shift of their midpoint, as a fraction of the calibrated
    # height in pixels, that ends an attempt as "moved". None = stepping is part of the exercise.
    planted: tuple[int, ...]
    max_planted_shift: float | None
    # Both feet leaving the floor by this fraction of the calibrated height (pixels) = a jump.
    # 0.06 of hip height is about 5 cm; standing jitter on the shared videos stayed under 0.03.
    flight_rise: float | None
    thresholds: Thresholds = field(default_factory=Thresholds)
    # The coach's standard, alongside the person's own range: the main angle at or below this
    # meets the flexion goal whatever the person's top reads (push-up: elbow about 90 degrees).
    depth_angle_deg: float | None = None
    # Either of these two points (left, right) within this fraction of the standing hip height above
    # its own foot also meets the flexion goal (lunge: back knee near the floor).
    low_point: Pair | None = None
    low_point_rise: float = 0.25
    # The moving points' height above the anchor (image) at or below this share of the top's also
    # meets the flexion goal (push-up: shoulders down to elbow height, the upper arm level).
    height_depth_share: float | None = None
    min_rep_s: float = 0.5
    max_rep_s: float = 30.0
    ready_hold_s: float = 0.4
    # Landmarks that must be visible (on at least one side) for a frame to be judged.
    required: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    required_names: str = ""
    # The moving points' upward speed out of the bottom is the rep's velocity (bar speed in
    # velocity-based training) and its loss over the set is fatigue; False where that speed means
    # nothing (the hips of a jumping jack), so no speed and no speed loss are reported.
    measures_velocity: bool = True
    # A third depth signal: points moving apart across the body (None: not measured).
    spread: Spread | None = None
    # Which scored parts apply, each a named scorer (game.reps.scoring.SCORERS), and the extra
    # per-rep metrics measured for them (game.reps.scoring.METRICS).
    parts: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    # Per metric: (value for full marks, value for zero), linear in between. Sources: docs/REPS.md.
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    cues: dict[str, str] = field(default_factory=dict)
    # The demo shown beside the counter (a key of game.moves.MOVES); the title button's caption
    # (default: the plural title from ringside_protocol/exercises.py) and its second line.
    demo_move: str = ""
    menu_title: str = ""
    tagline: str = ""
    # Part of the workout's counted warm-up (game.integrations.WARMUP_MOVES), in this order.
    is_warmup: bool = False


_COMMON_CUES = {
    "lost_tracking": "Step back into view so I can see you",
    "moved": "Keep your feet planted",
    "jump": "No jumping: squat down and stand up",
    "too_fast": "Slow down: control the rep",
    "too_slow": "Too long at the bottom: stand up to finish the rep",
    "frozen": "The camera image froze: check the camera",
    "two_people": "Make sure only you are in view",
    "ready": "Ready: go!",
    "getting_ready": "Stand tall and still to start",
    "incomplete": "Finish the rep: come all the way up",
    "missing_joints": "Step back so your whole body is in view",
    "show_body": "Show your whole body: step back until I see you head to feet",
    "stand_still": "Stand still a moment to start",
    "turn_side_on": "Turn side-on to the camera",
}

SQUAT = ExerciseDefinition(
    name="squat",
    display_name="Squat",
    primary=JointAngle("knee", (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE), (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)),
    # Half-squat range or deeper: 70 degrees of knee flexion (Schoenfeld 2010 puts half squats at
    # 70-100 degrees of flexion, quarter/partial squats around 40). See docs/REPS.md.
    required_flexion_deg=70.0,
    min_required_flexion_deg=55.0,
    ready_min_angle_deg=150.0,
    posture="upright",
    torso_ready_deg=45.0,
    # Thigh within 30 degrees of level also meets depth (NSCA: "thighs parallel to the floor" is
    # the reference depth; 30 degrees above it is the lenient end of a half squat).
    secondary=SegmentIncline("thigh", (LM.LEFT_HIP, LM.LEFT_KNEE), (LM.RIGHT_HIP, LM.RIGHT_KNEE), "max", 30.0),
    secondary_combine="max",
    moving=(LM.LEFT_HIP, LM.RIGHT_HIP),
    anchor=(LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    planted=(LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL),
    max_planted_shift=0.25,
    flight_rise=0.06,
    # The same 70 degrees of flexion from a straight knee (180): when the tracker reads someone's
    # standing knees bent (world landmarks: 145-165 on some people), the own-range figure alone
    # would ask them for a deeper squat than the standard.
    depth_angle_deg=110.0,
    min_rep_s=0.5,
    # Feet out of the frame (a low camera, a close one) still leave the knee angle to the world
    # landmarks and the thigh to the image; only floor contact then goes unjudged.
    required=(
        (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_SHOULDER),
        (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_SHOULDER),
    ),
    required_names="shoulders, hips and knees",
    parts=("depth", "torso", "knees", "heels", "symmetry", "control"),
    metrics=("below_parallel", "torso_shin_diff_deg", "heel_lift_ratio", "knee_ratio"),
    limits={
        "torso_lean_deg": (45.0, 70.0),  # max torso angle from vertical
        "torso_shin_diff_deg": (15.0, 40.0),  # |torso lean - shin lean| at the bottom
        "knee_ratio": (0.9, 0.6),  # knee spread / ankle spread at the bottom (front views)
        "heel_lift_ratio": (0.04, 0.10),  # heel rise / hip height in image (least reliable: image-based)
        "asymmetry_deg": (6.0, 20.0),  # mean |left - right| knee angle in the bottom half
        "descent_ms": (800.0, 300.0),  # controlled lowering
    },
    demo_move="squat",
    is_warmup=True,
    menu_title="Squat challenge",
    tagline="reps that count only at full depth",
    cues={
        **_COMMON_CUES,
        "not_deep_enough": "Lower: sit deeper to count the rep",
        "no_lockout": "Stand tall at the top to finish each rep",
        "knees_in": "Push your knees out over your toes",
        "torso": "Chest up: keep your back straighter",
        "torso_shin": "Sit back: keep your torso in line with your shins",
        "heels": "Keep your heels down",
        "asymmetry": "Even it out: sink evenly on both legs",
        "tempo": "Slow down on the way down",
        "fatigue": "Speed dropped {vl:.0f}%: last rep or take a rest",
        "good_depth": "Great depth!",
        "good_rep": "Strong rep!",
        "good_control": "Nice and controlled",
        "good_knees": "Knees tracking well",
        "improved_depth": "Better: that one was deep enough",
        "improved_lockout": "Good: full stand at the top",
        "getting_ready": "Stand tall with your feet planted to start",
    },
)

LUNGE = ExerciseDefinition(
    name="lunge",
    display_name="Lunge",
    primary=JointAngle("knee", (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_ANKLE), (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_ANKLE)),
    # Mean flexion of both knees; a full lunge brings both knees near 90 degrees.
    required_flexion_deg=65.0,
    min_required_flexion_deg=50.0,
    ready_min_angle_deg=150.0,
    posture="upright",
    torso_ready_deg=45.0,
    # The front thigh must come near level too (both conditions: a lunge is both knees AND the
    # front thigh; a high knee lift alone is not a lunge).
    secondary=SegmentIncline("thigh", (LM.LEFT_HIP, LM.LEFT_KNEE), (LM.RIGHT_HIP, LM.RIGHT_KNEE), "min", 35.0),
    secondary_combine="min",
    moving=(LM.LEFT_HIP, LM.RIGHT_HIP),
    anchor=(LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    planted=(LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    max_planted_shift=None,  # forward and reverse lunges step
    flight_rise=0.06,
    # NSCA: lower until the back knee is 1-2 inches from the floor. The knee landmark (the joint's
    # centre) of a standing person sits about half-way up the hip height; a quarter is half-way down
    # from there. Measured on the shared lunges: 0.14 or less at every labelled bottom, 0.47 or more
    # when marching in place.
    low_point=(LM.LEFT_KNEE, LM.RIGHT_KNEE),
    low_point_rise=0.25,
    min_rep_s=0.6,
    # Feet out of the frame (a low camera, a close one) still leave the knee angle to the world
    # landmarks and the thigh to the image; only floor contact then goes unjudged.
    required=(
        (LM.LEFT_HIP, LM.LEFT_KNEE, LM.LEFT_SHOULDER),
        (LM.RIGHT_HIP, LM.RIGHT_KNEE, LM.RIGHT_SHOULDER),
    ),
    required_names="shoulders, hips and knees",
    parts=("depth", "torso", "knees", "control"),
    metrics=("front_knee_medial",),
    limits={
        "torso_lean_deg": (25.0, 50.0),
        "front_knee_medial": (0.10, 0.30),  # front knee toward the midline, thigh lengths
        "descent_ms": (700.0, 300.0),
    },
    demo_move="lunge",
    is_warmup=True,
    cues={
        **_COMMON_CUES,
        "not_deep_enough": "Lower: back knee toward the floor to count",
        "no_lockout": "Come all the way up between lunges",
        "jump": "No jumping: step and lower",
        "knees_in": "Keep your front knee over your toes",
        "torso": "Stay upright through the lunge",
        "tempo": "Slow down on the way down",
        "fatigue": "Speed dropped {vl:.0f}%: last rep or take a rest",
        "good_depth": "Great depth!",
        "good_rep": "Strong lunge!",
        "good_control": "Nice and controlled",
        "good_knees": "Front knee tracking well",
        "improved_depth": "Better: that one was deep enough",
        "improved_lockout": "Good: all the way up",
    },
)

PUSHUP = ExerciseDefinition(
    name="pushup",
    display_name="Push-up",
    primary=JointAngle("elbow", (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST), (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST)),
    # Elbows to about 100 degrees or less from a locked-out plank: the usual standard is upper arms
    # parallel to the floor (U.S. Army push-up standard), about 90 degrees at the elbow.
    required_flexion_deg=70.0,
    min_required_flexion_deg=55.0,
    ready_min_angle_deg=145.0,
    posture="horizontal",
    torso_ready_deg=50.0,
    secondary=None,
    secondary_combine="max",
    moving=(LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    anchor=(LM.LEFT_WRIST, LM.RIGHT_WRIST),
    planted=(LM.LEFT_WRIST, LM.RIGHT_WRIST),
    max_planted_shift=0.5,
    flight_rise=None,  # clap push-ups leave the floor with the hands, not the feet
    # Upper arm parallel to the floor puts the elbow at about 90 degrees; 5 more for tracker noise.
    depth_angle_deg=95.0,
    # Upper arm level puts the shoulder at elbow height: the shoulders stand above the hands by the
    # forearm alone, 0.146 / (0.146 + 0.186) = 0.44 of the straight arm (segment lengths as shares
    # of stature, Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed., 2009,
    # table 4.1), 0.5 with tracker noise. Read in the image, this holds head-on too, where the
    # elbow angle is foreshortened.
    height_depth_share=0.5,
    min_rep_s=0.4,
    required=(
        (LM.LEFT_SHOULDER, LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_HIP),
        (LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_HIP),
    ),
    required_names="shoulders, elbows, wrists and hips",
    parts=("depth", "body_line", "symmetry", "control"),
    metrics=("body_line_deg",),
    limits={
        "body_line_deg": (165.0, 140.0),  # worst shoulder-hip-ankle angle
        "asymmetry_deg": (8.0, 25.0),
        "descent_ms": (600.0, 250.0),
    },
    demo_move="pushup",
    cues={
        **_COMMON_CUES,
        "not_deep_enough": "Lower: chest toward the floor to count",
        "no_lockout": "Straighten your arms at the top",
        "jump": "Keep your hands planted",
        "moved": "Keep your hands planted",
        "body_line": "Keep your body in one straight line",
        "asymmetry": "Even it out: lower both sides together",
        "tempo": "Slow down on the way down",
        "fatigue": "Speed dropped {vl:.0f}%: last rep or take a rest",
        "good_depth": "Great depth!",
        "good_rep": "Strong push-up!",
        "good_control": "Nice and controlled",
        "good_line": "Solid plank line",
        "improved_depth": "Better: that one was deep enough",
        "improved_lockout": "Good: arms straight at the top",
        "getting_ready": "Get into a plank with straight arms to start",
        "stand_still": "Hold the plank still a moment to start",
        "turn_side_on": "Turn side-on to the camera so I can see your arms",
        "show_body": "Show your whole body: shoulders, elbows, hands and hips",
        "too_slow": "Too long at the bottom: push up to finish the rep",
    },
)

JUMPING_JACK = ExerciseDefinition(
    name="jumping_jack",
    display_name="Jumping jack",
    # Arm abduction: the angle at the shoulder between the trunk (hip) and the upper arm, which
    # OPENS from about 15 degrees at the sides to 160-180 overhead.
    primary=JointAngle(
        "arm_raise",
        (LM.LEFT_HIP, LM.LEFT_SHOULDER, LM.LEFT_ELBOW),
        (LM.RIGHT_HIP, LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW),
        opens=True,
    ),
    # Hands over the head: the arms at 140 degrees or more from the sides (a full jack brings the
    # hands together overhead, 170-180; 140 leaves room for arms that stay bent or a little wide).
    # Turned around by the features (180 - angle), the top reads about 165 and the counting depth
    # 40: the person's own range is 125 degrees of it.
    required_flexion_deg=125.0,
    min_required_flexion_deg=100.0,
    ready_min_angle_deg=140.0,  # arms within 40 degrees of the sides
    posture="upright",
    torso_ready_deg=30.0,
    secondary=None,
    secondary_combine="min",
    # ...and the feet out from where they stood to wider than the shoulders: from about hip width
    # (ankle centres 0.13 H apart) to shoulder width (0.259 H) is 0.13 H more, a quarter of a leg
    # (hip to ankle 0.491 H; proportions of stature H after Winter 2009, table 4.1). Measured
    # across the hip line, so a step forward (walking, a lunge) never counts as feet apart.
    spread=Spread("feet", LM.LEFT_ANKLE, LM.RIGHT_ANKLE,
                  (((LM.LEFT_HIP, LM.LEFT_KNEE), (LM.LEFT_KNEE, LM.LEFT_ANKLE)),
                   ((LM.RIGHT_HIP, LM.RIGHT_KNEE), (LM.RIGHT_KNEE, LM.RIGHT_ANKLE))), 0.25),
    moving=(LM.LEFT_HIP, LM.RIGHT_HIP),
    anchor=(LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    planted=(LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    max_planted_shift=None,  # the feet jump out and back
    flight_rise=None,  # every rep is two hops
    measures_velocity=False,  # the hips rise with each hop, not out of a bottom
    depth_angle_deg=40.0,  # the arm at 140 degrees from the side, whatever the person's top reads
    # Brisk jacks run at 60-100 a minute (0.6-1 s each); 0.3 s is faster than anyone jumps twice.
    min_rep_s=0.3,
    max_rep_s=10.0,
    required=(
        (LM.LEFT_HIP, LM.LEFT_SHOULDER, LM.LEFT_ELBOW),
        (LM.RIGHT_HIP, LM.RIGHT_SHOULDER, LM.RIGHT_ELBOW),
    ),
    required_names="shoulders, elbows and hips",
    parts=("depth", "spread", "symmetry"),
    limits={
        "spread_gain": (0.5, 0.25),  # feet out by half a leg's length or more: full marks
        "asymmetry_deg": (10.0, 30.0),  # mean |left - right| arm angle in the top half of the jack
    },
    demo_move="jumping_jack",
    cues={
        **_COMMON_CUES,
        "not_deep_enough": "Higher: hands over your head and feet wide to count",
        "no_lockout": "Bring your arms and feet all the way back in",
        "moved": "Stay on your spot",
        "asymmetry": "Even it out: both arms up together",
        "good_depth": "Full reach!",
        "good_rep": "Nice jack!",
        "improved_depth": "Better: that one was full",
        "improved_lockout": "Good: all the way back in",
        "getting_ready": "Stand tall, feet together, arms by your sides to start",
        "stand_still": "Stand still a moment, arms by your sides, to start",
        "turn_side_on": "Face the camera",
    },
)

#: Every rep exercise, by name: the game's registry (game/exercises.py) pairs each with its row of
#: the shared exercise table (ringside_protocol/exercises.py).
DEFINITIONS: dict[str, ExerciseDefinition] = {d.name: d for d in (SQUAT, PUSHUP, LUNGE, JUMPING_JACK)}
