"""Net settings on disk, and standings parsing/formatting/drawing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from game.errors import StorageError
from game.net.settings import NetSettings, load_settings, save_settings
from game.net.standings import parse_standings, standings_lines

SNAP = {
    "v": 1, "type": "standings", "version": 4, "now_ms": 1_000_000,
    "challenge": {"code": "K7QPRM", "title": "Squat-off", "exercise": "squat", "trainer": "Kim", "state": "running",
                  "duration_s": 120, "started_at_ms": 940_000, "ends_at_ms": 1_060_000},
    "entries": [{"rank": i + 1, "player": f"{i:016x}", "name": f"P{i}", "score": 30 - i, "final": False}
                for i in range(12)],
}


def test_settings_round_trip_private_and_env_override(tmp_path: Path) -> None:
    assert load_settings(tmp_path, {}) == NetSettings()
    s = NetSettings(server="ws://gym:8765/ws", name="Ann", token="rs1.secret", player_id="ab", token_server="ws://gym:8765/ws")
    save_settings(s, tmp_path)
    assert load_settings(tmp_path, {}) == s
    assert stat.S_IMODE(os.stat(tmp_path / "leaderboard.json").st_mode) == 0o600
    other = load_settings(tmp_path, {"RINGSIDE_SERVER": "ws://elsewhere/ws"})
    assert other.server == "ws://elsewhere/ws" and other.token_for(other.server) is None  # token stays home
    (tmp_path / "leaderboard.json").write_text("{broken")
    with pytest.raises(StorageError, match="leaderboard.json"):
        load_settings(tmp_path, {})


def test_standings_parse_and_format() -> None:
    st = parse_standings(SNAP, my_player_id=f"{11:016x}")
    assert st.version == 4 and len(st.entries) == 12 and st.my_entry() is not None
    assert st.seconds_left(1_000_000) == 60.0
    lines = standings_lines(st, top=3, seconds_left=st.seconds_left(1_000_000))
    assert lines[0] == "Squat-off [K7QPRM] squat  1:00 left"
    assert lines[1].strip().startswith("1. P0") and lines[-1].startswith(">") and "P11" in lines[-1]
    assert len(lines) == 5  # header, top 3, and me
    with pytest.raises(ValueError):
        parse_standings({"type": "standings"})


def test_draw_standings_on_a_surface(tmp_path: Path) -> None:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    pygame = pytest.importorskip("pygame")
    from game.net.standings import draw_standings

    pygame.font.init()
    surface = pygame.Surface((640, 480))
    surface.fill((0, 0, 0))
    rect = draw_standings(surface, parse_standings(SNAP, f"{11:016x}"), seconds_left=42.0)
    assert rect.width > 100 and rect.height > 100
    assert surface.get_at((rect.x + 5, rect.y + 5))[:3] != (0, 0, 0)  # the panel is painted
    pygame.image.save(surface, str(tmp_path / "standings.png"))


def test_a_data_folder_that_cannot_be_made_is_a_storage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from game.net.outbox import Outbox

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("RINGSIDE_HOME", str(blocker / "sub"))
    with pytest.raises(StorageError, match="not-a-folder"):
        load_settings()
    with pytest.raises(StorageError, match="not-a-folder"):
        Outbox.default()
