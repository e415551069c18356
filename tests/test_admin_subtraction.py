"""The subtraction attack on the admin report: one employee alone in an application, a task type and a
candidate must leave no trace in it. Totals minus shown rows, shares, ranks, ids, counts of withheld rows
and the period are all tried; the strongest check is that the report is byte for byte the one made as if
that employee's hidden work had never happened."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer.candidates import Candidate
from tasklens.analyzer.result import AnalysisResult, Instance, TaskType
from tasklens.events import parse_time

DAY = 86_400.0
T0 = 1_790_000_000.0          # a Monday morning, UTC
CROWD = [f"p{i}" for i in range(1, 7)]   # six employees who share everything
LONE = "p7"                               # alone in "secretapp", task type 2 and its candidate
COLUMNS = ["source_row", "timestamp", "user", "app", "action", "activity", "task_id", "task_type", "candidate"]


def _iso(ts: float) -> str:
    from tasklens.events import iso
    return iso(ts)


def make_analysis(folder: Path, *, with_lone: bool) -> Path:
    """An analysis folder (events.csv, report.json, signers.json) as `tasklens analyze` writes one.

    Without the lone employee, their task type and candidate are gone and the others' ids and ranks
    are what an analysis of the rest would give: C01 becomes the invoice candidate, and so on.
    """
    folder.mkdir(parents=True)
    ids = {"invoice": "C02", "mail": "C03"} if with_lone else {"invoice": "C01", "mail": "C02"}
    rows: list[list[object]] = []
    task = 0
    for n, user in enumerate(CROWD):
        for day in range(2):
            t = T0 + day * DAY + n * 600
            for kind, app, type_id, steps, gap in (("invoice", "excel", 0, 6, 20.0), ("mail", "mail", 1, 4, 45.0)):
                for k in range(steps):
                    rows.append([len(rows), _iso(t), user, app, "click", f"{app} | click | step{k}", task, type_id,
                                 ids[kind]])
                    t += gap + n
                task += 1
                t += 120
    if with_lone:   # a later day, so even the period would give them away
        t = T0 + 3 * DAY
        for _ in range(9):
            rows.append([len(rows), _iso(t), LONE, "secretapp", "click", "secretapp | click | x", task, 2, "C01"])
            t += 33.0
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(rows)
    spans: dict[int, tuple[str, float, float]] = {}
    for row in rows:   # each instance's user, first and last event: its time (no last-event duration here)
        task_id, ts = int(str(row[6])), parse_time(str(row[1]))
        user, lo, _ = spans.get(task_id, (str(row[2]), ts, ts))
        spans[task_id] = (user, lo, ts)
    type_of = {int(str(row[6])): int(str(row[7])) for row in rows}
    instances = [Instance(t, u, lo, hi, type_of[t], 0, 1) for t, (u, lo, hi) in sorted(spans.items())]
    types = [TaskType(0, "excel | click | step0", (), 0, [], 0.0, [], []),
             TaskType(1, "mail | click | step0", (), 0, [], 0.0, [], [])]
    cands = [Candidate(ids["invoice"], 0, 0, [], [], 0.0, 4.2, 0.9, "high", 0.5, name="Enter invoices"),
             Candidate(ids["mail"], 0, 1, [], [], 0.0, 1.1, 0.6, "medium", 0.4, name="Answer mail")]
    if with_lone:
        types.append(TaskType(2, "secretapp | click | x", (), 0, [], 0.0, [], []))
        cands.insert(0, Candidate("C01", 0, 2, [], [], 0.0, 9.9, 0.9, "high", 0.9, name="Secret work"))
    for rank, c in enumerate(cands, 1):
        c.rank = rank
    result = AnalysisResult(task_types=types, instances=instances, candidates=cands)
    (folder / "report.json").write_text(result.dumps())
    users = CROWD + ([LONE] if with_lone else [])
    (folder / "signers.json").write_text(json.dumps({"format": 1, "verified_users": users}))
    return folder


def report(folder: Path, out: Path, k: int) -> tuple[str, str]:
    r = run_cli("report", str(folder), "--min-users", str(k), "--out", str(out))
    assert r.returncode == 0, r.stderr
    html = re.sub(r"generated [0-9-]+ [0-9:]+", "generated ...", out.read_text(encoding="utf-8"))
    return html, out.with_suffix(".csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("k", [2, 5, 6])
def test_hidden_employee_leaves_no_trace(tmp_path: Path, k: int) -> None:
    """Every table, every figure: the report with the lone employee equals the report without them."""
    with_lone = report(make_analysis(tmp_path / "a" / "analysis", with_lone=True), tmp_path / "a.html", k)
    without = report(make_analysis(tmp_path / "b" / "analysis", with_lone=False), tmp_path / "b.html", k)
    assert with_lone[1] == without[1], "the admin CSV tells something about the employee alone in a group"
    assert with_lone[0] == without[0], "the admin HTML tells something about the employee alone in a group"


def shown(csv_text: str) -> list[dict[str, str]]:
    return [r for r in csv.DictReader(csv_text.splitlines()) if r["employees"]]


def test_each_subtraction_attack_fails(tmp_path: Path) -> None:
    """The attacks named in issue 12, one by one, so a failure says which one worked."""
    html, text = report(make_analysis(tmp_path / "a", with_lone=True), tmp_path / "a.html", 5)
    rows = shown(text)
    lone_events = 9
    # 1. a total minus the rows shown: no figure may cover more than the rows shown
    events_by_app = sum(int(r["value"]) for r in rows if r["section"] == "applications" and r["metric"] == "events")
    totals = [int(r["value"]) for r in rows if r["metric"] == "events" and r["section"] != "applications"]
    assert all(t - events_by_app != lone_events for t in totals), "a total minus shown rows gives their events"
    assert all(r["section"] in ("applications", "task types", "candidates") for r in rows), "only tables of groups"
    # 2. shares are over the rows shown, so they add up to one
    shares = [float(r["value"]) for r in rows if r["metric"] == "share"]
    assert shares and abs(sum(shares) - 1) < 0.01, "a share over a total that holds hidden rows"
    # 3. ranks and ids of candidates count only what is shown
    ranks = [int(r["value"]) for r in rows if r["section"] == "candidates" and r["metric"] == "rank"]
    assert ranks == list(range(1, len(ranks) + 1)), "a rank that points at a hidden candidate"
    assert not re.search(r"\bC\d\d\b", text + html), "candidate ids number the hidden ones too"
    # 4. no count of withheld rows, nothing named after their work, no sign of the later day
    assert not re.search(r"\d+ rows?\(?s?\)? (suppressed|withheld)", text + html), "a count of withheld rows"
    assert "secretapp" not in text + html and "Secret" not in text + html
    assert _iso(T0 + 3 * DAY)[:10] not in html + text, "the period reaches the day only they worked"
