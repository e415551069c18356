"""Analyst in the loop: decisions kept with an analysis are honoured by the next analysis of the same data,
and the report says which candidates a person confirmed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer import decisions
from tasklens.analyzer.synthetic import generate
from tasklens.errors import InputFormatError
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


def test_the_analysts_bot_effort_and_automated_mark_are_honoured_by_analyze_and_compare(tmp_path: Path) -> None:
    """decisions.json as the dashboard writes it: the next `tasklens analyze` takes the analyst's build hours
    (payback from them), report.json keeps both decisions, and `tasklens compare` measures the automated one."""
    from tasklens.analyzer.effort import EffortModel

    src, out = tmp_path / "in.csv", tmp_path / "out"
    write_csv(src)
    assert run_cli("analyze", str(src), "--out", str(out), "--no-progress").returncode == 0
    first = json.loads((out / "report.json").read_text())["candidates"][0]
    hours = round(first["effort_hours"] / 3)
    d = decisions.Decisions()
    d.set_effort(tuple(first["signature"]), hours, cid=first["id"])
    d.set_automated(tuple(first["signature"]), True, cid=first["id"])
    decisions.save(out, d)

    r = run_cli("analyze", str(src), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "honoured 1 analyst decisions" in r.stdout
    report = json.loads((out / "report.json").read_text())
    [again] = [c for c in report["candidates"] if c["signature"] == first["signature"]]
    upkeep = EffortModel().maintain_share_per_year * hours / 12
    assert again["effort_hours"] == hours and again["maintain_hours_per_month"] == round(upkeep, 2)
    assert again["payback_months"] == round(hours / (again["hours_saved_per_month_team"] - upkeep), 1)
    assert f"set by the analyst: {hours:g} h" in again["effort_formula"]
    assert f"set by the analyst: {hours:g} h" in (out / "report.html").read_text()
    assert report["decisions"]["candidates"][0]["automated"] is True
    assert decisions.load(out).effort(tuple(first["signature"])) == hours   # the file itself was kept

    r = run_cli("compare", str(out), str(out))
    assert r.returncode == 0, r.stderr[-2000:]
    [line] = [x for x in r.stdout.splitlines() if x.startswith("Automated")]
    assert f"estimated before: {again['hours_saved_per_month_team']:.1f}" in line


def test_new_decision_kinds_read_and_write_within_version_2(tmp_path: Path) -> None:
    """A version 2 file without the effort and automated fields still reads; a bad value is one clear line."""
    sig = ("mail | open", "sap | post")
    old = {"version": 2, "candidates": [{"status": "accepted", "name": "", "signature": list(sig), "id": "C01"}]}
    d = decisions.from_json(old)
    assert (d.effort(sig), d.automated(sig), d.status(sig)) == (None, False, "accepted")
    d.set_automated(sig, True)
    d.set_effort(sig, 24.0)
    again = decisions.from_json(json.loads(json.dumps(d.as_json())))
    assert (again.effort(sig), again.automated(sig), again.as_json()["version"]) == (24.0, True, 2)
    d.set_automated(sig, False)
    d.set_effort(sig, None)
    d.set_status(sig, "open")
    assert d.count() == 0, "an open candidate with no figure of the analyst's is no decision"
    bad = dict(old, candidates=[dict(old["candidates"][0], automated="yes")])
    out = tmp_path / "a"
    out.mkdir()
    (out / decisions.FILE).write_text(json.dumps(bad))
    with pytest.raises(InputFormatError, match="automated 'yes' is not true or false\\); fix or delete the file"):
        decisions.load(out)
    marked = tmp_path / "b"
    marked.mkdir()
    decisions.save(marked, again)
    assert decisions.automated_in([out.parent / "none", marked], [("C07", sig), ("other", ("x",))]) == ["C07"]
