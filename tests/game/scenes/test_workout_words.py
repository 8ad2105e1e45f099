"""The workout screen says each thing once: how to import HRV data is in the recovery box and on
its button, not repeated by the empty trend panel beside it (issue 11: messages pile up)."""

from __future__ import annotations

from dataclasses import replace

from game.integrations import DEFAULT_PLAN
from game.scenes.workout import chart_note


def test_the_empty_chart_does_not_repeat_the_import_instruction() -> None:
    assert "Import HRV data" in DEFAULT_PLAN.reason  # said once, above the chart
    note = chart_note(DEFAULT_PLAN, [], loading=False)
    assert "import" not in note.lower() and "chart here" in note


def test_the_empty_chart_says_why_it_is_empty() -> None:
    assert chart_note(DEFAULT_PLAN, [], loading=True) == "Reading your HRV history..."
    old = replace(DEFAULT_PLAN, readings=365, readiness="too old", newest_reading="2025-01-03")
    note = chart_note(old, [], loading=False)
    assert "365 HRV readings are all too old" in note and "import" not in note.lower()
    one = chart_note(DEFAULT_PLAN, [("2026-12-04", 61.2)], loading=False)
    assert one.startswith("One HRV reading so far (61 ms on 2026-12-04)")
