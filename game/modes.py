"""The ways a game can start (``ringside play --mode``): the one table of them.

The exercises come from the shared table (``ringside_protocol/exercises.py``: the rep exercises
and shadowboxing, the names the leaderboard knows); the other start modes are the game's own
screens, which the protocol never carries (a versus match or a workout is played locally and
saved, if at all, as its exercises' sessions). The CLI's ``--mode`` choices, the app, the scene
factory's start scene and the title's buttons all read these names; none writes one out again.

Pure and light: it imports the protocol package only, because ``ringside --help`` reads it.
"""

from __future__ import annotations

from ringside_protocol import EXERCISE_MODES

MENU = "menu"  # the title screen
WORKOUT = "workout"  # today's plan, block by block
REVIEW = "review"  # coach review of a recording
MOVES = "moves"  # "Learn the moves"
SETTINGS = "settings"
LEADERBOARD = "leaderboard"
CALIBRATE = "calibrate"  # the set-up and calibration screen alone
VERSUS = "versus"  # two players, one camera

#: The start modes that are not an exercise: the game's own screens.
SCREENS: tuple[str, ...] = (WORKOUT, REVIEW, MOVES, SETTINGS, LEADERBOARD, CALIBRATE, VERSUS)
#: Every ``--mode`` choice, in the order ``--help`` lists them.
START_MODES: tuple[str, ...] = (MENU, *EXERCISE_MODES, *SCREENS)
#: The start modes in which someone plays (a scripted run waits for their result).
PLAYING: tuple[str, ...] = (*EXERCISE_MODES, VERSUS)

__all__ = ["CALIBRATE", "LEADERBOARD", "MENU", "MOVES", "PLAYING", "REVIEW", "SCREENS", "SETTINGS", "START_MODES",
           "VERSUS", "WORKOUT"]
