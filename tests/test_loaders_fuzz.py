"""Fuzzing the import loaders (tasklens CSV, Action Logger CSV, XES, ActivityWatch JSON): random and mutated files.

Whatever the bytes: the loader returns or raises a `TasklensError` (one line, exit 2 at the CLI), never
anything else; it finishes quickly (no hang, no blow-up: hypothesis' deadline per file); what it loads
has finite, in-range numbers; and no message repeats a field's content (the canary in every seed field).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tasklens.analyzer.loaders import (
    MAX_COUNT,
    MAX_DURATION,
    Loaded,
    detect_format,
    load,
)
from tasklens.errors import TasklensError

CANARY = "maria.keller@example.com"
T = "2026-11-02T09:00:{:02d}Z"
SEEDS: dict[str, bytes] = {
    "csv": ("timestamp,user,app,title,action,target,value,duration,count\n" + "".join(
        f'{T.format(k)},{CANARY},excel,"{CANARY}, Book{k}",click,A{k},{CANARY},0.5,{k}\n' for k in range(4))).encode(),
    "actionlogger": ("timeStamp,userID,targetApp,eventType,url,content,target.id\n" + "".join(
        f"{T.format(k)},{CANARY},Chrome,clickButton,https://x.example/?q={CANARY},{CANARY},f{k}\n"
        for k in range(4))).encode(),
    "xes": ('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n<trace>'
            f'<string key="concept:name" value="{CANARY}"/>\n' + "".join(
                f'<event><string key="concept:name" value="clickButton"/><string key="org:resource" value="{CANARY}"/>'
                f'<string key="Value" value="{CANARY}"/><date key="time:timestamp" value="{T.format(k)}"/></event>\n'
                for k in range(4)) + "</trace>\n</log>\n").encode(),
    "activitywatch": json.dumps({"buckets": {
        "aw-watcher-window_h": {"type": "currentwindow", "hostname": CANARY, "events": [
            {"timestamp": T.format(k), "duration": 2.5, "data": {"app": CANARY, "title": CANARY}} for k in range(4)]},
        "aw-watcher-afk_h": {"type": "afkstatus", "hostname": CANARY, "events": [
            {"timestamp": T.format(9), "duration": 60, "data": {"status": "afk"}}]}}}).encode(),
}
TOKENS = [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b'"', b",", b"\r", b"\n", b"\r\n", b"<", b">", b"&", b"&amp;",
          b"<!DOCTYPE log [<!ENTITY a 'aaaa'>]>", b"&a;", b"<event>", b"</trace>", b"<![CDATA[", b"nan", b"inf",
          b"-1e999", b"1e308", b"NaN", b"Infinity", b"\\ud800", b"\\u0000", b"[", b"{", b"}", b'"buckets"', b"null",
          b"99999999999999999999", b"-5", b"+02:00", b"Z", b"T", b"2026-13-45", b"", b"x" * 140_000, CANARY.encode()]


def _check(path: Path, fmt: str | None) -> None:
    """Load and check: only TasklensError escapes, values are in range, messages carry no field content."""
    try:
        loaded: Loaded = load(path, fmt, skip_bad_rows=True)
    except TasklensError as e:
        assert "\n" not in str(e) and CANARY not in str(e)
        return
    for r in loaded.raws:
        assert math.isfinite(r.ts) and 0 <= r.ts <= 253402300799
        assert math.isfinite(r.duration) and 0 <= r.duration <= MAX_DURATION and 0 <= r.count <= MAX_COUNT
        assert isinstance(r.user, str) and isinstance(r.title, str)
    assert all(CANARY not in problem for _, problem in loaded.bad_rows)
    if loaded.cases is not None:
        assert len(loaded.cases) == len(loaded.raws)


FUZZ = settings(max_examples=250, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
mutation = st.tuples(st.sampled_from(["insert", "replace", "delete", "truncate"]), st.integers(0, 10_000),
                     st.integers(1, 40), st.sampled_from(TOKENS) | st.binary(max_size=8))


def _mutate(data: bytes, mutations: list[tuple[str, int, int, bytes]]) -> bytes:
    for op, at, span, token in mutations:
        at %= len(data) + 1
        if op == "insert":
            data = data[:at] + token + data[at:]
        elif op == "replace":
            data = data[:at] + token + data[at + span:]
        elif op == "delete":
            data = data[:at] + data[at + span:]
        else:
            data = data[:at]
    return data


@pytest.mark.timeout(600)
@FUZZ
@given(seed=st.sampled_from(sorted(SEEDS)), mutations=st.lists(mutation, min_size=1, max_size=6),
       forced=st.booleans())
@example(seed="xes", mutations=[("insert", 30, 1, b"nan")], forced=False)   # encoding="nanUTF-8": LookupError
def test_mutated_files(tmp_path: Path, seed: str, mutations: list[tuple[str, int, int, bytes]], forced: bool) -> None:
    path = tmp_path / "input"
    path.write_bytes(_mutate(SEEDS[seed], mutations))
    _check(path, seed if forced else None)


@pytest.mark.timeout(600)
@FUZZ
@given(data=st.binary(max_size=4096), fmt=st.sampled_from(["csv", "actionlogger", "xes", "activitywatch"]))
def test_random_bytes(tmp_path: Path, data: bytes, fmt: str) -> None:
    path = tmp_path / "input"
    path.write_bytes(data)
    _check(path, fmt)
    try:
        detected = detect_format(path)
    except TasklensError:
        return
    if detected in ("csv", "actionlogger", "xes", "activitywatch"):
        _check(path, detected)


cell = st.text(max_size=30) | st.sampled_from(["", "nan", "inf", "-1", "1e400", "3.5", "2026-11-02T09:00:00+02:00",
                                                "2026-11-02 09:00", "1793610000", "click", "paste", CANARY])


@pytest.mark.timeout(600)
@FUZZ
@given(header=st.sampled_from([["timestamp", "user", "app", "title", "action", "target", "value", "duration", "count"],
                               ["timeStamp", "userID", "targetApp", "eventType", "url", "content"],
                               ["Timestamp", "USER", "app", "action"]]),
       rows=st.lists(st.lists(cell, min_size=0, max_size=11), max_size=12), bom=st.booleans(), crlf=st.booleans())
def test_well_quoted_csv_with_random_cells(tmp_path: Path, header: list[str], rows: list[list[str]], bom: bool,
                                           crlf: bool) -> None:
    """Valid CSV syntax, any cell content and count: rows load or are reported, never a crash."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n" if crlf else "\n").writerows([header, *rows])
    path = tmp_path / "input.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode("utf-8", "surrogatepass"))
    _check(path, None)
