"""The pose bundle as the game runs it: BlazePose full without its segmentation head.

The landmark model of BlazePose full has five outputs, which MediaPipe Tasks splits in this order:
landmarks, pose presence, a 256x256 person mask, a 64x64 heatmap (used to refine the landmarks)
and world landmarks. The mask is made by its own decoder branch at full resolution: 46 of the
model's 332 operators, 9 % of its multiply-adds but, being memory-bound at 256x256, about a third
of its time (measured 2026-12-05, LiteRT on one thread: 22.6 -> 14.2 ms per call). The game never
asks for the mask, and Tasks leaves the segmentation tensor untouched when masks are off (its
``SinglePoseLandmarksDetectorGraph`` only decodes it for a ``SEGMENTATION_MASK`` output), but the
model still computes it on every frame.

:func:`landmarks_only_bundle` therefore derives, in memory and at load time, a bundle whose
landmark model keeps every operator the other four outputs need (same weights, same arithmetic:
their values are bit-identical) and whose segmentation output becomes a 1x1x1x1 copy of the
presence score, so Tasks still finds five outputs. The shipped ``.task`` is unchanged and is what a
caller that wants masks gets (``segmentation=True`` in :func:`game.pose.backend.create_landmarker`).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

from game.errors import ModelError

LANDMARK_MEMBER = "pose_landmarks_detector.tflite"
# Output positions in the order Tasks splits them (pose_landmarks_detector_graph.cc).
PRESENCE_OUTPUT = 1
SEGMENTATION_OUTPUT = 2
OUTPUT_COUNT = 5
ALIGNMENT = 16  # TFLite reads constant buffers in place when 16-byte aligned (else it copies them)


def _producers(subgraph: Any) -> dict[int, int]:
    return {int(t): i for i, op in enumerate(subgraph.operators) for t in op.outputs}


def _needed_ops(subgraph: Any, outputs: list[int]) -> set[int]:
    """Indices of the operators that the given output tensors depend on."""
    producer = _producers(subgraph)
    seen: set[int] = set()
    stack = [int(t) for t in outputs]
    while stack:
        op_index = producer.get(stack.pop())
        if op_index is None or op_index in seen:
            continue
        seen.add(op_index)
        stack.extend(int(t) for t in subgraph.operators[op_index].inputs if t >= 0)
    return seen


def without_segmentation(model: bytes) -> bytes:
    """The BlazePose landmark model ``model`` (a ``.tflite``) without its segmentation branch.

    Raises :class:`ModelError` when the model does not have BlazePose's five outputs with a
    single-channel mask in third place (another model: nothing is guessed).
    """
    try:
        tree = schema.ModelT.InitFromPackedBuf(model, 0)
    except Exception as exc:
        raise ModelError(f"the pose landmark model cannot be read ({exc}): reinstall Ringside") from exc
    graph = tree.subgraphs[0]
    outputs = [int(t) for t in graph.outputs]
    if len(outputs) != OUTPUT_COUNT:
        raise ModelError(f"the pose landmark model has {len(outputs)} outputs, not BlazePose's {OUTPUT_COUNT}")
    mask, presence = outputs[SEGMENTATION_OUTPUT], outputs[PRESENCE_OUTPUT]
    mask_shape = [int(d) for d in graph.tensors[mask].shape]
    if len(mask_shape) != 4 or mask_shape[3] != 1 or int(np.prod(graph.tensors[presence].shape)) != 1:
        raise ModelError("the pose landmark model's outputs are not BlazePose's (mask, presence)")
    kept = _needed_ops(graph, [t for t in outputs if t != mask])
    # The presence output is a RESHAPE of the presence score; the placeholder is another one.
    presence_op = graph.operators[_producers(graph)[presence]]
    placeholder = schema.OperatorT()
    placeholder.opcodeIndex = presence_op.opcodeIndex
    placeholder.inputs = np.array([presence_op.inputs[0]], dtype=np.int32)
    placeholder.outputs = np.array([mask], dtype=np.int32)
    placeholder.builtinOptionsType = schema.BuiltinOptions.ReshapeOptions
    placeholder.builtinOptions = schema.ReshapeOptionsT()
    placeholder.builtinOptions.newShape = [1, 1, 1, 1]
    graph.operators = [op for i, op in enumerate(graph.operators) if i in kept] + [placeholder]
    graph.tensors[mask].shape = np.array([1, 1, 1, 1], dtype=np.int32)
    if graph.tensors[mask].shapeSignature is not None:
        graph.tensors[mask].shapeSignature = np.array([1, 1, 1, 1], dtype=np.int32)
    tree.buffers = [_AlignedBuffer(b) for b in tree.buffers]
    builder = flatbuffers.Builder(len(model) + 4096)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


class _AlignedBuffer:
    """A model buffer packed with its data 16-byte aligned (the object API aligns to 1 byte)."""

    def __init__(self, buffer: Any) -> None:
        self._buffer = buffer

    def Pack(self, builder: Any) -> Any:
        """Called by ``ModelT.Pack`` (the object API's method name)."""
        data = self._buffer.data
        if data is not None and len(data):
            builder.Prep(ALIGNMENT, len(data))  # the vector's bytes then start on a boundary
        return self._buffer.Pack(builder)


def write_aligned_zip(members: dict[str, bytes]) -> bytes:
    """An uncompressed zip (what Tasks reads a bundle as) with each member's data 16-byte aligned."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            # Local header = 30 bytes + name + extra; pad the extra field so the data is aligned.
            start = out.tell() + 30 + len(name.encode())
            pad = -start % ALIGNMENT
            if pad and pad < 4:
                pad += ALIGNMENT  # an extra field holds at least its 4-byte header
            if pad:
                info.extra = (0xCAFE).to_bytes(2, "little") + (pad - 4).to_bytes(2, "little") + b"\0" * (pad - 4)
            zf.writestr(info, members[name])
    return out.getvalue()


def landmarks_only_bundle(path: Path) -> bytes:
    """The bundle at ``path`` with :func:`without_segmentation` applied to its landmark model, as
    bytes for ``BaseOptions(model_asset_buffer=...)``; every other member unchanged.

    Raises :class:`ModelError` when the bundle cannot be read or is not BlazePose's.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            members = {name: zf.read(name) for name in zf.namelist()}
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"cannot read the pose model {path.name} ({exc}): reinstall Ringside") from exc
    if LANDMARK_MEMBER not in members:
        raise ModelError(f"the pose model {path.name} holds no {LANDMARK_MEMBER}: reinstall Ringside")
    members[LANDMARK_MEMBER] = without_segmentation(members[LANDMARK_MEMBER])
    return write_aligned_zip(members)
