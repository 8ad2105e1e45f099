"""``ringside eval`` end to end on a labels file made here, with skeletons already in the cache
(so no pose model runs): rows, totals, --only, --json and a video the labels name but nobody has."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from game.evaluation.cache import cache_key, cached_path
from game.evaluation.cli import evaluate
from game.evaluation.runner import detector_events, player_frames
from game.pose.recording import RecordingWriter
from game.pose.types import TrackedPose
from game.reps.synthetic import Move, simulate


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    data, cache = tmp_path / "data", tmp_path / "cache"
    (data / "video").mkdir(parents=True)
    video = data / "video" / "three_squats.mp4"
    video.write_bytes(b"not decoded: the skeletons are cached")
    frames = simulate("squat", [Move("stand", 1.0)] + [Move("rep", 2.0), Move("stand", 0.8)] * 3,
                      rng=np.random.default_rng(3), t0_ms=1000.0)
    out = cached_path(cache, video)
    with RecordingWriter(out, image_size=frames[0].image_size, fps=30.0) as w:
        for f in frames:
            w.write(f)
    out.with_suffix(".key").write_text(cache_key(video))
    labels = {"_what": "test", "videos": {
        "video/three_squats.mp4": {"exercise": "squat", "complete_reps": 3, "tol": 0},
        "video/three_squats_as_lunges.mp4": {"exercise": "lunge", "complete_reps": 3, "tol": 0},
    }}
    (data / "labels.json").write_text(json.dumps(labels))
    return data / "labels.json", cache


def test_eval_prints_the_table_and_totals(tmp_path: Path) -> None:
    labels, cache = _setup(tmp_path)
    res = CliRunner().invoke(evaluate, [str(labels), "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    assert "three_squats " in res.output and "video not found" in res.output
    assert "totals: 1/2 clips within tolerance; 0 punches on the 1 non-boxing clips in boxing mode" in res.output
    assert "non-boxing clips in boxing mode: 0 complete punches on 0 of 1 clips" in res.output
    strict = CliRunner().invoke(evaluate, [str(labels), "--cache", str(cache), "--strict"])
    assert strict.exit_code == 3


def test_eval_json_and_only(tmp_path: Path) -> None:
    labels, cache = _setup(tmp_path)
    res = CliRunner().invoke(evaluate, [str(labels), "--cache", str(cache), "--json", "--only", "three_squats.mp4"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert [x["type"] for x in lines] == ["clip", "totals"]
    assert lines[0]["got"] == 3 and lines[0]["ok"] is True
    assert lines[1]["by_exercise"]["squat"]["recall"] == 1.0
    assert lines[1]["boxing_mode"]["clips"] == 1 and lines[1]["boxing_mode"]["punches"] == 0
    none = CliRunner().invoke(evaluate, [str(labels), "--cache", str(cache), "--only", "nothing"])
    assert none.exit_code != 0 and "no labelled clip matches" in str(none.exception or none.output)


def test_a_recording_of_two_people_is_judged_on_the_one_who_squats(tmp_path: Path) -> None:
    """The tracker's player (id 1) only stands; the other person (id 2) squats three times: the
    events judged are the squatter's, and replaying the judged person's frames gives the same."""
    stander = simulate("squat", [Move("stand", 9.0)], rng=np.random.default_rng(4), t0_ms=1000.0)
    squatter = simulate("squat", [Move("stand", 1.0)] + [Move("rep", 2.0), Move("stand", 0.8)] * 3,
                        rng=np.random.default_rng(3), t0_ms=1000.0)
    path = tmp_path / "two.rsk"
    with RecordingWriter(path, image_size=squatter[0].image_size, people=True) as w:
        for a, b in zip(stander, squatter):
            w.write(a, (TrackedPose(1, "left", True, a), TrackedPose(2, "right", False, b)))
    events = detector_events(path, "squat")
    assert sum(1 for e in events if e["type"] == "rep" and e["counted"]) == 3
    frames = player_frames(path, "squat")
    assert len(frames) == min(len(stander), len(squatter))
    assert all(f.landmarks_px is not None and np.allclose(f.landmarks_px[:, :2], b.landmarks_px[:, :2], atol=1e-3)
               for f, b in zip(frames, squatter) if b.landmarks_px is not None)
