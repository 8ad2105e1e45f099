from pathlib import Path

from game.config import data_dir


def test_ringside_home_overrides_platform_dir(tmp_path: Path) -> None:
    target = tmp_path / "home"
    assert data_dir({"RINGSIDE_HOME": str(target)}) == target
    assert target.is_dir()


def test_platform_dir_used_without_override(tmp_path: Path) -> None:
    path = data_dir({}, create=False)
    assert path.name.lower() == "ringside"
