"""Local versus: the two-person feed, the generated players, the scene's states and layout, and a
scripted demo race that ends on results naming a winner with nothing saved."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import numpy as np
import pygame
import pytest

from game.feed import FeedItem, FeedStatus, PoseFeed, pose_opener, synthetic_opener
from game.pose.types import Frame, PoseFrame, TrackedPose
from game.versus import DEMO_CELL, demo_people

SIZES = [(1280, 720), (1920, 1080), (640, 360)]


# -- the feed ---------------------------------------------------------------------------------

def _video(path: Path, frames: int = 6) -> Path:
    cv2 = pytest.importorskip("cv2")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), i * 20, np.uint8))
    writer.release()
    return path


def _body(x: float, size: tuple[int, int], t_ms: float) -> PoseFrame:
    lm = np.zeros((33, 4))
    lm[:, 0], lm[:, 1], lm[:, 3] = x, 20.0, 0.9
    return PoseFrame(t_ms, size, lm)


class TwoPeoplePipeline:
    """Stands in for the pose model: two people in every frame; ``process`` must not be used
    when the feed asks for everyone, and ``process_all`` not when it asks for the player."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def process(self, frame: Frame) -> PoseFrame:
        self.calls.append("process")
        return _body(10.0, frame.size, frame.timestamp_ms)

    def process_all(self, frame: Frame) -> tuple[TrackedPose, ...]:
        self.calls.append("process_all")
        t = frame.timestamp_ms
        return (TrackedPose(1, "left", True, _body(10.0, frame.size, t)),
                TrackedPose(2, "right", False, _body(50.0, frame.size, t)))


def _drain(feed: PoseFeed) -> list[FeedItem]:
    items: list[FeedItem] = []
    deadline = time.monotonic() + 30
    while not feed.is_exhausted and time.monotonic() < deadline:
        items += feed.poll()
        time.sleep(0.01)
    feed.stop()
    return items + feed.poll()


@pytest.mark.parametrize("people", [1, 2])
def test_the_feed_carries_every_person_only_when_asked(tmp_path: Path, people: int) -> None:
    video = _video(tmp_path / "two.avi")
    pipe = TwoPeoplePipeline()
    feed = PoseFeed(pose_opener(str(video), drop_late=False, pipeline_factory=lambda: pipe,
                                people=people), label="two", pacing="wall", max_queue=100).start()
    items = _drain(feed)
    assert feed.status == FeedStatus.ENDED and len(items) == 6
    if people == 1:  # single-player play unchanged: the player's skeleton, nobody else
        assert set(pipe.calls) == {"process"}
        assert all(i.people == () for i in items)
    else:
        assert set(pipe.calls) == {"process_all"}
        assert all([p.slot for p in i.people] == ["left", "right"] for i in items)
        # ``pose`` stays the player's, so everything single-player keeps working
        assert all(i.pose.landmarks_px is not None and i.pose.landmarks_px[0, 0] == 10.0
                   for i in items)


def test_generated_and_recorded_sources_carry_no_people() -> None:
    frames = [_body(5.0, (64, 48), 33.0 * i) for i in range(3)]
    feed = PoseFeed(synthetic_opener(lambda: iter(frames)), label="demo", pacing="wall", max_queue=100).start()
    items = _drain(feed)
    assert len(items) == 3 and all(i.people == () for i in items)


# -- the generated players ----------------------------------------------------------------------

def test_two_generated_players_stand_side_by_side_on_one_clock() -> None:
    groups = list(itertools.islice(demo_people("squat"), 60))
    for g in groups:
        assert [p.slot for p in g] == ["left", "right"] and [p.is_player for p in g] == [True, False]
        left, right = (p.pose for p in g)
        assert left.timestamp_ms == right.timestamp_ms and left.image_size == right.image_size
        assert left.landmarks_px is not None and right.landmarks_px is not None
        assert left.landmarks_px[:, 0].max() < DEMO_CELL[0] <= right.landmarks_px[:, 0].min()


# -- the scene ----------------------------------------------------------------------------------

def _scene(make_app: Any, kind: str = "squat", size: tuple[int, int] = (1280, 720), **kw: Any) -> Any:
    app = make_app("versus", demo=None, size=size, versus=kind, **kw)
    app.feed.stop(timeout_s=1.0)  # the test hands the frames over itself
    scene = app.stack.top
    assert scene.name == "versus"
    return app, scene


def _feed(scene: Any, t_ms: float, slots: tuple[str, ...], kind: str = "squat") -> None:
    """One frame with the given players in view (generated bodies, each in their own half)."""
    gen = scene.__dict__.setdefault("_gen", demo_people(kind))
    group = next(gen)
    people = tuple(TrackedPose(p.person_id, p.slot, p.is_player,
                               PoseFrame(t_ms, p.pose.image_size, p.pose.landmarks_px))
                   for p in group if p.slot in slots)
    pose = people[0].pose if people else PoseFrame(t_ms, group[0].pose.image_size, None)
    scene.on_pose(FeedItem(pose, None, 0.0, 0.0, people))


