"""``ringside eval``: the accuracy table over every labelled clip of ``../shared/data``."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from game.config import shared_data_dir
from game.errors import UsageError


def _default_labels() -> Path:
    here = Path.cwd().parent / "shared" / "data" / "labels.json"
    return here if here.is_file() else shared_data_dir() / "labels.json"


def _fmt(v: float | None, pct: bool = True) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.0f} %" if pct else f"{v:.3f}"


@click.command("eval")
@click.argument("labels", required=False, type=click.Path(dir_okay=False))
@click.option("--only", "only", multiple=True, metavar="NAME",
              help="Only clips whose name contains NAME (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per clip, then the totals.")
@click.option("--cache", "cache", type=click.Path(file_okay=False), default=".cache/eval", show_default=True,
              help="Where the videos' skeletons are kept between runs.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes recording skeletons (default: one per core).")
@click.option("--strict", is_flag=True, help="Exit with status 3 when any clip is outside its tolerance.")
@click.option("--augment", "augment", is_flag=True,
              help="The generalisation check: every rep and punch clip's cached skeletons replayed as other cameras, "
                   "frame rates and trackers would give them (docs/ACCURACY.md).")
@click.option("--augmentation", "augmentations", multiple=True, metavar="NAME",
              help="With --augment: only these augmentations (repeatable; default all).")
@click.option("--seeds", type=click.IntRange(1, 20), default=3, show_default=True,
              help="With --augment: runs of each random augmentation per clip.")
def evaluate(labels: str | None, only: tuple[str, ...], as_json: bool, cache: str, jobs: int | None,
             strict: bool, augment: bool, augmentations: tuple[str, ...], seeds: int) -> None:
    """Run every labelled clip through the detectors and print the accuracy table.

    LABELS defaults to ../shared/data/labels.json. The pose model runs once per video (skeletons are
    cached per video and pipeline version); later runs take seconds.
    """
    from game.evaluation.runner import run_all  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)
    from game.pose.backend import native_stderr_hidden  # noqa: PLC0415 - lazy: `ringside --help` imports this module (0.10 s CPU, goal < 0.15 s)

    labels_path = Path(labels) if labels else _default_labels()
    if augment:
        _augmented(labels_path, Path(cache), only, augmentations, seeds, as_json, strict)
        return
    with native_stderr_hidden():
        report = run_all(labels_path, cache_dir=Path(cache), only=only, jobs=jobs,
                         progress=None if as_json else _progress)
    if as_json:
        for row in report["clips"]:
            sys.stdout.write(json.dumps(row) + "\n")
        sys.stdout.write(json.dumps({"type": "totals", **report["totals"]}) + "\n")
    else:
        print_table(report)
    if strict and report["totals"]["clips_ok"] < report["totals"]["clips"]:
        sys.exit(3)


def _augmented(labels_path: Path, cache: Path, only: tuple[str, ...], augmentations: tuple[str, ...], seeds: int,
               as_json: bool, strict: bool) -> None:
    """``--augment``: rep clips within tolerance under each augmentation (cached skeletons only)."""
    # Imported here, as the other commands' work is: `ringside --help` stays fast (numpy, the rep
    # engine and the recordings load only when the check runs).
    from game.evaluation.augment import run_augmented  # noqa: PLC0415

    report = run_augmented(labels_path, cache_dir=cache, only=only, seeds=seeds,
                           augmentations=augmentations or None)
    rows, summary = report["rows"], report["summary"]
    if not rows:
        raise UsageError("no cached labelled clip matches (run `ringside eval` once to record the skeletons)")
    if as_json:
        for r in rows:
            sys.stdout.write(json.dumps({"type": "augmented", **dataclasses.asdict(r)}) + "\n")
        sys.stdout.write(json.dumps({"type": "totals", "augment": summary, "missing": report["missing"]}) + "\n")
    else:
        _print_augmented(rows, summary, report["missing"])
    if strict and any(not r.ok for r in rows):
        sys.exit(3)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f} %" if b else "    -  "


def _print_augmented(rows: Sequence[Any], summary: dict[str, dict[str, dict[str, int]]],
                     missing: Sequence[str]) -> None:
    """One line per augmentation: rep runs within tolerance; punch clips within tolerance, punch
    recall and precision, kinds named right; then every run outside its tolerance, then totals."""
    click.echo(f"{'augmentation':<13} {'rep runs ok':>16}   {'punch runs ok':>16}  {'recall':>7} "
               f"{'precision':>9} {'kinds':>7}")
    for name, by in summary.items():
        r = by.get("reps", {"runs": 0, "ok": 0})
        p = by.get("punches", {"runs": 0, "ok": 0, "labelled": 0, "found": 0, "invented": 0,
                               "kinds_judged": 0, "kinds_right": 0})
        click.echo(f"{name:<13} {r['ok']:>5}/{r['runs']:<4}{_pct(r['ok'], r['runs'])}   "
                   f"{p['ok']:>5}/{p['runs']:<4}{_pct(p['ok'], p['runs'])}  {_pct(p['found'], p['labelled'])} "
                   f"{_pct(p['found'], p['found'] + p['invented']):>9} {_pct(p['kinds_right'], p['kinds_judged'])}")
    misses = [r for r in rows if not r.ok]
    if misses:
        click.echo("\nmisses:")
        w = max(len(r.clip) for r in misses)
        for r in misses:
            click.echo(f"  {r.augmentation:<10} seed {r.seed}  {r.clip:<{w}}  want {r.want:>6} got "
                       f"{'-' if r.got is None else r.got:>3}  {r.why}".rstrip())
    if missing:
        click.echo(f"\nnot cached (skipped): {', '.join(missing)}")
    aug = [by for k, by in summary.items() if k != "original"]

    def total(part: str, key: str) -> int:
        return sum(by[part][key] for by in aug if part in by)

    rt, rk = total("reps", "runs"), total("reps", "ok")
    click.echo(f"\ntotals: {rk}/{rt} augmented rep runs within tolerance ({_pct(rk, rt).strip()})")
    if total("punches", "runs"):
        lab, found, inv = total("punches", "labelled"), total("punches", "found"), total("punches", "invented")
        click.echo(f"        {total('punches', 'ok')}/{total('punches', 'runs')} augmented punch runs within "
                   f"tolerance; punches recall {_pct(found, lab).strip()}, precision "
                   f"{_pct(found, found + inv).strip()}, kinds {_pct(total('punches', 'kinds_right'), total('punches', 'kinds_judged')).strip()}")


def _progress(video: Path, error: str | None) -> None:
    click.echo(f"  skeletons: {video.name}{' FAILED: ' + error if error else ''}", err=True)


def print_table(report: dict[str, Any]) -> None:
    rows = report["clips"]
    if not rows:
        raise UsageError("no labelled clip matches")
    w = max(len(r["clip"]) for r in rows)
    click.echo(f"{'clip':<{w}}  {'mode':<7} {'want':>7} {'got':>4}  {'ok':<4} why")
    for r in rows:
        got = "-" if r["got"] is None else str(r["got"])
        why = r["error"] or r["why"]
        extra = f" (kinds {r['kinds']})" if r.get("kinds") else ""
        click.echo(f"{r['clip']:<{w}}  {r['exercise']:<7} {r['want']:>7} {got:>4}  "
                   f"{'ok' if r['ok'] else 'MISS':<4} {why}{extra}".rstrip())
    t = report["totals"]
    click.echo("")
    click.echo("per exercise:")
    for ex, row in t["by_exercise"].items():
        click.echo(f"  {ex:<7} clips {row['clips_ok']}/{row['clips']} within tolerance; "
                   f"recall {_fmt(row['recall'])} ({row['found']}/{row['labelled']}); "
                   f"phantoms {row['phantoms']}; negatives {row['negatives_ok']}/{row['negatives']} clean"
                   + (f"; {row['errors']} could not run" if row["errors"] else ""))
    if t["punch_recall"] is not None:
        click.echo(f"punches: recall {_fmt(t['punch_recall'])}, precision {_fmt(t['punch_precision'])}, "
                   f"kind accuracy {_fmt(t['kind_accuracy'])} of {t['kinds_judged']}, "
                   f"hand accuracy {_fmt(t['hand_accuracy'])}, timing |error| mean "
                   f"{_fmt(t['timing_abs_mean_s'], False)} s, p95 {_fmt(t['timing_abs_p95_s'], False)} s")
        click.echo(f"punches reported twice (half, then complete): {t['double_reports']} "
                   f"of {t['complete_punches']} complete punches; half punches reported: {t['half_punches']}")
        kinds = list(next(iter(t["confusion"].values())).keys())
        click.echo("punch kinds (rows: labelled; columns: found):")
        click.echo(f"  {'':<9}" + "".join(f"{k:>9}" for k in kinds))
        for lk, row in t["confusion"].items():
            if sum(row.values()):
                click.echo(f"  {lk:<9}" + "".join(f"{row[k]:>9}" for k in kinds))
    hd = t.get("hook_drills")
    if hd:
        click.echo(f"hook drills ({hd['files']} COCO-17 keypoint files, every punch a hook): "
                   f"{hd['punches']} punches found, {hd['hooks']} named hook"
                   + (f" ({_fmt(hd['hooks'] / hd['punches'])})" if hd["punches"] else ""))
    bm = t.get("boxing_mode")
    if bm and bm["clips"]:
        where = ", ".join(f"{k} {v}" for k, v in bm["by_clip"].items())
        click.echo(f"non-boxing clips in boxing mode: {bm['punches']} complete punches on "
                   f"{bm['clips'] - bm['clips_clean']} of {bm['clips']} clips ({bm['half_punches']} half punches)"
                   + (f": {where}" if where else ""))
    click.echo(f"totals: {t['clips_ok']}/{t['clips']} clips within tolerance"
               + (f"; {bm['punches']} punches on the {bm['clips']} non-boxing clips in boxing mode"
                  if bm and bm["clips"] else ""))
