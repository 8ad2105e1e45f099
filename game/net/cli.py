"""``ringside sync``: send waiting scores to the leaderboard server, follow a live challenge."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import click


@click.command()
@click.option("--server", metavar="URL", help="Leaderboard server, e.g. ws://gym-laptop:8765/ws (remembered).")
@click.option("--name", help="Your name on the boards (remembered; renames you on the server too).")
@click.option("--status", "show_status", is_flag=True, help="Only show what is waiting; no network.")
@click.option("--join", metavar="CODE",
              help="Join a trainer's live challenge; the game then shows its standings (remembered).")
@click.option("--watch", metavar="CODE", help="Show a challenge's live standings here until it ends (Ctrl-C stops).")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds to wait for the server.")
def sync(server: str | None, name: str | None, show_status: bool, watch: str | None, join: str | None,
         timeout: float) -> None:
    """Send every score waiting in the outbox to the leaderboard server.

    Scores are kept on disk until the server acknowledges them, so playing offline loses nothing:
    run this (or just play online) when the server is reachable again.
    """
    import asyncio

    from game.net.errors import NetworkError
    from game.net.outbox import Outbox
    from game.net.settings import load_settings, save_settings

    settings = load_settings()
    changed = False
    if server:
        settings, changed = replace(settings, server=server), True
    if name:
        settings, changed = replace(settings, name=name), True
    if join:
        settings, changed = replace(settings, follow=join.upper()), True
    if changed:
        save_settings(settings)
    with Outbox.default() as outbox:
        counts = outbox.counts()
        if show_status:
            click.echo(f"server   {settings.server}")
            click.echo(f"player   {settings.name} ({settings.player_id or 'not registered yet'})")
            click.echo(f"outbox   {counts.pending} waiting, {counts.sent} sent, {counts.rejected} rejected")
            for item in outbox.items():
                if item.state == "rejected":
                    click.echo(f"  rejected {item.id}: {item.submission['mode']} {item.submission['score']} "
                               f"- {item.last_error}")
            return
        try:
            asyncio.run(_run(settings, outbox, watch=watch, join=join, timeout_s=timeout))
        except NetworkError:
            after = outbox.counts()
            click.echo(f"{after.pending} score(s) still waiting in the outbox; they will be sent later", err=True)
            raise


async def _run(settings: Any, outbox: Any, *, watch: str | None, join: str | None, timeout_s: float) -> None:
    import asyncio

    from game.net.client import open_link, sync_outbox
    from game.net.errors import NetworkError
    from game.net.override import fetch_override, save_cached_override
    from game.net.standings import parse_standings, standings_lines

    done = asyncio.Event()
    link_settings: dict[str, Any] = {}

    def show(msg: dict[str, Any]) -> None:
        st = parse_standings(msg, link_settings.get("player_id"))
        if st.version <= link_settings.get("shown_version", -1) and st.state != "finished":
            return  # the same snapshot again (a push and a reply can cross)
        link_settings["shown_version"] = st.version
        left = st.seconds_left(int(time.time() * 1000), st.server_now_ms - int(time.time() * 1000))
        click.echo("\n".join(standings_lines(st, seconds_left=left)) + "\n")
        if st.state == "finished":
            done.set()

    link, settings = await open_link(settings, timeout_s=timeout_s, on_push=show)
    link_settings["player_id"] = settings.player_id
    try:
        report = await sync_outbox(link, outbox)
        click.echo(f"{settings.server}: {report.sent} new score(s) sent, {report.duplicates} already there, "
                   f"{report.rejected} rejected, {report.remaining} waiting")
        for sid, reason in report.rejections:
            click.echo(f"  rejected {sid}: {reason}")
        if report.error:
            raise NetworkError(report.error)
        override = await fetch_override(link)
        save_cached_override(override)
        if override:
            click.echo(f"coach plan from {override['coach']}: {override['plan']}"
                       + (f" ({override['note']})" if override.get("note") else ""))
        if join:
            reply = await link.request({"type": "challenge.join", "code": join})
            click.echo(f"joined challenge {join.upper()}; the game shows its standings while it runs")
            if not watch:
                show(reply)
        if watch:
            reply = await link.request({"type": "challenge.watch", "code": watch})
            show(reply)
            if not done.is_set():
                closed = asyncio.ensure_future(link.closed.wait())
                finished = asyncio.ensure_future(done.wait())
                await asyncio.wait({closed, finished}, return_when=asyncio.FIRST_COMPLETED)
                for fut in (closed, finished):
                    fut.cancel()
                if link.closed.is_set() and not done.is_set():
                    raise NetworkError("the connection to the leaderboard server was lost")
    finally:
        await link.close()
