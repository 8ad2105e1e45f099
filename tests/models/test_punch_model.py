"""The committed punch-kind model: it loads in the play-time runtime (tflite-runtime 2.14), is
int8-quantised and small, and classifies held-apart generated punches well."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from game.boxing.features import CLASSES, FEATURES, WINDOW
from game.errors import ModelError
from models.punch_model import MODEL_PATH, PunchKindModel


@pytest.fixture(scope="module")
def model() -> PunchKindModel:
    return PunchKindModel()


def test_model_loads_in_the_play_time_runtime(model: PunchKindModel) -> None:
    assert model.input_shape == (1, WINDOW, FEATURES)
    assert model.classes == CLASSES
    assert "int8" in model.tensor_types()  # weights and activations quantised
    assert MODEL_PATH.stat().st_size < 64 * 1024
    meta = json.loads(MODEL_PATH.with_suffix(".json").read_text())
    assert meta["test"]["tflite_int8_accuracy"] >= 0.9


def test_probabilities_are_probabilities(model: PunchKindModel) -> None:
    x = np.random.default_rng(0).normal(0, 0.4, (WINDOW, FEATURES)).astype(np.float32)
    p = model.predict(x)
    assert p.shape == (len(CLASSES),)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 0.05


def test_model_names_held_apart_punches(model: PunchKindModel) -> None:
    """Fresh clips (a seed never used in training): the model agrees with the ground truth."""
    from models.punch_dataset import build

    data = build(80, seed=909)
    assert len(data.y) >= 40
    pred = np.array([int(np.argmax(model.predict(x))) for x in data.x])
    accuracy = float(np.mean(pred == data.y))
    assert accuracy >= 0.85, accuracy


def test_missing_or_corrupt_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        PunchKindModel(tmp_path / "nope.tflite")
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer at all")
    with pytest.raises(ModelError):
        PunchKindModel(bad)


def test_game_falls_back_to_rules_without_the_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import models.punch_model as pm
    from game.boxing import make_punch_detector

    monkeypatch.setattr(pm, "MODEL_PATH", tmp_path / "missing.tflite")
    monkeypatch.setattr(pm.PunchKindModel.__init__, "__defaults__", (tmp_path / "missing.tflite",))
    det = make_punch_detector(use_model=True)
    assert det.kind_classifier is None  # rules name the kinds; nothing crashes


def fake_runtime(monkeypatch: pytest.MonkeyPatch, package: str) -> type:
    """Installs a stand-in ``<package>.interpreter.Interpreter`` (never instantiated) and returns it."""
    import sys
    import types

    interpreter = types.ModuleType(f"{package}.interpreter")
    cls = type(f"{package}_Interpreter", (), {})
    monkeypatch.setattr(interpreter, "Interpreter", cls, raising=False)
    monkeypatch.setitem(sys.modules, package, types.ModuleType(package))
    monkeypatch.setitem(sys.modules, f"{package}.interpreter", interpreter)
    return cls


def test_litert_is_preferred_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """ai_edge_litert (LiteRT) is tried first; tflite-runtime only where LiteRT is not installed;
    with neither, a clear ModelError naming what to install."""
    import sys

    import models.punch_model as pm

    litert = fake_runtime(monkeypatch, "ai_edge_litert")
    old = fake_runtime(monkeypatch, "tflite_runtime")
    assert pm._interpreter_class() is litert
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)  # not installed
    assert pm._interpreter_class() is old
    monkeypatch.setitem(sys.modules, "tflite_runtime.interpreter", None)  # neither installed
    with pytest.raises(ModelError, match="ai-edge-litert"):
        pm._interpreter_class()
