"""The dependency graph of our own modules (issue 12): no import cycles, and the game and the
leaderboard server share only ``ringside_protocol``. Read from the source (tests/support/imports.py),
so a function-level import counts as much as one at the top."""

from __future__ import annotations

from pathlib import Path

from tests.support.imports import Edge, cycle_edges, cycles, edges, module_files


def _where(found: list[Edge]) -> str:
    return "; ".join(f"{e.source}:{e.line} imports {e.target}" for e in found)


def test_no_import_cycles() -> None:
    all_edges = edges()
    found = cycles(all_edges)
    assert not found, "import cycles: " + " | ".join(_where(cycle_edges(all_edges, c)) for c in found)


def test_leaderboard_server_imports_nothing_from_the_game() -> None:
    bad = [e for e in edges() if e.source.startswith("leaderboard_server")
           and e.target.split(".")[0] not in ("leaderboard_server", "ringside_protocol")]
    assert not bad, _where(bad)


def test_game_imports_nothing_from_the_server_but_the_protocol() -> None:
    bad = [e for e in edges() if e.source.split(".")[0] == "game"
           and e.target.split(".")[0] == "leaderboard_server"]
    assert not bad, _where(bad)


def test_protocol_package_stands_alone() -> None:
    bad = [e for e in edges() if e.source.startswith("ringside_protocol")
           and not e.target.startswith("ringside_protocol")]
    assert not bad, _where(bad)


# The checker itself: it must see what it claims to see, or the tests above pass on nothing.

def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return module_files(tmp_path, ("pkg",))


def test_checker_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    known = _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import thing\n",
        "pkg/b.py": "def thing():\n    from pkg import a\n    return a\n",
        "pkg/c.py": "from . import b\n",
    })
    found = edges(known)
    assert cycles(found) == [["pkg.a", "pkg.b"]]
    inner = [e for e in found if not e.top_level]
    assert [(e.source, e.target) for e in inner] == [("pkg.b", "pkg.a")]
    assert ("pkg.c", "pkg.b") in {(e.source, e.target) for e in found}  # relative import resolved


def test_checker_leaves_out_type_checking_imports(tmp_path: Path) -> None:
    known = _tree(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
        "pkg/b.py": "from pkg.a import A\n",
    })
    assert cycles(edges(known)) == []
