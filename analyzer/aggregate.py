"""The admin report: figures aggregated over employees, each shown only if at least K of them contribute.

It reads an analysis folder (`events.csv`, `report.json`), never a store, so it only ever sees masked,
pseudonymised data. No row is about one person: there is no employee column at all, and every figure
(application, task type, candidate, overview) that fewer than `min_users` distinct employees contribute
to is suppressed and counted as such. Titles appear only as the analyzer's generalised activity labels.
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tasklens.errors import InputFormatError
from tasklens.events import iso, parse_time

NEEDED = ("timestamp", "user", "app", "task_id", "task_type", "candidate")
ACTIVE_GAP = 300.0   # seconds; a longer pause between two events does not count as time in the app


@dataclass(frozen=True)
class Row:
    """One figure group that passed the threshold."""

    section: str
    label: str
    users: int
    values: dict[str, float | int | str]


@dataclass
class Aggregate:
    min_users: int
    rows: list[Row] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)   # section -> rows withheld
    span: tuple[float, float] = (0.0, 0.0)
    source: str = ""

    def section(self, name: str) -> list[Row]:
        return [r for r in self.rows if r.section == name]


@dataclass
class _Group:
    users: set[str] = field(default_factory=set)
    events: int = 0
    seconds: float = 0.0
    tasks: dict[str, tuple[float, float]] = field(default_factory=dict)   # task id -> (start, end)

    def add(self, user: str, ts: float, task: str) -> None:
        self.users.add(user)
        self.events += 1
        if task:
            lo, hi = self.tasks.get(task, (ts, ts))
            self.tasks[task] = (min(lo, ts), max(hi, ts))

    def task_seconds(self) -> list[float]:
        return [hi - lo for lo, hi in self.tasks.values()]


def _read_events(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
            if missing:
                raise InputFormatError(f"{path}: not an analysis events.csv (missing columns {', '.join(missing)})")
            return list(reader)
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror}; give the folder `tasklens analyze --out` wrote") from None


def _time(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return parse_time(text)


def build(analysis_dir: Path, min_users: int = 5) -> Aggregate:
    """Aggregate one analysis folder with threshold `min_users` (K)."""
    if min_users < 2:
        raise InputFormatError(f"--min-users {min_users} would single people out: use 2 or more (default 5)")
    rows = _read_events(analysis_dir / "events.csv")
    report_path = analysis_dir / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    names = {str(t.get("id")): t.get("name") or f"Task type {t.get('id')}" for t in report.get("task_types", [])}
    cands = {c["id"]: c for c in report.get("candidates", [])}

    overall, apps = _Group(), defaultdict(_Group)
    types, candidates = defaultdict(_Group), defaultdict(_Group)
    last: dict[str, tuple[float, str]] = {}
    for r in sorted(rows, key=lambda r: (r["user"], _time(r["timestamp"]))):
        ts, user, task = _time(r["timestamp"]), r["user"], r["task_id"]
        overall.add(user, ts, task)
        apps[r["app"]].add(user, ts, task)
        if user in last and 0 <= ts - last[user][0] <= ACTIVE_GAP:
            apps[last[user][1]].seconds += ts - last[user][0]
        last[user] = (ts, r["app"])
        if task and r["task_type"] not in ("", "-1"):
            types[r["task_type"]].add(user, ts, task)
        if r["candidate"]:
            candidates[r["candidate"]].add(user, ts, task)

    agg = Aggregate(min_users, source=str(analysis_dir))
    if rows:
        stamps = [_time(r["timestamp"]) for r in rows]
        agg.span = (min(stamps), max(stamps))

    def keep(section: str, label: str, g: _Group, values: dict[str, float | int | str]) -> None:
        if len(g.users) >= min_users:
            agg.rows.append(Row(section, label, len(g.users), values))
        else:
            agg.suppressed[section] = agg.suppressed.get(section, 0) + 1

    keep("overview", "all employees", overall, {
        "events": overall.events, "task_instances": len(overall.tasks),
        "hours_in_tasks": round(sum(overall.task_seconds()) / 3600, 2)})
    total_app_seconds = sum(g.seconds for g in apps.values()) or 1.0
    for app, g in sorted(apps.items(), key=lambda kv: -kv[1].seconds):
        keep("applications", app or "(no application)", g, {
            "active_hours": round(g.seconds / 3600, 2), "share": round(g.seconds / total_app_seconds, 3),
            "events": g.events})
    for t, g in sorted(types.items(), key=lambda kv: -sum(kv[1].task_seconds())):
        secs = g.task_seconds()
        keep("task types", names.get(t, f"Task type {t}"), g, {
            "instances": len(secs), "hours_observed": round(sum(secs) / 3600, 2),
            "median_minutes": round(statistics.median(secs) / 60, 1) if secs else 0.0})
    for cid, g in sorted(candidates.items(), key=lambda kv: cands.get(kv[0], {}).get("rank", 999)):
        c = cands.get(cid, {})
        secs = g.task_seconds()
        keep("candidates", f"{cid} {c.get('name', names.get(str(c.get('task_type')), ''))}".strip(), g, {
            "rank": c.get("rank", ""), "instances": len(secs), "hours_observed": round(sum(secs) / 3600, 2),
            "hours_saved_per_month": c.get("hours_saved_per_month", ""),
            "confidence": c.get("confidence_label", c.get("confidence", ""))})
    return agg


def write_csv(agg: Aggregate, path: Path) -> Path:
    """Long format: section, label, employees, metric, value; then one line per suppressed section."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["section", "label", "employees", "metric", "value"])
        for r in agg.rows:
            for k, v in r.values.items():
                w.writerow([r.section, r.label, r.users, k, v])
        for section, n in agg.suppressed.items():
            w.writerow([section, f"{n} row(s) suppressed: fewer than {agg.min_users} employees", "", "", ""])
    return path


