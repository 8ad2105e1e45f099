"""Scene flows with a generated player: counting, pausing, finishing, camera loss, review."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from game.errors import CameraUnavailableError
from game.feed import FeedStatus, PoseFeed
from game.input import Action, InputEvent
from game.moves import SyntheticSession
from game.pose.recording import RecordingWriter
from game.pose.types import PoseFrame
from tests.game.scenes.conftest import run_steps


def test_scripted_squat_challenge_counts_full_reps_and_not_the_shallow_one(make_app: Any) -> None:
    app = make_app("squat", target=4)
    run_steps(app, 60 * 40, draw_every=20)
    assert app.sessions, "the challenge should have finished"
    session = app.sessions[-1].to_json()
    reps = session["reps"]
    assert session["stats"]["reps"] == 4
    assert session["ended"] == "target"
    # the generated set has a shallow third attempt: it must be refused, with a reason
    refused = [r for r in reps if not r["counted"]]
    assert refused and refused[0]["reason"]
    assert app.stack.top.name == "results"
    assert "sfx:paused" in app.audio.log and "say:n4" in app.audio.log
    # a generated demo player's session is never the player's own: shown, not kept
    assert session["source_kind"] == "demo" and session["saved"] is False
    assert app.history.sessions == []


def test_pause_menu_stops_the_session_clock(make_app: Any) -> None:
    app = make_app("squat")
    run_steps(app, 60 * 5)
    scene = app.stack.top
    app.dispatch(InputEvent(Action.PAUSE))
    run_steps(app, 2)
    assert app.stack.top.name == "paused"
    active = scene.active_s
    run_steps(app, 120)
    assert scene.active_s == active
    app.dispatch(InputEvent(Action.SELECT))  # "Resume" is focused
    run_steps(app, 30)
    assert app.stack.top is scene and scene.active_s > active


def test_boxing_session_runs_rounds_and_records_stats(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", target=1)
    scene = app.stack.top
    run_steps(app, 60 * 14, draw_every=30)
    assert scene.rules is not None, "the round should start once the player is seen in guard"
    assert scene.rules.view().phase == "round"
    scene.finish("player")
    run_steps(app, 2)
    session = app.sessions[-1].to_json()
    assert session["exercise"] == "boxing"
    # the demo boxer answers the cues: it lands most of them, on time
    stats = session["stats"]
    assert stats["hits"] >= 3 and stats["perfect"] >= 1
    assert stats["score"] > 0 and "sfx:hit" in " ".join(app.audio.log)
    assert app.stack.top.name == "results"
    # the figures are the rules' own, and the record carries what a replay needs
    rules = scene.rules.session_stats()
    assert {k: stats[k] for k in rules} == rules
    assert session["seed"] == scene.seed
    assert session["difficulty"]["window_scale"] == scene.rules.difficulty.window_scale
    assert session["difficulty"]["kinds"] == list(scene.rules.difficulty.kinds)
    assert session["calibration"]["reach_px"] == scene.rules.calibration.reach_px


class FlakyCamera:
    """A fake camera: delivers, then 'unplugs' (raises), then comes back after ``gap_s``."""

    def __init__(self, frames_before: int, gap_s: float) -> None:
        self.frames_before = frames_before
        self.gap_s = gap_s
        self.opened = 0
        self.unplugged_at: float | None = None
        self.lock = threading.Lock()

    def __call__(self) -> Iterator[tuple[PoseFrame, np.ndarray | None, float]]:
        with self.lock:
            self.opened += 1
            n_open = self.opened
            if self.unplugged_at is not None and time.monotonic() - self.unplugged_at < self.gap_s:
                raise CameraUnavailableError("camera 0: no frames (unplugged?)")
        frames = SyntheticSession(exercise="squat", seed=3).frames()
        for i, frame in enumerate(frames):
            if n_open == 1 and i >= self.frames_before:
                self.unplugged_at = time.monotonic()
                raise CameraUnavailableError("camera 0: no frames (unplugged?)")
            time.sleep(1 / 120)
            yield frame, np.zeros((48, 64, 3), np.uint8), time.perf_counter()


def test_camera_unplugged_mid_session_pauses_and_resumes(make_app: Any) -> None:
    app = make_app("squat", demo=None)
    camera = FlakyCamera(frames_before=40, gap_s=1.5)
    app.feed = PoseFeed(camera, label="camera 0", pacing="wall", is_camera=True,
                        retry_s=0.2).start()
    scene = app.stack.top
    saw_lost = False
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        run_steps(app, 6, draw_every=6)
        time.sleep(0.01)
        if app.stack.top.name == "camera_lost":
            saw_lost = True
            frozen = scene.active_s
            run_steps(app, 30, draw_every=30)
            if app.stack.top.name == "camera_lost":
                assert scene.active_s == frozen, "the session must not run while the camera is gone"
        if saw_lost and app.stack.top is scene and app.feed.status == FeedStatus.LIVE:
            break
    assert saw_lost, "losing the camera should show the camera-lost screen"
    assert app.stack.top is scene, "the session should resume by itself when the camera is back"
    assert app.feed.losses >= 1 and camera.opened >= 2
    assert "say:camera_back" in app.audio.log


def test_no_camera_title_explains_and_offers_demo(make_app: Any) -> None:
    app = make_app("menu", demo=None)

    def no_camera() -> Iterator[Any]:
        raise CameraUnavailableError("no camera at index 0 (none connected, or busy)")
        yield  # pragma: no cover

    app.feed = PoseFeed(no_camera, label="camera 0", is_camera=True, retry_s=5).start()
    for _ in range(100):
        if app.feed.status == FeedStatus.FAILED:
            break
        time.sleep(0.02)
    run_steps(app, 3)
    title = app.stack.top
    assert title.camera_missing
    # choosing a game without a camera starts it with the generated player
    squat = [b.key for b in title.menu.buttons].index("squat")
    app.dispatch(InputEvent(Action.CLICK, pos=title.menu.rects["squat"].center, source="mouse"))
    run_steps(app, 2)
    assert app.is_demo
    assert app.stack.top.name in ("calibration", "rep_challenge")
    assert squat >= 0


def _write_rsk(path: Path, exercise: str = "squat") -> Path:
    frames = list(SyntheticSession(exercise=exercise, depths=(1.0, 1.0, 0.3, 1.0)).frames())
    with RecordingWriter(path, image_size=frames[0].image_size, meta={"exercise": exercise}) as w:
        for f in frames:
            w.write(f)
    return path


def test_coach_review_replays_a_recording_with_its_metrics(make_app: Any, tmp_path: Path) -> None:
    from game.scenes.review import ReviewScene

    rsk = _write_rsk(tmp_path / "set.rsk")
    app = make_app("menu")
    scene = ReviewScene(app.services, path=rsk)
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 60)
    a = scene.analysis
    assert a is not None and a.exercise == "squat"
    assert a.summary["reps"] == 3
    assert sum(1 for e in a.events if e.get("type") == "rep" and not e["counted"]) == 1
    t = scene.play_t
    app.dispatch(InputEvent(Action.SELECT))  # pause
    run_steps(app, 30)
    assert scene.play_t == t
    app.dispatch(InputEvent(Action.RIGHT))
    assert scene.play_t == pytest.approx(min(a.duration_s, t + 2.0))


def test_coach_review_of_a_damaged_file_says_so(make_app: Any, tmp_path: Path) -> None:
    from game.scenes.review import ReviewScene

    bad = tmp_path / "bad.rsk"
    bad.write_bytes(b"this is not a recording")
    app = make_app("menu")
    scene = ReviewScene(app.services, path=bad)
    app.stack.push(scene)
    app.stack.apply()
    run_steps(app, 5)
    assert scene.analysis is None and scene.error and "bad.rsk" in scene.error


def test_sessions_are_recorded_for_review_outside_scripted_runs(make_app: Any) -> None:
    from game.scenes.reps import RepScene

    app = make_app("menu")
    object.__setattr__(app, "options", type(app.options)(mode="menu"))  # an interactive run
    app.stack.push(RepScene(app.services, "squat", target=2, countdown_s=0.5))
    app.stack.apply()
    deadline = time.monotonic() + 30
    while not app.sessions and time.monotonic() < deadline:
        run_steps(app, 30, draw_every=30)
        time.sleep(0.03)  # wall-paced generated player
    assert app.sessions
    path = app.sessions[-1].to_json()["recording"]
    assert path and Path(path).exists()
    from game.pose.recording import read_recording

    assert sum(1 for _ in read_recording(path)) > 30


def test_workout_runs_every_block_and_ends_with_all_results(make_app: Any) -> None:
    from game.calibration import measure
    from game.integrations import PlanBlock, TodayPlan
    from game.scenes.workout import WorkoutRunner

    app = make_app("menu")
    app.profile = measure(list(SyntheticSession(exercise="squat").frames())[:30])
    plan = TodayPlan(title="Test", reason="because", readiness="normal", source="default",
                     blocks=(PlanBlock("mobility", "Warm-up", "easy", minutes=1),
                             PlanBlock("squat", "Squats", "2 x 2", sets=2, reps=2, rest_s=5)))
    WorkoutRunner(app.services, plan).start()
    run_steps(app, 2)
    assert app.stack.top.name == "block_intro"  # "Block 1 of 2: Warm-up"
    app.dispatch(InputEvent(Action.RIGHT))
    app.dispatch(InputEvent(Action.SELECT))  # "Skip this block"
    seen: list[str] = []
    for _ in range(60 * 90):
        run_steps(app, 1, draw_every=50)
        name = app.stack.top.name
        if not seen or seen[-1] != name:
            seen.append(name)
        if name == "results":
            break
    # the next block's intro, set 1, a rest between the sets, set 2, then the results of both
    assert seen[-5:] == ["block_intro", "rep_challenge", "guided", "rep_challenge", "results"]
    assert app.stack.top.name == "results"
    assert len(app.stack.top.sessions) == 2
    assert all(s.to_json()["stats"]["reps"] == 2 for s in app.stack.top.sessions)


def test_privacy_mode_never_hands_out_pixels(make_app: Any) -> None:
    from dataclasses import replace

    app = make_app("menu", demo=None, privacy=True)
    assert app.settings.privacy_mode

    def camera() -> Iterator[tuple[PoseFrame, np.ndarray | None, float]]:
        for frame in SyntheticSession(seed=2).frames():
            yield frame, np.full((48, 64, 3), 200, np.uint8), time.perf_counter()

    app.feed = PoseFeed(camera, label="camera 0", pacing="wall", privacy=True).start()
    seen = 0
    deadline = time.monotonic() + 10
    while seen < 20 and time.monotonic() < deadline:
        for item in app.feed.poll():
            seen += 1
            assert item.image_rgb is None
        time.sleep(0.01)
    assert seen >= 20
    # turning privacy off in the settings reaches the worker
    app.update_settings(replace(app.settings, privacy_mode=False))
    deadline = time.monotonic() + 10
    shown = False
    while not shown and time.monotonic() < deadline:
        shown = any(i.image_rgb is not None for i in app.feed.poll())
        time.sleep(0.01)
    assert shown


def test_a_scene_bug_in_an_interactive_run_returns_to_the_menu(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from game.app import App, AppOptions
    from game.scenes import factory
    from game.scenes.base import BaseScene

    class Buggy(BaseScene):
        name = "buggy"

        def update(self, dt_s: float) -> None:
            raise ZeroDivisionError("a bug")

    monkeypatch.setattr(factory, "initial_scene", lambda app: Buggy(app))
    app = App(AppOptions(demo=True), home=tmp_path)  # interactive: no --exit-after
    threading.Timer(2.0, lambda: setattr(app, "running", False)).start()
    app.run()
    assert app.scenes_seen[:2] == ["buggy", "title"]
    assert "ZeroDivisionError" in (tmp_path / "crash.log").read_text()
    assert len(app.errors) == 1


def test_a_set_ends_at_the_planned_speed_loss(make_app: Any) -> None:
    from game.scenes.reps import RepScene

    app = make_app("menu")
    scene = RepScene(app.services, "squat", target=20, countdown_s=0.5, stop_loss_pct=1.0)
    app.stack.push(scene)
    app.stack.apply()
    for _ in range(60 * 60):
        run_steps(app, 1, draw_every=100)
        if scene.finished:
            break
    session = app.sessions[-1].to_json()
    assert session["ended"] == "fatigue"
    assert session["summary"]["velocity_loss_pct"] >= 1.0
    assert 2 <= session["stats"]["reps"] < 20


def test_a_live_player_pauses_with_both_hands_up(make_app: Any) -> None:
    from game.moves import Camera, KeyPose, pose_frame
    from game.scenes.reps import RepScene

    app = make_app("menu", demo=None)
    overhead = KeyPose(hand_l=(0.05, 0.62, 0.05), hand_r=(0.05, 0.62, -0.05))

    def camera() -> Iterator[tuple[PoseFrame, np.ndarray | None, float]]:
        for i in range(100000):
            time.sleep(1 / 60)
            yield (pose_frame(overhead, Camera(view="front"), i * 33.3, i),
                   np.zeros((48, 64, 3), np.uint8), time.perf_counter())

    app.feed = PoseFeed(camera, label="camera 0", pacing="wall", is_camera=True).start()
    scene = RepScene(app.services, "squat", countdown_s=0.1)
    app.stack.push(scene)
    app.stack.apply()
    deadline = time.monotonic() + 10
    while app.stack.top is scene and time.monotonic() < deadline:
        run_steps(app, 3, draw_every=3)
        time.sleep(0.02)
    assert app.stack.top.name == "paused"


def test_closing_the_window_mid_session_keeps_the_session(tmp_path: Path) -> None:
    from game.app import App, AppOptions
    from game.history import History

    app = App(AppOptions(mode="squat", demo=True, calibrate=False), home=tmp_path)
    threading.Timer(9.5, lambda: app.dispatch(InputEvent(Action.QUIT, source="window"))).start()
    app.run()
    assert app.exit_reason == "quit"
    # finished as "quit"; a demo player's session is shown, never saved as the player's
    # (a camera session closed the same way is saved: tests/game/loop/test_whose_session.py)
    assert app.sessions[-1].to_json()["ended"] == "quit" and \
        app.sessions[-1].to_json()["stats"]["reps"] >= 1
    assert History.load(tmp_path).sessions == []


def test_pausing_a_boxing_round_stops_its_clock(make_app: Any) -> None:
    app = make_app("boxing", demo="boxing", target=1)
    scene = app.stack.top
    run_steps(app, 60 * 8, draw_every=60)
    before = scene.rules.view()
    assert before.phase == "round"
    app.dispatch(InputEvent(Action.PAUSE))
    run_steps(app, 60 * 5, draw_every=60)  # five seconds in the pause menu
    app.dispatch(InputEvent(Action.SELECT))  # Resume
    run_steps(app, 10)
    after = scene.rules.view()
    assert after.round_index == before.round_index
    assert before.time_left_s - after.time_left_s < 1.0, "the round did not run during the pause"
    run_steps(app, 60 * 6, draw_every=60)
    scene.finish("player")
    run_steps(app, 2)
    stats = app.sessions[-1].to_json()["stats"]
    assert stats["hits"] >= 3 and stats["hits"] >= 0.6 * stats["targets"], stats


def _play_boxing_round(make_app: Any, pause_s: float) -> dict[str, Any]:
    """8 s of a demo round, an optional pause menu held ``pause_s`` while the demo boxer's
    worker runs as far ahead as it may, then 6 s more; the session's stats."""
    app = make_app("boxing", demo="boxing", target=1)
    scene = app.stack.top
    run_steps(app, 60 * 8, draw_every=60)
    assert scene.rules.view().phase == "round"
    if pause_s:
        app.dispatch(InputEvent(Action.PAUSE))
        run_steps(app, int(60 * pause_s), draw_every=60)
        assert app.stack.top.name == "paused"
        # the worst case a loaded machine gives: the worker has filled all the read-ahead
        deadline = time.monotonic() + 10
        while app.feed.queued < app.feed.read_ahead and time.monotonic() < deadline:
            time.sleep(0.01)
        app.dispatch(InputEvent(Action.SELECT))  # Resume
        run_steps(app, 1)  # the menu leaves at the end of this step
    else:
        run_steps(app, 1)  # the step the pause would have been handled in
    run_steps(app, 60 * 6 + 8, draw_every=60)
    scene.finish("player")
    run_steps(app, 2)
    return dict(app.sessions[-1].to_json()["stats"])


