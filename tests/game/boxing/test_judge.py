"""The excursion judge hook of the detector and the judge's weights file (the model that may
decide, in place of the rules' judge, what is a punch and its family)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pytest

from game.boxing import PunchDetector, PunchEvent
from game.boxing.features import EXCURSION_FEATURES, JUDGE_CLASSES
from game.boxing.model_kind import JUDGE_PATH, judge_from_weights, load_judge
from game.errors import ModelError
from game.pose.types import PoseFrame
from tests.game.boxing.test_detector import complete, make_punch, seed_of


def run(det: PunchDetector, frames: Iterable[PoseFrame]) -> list[PunchEvent]:
    out: list[PunchEvent] = []
    for f in frames:
        out += det.update(f)
    return out + det.finish()


def weights(bias: dict[str, float]) -> dict[str, object]:
    """A judge that ignores its input and always prefers the class with the largest bias."""
    n, k = len(EXCURSION_FEATURES), len(JUDGE_CLASSES)
    return {"classes": list(JUDGE_CLASSES), "features": list(EXCURSION_FEATURES), "mean": [0.0] * n,
            "scale": [1.0] * n, "w1": [[]] * n, "b1": [], "w": np.zeros((n, k)).tolist(),
            "b": [bias.get(c, 0.0) for c in JUDGE_CLASSES]}


def test_the_judge_decides_the_family_and_that_it_counts() -> None:
    clip = make_punch("jab", 0.0, seed_of("judge", "jab"))
    rules = complete(run(PunchDetector(orthodox=not clip.body.southpaw), clip.frames))
    assert [e.kind for e in rules] == ["jab"]
    judged = run(PunchDetector(orthodox=not clip.body.southpaw, judge=judge_from_weights(weights({"hook": 5.0}))),
                 clip.frames)
    got = complete(judged)
    assert got and all(e.kind == "hook" and e.kind_source == "judge" for e in got)


def test_a_judge_that_sees_no_punch_leaves_at_most_half_punches() -> None:
    """What the judge calls "none" never counts; what the rules took for a punch is still shown as a
    half punch ("throw it all the way"), what they refused is refused."""
    clip = make_punch("cross", 30.0, seed_of("judge", "none"))
    det = PunchDetector(orthodox=not clip.body.southpaw, judge=judge_from_weights(weights({"none": 5.0})))
    events = run(det, clip.frames)
    assert complete(events) == [] and len(events) >= 1
    assert any(why == "judge: not a punch" for _, _, why in det.rejected) or len(events) == len(det.candidates)


def test_weights_for_other_features_are_refused(tmp_path: Path) -> None:
    doc = weights({})
    doc["features"] = list(EXCURSION_FEATURES)[:-1]
    with pytest.raises(ModelError):
        judge_from_weights(doc)
    path = tmp_path / "judge.json"
    path.write_text(json.dumps(doc))
    assert load_judge(path) is None  # the game falls back to the rules


def test_the_committed_judge_loads_and_is_measured() -> None:
    doc = json.loads(JUDGE_PATH.read_text())
    judge_from_weights(doc)
    assert {"recall", "precision", "clips"} <= set(doc["loco"]) and "recall" in doc["rules_same_clips"]
