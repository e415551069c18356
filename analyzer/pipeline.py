"""The analysis pipeline: activities -> segmentation -> task types -> routines -> candidates -> map.

`analyze` takes masked `Event`s (from a store, or imports passed through the masker) and returns an
`Analysis`: the typed `AnalysisResult` (report.json) and each event's activity and instance (events.csv,
log.xes), which `outputs.write_all` turns into files. Each step is a pure function in its own module;
`Params` holds every knob so report.json can say what was used.
"""

from __future__ import annotations

import logging
import os
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

import numpy as np

from tasklens.analyzer import effort, exceptioncases
from tasklens.analyzer.activities import label_all
from tasklens.analyzer.candidates import Assumptions, Candidate, TypeFacts, rank, renumber, structure
from tasklens.analyzer.decisions import Decisions, apply_to_types, candidate_decisions
from tasklens.analyzer.exceptions import Review
from tasklens.analyzer.grouping import grouped
from tasklens.analyzer.processmap import Edge, directly_follows
from tasklens.analyzer.result import (
    AnalysisResult,
    Instance,
    InstanceTable,
    ProcessMap,
    RoutineFact,
    Summary,
    TaskType,
    Transition,
    Variant,
)
from tasklens.analyzer.routines import Routine, RoutineParams, mine
from tasklens.analyzer.segment import SegmentParams, active_seconds, segment_stream
from tasklens.analyzer.tasktypes import TypeParams, cluster_variants, type_name, warm
from tasklens.events import Action, Event, iso

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]   # (stage, done, total)
PARALLEL_FROM = 200_000   # events: below this, starting processes costs more than it saves
T = TypeVar("T")


@dataclass(frozen=True)
class Params:
    """Every knob of one analysis, kept together so report.json can record what produced it."""

    segment: SegmentParams = SegmentParams()
    types: TypeParams = TypeParams()
    routines: RoutineParams = RoutineParams()
    assumptions: Assumptions = Assumptions()
    workers: int = min(2, os.cpu_count() or 1)   # processes for segmentation (per user)
    order: str = "input"    # each user's events as the input holds them ("input") or sorted by time ("time")


@dataclass
class Analysis:
    """One run: the typed result, and each event's labels (what events.csv and log.xes are made of)."""

    result: AnalysisResult
    events: list[Event]                 # grouped by user, each in recorded order
    activity: np.ndarray                # activity id per event: an index into result.process_map.activities
    task: np.ndarray                    # instance id per event (an index into result.instances), -1 between tasks

    def task_type_of_events(self) -> np.ndarray:
        types = np.array([i.task_type for i in self.result.instances] + [-1], dtype=np.int64)
        picked: np.ndarray = types[self.task]            # task -1 picks the trailing -1
        return picked


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
    """One user's segmentation over the activities that user has, numbered 0..k-1 in the same order (the
    result is the same: only their order counts, and many steps size arrays by the number of activities)."""
    ts, acts, apps, breaks, _, p = job
    ids, local = np.unique(acts, return_inverse=True)
    task, starts = segment_stream(ts, local.astype(acts.dtype, copy=False), apps, breaks, len(ids), p)
    return task, [int(ids[a]) for a in starts]


def _map(jobs: list[tuple[Any, ...]], workers: int) -> Iterator[tuple[np.ndarray, list[int]]]:
    """Users are independent: segment them on `workers` processes when there is enough work."""
    if workers <= 1 or len(jobs) < 2 or sum(len(j[1]) for j in jobs) < PARALLEL_FROM:
        yield from map(_segment_one, jobs)
        return
    import multiprocessing
    import threading
    from concurrent.futures import ProcessPoolExecutor

    threading.Thread(target=warm, name="tasklens-warm", daemon=True).start()   # while this process waits
    # spawn, not fork: the dashboard calls this from a Qt thread, and forking a threaded process is unsafe
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        # the most events first, one user at a time, so the workers finish together (chunks of users in
        # name order left one worker busy with the last chunk while the other waited)
        futures = {k: pool.submit(_segment_one, jobs[k]) for k in sorted(range(len(jobs)), key=lambda k: -len(jobs[k][1]))}
        for k in range(len(jobs)):
            yield futures[k].result()


