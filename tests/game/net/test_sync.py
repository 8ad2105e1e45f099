"""The game's background sync, the `ringside sync` command and the coach-override function,
against a real server."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from game.net.client import ServerLink
from game.net.outbox import Outbox, make_submission
from game.net.override import latest_coach_override
from game.net.settings import NetSettings, load_settings, save_settings
from game.net.sync import SyncWorker
from tests.game.net.conftest import ThreadedServer
from tests.leaderboard_server.support import TRAINER_CODE


def _wait(pred: Any, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _squat(reps: int, **kw: Any) -> dict[str, Any]:
    return make_submission(mode="squat", score=reps, played_at_ms=int(time.time() * 1000) - 60_000, duration_ms=40_000,
                           telemetry={"reps": [{"duration_ms": 2000, "depth_deg": 92.0}] * reps}, **kw)


def test_sync_worker_submits_follows_a_challenge_and_reports_progress(threaded_server: ThreadedServer,
                                                                       tmp_path: Path) -> None:
    srv = threaded_server
    coach = srv.run(ServerLink.connect(srv.url))
    srv.run(coach.request({"type": "register", "name": "Coach", "trainer_code": TRAINER_CODE}))
    code = srv.run(coach.request({"type": "challenge.create", "title": "Live", "exercise": "squat",
                                  "duration_s": 120}))["challenge"]["code"]
    worker = SyncWorker(Outbox(tmp_path / "outbox.sqlite3"), NetSettings(server=srv.url, name="Gamer"),
                        folder=tmp_path, retry_delays_s=(0.1,)).start()
    try:
        sid = worker.submit(_squat(8))
        _wait(lambda: worker.status().pending == 0 and worker.status().last_report is not None)
        reply = worker.outbox.reply_of(sid)
        assert reply is not None and reply["status"] == "accepted"
        assert load_settings(tmp_path, {}).token  # registered and remembered
        worker.join(code)
        _wait(lambda: worker.standings() is not None)
        st = worker.standings()
        assert st is not None and st.code == code and st.state == "lobby" and st.entries[0].is_me
        srv.run(coach.request({"type": "challenge.start", "code": code}))
        _wait(lambda: (s := worker.standings()) is not None and s.state == "running")
        time.sleep(1.0)
        worker.progress(code, 2, 1000, count=2)
        _wait(lambda: (s := worker.standings()) is not None and s.entries[0].score == 2)
        st = worker.standings()
        assert st is not None
        left = st.seconds_left(int(time.time() * 1000), worker.status().clock_offset_ms)
        assert left is not None and 100 < left <= 120
    finally:
        worker.stop()
        srv.run(coach.close())


def test_sync_command_sends_waiting_scores(threaded_server: ThreadedServer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from game.cli import cli

    monkeypatch.setenv("RINGSIDE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGSIDE_SERVER", raising=False)
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        box.enqueue(_squat(5))
        box.enqueue(_squat(6))
        forged = _squat(7)
        forged["score"] = 70  # telemetry says 7 reps
        box.enqueue(forged)
    runner = CliRunner()
    status = runner.invoke(cli, ["sync", "--status"])
    assert status.exit_code == 0 and "3 waiting" in status.output
    result = runner.invoke(cli, ["sync", "--server", srv_url(threaded_server), "--name", "Cli Carla"])
    assert result.exit_code == 0, result.output
    assert "2 new score(s) sent, 0 already there, 1 rejected, 0 waiting" in result.output
    assert "70 reps" in result.output
    assert load_settings(tmp_path, {}).name == "Cli Carla"
    renamed = runner.invoke(cli, ["sync", "--name", "Carla R."])
    assert renamed.exit_code == 0, renamed.output

    async def board() -> list[str]:
        link = await ServerLink.connect(threaded_server.url)
        reply = await link.request({"type": "board.get", "mode": "squat", "period": "daily"})
        await link.close()
        return [e["name"] for e in reply["entries"]]

    assert threaded_server.run(board()) == ["Carla R."]  # the server knows the new name
    again = runner.invoke(cli, ["sync"])
    assert "0 new score(s) sent" in again.output
    status = runner.invoke(cli, ["sync", "--status"])
    assert "0 waiting, 2 sent, 1 rejected" in status.output


def srv_url(srv: ThreadedServer) -> str:
    return srv.url


def test_sync_command_offline_keeps_scores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from game.cli import main

    monkeypatch.setenv("RINGSIDE_HOME", str(tmp_path))
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        box.enqueue(_squat(5))
    code = main(["sync", "--server", "ws://127.0.0.1:9/ws", "--timeout", "2"])
    assert code == 8  # NetworkError's exit status, one line on stderr
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        assert box.counts().pending == 1


def test_latest_coach_override_online_then_offline(threaded_server: ThreadedServer, tmp_path: Path) -> None:
    srv = threaded_server
    assert latest_coach_override(folder=tmp_path, timeout_s=2) is None  # not registered: nothing
    # Register this device and put it in the coach's group.
    player = srv.run(ServerLink.connect(srv.url))
    reg = srv.run(player.request({"type": "register", "name": "Pia"}))
    save_settings(NetSettings(server=srv.url, name="Pia", token=reg["token"], player_id=reg["player"]["id"],
                              token_server=srv.url), tmp_path)
    coach = srv.run(ServerLink.connect(srv.url))
    srv.run(coach.request({"type": "register", "name": "Coach Kim", "trainer_code": TRAINER_CODE}))
    group = srv.run(coach.request({"type": "group.create", "name": "G"}))["group"]
    srv.run(player.request({"type": "group.join", "invite_code": group["invite_code"]}))
    assert latest_coach_override(folder=tmp_path, timeout_s=2) is None
    plan = {"difficulty": "easy", "intensity": "low", "volume_pct": 70}
    srv.run(coach.request({"type": "override.set", "player": reg["player"]["id"], "plan": plan, "note": "sleep more"}))
    got = latest_coach_override(folder=tmp_path, timeout_s=2)
    assert got is not None and got["plan"] == plan and got["note"] == "sleep more" and got["coach"] == "Coach Kim"
    assert json.loads(json.dumps(got)) == got  # a plain dict
    # Offline: the cached copy answers.
    save_settings(NetSettings(server="ws://127.0.0.1:9/ws", name="Pia", token=reg["token"], token_server="ws://127.0.0.1:9/ws"),
                  tmp_path)
    assert latest_coach_override(folder=tmp_path, timeout_s=1) == got
    # An expired override is no override.
    expired = {**got, "plan": {**plan, "expires_at_ms": 1000}}
    from game.net.override import save_cached_override

    save_cached_override(expired, tmp_path)
    assert latest_coach_override(folder=tmp_path, fetch=False) is None
    srv.run(player.close())
    srv.run(coach.close())


def test_a_challenge_joined_from_the_command_line_shows_in_the_game(threaded_server: ThreadedServer, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from game.cli import cli

    srv = threaded_server
    coach = srv.run(ServerLink.connect(srv.url))
    srv.run(coach.request({"type": "register", "name": "Coach", "trainer_code": TRAINER_CODE}))
    code = srv.run(coach.request({"type": "challenge.create", "title": "Evening", "exercise": "boxing",
                                  "duration_s": 300}))["challenge"]["code"]
    monkeypatch.setenv("RINGSIDE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGSIDE_SERVER", raising=False)
    result = CliRunner().invoke(cli, ["sync", "--server", srv.url, "--join", code.lower()])
    assert result.exit_code == 0, result.output
    assert f"joined challenge {code}" in result.output and "Evening" in result.output
    worker = SyncWorker(Outbox(tmp_path / "outbox.sqlite3"), load_settings(tmp_path, {}), folder=tmp_path,
                        retry_delays_s=(0.1,)).start()
    try:
        _wait(lambda: (s := worker.standings()) is not None and s.code == code)
        st = worker.standings()
        assert st is not None and st.entries[0].is_me and st.state == "lobby"
    finally:
        worker.stop()
        srv.run(coach.close())


def test_groups_and_boards_from_the_command_line(threaded_server: ThreadedServer, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from game.cli import cli, main

    monkeypatch.setenv("RINGSIDE_SERVER", threaded_server.url)
    runner = CliRunner()
    owner_home, member_home = tmp_path / "owner", tmp_path / "member"
    monkeypatch.setenv("RINGSIDE_HOME", str(owner_home))
    created = runner.invoke(cli, ["sync", "--name", "Olga", "--new-group", "Morning class"])
    assert created.exit_code == 0, created.output
    invite = created.output.split("invite code ")[1].split()[0]
    with Outbox(owner_home / "outbox.sqlite3") as box:
        box.enqueue(_squat(9))
    monkeypatch.setenv("RINGSIDE_HOME", str(member_home))
    joined = runner.invoke(cli, ["sync", "--name", "Max", "--join-group", invite.lower()])
    assert "joined group Morning class (2 members)" in joined.output
    with Outbox(member_home / "outbox.sqlite3") as box:
        box.enqueue(_squat(7))
    listed = runner.invoke(cli, ["sync", "--groups"])
    assert f"group Morning class: 2 members, invite code {invite}" in listed.output
    monkeypatch.setenv("RINGSIDE_HOME", str(owner_home))
    runner.invoke(cli, ["sync"])
    monkeypatch.setenv("RINGSIDE_HOME", str(member_home))
    board = runner.invoke(cli, ["sync", "--board", "squat", "--period", "daily", "--group", "morning class"])
    assert board.exit_code == 0, board.output
    lines = [line for line in board.output.splitlines() if "." in line and ("Olga" in line or "Max" in line)]
    assert lines[0].split()[1:3] == ["Olga", "9"] and lines[1].startswith(">") and "Max" in lines[1]
    assert main(["sync", "--board", "squat", "--group", "nope"]) == 2  # one clear line, usage error
    assert main(["sync", "--join", "ZZZZZZ"]) == 8
    assert load_settings(member_home, {}).follow is None  # a failed join is not remembered


def test_switching_servers_and_back_keeps_the_player(threaded_server: ThreadedServer, tmp_path: Path) -> None:
    """Home server, then the gym's, then home again: still the same player at home (a token per
    server; registering at the gym must not throw away the home identity, its scores and groups)."""
    from dataclasses import replace

    from game.net.client import open_link

    srv = threaded_server
    home, gym = srv.url, srv.url.removesuffix("ws")  # "/" also upgrades: a second server by address

    async def sign_in(server: str) -> str:
        settings = replace(load_settings(tmp_path, {}), server=server)
        link, settings = await open_link(settings, folder=tmp_path)
        await link.close()
        assert settings.player_id is not None
        return settings.player_id

    first = srv.run(sign_in(home))
    at_gym = srv.run(sign_in(gym))
    assert at_gym != first
    assert srv.run(sign_in(home)) == first
    assert srv.run(sign_in(gym)) == at_gym
    assert load_settings(tmp_path, {}).token_for(home) is not None


def test_a_score_that_must_wait_does_not_hold_back_the_others(threaded_server: ThreadedServer,
                                                              tmp_path: Path) -> None:
    """A session stamped a day ahead (the clock was wrong, then fixed) waits for its time; the
    sessions queued after it still go now."""
    from game.net.client import open_link, sync_outbox

    srv = threaded_server
    now = int(time.time() * 1000)
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        ahead = box.enqueue(make_submission(mode="squat", score=4, played_at_ms=now + 24 * 3600_000, duration_ms=40_000,
                                            telemetry={"reps": [{"duration_ms": 2000}] * 4}), now_ms=1)
        later = box.enqueue(_squat(6), now_ms=2)

        async def sync() -> Any:
            link, _ = await open_link(NetSettings(server=srv.url, name="Pia"), folder=tmp_path)
            try:
                return await sync_outbox(link, box)
            finally:
                await link.close()

        report = srv.run(sync())
        assert report.sent == 1 and report.remaining == 1
        assert report.error is not None and "clock" in report.error
        assert [i.id for i in box.pending()] == [ahead]
        reply = box.reply_of(later)
        assert reply is not None and reply["status"] == "accepted"


def test_a_waiting_score_does_not_make_the_game_reconnect_in_a_loop(threaded_server: ThreadedServer,
                                                                    tmp_path: Path) -> None:
    """The server is there but one score must wait (its device clock ran a day ahead): the game
    stays connected and retries that score now and then, instead of dropping the connection and
    signing in again twice a second for a day."""
    srv = threaded_server
    now = int(time.time() * 1000)
    worker = SyncWorker(Outbox(tmp_path / "outbox.sqlite3"), NetSettings(server=srv.url, name="Pia"),
                        folder=tmp_path, retry_delays_s=(0.5,)).start()
    try:
        worker.submit(make_submission(mode="squat", score=4, played_at_ms=now + 24 * 3600_000, duration_ms=40_000,
                                      telemetry={"reps": [{"duration_ms": 2000}] * 4}))
        _wait(lambda: worker.status().last_error is not None)
        before = srv.server.worker.committed_messages
        time.sleep(2.0)  # reconnecting every 0.5 s would be >= 6 messages (hello + submit each time)
        handled = srv.server.worker.committed_messages - before
        assert worker.status().is_connected and worker.status().pending == 1
        assert handled <= 3, f"{handled} messages in 2 s: the game keeps reconnecting"
        sid = worker.submit(_squat(5))  # a new score still goes at once
        _wait(lambda: worker.outbox.reply_of(sid) is not None)
    finally:
        worker.stop()



class _PacedLink:
    """A link in front of the server's own token bucket, on a fake clock that ``sleep`` moves."""

    def __init__(self, rate: Any) -> None:
        from leaderboard_server.limits import TokenBucket

        self.rate, self.now_ms = rate, 0
        self.bucket = TokenBucket.full(rate, 0)
        self.accepted: list[str] = []
        self.refused = 0

    async def request(self, message: dict[str, Any]) -> dict[str, Any]:
        from game.net.errors import ServerReplyError
        from leaderboard_server.limits import message_cost, take

        self.now_ms += 5  # a submission round trip on a fast server
        cost = message_cost(len(json.dumps(message)), self.rate)
        allowed, self.bucket, retry_ms = take(self.bucket, self.rate, self.now_ms, cost)
        if not allowed:
            self.refused += 1
            raise ServerReplyError("rate_limited", f"too many messages; retry in {retry_ms} ms", is_final=False,
                                   retry_after_ms=retry_ms)
        self.accepted.append(message["submission"]["id"])
        return {"type": "submitted", "status": "accepted"}

    async def sleep(self, seconds: float) -> None:
        self.now_ms += int(seconds * 1000)


