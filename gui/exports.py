"""Exports of what the dashboard shows (filters and analyst decisions applied): CSV, HTML, XES.

Pure Python over a `Selection`; the analyzer's own report files describe the unfiltered analysis, these
describe the selection an analyst looked at, and say which candidate figures a person confirmed.
Each file is private (0600), appears whole or not at all, and its CSV cells are never formulas.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

import numpy as np

from tasklens.analyzer.selection import Selection
from tasklens.analyzer.xes import write_log
from tasklens.events import iso
from tasklens.files import atomic_open, atomic_write, csv_cell
from tasklens.gui.model import display_name
from tasklens.wording import HOURS_OBSERVED, HOURS_SAVED_TEAM


def write_csv(view: Selection, path: Path) -> Path:
    """The selected events: timestamp, user, app, activity, task, task type (decisions applied), candidate."""
    e, labels = view.events, view.result.process_map.activities
    candidate = view.candidate_of_instance()
    with atomic_open(path, newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "user", "app", "activity", "task_id", "task_type", "task_type_name", "candidate",
                    "candidate_status"])
        names: dict[int, str] = {}
        status = {c.id: c.status for c in view.candidates()}
        for i in np.flatnonzero(view.mask):
            t = int(e.task[i])
            tt = view.types.get(t, -1)
            cid = candidate.get(t, "")
            if tt >= 0 and tt not in names:
                names[tt] = view.type_name(tt)
            w.writerow([iso(float(e.ts[i])), csv_cell(e.users[e.user[i]]), csv_cell(e.apps[e.app[i]]),
                        csv_cell(labels[e.activity[i]]), "" if t < 0 else t, "" if tt < 0 else tt,
                        csv_cell(names.get(tt, "")), csv_cell(cid), status.get(cid, "")])
    return path


def write_xes(view: Selection, path: Path) -> Path:
    """The selected task instances as an XES log (one trace per instance)."""
    e, labels = view.events, view.result.process_map.activities
    idx = np.flatnonzero(view.in_task)
    idx = idx[np.lexsort((e.ts[idx], e.task[idx]))]
    return write_log(path, "tasklens dashboard: " + view.filters.describe(), (
        (int(e.task[i]), {"task_type": view.type_name(view.types[int(e.task[i])])},
         {"concept:name": labels[e.activity[i]], "time:timestamp": float(e.ts[i]),
          "org:resource": e.users[e.user[i]], "app": e.apps[e.app[i]]})
        for i in idx))


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_html(view: Selection, path: Path) -> Path:
    """A self-contained report of the selection; candidates say whether an analyst confirmed them."""
    t = view.totals()
    cands = view.candidates()
    confirmed = [c for c in cands if c.status == "accepted"]
    parts = [
        "<!doctype html><meta charset='utf-8'><title>tasklens analysis</title><style>"
        "body{font-family:sans-serif;margin:2em;color:#1f2933}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #cbd2d9;padding:4px 8px;text-align:left}th{background:#e4e7eb}"
        ".accepted{color:#2e8540;font-weight:bold}.rejected{color:#b03a2e}</style>",
        "<h1>tasklens analysis</h1>",
        f"<p>Selection: {html.escape(view.filters.describe())}. {t['events']:,} events, {t['employees']} employees, "
        f"{t['hours']:.1f} active hours, {t['instances']:,} task instances.</p>",
        f"<p>{len(confirmed)} of {len(cands)} candidates were confirmed by an analyst; figures of the others are "
        "the analyzer's alone.</p>",
        "<h2>RPA candidates</h2>",
        _table(["Rank", "Candidate", "Analyst", "Instances", "Employees", HOURS_OBSERVED, HOURS_SAVED_TEAM,
                "Bot build h (one developer)", "Upkeep h/month", "Payback, months"],
               [[c.rank, display_name(c.name), {"accepted": "confirmed", "rejected": "rejected"}.get(c.status, "not reviewed"),
                 c.instances, len(c.users), f"{c.hours_observed:.1f}", f"{c.hours_saved_per_month:.1f}",
                 f"{c.effort.build_hours:g}" + (" (analyst)" if c.effort.overridden else " (model)"),
                 f"{c.effort.maintain_hours_per_month:g}",
                 "never" if c.effort.payback_months is None else f"{c.effort.payback_months:g}"]
                for c in cands]),
        "<p>Build hours are the effort model's estimate (weights in report.json, candidates' assumptions) unless "
        "an analyst set them; payback = build hours / (team hours saved per month - upkeep).</p>",
        "<h2>Task types</h2>",
        _table(["Task type", "Instances", "Employees", "Hours", "Variants"],
               [[display_name(x.name), x.instances, len(x.users), f"{x.hours:.1f}", len(x.variants)] for x in view.task_types()]),
        "<h2>Time by application</h2>",
        _table(["Application", "Active hours"], [[a, f"{h:.1f}"] for a, h in view.time_by_app()]),
    ]
    return atomic_write(path, "\n".join(parts) + "\n")
