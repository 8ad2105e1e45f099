"""Run the punch-kind model (``models/punch_kind.tflite``) on device.

The interpreter comes from ``ai_edge_litert`` (LiteRT, the TFLite runtime under its new name, a
run-time dependency with numpy-2 wheels), else from an older ``tflite_runtime`` if that is what is
installed. TensorFlow itself is never needed at run time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from game.errors import ModelError

MODEL_PATH = Path(__file__).resolve().parent / "punch_kind.tflite"


def _interpreter_class() -> Any:
    """LiteRT (``ai_edge_litert``, the TFLite runtime's current name and home) first; the older
    ``tflite_runtime`` wheel where that is what is installed (it has no numpy-2 builds)."""
    try:
        from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415 - optional: whichever TFLite runtime is installed

        return Interpreter
    except ImportError:
        pass
    try:
        from tflite_runtime.interpreter import Interpreter  # noqa: PLC0415 - optional: whichever TFLite runtime is installed

        return Interpreter
    except ImportError as exc:
        raise ModelError(
            "No TFLite runtime is installed: run 'make install' (it installs ai-edge-litert)."
        ) from exc


class PunchKindModel:
    """Classifies a (16, 16) window (``game.boxing.features``) into the model's classes."""

    def __init__(self, path: str | Path = MODEL_PATH, *, num_threads: int = 1) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"Punch model not found at {self.path}: reinstall Ringside, or retrain "
                             "it with 'python -m models.train_punch_model'.")
        meta_path = self.path.with_suffix(".json")
        try:
            self.meta: dict[str, Any] = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
        except (OSError, ValueError) as exc:
            raise ModelError(f"Punch model metadata {meta_path} is unreadable ({exc}): reinstall Ringside.") from exc
        Interpreter = _interpreter_class()
        try:
            self._interp = Interpreter(model_path=str(self.path), num_threads=num_threads)
            self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"Punch model {self.path} cannot be loaded ({exc}): reinstall Ringside.") from exc
        inp = self._interp.get_input_details()[0]
        out = self._interp.get_output_details()[0]
        self._in, self._out = inp["index"], out["index"]
        self.input_shape = tuple(int(d) for d in inp["shape"])
        self.input_dtype = inp["dtype"]
        self.classes: tuple[str, ...] = tuple(self.meta.get("classes", ("straight", "hook", "uppercut", "none")))
        if len(self.input_shape) != 3 or int(out["shape"][-1]) != len(self.classes):
            raise ModelError(f"Punch model {self.path} has an unexpected shape {self.input_shape}: reinstall Ringside.")

    def predict(self, window: np.ndarray) -> np.ndarray:
        """Class probabilities for one window of shape (steps, features)."""
        x = np.asarray(window, dtype=np.float32).reshape(self.input_shape)
        self._interp.set_tensor(self._in, x)
        self._interp.invoke()
        return np.array(self._interp.get_tensor(self._out)[0], dtype=np.float64)

    def tensor_types(self) -> list[str]:
        """dtype names of every tensor (to check the model is int8-quantised)."""
        return sorted({str(np.dtype(t["dtype"])) for t in self._interp.get_tensor_details()})
