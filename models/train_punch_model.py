"""Train the punch-kind model and export it as an int8 .tflite.

Run in the training environment (TensorFlow is never a run-time dependency):

    python3.11 -m venv .venv-train
    .venv-train/bin/pip install -e '.[train]'
    .venv-train/bin/python -m models.train_punch_model

Data: synthetic clips from ``models/punch_synth.py`` pushed through the real detector
(``models/punch_dataset.py``); train, validation and test sets come from different seeds, so the
test clips (bodies, cameras, noise) were never seen. Plus the real labelled punches: every
detector candidate on the skeletons of the labelled boxing videos of ../shared/data/labels.json
(``--recordings``, ``<stem>.rsk``) and on the COCO-17 hook drills, weighted up. On real data the
model is judged leave-one-clip-out: each clip is named by a model that never saw it, and the rules
are scored on the same candidates. Writes ``models/punch_kind.tflite`` and ``models/punch_kind.json``
(classes, window, and the measured figures).

Architecture: two 1-D convolutions over time (16 steps x 16 features), global average and max
pooling, one hidden dense layer: about 4k weights. Features: ``game/boxing/features.py``. Quantised to int8 weights and activations with
a representative set from the training windows; float32 in and out, so callers need not know
the scales.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from game.boxing.features import CLASSES, FEATURES, WINDOW
from game.boxing.model_kind import NONE_CONFIDENCE
from models.punch_dataset import Dataset, RealWindow, build, real_windows

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"
CACHE = HERE.parent / ".cache" / "punch_data"


def load_or_build(name: str, n: int, seed: int) -> Dataset:
    path = CACHE / f"{name}_{n}_{seed}.npz"
    if path.exists():
        z = np.load(path)
        return Dataset(z["x"], z["y"], z["rule_y"], z["clip_id"])
    d = build(n, seed)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x=d.x, y=d.y, rule_y=d.rule_y, clip_id=d.clip_id)
    return d


def make_model(tf):
    inp = tf.keras.Input((WINDOW, FEATURES), name="window")
    x = tf.keras.layers.Conv1D(24, 3, activation="relu", padding="same")(inp)
    x = tf.keras.layers.Conv1D(32, 3, activation="relu", padding="same", strides=2)(x)
    x = tf.keras.layers.Concatenate()(
        [tf.keras.layers.GlobalAveragePooling1D()(x), tf.keras.layers.GlobalMaxPooling1D()(x)]
    )
    x = tf.keras.layers.Dense(32, activation="relu")(x)
    x = tf.keras.layers.Dropout(0.2)(x)
    out = tf.keras.layers.Dense(len(CLASSES), activation="softmax", name="kind")(x)
    return tf.keras.Model(inp, out)


def real_data(args: argparse.Namespace) -> list[RealWindow]:
    """The labelled real windows (empty when the shared recordings are absent)."""
    if not args.labels.is_file() or not args.recordings.is_dir():
        print(f"no real recordings ({args.labels}, {args.recordings}): synthetic data only")
        return []
    coco = args.coco if args.coco.is_dir() else None
    return list(real_windows(args.labels, args.recordings, coco))


def stack(real: list[RealWindow]) -> tuple[np.ndarray, np.ndarray]:
    if not real:
        return np.zeros((0, WINDOW, FEATURES), np.float32), np.zeros(0, np.int64)
    return np.stack([w.x for w in real]).astype(np.float32), np.array([w.y for w in real], np.int64)


def fit(tf, train: Dataset, real: list[RealWindow], val: Dataset, epochs: int, real_weight: float):
    """A model trained on the synthetic windows plus the real ones (each real window weighted
    ``real_weight``: there are few of them, and they are the product)."""
    rx, ry = stack(real)
    x = np.concatenate([train.x, rx])
    y = np.concatenate([train.y, ry])
    counts = np.bincount(y, minlength=len(CLASSES)).astype(float)
    class_w = counts.sum() / (len(CLASSES) * np.maximum(counts, 1.0))
    w = class_w[y] * np.concatenate([np.ones(len(train.y)), np.full(len(ry), real_weight)])
    model = make_model(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, sample_weight=w, validation_data=(val.x, val.y), epochs=epochs, batch_size=128,
              verbose=0, callbacks=[tf.keras.callbacks.EarlyStopping(patience=6, restore_best_weights=True)])
    return model


def decide(p: np.ndarray) -> int:
    """The class the game takes from the model's probabilities (game/boxing/model_kind.py: a
    "not a punch" verdict below NONE_CONFIDENCE does not overrule the detector's judge)."""
    none_i = CLASSES.index("none")
    best = int(np.argmax(p))
    if best == none_i and p[best] < NONE_CONFIDENCE:
        q = p.copy()
        q[none_i] = -1.0
        best = int(np.argmax(q))
    return best


