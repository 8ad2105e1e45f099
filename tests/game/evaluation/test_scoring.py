"""The accuracy harness's verdicts, on events and labels made here (no video needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.errors import UsageError
from game.evaluation.labels import LabelledPunch, load_labels, parse_entry
from game.evaluation.scoring import boxing_mode_phantoms, double_reports, judge, match_punches, totals


def rep(bottom: float, counted: bool = True, reason: str | None = None) -> dict:
    return {"type": "rep", "t": bottom + 1.0, "bottom": bottom, "counted": counted, "reason": reason}


def punch(t: float, kind: str = "jab", hand: str = "left", complete: bool = True) -> dict:
    return {"type": "punch", "t": t, "kind": kind, "hand": hand, "complete": complete}


def test_rep_clip_within_tolerance_and_the_reasons_of_a_miss() -> None:
    lab = parse_entry("video/a.mp4", {"exercise": "squat", "complete_reps": 3, "tol": 0,
                                      "bottoms_s": [1.0, 3.0, 5.0]})
    ok = judge(lab, [rep(1.0), rep(3.1), rep(5.0)])
    assert ok.ok and ok.hits == 3 and ok.phantoms == 0 and ok.off_time == 0
    miss = judge(lab, [rep(1.0), rep(3.0, False, "not_deep_enough"),
                       {"type": "status", "state": "paused", "cue": "Sit deeper"}])
    assert not miss.ok and miss.got == 1 and miss.hits == 1
    assert "not_deep_enough x1" in miss.why and "Sit deeper" in miss.why


def test_tolerance_and_off_time_reps() -> None:
    lab = parse_entry("video/a.mp4", {"exercise": "lunge", "complete_reps": 2, "tol": 1, "bottoms_s": [2.0, 6.0]})
    r = judge(lab, [rep(2.0), rep(6.0), rep(12.0)])
    assert r.ok and r.phantoms == 1 and r.off_time == 1


def test_negative_clip_counts_everything_as_phantom() -> None:
    lab = parse_entry("video/neg.mp4", {"exercise": "boxing", "count_max": 0})
    assert judge(lab, [punch(1.0, complete=False)]).ok
    r = judge(lab, [punch(1.0), punch(2.0)])
    assert not r.ok and r.phantoms == 2


def test_non_boxing_clips_in_boxing_mode_count_every_complete_punch() -> None:
    squats = parse_entry("video/squats.mp4", {"exercise": "squat", "complete_reps": 3, "tol": 0})
    march = parse_entry("video/neg_march.mp4", {"exercise": "lunge", "count_max": 0})
    got = boxing_mode_phantoms([(squats, [punch(1.0, complete=False), rep(2.0)]),
                                (march, [punch(1.0, "uppercut"), punch(3.0, complete=False), punch(5.0)])])
    assert got == {"clips": 2, "clips_clean": 1, "punches": 2, "half_punches": 2, "by_clip": {"neg_march": 2}}


def test_punches_match_closest_first_and_fill_the_confusion_matrix() -> None:
    lab = parse_entry("video/p.mp4", {"exercise": "boxing", "punches": 3, "tol": 0, "kinds": [
        {"t": 1.0, "kind": "jab", "hand": "left"}, {"t": 1.5, "kind": "cross", "hand": "right"},
        {"t": 3.0, "kind": "hook", "hand": "left"}]})
    r = judge(lab, [punch(1.05, "jab", "left"), punch(1.45, "jab", "right"), punch(5.0, "uppercut")])
    assert r.ok  # three found, three labelled
    assert r.hits == 2 and r.phantoms == 1
    t = totals([r])
    assert t.confusion["jab"]["jab"] == 1 and t.confusion["cross"]["jab"] == 1
    assert t.confusion["hook"]["missed"] == 1
    assert t.kind_accuracy == 0.5 and t.hand_accuracy == 1.0
    assert t.punch_recall == round(2 / 3, 3) and t.punch_precision == round(2 / 3, 3)


def test_straight_accepts_jab_or_cross_and_untimed_labels_pair_in_order() -> None:
    pairs, extra = match_punches([LabelledPunch(None, "straight"), LabelledPunch(None, "straight")],
                                 [punch(0.5, "cross"), punch(1.5, "hook"), punch(2.0, "jab")])
    assert extra == 1 and [p.is_kind_right for p in pairs] == [True, False]


def test_segment_limits_what_counts() -> None:
    lab = parse_entry("video/j.mp4", {"exercise": "boxing", "segment_s": [40.0, 50.0],
                                      "punches_in_segment": 1, "punch_times_s": [45.0], "hand": "lead (jab)"})
    r = judge(lab, [punch(10.0), punch(45.1)])
    assert r.ok and r.got == 1 and r.pairs[0].is_kind_right


def test_a_punch_reported_half_then_complete_is_counted_as_reported_twice() -> None:
    """The half report of an uppercut, then the complete one already moving at its peak; a half
    jab and a complete jab of the other hand, and a half punch followed by a new punch of the same
    hand a second later, are not the same punch."""
    half = {**punch(1.00, "uppercut", "right", complete=False), "onset": 0.85}
    full = {**punch(1.07, "uppercut", "right"), "onset": 0.80}
    assert double_reports([half, full]) == 1
    assert double_reports([full, half]) == 0  # the complete one first: the half comes from a later move
    assert double_reports([half, {**punch(1.07, "jab", "left"), "onset": 0.9}]) == 0
    assert double_reports([half, {**punch(2.1, "uppercut", "right"), "onset": 1.9}]) == 0
    assert double_reports([half, {**punch(1.15, "jab", "right"), "onset": 1.02}]) == 1  # within 0.2 s
    assert double_reports([half, full], seg=(2.0, 3.0)) == 0
    lab = parse_entry("video/b.mp4", {"exercise": "boxing", "punches": 1, "tol": 0, "punch_times_s": [1.05]})
    r = judge(lab, [half, full])
    assert r.ok and r.double_reports == 1 and r.half_punches == 1
    t = totals([r])
    assert t.double_reports == 1 and t.complete_punches == 1 and t.half_punches == 1


def test_bad_labels_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        load_labels(tmp_path / "nope.json")
    bad = tmp_path / "labels.json"
    bad.write_text(json.dumps({"videos": {"video/x.mp4": {"exercise": "squat"}}}))
    with pytest.raises(UsageError, match="no count"):
        load_labels(bad)
    bad.write_text("{not json")
    with pytest.raises(UsageError, match="cannot read"):
        load_labels(bad)


def test_the_shared_labels_parse(labels: dict) -> None:
    parsed = [parse_entry(k, v) for k, v in labels["videos"].items()]
    assert all(p.kind in ("reps", "punches", "negative", "robustness") for p in parsed)
    assert any(p.kind == "negative" for p in parsed) and any(p.punch_list for p in parsed)
