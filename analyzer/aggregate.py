"""The admin report: figures aggregated over employees, each shown only if at least K of them contribute.

It reads an analysis folder, never a store, so it only ever sees masked, pseudonymised data: the
instances of report.json (task types and candidates) and each application's use, counted from
`events.csv` or, where an analysis of a merged dataset wrote no per-event file, from `usage.json`,
which the analysis tallied from the dataset with the same rule (`user_usage`). No row is about one
person: there is no employee column at all, and a group (application, task type, candidate) that fewer
than `min_users` distinct people contribute to is left out without a trace. Every figure is computed
over the rows shown only, so nothing hidden can be recovered by subtraction: no overall totals, no count
of rows left out, shares over the shown rows' total, ranks and names numbered among the shown rows, and
the period spanned by the shown rows. Names, ranks and instance times are the analysis' own
(`AnalysisResult`, report.json), never recomputed.

People are distinct enrolled signers (`tasklens.analyzer.signers`): an analysis holding user ids that
no signed bundle proves (CSV, XES, a store) is refused unless `allow_unverified`, and then the report
says that its counts of people are unverified.
"""

from __future__ import annotations

import csv
import html
import io
import json
import statistics
import time
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from tasklens.analyzer import signers
from tasklens.analyzer.activetime import RULE, counted
from tasklens.analyzer.result import AnalysisResult, Instance
from tasklens.constants import MIN_USERS, MIN_USERS_FLOOR
from tasklens.errors import InputFormatError
from tasklens.events import iso, parse_time
from tasklens.files import atomic_write, csv_cell, csv_uncell
from tasklens.wording import PEOPLE, heading

NEEDED = ("timestamp", "user", "app")
SECTIONS = ("applications", "task types", "candidates")
USAGE = "usage.json"     # each application's use, where an analysis wrote no events.csv
USAGE_FORMAT = 1
K = TypeVar("K", bound=Hashable)   # what names an application: its name, or an id while streaming


@dataclass(frozen=True)
class Row:
    """One figure group that passed the threshold."""

    section: str
    label: str
    users: int
    values: dict[str, float | int | str]


@dataclass
class Aggregate:
    """The admin report's figures: only groups of at least `min_users` people, computed over those rows."""

    min_users: int
    verified: bool                       # people are distinct enrolled signers, not bare user ids
    rows: list[Row] = field(default_factory=list)
    span: tuple[float, float] | None = None   # first and last event of the groups shown
    source: str = ""

    def section(self, name: str) -> list[Row]:
        return [r for r in self.rows if r.section == name]


@dataclass
class Usage:
    """One application's use: by whom, how many events, active seconds, first and last event."""

    users: set[str] = field(default_factory=set)
    events: int = 0
    seconds: float = 0.0
    first: float = float("inf")
    last: float = float("-inf")

    def add(self, other: Usage) -> None:
        self.users |= other.users
        self.events += other.events
        self.seconds += other.seconds
        self.first, self.last = min(self.first, other.first), max(self.last, other.last)


def user_usage(user: str, ts: np.ndarray, apps: Sequence[K]) -> dict[K, Usage]:
    """One person's use of each application: their events in time order, the time to the next event
    as the one rule counts it (`activetime.counted`: a pause longer than ACTIVE_GAP counts none) credited
    to the application of the earlier one. The same for events.csv and for a dataset's analysis (and for
    a Spark worker's user)."""
    order = np.argsort(ts, kind="stable")
    ts = np.asarray(ts, float)[order]
    codes: dict[K, int] = {}
    app = np.fromiter((codes.setdefault(apps[k], len(codes)) for k in order.tolist()), np.int64, len(order))
    seconds = np.bincount(app[:-1], counted(np.diff(ts)), minlength=len(codes))
    events = np.bincount(app, minlength=len(codes))
    first, last = np.full(len(codes), np.inf), np.full(len(codes), -np.inf)
    np.minimum.at(first, app, ts)
    np.maximum.at(last, app, ts)
    return {a: Usage({user}, int(events[k]), float(seconds[k]), float(first[k]), float(last[k])) for a, k in codes.items()}


