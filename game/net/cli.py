"""``ringside sync``: send waiting scores to the leaderboard server, join groups and challenges,
show boards and live standings."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from typing import Any

import click

from game.errors import UsageError
from game.net.errors import NetworkError, ServerReplyError
from game.net.outbox import Outbox
from game.net.override import fetch_override, save_cached_override
from game.net.settings import load_settings, save_settings
from game.net.standings import parse_standings, standings_lines
from ringside_protocol import MODES, PERIODS


@dataclass(frozen=True)
class _Asks:
    join: str | None = None
    watch: str | None = None
    join_group: str | None = None
    new_group: str | None = None
    groups: bool = False
    board: str | None = None
    period: str = "weekly"
    group: str | None = None
    devices: bool = False
    sign_out: str | None = None
    link_device: bool = False
    use_token: bool = False


@click.command()
@click.option("--server", metavar="URL", help="Leaderboard server, e.g. ws://gym-laptop:8765/ws (remembered).")
@click.option("--name", help="Your name on the boards (remembered; renames you on the server too).")
@click.option("--status", "show_status", is_flag=True, help="Only show what is waiting; no network.")
@click.option("--join", metavar="CODE",
              help="Join a trainer's live challenge; the game then shows its standings (remembered).")
@click.option("--watch", metavar="CODE", help="Show a challenge's live standings here until it ends (Ctrl-C stops).")
@click.option("--join-group", metavar="INVITE", help="Join a group with its invite code.")
@click.option("--new-group", metavar="NAME", help="Create a group and print its invite code.")
@click.option("--groups", "list_groups", is_flag=True, help="List your groups with their invite codes.")
@click.option("--board", type=click.Choice(MODES), help="Show a leaderboard.")
@click.option("--period", type=click.Choice(PERIODS), default="weekly", show_default=True)
@click.option("--group", metavar="NAME", help="With --board: only this group's members (a group you are in).")
@click.option("--devices", is_flag=True, help="List the devices signed in as you (their ids, last use, expiry).")
@click.option("--sign-out", metavar="DEVICE", help="Sign a device out (a lost phone): its id from --devices, or 'this'.")
@click.option("--link-device", is_flag=True, help="Print a token that signs another device in as you.")
@click.option("--use-token", metavar="TOKEN", help="Sign this device in with a token from --link-device (remembered).")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds to wait for the server.")
def sync(server: str | None, name: str | None, show_status: bool, join: str | None, watch: str | None,
         join_group: str | None, new_group: str | None, list_groups: bool, board: str | None, period: str,
         group: str | None, timeout: float, devices: bool = False, sign_out: str | None = None,
         link_device: bool = False, use_token: str | None = None) -> None:
    """Send every score waiting in the outbox to the leaderboard server.

    Scores are kept on disk until the server acknowledges them, so playing offline loses nothing:
    run this (or just play online) when the server is reachable again.
    """
    settings = load_settings()
    changed = False
    if server:
        settings, changed = replace(settings, server=server), True
    if name:
        settings, changed = replace(settings, name=name), True
    if use_token:
        settings, changed = settings.with_token(settings.server, use_token.strip(), ""), True
    if changed:
        save_settings(settings)
    asks = _Asks(join, watch, join_group, new_group, list_groups, board, period, group, devices, sign_out,
                 link_device, bool(use_token))
    with Outbox.default() as outbox:
        counts = outbox.counts()
        if show_status:
            click.echo(f"server   {settings.server}")
            click.echo(f"player   {settings.name} ({settings.player_id or 'not registered yet'})")
            click.echo(f"outbox   {counts.pending} waiting, {counts.sent} sent, {counts.rejected} rejected")
            if settings.follow:
                click.echo(f"following challenge {settings.follow}")
            for item in outbox.items():
                if item.state == "rejected":
                    click.echo(f"  rejected {item.id}: {item.submission['mode']} {item.submission['score']} "
                               f"- {item.last_error}")
            return
        try:
            asyncio.run(_run(settings, outbox, asks, timeout_s=timeout))
        except ServerReplyError:
            raise  # the server refused a request: its message says why
        except NetworkError:
            after = outbox.counts()
            if after.pending:
                click.echo(f"{after.pending} score(s) still waiting in the outbox; they will be sent later", err=True)
            raise


async def _run(settings: Any, outbox: Any, asks: _Asks, *, timeout_s: float) -> None:
    from game.net.client import open_link, sync_outbox  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    done = asyncio.Event()
    seen: dict[str, Any] = {}

    def show(msg: dict[str, Any]) -> None:
        st = parse_standings(msg, seen.get("player_id"))
        if st.version <= seen.get("shown_version", -1) and st.state != "finished":
            return  # the same snapshot again (a push and a reply can cross)
        seen["shown_version"] = st.version
        left = st.seconds_left(int(time.time() * 1000), st.server_now_ms - int(time.time() * 1000))
        click.echo("\n".join(standings_lines(st, seconds_left=left)) + "\n")
        if st.state == "finished":
            done.set()

    link, settings = await open_link(settings, timeout_s=timeout_s, on_push=show)
    seen["player_id"] = settings.player_id
    if asks.use_token:
        save_settings(settings)  # signed in with a token from another device: remember who we are
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
        if asks.new_group:
            g = (await link.request({"type": "group.create", "name": asks.new_group}))["group"]
            click.echo(f"created group {g['name']}: invite code {g['invite_code']}")
        if asks.join_group:
            g = (await link.request({"type": "group.join", "invite_code": asks.join_group}))["group"]
            click.echo(f"joined group {g['name']} ({g['members']} members)")
        if asks.groups:
            groups = (await link.request({"type": "group.list"}))["groups"]
            for g in groups:
                owner = ", yours" if g["is_owner"] else ""
                click.echo(f"group {g['name']}: {g['members']} members{owner}, invite code {g['invite_code']}")
            if not groups:
                click.echo("no groups yet: join one with --join-group INVITE or create one with --new-group NAME")
        if asks.board:
            await _show_board(link, asks, settings.player_id)
        if asks.link_device:
            reply = await link.request({"type": "token.issue", "label": "linked device"})
            click.echo(f"on the other device run: ringside sync --server {settings.server} --use-token {reply['token']}")
            click.echo("(shown once; anyone with it plays as you until you sign that device out)")
        if asks.devices:
            for d in (await link.request({"type": "token.list"}))["tokens"]:
                state = "signed out" if d["revoked_at_ms"] else f"expires {_day(d['expires_at_ms'])}"
                click.echo(f"device {d['id']}  {d['label']:<20} last used {_day(d['last_used_ms'])}, {state}"
                           + ("  (this device)" if d["current"] else ""))
        if asks.sign_out:
            await _sign_out(link, asks.sign_out, settings)
        if asks.join:
            reply = await link.request({"type": "challenge.join", "code": asks.join})
            save_settings(replace(settings, follow=asks.join.upper()))  # only once the join worked
            click.echo(f"joined challenge {asks.join.upper()}; the game shows its standings while it runs")
            if not asks.watch:
                show(reply)
        if asks.watch:
            show(await link.request({"type": "challenge.watch", "code": asks.watch}))
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


def _day(t_ms: int) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(t_ms / 1000))


async def _sign_out(link: Any, device: str, settings: Any) -> None:
    if device.lower() == "this":
        await link.request({"type": "token.revoke"})
        # Forget the token here too; the next sync registers this device as a new player.
        save_settings(replace(settings, token=None, token_server=None, player_id=None))
        click.echo("this device is signed out")
    else:
        reply = await link.request({"type": "token.revoke", "token": device.lower()})
        click.echo(f"signed out {', '.join(reply['tokens']) or 'nothing (already signed out)'}")


async def _show_board(link: Any, asks: _Asks, me: str | None) -> None:
    msg: dict[str, Any] = {"type": "board.get", "mode": asks.board, "period": asks.period, "limit": 20}
    if asks.group:
        groups = (await link.request({"type": "group.list"}))["groups"]
        match = [g for g in groups if asks.group.lower() in (g["name"].lower(), g["id"], g["invite_code"].lower())]
        if not match:
            raise UsageError(f"you are not in a group called {asks.group!r}; 'ringside sync --groups' lists yours")
        msg["group"] = match[0]["id"]
    reply = await link.request(msg)
    where = f" in {reply['group']['name']}" if reply.get("group") else ""
    click.echo(f"{asks.board} board, {asks.period.replace('_', ' ')} ({reply['period_key']}){where}:")
    for e in reply["entries"]:
        marker = ">" if e["player"] == me else " "
        score = int(e["score"]) if float(e["score"]).is_integer() else e["score"]
        click.echo(f"{marker}{e['rank']:>3}. {e['name']:<24} {score:>8}")
    if not reply["entries"]:
        click.echo("  no scores yet")
    elif reply.get("me") and all(e["player"] != me for e in reply["entries"]):
        click.echo(f"  you: #{reply['me']['rank']} with {reply['me']['score']}")