def beside(apart: bool, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
    """What gives `fn(*args)`: started now on a process of its own if `apart` (one costs ~0.5 s to start, on
    the core this one leaves idle), else called when asked; if that process dies, called here when asked."""
    if not apart:
        return lambda: fn(*args)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))   # spawn: see `_map`
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)   # the job still runs; the process ends with it

    def result() -> T:
        try:
            return future.result()
        except BrokenProcessPool:   # killed (out of memory, a signal): this process does it
            log.warning("a helper process stopped; this process does its work")
            return fn(*args)
    return result


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
        pooled = _pooled_leftovers(task, users, ts, acts, apps, breaks, n_acts, p, helper=workers > 1)
        if pooled is not None:
            idx, local, found = pooled
            task[idx] = np.where(local >= 0, local + offset, -1)
            starts[ALL_USERS] = found
    return _renumber(task), starts


ALL_USERS = "*"   # start_activities key of the routines found in all users' leftovers together


def _pooled_leftovers(task: np.ndarray, users: list[str], ts: np.ndarray, acts: np.ndarray, apps: np.ndarray,
                      breaks: np.ndarray, n_acts: int, p: SegmentParams,
                      helper: bool = False) -> tuple[np.ndarray, np.ndarray, list[int]] | None:
    """A weekly or monthly routine happens once or twice per person: too rare to be found in anyone's
    own events, it recurs across the team. The events no user's instances took are segmented once more,
    all users together (`pooled_groups`); `helper`: see `segment.choose_starts`."""
    idx = np.flatnonzero((task < 0) & ~breaks)
    user_ids = np.unique(np.asarray(users, dtype=object)[idx].astype(str), return_inverse=True)[1]
    blocks = _blocks(user_ids)

    def load(group: list[int]) -> Pool:
        at = np.concatenate([np.arange(*blocks[k]) for k in group])
        return {"user": user_ids[at], "ts": ts[idx[at]], "act": acts[idx[at]], "app": apps[idx[at]], "pos": idx[at]}
    taken: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    found: dict[int, None] = {}
    offset = 0   # instance ids apart across groups
    for pool, order, local, starts in pooled_groups([(float(ts[idx[lo]]), hi - lo) for lo, hi in blocks], load,
                                                    n_acts, p, helper=helper):
        taken.append(pool["pos"][order])
        ids.append(np.where(local >= 0, local + offset, -1))
        offset += int(local.max()) + 1
        found.update(dict.fromkeys(starts))
    if not taken:
        return None
    return np.concatenate(taken), np.concatenate(ids), list(found)