def test_sync_paces_itself_to_the_servers_rate_limit(tmp_path: Path) -> None:
    """Issue 13 #12: with 420+ pending, `ringside sync` stopped with "too many messages; retry in
    1 ms" once the server's burst was spent, and had to be run again."""
    import asyncio

    from game.net.client import sync_outbox
    from leaderboard_server.limits import RateLimit

    link = _PacedLink(RateLimit())  # the server's defaults: 30/s, bursts of 300
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        for _ in range(450):
            box.enqueue(_squat(1))
        report = asyncio.run(sync_outbox(link, box, sleep=link.sleep))
        assert (report.sent, report.remaining, report.error) == (450, 0, None)
        assert box.counts().pending == 0
    assert len(set(link.accepted)) == 450 and link.refused > 0
    # Paced, not hammering: far fewer refusals than submissions past the burst.
    assert link.refused < 150 and link.refused < RateLimit().max_strikes


def test_sync_gives_up_only_after_its_patience(tmp_path: Path) -> None:
    import asyncio

    from game.net.client import sync_outbox
    from leaderboard_server.limits import RateLimit

    link = _PacedLink(RateLimit(per_s=0.001, burst=3))  # a server that never lets more through
    with Outbox(tmp_path / "outbox.sqlite3") as box:
        for _ in range(10):
            box.enqueue(_squat(1))
        report = asyncio.run(sync_outbox(link, box, patience_s=30.0, sleep=link.sleep))
        assert report.sent == 2 and report.remaining == 8 and "too many messages" in (report.error or "")
    assert 20_000 <= link.now_ms <= 60_000


