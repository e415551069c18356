"""The analysis pipeline: activities -> segmentation -> task types -> routines -> candidates -> map.

`analyze` takes masked `Event`s (from a store, or imports passed through the masker) and returns an
`Analysis` of plain data that `outputs.write_all` turns into files. Each step is a pure function in
its own module; `Params` holds every knob so report.json can say what was used.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tasklens.analyzer.activities import label_all
from tasklens.analyzer.candidates import Assumptions, Candidate, TypeFacts, rank, renumber, structure
from tasklens.analyzer.decisions import Decisions, apply_to_types, match_candidate
from tasklens.analyzer.processmap import Edge, directly_follows
from tasklens.analyzer.routines import Routine, RoutineParams, mine
from tasklens.analyzer.segment import SegmentParams, active_seconds, segment_stream
from tasklens.analyzer.tasktypes import TypeParams, cluster_variants
from tasklens.events import Action, Event

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]   # (stage, done, total)
PARALLEL_FROM = 200_000   # events: below this, starting processes costs more than it saves


@dataclass(frozen=True)
class Params:
    segment: SegmentParams = SegmentParams()
    types: TypeParams = TypeParams()
    routines: RoutineParams = RoutineParams()
    assumptions: Assumptions = Assumptions()
    workers: int = min(2, os.cpu_count() or 1)   # processes for segmentation (per user)
    order: str = "input"    # each user's events as the input holds them ("input") or sorted by time ("time")


@dataclass(frozen=True)
class Instance:
    id: int
    user: str
    start: float
    end: float
    task_type: int
    variant: int          # index into Analysis.variants
    events: int

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class Analysis:
    events: list[Event]                 # grouped by user, each in recorded order
    activity: np.ndarray                # activity id per event
    activities: list[str]               # label of each activity id
    task: np.ndarray                    # instance id per event, -1 between tasks
    instances: list[Instance]
    variants: list[tuple[int, ...]]     # distinct step sequences
    variant_type: np.ndarray            # task type per variant
    type_facts: list[TypeFacts]
    routines: list[Routine]
    candidates: list[Candidate]
    edges: list[Edge]
    params: Params
    start_activities: dict[str, list[str]] = field(default_factory=dict)   # per user
    notes: list[str] = field(default_factory=list)   # sentences about the data a reader should know
    unassigned: int = 0                               # instances like no other, left without a task type

    def task_type_of_events(self) -> np.ndarray:
        types = np.array([i.task_type for i in self.instances] + [-1], dtype=np.int64)
        picked: np.ndarray = types[self.task]            # task -1 picks the trailing -1
        return picked

    def candidate_of_type(self) -> dict[int, str]:
        return {c.task_type: c.id for c in self.candidates}


ORDERS = ("input", "time")


def _order(events: Sequence[Event], mode: str) -> tuple[list[int], int]:
    """Event indices grouped by user, each user's in recorded (input) order or by time; and how many
    times a user's time runs backwards in input order (stitched recordings, a logger's lagging rows)."""
    if mode not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {mode!r}")
    last: dict[str, float] = {}
    backwards = 0
    for e in events:
        if e.user in last and e.ts < last[e.user]:
            backwards += 1
        last[e.user] = e.ts
    key = (lambda i: events[i].user) if mode == "input" else (lambda i: (events[i].user, events[i].ts))
    return sorted(range(len(events)), key=key), backwards


def _segment_one(job: tuple[Any, ...]) -> tuple[np.ndarray, list[int]]:
    return segment_stream(*job)


def _map(jobs: list[tuple[Any, ...]], workers: int) -> Iterator[tuple[np.ndarray, list[int]]]:
    """Users are independent: segment them on `workers` processes when there is enough work."""
    if workers <= 1 or len(jobs) < 2 or sum(len(j[1]) for j in jobs) < PARALLEL_FROM:
        yield from map(_segment_one, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the dashboard calls this from a Qt thread, and forking a threaded process is unsafe
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(_segment_one, jobs, chunksize=max(1, len(jobs) // (8 * workers)))


def _segment_all(events: list[Event], acts: np.ndarray, n_acts: int, p: SegmentParams, workers: int,
                 progress: Progress | None) -> tuple[np.ndarray, dict[str, list[int]]]:
    users = [e.user for e in events]
    task = np.full(len(events), -1, dtype=np.int64)
    bounds = [0] + [i for i in range(1, len(users)) if users[i] != users[i - 1]] + [len(users)] if users else [0]
    ts = np.fromiter((e.ts for e in events), float, len(events))
    app_ids: dict[str, int] = {}
    apps = np.fromiter((app_ids.setdefault(e.app, len(app_ids)) for e in events), np.int64, len(events))
    breaks = np.fromiter((e.action in (Action.IDLE, Action.ACTIVE) for e in events), bool, len(events))
    starts: dict[str, list[int]] = {}
    offset = 0
    jobs = [(ts[lo:hi], acts[lo:hi], apps[lo:hi], breaks[lo:hi], n_acts, p) for lo, hi in zip(bounds[:-1], bounds[1:])]
    for k, ((lo, hi), (local, found)) in enumerate(zip(zip(bounds[:-1], bounds[1:]), _map(jobs, workers))):
        local = np.where(local >= 0, local + offset, -1)
        task[lo:hi] = local
        offset = int(local.max()) + 1 if (local >= 0).any() else offset
        starts[users[lo]] = found
        if progress:
            progress("segmentation", k + 1, len(bounds) - 1)
    if len(bounds) > 2:
        pooled = _pooled_leftovers(task, users, ts, acts, apps, breaks, n_acts, p)
        if pooled is not None:
            idx, local, found = pooled
            task[idx] = np.where(local >= 0, local + offset, -1)
            starts[ALL_USERS] = found
    return _renumber(task), starts


ALL_USERS = "*"   # start_activities key of the routines found in all users' leftovers together


def _pooled_leftovers(task: np.ndarray, users: list[str], ts: np.ndarray, acts: np.ndarray, apps: np.ndarray,
                      breaks: np.ndarray, n_acts: int, p: SegmentParams) -> tuple[np.ndarray, np.ndarray, list[int]] | None:
    """A weekly or monthly routine happens once or twice per person: too rare to be found in anyone's
    own events, it recurs across the team. The events no user's instances took, pooled (each run of
    them a recording of its own), are segmented once more."""
    idx = np.flatnonzero((task < 0) & ~breaks)
    if len(idx) < p.min_instances * p.min_steps:
        return None
    user_ids = np.unique(np.asarray(users, dtype=object)[idx].astype(str), return_inverse=True)[1]
    runs = (np.diff(idx, prepend=-2) != 1) | (np.diff(user_ids, prepend=-1) != 0)
    # each leftover run is already cut apart: a rare routine filling runs of its own gains no consistency;
    # what recurs so rarely must be the same steps nearly every time to count as a routine
    rare = replace(p, min_gain=-0.001, start_presence=max(p.start_presence, 0.8))
    local, found = segment_stream(ts[idx], acts[idx], apps[idx], np.zeros(len(idx), bool), n_acts, rare, runs,
                                  rare=True)
    return idx, local, found


def _renumber(task: np.ndarray) -> np.ndarray:
    """Instance ids 0..n-1 in order of first event."""
    valid = task >= 0
    _, first, inv = np.unique(task[valid], return_index=True, return_inverse=True)
    rank_of = np.argsort(np.argsort(first))
    out = task.copy()
    out[valid] = rank_of[inv]
    return out


def _cases_to_task(cases: Sequence[str], order: list[int]) -> np.ndarray:
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(cases[i], len(ids)) for i in order], dtype=np.int64)


def _rework(seq: tuple[int, ...], usual: Counter[int]) -> bool:
    return any(c > max(usual.get(a, 0), 1) for a, c in Counter(seq).items())


def _decision_points(variants: list[tuple[tuple[int, ...], int]], min_share: float = 0.1) -> int:
    """Activities after which the next step differs (each branch taken by >= `min_share`)."""
    follows: dict[int, Counter[int]] = defaultdict(Counter)
    for seq, n in variants:
        for a, b in zip(seq, seq[1:] + (-1,)):
            follows[a][b] += n
    return sum(1 for nxt in follows.values()
               if sum(1 for c in nxt.values() if c >= min_share * sum(nxt.values())) > 1)


def _drop_unassigned(task: np.ndarray, rows: list[Any], variants: list[tuple[int, ...]], vw: list[int],
                     vtype: np.ndarray) -> tuple[np.ndarray, list[Any], list[tuple[int, ...]], list[int], np.ndarray]:
    """Instances of no task type (see `cluster_variants`) become events between tasks; ids stay 0..n-1."""
    keep_v = np.flatnonzero(vtype >= 0)
    new_v = np.full(len(variants), -1)
    new_v[keep_v] = np.arange(len(keep_v))
    kept = [r for r in rows if vtype[r[4]] >= 0]
    new_t = np.full(int(task.max()) + 2, -1)
    new_t[[r[0] for r in kept]] = np.arange(len(kept))
    task = new_t[task]            # -1 picks the trailing -1
    rows = [(k, r[1], r[2], r[3], int(new_v[r[4]]), r[5], r[6]) for k, r in enumerate(kept)]
    return task, rows, [variants[v] for v in keep_v], [vw[v] for v in keep_v], vtype[keep_v]


def _why_empty(evs: list[Event], instances: list[Instance], candidates: list[Candidate], given_cases: bool,
               p: Params) -> list[str]:
    """The sentence that says why an output is empty, so an empty report is an answer, not a puzzle."""
    if not evs:
        return ["no events to analyse"]
    if not instances:
        if all(e.action in (Action.IDLE, Action.ACTIVE) for e in evs):
            return ["no task instances: every event marks idle or active time, none is work"]
        if given_cases:
            return ["no task instances: the input's cases hold only idle or active marks"]
        return [f"no task instances: no user's events hold a structure of at least {p.segment.min_steps} steps "
                f"that recurs at least {p.segment.min_instances} times"]
    if not candidates:
        a = p.assumptions
        return [f"no RPA candidate: no task type has at least {a.min_instances} instances of at least "
                f"{a.min_steps} steps that come in one order (chatting, mail and editing one document do not)"]
    return []


def analyze(events: Sequence[Event], params: Params | None = None, progress: Progress | None = None,
            cases: Sequence[str] | None = None, decisions: Decisions | None = None) -> Analysis:
    """Run all steps. `cases` (one per event) gives an already segmented log (XES traces) its instances;
    `decisions` (an analyst's, kept with an earlier analysis of the same data) merge and split task types
    and accept, reject or rename candidates."""
    p = params or Params()
    order, backwards = _order(events, p.order)
    notes = []
    if backwards:
        note = (f"time runs backwards {backwards} times within a user's events in input order; "
                + ("kept the input order (--order time sorts by time)" if p.order == "input" else "sorted by time"))
        log.warning("%s", note)
        notes.append(note)
    evs = [events[i] for i in order]
    acts, names = label_all(evs)
    if progress:
        progress("activities", 1, 1)
    if cases is not None:
        task, starts = _cases_to_task(cases, order), {}
    else:
        task, starts_ids = _segment_all(evs, acts, len(names), p.segment, p.workers, progress)
        starts = {u: [names[a] for a in s] for u, s in starts_ids.items()}
    ts = np.fromiter((e.ts for e in evs), float, len(evs))

    # instances and their variants (instance events are contiguous: grouped by user, in recorded order)
    valid = np.flatnonzero(task >= 0)
    order_t = valid[np.argsort(task[valid], kind="stable")]
    bounds = np.flatnonzero(np.r_[True, task[order_t][1:] != task[order_t][:-1], True]) if len(order_t) else [0]
    variant_ids: dict[tuple[int, ...], int] = {}
    inst_rows = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        idx = order_t[lo:hi]
        seq = tuple(int(a) for a in acts[idx])
        v = variant_ids.setdefault(seq, len(variant_ids))
        start = float(ts[idx[0]])
        end = start + active_seconds(ts[idx]) + max(evs[idx[-1]].duration, 0.0)
        inst_rows.append((int(task[idx[0]]), evs[idx[0]].user, start, end, v, len(idx), idx))
    variants = list(variant_ids)
    weights = Counter(r[4] for r in inst_rows)
    vw = [weights[v] for v in range(len(variants))]
    vtype = cluster_variants(variants, vw, p.types)
    unassigned = sum(w for w, t in zip(vw, vtype.tolist()) if t < 0)
    if unassigned:
        task, inst_rows, variants, vw, vtype = _drop_unassigned(task, inst_rows, variants, vw, vtype)
        notes.append(f"{unassigned} instance(s) like no other left without a task type")
    if decisions is not None:
        vtype = apply_to_types(vtype, variants, vw, names, decisions)
    if progress:
        progress("task types", 1, 1)
    instances = [Instance(tid, user, s, e, int(vtype[v]), v, n) for tid, user, s, e, v, n, _ in inst_rows]

    days_of_user: dict[str, set[int]] = defaultdict(set)
    for e in evs:
        days_of_user[e.user].add(int(e.ts // 86400))
    team_days = float(len(set().union(*days_of_user.values()))) if days_of_user else 0.0
    by_type: dict[int, list[tuple[Instance, np.ndarray]]] = defaultdict(list)
    for inst, row in zip(instances, inst_rows):
        by_type[inst.task_type].append((inst, row[6]))
    facts = []
    for t, members in sorted(by_type.items()):
        vc = Counter(i.variant for i, _ in members)
        tv = [(variants[v], n) for v, n in vc.most_common()]
        usual = Counter(tv[0][0])
        actions: Counter[Action] = Counter()
        apps: set[str] = set()
        for _, idx in members:
            for k in idx:
                actions[evs[k].action] += 1
                apps.add(evs[k].app)
        users = {i.user for i, _ in members}
        facts.append(TypeFacts(t, tv, [i.id for i, _ in members], users, sum(i.seconds for i, _ in members),
                               actions, apps, sum(1 for i, _ in members if _rework(variants[i.variant], usual)),
                               _decision_points(tv), float(sum(len(days_of_user[u]) for u in users)),
                               float(np.median([i.events for i, _ in members])), *structure(tv), team_days,
                               float(sum(len(d) for d in days_of_user.values()))))
    routines = mine(variants, vw, p.routines)
    if progress:
        progress("routines", 1, 1)
    candidates = rank(facts, p.assumptions)
    if decisions is not None:
        for c in candidates:
            signature = tuple(names[a] for a in facts[c.task_type].variants[0][0])
            if (d := match_candidate(decisions, c.id, signature)) is not None:
                c.status, c.analyst_name = d.status, d.name
        candidates = renumber(candidates)
    # process map over events ordered by instance, then time
    edges = directly_follows(task[order_t], acts[order_t], ts[order_t])
    if progress:
        progress("process map", 1, 1)
    notes += _why_empty(evs, instances, candidates, cases is not None, p)
    log.info("analysed %d events: %d instances, %d task types, %d routines, %d candidates", len(evs),
             len(instances), len(facts), len(routines), len(candidates))
    return Analysis(evs, acts, names, task, instances, variants, vtype, facts, routines, candidates, edges, p,
                    starts, notes, unassigned)

