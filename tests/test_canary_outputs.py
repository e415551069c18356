"""Canaries through the analyst's path: an import with planted personal data, analysed and reported,
never shows a canary in report.json, events.csv, report.html, log.xes, the admin report or the logs."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import run_cli
from test_privacy_canary import ALL, CANARIES

from tasklens.events import iso

ORG = """[privacy]
person_names = ["Ottilie Vandersteen"]
recognizers = [{ entity = "CUSTOMER_ID", regex = '\\bCUST-\\d{6}\\b' }]
"""


def write_import(path: Path) -> None:
    """Five employees repeat a short routine whose apps, window titles, targets and values carry every canary."""
    texts = [t for t, _ in CANARIES.values()]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "user", "app", "title", "action", "target", "value"])
        t = 1_790_000_000
        for user in range(5):
            for _rep in range(24):
                for k, text in enumerate(texts):
                    w.writerow([iso(t), f"u{user}", text, text, "paste" if k % 2 else "focus", text, text])
                    t += 3
                t += 900   # a break between routine instances


def assert_clean(text: str, where: str) -> None:
    for canary in ALL:
        assert canary not in text, f"canary {canary!r} in {where}"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    d = tmp_path_factory.mktemp("canary")
    (d / "org.toml").write_text(ORG)
    write_import(d / "in.csv")
    assert sum(c in (d / "in.csv").read_text() for c in ALL) == len(ALL), "every canary is planted"
    r = run_cli("--org-config", str(d / "org.toml"), "-vv", "analyze", str(d / "in.csv"), "--out", str(d / "out"))
    assert r.returncode == 0, r.stderr[-2000:]
    return d, r.stdout + r.stderr


def test_analysis_outputs_and_logs_hold_no_canary(analysed: tuple[Path, str]) -> None:
    d, output = analysed
    assert_clean(output, "the analyze command's output and debug log")
    files = sorted((d / "out").iterdir())
    assert {p.name for p in files} >= {"report.json", "events.csv", "report.html", "log.xes"}
    for p in files:
        assert_clean(p.read_text(encoding="utf-8", errors="replace"), p.name)
    # the titles did flow into the outputs, masked: their other words are there
    # (an organisation id, like a number, generalises to "#" in the activity label)
    assert "Customer # - CRM" in (d / "out" / "events.csv").read_text()


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_admin_report_holds_no_canary(analysed: tuple[Path, str], fmt: str) -> None:
    d, _ = analysed
    out = d / f"admin.{fmt}"
    r = run_cli("report", str(d / "out"), "--min-users", "2", "--allow-unverified", "--out", str(out),
                env={"QT_QPA_PLATFORM": "offscreen"})   # a CSV import proves nobody: counts are unverified
    assert r.returncode == 0, r.stderr
    assert_clean(out.with_suffix(".csv").read_text(), "admin.csv")
    if fmt == "html":
        assert_clean(out.read_text(), out.name)
    elif shutil.which("pdftotext"):
        assert_clean(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout, out.name)
    else:
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF's text")
