"""The web view in a real browser (Debian's headless Chromium, installed by `make test-deps`):
the gym TV shows live standings that update without a reload; the coach page shows telemetry."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect

from game.net.client import ServerLink
from tests.leaderboard_server.conftest import squat_submission
from tests.leaderboard_server.support import TRAINER_CODE, running_server, ws_url

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,800"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="chromium is not installed (run `make test-deps`; in CI this test must run)",
)


def _chromium() -> str:
    assert CHROMIUM is not None, "chromium must be installed in CI (make test-deps)"
    return CHROMIUM


class DevTools:
    """Just enough of the Chrome DevTools Protocol: evaluate JavaScript, take a screenshot."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        await self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self._ws.recv(), 30))
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg["result"]

    async def text(self, selector: str) -> str:
        expr = f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText"
        result = await self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        return str(result["result"].get("value", ""))

    async def wait_text(self, selector: str, pattern: str, timeout_s: float = 15.0) -> str:
        deadline = time.monotonic() + timeout_s
        last = ""
        while time.monotonic() < deadline:
            last = await self.text(selector)
            if re.search(pattern, last):
                return last
            await asyncio.sleep(0.1)
        raise AssertionError(f"{selector!r} never matched {pattern!r}; last text: {last!r}")


@contextlib.asynccontextmanager
async def browser_page(url: str) -> AsyncIterator[DevTools]:
    with tempfile.TemporaryDirectory() as profile:
        proc = await asyncio.create_subprocess_exec(
            _chromium(), *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0", url,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        try:
            assert proc.stderr is not None
            port = None
            deadline = time.monotonic() + 30
            while port is None and time.monotonic() < deadline:
                line = (await asyncio.wait_for(proc.stderr.readline(), 30)).decode(errors="replace")
                match = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
                if match:
                    port = int(match.group(1))
                elif not line:
                    break
            assert port is not None, "chromium did not start its DevTools endpoint"

            def targets() -> list[dict[str, Any]]:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as res:
                    return json.loads(res.read())

            page = None
            for _ in range(100):
                page = next((t for t in await asyncio.to_thread(targets) if t.get("type") == "page"), None)
                if page:
                    break
                await asyncio.sleep(0.1)
            assert page is not None
            async with connect(page["webSocketDebuggerUrl"], max_size=None, compression=None) as ws:
                yield DevTools(ws)
        finally:
            proc.kill()
            await proc.wait()


def test_tv_page_shows_live_standings_in_chromium(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await ServerLink.connect(url)
            await coach.request({"type": "register", "name": "Coach Kim", "trainer_code": TRAINER_CODE})
            code = (await coach.request({"type": "challenge.create", "title": "Friday Squat-off", "exercise": "squat",
                                         "duration_s": 120}))["challenge"]["code"]
            players = {}
            for name in ("Annika", "Bruno"):
                link = await ServerLink.connect(url)
                await link.request({"type": "register", "name": name})
                await link.request({"type": "challenge.join", "code": code})
                players[name] = link
            async with browser_page(f"http://127.0.0.1:{srv.port}/tv/{code}") as page:
                assert await page.wait_text("#title", "Friday Squat-off")
                await page.wait_text("#status", "live")
                assert "LOBBY" in (await page.text("#state")).upper()
                await coach.request({"type": "challenge.start", "code": code})
                await page.wait_text("#state", "(?i)running")
                await page.wait_text("#clock", r"^[01]:\d\d$")
                await asyncio.sleep(1.2)
                await players["Bruno"].request({"type": "challenge.progress", "code": code, "score": 2, "elapsed_ms": 1000})
                table = await page.wait_text("#standings tbody", r"1\s+Bruno\s+2")
                assert "Annika" in table
                await players["Annika"].request({"type": "challenge.progress", "code": code, "score": 3, "elapsed_ms": 1100})
                table = await page.wait_text("#standings tbody", r"1\s+Annika\s+3\s+2\s+Bruno\s+2")
                shot = await page.call("Page.captureScreenshot", format="png")
                (tmp_path / "tv.png").write_bytes(base64.b64decode(shot["data"]))
                await coach.request({"type": "challenge.stop", "code": code})
                await page.wait_text("#clock", "Final")
            # The boards page: every mode's top 10 (challenge scores included).
            sub = squat_submission("bruno-set-0001", 9, played_at_ms=int(time.time() * 1000) - 120_000)
            await players["Bruno"].request({"type": "submit", "submission": sub})
            async with browser_page(f"http://127.0.0.1:{srv.port}/boards?period=daily") as page:
                squats = await page.wait_text("[data-mode=squat]", r"1\s+Bruno\s+9")
                assert "Squats" in squats
                assert "No scores yet" in await page.text("[data-mode=boxing]")
            assert (tmp_path / "tv.png").stat().st_size > 5000
            for link in (coach, *players.values()):
                await link.close()

    asyncio.run(scenario())


def test_coach_page_shows_a_players_telemetry_in_chromium(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await ServerLink.connect(url)
            token = (await coach.request({"type": "register", "name": "Coach Kim", "trainer_code": TRAINER_CODE}))["token"]
            group = (await coach.request({"type": "group.create", "name": "Evening"}))["group"]
            ann = await ServerLink.connect(url)
            ann_id = (await ann.request({"type": "register", "name": "Annika"}))["player"]["id"]
            await ann.request({"type": "group.join", "invite_code": group["invite_code"]})
            sub = squat_submission("coach-view-001", 6, played_at_ms=int(time.time() * 1000) - 600_000)
            sub["telemetry"]["reps"][3]["cues"] = ["go deeper"]
            await ann.request({"type": "submit", "submission": sub})
            await coach.request({"type": "override.set", "player": ann_id, "plan": {"difficulty": "easy"},
                                 "note": "deload week"})
            page_url = f"http://127.0.0.1:{srv.port}/coach#token={token}&player={ann_id}"
            async with browser_page(page_url) as page:
                await page.wait_text("#who", "Coach Kim · trainer")
                visible = await page.call("Runtime.evaluate", returnByValue=True,
                                          expression="document.querySelector('#signin').offsetParent !== null")
                assert visible["result"]["value"] is False  # the sign-in form goes away
                await page.wait_text("#players", "Annika")
                detail = await page.wait_text("#detail", "go deeper")
                assert "deload week" in detail and "difficulty: easy" in detail
                rows = await page.call("Runtime.evaluate", returnByValue=True, expression=(
                    "Array.from(document.querySelectorAll('[data-submission=\"coach-view-001\"] table.reps tbody tr'))"
                    ".map(tr => tr.innerText)"))
                assert len(rows["result"]["value"]) == 6
                # The coach changes the plan from the page; the player's game sees it.
                await page.call("Runtime.evaluate", expression=(
                    "document.querySelector('#override-form select[name=difficulty]').value = 'hard';"
                    "document.querySelector('#override-form input[name=note]').value = 'back to full';"
                    "document.querySelector('#override-form button').click();"))
                await page.wait_text("#override-current", "back to full")
                # The trainer runs a challenge for the group from the same page.
                await page.call("Runtime.evaluate", expression=(
                    "const f = document.querySelector('#challenge-form');"
                    "f.querySelector('[name=title]').value = 'Page-made challenge';"
                    "f.querySelector('[name=exercise]').value = 'boxing';"
                    f"f.querySelector('[name=group]').value = '{group['id']}';"
                    "f.querySelector('button').click();"))
                row = await page.wait_text("#challenge-list tbody", "Page-made challenge")
                assert "lobby" in row
                await page.call("Runtime.evaluate", expression=(
                    "document.querySelector('#challenge-list tbody button[data-action=\"challenge.start\"]').click()"))
                await page.wait_text("#challenge-list tbody", "running")
                shot = await page.call("Page.captureScreenshot", format="png")
                (tmp_path / "coach.png").write_bytes(base64.b64decode(shot["data"]))
                # Groups: the invite code to read out to the class, and removing someone who left.
                groups = await page.wait_text("#group-list tbody", "Annika")
                assert group["invite_code"] in groups and "Evening (yours)" in groups
                await page.call("Runtime.evaluate", expression=(
                    f"document.querySelector('[data-member=\"{ann_id}\"] button').click()"))
                await page.wait_text("#group-list tbody", r"Evening \(yours\)\s+\w+\s+1\b")
            mine = await ann.request({"type": "override.get"})
            assert mine["override"]["plan"]["difficulty"] == "hard" and mine["override"]["coach"] == "Coach Kim"
            listed = (await coach.request({"type": "challenge.list"}))["challenges"]
            assert listed[0]["title"] == "Page-made challenge" and listed[0]["state"] == "running"
            # Ann was removed from the group on the page: its challenge is closed to her now.
            from game.net.errors import ServerReplyError

            with pytest.raises(ServerReplyError) as refused:
                await ann.request({"type": "challenge.join", "code": listed[0]["code"]})
            assert refused.value.code == "forbidden"
            for link in (coach, ann):
                await link.close()

    asyncio.run(scenario())


def test_a_trainer_signs_out_a_players_devices_from_the_coach_page() -> None:
    async def scenario() -> None:
        async with running_server() as srv:
            url = ws_url(srv)
            coach = await ServerLink.connect(url)
            token = (await coach.request({"type": "register", "name": "Coach Kim", "trainer_code": TRAINER_CODE}))["token"]
            invite = (await coach.request({"type": "group.create", "name": "Kids"}))["group"]["invite_code"]
            bruno = await ServerLink.connect(url)
            reg = await bruno.request({"type": "register", "name": "Bruno"})
            await bruno.request({"type": "group.join", "invite_code": invite})
            async with browser_page(f"http://127.0.0.1:{srv.port}/coach#token={token}&player={reg['player']['id']}") as page:
                await page.wait_text("#detail", "Bruno")
                await page.call("Runtime.evaluate", expression="document.querySelector('#signout-devices').click()")
                await page.wait_text("#signout-result", "1 device\\(s\\) signed out")
            await bruno.closed.wait()  # his open connection was closed (4001)
            again = await ServerLink.connect(url)
            from game.net.errors import ServerReplyError

            with pytest.raises(ServerReplyError) as refused:
                await again.request({"type": "hello", "token": reg["token"]})
            assert refused.value.code == "token_expired"
            for link in (coach, again):
                await link.close()

    asyncio.run(scenario())