def leave_one_clip_out(tf, train: Dataset, real: list[RealWindow], val: Dataset, args: argparse.Namespace) -> dict:
    """Each real clip in turn is held out: a model trained on the synthetic windows and the
    other clips names its candidates. Returns the figures, rules alongside, on the same windows."""
    clips = sorted({w.clip for w in real})
    rows = []
    for held in clips:
        test = [w for w in real if w.clip == held]
        model = fit(tf, train, [w for w in real if w.clip != held], val, args.epochs, args.real_weight)
        probs = model.predict(stack(test)[0], verbose=0)
        for w, p in zip(test, probs):
            rows.append((w, decide(p)))
        print(f"  held out {held}: {sum(int(d == w.y) for w, d in rows if w.clip == held)}/{len(test)} right "
              f"(rules {sum(int(w.rule_y == w.y) for w in test)})", flush=True)
    punches = [(w, d) for w, d in rows if w.is_labelled_punch]
    none_i = CLASSES.index("none")
    video = [(w, d) for w, d in punches if not w.clip.startswith("coco_")]
    return {
        "clips": len(clips),
        "labelled_punches": len(punches),
        "model_right": sum(int(d == w.y) for w, d in punches),
        "rules_right": sum(int(w.rule_y == w.y) for w, _ in punches),
        "model_refused_as_none": sum(int(d == none_i) for _, d in punches),
        "video_punches": len(video),
        "video_model_right": sum(int(d == w.y) for w, d in video),
        "video_rules_right": sum(int(w.rule_y == w.y) for w, _ in video),
        "other_candidates": len(rows) - len(punches),
        "other_model_none": sum(int(d == none_i) for w, d in rows if not w.is_labelled_punch),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-clips", type=int, default=2000)
    ap.add_argument("--val-clips", type=int, default=400)
    ap.add_argument("--test-clips", type=int, default=600)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--real-weight", type=float, default=20.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--labels", type=Path, default=SHARED / "labels.json")
    ap.add_argument("--recordings", type=Path, default=HERE.parent / ".cache" / "recordings",
                    help="folder of <stem>.rsk skeletons of the labelled videos")
    ap.add_argument("--coco", type=Path, default=SHARED / "landmarks" / "shadowboxer_coco17")
    ap.add_argument("--out", type=Path, default=HERE / "punch_kind.tflite")
    args = ap.parse_args()

    import tensorflow as tf  # noqa: PLC0415 - lazy: TensorFlow is the `train` extra only

    tf.keras.utils.set_random_seed(7)
    # A model this small trains no faster on more threads; on a shared machine they only contend.
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    t0 = time.time()
    train = load_or_build("train", args.train_clips, 101)
    val = load_or_build("val", args.val_clips, 202)
    test = load_or_build("test", args.test_clips, 303)
    real = real_data(args)
    print(f"data: train {len(train.y)}, val {len(val.y)}, test {len(test.y)} synthetic windows, "
          f"{len(real)} real ({time.time() - t0:.0f} s); class counts {np.bincount(train.y, minlength=len(CLASSES))}")

    loco = leave_one_clip_out(tf, train, real, val, args) if real else {}
    if loco:
        print("leave-one-clip-out:", json.dumps(loco))
    model = fit(tf, train, real, val, args.epochs, args.real_weight)

    def representative():
        for i in range(0, min(len(train.x), 800)):
            yield [train.x[i : i + 1]]

    # Keras 3's from_keras_model path crashes the MLIR converter in TF 2.16 (variables inside
    # Conv1D); exporting a SavedModel first converts cleanly.

    export_dir = tempfile.mkdtemp(prefix="punch_kind_")
    model.export(export_dir)
    conv = tf.lite.TFLiteConverter.from_saved_model(export_dir)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = representative
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    blob = conv.convert()
    args.out.write_bytes(blob)

    keras_acc = float(np.mean(np.argmax(model.predict(test.x, verbose=0), axis=1) == test.y))
    interp = tf.lite.Interpreter(model_content=blob)
    interp.allocate_tensors()
    i_in, i_out = interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"]
    pred = []
    for x in test.x:
        interp.set_tensor(i_in, x[None])
        interp.invoke()
        pred.append(int(np.argmax(interp.get_tensor(i_out)[0])))
    tfl_acc = float(np.mean(np.array(pred) == test.y))
    rule_acc = float(np.mean(test.rule_y == test.y))
    meta = {
        "classes": list(CLASSES),
        "window": WINDOW,
        "features": FEATURES,
        "trained_on": {"train_windows": int(len(train.y)), "val_windows": int(len(val.y)),
                       "train_clips": args.train_clips, "seeds": [101, 202],
                       "real_windows": len(real), "real_clips": sorted({w.clip for w in real}),
                       "real_weight": args.real_weight},
        "test": {"windows": int(len(test.y)), "clips": args.test_clips, "seed": 303,
                 "keras_accuracy": round(keras_acc, 4), "tflite_int8_accuracy": round(tfl_acc, 4),
                 "rules_accuracy": round(rule_acc, 4)},
        "real_leave_one_clip_out": loco,
        "size_bytes": len(blob),
        "tensorflow": tf.__version__,
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
