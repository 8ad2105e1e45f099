"""`ringside-server` as an operator uses it: start-up lines, trainer accounts, clear errors."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from pathlib import Path

import pytest

from game.net.client import ServerLink
from leaderboard_server.__main__ import main
from tests.leaderboard_server.support import server_process


def test_add_trainer_prints_a_working_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add-trainer", "Coach Kim", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    token = re.search(r"token: (rs1\.\S+)", out)
    assert token and "trainer Coach Kim" in out
    assert main(["migrate", "--data-dir", str(tmp_path)]) == 0
    assert "schema at revision 0002" in capsys.readouterr().out
    with server_process(["--data-dir", str(tmp_path)], tmp_path) as srv:
        text = "".join(srv.output)
        assert "leaderboard.sqlite3 (schema 0002)" in text and "web view   http://" in text

        async def check() -> None:
            link = await ServerLink.connect(srv.url)
            welcome = await link.request({"type": "hello", "token": token.group(1)})
            assert welcome["player"]["role"] == "trainer"
            created = await link.request({"type": "challenge.create", "title": "CLI", "exercise": "boxing",
                                          "duration_s": 60})
            assert len(created["challenge"]["code"]) == 6
            await link.close()

        asyncio.run(check())
        with urllib.request.urlopen(srv.http + "/healthz", timeout=5) as res:
            assert json.loads(res.read())["database"] == "sqlite"
        assert srv.terminate() == 0  # SIGTERM: graceful stop
        assert srv.proc is not None and srv.proc.stdout is not None
        assert any("stopped" in line for line in srv.proc.stdout)


def test_setup_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", "mysql://x@y/z"]) == 7
    assert "unsupported database" in capsys.readouterr().err
    cert = tmp_path / "cert.pem"
    cert.write_text("not a certificate")
    assert main(["serve", "--data-dir", str(tmp_path), "--cert", str(cert)]) == 7
    assert "both --cert and --key" in capsys.readouterr().err
    assert main(["serve", "--data-dir", str(tmp_path), "--cert", str(cert), "--key", str(cert), "--port", "0"]) == 7
    assert "cannot load the TLS certificate" in capsys.readouterr().err
    assert main(["serve", "--db", "postgresql://nobody@127.0.0.1:1/none"]) == 7
    assert "cannot open the database" in capsys.readouterr().err


def test_a_data_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert main(["migrate", "--data-dir", str(blocker / "sub")]) != 0
    assert "not-a-folder" in capsys.readouterr().err
    monkeypatch.setenv("RINGSIDE_HOME", str(blocker / "sub"))
    assert main(["migrate"]) != 0
    assert "not-a-folder" in capsys.readouterr().err
