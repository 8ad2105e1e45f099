"""Shared by the complete-loop tests: a generated player seen through a fake *camera*."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from tests.game.scenes.conftest import make_app, run_steps  # noqa: E402,F401


def use_synthetic(app: Any, exercise: str = "squat", *, camera: bool,
                  video: str | None = None, every: int = 1) -> None:
    """Drive ``app`` with the generated player, either as a live camera (the player's own
    sessions), as the demo player, or (``video``: a file name) as a person in a video.
    ``every``: keep one frame in ``every`` (a machine whose pose model is that much slower). Frames follow the game clock (lockstep), so the test
    does not depend on the machine's speed."""
    from game.app import demo_frames
    from game.feed import PoseFeed, synthetic_opener

    def restart(_exercise: str | None = None) -> None:  # a session starts at "Go"
        use_synthetic(app, exercise, camera=camera, video=video, every=every)

    app.restart_source = restart
    if app.feed is not None:
        app.feed.stop(timeout_s=1.0)
    opener = synthetic_opener(lambda: (f for i, f in enumerate(demo_frames(exercise))
                                       if i % every == 0))
    app.feed = PoseFeed(opener, label="camera 0" if camera else f"demo ({exercise})",
                        pacing="lockstep", is_camera=camera).start()
    app.demo_exercise = None if camera or video else exercise
    app.source_spec = "camera:0" if camera else video
    app._feed_t0_ms = app.now_ms
