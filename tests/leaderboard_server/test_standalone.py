"""The server stands alone: it imports nothing from ``game``, the game imports nothing from it but
the shared protocol package, and the core is sans-I/O (no SQLAlchemy)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(package: str) -> dict[str, set[str]]:
    """Top-level import targets of every module in ``package`` (also imports inside functions)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offenders(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path}: {name}" for path, names in _imported_modules(package).items() for name in sorted(names)
            if name.split(".")[0] in forbidden]


def test_the_server_imports_nothing_from_the_game() -> None:
    assert _offenders("leaderboard_server", ("game",)) == []


def test_the_game_imports_only_the_protocol_package_from_the_server_side() -> None:
    assert _offenders("game", ("leaderboard_server",)) == []


def test_the_protocol_package_imports_neither_side() -> None:
    assert _offenders("ringside_protocol", ("game", "leaderboard_server", "sqlalchemy", "websockets")) == []


_BLOCK_GAME = """
import sys
class _NoGame:
    def find_spec(self, name, path=None, target=None):
        if name == "game" or name.startswith("game."):
            raise ImportError("the game is not installed here")
        return None
sys.meta_path.insert(0, _NoGame())
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_server_runs_with_the_game_unimportable() -> None:
    result = _run(_BLOCK_GAME + """
import leaderboard_server.server, leaderboard_server.core, leaderboard_server.repository, leaderboard_server.web
from leaderboard_server.__main__ import main
assert main(["--help"]) == 0
assert not any(m == "game" or m.startswith("game.") for m in sys.modules)
""")
    assert result.returncode == 0, result.stderr
    assert "serve" in result.stdout


def test_the_core_imports_no_sqlalchemy() -> None:
    result = _run("""
import sys
import leaderboard_server.core, leaderboard_server.plausibility, leaderboard_server.limits
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "websockets", "alembic", "psycopg"))
assert not bad, bad
""")
    assert result.returncode == 0, result.stderr


def test_the_server_extra_covers_every_third_party_import_and_nothing_heavy() -> None:
    import re
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"]["server"]
    listed = {re.split(r"[\[<>=!; ]", req, maxsplit=1)[0].lower() for req in extra}
    assert not listed & {"mediapipe", "opencv-contrib-python", "pygame", "numpy", "tflite-runtime"}
    distribution = {"sqlalchemy": "sqlalchemy", "alembic": "alembic", "psycopg": "psycopg", "websockets": "websockets",
                    "fastjsonschema": "fastjsonschema", "click": "click", "platformdirs": "platformdirs"}
    ours = {"leaderboard_server", "ringside_protocol", "__future__"}
    for package in ("leaderboard_server", "ringside_protocol"):
        for path, names in _imported_modules(package).items():
            for name in names:
                top = name.split(".")[0]
                if top in ours or top in sys.stdlib_module_names:
                    continue
                assert distribution.get(top) in listed, f"{path} imports {top}, which the server extra lacks"