def test_a_player_links_a_second_device_and_signs_out_a_lost_one(threaded_server: ThreadedServer, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from game.cli import cli

    phone, laptop = tmp_path / "phone", tmp_path / "laptop"
    runner = CliRunner()
    monkeypatch.delenv("RINGSIDE_SERVER", raising=False)
    monkeypatch.setenv("RINGSIDE_HOME", str(phone))
    linked = runner.invoke(cli, ["sync", "--server", threaded_server.url, "--name", "Ann", "--link-device"])
    assert linked.exit_code == 0, linked.output
    token = linked.output.split("--use-token ", 1)[1].split()[0]
    monkeypatch.setenv("RINGSIDE_HOME", str(laptop))
    used = runner.invoke(cli, ["sync", "--server", threaded_server.url, "--use-token", token, "--devices"])
    assert used.exit_code == 0, used.output
    assert load_settings(laptop, {}).player_id == load_settings(phone, {}).player_id  # the same player
    lines = [line for line in used.output.splitlines() if line.startswith("device ")]
    assert len(lines) == 2 and "(this device)" in lines[1]
    phone_device = lines[0].split()[1]
    # The phone is lost: sign it out from the laptop. The phone's token no longer works.
    out = runner.invoke(cli, ["sync", "--sign-out", phone_device])
    assert out.exit_code == 0 and f"signed out {phone_device}" in out.output, out.output

    async def hello(tok: str) -> dict[str, Any]:
        link = await ServerLink.connect(threaded_server.url)
        try:
            return await link.request({"type": "hello", "token": tok})
        except Exception as err:  # noqa: BLE001 - the refusal is what we look at
            return {"error": getattr(err, "code", str(err))}
        finally:
            await link.close()

    assert threaded_server.run(hello(load_settings(phone, {}).token or "")) == {"error": "token_expired"}
    assert threaded_server.run(hello(token))["type"] == "welcome"
    gone = runner.invoke(cli, ["sync", "--sign-out", "this"])
    assert gone.exit_code == 0 and "this device is signed out" in gone.output, gone.output
    assert load_settings(laptop, {}).token is None
    assert threaded_server.run(hello(token)) == {"error": "token_expired"}
