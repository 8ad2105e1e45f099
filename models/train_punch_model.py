"""Train the punch-kind model and export it as an int8 .tflite.

Run in the training environment (TensorFlow is never a run-time dependency):

    python3.11 -m venv .venv-train
    .venv-train/bin/pip install -e '.[train]'
    .venv-train/bin/python -m models.train_punch_model

Data: synthetic clips from ``models/punch_synth.py`` pushed through the real detector
(``models/punch_dataset.py``); train, validation and test sets come from different seeds, so the
test clips (bodies, cameras, noise) were never seen. Writes ``models/punch_kind.tflite`` and
``models/punch_kind.json`` (classes, window, and the measured figures).

Architecture: two 1-D convolutions over time (16 steps x 16 features), global average and max
pooling, one hidden dense layer: about 4k weights. Features: ``game/boxing/features.py``. Quantised to int8 weights and activations with
a representative set from the training windows; float32 in and out, so callers need not know
the scales.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from game.boxing.features import CLASSES, FEATURES, WINDOW
from models.punch_dataset import Dataset, build

HERE = Path(__file__).resolve().parent
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


def make_model(tf):  # type: ignore[no-untyped-def]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-clips", type=int, default=5000)
    ap.add_argument("--val-clips", type=int, default=800)
    ap.add_argument("--test-clips", type=int, default=1500)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--out", type=Path, default=HERE / "punch_kind.tflite")
    args = ap.parse_args()

    import tensorflow as tf

    tf.keras.utils.set_random_seed(7)
    t0 = time.time()
    train = load_or_build("train", args.train_clips, 101)
    val = load_or_build("val", args.val_clips, 202)
    test = load_or_build("test", args.test_clips, 303)
    print(f"data: train {len(train.y)}, val {len(val.y)}, test {len(test.y)} windows "
          f"({time.time() - t0:.0f} s); class counts {np.bincount(train.y, minlength=len(CLASSES))}")

    counts = np.bincount(train.y, minlength=len(CLASSES)).astype(float)
    weights = {i: float(counts.sum() / (len(CLASSES) * max(c, 1.0))) for i, c in enumerate(counts)}
    model = make_model(tf)
    model.compile(optimizer=tf.keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(train.x, train.y, validation_data=(val.x, val.y), epochs=args.epochs, batch_size=64,
              class_weight=weights, verbose=2,
              callbacks=[tf.keras.callbacks.EarlyStopping(patience=8, restore_best_weights=True)])

    def representative():  # type: ignore[no-untyped-def]
        for i in range(0, min(len(train.x), 800)):
            yield [train.x[i : i + 1]]

    # Keras 3's from_keras_model path crashes the MLIR converter in TF 2.16 (variables inside
    # Conv1D); exporting a SavedModel first converts cleanly.
    import tempfile

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
                       "train_clips": args.train_clips, "seeds": [101, 202]},
        "test": {"windows": int(len(test.y)), "clips": args.test_clips, "seed": 303,
                 "keras_accuracy": round(keras_acc, 4), "tflite_int8_accuracy": round(tfl_acc, 4),
                 "rules_accuracy": round(rule_acc, 4)},
        "size_bytes": len(blob),
        "tensorflow": tf.__version__,
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta, indent=2))


if __name__ == "__main__":
    main()
