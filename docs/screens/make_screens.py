"""Regenerate the scene pictures of docs/GAME.md that need no clip ("What the player sees").

    SDL_VIDEODRIVER=dummy .venv/bin/python docs/screens/make_screens.py [OUT_DIR]

Each scene is drawn at 1280x720 over the generated demo player, after a few seconds of play,
and saved at 960x540 (PNG, < 150 kB). The play screens come from scripted runs instead
(`ringside play ... --screenshots DIR`, see GAME.md).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402

from game.app import App, AppOptions  # noqa: E402
from game.integrations import DEFAULT_PLAN  # noqa: E402
from game.scenes.calibration import CalibrationScene  # noqa: E402
from game.scenes.hrv_import import HrvImportScene  # noqa: E402
from game.scenes.leaderboard import LeaderboardScene  # noqa: E402
from game.scenes.moves import MovesScene  # noqa: E402
from game.scenes.overlays import PauseScene  # noqa: E402
from game.scenes.reps import RepScene  # noqa: E402
from game.scenes.session import SourceErrorScene  # noqa: E402
from game.scenes.settings import SettingsScene  # noqa: E402
from game.scenes.workout import BlockIntroScene, WorkoutRunner, WorkoutScene  # noqa: E402


def _app(home: Path) -> App:
    app = App(AppOptions(mode="menu", size=(1280, 720), exit_after_s=600.0), home=home)
    pygame.display.init()
    pygame.font.init()
    app.screen = pygame.display.set_mode((1280, 720))
    app.open_source(demo="squat")
    app.stack.push(app._first_scene())
    app.stack.apply()
    return app


def _scenes(app: App, home: Path) -> dict[str, Any]:
    def block_intro() -> Any:
        runner = WorkoutRunner(app.services, DEFAULT_PLAN)
        runner.block_i = 1
        return BlockIntroScene(app.services, runner)

    folder = home / "Downloads" / "whoop_export"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "physiological_cycles.csv").write_text("Cycle start time,Heart rate variability "
                                                     "(ms)\n")
    return {
        "settings": lambda: SettingsScene(app.services),
        "leaderboard_offline": lambda: LeaderboardScene(app.services),
        "workout": lambda: WorkoutScene(app.services),
        "block_intro": block_intro,
        "hrv_import": lambda: HrvImportScene(app.services, start=folder.parent),
        "source_error": lambda: SourceErrorScene(
            app.services, "clip.mp4 is damaged: it stops after 5.3 s of its 10.7 s (the file is cut "
                 "short)"),
        "calibration": lambda: CalibrationScene(app.services, then=None),
        "moves": lambda: MovesScene(app.services),
        "pause": lambda: PauseScene(app.services, on_restart=lambda: None, on_end=lambda: None),
    }


def _under(app: App, name: str) -> Any:
    """The scene an overlay is drawn over (the pause menu pauses a squat set), or None."""

    return RepScene(app.services, "squat") if name == "pause" else None


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["HOME"] = tmp  # a fresh player: no history, the browser starts in "~"
        app = _app(Path(tmp))
        for _ in range(120):
            app._step()
        for name, make in _scenes(app, Path(tmp)).items():
            under = _under(app, name)
            if under is not None:
                app.stack.push(under)
                app.stack.apply()
                for _ in range(600):  # 10 s of the set
                    app._step()
            app.stack.push(make())
            app.stack.apply()
            for _ in range(3):  # 2.5 s of game and 1.5 s of real time for the worker threads
                for _ in range(50):  # (the player found, lists read, the server refused)
                    app._step()
                time.sleep(0.5)
            app._step()
            app._draw()
            small = pygame.transform.smoothscale(app.screen, (960, 540))
            pygame.image.save(small, str(out / f"{name}.png"))
            app.stack.pop()
            if under is not None:
                app.stack.pop()
            app.stack.apply()
            print(out / f"{name}.png")
        if app.feed is not None:
            app.feed.stop(timeout_s=1.0)
        app.leaderboard.stop()
    pygame.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