def _run(scene: Any, seconds: float, slots: tuple[str, ...], t0_ms: float = 0.0,
         kind: str = "squat") -> float:
    t = t0_ms
    for _ in range(int(seconds * 30)):
        _feed(scene, t, slots, kind)
        scene.update(1 / 30)
        t += 1000 / 30
    return t


def test_it_waits_for_two_players_then_counts_down(make_app: Any) -> None:
    app, scene = _scene(make_app)
    t = _run(scene, 2.0, ("left",))
    assert scene.state == "waiting" and scene.match is None
    t = _run(scene, 1.0, ("left", "right"), t)
    assert scene.state == "countdown"
    _run(scene, 2.5, ("left", "right"), t)
    assert scene.state == "active" and scene.match is not None


def test_a_lost_player_is_told_to_step_back_and_their_clock_runs(make_app: Any,
                                                                 monkeypatch: Any) -> None:
    app, scene = _scene(make_app)
    t = _run(scene, 4.5, ("left", "right"))
    assert scene.state == "active"
    elapsed = scene.match.elapsed_s()
    t = _run(scene, 3.0, ("right",), t)
    assert scene.is_lost("left") and not scene.is_lost("right")
    assert scene.match.elapsed_s() == pytest.approx(elapsed + 3.0, abs=0.1)
    drawn = [s for s, _ in _texts(scene, app.screen, monkeypatch)]
    assert "Step back into view" in drawn


def _texts(scene: Any, surface: pygame.Surface, monkeypatch: Any) -> list[tuple[str, pygame.Rect]]:
    """Draw the scene and return every text it drew with its rect."""
    from game.scenes import ui

    seen: list[tuple[str, pygame.Rect]] = []
    real = ui.text

    def spy(surf: Any, s: str, *args: Any, **kw: Any) -> pygame.Rect:
        rect = real(surf, s, *args, **kw)
        seen.append((s, rect))
        return rect

    monkeypatch.setattr(ui, "text", spy)
    surface.fill((0, 0, 0))
    scene.draw(surface)
    monkeypatch.setattr(ui, "text", real)
    return seen


TARGET_LABELS = {"JAB", "CROSS", "HOOK", "UPPERCUT", "SLIP_LEFT", "SLIP_RIGHT", "DUCK"}


def _assert_readable(texts: list[tuple[str, pygame.Rect]], surface: pygame.Surface) -> None:
    screen = surface.get_rect()
    # target labels sit on the players' bodies, below the HUD; each is checked against the HUD
    items = [(s, r) for s, r in texts if s not in TARGET_LABELS]
    labels = [r for s, r in texts if s in TARGET_LABELS]
    if labels:
        hud_bottom = max(r.bottom for s, r in items if s.isdigit())  # the players' counts
        assert min(r.top for r in labels) >= hud_bottom
    for s, r in items:
        assert screen.contains(r), f"{s!r} leaves the screen at {surface.get_size()}"
    for (a, ra), (b, rb) in itertools.combinations(items, 2):
        assert not ra.colliderect(rb), f"{a!r} overlaps {b!r} at {surface.get_size()}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["squat", "boxing"])
def test_every_state_lays_out_without_overlapping_text(make_app: Any, monkeypatch: Any,
                                                       size: tuple[int, int], kind: str) -> None:
    app, scene = _scene(make_app, kind, size)
    texts = _texts(scene, app.screen, monkeypatch)
    assert "Waiting for two players" in [s for s, _ in texts]
    _assert_readable(texts, app.screen)
    t = _run(scene, 1.0, ("left", "right"), kind=kind)
    assert scene.state == "countdown"
    _assert_readable(_texts(scene, app.screen, monkeypatch), app.screen)
    _run(scene, 8.0 if kind == "boxing" else 12.0, ("left", "right"), t, kind)
    assert scene.state == "active"
    texts = _texts(scene, app.screen, monkeypatch)
    _assert_readable(texts, app.screen)
    # the primary numbers read from 2-3 m: at least 4 % of the screen height
    counts = [r for s, r in texts if s.isdigit()]
    assert len(counts) >= 2 and min(r.height for r in counts) >= 0.04 * size[1]
    scene.finish("stopped")
    app.stack.apply()
    results = app.stack.top
    assert results.name == "versus_results"
    texts = _texts(results, app.screen, monkeypatch)
    _assert_readable(texts, app.screen)
    assert any(s.endswith(("wins!", "draw")) for s, _ in texts)


