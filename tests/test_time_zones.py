"""Every time form an import may hold parses onto one UTC timeline; naive times are UTC unless --tz says.

A stitched log that mixes `Z`, `+00:00`, `+02:00` and naive stamps must not jump by hours between forms,
and a time that cannot be read is refused with a message that does not repeat it.
"""

from __future__ import annotations

import csv
import math
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tasklens.analyzer.loaders import load
from tasklens.analyzer.outputs import iso_all
from tasklens.errors import TasklensError
from tasklens.events import NOT_A_TIME, iso, parse_time, time_zone

T = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc).timestamp()   # 09:00 UTC, CET (+01:00) in Berlin
SUMMER = datetime(2026, 7, 2, 9, 0, tzinfo=timezone.utc).timestamp()   # CEST (+02:00) in Berlin

PARSED = [
    ("2026-11-02T09:00:00Z", None, T),
    ("2026-11-02T09:00:00+00:00", None, T),
    ("2026-11-02T11:00:00+02:00", None, T),
    ("2026-11-02T04:00:00-05:00", None, T),
    ("2026-11-02T09:00:00", None, T),                  # naive = UTC
    ("2026-11-02 09:00:00", None, T),
    ("  2026-11-02T09:00:00Z\r", None, T),
    ("2026-11-02T09:00:00.250Z", None, T + 0.25),
    ("2026-11-02", None, T - 9 * 3600),
    (str(int(T)), None, T),                            # Unix seconds
    (f"{T}", None, T),
    ("2026-11-02T10:00:00", "Europe/Berlin", T),       # naive in the analyst's zone
    ("2026-07-02T11:00:00", "Europe/Berlin", SUMMER),  # summer time
    ("2026-11-02T09:00:00Z", "Europe/Berlin", T),      # an explicit zone wins over --tz
    ("2026-11-02T11:00:00+02:00", "America/New_York", T),
    (str(int(T)), "Europe/Berlin", T),                 # Unix seconds have no zone
]


@pytest.mark.parametrize(("text", "zone", "expected"), PARSED)
def test_time_forms_parse_to_one_timeline(text: str, zone: str | None, expected: float) -> None:
    assert parse_time(text, time_zone(zone)) == pytest.approx(expected)


REFUSED = ["", "   ", "yesterday", "maria.keller@example.com", "nan", "inf", "-inf", "1e400", "NaN", "2026",
           "20261", "-1793610000", "9" * 30, "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-14:00",
           "1969-12-31T23:59:59Z", "2026-13-01", "2026-11-02T25:00:00", "1793610000000"]


@pytest.mark.parametrize("text", REFUSED)
def test_unreadable_times_are_refused_without_echo(text: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_time(text)
    assert str(e.value).startswith("not a time")
    if text.strip():
        assert text.strip() not in str(e.value)


def test_parse_time_never_returns_a_non_finite_number() -> None:
    for text in ("1793610000.5", "2026-11-02T09:00:00Z"):
        assert math.isfinite(parse_time(text))
    assert NOT_A_TIME == "not a time (ISO 8601 or Unix seconds expected)"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "/etc/passwd", "", "Europe/"])
def test_unknown_zone_is_one_line(zone: str) -> None:
    with pytest.raises(TasklensError) as e:
        time_zone(zone)
    assert "\n" not in str(e.value) and "not a known time zone" in str(e.value)


def test_one_file_of_mixed_forms_is_one_timeline(tmp_path: Path) -> None:
    """The same instant written four ways gives four equal times; --tz moves only the naive one."""
    path = tmp_path / "mixed.csv"
    forms = ["2026-11-02T09:00:00Z", "2026-11-02T09:00:00+00:00", "2026-11-02T11:00:00+02:00", "2026-11-02T09:00:00"]
    path.write_text("timestamp,user,app,title,action,target,value\n"
                    + "".join(f"{f},u1,excel,Book1,click,A{k},\n" for k, f in enumerate(forms)))
    assert [r.ts for r in load(path).raws] == [T] * 4
    berlin = load(path, tz=time_zone("Europe/Berlin")).raws
    assert [r.ts for r in berlin] == [T, T, T, T - 3600]


def test_action_logger_and_xes_take_the_zone_too(tmp_path: Path) -> None:
    al = tmp_path / "al.csv"
    al.write_text("timeStamp,userID,targetApp,eventType\n2026-11-02T10:00:00,u1,Chrome,clickButton\n"
                  "2026-11-02T09:00:00.000Z,u1,Chrome,clickLink\n")
    assert [r.ts for r in load(al, tz=time_zone("Europe/Berlin")).raws] == [T, T]
    xes = tmp_path / "log.xes"
    xes.write_text('<?xml version="1.0"?><log><trace><event><string key="concept:name" value="a"/>'
                   '<date key="time:timestamp" value="2026-11-02T10:00:00"/></event><event>'
                   '<string key="concept:name" value="b"/><date key="time:timestamp" value="2026-11-02T09:00:00Z"/>'
                   '</event></trace></log>')
    assert [r.ts for r in load(xes, tz=time_zone("Europe/Berlin")).raws] == [T, T]
    assert [r.ts for r in load(xes).raws] == [T + 3600, T]


def test_cli_tz_moves_naive_import_times_onto_utc(tmp_path: Path) -> None:
    """`analyze --tz Europe/Berlin`: a naive 10:00 in the input is 09:00Z in events.csv."""
    from helpers import run_cli

    rows = ["timestamp,user,app,title,action,target,value"]
    for k in range(12):
        for s, (app, action, target) in enumerate([("excel", "click", "A1"), ("sap", "paste", "Amount"),
                                                   ("sap", "key", "enter")]):
            rows.append(f"2026-11-02T10:{k:02d}:{s * 5:02d},u1,{app},{app} window,{action},{target},")
    src = tmp_path / "events.csv"
    src.write_text("\n".join(rows) + "\n")
    out = tmp_path / "analysis"
    r = run_cli("analyze", str(src), "--out", str(out), "--tz", "Europe/Berlin", "--no-progress")
    assert r.returncode == 0, r.stderr
    with open(out / "events.csv", newline="") as f:
        stamps = sorted(row["timestamp"] for row in csv.DictReader(f))
    assert stamps[0] == "2026-11-02T09:00:00.000Z" and stamps[-1] == "2026-11-02T09:11:10.000Z"


@given(st.lists(st.floats(min_value=-86_400 * 365, max_value=253402300799.0), max_size=50))
@example([0.0005, 0.9999995, 86399.9999996, 1_700_000_000 + 1.5e-6, -1e-7])
def test_iso_all_prints_what_iso_prints(times: list[float]) -> None:
    """events.csv and log.xes print every event's time through `iso_all`: the same text as `iso`."""
    assert iso_all(times) == [iso(t) for t in times]
