"""CSV files tasklens writes never hand a spreadsheet a formula, and tasklens reads its own cells back."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from helpers import make_events
from hypothesis import given
from hypothesis import strategies as st

from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import analyze
from tasklens.errors import OutputError
from tasklens.files import csv_cell, csv_uncell
from tasklens.gui import exports
from tasklens.gui.model import AnalysisData

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {"app": "=cmd|' /C calc'!A0", "user": "@emp-1", "title": "+SUM(A1:A9)"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = (make_events(150, user=HOSTILE["user"], app=HOSTILE["app"], title=HOSTILE["title"])
              + make_events(150, user="-emp-2", app="\tsap", title="-FB60 - SAP"))
    out = tmp_path_factory.mktemp("a") / "analysis"
    write_all(analyze(events), out)
    return out


def _cells(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _assert_no_formula(path: Path) -> None:
    rows = _cells(path)
    assert len(rows) > 100
    bad = [c for r in rows for c in r if c.startswith(FORMULA_START)]
    assert not bad, f"{path.name}: cells a spreadsheet would run: {bad[:5]}"


def test_events_csv_cells_are_never_formulas(folder: Path) -> None:
    _assert_no_formula(folder / "events.csv")
    assert "'=cmd|' /C calc'!A0" in {c for r in _cells(folder / "events.csv") for c in r}


def test_dashboard_reads_its_own_cells_back(folder: Path) -> None:
    data = AnalysisData.load(folder)
    assert set(data.apps) == {HOSTILE["app"], "\tsap"}
    assert set(data.users) == {HOSTILE["user"], "-emp-2"}
    assert any(a.startswith("=cmd") for a in data.result.process_map.activities)


def test_dashboard_exports_are_formula_safe_private_and_whole(folder: Path, tmp_path: Path) -> None:
    view = AnalysisData.load(folder).select()
    out = tmp_path / "exports"
    out.mkdir()
    written = [exports.write_csv(view, out / "e.csv"), exports.write_html(view, out / "r.html"),
               exports.write_xes(view, out / "l.xes")]
    _assert_no_formula(written[0])
    for p in written:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name
    for write in (exports.write_csv, exports.write_html, exports.write_xes):
        (out / "taken").mkdir(exist_ok=True)
        with pytest.raises(OutputError, match="is a folder"):
            write(view, out / "taken")
        with pytest.raises(OutputError):
            write(view, out / "missing" / "x")
    assert sorted(p.name for p in out.iterdir()) == ["e.csv", "l.xes", "r.html", "taken"]


@given(st.one_of(st.text(), st.sampled_from(FORMULA_START).flatmap(lambda c: st.text().map(lambda t: c + t)),
                 st.text().map(lambda t: "'" + t)))
def test_csv_cell_is_safe_and_undone_exactly(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(FORMULA_START)
    assert csv_uncell(cell) == text
