"""The admin report: every figure it shows comes from at least K employees, counted as enrolled signers,
checked against the raw data; CLI and dashboard write it through one function; files are private."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens import auditfile
from tasklens.analyzer import signers
from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import analyze
from tasklens.analyzer.result import AnalysisResult
from tasklens.config import Config
from tasklens.privacy.masker import Masker
from tasklens.simulate import simulate


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine simulated employees, each doing one or two routines, analysed for real; one of them also
    uses an application nobody else does (a group smaller than any K, whatever segmentation makes of the rest)."""
    raws = [r for r, _ in simulate(employees=9, days=1, seed=11)]
    last = max(raws, key=lambda r: r.ts)
    raws += [replace(last, ts=last.ts + 10.0 * i, app="stocktake", title="Stock count") for i in range(1, 4)]
    out = tmp_path_factory.mktemp("analysis")
    events = Masker(Config()).mask_many(raws)
    write_all(analyze(events), out)
    signers.write(out, {e.user for e in events})   # as if every employee came in an enrolled signer's bundle
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


def read_report_csv(path: Path) -> list[dict[str, str]]:
    """The figure rows (the "about" rows say what the counts mean)."""
    with path.open(newline="") as f:
        return [r for r in csv.DictReader(f) if r["section"] != "about"]


