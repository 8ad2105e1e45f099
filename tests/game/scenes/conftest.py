"""A headless app for scene tests: dummy SDL video, a generated player, game-clocked frames."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def run_steps(app: Any, steps: int, *, draw_every: int = 1) -> None:
    """Advance the app by fixed steps, drawing like the real loop does."""
    for i in range(steps):
        app._step()
        if i % draw_every == 0 or i == steps - 1:
            app._draw()


def surface_is_drawn(surface: Any) -> bool:
    """More than a handful of colours: the scene drew something, not a blank fill."""
    import pygame

    small = pygame.transform.scale(surface, (96, 54))
    colours = {small.get_at((x, y))[:3] for x in range(96) for y in range(54)}
    return len(colours) > 8


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    import pygame

    from game.app import App, AppOptions

    made: list[Any] = []

    def make(mode: str = "menu", *, demo: str | None = "squat", size: tuple[int, int] = (960, 540),
             home: Path | None = None, **options: Any) -> Any:
        options.setdefault("exit_after_s", 600.0)  # scripted: frames follow the game clock
        app = App(AppOptions(mode=mode, size=size, **options), home=home or tmp_path / "home")
        pygame.display.init()
        pygame.font.init()
        app.screen = pygame.display.set_mode(size)
        if demo is not None:
            app.open_source(demo=demo)
        app.stack.push(app._first_scene())
        app.stack.apply()
        made.append(app)
        return app

    yield make
    for app in made:
        if app.feed is not None:
            app.feed.stop(timeout_s=1.0)
        app.leaderboard.stop()
    from game.scenes import ui

    ui.clear_caches()
    pygame.quit()
