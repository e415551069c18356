"""Inputs users already have: an ActivityWatch export and a folder of inputs (issue 17 item 9).

The export is a real one (aw-server 0.12.0 with its window and afk watchers, /work/shared/data/activitywatch):
window events become focus events with app, title and duration; afk spans become idle and active events.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer.loaders import detect_format, expand_inputs, load
from tasklens.errors import InputFormatError
from tasklens.events import Action, parse_time

AW = Path("/work/shared/data/activitywatch/aw-export-sample.json")
needs_aw = pytest.mark.skipif(not AW.is_file(), reason="shared ActivityWatch export not present")
CANARY = "maria.keller@example.com"


@needs_aw
def test_real_export_gives_focus_and_active_events_in_time_order() -> None:
    assert detect_format(AW) == "activitywatch"
    loaded = load(AW)
    doc = json.loads(AW.read_text())
    window = doc["buckets"]["aw-watcher-window_vm"]["events"]
    assert loaded.fmt == "activitywatch" and len(loaded.raws) == len(window) + 1
    assert [r.ts for r in loaded.raws] == sorted(r.ts for r in loaded.raws)
    focus = [r for r in loaded.raws if r.action == Action.FOCUS]
    assert {(r.app, r.title) for r in focus} == {(e["data"]["app"], e["data"]["title"]) for e in window}
    newest = max(focus, key=lambda r: r.ts)
    assert newest.ts == parse_time(window[0]["timestamp"]) and newest.duration == window[0]["duration"]
    assert newest.app == "LoadEditor" and newest.title == "Editor - notes.txt"
    (active,) = [r for r in loaded.raws if r.action == Action.ACTIVE]
    assert active.duration == pytest.approx(62.107)
    assert {r.user for r in loaded.raws} == {"vm"}   # the bucket's host (pseudonymised by analyze)
    assert sorted(r.source_row for r in loaded.raws) == list(range(len(loaded.raws)))


def _aw(events: list[object], kind: str = "currentwindow", host: object = "laptop") -> str:
    return json.dumps({"buckets": {"aw-watcher-window_x": {"id": "aw-watcher-window_x", "type": kind,
                                                           "hostname": host, "events": events}}})


EV = {"timestamp": "2026-11-02T09:00:00+01:00", "duration": 2.0, "data": {"app": "Excel", "title": "Book1"}}

BROKEN = [
    ("not JSON", "{\"buckets\": {", r"not JSON \(line 1, column"),
    ("no buckets", json.dumps({"events": []}), r"not an ActivityWatch export"),
    ("deep nesting", '{"buckets": ' + "[" * 100_000 + "]" * 100_000 + "}", r"not JSON|not an ActivityWatch"),
    ("time is an e-mail", _aw([{**EV, "timestamp": CANARY}]), r"bucket 0 event 0, field timestamp: not a time"),
    ("duration inf", _aw([{**EV, "duration": 1e999}]).replace("Infinity", "1e999"), r"field duration: not a number"),
    ("duration NaN", _aw([{**EV, "duration": float("nan")}]), r"field duration: not a number"),
    ("negative duration", _aw([{**EV, "duration": -1}]), r"field duration"),
    ("duration text", _aw([{**EV, "duration": CANARY}]), r"field duration"),
    ("title not text", _aw([{**EV, "data": {"app": "x", "title": [CANARY]}}]), r"field data.title: not text"),
    ("lone surrogate", _aw([{**EV, "data": {"app": "x", "title": "\ud800" + CANARY}}]),
     r"field data.title: not UTF-8 text"),
    ("NUL", _aw([{**EV, "data": {"app": "x", "title": "a\x00" + CANARY}}]), r"field data.title: holds a NUL"),
    ("event not an object", _aw([CANARY]), r"bucket 0 event 0, the event is not an object"),
    ("afk status", _aw([{**EV, "data": {"status": CANARY}}], kind="afkstatus"), r"field data.status: neither"),
]


@pytest.mark.parametrize(("text", "pattern"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_exports_are_one_line_without_content(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "aw.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(InputFormatError, match=pattern) as e:
        load(path, "activitywatch")
    assert CANARY not in str(e.value) and "\n" not in str(e.value)


def test_other_buckets_are_skipped_and_bad_events_can_be_skipped(tmp_path: Path) -> None:
    doc = {"buckets": {
        "w": {"type": "currentwindow", "hostname": "h1", "events": [EV, {**EV, "duration": "x"},
                                                                     {**EV, "timestamp": "2026-11-02T08:59:00Z"}]},
        "input": {"type": "os.hid.input", "hostname": "h1", "events": [{"timestamp": EV["timestamp"], "data": {}}]},
        "afk": {"type": "afkstatus", "hostname": "h1", "events": [
            {"timestamp": "2026-11-02T07:30:00Z", "duration": 600, "data": {"status": "afk"}}]},
    }}
    path = tmp_path / "aw.json"
    path.write_text(json.dumps(doc))
    loaded = load(path, skip_bad_rows=True)
    assert [(r.action, r.ts) for r in loaded.raws] == [
        (Action.IDLE, parse_time("2026-11-02T07:30:00Z")), (Action.FOCUS, parse_time("2026-11-02T09:00:00+01:00")),
        (Action.FOCUS, parse_time("2026-11-02T08:59:00Z"))]
    assert loaded.bad_rows == [(0, "bucket 0 event 1, field duration: not a number of seconds from 0 to 2678400")]
    assert [r.source_row for r in loaded.raws] == [4, 0, 2]   # document order, the skipped bucket counted


def test_a_folder_is_its_readable_files_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "b.csv").write_text("timestamp,user,app,title,action,target,value\n2026-11-02T09:00:00Z,u,x,t,click,,\n")
    (folder / "a.xes").write_text('<?xml version="1.0"?><log/>')
    (folder / "README.txt").write_text("what these files are\n")
    (folder / ".hidden.csv").write_text("junk")
    (folder / "sub").mkdir()
    other = tmp_path / "other.csv"
    assert expand_inputs([folder, other]) == [folder / "a.xes", folder / "b.csv", other]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputFormatError, match="no file tasklens can read"):
        expand_inputs([empty])
    with pytest.raises(InputFormatError, match="is a folder"):
        load(folder)


@needs_aw
def test_cli_analyzes_a_folder_holding_an_activitywatch_export(tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    shutil.copy(AW, folder / "aw.json")
    out = tmp_path / "analysis"
    r = run_cli("analyze", str(folder), "--out", str(out), "--no-progress")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("20 events")
    assert "vm," not in (out / "events.csv").read_text()   # the host name is pseudonymised like any user id