def add_usage(into: dict[K, Usage], part: Mapping[K, Usage]) -> None:
    for app, u in part.items():
        into.setdefault(app, Usage()).add(u)


def write_usage(folder: Path, usage: Mapping[str, Usage]) -> Path:
    """usage.json: per application its people (pseudonyms, as report.json's instances), events, seconds, span."""
    return atomic_write(Path(folder) / USAGE, json.dumps({"format": USAGE_FORMAT, "applications": [
        {"app": app, "users": sorted(u.users), "events": u.events, "seconds": u.seconds, "first": u.first,
         "last": u.last} for app, u in sorted(usage.items())]}, indent=1))


def _read_usage_json(path: Path) -> dict[str, Usage]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != USAGE_FORMAT:
            raise InputFormatError(f"{path} is of another tasklens version: run `tasklens analyze` into this folder again")
        return {a["app"]: Usage(set(a["users"]), int(a["events"]), float(a["seconds"]), float(a["first"]),
                                float(a["last"])) for a in data["applications"]}
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputFormatError(f"{path} is damaged: run `tasklens analyze` into this folder again") from None


def _time(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        try:
            return parse_time(text)
        except ValueError:
            raise InputFormatError("events.csv holds a timestamp that is not a time: run `tasklens analyze` "
                                   "into this folder again") from None


def _read_events_csv(path: Path) -> dict[str, Usage]:
    """Each application's use from events.csv, one person at a time (only times and applications kept)."""
    by_user: dict[str, tuple[list[float], list[str]]] = {}
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
            if missing:
                raise InputFormatError(f"{path}: not an analysis events.csv (missing columns {', '.join(missing)})")
            for r in reader:
                ts, apps = by_user.setdefault(csv_uncell(r["user"]), ([], []))
                ts.append(_time(r["timestamp"]))
                apps.append(csv_uncell(r["app"]))
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror}; give the folder `tasklens analyze --out` wrote") from None
    except (UnicodeDecodeError, csv.Error):
        raise InputFormatError(f"{path} is damaged: run `tasklens analyze` into this folder again") from None
    usage: dict[str, Usage] = {}
    for user, (ts, apps) in sorted(by_user.items()):
        add_usage(usage, user_usage(user, np.array(ts), apps))
    return usage


def read_usage(analysis_dir: Path) -> dict[str, Usage]:
    """Each application's use in an analysis folder: from events.csv, else from usage.json."""
    folder = Path(analysis_dir)
    if (folder / "events.csv").exists() or not (folder / USAGE).exists():
        return _read_events_csv(folder / "events.csv")
    return _read_usage_json(folder / USAGE)


def _people(usage: Mapping[str, Usage]) -> set[str]:
    return set().union(*(u.users for u in usage.values()))


def unverified_users(analysis_dir: Path, usage: Mapping[str, Usage] | None = None) -> set[str]:
    """Users of the analysis that no enrolled signer's bundle proves to be a distinct person."""
    return _people(read_usage(analysis_dir) if usage is None else usage) - signers.verified_users(analysis_dir)


@dataclass
class _Group:
    """A task type's or a candidate's instances."""

    instances: list[Instance] = field(default_factory=list)

    @property
    def users(self) -> set[str]:
        return {i.user for i in self.instances}

    def seconds(self) -> list[float]:
        """Each instance's time as the analysis measured it (`Instance.seconds`, the one duration rule)."""
        return [i.seconds for i in sorted(self.instances, key=lambda i: i.id)]


def _groups(instances: Iterable[Instance], key: Mapping[int, str | int]) -> dict[str | int, _Group]:
    out: dict[str | int, _Group] = {}
    for i in instances:
        if i.task_type in key:
            out.setdefault(key[i.task_type], _Group()).instances.append(i)
    return out


