"""Shared fixtures: the real recordings in ../shared/data, skipped with a reason when absent."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.support.recordings import SHARED, ensure_recording

# CI replays the same generated examples every run (derandomize), so a submission's result does
# not depend on the draw; local runs keep exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own RINGSIDE_HOME: no test touches the user's data directory."""
    monkeypatch.setenv("RINGSIDE_HOME", str(tmp_path_factory.mktemp("ringside_home")))
    yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared recordings not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def labels(shared_data: Path) -> dict[str, Any]:
    return json.loads((shared_data / "labels.json").read_text())


@pytest.fixture(scope="session")
def shared_recording() -> Callable[[str], Path]:
    """``shared_recording("squat_side_deep")`` -> the cached .rsk of that shared video."""

    def get(stem: str) -> Path:
        try:
            return ensure_recording(stem)
        except FileNotFoundError as exc:
            pytest.skip(f"shared video not found: {exc}")

    return get
