"""What the dashboard shows for a selection: the analysis result filtered, with the analyst's decisions.

A pure function of the `AnalysisResult` (report.json), the events it was made from (events.csv as
columns), the filters (dates, employees, applications, task types) and the analyst's decisions. It
derives no figure by a rule of its own: instance times are the result's (`Instance.seconds`, the one
duration rule), steps are its variants', the process map is `directly_follows`, routine support is the
analyzer's gap-aware `occurs`, merges are found by `decisions.merge_map`, and every candidate decision by
signature. With no filter and no new decision, every figure equals the result's.

Filters select events; the task figures take the instances those events belong to, whole, so variants
and the process map are never made of cut-off fragments.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from tasklens.analyzer import decisions as dec
from tasklens.analyzer.activetime import counted
from tasklens.analyzer.effort import Effort, of_candidate
from tasklens.analyzer.processmap import directly_follows
from tasklens.analyzer.result import AnalysisResult, Instance
from tasklens.analyzer.routines import RoutineParams, occurs

SPLIT_BASE = 1000      # task type ids given to types an analyst split off (k-th split: SPLIT_BASE + k)

Steps = tuple[str, ...]


def day_of(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


def event_seconds(ts: np.ndarray, user: np.ndarray) -> np.ndarray:
    """Each event is credited the time until the same person's next event as the one rule counts it
    (`activetime.counted`: a longer pause than ACTIVE_GAP counts none): the active time by application and
    by day (the admin report and the instances count it the same way)."""
    out = np.zeros(len(ts))
    if len(ts) < 2:
        return out
    order = np.lexsort((ts, user))
    same = user[order][1:] == user[order][:-1]
    out[order[:-1]] = np.where(same, counted(np.diff(ts[order])), 0.0)
    return out


@dataclass
class EventTable:
    """events.csv as columns, in the file's order (the analyzer's: per person, as recorded)."""

    ts: np.ndarray           # float epoch seconds
    user: np.ndarray         # codes into users
    app: np.ndarray          # codes into apps
    activity: np.ndarray     # index into AnalysisResult.process_map.activities
    task: np.ndarray         # instance id, -1 outside tasks
    users: list[str]
    apps: list[str]
    seconds: np.ndarray = field(init=False)   # active time credited to each event

    def __post_init__(self) -> None:
        self.seconds = event_seconds(self.ts, self.user)

    @property
    def span(self) -> tuple[float, float]:
        return (float(self.ts.min()), float(self.ts.max())) if len(self.ts) else (0.0, 0.0)


@dataclass(frozen=True)
class Filters:
    """What every view shows: events in [since, until) by these employees in these applications, in
    instances of these task types (ids after the analyst's decisions). None: no restriction."""

    since: float | None = None
    until: float | None = None
    users: frozenset[str] | None = None
    apps: frozenset[str] | None = None
    task_types: frozenset[int] | None = None

    def describe(self) -> str:
        parts = []
        if self.since is not None or self.until is not None:
            parts.append(f"{day_of(self.since) if self.since is not None else '…'} to "
                         f"{day_of(self.until - 1) if self.until is not None else '…'}")
        if self.users is not None:
            parts.append(f"{len(self.users)} employee(s)")
        if self.apps is not None:
            parts.append(f"{len(self.apps)} application(s)")
        if self.task_types is not None:
            parts.append(f"{len(self.task_types)} task type(s)")
        return ", ".join(parts) or "all data"


@dataclass(frozen=True)
class TaskTypeRow:
    """A task type as the selection holds it; hours are its instances' (team, selected period)."""

    id: int
    name: str
    instances: int
    users: list[str]
    hours: float
    variants: list[tuple[Steps, int]]    # most common first


@dataclass(frozen=True)
class RoutineRow:
    """A routine of the result with its support among the selected instances."""

    steps: Steps
    support: int                 # selected instances holding it (gap-aware, as the analyzer counts)
    apps: list[str]
    median_seconds: float        # median time of those instances, seconds


@dataclass(frozen=True)
class CandidateRow:
    """A candidate of the result, its instances restricted to the selection, the analyst's decision applied."""

    id: str
    rank: int
    name: str
    status: str
    instances: int
    users: list[str]
    hours_observed: float            # hours, its selected instances
    hours_saved_per_month: float     # hours per month, observed team, whole analysis (the analyzer's estimate)
    parts: dict[str, float]
    rationale: str
    instance_ids: list[int]
    signature: Steps
    effort: Effort                   # its bot's build hours, upkeep and payback, the analyst's build hours applied
    hand_back_rate: float = 0.0      # share of its instances a bot would hand back (exceptions), whole analysis
    automated: bool = False          # the analyst marked it taken over by a bot


@dataclass(frozen=True)
class MapGraph:
    """The directly-follows graph of the selected instances (the most frequent edges and their nodes)."""

    nodes: dict[str, int]                 # activity -> occurrences in the selected instances
    edges: dict[tuple[str, str], int]     # (from, to) -> times directly followed
    position: dict[str, float]            # activity -> median relative place in its instances (0 first, 1 last)


def _isin(codes: np.ndarray, names: list[str], chosen: frozenset[str] | None) -> np.ndarray:
    if chosen is None:
        return np.ones(len(codes), dtype=bool)
    wanted = np.array([n in chosen for n in names], dtype=bool)
    return wanted[codes] if len(names) else np.zeros(len(codes), dtype=bool)


def app_of(step: str) -> str:
    """The application of an activity label (`app | action | target | title`)."""
    return step.split(" | ", 1)[0].strip()


def decided_types(result: AnalysisResult, decisions: dec.Decisions) -> dict[int, int]:
    """Instance id -> its task type after the analyst's merges and splits that the analysis has not
    applied yet. Merges are found by signature (`decisions.merge_map`); a split moves the variants it
    names by their steps, unless they already are a type of their own (the analysis applied it)."""
    merged = dec.merge_map({t.id: t.signature for t in result.task_types}, decisions)
    of_variant = {v.id: merged.get(v.task_type, v.task_type) for v in result.variants}
    for k, s in enumerate(decisions.splits):
        wanted = set(s.variants)
        moved = {v.id for v in result.variants if v.steps in wanted}
        types = {of_variant[v] for v in moved}
        whole = {v.id for v in result.variants if of_variant[v.id] in types}
        if moved and moved != whole:
            for v in moved:
                of_variant[v] = SPLIT_BASE + k
    return {i.id: of_variant.get(i.variant, i.task_type) for i in result.instances}


@dataclass
class Selection:
    """The result seen through filters and decisions; `select` makes it. Every method is a figure a
    view shows, computed from the result's own facts."""

    result: AnalysisResult
    events: EventTable
    filters: Filters
    decisions: dec.Decisions
    mask: np.ndarray                      # selected events
    types: dict[int, int]                 # instance id -> task type, decisions applied (all instances)
    chosen: list[Instance]                # selected instances, whole

    # -- look-ups ------------------------------------------------------------------------------------
    def steps(self, inst: Instance) -> Steps:
        return self.result.variants[inst.variant].steps

    @property
    def in_task(self) -> np.ndarray:
        """Events of the selected instances."""
        return np.isin(self.events.task, [i.id for i in self.chosen]) & (self.events.task >= 0)

    def type_name(self, type_id: int) -> str:
        """The analyst's name for a merged or split type, else the analyzer's."""
        if type_id >= SPLIT_BASE:
            k = type_id - SPLIT_BASE
            s = self.decisions.splits[k]
            return s.name or f"Split-off variants {k + 1}"
        known = type_id < len(self.result.task_types)
        signature = self.result.task_type(type_id).signature if known else ()
        for m in self.decisions.merges:
            if m.name and signature in set(m.signatures):
                return m.name
        return self.result.task_type(type_id).name if known else f"Type {type_id}"

    # -- overview (events) ---------------------------------------------------------------------------
    def totals(self) -> dict[str, float]:
        e, m = self.events, self.mask
        return {"events": int(m.sum()), "employees": len(np.unique(e.user[m])),
                "applications": len(np.unique(e.app[m])), "hours": float(e.seconds[m].sum() / 3600),
                "instances": len(self.chosen),
                "days": len(np.unique((e.ts[m] // 86400).astype(np.int64)))}

    def time_by_app(self, top: int = 12) -> list[tuple[str, float]]:
        """(application, active hours) for the applications with most active time; the rest as 'other'."""
        e, m = self.events, self.mask
        secs = np.bincount(e.app[m], weights=e.seconds[m], minlength=len(e.apps))
        rows = sorted(((e.apps[i] or "(no application)", s / 3600) for i, s in enumerate(secs) if s > 0),
                      key=lambda r: -r[1])
        if len(rows) > top:
            rows = rows[:top - 1] + [("other", sum(h for _, h in rows[top - 1:]))]
        return rows

    def activity_per_day(self) -> list[tuple[str, int, float]]:
        """(day, events, active hours) for each day with events."""
        e, m = self.events, self.mask
        days = (e.ts[m] // 86400).astype(np.int64)
        if not len(days):
            return []
        uniq, inv = np.unique(days, return_inverse=True)
        n = np.bincount(inv)
        h = np.bincount(inv, weights=e.seconds[m]) / 3600
        return [(day_of(float(u) * 86400), int(c), float(x)) for u, c, x in zip(uniq, n, h)]

    def employees(self) -> list[tuple[str, int, float, int]]:
        """(pseudonym, events, active hours, selected task instances) per employee."""
        e, m = self.events, self.mask
        per_user = Counter(i.user for i in self.chosen)
        out = []
        for u in np.unique(e.user[m]):
            um = m & (e.user == u)
            out.append((e.users[u], int(um.sum()), float(e.seconds[um].sum() / 3600), per_user[e.users[u]]))
        return sorted(out, key=lambda r: -r[2])

    # -- task figures (instances) ------------------------------------------------------------------------
    def task_types(self) -> list[TaskTypeRow]:
        by_type: dict[int, list[Instance]] = defaultdict(list)
        for i in self.chosen:
            by_type[self.types[i.id]].append(i)
        out = [TaskTypeRow(t, self.type_name(t), len(insts), sorted({i.user for i in insts}),
                           sum(i.seconds for i in insts) / 3600, Counter(self.steps(i) for i in insts).most_common())
               for t, insts in by_type.items()]
        return sorted(out, key=lambda t: (-t.instances, t.id))

    def routines(self) -> list[RoutineRow]:
        """The result's routines with their support among the selected instances (gap-aware, the analyzer's
        rule and max_gap); routines no selected instance holds are left out."""
        gap = int(self.result.parameters.get("routines", {}).get("max_gap", RoutineParams.max_gap))
        out = []
        for r in self.result.routines:
            holding = {v.id for v in self.result.variants if occurs(r.steps, v.steps, gap)}
            insts = [i for i in self.chosen if i.variant in holding]
            if insts:
                out.append(RoutineRow(r.steps, len(insts), sorted({app_of(s) for s in r.steps} - {""}),
                                      float(np.median([i.seconds for i in insts]))))
        return sorted(out, key=lambda r: -r.support * len(r.steps))

    def candidates(self) -> list[CandidateRow]:
        """Every candidate of the result, in rank order; status, name, build effort (payback follows) and the
        automated mark from the decisions, by signature."""
        chosen = {i.id: i for i in self.chosen}
        applied = dec.from_json(self.result.decisions) if self.result.decisions else dec.Decisions()
        out = []
        for c in self.result.candidates:
            insts = [chosen[t] for t in c.instances if t in chosen]
            now, was = of_candidate(c, self.decisions.effort(c.signature)), of_candidate(c, applied.effort(c.signature))
            out.append(CandidateRow(
                c.id, c.rank, self.decisions.name(c.signature, c.name or f"Candidate {c.id}"),
                self.decisions.status(c.signature), len(insts), sorted({i.user for i in insts}),
                sum(i.seconds for i in insts) / 3600, c.hours_saved_per_month_team,
                {k: float(v) for k, v in c.score_parts.items() if isinstance(v, (int, float))},
                c.rationale.replace(was.sentence(), now.sentence()), sorted(i.id for i in insts), c.signature,
                now, c.hand_back_rate, self.decisions.automated(c.signature)))
        return sorted(out, key=lambda r: r.rank)

    def instances(self, ids: list[int]) -> list[tuple[int, str, float, float, Steps]]:
        """(instance id, employee, start, seconds, steps) for a drill-down into selected instances."""
        wanted = set(ids)
        return [(i.id, i.user, i.start, i.seconds, self.steps(i)) for i in sorted(self.chosen, key=lambda i: i.id)
                if i.id in wanted]

    def candidate_of_instance(self) -> dict[int, str]:
        return {t: c.id for c in self.result.candidates for t in c.instances}

    def process_map(self, max_edges: int = 30) -> MapGraph:
        """`directly_follows` over the selected instances' events (ordered by instance, then as recorded,
        as the analyzer orders them); its `max_edges` most frequent edges and their activities."""
        e, labels = self.events, self.result.process_map.activities
        idx = np.flatnonzero(self.in_task)
        idx = idx[np.argsort(e.task[idx], kind="stable")]
        edges = directly_follows(e.task[idx], e.activity[idx], e.ts[idx])[:max_edges]
        kept = {(labels[x.source], labels[x.target]): x.count for x in edges}
        used = {a for a, _ in kept} | {b for _, b in kept}
        nodes = Counter(labels[a] for a in e.activity[idx])
        places: dict[str, list[float]] = defaultdict(list)
        for inst in self.chosen:
            seq = self.steps(inst)
            for k, a in enumerate(seq):
                if a in used:
                    places[a].append(k / max(1, len(seq) - 1))
        return MapGraph({a: nodes[a] for a in used}, kept,
                        {a: float(np.median(places[a])) if places[a] else 0.0 for a in used})


def select(result: AnalysisResult, events: EventTable, filters: Filters = Filters(),
           decisions: dec.Decisions | None = None) -> Selection:
    """The selection of `result` that `filters` pick, with `decisions` (default: none) applied."""
    decisions = decisions if decisions is not None else dec.Decisions()
    e, f = events, filters
    m = np.ones(len(e.ts), dtype=bool)
    if f.since is not None:
        m &= e.ts >= f.since
    if f.until is not None:
        m &= e.ts < f.until
    m &= _isin(e.user, e.users, f.users) & _isin(e.app, e.apps, f.apps)
    types = decided_types(result, decisions)
    touched = set(np.unique(e.task[m & (e.task >= 0)]).tolist())
    chosen = [i for i in result.instances if i.id in touched
              and (f.task_types is None or types[i.id] in f.task_types)]
    if f.task_types is not None:   # events outside the chosen types' instances are not shown either
        m &= np.isin(e.task, [i.id for i in chosen]) & (e.task >= 0)
    return Selection(result, events, filters, decisions, m, types, chosen)
