"""The ``ringside`` command line: the game and its tools.

Subcommands are loaded lazily (``LazyGroup``) so that ``ringside hrv ...`` does not import the pose
model and ``ringside play`` does not import the HRV stack. Every :class:`~game.errors.RingsideError`
becomes one line on stderr and a non-zero exit status here, and only here.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from game.errors import RingsideError

# name -> "module:attribute" of a click.Command. Each module owns its command.
SUBCOMMANDS: dict[str, str] = {
    "play": "game.app_cli:play",
    "record": "game.pose.cli:record",
    "analyze": "game.pose.cli:analyze",
    "pose": "game.pose.cli:pose",
    "hrv": "game.hrv.cli:hrv",
    "sync": "game.net.cli:sync",
    "eval": "game.evaluation.cli:evaluate",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            module_name, attr = self._lazy[cmd_name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name and module_name.startswith(exc.name):
                    return _not_built(cmd_name)
                raise
            cmd = getattr(module, attr)
            assert isinstance(cmd, click.Command)
            return cmd
        return super().get_command(ctx, cmd_name)


def _not_built(name: str) -> click.Command:
    def run() -> None:
        raise click.UsageError(f"'{name}' is not built yet")

    return click.Command(name, callback=run, help="(not built yet)", short_help="(not built yet)")


@click.group(cls=LazyGroup, lazy=SUBCOMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ringside")
def cli() -> None:
    """Ringside: camera-based boxing and workouts. Run 'ringside play' to start the game."""


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: maps errors to one line and an exit status."""
    try:
        cli.main(args=argv, prog_name="ringside", standalone_mode=False)
    except RingsideError as err:
        click.echo(f"ringside: error: {err}", err=True)
        return err.exit_code
    except click.exceptions.Abort:
        click.echo("ringside: aborted", err=True)
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
