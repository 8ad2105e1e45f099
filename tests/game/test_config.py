from pathlib import Path

from game.config import data_dir


def test_ringside_home_overrides_platform_dir(tmp_path: Path) -> None:
    target = tmp_path / "home"
    assert data_dir({"RINGSIDE_HOME": str(target)}) == target
    assert target.is_dir()


def test_platform_dir_used_without_override(tmp_path: Path) -> None:
    path = data_dir({}, create=False)
    assert path.name.lower() == "ringside"


def test_unusable_data_dir_is_a_storage_error_saying_what_to_do(tmp_path: Path) -> None:
    import pytest

    from game.errors import StorageError

    a_file = tmp_path / "not_a_dir"
    a_file.write_text("x")
    with pytest.raises(StorageError, match="RINGSIDE_HOME"):
        data_dir({"RINGSIDE_HOME": str(a_file)})
    with pytest.raises(StorageError, match="RINGSIDE_HOME"):
        data_dir({"RINGSIDE_HOME": str(a_file / "below")})
