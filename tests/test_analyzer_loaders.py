"""Loaders: format detection, source_row, malformed rows, store input (real SQLCipher store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasklens.analyzer.loaders import detect_format, load
from tasklens.errors import InputFormatError
from tasklens.events import Action, Event
from tasklens.store import Store

UILOGS = Path("/work/shared/data/uilogs/leno-rpm-segmentator")
STUDENT = UILOGS / "real_ui_logs/StudentRecord.csv"
LOG1 = UILOGS / "synthetic_cpn_xes/log1.xes"
needs_uilogs = pytest.mark.skipif(not UILOGS.is_dir(), reason="shared UI logs not present")

CSV_HEADER = "timestamp,user,app,title,action,target,value\n"


def _write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(CSV_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@needs_uilogs
def test_action_logger_rows_keep_their_row_numbers_and_users() -> None:
    loaded = load(STUDENT)
    assert loaded.fmt == "actionlogger"
    assert len(loaded.raws) == 2409          # multi-line fields parsed as CSV, not lines
    assert sorted(r.source_row for r in loaded.raws) == list(range(2409))
    assert all(r.user == "vleno" for r in loaded.raws)   # clipboard rows inherit the recording's user
    assert [r.source_row for r in loaded.raws] == list(range(2409))   # the recorded (file) order, not time's
    first = min(loaded.raws, key=lambda r: r.source_row)
    assert first.target == "getCell:A2" and first.app == "Excel"
    assert {r.action for r in loaded.raws} >= {Action.COPY, Action.PASTE, Action.EDIT, Action.CLICK}


@needs_uilogs
def test_xes_positions_traces_and_unsegment() -> None:
    seg = load(LOG1)
    assert seg.fmt == "xes" and len(seg.raws) == 1400
    assert [r.source_row for r in seg.raws] == list(range(1400))
    assert seg.cases is not None and len(set(seg.cases)) == 100
    flat = load(LOG1, unsegment=True)
    assert flat.cases is None
    assert [r.ts for r in flat.raws] == sorted(r.ts for r in seg.raws)
    assert flat.raws[0].target == "openFile" and flat.raws[2].target == "insertValue:username"


def test_tasklens_csv_and_bad_rows(tmp_path: Path) -> None:
    good = "2026-11-02T09:00:00Z,u1,excel,Book1 - Excel,click,A1,"
    bad_action = "2026-11-02T09:00:01Z,u1,excel,Book1 - Excel,wave,,"
    bad_time = "yesterday,u1,excel,Book1 - Excel,click,,"
    path = _write_csv(tmp_path / "events.csv", [good, bad_action, good.replace(":00Z", ":02Z"), bad_time])
    assert detect_format(path) == "csv"
    with pytest.raises(InputFormatError) as e:
        load(path)
    assert "line 3, column action: unknown action" in str(e.value) and "--skip-bad-rows" in str(e.value)
    assert "wave" not in str(e.value)   # the place, never the content (issue 12 item 16)
    loaded = load(path, skip_bad_rows=True)
    assert [r.source_row for r in loaded.raws] == [0, 2]
    assert [line for line, _ in loaded.bad_rows] == [3, 5]


def test_tasklens_csv_hands_its_titles_ahead_as_it_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The masker begins on an import's titles while the rest of the file is read: each `AHEAD_ROWS` events'
    distinct titles, in order; the last few wait for the batch."""
    from tasklens.analyzer import loaders

    monkeypatch.setattr(loaders, "AHEAD_ROWS", 2)
    rows = [f"2026-11-02T09:00:0{k}Z,u1,excel,Book{k // 2} - Excel,click,A1," for k in range(5)]
    heard: list[list[str]] = []
    loaded = load(_write_csv(tmp_path / "events.csv", rows), ahead=heard.append)
    assert heard == [["Book0 - Excel"], ["Book1 - Excel"]]
    assert [r.title for r in loaded.raws][-1] == "Book2 - Excel"


def test_unknown_format_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\nworld\n")
    with pytest.raises(InputFormatError, match="--format"):
        load(path)
    with pytest.raises(InputFormatError, match="no such file"):
        load(tmp_path / "missing.csv")


def test_store_events_carry_their_ids(store_path: Path) -> None:
    with Store.open(store_path) as store:
        store.append([Event(1_793_606_400.0 + i, "u1", "excel", "Book1 - Excel", Action.CLICK, f"A{i}")
                      for i in range(5)])
    assert detect_format(store_path) == "store"
    loaded = load(store_path)
    assert [e.source_row for e in loaded.events] == [e.id for e in loaded.events]
    assert len(loaded.events) == 5 and not loaded.raws


def test_tasklens_reads_its_own_formula_safe_cells_and_xes_apps_back(tmp_path: Path) -> None:
    from tasklens.analyzer.xes import write_log
    from tasklens.files import csv_cell

    path = tmp_path / "events.csv"
    path.write_text("timestamp,user,app,title,action\n"
                    f"2026-11-02T09:00:00Z,u1,{csv_cell('=HYPERLINK(1)')},{csv_cell('-3 items')},click\n"
                    "2026-11-02T09:00:01Z,u1,'plain,title,click\n")
    raws = load(path).raws
    assert [(r.app, r.title) for r in raws] == [("=HYPERLINK(1)", "-3 items"), ("'plain", "title")]
    xes = tmp_path / "log.xes"
    write_log(xes, "t", [(0, {}, {"concept:name": "click", "time:timestamp": 1_793_606_400.0, "org:resource": "u1",
                                  "app": "excel"})])
    assert [r.app for r in load(xes).raws] == ["excel"]