def _blocks(user: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) of each person's events, `user` holding each person's contiguously."""
    firsts = np.flatnonzero(np.diff(user, prepend=-1) != 0)
    return list(zip(firsts.tolist(), [*firsts[1:].tolist(), len(user)]))


def reading_order(people: Sequence[tuple[float, int]]) -> list[int]:
    """The order `pooled_pass` reads people in, given each one's first leftover's time and leftover count
    (in the order their events are held): by that time, not by pseudonyms, which are drawn afresh for each
    analysis (the choice of starts depends on the order)."""
    return sorted(range(len(people)), key=lambda k: (people[k][0], people[k][1], k))


POOL_EVENTS = 1_000_000   # leftover events segmented together at most (see pool_groups)


def pool_groups(people: Sequence[tuple[float, int]], most: int | None = None) -> list[list[int]]:
    """Which people's leftovers `pooled_pass` segments together, so its memory and time stay bounded as the
    organisation grows (one pass over all grew with every event between tasks). `people`: each one's first
    leftover's time and leftover count, in the order their events are held; `most`: POOL_EVENTS if None.
    The rule: people in the order `pooled_pass` reads them, cut into ceil(events / most) consecutive groups
    of about equal events, a person never split; a routine that recurs across a team recurs within a group
    of hundreds of its people too. Up to `most` events, one group of everyone: exactly one `pooled_pass`.
    Indices into `people`, each group in the order given."""
    total = sum(n for _, n in people)
    groups = max(1, -(-total // (most or POOL_EVENTS)))
    out: list[list[int]] = [[] for _ in range(groups)]
    end = 0
    for k in reading_order(people):
        end += people[k][1]
        out[min((end - 1) * groups // max(total, 1), groups - 1)].append(k)
    return [sorted(g) for g in out if g]


Pool = dict[str, np.ndarray]   # a group's leftovers: user, ts, act, app, pos (`pooled_pass`'s), and any others


def pooled_groups(people: Sequence[tuple[float, int]], load: Callable[[list[int]], Pool], n_acts: int,
                  p: SegmentParams, most: int | None = None,
                  helper: bool = False) -> Iterator[tuple[Pool, np.ndarray, np.ndarray, list[int]]]:
    """`pooled_pass` on each of `pool_groups`' groups, whose leftovers `load` gives (so one group's are in
    memory at a time): per group where something was found, its leftovers, and `pooled_pass`'s order,
    segments and starts. `helper`: see `segment.choose_starts`."""
    for group in pool_groups(people, most):
        pool = load(group)
        pooled = pooled_pass(pool["user"], pool["ts"], pool["act"], pool["app"], pool["pos"], n_acts, p, helper)
        if pooled is not None:
            yield pool, *pooled


def pooled_pass(user: np.ndarray, ts: np.ndarray, acts: np.ndarray, apps: np.ndarray, pos: np.ndarray,
                n_acts: int, p: SegmentParams, helper: bool = False) -> tuple[np.ndarray, np.ndarray, list[int]] | None:
    """Segment all users' leftover events together; `user` holds each user's events contiguously and `pos`
    each event's place in its user's stream. Each user's leftovers are a recording of its own (a new
    segment after each gap; an interrupted task may take back its part across a gap). Users go in
    `reading_order` (the same log once gave other instances in another folder). Returns the order the
    events were read in, and the segments and starts found in that order. `helper`: see
    `segment.choose_starts`."""
    if len(ts) < p.min_instances * p.min_steps:
        return None
    held = _blocks(user)
    blocks = [held[k] for k in reading_order([(float(ts[lo]), hi - lo) for lo, hi in held])]
    order = np.concatenate([np.arange(lo, hi) for lo, hi in blocks])
    users_change = np.zeros(len(order), bool)
    users_change[np.cumsum([0] + [hi - lo for lo, hi in blocks[:-1]])] = True
    resumes = (np.diff(pos[order], prepend=-2) != 1) & ~users_change   # other work was taken out between
    # each leftover run is already cut apart: a rare routine filling runs of its own gains no consistency;
    # what recurs so rarely must be the same steps nearly every time to count as a routine
    # leftovers hold pieces of many structures (the frequent tasks' cut-off parts, chat, a weekly routine), whose
    # rotations all tie: the rare routine's true start can rank below ten of them, so every tie is built (the
    # pool is small)
    rare = replace(p, min_gain=-0.001, start_presence=max(p.start_presence, 0.8), max_ties=p.max_candidates)
    local, found = segment_stream(ts[order], acts[order], apps[order], np.zeros(len(order), bool), n_acts, rare,
                                  users_change, rare=True, resumes=resumes, helper=helper)
    return order, local, found


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


@dataclass
class Instances:
    """All instances as a table (`InstanceTable`: task types -1 until they are formed), their distinct step
    sequences (variants, activity ids) and how often each occurs."""

    task: np.ndarray                    # instance id per event, -1 between tasks
    rows: InstanceTable
    variants: list[tuple[int, ...]]
    weights: list[int]                  # instances per variant
    idx: list[np.ndarray] | None = None   # each instance's event positions in the ordered events (streamed: None)


_NUMPY = {"i": np.int32, "q": np.int64, "d": np.float64}   # stdlib array type codes as numpy types


def packed(values: np.ndarray, code: str) -> array[Any]:
    """`values` as a stdlib array of type `code` ("i", "q" or "d"): a sequence of plain numbers, 4 or 8 bytes
    each (numpy's arrays are no `Sequence`, and a list of ints took 36 bytes each)."""
    return array(code, np.asarray(values, _NUMPY[code]).tobytes())


def column(table: InstanceTable, name: str) -> np.ndarray:
    """One column of an instance table as numpy, without a copy."""
    return np.frombuffer(table.columns[name], _NUMPY[InstanceTable.COLUMNS[name]])


def instance_types(table: InstanceTable, vtype: np.ndarray) -> np.ndarray:
    """Each instance's task type, that of its variant (`vtype`: a type per variant)."""
    variant = column(table, "variant")
    return vtype[variant] if len(variant) else variant


def instance_table(users: Sequence[str], user: np.ndarray, start: np.ndarray, end: np.ndarray, variant: np.ndarray,
                   events: np.ndarray, task_type: np.ndarray | None = None) -> InstanceTable:
    """An instance table from numpy columns (`user` indexes `users`); task types -1 unless given."""
    kinds = {"user": user, "start": start, "end": end, "variant": variant, "events": events,
             "task_type": np.full(len(user), -1) if task_type is None else task_type}
    return InstanceTable(users, **{c: packed(kinds[c], code) for c, code in InstanceTable.COLUMNS.items()})


def typed(table: InstanceTable, vtype: np.ndarray) -> InstanceTable:
    """The table with each instance's task type, that of its variant (its other columns shared, not copied)."""
    return InstanceTable(table.users, **{**table.columns, "task_type": packed(instance_types(table, vtype), "i")})


def instance_seconds(ts: np.ndarray, pos: np.ndarray, last_duration: float) -> float:
    """How long an instance took, the one duration rule (every analysis path calls it): the time between
    each two of its events that follow each other in the person's recorded stream (`pos`: their
    positions in it), as `segment.active_seconds` counts it (a pause longer than ACTIVE_GAP counts none,
    as in every sum of time: `activetime`), plus its last event's duration. Where its
    events are apart, segmentation took out what came between (a chat or a mail that interrupted the
    task, whose two parts it joined again): that time is other work and counts none."""
    if len(pos) == 0 or pos[-1] - pos[0] == len(pos) - 1:   # one run (most instances): no split
        return active_seconds(ts) + max(last_duration, 0.0)
    pieces = np.split(ts, np.flatnonzero(np.diff(pos) != 1) + 1)
    return sum(active_seconds(p) for p in pieces) + max(last_duration, 0.0)


def build_instances(evs: list[Event], acts: np.ndarray, task: np.ndarray) -> Instances:
    """Instances and their variants (events grouped by user, in recorded order); an instance lasts as
    long as `instance_seconds` says."""
    ts = np.fromiter((e.ts for e in evs), float, len(evs))
    variant_ids: dict[tuple[int, ...], int] = {}
    users: dict[str, int] = {}
    user, start, end, variant, idxs = [], [], [], [], []
    for _, idx in grouped(task):   # instance ids are 0..n-1 (`task` numbers them densely)
        variant.append(variant_ids.setdefault(tuple(int(a) for a in acts[idx]), len(variant_ids)))
        start.append(float(ts[idx[0]]))
        end.append(start[-1] + instance_seconds(ts[idx], idx, evs[idx[-1]].duration))
        user.append(users.setdefault(evs[idx[0]].user, len(users)))
        idxs.append(idx)
    weights = Counter(variant)
    return Instances(task, instance_table(list(users), np.array(user), np.array(start), np.array(end), np.array(variant),
                                          np.array([len(i) for i in idxs], np.int64)), list(variant_ids),
                     [weights[v] for v in range(len(variant_ids))], idxs)


def _drop_unassigned(inst: Instances, vtype: np.ndarray) -> tuple[Instances, np.ndarray]:
    """Instances of no task type (see `cluster_variants`) become events between tasks; ids stay 0..n-1."""
    keep_v = np.flatnonzero(vtype >= 0)
    new_v = np.full(len(inst.variants), -1)
    new_v[keep_v] = np.arange(len(keep_v))
    rows = inst.rows
    variant = column(rows, "variant")
    kept = np.flatnonzero(vtype[variant] >= 0)
    new_t = np.full(int(inst.task.max()) + 2, -1)
    new_t[kept] = np.arange(len(kept))
    table = instance_table(rows.users, column(rows, "user")[kept], column(rows, "start")[kept], column(rows, "end")[kept],
                           new_v[variant[kept]], column(rows, "events")[kept])
    return (Instances(new_t[inst.task], table, [inst.variants[v] for v in keep_v], [inst.weights[v] for v in keep_v],
                      None if inst.idx is None else [inst.idx[k] for k in kept.tolist()]),
            vtype[keep_v])    # task -1 picks the trailing -1


def assign_types(inst: Instances, labels: list[str], p: TypeParams,
                 decisions: Decisions | None) -> tuple[Instances, np.ndarray, int]:
    """Task type per variant (the analyst's merges and splits applied); instances like no other are left
    out and counted."""
    vtype = cluster_variants(inst.variants, inst.weights, p)
    unassigned = sum(w for w, t in zip(inst.weights, vtype.tolist()) if t < 0)
    if unassigned:
        inst, vtype = _drop_unassigned(inst, vtype)
    if decisions is not None:
        vtype = apply_to_types(vtype, inst.variants, inst.weights, labels, decisions)
    return inst, vtype, unassigned


def type_facts(evs: list[Event], inst: Instances, vtype: np.ndarray) -> list[TypeFacts]:
    """What `candidates.rank` needs to know about each task type, measured on its instances."""
    days_of_user: dict[str, set[int]] = defaultdict(set)
    for e in evs:
        days_of_user[e.user].add(int(e.ts // 86400))
    idx = inst.idx or []

    def tally(members: np.ndarray) -> tuple[Counter[Action], set[str]]:
        at = [k for r in members.tolist() for k in idx[r]]
        return Counter(evs[k].action for k in at), {evs[k].app for k in at}
    return facts_of(inst, vtype, days_of_user, tally)


def facts_of(inst: Instances, vtype: np.ndarray, days_of_user: dict[str, set[int]],
             tally: Callable[[np.ndarray], tuple[Counter[Action], set[str]]]) -> list[TypeFacts]:
    """Each task type's facts; `tally` gives the actions and applications of its instances (ids), from events
    in memory or from per-instance counts when streaming, so both paths share every other rule. Read from
    the instance table's columns: no object per instance."""
    team_days = float(len(set().union(*days_of_user.values()))) if days_of_user else 0.0
    team_user_days = float(sum(len(d) for d in days_of_user.values()))
    rows = inst.rows
    variant, user, events = column(rows, "variant"), column(rows, "user"), column(rows, "events")
    seconds = column(rows, "end") - column(rows, "start")
    facts = []
    for t, members in grouped(instance_types(rows, vtype)):   # each type's, in id order
        counts = Counter(variant[members].tolist())
        tv = [(inst.variants[v], n) for v, n in counts.most_common()]
        usual = Counter(tv[0][0])
        actions, apps = tally(members)
        users = {rows.users[u] for u in np.unique(user[members]).tolist()}
        usual_steps, order = structure(tv)
        facts.append(TypeFacts(
            t, tv, packed(members, "q"), users, float(sum(seconds[members].tolist())), actions, apps,
            rework_instances=sum(n for v, n in counts.items() if _rework(inst.variants[v], usual)),
            decision_points=_decision_points(tv), working_days=float(sum(len(days_of_user[u]) for u in users)),
            median_events=float(np.median(events[members])), usual_steps=usual_steps, order=order,
            team_days=team_days, team_user_days=team_user_days))
    return facts


def annotate_effort(candidates: list[Candidate], facts: list[TypeFacts], reviews: Mapping[int, Review],
                    decisions: Decisions | None) -> None:
    """Bot effort and payback per candidate; an analyst's own build hours replace the model's."""
    effort.annotate(candidates, facts, reviews, {s: d.effort_hours for s, d in
                                                 candidate_decisions(candidates, decisions or Decisions()).items()
                                                 if d.effort_hours is not None})


def name_candidates(candidates: list[Candidate], types: list[TaskType], decisions: Decisions | None) -> list[Candidate]:
    """Each candidate's signature and name from its task type, then the analyst's decision about it (found
    by signature); ranked again, rejected ones last."""
    for c in candidates:
        c.signature, c.name = types[c.task_type].signature, types[c.task_type].name
    if decisions is None:
        return candidates
    for signature, d in candidate_decisions(candidates, decisions).items():
        for c in candidates:
            if c.signature == signature:
                c.status, c.analyst_name, c.name = d.status, d.name, d.name or c.name
    return renumber(candidates)


def _task_types(inst: Instances, vtype: np.ndarray, labels: list[str],
                facts: list[TypeFacts]) -> tuple[list[TaskType], list[Variant]]:
    steps = [tuple(labels[a] for a in v) for v in inst.variants]
    variant = column(inst.rows, "variant")
    seconds = column(inst.rows, "end") - column(inst.rows, "start")
    of_variant = dict(grouped(variant))
    mean = {v: round(sum(seconds[m].tolist()) / len(m), 2) for v, m in of_variant.items()}
    of_type = dict(grouped(instance_types(inst.rows, vtype)))
    variants = [Variant(v, int(vtype[v]), steps[v], inst.weights[v], mean.get(v, 0.0)) for v in range(len(steps))]
    index = {seq: v for v, seq in enumerate(inst.variants)}
    types = []
    names: set[str] = set()   # each type's name unlike those before it
    for f in facts:
        durations = np.sort(seconds[of_type[f.type_id]]).tolist() if f.type_id in of_type else []
        signature = steps[index[f.variants[0][0]]] if f.variants else ()
        types.append(TaskType(
            f.type_id, type_name(signature, f.type_id, names), signature, len(f.instance_ids), sorted(f.users),
            round(f.seconds / 3600, 3), sorted(f.apps), [index[seq] for seq, _ in f.variants],
            round(durations[len(durations) // 2], 2) if durations else 0.0))
    return types, variants


def _routine_facts(routines: list[Routine], vtype: np.ndarray, labels: list[str],
                   candidates: list[Candidate]) -> list[RoutineFact]:
    cand_of_type = {c.task_type: c.id for c in candidates}
    out = []
    for r in routines:
        types = sorted({int(vtype[v]) for v in r.variants})
        out.append(RoutineFact(tuple(labels[s] for s in r.steps), r.support, types,
                               sorted(cand_of_type[t] for t in types if t in cand_of_type)))
    return out


def _summary(evs: list[Event], inst: Instances, r: AnalysisResult, unassigned: int, notes: list[str]) -> Summary:
    return Summary(
        events=len(evs), events_in_tasks=int((inst.task >= 0).sum()), users=len({e.user for e in evs}),
        # the true span: events are kept per person in input order, so the end rows are not the extremes
        first=iso(min(e.ts for e in evs)) if evs else None, last=iso(max(e.ts for e in evs)) if evs else None,
        activities=len(r.process_map.activities), instances=len(r.instances), task_types=len(r.task_types),
        variants=len(r.variants), routines=len(r.routines), candidates=len(r.candidates),
        hours_in_tasks=round(sum(i.seconds for i in r.instances) / 3600, 3), unassigned_instances=unassigned,
        # team figures add up; per-FTE ones do not
        hours_saved_per_month_team=round(sum(c.hours_saved_per_month_team for c in r.candidates
                                             if c.status != "rejected"), 2),
        notes=notes)


def _transitions(edges: list[Edge], labels: list[str]) -> list[Transition]:
    return [Transition(labels[e.source], labels[e.target], e.count, round(e.mean_wait, 3), round(e.median_wait, 3))
            for e in edges]


def _why_empty(evs: list[Event], instances: Sequence[Instance], candidates: list[Candidate], given_cases: bool,
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
            cases: Sequence[str] | None = None, decisions: Decisions | None = None,
            marks: Mapping[str, str] | None = None) -> Analysis:
    """Run all steps. `cases` (one per event) gives an already segmented log (XES traces) its instances;
    `decisions` (an analyst's, kept with an earlier analysis of the same data) merge and split task types
    and accept, reject or rename candidates; `marks` (exception-marks.json) say which instances the
    analyst judged exceptions or normal."""
    p = params or Params()
    order, backwards = _order(events, p.order)
    notes = []
    if backwards:
        note = (f"time runs backwards {backwards} times within a user's events in input order; "
                + ("kept the input order (--order time sorts by time)" if p.order == "input" else "sorted by time"))
        log.warning("%s", note)
        notes.append(note)
    evs = [events[i] for i in order]
    acts, labels = label_all(evs)
    if progress:
        progress("activities", 1, 1)
    if cases is not None:
        task, starts = _cases_to_task(cases, order), {}
    else:
        task, starts_ids = _segment_all(evs, acts, len(labels), p.segment, p.workers, progress)
        starts = {u: [labels[a] for a in s] for u, s in starts_ids.items()}

    inst, vtype, unassigned = assign_types(build_instances(evs, acts, task), labels, p.types, decisions)
    # the routines need only the variants: mined on another process while this one measures the types
    routines_found = beside(p.workers > 1 and len(evs) >= PARALLEL_FROM, mine, inst.variants, inst.weights,
                             p.routines)
    if unassigned:
        notes.append(f"{unassigned} instance(s) like no other left without a task type")
    if progress:
        progress("task types", 1, 1)
    facts = type_facts(evs, inst, vtype)
    instances = typed(inst.rows, vtype)
    ts = np.fromiter((e.ts for e in evs), float, len(evs))
    exceptions, reviews = exceptioncases.find(instances, inst.task.tolist(), acts.tolist(), ts.tolist(),
                                              [e.app for e in evs], labels, marks or {})
    types, variants = _task_types(inst, vtype, labels, facts)
    notes += exceptioncases.measured(facts, types, reviews, instances, inst.variants)
    routines = routines_found()
    if progress:
        progress("routines", 1, 1)
    candidates = name_candidates(rank(facts, p.assumptions), types, decisions)
    annotate_effort(candidates, facts, reviews, decisions)
    # process map over events ordered by instance, then time
    in_task = np.flatnonzero(inst.task >= 0)
    by_instance = in_task[np.argsort(inst.task[in_task], kind="stable")]
    edges = directly_follows(inst.task[by_instance], acts[by_instance], ts[by_instance])
    if progress:
        progress("process map", 1, 1)

    result = AnalysisResult(
        task_types=types, variants=variants, instances=instances,
        routines=_routine_facts(routines, vtype, labels, candidates), candidates=candidates,
        process_map=ProcessMap(labels, _transitions(edges, labels)), start_activities=starts,
        parameters=asdict(p), decisions=decisions.as_json() if decisions is not None and decisions.count() else {},
        exceptions=exceptions)
    notes += _why_empty(evs, instances, candidates, cases is not None, p)
    result.summary = _summary(evs, inst, result, unassigned, notes)
    log.info("analysed %d events: %d instances, %d task types, %d routines, %d candidates", len(evs),
             len(instances), len(types), len(routines), len(candidates))
    return Analysis(result, evs, acts, inst.task)