def test_a_round_resumes_after_a_pause_as_if_it_had_never_stopped(make_app: Any) -> None:
    """A pause holds a game-clocked source and its generated boxer: the frames read ahead before
    the pause still answer the targets after it, so the round plays out exactly as without one
    (the demo boxer once ran up to 8 s ahead with the targets of before the pause)."""
    paused = _play_boxing_round(make_app, pause_s=5.0)
    straight = _play_boxing_round(make_app, pause_s=0.0)
    assert paused["hits"] >= 3, paused
    assert paused == straight


def test_todays_workout_loads_the_plan_off_the_render_thread(make_app: Any) -> None:
    from game.scenes.workout import WorkoutScene

    app = make_app("menu")
    scene = WorkoutScene(app.services)
    app.stack.push(scene)
    app.stack.apply()
    deadline = time.monotonic() + 20
    while scene.loading and time.monotonic() < deadline:
        run_steps(app, 2)
        time.sleep(0.02)
    assert not scene.loading
    run_steps(app, 2)
    assert scene.plan.blocks and scene.plan.source == "default"  # no HRV data in a new home
    assert set(scene.targets) == {"start", "hrv", "back"}


@pytest.mark.parametrize("mode", ["boxing", "squat"])
def test_a_session_nobody_was_seen_in_is_not_saved(make_app: Any, tmp_path: Path, mode: str) -> None:
    """An empty room (camera on, player gone) must not add a 0 to the history, the personal
    bests or the leaderboard; the results say why."""
    rsk = tmp_path / "empty.rsk"
    with RecordingWriter(rsk, image_size=(640, 480)) as w:
        for i in range(150):
            w.write(PoseFrame(i * 1000 / 30, (640, 480), None, index=i))
    app = make_app(mode, demo=None, calibrate=False)
    app.open_source(str(rsk))
    scene = app.stack.top
    run_steps(app, 60 * 10, draw_every=60)
    assert app.stack.top.name == "results", app.stack.top.name
    assert app.sessions and app.sessions[-1].to_json().get("not_saved")
    assert app.history.sessions == []
    assert any("Nobody was seen" in t[0] for t in app.toasts)
    del scene