def test_mirrored_view_names_players_by_the_side_they_appear_on(make_app: Any) -> None:
    from game.scenes.versus import screen_side

    assert screen_side("left", mirror=True) == "right" and screen_side("left", False) == "left"
    app, scene = _scene(make_app)
    names = scene.names()
    assert names[next(s for s in ("left", "right") if screen_side(s, app.settings.mirror) ==
                      "left")] == "Blue"


def test_scripted_demo_race_ends_on_results_naming_the_winner_and_saves_nothing(
        tmp_path: Path, monkeypatch: Any) -> None:
    from game.app import App, AppOptions, run_app
    from game.history import History

    def never(self: Any, session: Any) -> list[str]:
        raise AssertionError("a versus match must not be saved as one player's session")

    monkeypatch.setattr(App, "record_session", never)
    home = tmp_path / "home"
    shots = tmp_path / "shots"
    summary = run_app(AppOptions(mode="versus", demo=True, target=3, exit_after_s=60.0,
                                 screenshots=shots, screenshot_every_s=30.0,
                                 size=(640, 360)), home=home)
    assert summary["exit"] == "session_complete", summary
    assert summary["scenes"][-1] == "versus_results"
    match = summary["session"]
    assert match["mode"] == "versus" and match["saved"] is False
    assert match["winner"] in ("left", "right") and match["reason"] == "target"
    assert match["scores"][match["winner"]] == 3 > match["scores"][
        "right" if match["winner"] == "left" else "left"]
    assert History.load(home).sessions == []
    assert summary["errors"] == []
    assert any("versus_results" in p for p in summary["screenshots"])


def test_the_match_is_chosen_while_waiting_and_raised_hands_do_not_stop_it(make_app: Any) -> None:
    from game.input import Action, InputEvent

    app, scene = _scene(make_app)
    scene.handle(InputEvent(Action.RIGHT))
    assert scene.kind == "pushup" and app.demo_exercise == "versus_pushup"
    scene.handle(InputEvent(Action.LEFT))
    scene.handle(InputEvent(Action.LEFT))
    assert scene.kind == "boxing" and scene.target == 1  # one round
    scene.handle(InputEvent(Action.RIGHT))
    app.feed.stop(timeout_s=1.0)
    _run(scene, 4.5, ("left", "right"))
    assert scene.state == "active"
    scene.handle(InputEvent(Action.PAUSE, source="pose"))
    scene.handle(InputEvent(Action.RIGHT))
    assert scene.state == "active" and scene.kind == "squat" and not scene.finished


def test_results_offer_a_rematch_and_the_menu(make_app: Any) -> None:
    from game.input import Action, InputEvent

    app, scene = _scene(make_app, target=2)
    _run(scene, 20.0, ("left", "right"))
    app.stack.apply()
    results = app.stack.top
    assert results.name == "versus_results" and results.result.winner is not None
    assert results.headline() in ("Blue wins!", "Red wins!")
    assert app.demo_exercise == "versus_squat"  # two players still tracked for a rematch
    results.handle(InputEvent(Action.SELECT))  # Rematch has the focus
    app.stack.apply()
    again = app.stack.top
    assert again.name == "versus" and again.state == "waiting" and again.target == 2
    assert app.demo_exercise == "versus_squat"
    again.finished = True
    again.handle(InputEvent(Action.BACK))  # started in versus: Esc leads to the menu, not out
    app.stack.apply()
    assert app.stack.top.name == "title"
    assert app.demo_exercise == "squat"  # back to one player


@pytest.mark.parametrize("size", SIZES)
def test_too_slow_tracking_is_said_without_overlap(make_app: Any, monkeypatch: Any,
                                                   size: tuple[int, int]) -> None:
    app, scene = _scene(make_app, size=size)
    _run(scene, 5.0, ("left", "right"))
    monkeypatch.setattr(type(app.feed), "is_too_slow_to_judge", property(lambda self: True))
    texts = _texts(scene, app.screen, monkeypatch)
    assert "Tracking too slow to judge fairly" in [s for s, _ in texts]
    _assert_readable(texts, app.screen)


def test_the_race_clock_runs_when_the_source_stalls(make_app: Any) -> None:
    app, scene = _scene(make_app)
    scene.time_limit_s = 6.0
    _run(scene, 5.0, ("left", "right"))  # 1 s waiting + 3 s countdown, then 1 s of race
    assert scene.state == "active"
    for _ in range(6 * 60):  # six seconds of game steps without a single frame
        scene.update(1 / 60)
    app.stack.apply()
    assert app.stack.top.name == "versus_results"
    assert app.stack.top.result.reason in ("time", "draw")


def test_the_versus_option_starts_that_match_from_the_command_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from game.cli import main

    code = main(["play", "--headless", "--demo", "--versus", "lunge", "--target", "2",
                 "--exit-after", "40", "--size", "640x360"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["mode"] == "versus" and summary["exit"] == "session_complete"
    assert summary["session"]["game"] == "lunge" and summary["session"]["winner"] is not None
