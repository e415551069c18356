"""Analyst in the loop: decisions kept with an analysis are honoured by the next analysis of the same data,
and the report says which candidates a person confirmed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from helpers import run_cli

from tasklens.analyzer import decisions
from tasklens.analyzer.synthetic import generate
from tasklens.events import iso


def write_csv(path: Path) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "user", "app", "title", "action", "target", "value"])
        for raw, _ in generate(users=6, days=2, routines=4, seed=4):
            w.writerow([iso(raw.ts), raw.user, raw.app, raw.title, raw.action.value, raw.target, raw.value])


def main_steps(report: dict, type_id: int) -> tuple[str, ...]:
    t = next(t for t in report["task_types"] if t["id"] == type_id)
    return tuple(t["signature"])


def test_decisions_are_honoured_by_the_next_analysis(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out"
    write_csv(src)
    r = run_cli("analyze", str(src), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    before = json.loads((out / "report.json").read_text())
    cands = before["candidates"]
    assert len(cands) >= 2 and len(before["task_types"]) >= 4
    keep, drop = cands[0], cands[1]

    d = decisions.Decisions()
    d.set_status(tuple(keep["signature"]), "accepted", cid=keep["id"])
    d.rename(tuple(keep["signature"]), "Invoice posting", cid=keep["id"])
    d.set_status(tuple(drop["signature"]), "rejected", cid=drop["id"])
    others = [t["id"] for t in before["task_types"] if t["id"] not in (keep["task_type"], drop["task_type"])][:2]
    d.merge(others, [main_steps(before, t) for t in others])
    decisions.save(out, d)

    r = run_cli("analyze", str(src), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "honoured 3 analyst decisions" in r.stdout   # accept+rename of one candidate, a reject, a merge
    after = json.loads((out / "report.json").read_text())
    assert len(after["task_types"]) == len(before["task_types"]) - 1, "two task types were merged into one"
    named = [c for c in after["candidates"] if c["name"] == "Invoice posting"]
    assert len(named) == 1 and named[0]["status"] == "accepted" and named[0]["confirmed"]
    assert named[0]["hours_observed"] == keep["hours_observed"]
    rejected = [c for c in after["candidates"] if c["status"] == "rejected"]
    assert len(rejected) == 1 and rejected[0] is after["candidates"][-1]
    assert rejected[0]["hours_observed"] == drop["hours_observed"]
    html = (out / "report.html").read_text()
    assert "confirmed by analyst" in html and "rejected by analyst" in html


def test_bad_decisions_file_is_one_clear_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out"
    write_csv(src)
    out.mkdir()
    (out / "decisions.json").write_text('{"candidates": {"C01": {"status": "maybe"}}}')
    r = run_cli("analyze", str(src), "--out", str(out), "--no-progress")
    assert r.returncode == 2
    assert "decisions.json: bad analyst decisions (candidate C01: status 'maybe' is not one of" in r.stderr
