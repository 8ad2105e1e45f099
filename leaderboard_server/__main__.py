"""``ringside-server``: run the leaderboard server, create trainer accounts, migrate the schema.

Options can also come from the environment (``RINGSIDE_SERVER_DB``, ``RINGSIDE_TRAINER_CODE``,
...; see ``--help``). Errors become one line on stderr and a non-zero exit status here, and only
here.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
import sys
from pathlib import Path
from typing import Any

import click

from leaderboard_server.errors import ServerError


def _db_options(fn: Any) -> Any:
    fn = click.option("--db", envvar="RINGSIDE_SERVER_DB", metavar="URL",
                      help="Database URL (postgresql://user@host/db). Default: SQLite file in the data dir.")(fn)
    fn = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="RINGSIDE_HOME",
                      help="Where the SQLite file lives. Default: the Ringside data directory.")(fn)
    return fn


def _engine(data_dir: Path | None, db: str | None) -> Any:
    from leaderboard_server.db import data_dir as default_data_dir  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.db import database_url, make_engine, make_folder, migrate  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)

    folder = data_dir if data_dir is not None else (default_data_dir() if not db else Path("."))
    if data_dir is not None or not db:
        make_folder(folder)
    url = database_url(db, folder)
    engine = make_engine(url)
    migrate(engine)
    return engine


def _raise_fd_limit() -> None:
    try:
        import resource  # noqa: PLC0415 - lazy: not on Windows

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Ringside leaderboard server. Without a command, runs 'serve' with its defaults."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="RINGSIDE_SERVER_HOST",
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535), envvar="RINGSIDE_SERVER_PORT",
              help="TCP port (0 picks a free one).")
@_db_options
@click.option("--cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="TLS certificate (PEM).")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="TLS private key (PEM).")
@click.option("--allow-origin", multiple=True, metavar="ORIGIN",
              help="Extra browser origin allowed to connect (repeatable; '*' for any). The server's own pages always are.")
@click.option("--allowed-host", multiple=True, metavar="NAME",
              help="Host name players and browsers use to reach this server, e.g. leaderboard.gym.example "
                   "(repeatable; '.gym.example' allows a domain, '*' any). IP addresses, localhost and this "
                   "machine's name are always allowed; other names are refused (DNS rebinding).")
@click.option("--per-address", "max_per_address", default=256, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Connections one network address may hold (a gym behind one router shares one).")
@click.option("--exempt-address", multiple=True, metavar="IP",
              help="An address the per-address limits do not apply to (a trusted reverse proxy, a load test); "
                   "repeatable.")
@click.option("--idle-timeout", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds a connection that neither signed in nor watches a challenge may stay silent.")
@click.option("--trainer-code", envvar="RINGSIDE_TRAINER_CODE", default=None,
              help="Code that lets a client register as a trainer. Unset: trainers are made with 'add-trainer'.")
@click.option("--max-message-kb", default=256, show_default=True, type=click.IntRange(4, 16384))
@click.option("--rate", default=30.0, show_default=True, type=click.FloatRange(0.1, 10000),
              help="Messages per second per connection (bursts of 10 s worth allowed).")
@click.option("--max-connections", default=20000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("-v", "--verbose", is_flag=True, help="Log every connection.")
def serve(host: str = "127.0.0.1", port: int = 8765, data_dir: Path | None = None, db: str | None = None,
          cert: Path | None = None, key: Path | None = None, allow_origin: tuple[str, ...] = (),
          allowed_host: tuple[str, ...] = (), max_per_address: int = 256, exempt_address: tuple[str, ...] = (),
          idle_timeout: float = 60.0,
          trainer_code: str | None = None, max_message_kb: int = 256, rate: float = 30.0,
          max_connections: int = 20000, verbose: bool = False) -> None:
    """Run the server: WebSocket protocol at /ws, web view at /, health at /healthz."""
    from leaderboard_server import __version__, core  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.db import current_revision  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.errors import ServerSetupError  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.limits import AddressLimit, RateLimit  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.server import LeaderboardServer, ServerOptions  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if (cert is None) != (key is None):
        raise ServerSetupError("TLS needs both --cert and --key")
    _raise_fd_limit()
    engine = _engine(data_dir, db)
    options = ServerOptions(
        host=host, port=port, db_url=str(engine.url), certfile=cert, keyfile=key,
        allowed_origins=tuple(allow_origin), allowed_hosts=tuple(allowed_host),
        address=AddressLimit(max_connections=max_per_address, exempt=frozenset(exempt_address)),
        idle_timeout_s=idle_timeout,
        max_message_bytes=max_message_kb * 1024,
        max_connections=max_connections, rate=RateLimit(per_s=rate, burst=max(rate * 10, 20)),
        core=core.CoreConfig(trainer_code=trainer_code or None, server_version=__version__),
    )
    server = LeaderboardServer(engine, options)

    async def run() -> None:
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
        shown_host = "localhost" if host in ("127.0.0.1", "::1") else host
        http_scheme = "https" if cert else "http"
        pubsub = ("PostgreSQL LISTEN/NOTIFY (run more processes on the same database)"
                  if engine.dialect.name == "postgresql" else "single process (SQLite)")
        lines = [
            f"ringside-server {__version__} (protocol v1, server id {options.server_id})",
            f"  database   {engine.url.render_as_string(hide_password=True)} (schema {current_revision(engine)})",
            f"  scale-out  {pubsub}",
            f"  web view   {http_scheme}://{shown_host}:{server.port}/   TV: /tv/<code>   coach: /coach",
            f"  trainers   {'register with the trainer code' if trainer_code else 'ringside-server add-trainer NAME'}",
            "  hosts      IP addresses, localhost, this machine's name"
            + (f", {', '.join(allowed_host)}" if allowed_host else " (add a DNS name with --allowed-host)"),
            f"listening on {server.scheme}://{host}:{server.port}/ws",
        ]
        click.echo("\n".join(lines))
        sys.stdout.flush()
        await stop.wait()
        click.echo("shutting down: closing connections, committing pending work")
        await server.stop()
        click.echo("stopped")

    try:
        asyncio.run(run())
    finally:
        engine.dispose()


@cli.command("add-trainer")
@click.argument("name")
@_db_options
def add_trainer(name: str, data_dir: Path | None, db: str | None) -> None:
    """Create a trainer account and print its token (shown once; store it safely)."""
    from sqlalchemy.orm import Session  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)

    from leaderboard_server import core  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.repository import Repository  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)
    from leaderboard_server.server import SystemEntropy, now_ms  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)

    if not name.strip() or len(name) > 40:
        raise click.BadParameter("a name of 1-40 characters", param_hint="NAME")
    engine = _engine(data_dir, db)
    token = core.new_token(SystemEntropy())
    with Session(engine) as session:
        repo, t_ms = Repository(session), now_ms()
        player = repo.add_player(public_id=secrets.token_hex(8), name=name.strip(), role="trainer",
                                 token_hash=core.hash_token(token), now_ms=t_ms)
        repo.add_token(player_id=player.id, public_id=secrets.token_hex(8), token_hash=core.hash_token(token),
                       label="add-trainer", now_ms=t_ms, expires_at_ms=t_ms + core.CoreConfig().token_idle_ms)
        session.commit()
    click.echo(f"trainer {player.name} ({player.public_id})")
    click.echo(f"token: {token}")


@cli.command()
@_db_options
def migrate(data_dir: Path | None, db: str | None) -> None:
    """Bring the database schema up to date (the server also does this at start-up)."""
    from leaderboard_server.db import current_revision  # noqa: PLC0415 - lazy: `ringside-server --help` needs none of the server (SQLAlchemy 0.28 s CPU to import)

    engine = _engine(data_dir, db)
    click.echo(f"schema at revision {current_revision(engine)}")


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="ringside-server", standalone_mode=False)
    except ServerError as err:
        click.echo(f"ringside-server: error: {err}", err=True)
        return err.exit_code
    except click.exceptions.Abort:
        return 130
    except click.ClickException as err:
        err.show()
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
