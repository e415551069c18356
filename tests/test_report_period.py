"""The period a report states is the true first and last event time, whatever order the events are kept in.

Events are analysed per person in input order, so the first and last rows of that order are not the
earliest and latest times: here alice works 09:00-12:00 and bob 07:00-10:00, so the rows give 09:00-10:00
while the period is 07:00-12:00.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasklens.cli.main import main

ROWS = [("alice", f"2026-11-02T{h:02d}:{m:02d}:00Z") for h in (9, 10, 11) for m in (0, 20, 40)] + \
       [("alice", "2026-11-02T12:00:00Z")] + \
       [("bob", f"2026-11-02T{h:02d}:{m:02d}:00Z") for h in (7, 8, 9) for m in (0, 20, 40)] + \
       [("bob", "2026-11-02T10:00:00Z")]


def test_report_period_is_min_and_max_of_event_times(tmp_path: Path) -> None:
    src = tmp_path / "events.csv"
    src.write_text("timestamp,user,app,title,action,target\n" + "".join(
        f"{ts},{user},excel,Invoices,click,button{i % 3}\n" for i, (user, ts) in enumerate(ROWS)))
    out = tmp_path / "out"
    assert main(["analyze", str(src), "--out", str(out), "--no-progress", "--keep-user-ids"]) == 0
    summary = json.loads((out / "report.json").read_text())["summary"]
    assert summary["first"].startswith("2026-11-02T07:00:00")
    assert summary["last"].startswith("2026-11-02T12:00:00")
    html = (out / "report.html").read_text()
    assert summary["first"] in html and summary["last"] in html
