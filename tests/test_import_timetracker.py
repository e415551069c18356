"""Time-tracker CSV imports: Tockler's export (App;Type;Title;Begin;End) and ManicTime-style CSV.

tests/data/tockler-export.csv has the shape of Tockler's Search > Export to CSV (`;`, local times with no
zone, AppTrackItem/StatusTrackItem/LogTrackItem rows); tests/data/manictime-applications.csv has the
columns Name, Start, End, Duration, Process with US times (a ManicTime-style header; no real ManicTime
export was at hand to compare with).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer.loaders import detect_format, load
from tasklens.errors import InputFormatError
from tasklens.events import Action

DATA = Path(__file__).parent / "data"
TOCKLER = DATA / "tockler-export.csv"
MANICTIME = DATA / "manictime-applications.csv"


def _rows(path: Path) -> list[list[str]]:
    return [line.split(";") for line in path.read_text().splitlines()[1:]]


def test_tockler_spans_become_focus_events_with_durations() -> None:
    assert detect_format(TOCKLER) == "tockler"
    loaded = load(TOCKLER)
    rows = _rows(TOCKLER)
    windows = [r for r in rows if r[1] == "AppTrackItem"]
    focus = [r for r in loaded.raws if r.action is Action.FOCUS]
    assert len(focus) == len(windows)
    assert [(r.app, r.title) for r in focus] == [(w[0], w[2]) for w in windows]   # the file is in time order
    first = focus[0]
    assert first.duration == 35.0 and first.user == TOCKLER.stem   # 08:31:05 -> 08:31:40; one file, one person
    assert {r.action for r in loaded.raws} == {Action.FOCUS, Action.ACTIVE, Action.IDLE}   # status rows
    assert not any(r.title == "Invoice batch Monday" for r in loaded.raws)   # a typed note is no window
    assert [r.ts for r in loaded.raws] == sorted(r.ts for r in loaded.raws)


def test_naive_tockler_times_take_the_zone_given() -> None:
    from zoneinfo import ZoneInfo
    utc, berlin = load(TOCKLER), load(TOCKLER, tz=ZoneInfo("Europe/Berlin"))
    assert utc.raws[0].ts - berlin.raws[0].ts == 3600.0   # 2 November: CET, UTC+1


def test_manictime_style_csv_reads_process_name_and_us_times() -> None:
    assert detect_format(MANICTIME) == "tockler"   # one reader for both
    loaded = load(MANICTIME, "manictime")
    assert [r.app for r in loaded.raws] == ["EXCEL", "saplogon", "OUTLOOK", "EXCEL"]
    assert loaded.raws[0].title == "Invoice register 2026-11.xlsx - Excel"
    assert loaded.raws[0].duration == 155.0   # 8:31:05 AM -> 8:33:40 AM


@pytest.mark.parametrize(("line", "problem"), [
    ("Excel;AppTrackItem;Book1;2026-11-02 09:00:00;2026-11-02 08:59:00", "line 2, column end: before begin"),
    ("Excel;AppTrackItem;Book1;yesterday;2026-11-02 08:59:00", "line 2, column begin: not"),
    ("BUSY;StatusTrackItem;;2026-11-02 09:00:00;2026-11-02 09:10:00", "line 2, column app: a status row"),
    ("Excel;AppTrackItem;Book1;2026-11-02 09:00:00", "line 2: 4 fields where the header has 5"),
])
def test_bad_rows_name_line_and_column_never_the_value(tmp_path: Path, line: str, problem: str) -> None:
    src = tmp_path / "t.csv"
    src.write_text("App;Type;Title;Begin;End\n" + line + "\n")
    with pytest.raises(InputFormatError) as e:
        load(src)
    assert problem in str(e.value) and "Book1" not in str(e.value) and "yesterday" not in str(e.value)
    assert load(src, skip_bad_rows=True).raws == []


def test_header_without_end_is_refused_with_what_it_needs(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("App;Title;Begin\nExcel;Book1;2026-11-02 09:00:00\n")
    with pytest.raises(InputFormatError, match="no end or end time column"):
        load(src, "tockler")


def test_analyze_reads_a_tockler_export_and_masks_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_cli("analyze", str(TOCKLER), "--out", str(out), "--tz", "Europe/Berlin", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["summary"]["events"] == len(load(TOCKLER).raws)
    events = (out / "events.csv").read_text()
    assert "billing@acme-supplies.com" not in events and "<EMAIL_ADDRESS>" in events
    assert report["summary"]["first"].startswith("2026-11-02T07:31:05")   # 08:31:05 in Berlin