def _esc(s: object) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bar(share: float) -> str:
    return (f'<span style="display:inline-block;height:10px;width:{max(1, round(160 * share))}px;'
            'background:#3b7dd8;border-radius:2px"></span>')


def to_html(agg: Aggregate) -> str:
    """A self-contained page (inline CSS, CSS bars), printable to PDF."""
    parts = [f"<h1>tasklens admin report</h1><p class=meta>Source: {_esc(Path(agg.source).name)} &middot; "
             f"period {iso(agg.span[0])[:10]} to {iso(agg.span[1])[:10]} &middot; generated "
             f"{iso(time.time())[:16].replace('T', ' ')} UTC</p>",
             f"<p class=note>Every figure below comes from at least <b>{agg.min_users}</b> employees. "
             "Figures from fewer are withheld and counted; no row describes one person, and window titles "
             "appear only as generalised activity labels.</p>"]
    for section in ("overview", "applications", "task types", "candidates"):
        rows = agg.section(section)
        parts.append(f"<h2>{section.capitalize()}</h2>")
        if rows:
            keys = list(rows[0].values)
            head = "".join(f"<th>{_esc(k.replace('_', ' '))}</th>" for k in keys)
            parts.append(f"<table width=\"100%\"><tr><th width=\"34%\"></th><th>employees</th>{head}</tr>")
            for r in rows:
                cells = "".join(
                    f"<td>{_bar(float(v)) + ' ' if k == 'share' else ''}{_esc(f'{v:.0%}' if k == 'share' else v)}</td>"
                    for k, v in r.values.items())
                parts.append(f"<tr><td>{_esc(r.label)}</td><td>{r.users}</td>{cells}</tr>")
            parts.append("</table>")
        if n := agg.suppressed.get(section):
            parts.append(f"<p class=supp>{n} row(s) withheld: fewer than {agg.min_users} employees.</p>")
        elif not rows:
            parts.append("<p class=supp>Nothing to show.</p>")
    style = ("body{font-family:'DejaVu Sans',Arial,sans-serif;color:#1d2633;margin:28px;font-size:11pt}"
             "h1{font-size:20pt;margin:0 0 4px}h2{font-size:14pt;margin:22px 0 6px;color:#23466e}"
             ".meta{color:#5a6778;margin:0 0 10px}.note{background:#eef4fb;padding:8px 10px;border-radius:4px}"
             "table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #dde3ea;"
             "text-align:left}th{background:#f3f6f9;font-weight:600}.supp{color:#8a5a00;font-style:italic}")
    return f"<!doctype html><html><head><meta charset=utf-8><title>tasklens admin report</title><style>{style}</style></head><body>{''.join(parts)}</body></html>"