def build(analysis_dir: Path, min_users: int = MIN_USERS, *, allow_unverified: bool = False) -> Aggregate:
    """Aggregate one analysis folder with threshold `min_users` (K) distinct people per figure."""
    if min_users < MIN_USERS_FLOOR:
        raise InputFormatError(f"--min-users {min_users} would single people out: use {MIN_USERS_FLOOR} or more "
                               f"(default {MIN_USERS})")
    usage = read_usage(analysis_dir)
    unproven = unverified_users(analysis_dir, usage)
    if unproven and not allow_unverified:
        raise InputFormatError(
            f"{analysis_dir}: {len(unproven)} of {len(_people(usage))} people in this analysis come from "
            "inputs that cannot prove who is behind them (CSV, XES, a store, unsigned bundles), so they cannot be "
            "counted as distinct people: analyse signed bundles of enrolled signers, or pass --allow-unverified "
            "(the report then says its counts are unverified)")
    result = AnalysisResult.read(analysis_dir)
    names = {t.id: t.name for t in result.task_types}
    cands = {c.id: c for c in result.candidates}
    apps = {a: u for a, u in usage.items() if len(u.users) >= min_users}
    types = {t: g for t, g in _groups(result.instances, {t: t for t in names}).items() if len(g.users) >= min_users}
    candidates = {c: g for c, g in _groups(result.instances, result.candidate_of_type()).items()
                  if len(g.users) >= min_users}

    agg = Aggregate(min_users, verified=not unproven, source=str(analysis_dir))
    spans = [(u.first, u.last) for u in apps.values()] + [
        (i.start, i.end) for g in (*types.values(), *candidates.values()) for i in g.instances]
    if spans:
        agg.span = (min(a for a, _ in spans), max(b for _, b in spans))

    app_seconds = sum(u.seconds for u in apps.values()) or 1.0
    for app, u in sorted(apps.items(), key=lambda kv: (-kv[1].seconds, kv[0])):
        agg.rows.append(Row("applications", app or "(no application)", len(u.users), {
            "active_hours": round(u.seconds / 3600, 2), "share": round(u.seconds / app_seconds, 3),
            "events": u.events}))
    used: Counter[str] = Counter()   # two types may share a name (their first step): number the repeats
    for n, (t, g) in enumerate(sorted(types.items(), key=lambda kv: (-sum(kv[1].seconds()), str(kv[0]))), 1):
        secs = g.seconds()
        name = names.get(int(t)) or f"Task type {n}"
        used[name] += 1
        agg.rows.append(Row("task types", name if used[name] == 1 else f"{name} ({used[name]})", len(g.users), {
            "instances": len(secs), "hours_observed": round(sum(secs) / 3600, 2),
            "median_minutes": round(statistics.median(secs) / 60, 1) if secs else 0.0}))

    def rank(cid: str | int) -> tuple[float, str]:
        return (float(cands[str(cid)].rank) if cid in cands else float("inf"), str(cid))

    for n, cid in enumerate(sorted(candidates, key=rank), 1):   # ranked again among the shown ones
        c, g = cands.get(str(cid)), candidates[cid]
        secs = g.seconds()
        name = (c.name or names.get(c.task_type, "")) if c else ""
        agg.rows.append(Row("candidates", name or f"Candidate {n}", len(g.users), {
            "rank": n, "instances": len(secs), "hours_observed": round(sum(secs) / 3600, 2),
            "hours_saved_per_month": c.hours_saved_per_month if c else "",
            "confidence": c.confidence_label if c else ""}))
    return agg


def basis(agg: Aggregate) -> str:
    """What an employee count in this report means, in words."""
    if agg.verified:
        return "distinct enrolled signers (people whose signed bundles the analyst enrolled)"
    return "UNVERIFIED: distinct user ids, which may not be distinct people"


