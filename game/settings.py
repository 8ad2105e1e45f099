"""Player settings: a frozen option object, read once at start-up and saved atomically.

The file is ``<data_dir>/settings.json``. A file that cannot be read as settings is never
overwritten in place: it is renamed to ``settings.json.corrupt-<n>`` and the game starts from the
defaults, telling the player so (:attr:`LoadedSettings.notice`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

UNITS = ("metric", "imperial")
SETTINGS_FILE = "settings.json"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the player can change on the settings screen.

    ``privacy_mode`` is stronger than ``show_camera``: with it on, camera pixels never leave the
    pose worker (no image is drawn, none is kept, none is recorded).
    """

    camera_index: int = 0
    mirror: bool = True
    volume: float = 0.8  # 0..1, master volume for effects and voice
    voice: bool = True  # spoken counts and cues
    show_camera: bool = True
    privacy_mode: bool = False
    units: str = "metric"
    show_overlay: bool = False  # FPS / latency overlay
    player_name: str = "Player"
    rep_target: int = 10  # reps per rep challenge
    round_s: int = 60  # shadowboxing round length
    rounds: int = 3

    def validated(self) -> Settings:
        """A copy with every value clamped into its allowed range."""
        return replace(
            self,
            camera_index=max(0, min(9, int(self.camera_index))),
            volume=max(0.0, min(1.0, float(self.volume))),
            units=self.units if self.units in UNITS else "metric",
            player_name=(str(self.player_name).strip() or "Player")[:24],
            rep_target=max(1, min(50, int(self.rep_target))),
            round_s=max(15, min(300, int(self.round_s))),
            rounds=max(1, min(12, int(self.rounds))),
        )

    @property
    def shows_camera_image(self) -> bool:
        return self.show_camera and not self.privacy_mode


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    settings: Settings
    notice: str | None = None  # said to the player when the file was unusable


def settings_path(home: Path) -> Path:
    return home / SETTINGS_FILE


def from_mapping(data: dict[str, Any]) -> Settings:
    """Settings from a decoded JSON object; unknown keys are ignored, wrong types raise ValueError."""
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in data:
            continue
        value = data[f.name]
        expected = type(getattr(defaults, f.name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"{f.name} should be {expected.__name__}, not {type(value).__name__}")
        values[f.name] = value
    return Settings(**values).validated()


def backup_corrupt(path: Path) -> Path:
    """Rename a damaged file out of the way (never delete it); returns the backup path."""
    n = 1
    while True:
        backup = path.with_name(f"{path.name}.corrupt-{n}")
        if not backup.exists():
            os.replace(path, backup)
            return backup
        n += 1


def load_settings(home: Path) -> LoadedSettings:
    """Read settings; a missing file gives defaults, a damaged one is backed up and reported."""
    path = settings_path(home)
    if not path.exists():
        return LoadedSettings(Settings())
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return LoadedSettings(from_mapping(data))
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        try:
            backup = backup_corrupt(path)
            where = f"kept a copy as {backup.name}"
        except OSError:
            where = "could not move it aside"
        return LoadedSettings(
            Settings(),
            notice=f"Your settings file was damaged ({exc}); {where} and started with defaults.")


def save_settings(home: Path, settings: Settings) -> None:
    """Write settings atomically (temp file + rename), so a crash never leaves half a file."""
    write_json_atomic(settings_path(home), asdict(settings))


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
