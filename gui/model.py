"""The dashboard's data: an analysis folder read into columns, filtered, and aggregated per view.

Pure numpy and stdlib (no Qt), so every figure a view shows is testable without a display. Filters
(date range, employees, applications) select events; task views take the instances those events belong
to, whole, so variants and the process map are never made of cut-off fragments. Analyst decisions
(merges, splits, renamed candidates) are applied here, so every view shows the same corrected picture.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from tasklens.analyzer import decisions as dec
from tasklens.constants import ACTIVE_GAP
from tasklens.errors import InputFormatError
from tasklens.events import parse_time
from tasklens.files import csv_uncell

NEEDED = ("timestamp", "user", "app", "action", "activity", "task_id", "task_type", "candidate")
SPLIT_BASE = 1000      # task type ids given to types split off by an analyst


class _Codes:
    """Strings as small ints: columns of 1M events stay arrays, not lists of str."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, s: str) -> int:
        i = self.ids.get(s)
        if i is None:
            i = self.ids[s] = len(self.names)
            self.names.append(s)
        return i


@dataclass
class AnalysisData:
    """One analysis folder: report.json as a dict and events.csv as columns."""

    folder: Path
    report: dict[str, Any]
    ts: np.ndarray           # float epoch seconds
    user: np.ndarray         # codes into users
    app: np.ndarray
    activity: np.ndarray
    task: np.ndarray         # instance id, -1 outside tasks
    task_type: np.ndarray    # -1 outside tasks
    candidate: np.ndarray    # codes into candidates_ids ("" = none)
    users: list[str]
    apps: list[str]
    activities: list[str]
    candidate_ids: list[str]
    seconds: np.ndarray = field(init=False)   # active time credited to each event

    def __post_init__(self) -> None:
        self.seconds = _active_seconds(self.ts, self.user)

    @property
    def span(self) -> tuple[float, float]:
        return (float(self.ts.min()), float(self.ts.max())) if len(self.ts) else (0.0, 0.0)

    @classmethod
    def load(cls, folder: Path) -> AnalysisData:
        folder = Path(folder)
        rpath, epath = folder / "report.json", folder / "events.csv"
        for p in (rpath, epath):
            if not p.is_file():
                raise InputFormatError(f"{folder} is not an analysis folder (no {p.name}); run "
                                       "`tasklens analyze INPUT --out DIR` or open a store instead")
        try:
            report = json.loads(rpath.read_text(encoding="utf-8"))
        except ValueError as e:
            raise InputFormatError(f"{rpath}: not valid JSON ({e})") from None
        codes = {k: _Codes() for k in ("user", "app", "activity", "candidate")}
        codes["candidate"]("")
        cols: dict[str, list[float]] = defaultdict(list)
        with open(epath, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
            if missing:
                raise InputFormatError(f"{epath}: missing columns {', '.join(missing)}; re-run the analysis")
            for line, row in enumerate(reader, 2):
                try:
                    cols["ts"].append(parse_time(row["timestamp"]))
                    cols["task"].append(int(row["task_id"]) if row["task_id"] else -1)
                    cols["task_type"].append(int(row["task_type"]) if row["task_type"] else -1)
                except ValueError as e:
                    raise InputFormatError(f"{epath} line {line}: {e}") from None
                for k in codes:
                    cols[k].append(codes[k](csv_uncell(row[k] or "")))
        arr = {k: np.asarray(v, dtype=np.float64 if k == "ts" else np.int64) for k, v in cols.items()}
        empty = np.zeros(0, dtype=np.int64)
        return cls(folder, report, arr.get("ts", np.zeros(0)), arr.get("user", empty), arr.get("app", empty),
                   arr.get("activity", empty), arr.get("task", empty), arr.get("task_type", empty),
                   arr.get("candidate", empty), codes["user"].names, codes["app"].names,
                   codes["activity"].names, codes["candidate"].names)


def _active_seconds(ts: np.ndarray, user: np.ndarray) -> np.ndarray:
    """Each event is credited the time until the same person's next event, capped at ACTIVE_GAP."""
    out = np.zeros(len(ts))
    if len(ts) < 2:
        return out
    order = np.lexsort((ts, user))
    gap = np.diff(ts[order])
    same = user[order][1:] == user[order][:-1]
    out[order[:-1]] = np.where(same & (gap <= ACTIVE_GAP), np.maximum(gap, 0.0), 0.0)
    return out


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


# -- filters ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """What every view shows: events in [since, until) by these employees in these applications."""

    since: float | None = None
    until: float | None = None
    users: frozenset[str] | None = None     # None: everyone
    apps: frozenset[str] | None = None

    def describe(self) -> str:
        parts = []
        if self.since is not None or self.until is not None:
            parts.append(f"{day_of(self.since) if self.since is not None else '…'} to "
                         f"{day_of(self.until - 1) if self.until is not None else '…'}")
        if self.users is not None:
            parts.append(f"{len(self.users)} employee(s)")
        if self.apps is not None:
            parts.append(f"{len(self.apps)} application(s)")
        return ", ".join(parts) or "all data"


def _isin(codes: np.ndarray, names: list[str], chosen: frozenset[str] | None) -> np.ndarray:
    if chosen is None:
        return np.ones(len(codes), dtype=bool)
    wanted = np.array([n in chosen for n in names], dtype=bool)
    return wanted[codes] if len(names) else np.zeros(len(codes), dtype=bool)


@dataclass
class View:
    """Data + filters + decisions: the selection all views draw from."""

    data: AnalysisData
    filters: Filters = Filters()
    decisions: dec.Decisions = field(default_factory=dec.Decisions)
    mask: np.ndarray = field(init=False)        # selected events
    in_task: np.ndarray = field(init=False)     # events of selected instances (whole instances)
    types: np.ndarray = field(init=False)       # task type per event, decisions applied

    def __post_init__(self) -> None:
        d, f = self.data, self.filters
        m = np.ones(len(d.ts), dtype=bool)
        if f.since is not None:
            m &= d.ts >= f.since
        if f.until is not None:
            m &= d.ts < f.until
        self.mask = m & _isin(d.user, d.users, f.users) & _isin(d.app, d.apps, f.apps)
        chosen = np.unique(d.task[self.mask & (d.task >= 0)])
        self.in_task = np.isin(d.task, chosen) & (d.task >= 0)
        self.types = self._decided_types()

    def _decided_types(self) -> np.ndarray:
        d = self.data
        types = d.task_type.copy()
        for src, dst in self.decisions.type_map().items():
            types[types == src] = dst
        if self.decisions.splits:
            seqs = self.instance_steps(np.ones(len(d.ts), dtype=bool))
            for k, s in enumerate(self.decisions.splits):
                moved = {t for t, steps in seqs.items() if steps in set(s.variants)}
                types[np.isin(d.task, list(moved)) & (types == s.type)] = SPLIT_BASE + k
        return types

    # -- helpers ----------------------------------------------------------------------------------
    def instance_steps(self, sel: np.ndarray) -> dict[int, tuple[str, ...]]:
        """Instance id -> its activity steps in time order, for the selected events."""
        d = self.data
        idx = np.flatnonzero(sel & (d.task >= 0))
        idx = idx[np.lexsort((d.ts[idx], d.task[idx]))]
        out: dict[int, tuple[str, ...]] = {}
        if not len(idx):
            return out
        bounds = np.flatnonzero(np.r_[True, d.task[idx][1:] != d.task[idx][:-1], True])
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            out[int(d.task[idx[lo]])] = tuple(d.activities[a] for a in d.activity[idx[lo:hi]])
        return out

    def type_name(self, type_id: int) -> str:
        for m in self.decisions.merges:
            if m.types[0] == type_id and m.name:
                return m.name
        if type_id >= SPLIT_BASE:
            s = self.decisions.splits[type_id - SPLIT_BASE]
            return s.name or f"Type {s.type} (split {type_id - SPLIT_BASE + 1})"
        for t in self.data.report.get("task_types", []):
            if int(t.get("id", -2)) == type_id and t.get("name"):
                return display_name(str(t["name"]))
        return f"Type {type_id}"

    # -- overview ---------------------------------------------------------------------------------
    def totals(self) -> dict[str, float]:
        d, m = self.data, self.mask
        return {"events": int(m.sum()), "employees": len(np.unique(d.user[m])),
                "applications": len(np.unique(d.app[m])), "hours": float(d.seconds[m].sum() / 3600),
                "instances": len(np.unique(d.task[m & (d.task >= 0)])),
                "days": len({day_of(t) for t in np.unique((d.ts[m] // 86400) * 86400)})}

    def time_by_app(self, top: int = 12) -> list[tuple[str, float]]:
        """(application, hours) for the applications with most active time; the rest as 'other'."""
        d, m = self.data, self.mask
        secs = np.bincount(d.app[m], weights=d.seconds[m], minlength=len(d.apps))
        rows = sorted(((d.apps[i] or "(no application)", s / 3600) for i, s in enumerate(secs) if s > 0),
                      key=lambda r: -r[1])
        if len(rows) > top:
            rows = rows[:top - 1] + [("other", sum(h for _, h in rows[top - 1:]))]
        return rows

    def activity_per_day(self) -> list[tuple[str, int, float]]:
        """(day, events, active hours) for each day with events."""
        d, m = self.data, self.mask
        days = (d.ts[m] // 86400).astype(np.int64)
        if not len(days):
            return []
        uniq, inv = np.unique(days, return_inverse=True)
        n = np.bincount(inv)
        h = np.bincount(inv, weights=d.seconds[m]) / 3600
        return [(day_of(float(u) * 86400), int(c), float(x)) for u, c, x in zip(uniq, n, h)]

    def employees(self) -> list[tuple[str, int, float, int]]:
        """(pseudonym, events, active hours, task instances) per employee."""
        d, m = self.data, self.mask
        out = []
        for u in np.unique(d.user[m]):
            um = m & (d.user == u)
            out.append((d.users[u], int(um.sum()), float(d.seconds[um].sum() / 3600),
                        len(np.unique(d.task[um & (d.task >= 0)]))))
        return sorted(out, key=lambda r: -r[2])

    # -- task types and variants ----------------------------------------------------------------------
    def task_types(self) -> list[TaskType]:
        d = self.data
        steps = self.instance_steps(self.in_task)
        first: dict[int, int] = {}
        for i in np.flatnonzero(self.in_task):
            first.setdefault(int(d.task[i]), int(i))
        by_type: dict[int, list[int]] = defaultdict(list)
        for t in steps:
            by_type[int(self.types[first[t]])].append(t)
        spans = self._instance_spans()
        out = []
        for tid, insts in by_type.items():
            variants = Counter(steps[t] for t in insts).most_common()
            users = {d.users[d.user[first[t]]] for t in insts}
            out.append(TaskType(tid, self.type_name(tid), len(insts), sorted(users),
                                sum(spans[t][1] - spans[t][0] for t in insts) / 3600, variants))
        return sorted(out, key=lambda t: -t.instances)

    def _instance_spans(self) -> dict[int, tuple[float, float]]:
        d = self.data
        idx = np.flatnonzero(self.in_task)
        spans: dict[int, tuple[float, float]] = {}
        for t, ts, _s in zip(d.task[idx], d.ts[idx], d.seconds[idx]):
            lo, hi = spans.get(int(t), (ts, ts))
            spans[int(t)] = (min(lo, ts), max(hi, ts))
        return spans

    # -- routines -----------------------------------------------------------------------------------
    def routines(self) -> list[RoutineRow]:
        """The analysis' routines with their support counted again in the selection (gap-aware)."""
        from tasklens.analyzer.routines import RoutineParams, occurs

        gap = int(self.data.report.get("parameters", {}).get("routines", {}).get("max_gap", RoutineParams.max_gap))
        steps = self.instance_steps(self.in_task)
        variants = Counter(steps.values())
        d = self.data
        app_of = {d.activities[a]: d.apps[p] for a, p in zip(d.activity[self.in_task], d.app[self.in_task])}
        out = []
        for r in self.data.report.get("routines", []):
            pat = tuple(r.get("steps", []))
            support = sum(n for v, n in variants.items() if occurs(pat, v, gap))
            if support:
                apps = sorted({app_of.get(s, "") for s in pat} - {""})
                out.append(RoutineRow(pat, support, apps, self._step_timing(pat, steps)))
        return sorted(out, key=lambda r: -r.support * len(r.steps))

    def _step_timing(self, pat: tuple[str, ...], steps: dict[int, tuple[str, ...]]) -> float:
        """Median seconds an instance containing the routine spends from its first to its last step."""
        spans = self._instance_spans()
        durations = [spans[t][1] - spans[t][0] for t, s in steps.items() if pat[0] in s and pat[-1] in s]
        return float(np.median(durations)) if durations else 0.0

    # -- candidates ---------------------------------------------------------------------------------
    def candidates(self) -> list[CandidateRow]:
        d = self.data
        spans = self._instance_spans()
        steps = self.instance_steps(self.in_task)
        out = []
        for c in self.data.report.get("candidates", []):
            cid = str(c.get("id", ""))
            code = d.candidate_ids.index(cid) if cid in d.candidate_ids else -1
            sel = self.in_task & (d.candidate == code)
            insts = sorted({int(t) for t in d.task[sel]})
            variants = Counter(steps[t] for t in insts if t in steps).most_common(1)
            out.append(CandidateRow(
                cid, int(c.get("rank", 0)), self.decisions.name(cid, display_name(str(c.get("name") or f"Candidate {cid}"))),
                self.decisions.status(cid), len(insts), sorted({d.users[u] for u in d.user[sel]}),
                sum(spans[t][1] - spans[t][0] for t in insts) / 3600, float(c.get("hours_saved_per_month", 0.0)),
                {k: v for k, v in dict(c.get("parts") or c.get("score_parts") or {}).items()
                 if isinstance(v, (int, float))},
                str(c.get("rationale", "")), insts, variants[0][0] if variants else ()))
        return sorted(out, key=lambda r: r.rank)

    def instances(self, ids: list[int]) -> list[tuple[int, str, float, float, tuple[str, ...]]]:
        """(instance id, employee, start, seconds, steps) for a drill-down."""
        d = self.data
        wanted = set(ids)
        sel = self.in_task & np.isin(d.task, ids)
        steps = self.instance_steps(sel)
        spans = self._instance_spans()
        who = {int(t): d.users[u] for t, u in zip(d.task[sel], d.user[sel])}
        return [(t, who[t], spans[t][0], spans[t][1] - spans[t][0], steps[t]) for t in sorted(wanted & set(steps))]

    # -- process map --------------------------------------------------------------------------------
    def process_map(self, max_edges: int = 30) -> ProcessMap:
        """The directly-follows graph of the selected instances, its most frequent edges, nodes layered."""
        steps = self.instance_steps(self.in_task)
        edges: Counter[tuple[str, str]] = Counter()
        nodes: Counter[str] = Counter()
        pos: dict[str, list[float]] = defaultdict(list)
        for seq in steps.values():
            nodes.update(seq)
            edges.update(zip(seq, seq[1:]))
            for i, a in enumerate(seq):
                pos[a].append(i / max(1, len(seq) - 1))
        kept = dict(edges.most_common(max_edges))
        used = {a for a, _ in kept} | {b for _, b in kept}
        layer, order = layered({a: float(np.median(pos[a])) for a in used}, kept)
        return ProcessMap({a: nodes[a] for a in used}, kept, layer, order)


def layered(position: dict[str, float], edges: dict[tuple[str, str], int]) -> tuple[dict[str, int], dict[str, int]]:
    """Layers for a top-down drawing: longest path over the edges that go forward in `position`
    (an activity's median relative place in its instances); inside a layer, ordered by the mean slot
    of the activities leading into it, so chains stay in one column."""
    rank = {a: i for i, a in enumerate(sorted(position, key=lambda a: (position[a], a)))}
    preds: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        if rank[a] < rank[b]:
            preds[b].append(a)
    layer: dict[str, int] = {}
    for a in sorted(rank, key=lambda k: rank[k]):
        layer[a] = max((layer[p] + 1 for p in preds[a]), default=0)
    slot: dict[str, float] = {}
    order: dict[str, int] = {}
    for lay in range(max(layer.values(), default=-1) + 1):
        members = [a for a in layer if layer[a] == lay]
        members.sort(key=lambda a: (np.mean([slot[p] for p in preds[a]]) if preds[a] else len(slot), rank[a]))
        for i, a in enumerate(members):
            slot[a] = order[a] = i
    return layer, order


@dataclass(frozen=True)
class TaskType:
    id: int
    name: str
    instances: int
    users: list[str]
    hours: float
    variants: list[tuple[tuple[str, ...], int]]    # most common first


@dataclass(frozen=True)
class RoutineRow:
    steps: tuple[str, ...]
    support: int
    apps: list[str]
    median_seconds: float


@dataclass(frozen=True)
class CandidateRow:
    id: str
    rank: int
    name: str
    status: str
    instances: int
    users: list[str]
    hours_observed: float
    hours_saved_per_month: float
    parts: dict[str, float]
    rationale: str
    instance_ids: list[int]
    signature: tuple[str, ...]


@dataclass(frozen=True)
class ProcessMap:
    nodes: dict[str, int]                 # activity -> occurrences
    edges: dict[tuple[str, str], int]     # (from, to) -> times directly followed
    layers: dict[str, int]                # activity -> row, top to bottom
    order: dict[str, int]                 # activity -> place in its row, left to right


def display_name(name: str, width: int = 60) -> str:
    """An analyzer name that is an activity label ('app | action | ...') made readable."""
    return short_label(name, width) if " | " in name else name


def short_label(activity: str, width: int = 38) -> str:
    """'app | action | target | title' shortened for a map node: app, action and target, then the title."""
    parts = [p.strip() for p in activity.split(" | ")]
    head = " · ".join(parts[:3])
    return head if len(head) <= width else head[:width - 1] + "…"
