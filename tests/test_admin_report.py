"""The admin report: every figure it shows comes from at least K employees, checked against the raw data."""

from __future__ import annotations

import csv
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from helpers import run_cli
from tasklens import auditfile
from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import analyze
from tasklens.config import Config
from tasklens.events import parse_time
from tasklens.privacy.masker import Masker
from tasklens.simulate import simulate


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine simulated employees, each doing one or two routines, analysed for real."""
    raws = [r for r, _ in simulate(employees=9, days=1, seed=11)]
    out = tmp_path_factory.mktemp("analysis")
    write_all(analyze(Masker(Config()).mask_many(raws)), out)
    return out


def raw_groups(folder: Path) -> dict[tuple[str, str], set[str]]:
    """(section, key) -> employees, recomputed from events.csv independently of the report code."""
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    with (folder / "events.csv").open(newline="") as f:
        for r in csv.DictReader(f):
            groups[("applications", r["app"])].add(r["user"])
            if r["task_id"]:
                groups[("task types", r["task_type"])].add(r["user"])
            if r["candidate"]:
                groups[("candidates", r["candidate"])].add(r["user"])
    return groups


def read_report_csv(path: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if r["employees"]], [r for r in rows if not r["employees"]]


@pytest.mark.parametrize("k", [3, 5])
def test_no_figure_from_fewer_than_k_employees(analysis: Path, tmp_path: Path, k: int) -> None:
    out = tmp_path / "admin.html"
    r = run_cli("report", str(analysis), "--min-users", str(k), "--out", str(out))
    assert r.returncode == 0, r.stderr
    shown, withheld = read_report_csv(out.with_suffix(".csv"))
    assert shown and all(int(row["employees"]) >= k for row in shown)

    groups = raw_groups(analysis)
    small = defaultdict(int)
    for (section, _key), users in groups.items():
        if len(users) < k:
            small[section] += 1
    reported = {row["section"]: int(row["label"].split()[0]) for row in withheld}
    assert reported == dict(small), "withheld counts must match the groups below K in the raw data"
    assert sum(small.values()) > 0, "the data should have some small groups, or this test proves nothing"

    # every candidate shown: its employee count and instances match the raw events
    raw_instances: dict[str, set[str]] = defaultdict(set)
    with (analysis / "events.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["candidate"]:
                raw_instances[row["candidate"]].add(row["task_id"])
    for row in shown:
        if row["section"] == "candidates" and row["metric"] == "instances":
            cid = row["label"].split()[0]
            assert int(row["employees"]) == len(groups[("candidates", cid)])
            assert int(row["value"]) == len(raw_instances[cid])

    text = out.read_text() + out.with_suffix(".csv").read_text()
    assert "emp-" not in text, "no pseudonym, so no per-person row, may appear"
    assert f"fewer than {k} employees" in text


def test_task_type_hours_match_the_raw_events(analysis: Path, tmp_path: Path) -> None:
    out = tmp_path / "admin.html"
    assert run_cli("report", str(analysis), "--min-users", "2", "--out", str(out)).returncode == 0
    spans: dict[str, dict[str, list[float]]] = defaultdict(dict)
    users: dict[str, set[str]] = defaultdict(set)
    with (analysis / "events.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["task_id"]:
                ts = parse_time(row["timestamp"])
                lo, hi = spans[row["task_type"]].get(row["task_id"], [ts, ts])
                spans[row["task_type"]][row["task_id"]] = [min(lo, ts), max(hi, ts)]
                users[row["task_type"]].add(row["user"])
    want = sorted(round(sum(hi - lo for lo, hi in v.values()) / 3600, 2) for t, v in spans.items()
                  if len(users[t]) >= 2)
    shown, _ = read_report_csv(out.with_suffix(".csv"))
    got = sorted(float(r["value"]) for r in shown if r["section"] == "task types" and r["metric"] == "hours_observed")
    assert got == want and got


def test_pdf_report_and_audit(analysis: Path, tmp_path: Path) -> None:
    out = tmp_path / "admin.pdf"
    r = run_cli("report", str(analysis), "--out", str(out), env={"QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 2000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "tasklens admin report" in text and "emp-" not in text
    assert any(e["action"] == "report.admin" and str(out) in e["detail"] for e in auditfile.read(analysis))


def test_threshold_below_two_is_refused(analysis: Path, tmp_path: Path) -> None:
    r = run_cli("report", str(analysis), "--min-users", "1", "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "would single people out" in r.stderr


def test_not_an_analysis_folder(tmp_path: Path) -> None:
    r = run_cli("report", str(tmp_path), "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "cannot read" in r.stderr and "tasklens analyze --out" in r.stderr