@pytest.mark.parametrize("k", [3, 5])
def test_no_figure_from_fewer_than_k_employees(analysis: Path, tmp_path: Path, k: int) -> None:
    out = tmp_path / "admin.html"
    r = run_cli("report", str(analysis), "--min-users", str(k), "--out", str(out))
    assert r.returncode == 0, r.stderr
    shown = read_report_csv(out.with_suffix(".csv"))
    assert shown and all(int(row["employees"]) >= k for row in shown)

    groups = raw_groups(analysis)
    big = defaultdict(int)
    for (section, _key), users in groups.items():
        big[section] += len(users) >= k
    assert sum(len(u) < k for u in groups.values()) > 0, "the data should have small groups, or this proves nothing"
    per_section = {s: len({r["label"] for r in shown if r["section"] == s}) for s in big}
    assert per_section == dict(big), "every group of K or more shown, none smaller"

    # every candidate shown: its employee count and instances match the raw events, in rank order
    report = json.loads((analysis / "report.json").read_text())
    raw_instances: dict[str, set[str]] = defaultdict(set)
    with (analysis / "events.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["candidate"]:
                raw_instances[row["candidate"]].add(row["task_id"])
    expected = [c["id"] for c in sorted(report["candidates"], key=lambda c: c["rank"])
                if len(groups[("candidates", c["id"])]) >= k]
    got = [r for r in shown if r["section"] == "candidates" and r["metric"] == "instances"]
    assert len(got) == len(expected)
    for row, cid in zip(got, expected):
        assert int(row["employees"]) == len(groups[("candidates", cid)])
        assert int(row["value"]) == len(raw_instances[cid])

    text = out.read_text() + out.with_suffix(".csv").read_text()
    assert "emp-" not in text, "no pseudonym, so no per-person row, may appear"
    assert "suppressed" not in text and "withheld" not in text, "no count of what is left out"
    assert "distinct enrolled signers" in text
    assert out.stat().st_mode & 0o777 == 0o600 and out.with_suffix(".csv").stat().st_mode & 0o777 == 0o600


def test_task_type_hours_match_the_raw_events(analysis: Path, tmp_path: Path) -> None:
    out = tmp_path / "admin.html"
    assert run_cli("report", str(analysis), "--min-users", "2", "--out", str(out)).returncode == 0
    seconds = {str(i.id): i.seconds for i in AnalysisResult.read(analysis).instances}   # the one duration rule
    tasks: dict[str, set[str]] = defaultdict(set)
    users: dict[str, set[str]] = defaultdict(set)
    with (analysis / "events.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            if row["task_id"]:
                tasks[row["task_type"]].add(row["task_id"])
                users[row["task_type"]].add(row["user"])
    want = sorted(round(sum(seconds[i] for i in v) / 3600, 2) for t, v in tasks.items() if len(users[t]) >= 2)
    shown = read_report_csv(out.with_suffix(".csv"))
    got = sorted(float(r["value"]) for r in shown if r["section"] == "task types" and r["metric"] == "hours_observed")
    assert got == want and got


def test_pdf_report_and_audit(analysis: Path, tmp_path: Path) -> None:
    out = tmp_path / "admin.pdf"
    r = run_cli("report", str(analysis), "--out", str(out), env={"QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 2000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "tasklens admin report" in text and "emp-" not in text
    assert out.stat().st_mode & 0o777 == 0o600
    assert any(e["action"] == "report.admin" and str(out) in e["detail"] for e in auditfile.read(analysis))


def test_threshold_below_two_is_refused(analysis: Path, tmp_path: Path) -> None:
    r = run_cli("report", str(analysis), "--min-users", "1", "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "would single people out" in r.stderr


def test_not_an_analysis_folder(tmp_path: Path) -> None:
    r = run_cli("report", str(tmp_path), "--out", str(tmp_path / "x.html"))
    assert r.returncode == 2 and "cannot read" in r.stderr and "tasklens analyze --out" in r.stderr


def test_pdf_that_cannot_be_written_fails(analysis: Path, tmp_path: Path) -> None:
    """Qt's QPainter::begin() failing used to end in 'wrote ...' and exit 0 with no file."""
    from tasklens.errors import OutputError
    from tasklens.gui.pdf import html_to_pdf

    with pytest.raises(OutputError):
        html_to_pdf("<p>x</p>", Path("/proc/tasklens-admin.pdf"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for out in (Path("/proc/tasklens-admin.pdf"), blocker / "admin.pdf"):
        r = run_cli("report", str(analysis), "--min-users", "2", "--out", str(out),
                    env={"QT_QPA_PLATFORM": "offscreen"})
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "cannot write" in r.stderr and "Traceback" not in r.stderr


def test_unproven_people_are_refused_unless_allowed(tmp_path: Path) -> None:
    """A CSV import or a store proves nobody: five user ids may be one person. Refused, or marked unverified."""
    raws = [r for r, _ in simulate(employees=6, days=1, seed=4)]
    folder = tmp_path / "analysis"
    events = Masker(Config()).mask_many(raws)
    write_all(analyze(events), folder)
    r = run_cli("report", str(folder), "--min-users", "2", "--out", str(tmp_path / "a.html"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "6 of 6 people" in r.stderr and "--allow-unverified" in r.stderr
    assert not (tmp_path / "a.html").exists() and not (tmp_path / "a.csv").exists()

    r = run_cli("report", str(folder), "--min-users", "2", "--allow-unverified", "--out", str(tmp_path / "a.html"))
    assert r.returncode == 0, r.stderr
    assert "UNVERIFIED" in r.stdout
    assert "Unverified counts" in (tmp_path / "a.html").read_text()
    assert "UNVERIFIED: distinct user ids" in (tmp_path / "a.csv").read_text()

    signers.write(folder, {e.user for e in events[: len(events) // 2]})   # some proven, some not: still refused
    r = run_cli("report", str(folder), "--min-users", "2", "--out", str(tmp_path / "b.html"))
    assert r.returncode == 2 and "cannot be counted as distinct people" in r.stderr


def test_admin_csv_cells_are_never_formulas(analysis: Path, tmp_path: Path) -> None:
    """An application named like a formula reaches the admin CSV as text."""
    folder = tmp_path / "copy"
    shutil.copytree(analysis, folder)
    text = (folder / "events.csv").read_text()
    app = next(csv.DictReader(text.splitlines()))["app"]
    (folder / "events.csv").write_text(text.replace(f",{app},", ",=HYPERLINK(1),"))
    assert run_cli("report", str(folder), "--min-users", "2", "--out", str(tmp_path / "r.csv")).returncode == 0
    cells = [c for row in csv.reader((tmp_path / "r.csv").read_text().splitlines()) for c in row]
    assert "'=HYPERLINK(1)" in cells and not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


def test_cli_and_dashboard_share_one_writer() -> None:
    """The report's logic lives once, on the analyzer floor; the dashboard no longer repeats it."""
    import inspect

    from tasklens.cli import report_cmd
    from tasklens.gui import dashboard

    assert not hasattr(dashboard, "write_admin_report")
    assert "write_admin_report" in inspect.getsource(report_cmd.run)
    assert "write_admin_report" in inspect.getsource(dashboard.Dashboard._export_aggregate)