def csv_text(agg: Aggregate) -> str:
    """Long format: section, label, employees, metric, value; first what the counts mean."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "label", "employees", "metric", "value"])
    w.writerow(["about", "employees counted as", "", "basis", basis(agg)])
    w.writerow(["about", "minimum employees per figure", "", "min_users", agg.min_users])
    for r in agg.rows:
        for k, v in r.values.items():
            w.writerow([csv_cell(r.section), csv_cell(r.label), r.users, csv_cell(k), csv_cell(v)])
    return buf.getvalue()


def write_csv(agg: Aggregate, path: Path) -> Path:
    return atomic_write(path, csv_text(agg))


def _bar(share: float) -> str:
    return (f'<span style="display:inline-block;height:10px;width:{max(1, round(60 * share))}px;'
            'background:#3b7dd8;border-radius:2px"></span>')


def to_html(agg: Aggregate) -> str:
    """A self-contained page (inline CSS, CSS bars), printable to PDF."""
    period = (f"period {iso(agg.span[0])[:10]} to {iso(agg.span[1])[:10]}" if agg.span else "no period")
    parts = [(f"<h1>tasklens admin report</h1><p class=meta>Source: {html.escape(Path(agg.source).name)} &middot; "
              f"{period} &middot; generated {iso(time.time())[:16].replace('T', ' ')} UTC</p>")]
    if not agg.verified:
        parts.append("<p class=warn><b>Unverified counts.</b> This analysis holds user ids that no signed bundle "
                     "of an enrolled signer proves: one person may count as several, so a figure shown as coming "
                     f"from {agg.min_users} employees may come from fewer.</p>")
    parts.append(f"<p class=note>Every figure below comes from at least <b>{agg.min_users}</b> employees, counted "
                 f"as {html.escape(basis(agg))}, and is computed over the rows shown only; smaller groups are left out. "
                 "No row describes one person, and window titles appear only as generalised activity labels. "
                 f"Hours count time one way: {html.escape(RULE)}.</p>")
    for section in SECTIONS:
        rows = agg.section(section)
        parts.append(f"<h2>{section.capitalize()}</h2>")
        if not rows:
            parts.append("<p class=supp>Nothing to show.</p>")
            continue
        keys = list(rows[0].values)
        head = "".join(f"<th>{html.escape(heading(k)).replace(' ', '<br>')}</th>" for k in keys)
        parts.append(f"<table width=\"100%\"><tr><th width=\"200\"></th><th>{PEOPLE}</th>{head}</tr>")
        for r in rows:
            cells = "".join(
                f"<td>{_bar(float(v)) + ' ' if k == 'share' else ''}{html.escape(f'{v:.0%}' if k == 'share' else str(v))}</td>"
                for k, v in r.values.items())
            parts.append(f"<tr><td>{html.escape(r.label)}</td><td>{r.users}</td>{cells}</tr>")
        parts.append("</table>")
    style = ("body{font-family:'DejaVu Sans',Arial,sans-serif;color:#1d2633;margin:28px;font-size:11pt}"
             "h1{font-size:20pt;margin:0 0 4px}h2{font-size:14pt;margin:22px 0 6px;color:#23466e}"
             ".meta{color:#5a6778;margin:0 0 10px}.note{background:#eef4fb;padding:8px 10px;border-radius:4px}"
             ".warn{background:#fdecea;color:#8a1c12;padding:8px 10px;border-radius:4px}"
             "table{border-collapse:collapse;width:100%;font-size:9pt}th,td{padding:4px 6px;border-bottom:1px solid #dde3ea;"
             "text-align:left}th{background:#f3f6f9;font-weight:600;white-space:nowrap}.supp{color:#8a5a00;font-style:italic}")
    head = f"<!doctype html><html><head><meta charset=utf-8><title>tasklens admin report</title><style>{style}</style></head>"
    return f"{head}<body>{''.join(parts)}</body></html>"
