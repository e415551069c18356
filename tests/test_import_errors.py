"""Malformed imports end in one line that names the line and column, never the content, and exit 2.

Every case hides a canary (an e-mail address) in the broken field: a message that echoes the field would
leak it to a terminal, a log or a ticket. The CLI cases also check that nothing is written to --out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer.loaders import load
from tasklens.errors import InputFormatError

CANARY = "maria.keller@example.com"
H = "timestamp,user,app,title,action,target,value,duration,count\r\n"
OK = "2026-11-02T09:00:00Z,u1,excel,Book1 - Excel,click,A1,,0.5,1\r\n"
AL = "timeStamp,userID,targetApp,eventType,url,content\n"
AL_OK = "2026-11-02T09:00:00.000Z,u1,Chrome,clickButton,https://crm.example/x,\n"
XES_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n'
XES_EVENT = ('<event><string key="concept:name" value="{name}"/>'
             '<date key="time:timestamp" value="{ts}"/></event>\n')


def xes(*events: tuple[str, str]) -> str:
    body = "".join(XES_EVENT.format(name=n, ts=t) for n, t in events)
    return f'{XES_HEAD}<trace><string key="concept:name" value="case1"/>\n{body}</trace>\n</log>\n'


BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi"))
        + ']>\n<log><trace><event><string key="concept:name" value="&i;"/></event></trace></log>\n')
EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            '<log><trace><event><string key="concept:name" value="&x;"/></event></trace></log>\n')

# (id, file name, content, --format or None, message pattern). Each must raise InputFormatError.
BROKEN: list[tuple[str, str, bytes, str | None, str]] = [
    ("field over 128 KB", "big.csv",
     (H + OK + f"2026-11-02T09:00:01Z,u1,excel,{CANARY}{'x' * 140_000},click,,,,\r\n").encode(),
     None, r"line 3: a field is longer than 128 KB"),
    ("non-UTF-8 byte", "latin1.csv", (H + OK).encode() + b"2026-11-02T09:00:01Z,u1,exc\xe9l,t,click,,,,\r\n",
     None, r"line 3, column app: not UTF-8 text"),
    ("duration inf", "inf.csv", (H + "2026-11-02T09:00:00Z,u1,excel,t,click,A1,,inf,1\r\n").encode(),
     None, r"line 2, column duration: not a number of seconds"),
    ("duration nan", "nan.csv", (H + "2026-11-02T09:00:00Z,u1,excel,t,click,A1,,nan,1\r\n").encode(),
     None, r"line 2, column duration: not a number of seconds"),
    ("duration overflow", "overflow.csv", (H + "2026-11-02T09:00:00Z,u1,excel,t,click,A1,,1e400,1\r\n").encode(),
     None, r"line 2, column duration"),
    ("negative duration", "negative.csv", (H + "2026-11-02T09:00:00Z,u1,excel,t,click,A1,,-5,1\r\n").encode(),
     None, r"line 2, column duration"),
    ("duration text", "durtext.csv", (H + f"2026-11-02T09:00:00Z,u1,excel,t,click,A1,,{CANARY},1\r\n").encode(),
     None, r"line 2, column duration"),
    ("huge count", "count.csv", (H + "2026-11-02T09:00:00Z,u1,excel,t,type,,,1,1e30\r\n").encode(),
     None, r"line 2, column count: not a whole number"),
    ("negative count", "count2.csv", (H + "2026-11-02T09:00:00Z,u1,excel,t,type,,,1,-1\r\n").encode(),
     None, r"line 2, column count"),
    ("time is an e-mail", "ts.csv", (H + OK.replace("2026-11-02T09:00:00Z", CANARY)).encode(),
     None, r"line 2, column timestamp: not a time \(ISO 8601 or Unix seconds expected\)"),
    ("time huge number", "tsnum.csv", (H + OK.replace("2026-11-02T09:00:00Z", "9" * 25)).encode(),
     None, r"line 2, column timestamp"),
    ("time year 1 with offset", "ts1.csv",
     (H + OK.replace("2026-11-02T09:00:00Z", "0001-01-01T00:00:00+01:00")).encode(),
     None, r"line 2, column timestamp"),
    ("action is an e-mail", "action.csv", (H + OK.replace(",click,", f",{CANARY},")).encode(),
     None, r"line 2, column action: unknown action"),
    ("empty user", "user.csv", (H + OK.replace(",u1,", ",,")).encode(), None, r"line 2, column user: empty"),
    ("NUL byte", "nul.csv", (H + OK.replace("Book1", f"{CANARY}\x00")).encode(),
     None, r"line 2, column title: holds a NUL character"),
    ("too few fields", "few.csv", (H + f"2026-11-02T09:00:00Z,{CANARY},excel\r\n").encode(),
     None, r"line 2: 3 fields where the header has 9"),
    ("too many fields", "many.csv", (H + OK.replace("Book1 - Excel", f"{CANARY}, Excel")).encode(),
     None, r"line 2: 10 fields where the header has 9"),
    ("empty file", "empty.csv", b"", None, r"empty\.csv: empty file"),
    ("empty file, forced", "empty2.csv", b"", "csv", r"empty2\.csv: empty file"),
    ("missing columns", "cols.csv", f"timestamp,user,title\n2026-11-02T09:00:00Z,u1,{CANARY}\n".encode(), "csv",
     r"cols\.csv: missing columns app, action"),
    ("header not UTF-8", "hdr.csv", b"timestamp,user,app,action,t\xe9\n", None,
     r"hdr\.csv line 1: the header is not UTF-8"),
    ("binary noise", "noise.bin", bytes(range(256)) * 4, "csv", r"noise\.bin"),
    ("action logger time", "al.csv", (AL + AL_OK.replace("2026-11-02T09:00:00.000Z", CANARY)).encode(),
     None, r"line 2, column timeStamp: not a time"),
    ("action logger event type", "al2.csv", (AL + AL_OK.replace("clickButton", "")).encode(),
     None, r"line 2, column eventType: empty"),
    ("action logger missing columns", "al3.csv", f"timeStamp,userID\n2026-11-02T09:00:00Z,{CANARY}\n".encode(),
     "actionlogger", r"al3\.csv: missing columns targetApp, eventType"),
    ("action logger non-UTF-8", "al4.csv", AL.encode() + b"2026-11-02T09:00:00Z,m\xfcller,Chrome,clickButton,,\n",
     None, r"line 2, column userID: not UTF-8 text"),
    ("XES billion laughs", "bomb.xes", BOMB.encode(), None, r"bomb\.xes line 2: a DTD .* refused"),
    ("XES external entity", "ext.xes", EXTERNAL.encode(), None, r"ext\.xes line 2: a DTD .* refused"),
    ("XES truncated", "cut.xes", xes(("openFile", "2026-11-02T09:00:00Z"))[:-30].encode(), None,
     r"cut\.xes: not well-formed XML \(line \d+"),
    ("XES not UTF-8", "enc.xes", xes(("openFile", "2026-11-02T09:00:00Z")).replace("case1", "ca\xe9").encode("latin-1"),
     None, r"enc\.xes: not well-formed XML"),
    ("XES bad time", "time.xes", xes(("openFile", CANARY)).encode(), None,
     r"time\.xes line 4, event 0, attribute time:timestamp: not a time"),
    ("XES no name", "name.xes", xes(("", "2026-11-02T09:00:00Z")).encode(), None,
     r"name\.xes line 4, event 0: no concept:name"),
]


@pytest.mark.parametrize(("name", "content", "fmt", "pattern"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_input_is_one_line_naming_place_not_content(tmp_path: Path, name: str, content: bytes,
                                                           fmt: str | None, pattern: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFormatError, match=pattern) as e:
        load(path, fmt)
    message = str(e.value)
    assert "\n" not in message and CANARY not in message and "maria" not in message


# Files that are odd but valid: they load, with the values a person would expect.
def test_bom_crlf_and_blank_lines_load(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (H + OK + "\r\n" + OK.replace("A1", "A2")).encode())
    loaded = load(path)
    assert loaded.fmt == "csv" and [r.target for r in loaded.raws] == ["A1", "A2"]
    assert [r.source_row for r in loaded.raws] == [0, 1]
    assert loaded.raws[0].title == "Book1 - Excel" and loaded.raws[0].duration == 0.5 and loaded.raws[0].count == 1


@pytest.mark.parametrize(("name", "content"), [
    ("header.csv", H.encode()),
    ("al-header.csv", AL.encode()),
    ("empty.xes", b'<?xml version="1.0"?><log xes.version="1.0"/>'),
])
def test_header_only_gives_no_events_and_no_error(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    loaded = load(path)
    assert loaded.raws == [] and loaded.bad_rows == []


def test_skip_bad_rows_skips_and_counts_non_utf8_and_non_finite(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes((H + OK).encode() + b"2026-11-02T09:00:01Z,u1,exc\xe9l,t,click,,,,\r\n"
                     + (OK.replace(",0.5,", ",nan,") + OK.replace("A1", "A3")).encode())
    loaded = load(path, skip_bad_rows=True)
    assert [r.target for r in loaded.raws] == ["A1", "A3"]
    assert [line for line, _ in loaded.bad_rows] == [3, 4]
    assert [r.source_row for r in loaded.raws] == [0, 3]


def test_xes_event_lines_and_skip(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_text(xes(("openFile", "2026-11-02T09:00:00Z"), ("save", "later"), ("close", "2026-11-02T09:01:00Z")))
    loaded = load(path, skip_bad_rows=True)
    assert [r.target for r in loaded.raws] == ["openFile", "close"]
    assert [r.source_row for r in loaded.raws] == [0, 2]
    assert loaded.bad_rows == [(5, "event 1, attribute time:timestamp: not a time (ISO 8601 or Unix seconds expected)")]


# --- the command line: one line on stderr, exit 2, nothing written --------------------------------------

def _routine_rows(n: int) -> str:
    """`n` rounds of a three-step routine, one minute apart: enough for an analysis to find something."""
    steps = [("excel", "Invoices - Excel", "click", "A1"), ("sap", "FB60 - SAP", "paste", "Amount"),
             ("sap", "FB60 - SAP", "key", "enter")]
    rows = []
    for k in range(n):
        for s, (app, title, action, target) in enumerate(steps):
            rows.append(f"2026-11-02T09:{k:02d}:{s * 5:02d}Z,u1,{app},{title},{action},{target},,1,1\r\n")
    return "".join(rows)


CLI_CASES = [c for c in BROKEN if c[0] in ("field over 128 KB", "non-UTF-8 byte", "duration inf", "duration nan",
                                            "XES billion laughs", "empty file", "time is an e-mail")]


@pytest.mark.parametrize(("name", "content", "fmt", "pattern"), [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_cli_broken_input_exits_2_with_one_line_and_writes_nothing(tmp_path: Path, name: str, content: bytes,
                                                                   fmt: str | None, pattern: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "analysis"
    r = run_cli("analyze", str(path), "--out", str(out))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tasklens: error: "), r.stderr
    assert CANARY not in r.stderr + r.stdout
    assert not out.exists() and not any(p.name.startswith(".analysis") for p in tmp_path.iterdir())


def test_cli_unknown_time_zone_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(H + OK)
    r = run_cli("analyze", str(path), "--out", str(tmp_path / "analysis"), "--tz", "Mars/Olympus")
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        "tasklens: error: --tz 'Mars/Olympus' is not a known time zone: use an IANA name such as Europe/Berlin or UTC"]


def test_cli_skip_bad_rows_skips_non_utf8_and_nan_rows(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes((H + _routine_rows(12)).encode() + b"2026-11-02T10:00:01Z,u1,exc\xe9l,t,click,,,,\r\n"
                     + OK.replace("09:00:00", "10:00:02").replace(",0.5,", ",nan,").encode())
    out = tmp_path / "analysis"
    r = run_cli("analyze", str(path), "--out", str(out), "--skip-bad-rows", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "skipped 2 malformed rows" in r.stdout
    assert "Traceback" not in r.stderr and "NaN" not in (out / "report.json").read_text()
