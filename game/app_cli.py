"""``ringside play``: start the game (or a scripted, headless run of it)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from game import modes
from game.errors import SourceError, UsageError
from ringside_protocol import DEFAULT_REP_MODE, EXERCISE_MODES


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r}: give WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (320 <= w <= 7680 and 240 <= h <= 4320):
        raise UsageError(f"--size {text!r}: between 320x240 and 7680x4320")
    return w, h


@click.command("play")
@click.option("--source", "source", metavar="FILE|camera:N",
              help="Use a video, image folder or .rsk skeleton recording as the camera "
                   "(default: the camera chosen in settings).")
@click.option("--mode", type=click.Choice(modes.START_MODES), default=modes.MENU, show_default=True,
              help="Start straight in this scene.")
@click.option("--demo", is_flag=True, help="No camera needed: a generated player drives the game.")
@click.option("--exit-after", "exit_after", type=float, metavar="SECONDS",
              help="Scripted run: stop after this much game time and print the summary as JSON.")
@click.option("--screenshots", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Scripted run: save what the player sees as PNGs in DIR.")
@click.option("--every", "screenshot_every", type=float, default=2.0, show_default=True,
              metavar="SECONDS", help="Screenshot interval for --screenshots.")
@click.option("--target", type=int, help="Reps for a rep challenge, or rounds for boxing.")
@click.option("--versus", type=click.Choice(EXERCISE_MODES),
              help="Two players: a race of these reps (first to --target, default 10) or a "
                   "boxing match (implies --mode versus).")
@click.option("--review", "review_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A .rsk recording to open in coach review (implies --mode review).")
@click.option("--size", "size", default="1280x720", show_default=True, help="Window size.")
@click.option("--fullscreen", is_flag=True)
@click.option("--privacy", is_flag=True,
              help="Privacy mode: the camera image is never shown or stored.")
@click.option("--skip-calibration", is_flag=True,
              help="Start a --mode session without the set-up and calibration screen.")
@click.option("--headless", is_flag=True, help="No window (SDL dummy video driver).")
def play(source: str | None, mode: str, demo: bool, exit_after: float | None,
         screenshots: Path | None, screenshot_every: float, target: int | None,
         review_file: Path | None, size: str, fullscreen: bool, privacy: bool,
         skip_calibration: bool, headless: bool, versus: str | None) -> None:
    """Play Ringside. Without a camera, choose the demo mode in the menu or pass --demo."""
    if headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    if review_file is not None:
        mode = modes.REVIEW
    if versus is not None:
        mode = modes.VERSUS
    if exit_after is not None and exit_after <= 0:
        raise UsageError("--exit-after must be a positive number of seconds")
    if screenshot_every <= 0:
        raise UsageError("--every must be a positive number of seconds")
    if source is not None:
        from game.feed import is_camera_spec  # noqa: PLC0415 - lazy: the SDL and pygame settings above must be set before pygame loads; `ringside --help` imports this module

        if not is_camera_spec(source) and not Path(source).exists():
            raise UsageError(f"--source {source}: no such file or folder")
    if demo and source is not None:
        raise UsageError("--demo and --source exclude each other: pick one")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from game.app import AppOptions, run_app  # noqa: PLC0415 - lazy: the SDL and pygame settings above must be set before pygame loads; `ringside --help` imports this module

    options = AppOptions(source=source, mode=mode, demo=demo, exit_after_s=exit_after,
                         screenshots=screenshots, screenshot_every_s=screenshot_every,
                         size=_size(size), fullscreen=fullscreen, privacy=privacy,
                         review_file=review_file, target=target,
                         calibrate=False if skip_calibration else None,
                         versus=versus or DEFAULT_REP_MODE)
    summary = run_app(options)
    if options.scripted:
        click.echo(json.dumps(summary, indent=2, default=str))
    sys.stdout.flush()
    if summary.get("exit") == "source_error":
        problem = next((e[len("source: "):] for e in summary.get("errors", [])
                        if e.startswith("source: ")), "the source could not be read")
        raise SourceError(f"{problem}; nothing was saved")