def test_a_live_session_pauses_when_the_player_walks_out_of_view(make_app: Any) -> None:
    """Targets and the round clock must not run on while nobody is there (a live camera)."""
    from game.moves import Camera, KeyPose, pose_frame
    from game.scenes.reps import RepScene

    app = make_app("menu", demo=None)
    standing = KeyPose()

    def camera() -> Iterator[tuple[PoseFrame, np.ndarray | None, float]]:
        for i in range(100000):
            time.sleep(1 / 60)
            pf = pose_frame(standing, Camera(view="front"), i * 33.3, i)
            if i > 40:  # walks away
                pf = PoseFrame(pf.timestamp_ms, pf.image_size, None, index=i)
            yield pf, np.zeros((48, 64, 3), np.uint8), time.perf_counter()

    app.feed = PoseFeed(camera, label="camera 0", pacing="wall", is_camera=True).start()
    scene = RepScene(app.services, "squat", countdown_s=0.1)
    app.stack.push(scene)
    app.stack.apply()
    deadline = time.monotonic() + 15
    while app.stack.top is scene and time.monotonic() < deadline:
        run_steps(app, 3, draw_every=3)
        time.sleep(0.02)
    assert app.stack.top.name == "paused"
    assert scene.has_seen_player and not scene.finished
    assert any("out of view" in t[0] for t in app.toasts)
