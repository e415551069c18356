"""The analysis of a merged dataset, one user at a time, in bounded memory.

`pipeline.analyze` holds every event as an object. Here a user's events are read from the dataset
(`tasklens.analyzer.dataset`), segmented by the same pure function (`segment.segment_stream`) and
dropped; what is kept is per instance, not per event, and as numbers, not objects (`_Held`: 40 bytes an
instance, its steps, action tally and app set as ids of the distinct ones). The times and apps of the
events in tasks, which the process map's waits and the exception signals read, and the events between
tasks wait in an encrypted spill on disk (`Spill`), read back a user at a time; the pooled pass that
finds rare routines across people holds one group of people's at a time (`pipeline.pool_groups`).

What still grows with the organisation is numbers, not objects: the result's instances as a table
(`result.InstanceTable`, some 30 bytes an instance; report.json lists them), each task type's instance
ids, the largest task type's events' times and apps while its exceptions are scored (12 bytes an event,
each instance built as it is read), and each process-map edge's waits (8 bytes a step). Peak memory is
that plus the largest single user's events and one pooled group.

Two passes over the users. The first reads each user's Parquet files once, deduplicates and orders their
events, and turns each into ids of its label part (`activities.Part`: app, action and the templates of
target and title) and app; those arrays wait for the second pass in an encrypted temporary spill. Labels
are made from the organisation's distinct parts, which stay few as events grow, not from its distinct
titles, which grow with every order number. The second pass reads the spill back and segments each user.

The steps are those of `pipeline.analyze`, in the same order, so the outputs are the same on the same
input: labels and app ids come from the parts in the order the in-memory path meets them (users sorted,
each in merge order); instances are numbered by their first event in that order; variants, task types,
routines and candidates come from the per-instance facts.
"""

from __future__ import annotations

import io
import logging
import secrets
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path
from typing import TypeVar, overload

import numpy as np
import pyarrow as pa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tasklens.analyzer import exceptioncases, exceptionmarks, exceptions
from tasklens.analyzer.activities import Key as EventKey
from tasklens.analyzer.activities import Part, label_parts, parts_of
from tasklens.analyzer.aggregate import Usage, add_usage, user_usage
from tasklens.analyzer.candidates import TypeFacts, rank
from tasklens.analyzer.dataset import Dataset, dedupe, quiet_worker
from tasklens.analyzer.decisions import Decisions
from tasklens.analyzer.exceptions import Review
from tasklens.analyzer.grouping import grouped, run_bounds
from tasklens.analyzer.pipeline import (
    ALL_USERS,
    PARALLEL_FROM,
    Instances,
    Params,
    Pool,
    _routine_facts,
    _task_types,
    _transitions,
    _why_empty,
    annotate_effort,
    assign_types,
    column,
    facts_of,
    instance_seconds,
    instance_table,
    name_candidates,
    packed,
    pooled_groups,
    typed,
)
from tasklens.analyzer.processmap import Edge, by_edge, edges, pairs
from tasklens.analyzer.result import AnalysisResult, ExceptionCase, InstanceTable, ProcessMap, Summary
from tasklens.analyzer.routines import mine
from tasklens.analyzer.run import Cancelled
from tasklens.analyzer.segment import SegmentParams, segment_stream
from tasklens.events import Action, Event, iso

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")
Key = Part   # what an activity is looked up by: the templates of an event's label inputs (`activities.Part`)
ACTION_CODE = {a.value: k for k, a in enumerate(Action)}
ACTIONS = list(Action)
BREAKS = np.array([a in (Action.IDLE, Action.ACTIVE) for a in Action])
KEY_COLUMNS = ["seq", "user", "app", "action", "target", "title", "element_path"]
READ_COLUMNS = KEY_COLUMNS + ["ts", "value", "duration", "count", "signed"]   # what deduplication and labels need


@dataclass(frozen=True)
class Found:
    """One user's instances (own, or those the pooled pass found in their leftovers), what travels from a
    segmentation (a Spark worker's too) to `_Held`: per instance its first event's place in the user's
    stream, start, end, steps, action tally and app set; per event of an instance (grouped by instance,
    in order) its time and app, which the process map's waits and the exception signals read."""

    first: np.ndarray                              # int64
    start: np.ndarray                              # float64
    end: np.ndarray                                # float64
    steps: list[tuple[int, ...]]                   # activity ids, in recorded order
    actions: list[tuple[tuple[int, int], ...]]     # (action code, events) in order of first occurrence
    apps: list[frozenset[int]]
    ts: np.ndarray                                 # float64, the instances' events
    app_seq: np.ndarray                            # int32, the instances' events


@dataclass
class Streamed:
    """A streamed analysis: the typed result, and what the run around it reports."""

    result: AnalysisResult
    users: list[str]
    duplicates: int = 0                              # events an earlier input already held, counted once
    signed: set[str] = field(default_factory=set)   # users whom only enrolled signers' bundles hold
    usage: dict[str, Usage] = field(default_factory=dict)   # each application's use, for the admin report


class _Leftovers:
    """Events no user's instances took (breaks aside), for the pooled pass over all users: each user's wait
    in an encrypted spill, and only their first time and count stay in memory, so the pooled pass holds one
    group of people's at a time (`pipeline.pool_groups`)."""

    COLUMNS = ("ts", "act", "app", "action", "dur", "pos")

    def __init__(self, spill: Spill) -> None:
        self.spill = spill
        self.users: list[int] = []                  # the users (ranks) who have any, in order
        self.people: list[tuple[float, int]] = []   # and their first leftover's time and count

    def add(self, user: int, *cols: np.ndarray) -> None:
        if len(cols[0]):
            self.spill.put(user, dict(zip(self.COLUMNS, cols)))
            self.users.append(user)
            self.people.append((float(cols[0][0]), len(cols[0])))

    def load(self, group: list[int]) -> Pool:
        """The leftovers of these people (indices into `users`), each user's contiguous, in order."""
        parts = [self.spill.get(self.users[k]) for k in group]
        pool = {c: np.concatenate([part[c] for part in parts]) for c in self.COLUMNS}
        pool["user"] = np.repeat(np.array([self.users[k] for k in group], np.int32), [len(part["ts"]) for part in parts])
        return pool


def _order_users(ds: Dataset) -> list[tuple[str, Path]]:
    """Users sorted by name, as the in-memory path groups them."""
    named = []
    for d in ds.user_dirs():
        files = ds.files(d)
        if files:
            names = ds.crypto.read(files[0], ["user"]).column("user")
            named.append((str(names[0]), d))
    return sorted(named)


def _ordered(table: pa.Table, mode: str) -> tuple[pa.Table, int]:
    """One user's deduplicated events in merge order or by time; and how often time runs backwards."""
    ts = table.column("ts").to_numpy()
    backwards = int((np.diff(ts) < 0).sum())
    if mode == "time":
        table = table.take(pa.array(np.argsort(ts, kind="stable")))
    return table, backwards


def _keys(table: pa.Table) -> Iterator[EventKey]:
    return zip(*(table.column(c).to_pylist() for c in KEY_COLUMNS[2:]))


def _parts(table: pa.Table) -> tuple[np.ndarray, list[Part]]:
    """One user's distinct label parts in order of first event, and each event's index into them."""
    index: dict[EventKey, int] = {}
    key_of = np.fromiter((index.setdefault(k, len(index)) for k in _keys(table)), np.int64, table.num_rows)
    part_of = parts_of(index)
    ids: dict[Part, int] = {}
    of_key = np.fromiter((ids.setdefault(part_of[k], len(ids)) for k in index), np.int64, len(index))
    return of_key[key_of], list(ids)


@dataclass(frozen=True)
class Prepared:
    """One user's events read once (a table in merge order, deduplicated and ordered) as numbers: their times
    and durations, each one's index into the user's distinct label parts (in order of first event), and
    what reading them found. Labelling reads the parts (which stay few as events grow: a title's order
    numbers are templated away), segmentation the rest, so the per-event templating runs once per user in
    either engine (the embedded first pass; a Spark worker, whose result waits in Spark's cache)."""

    ts: np.ndarray        # float64
    dur: np.ndarray       # float64
    idx: np.ndarray       # int64, each event's index into `parts`
    parts: list[Part]
    signed: bool          # only enrolled signers' bundles hold this user
    duplicates: int
    backwards: int


def prepare(table: pa.Table, mode: str) -> Prepared:
    """One user's events (a table in merge order), deduplicated, ordered and templated."""
    signed = all(table.column("signed").to_pylist())
    table, dup = dedupe(table)
    table, back = _ordered(table, mode)
    idx, parts = _parts(table)
    return Prepared(table.column("ts").to_numpy(), table.column("duration").to_numpy(), idx, parts, signed, dup, back)


class Spill:
    """What waits for a later step in a temporary folder, encrypted under a key that lives in this process
    only: each user's events as the first pass read them (times, label part and app ids, actions,
    durations), which the second pass reads back instead of decrypting, deduplicating and templating the
    user's Parquet files again; the events between tasks, the instances' events, and the parts a Spark
    driver fetches. What grows with the organisation stays on disk, not in memory."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="tasklens-pass-")
        self._aead = AESGCM(AESGCM.generate_key(256))

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *_: object) -> None:
        self._dir.cleanup()

    def put_bytes(self, k: int | str, data: bytes) -> None:
        nonce = secrets.token_bytes(12)
        Path(self._dir.name, str(k)).write_bytes(nonce + self._aead.encrypt(nonce, data, str(k).encode()))

    def get_bytes(self, k: int | str, drop: bool = False) -> bytes:
        """What `put_bytes` put under `k`; its file removed if `drop`."""
        path = Path(self._dir.name, str(k))
        raw = path.read_bytes()
        if drop:
            path.unlink()
        return self._aead.decrypt(raw[:12], raw[12:], str(k).encode())

    def put(self, k: int | str, arrays: dict[str, np.ndarray]) -> None:
        buf = io.BytesIO()
        np.savez(buf, **arrays)   # type: ignore[arg-type]  # the stub takes the names for its allow_pickle
        self.put_bytes(k, buf.getvalue())

    def get(self, k: int | str) -> dict[str, np.ndarray]:
        with np.load(io.BytesIO(self.get_bytes(k))) as npz:
            return {name: npz[name] for name in npz.files}


@dataclass(frozen=True)
class _Read:
    """What the first pass keeps in memory of one user; their events wait in the spill."""

    rank: int
    name: str
    signed: bool
    duplicates: int
    backwards: int


def _first_pass(ds: Dataset, users: list[tuple[str, Path]], mode: str, spill: Spill,
                progress: Progress | None) -> tuple[list[_Read], dict[Key, int], dict[str, int]]:
    """Pass 1: each user's events read once, into the spill with ids of the organisation's distinct label
    parts and apps (both numbered in order of first event, users sorted: the in-memory path's order)."""
    parts: dict[Key, int] = {}
    app_ids: dict[str, int] = {}
    read = []
    for k, (name, d) in enumerate(users):
        prep = prepare(ds.read(d, READ_COLUMNS), mode)
        own = prep.parts
        part = np.fromiter((parts.setdefault(p, len(parts)) for p in own), np.int32, len(own))
        app = np.fromiter((app_ids.setdefault(p[0], len(app_ids)) for p in own), np.int32, len(own))
        action = np.fromiter((ACTION_CODE[p[1]] for p in own), np.int8, len(own))
        idx = prep.idx
        spill.put(k, {"ts": prep.ts, "part": part[idx], "app": app[idx], "action": action[idx], "dur": prep.dur})
        read.append(_Read(k, name, prep.signed, prep.duplicates, prep.backwards))
        if progress:
            progress("activities", k + 1, len(users))
    return read, parts, app_ids


def _second_pass(read: list[_Read], spill: Spill, act_of_part: np.ndarray) -> Iterator[_User]:
    """Pass 2: each user's events back from the spill, as the segmentation reads them."""
    for r in read:
        a = spill.get(r.rank)
        yield _User(r.rank, r.name, a["ts"], act_of_part[a["part"]], a["app"].astype(np.int64), a["action"], a["dur"],
                    r.signed, r.duplicates, r.backwards)


def labels_of(keys: Iterable[Key]) -> tuple[dict[Key, int], list[str], dict[str, int]]:
    """The activity id of each part, the labels (ids in their sorted order, as `activities.label_all`), and
    the app ids; `keys` distinct, users sorted, each in order."""
    label_of = label_parts(keys)
    names = sorted(set(label_of.values()))
    id_of = {name: k for k, name in enumerate(names)}
    apps: dict[str, int] = {}
    for app, *_ in label_of:
        apps.setdefault(app, len(apps))
    return {part: id_of[name] for part, name in label_of.items()}, names, apps


def _instances(local: np.ndarray, pos: np.ndarray, ts: np.ndarray, acts: np.ndarray, apps: np.ndarray,
               actions: np.ndarray, dur: np.ndarray) -> Found:
    """The instances of one segmentation: events grouped by instance, each group in recorded order (as
    `pipeline.build_instances`); `pos` holds the events' places in the user's stream."""
    first, start, end = [], [], []
    steps, tallies, app_sets = [], [], []
    runs = [idx for _, idx in grouped(local)]
    for idx in runs:
        first.append(int(pos[idx[0]]))
        start.append(float(ts[idx[0]]))
        end.append(start[-1] + instance_seconds(ts[idx], pos[idx], float(dur[idx[-1]])))
        steps.append(tuple(acts[idx].tolist()))
        tallies.append(tuple(Counter(actions[idx].tolist()).items()))
        app_sets.append(frozenset(apps[idx].tolist()))
    order = np.concatenate(runs) if runs else np.zeros(0, np.int64)
    return Found(np.array(first, np.int64), np.array(start, float), np.array(end, float), steps, tallies, app_sets,
                 ts[order], apps[order].astype(np.int32))


def _pooled(left: _Leftovers, held: _Held, n_acts: int, p: SegmentParams) -> list[int] | None:
    """`pipeline.pooled_groups` on the kept leftovers, each group's instances added to `held` as numbers
    once found (by rank: a user is in one group), so no group's outlive it; the starts found, None if no
    group held enough leftovers to segment."""
    starts: dict[int, None] | None = None
    for pool, order, local, begun in pooled_groups(left.people, left.load, n_acts, p):
        user, ts, acts, apps, actions, dur, pos = (pool[c][order] for c in ("user", *_Leftovers.COLUMNS))
        for u in np.unique(user[local >= 0]).tolist():   # an instance lies inside one user's events
            of = user == u
            held.add(u, _instances(local[of], pos[of], ts[of], acts[of], apps[of], actions[of], dur[of]), "pooled")
        starts = {**(starts or {}), **dict.fromkeys(begun)}
    return None if starts is None else list(starts)


@dataclass(frozen=True)
class _User:
    """One user's events as the segmentation reads them, and what reading them found."""

    rank: int
    name: str
    ts: np.ndarray
    acts: np.ndarray
    apps: np.ndarray
    actions: np.ndarray
    dur: np.ndarray
    signed: bool          # only enrolled signers' bundles hold this user
    duplicates: int
    backwards: int

    @property
    def breaks(self) -> np.ndarray:
        breaks: np.ndarray = BREAKS[self.actions]
        return breaks


def user_of(rank: int, name: str, prep: Prepared, act_of: dict[Key, int], app_ids: dict[str, int]) -> _User:
    """One user's events, prepared, as the segmentation reads them."""
    parts, idx = prep.parts, prep.idx
    return _User(rank, name, prep.ts, np.fromiter((act_of[p] for p in parts), np.int32, len(parts))[idx],
                 np.fromiter((app_ids[p[0]] for p in parts), np.int64, len(parts))[idx],
                 np.fromiter((ACTION_CODE[p[1]] for p in parts), np.int8, len(parts))[idx],
                 prep.dur, prep.signed, prep.duplicates, prep.backwards)


@dataclass
class UserPart:
    """What the later steps keep of one segmented user: per instance, and the events between tasks."""

    rank: int
    name: str
    instances: Found
    left: tuple[np.ndarray, ...]   # ts, act, app, action, dur, pos of the events no instance took (breaks aside)
    found: list[int]               # start activities
    days: set[int]
    events: int
    first: float
    last: float
    work: bool                     # an event that is no idle or active mark
    signed: bool
    duplicates: int
    backwards: int


def part_of(u: _User, local: np.ndarray, found: list[int]) -> UserPart:
    """One user's instances and leftovers from their segmentation (on a Spark worker: what travels back)."""
    breaks = u.breaks
    pos = np.arange(len(u.ts))
    rest = (local < 0) & ~breaks
    return UserPart(u.rank, u.name, _instances(local, pos, u.ts, u.acts, u.apps, u.actions, u.dur),
                    (u.ts[rest], u.acts[rest], u.apps[rest], u.actions[rest], u.dur[rest], pos[rest]), found,
                    set((u.ts // 86400).astype(int).tolist()), len(u.ts),
                    float(u.ts.min()) if len(u.ts) else float("inf"), float(u.ts.max()) if len(u.ts) else float("-inf"),
                    not breaks.all(), u.signed, u.duplicates, u.backwards)


def _segment(job: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, SegmentParams]) -> tuple[np.ndarray, list[int]]:
    return segment_stream(*job)


def _segmented(users: Iterator[_User], n_acts: int, p: SegmentParams,
               workers: int) -> Iterator[tuple[_User, np.ndarray, list[int]]]:
    """Each user with their segmentation, in order. On `workers` processes, this process reads and labels
    the next users while the workers segment; at most 2 x workers users wait, so memory stays bounded."""
    if workers <= 1:
        for u in users:
            yield u, *_segment((u.ts, u.acts, u.apps, u.breaks, n_acts, p))
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    waiting: deque[tuple[_User, Future[tuple[np.ndarray, list[int]]]]] = deque()
    # spawn, not fork: the dashboard calls analyses from a Qt thread, and forking a threaded process is unsafe
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=quiet_worker) as pool:
        for u in users:
            waiting.append((u, pool.submit(_segment, (u.ts, u.acts, u.apps, u.breaks, n_acts, p))))
            while len(waiting) > 2 * workers:
                done, future = waiting.popleft()
                yield done, *future.result()
        while waiting:
            done, future = waiting.popleft()
            yield done, *future.result()


def cancellable(progress: Progress | None, cancel: Callable[[], bool] | None) -> Progress:
    """`progress` that first stops the run with `Cancelled` once `cancel()` is true: it is called per user
    while reading and segmenting, so a cancel takes effect within one user's work."""
    def report(stage: str, done: int, total: int) -> None:
        if cancel is not None and cancel():
            raise Cancelled("analysis cancelled")
        if progress is not None:
            progress(stage, done, total)
    return report


def analyze_dataset(ds: Dataset, params: Params | None = None, progress: Progress | None = None,
                    decisions: Decisions | None = None, marks: Mapping[str, str] | None = None,
                    cancel: Callable[[], bool] | None = None) -> Streamed:
    """`pipeline.analyze` over a dataset, streaming users through segmentation a few at a time; the
    analyst's exception `marks` honoured; `cancel()` true stops it with `Cancelled`."""
    p = params or Params()
    progress = cancellable(progress, cancel)
    users = _order_users(ds)
    workers = p.workers if sum(i["events"] for i in ds.inputs) >= PARALLEL_FROM else 1
    usage: dict[int, Usage] = {}
    with Spill() as spill:
        read, parts, app_ids = _first_pass(ds, users, p.order, spill, progress)
        act_of, labels, _ = labels_of(parts)
        act_of_part = np.fromiter((act_of[part] for part in parts), np.int32, len(parts))
        del act_of, parts
        segmented = _segmented(_tallied(_second_pass(read, spill, act_of_part), usage), len(labels), p.segment,
                               workers)
        done = assemble((part_of(*s) for s in segmented), [u for u, _ in users], labels, app_ids, p, decisions,
                        progress, marks)
    app_names = list(app_ids)
    done.usage = {app_names[a]: u for a, u in usage.items()}
    return done


def _tallied(users: Iterator[_User], usage: dict[int, Usage]) -> Iterator[_User]:
    """Each user as it passes, with their use of each application (by app id) added to `usage`."""
    for u in users:
        add_usage(usage, user_usage(u.name, u.ts, u.apps.tolist()))
        yield u


def assemble(parts: Iterable[UserPart], names: list[str], labels: list[str], app_ids: dict[str, int], p: Params,
             decisions: Decisions | None, progress: Progress | None, marks: Mapping[str, str] | None = None) -> Streamed:
    """The analysis from each user's part, in the order of `names` (sorted): the pooled pass over the
    leftovers, then variants, task types, routines, candidates and the summary."""
    with Spill() as spill:
        return _assemble(parts, names, labels, app_ids, p, decisions, progress, marks or {}, _Leftovers(spill),
                         _Held(spill))


def _assemble(parts: Iterable[UserPart], names: list[str], labels: list[str], app_ids: dict[str, int], p: Params,
              decisions: Decisions | None, progress: Progress | None, marks: Mapping[str, str],
              left: _Leftovers, held: _Held) -> Streamed:
    starts: dict[str, list[int]] = {}
    days_of_user: dict[str, set[int]] = {}
    events = backwards = duplicates = 0
    first, last = float("inf"), float("-inf")
    signed: set[str] = set()
    any_work = False
    users = iter(parts)
    while (u := next(users, None)) is not None:   # ends with None: no user's part outlives its turn
        if u.signed:
            signed.add(u.name)
        duplicates, backwards, events = duplicates + u.duplicates, backwards + u.backwards, events + u.events
        any_work |= u.work
        starts[u.name] = u.found
        held.add(u.rank, u.instances, "own")
        left.add(u.rank, *u.left)
        days_of_user[u.name] = u.days
        first, last = min(first, u.first), max(last, u.last)
        if progress:
            progress("segmentation", u.rank + 1, len(names))
    if progress:
        progress("pooled pass", 0, 1)
    if len(names) > 1 and (pooled := _pooled(left, held, len(labels), p.segment)) is not None:
        starts[ALL_USERS] = pooled
    if progress:
        progress("pooled pass", 1, 1)
    notes = []
    if backwards:
        notes.append(f"time runs backwards {backwards} times within a user's events in input order; "
                     + ("kept the input order (--order time sorts by time)" if p.order == "input" else "sorted by time"))
    result = _result(held, names, labels, {v: k for k, v in app_ids.items()}, days_of_user, p, decisions, notes,
                     progress, marks or {})
    result.start_activities = {u: [labels[a] for a in s] for u, s in starts.items()}
    sample = [Event(0.0, "", "", "", Action.CLICK if any_work else Action.IDLE)] if events else []
    result.summary = Summary(
        events=events, events_in_tasks=sum(i.events for i in result.instances),
        users=len(names), first=iso(first) if events else None, last=iso(last) if events else None,
        activities=len(labels), instances=len(result.instances), task_types=len(result.task_types),
        variants=len(result.variants), routines=len(result.routines), candidates=len(result.candidates),
        hours_in_tasks=round(sum(i.seconds for i in result.instances) / 3600, 3),
        unassigned_instances=result.summary.unassigned_instances,
        hours_saved_per_month_team=round(sum(c.hours_saved_per_month_team for c in result.candidates
                                             if c.status != "rejected"), 2),
        notes=result.summary.notes + _why_empty(sample, result.instances, result.candidates, False, p))
    log.info("streamed %d events of %d users: %d instances, %d task types, %d candidates", events, len(names),
             len(result.instances), len(result.task_types), len(result.candidates))
    return Streamed(result, names, duplicates, signed)


class _Held:
    """Every instance found, as a row of numbers (40 bytes, not objects of some 900): its user's rank,
    first event's place, start, end, event count, and ids of its steps, action tally and app set (each
    distinct one kept once). Their events' times and apps wait in the encrypted spill, a file per user and
    kind (own, pooled), until the process map and the exception signals read them back a user at a time."""

    COLUMNS = {"rank": np.int32, "first": np.int64, "start": np.float64, "end": np.float64, "events": np.int32,
               "steps": np.int32, "actions": np.int32, "apps": np.int32}

    def __init__(self, spill: Spill) -> None:
        self.spill = spill
        self.parts: list[list[np.ndarray]] = []
        self.steps: dict[tuple[int, ...], int] = {}
        self.actions: dict[tuple[tuple[int, int], ...], int] = {}
        self.apps: dict[frozenset[int], int] = {}
        self.spilled: dict[int, list[str]] = {}   # each user's spill names, in the order added

    def add(self, rank: int, found: Found, kind: str) -> None:
        n = len(found.steps)
        if not n:
            return
        name = f"{kind}-{rank}"
        self.spill.put(name, {"ts": found.ts, "app": found.app_seq})
        self.spilled.setdefault(rank, []).append(name)
        self.parts.append([np.full(n, rank, np.int32), found.first, found.start, found.end,
                           np.fromiter(map(len, found.steps), np.int32, n), _ids(self.steps, found.steps),
                           _ids(self.actions, found.actions), _ids(self.apps, found.apps)])

    def columns(self) -> dict[str, np.ndarray]:
        """Each column over all instances in the order added (each user's own, then what the pooled pass found)."""
        cols = {c: np.concatenate([part[k] for part in self.parts] or [np.zeros(0)]).astype(kind, copy=False)
                for k, (c, kind) in enumerate(self.COLUMNS.items())}
        self.parts.clear()
        return cols

    def events(self, rank: int) -> tuple[np.ndarray, np.ndarray]:
        """A user's instances' events (times, apps), grouped by instance in the order added."""
        got = [self.spill.get(name) for name in self.spilled.get(rank, [])]
        return (np.concatenate([g["ts"] for g in got] or [np.zeros(0)]),
                np.concatenate([g["app"] for g in got] or [np.zeros(0, np.int32)]))


def _ids(ids: dict[T, int], values: list[T]) -> np.ndarray:
    """The id of each value, a new one numbered next."""
    return np.fromiter((ids.setdefault(v, len(ids)) for v in values), np.int32, len(values))


def _offsets(col: dict[str, np.ndarray]) -> np.ndarray:
    """Each instance's first event among its user's events as `_Held.events` gives them."""
    by_user = np.argsort(col["rank"], kind="stable")
    n = col["events"][by_user]
    begin = np.cumsum(n) - n
    user = col["rank"][by_user]
    new = np.r_[True, user[1:] != user[:-1]] if len(user) else np.zeros(0, bool)
    out = np.empty(len(n), np.int64)
    out[by_user] = begin - np.maximum.accumulate(np.where(new, begin, 0))
    return out


def _gather(offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions offsets[j] .. offsets[j] + lengths[j] - 1 of every j, in order."""
    return np.repeat(offsets - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))


def _type_facts(inst: Instances, vtype: np.ndarray, held: _Held, of_row: np.ndarray, col: dict[str, np.ndarray],
                app_names: dict[int, str], days_of_user: dict[str, set[int]]) -> list[TypeFacts]:
    """`pipeline.type_facts` from per-instance tallies instead of events (`of_row`: each row's place in `col`)."""
    tallies, app_sets = list(held.actions), list(held.apps)

    def tally(members: np.ndarray) -> tuple[Counter[Action], set[str]]:
        actions: Counter[Action] = Counter()
        apps: set[str] = set()
        for k in of_row[members].tolist():
            for code, n in tallies[col["actions"][k]]:
                actions[ACTIONS[code]] += n
            apps.update(app_names[a] for a in app_sets[col["apps"][k]])
        return actions, apps
    return facts_of(inst, vtype, days_of_user, tally)


class _TypeEvents(exceptions.Built):
    """One task type's instances (`ids`, ascending) as the exception signals read them, kept as arrays (a
    time and an app id an event, 12 bytes, read back from the spill a user at a time) and each built as an
    `exceptions.Instance` only when read, then dropped: holding one per instance of the largest type with
    its finding (some 800 bytes) was the peak of an organisation's analysis. Each instance's events are in
    time order, as `exceptions.instances_of` gives them."""

    def __init__(self, ids: np.ndarray, instances: InstanceTable, named: Callable[[int], tuple[str, ...]],
                 held: _Held, of_row: np.ndarray, col: dict[str, np.ndarray], offsets: np.ndarray,
                 app_names: dict[int, str]) -> None:
        self.ids, self.instances, self.named = ids, instances, named
        self.app_names = np.array([app_names[a] for a in range(len(app_names))], object)
        self.reordered: dict[int, tuple[str, ...]] = {}   # by position: steps of instances whose times run backwards
        times, apps, counts = [], [], []
        done = 0
        for user, of_user in groupby(ids.tolist(), key=lambda k: int(col["rank"][of_row[k]])):   # ids go user by user
            ts, app = held.events(user)
            ks = list(of_user)
            rows = of_row[ks]
            n = col["events"][rows]
            at = _gather(offsets[rows], n)
            which = np.repeat(np.arange(len(ks)), n)
            order = np.lexsort((ts[at], which))   # by time within each instance, ties in recorded order
            begin = np.cumsum(n) - n
            for j in np.unique(which[order != np.arange(len(order))]).tolist():
                steps = named(instances[ks[j]].variant)
                lo = int(begin[j])
                self.reordered[done + j] = tuple(steps[x - lo] for x in order[lo:lo + int(n[j])].tolist())
            times.append(ts[at[order]])
            apps.append(app[at[order]].astype(np.int32))
            counts.append(n)
            done += len(ks)
        self.ts = np.concatenate(times or [np.zeros(0)])
        self.apps = np.concatenate(apps or [np.zeros(0, np.int32)])
        ends = np.cumsum(np.concatenate(counts or [np.zeros(0, np.int64)]))
        self.bounds = packed(np.r_[0, ends], "q")   # 8 bytes an instance

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, j: int) -> exceptions.Instance: ...
    @overload
    def __getitem__(self, j: slice) -> list[exceptions.Instance]: ...
    def __getitem__(self, j: int | slice) -> exceptions.Instance | list[exceptions.Instance]:
        if isinstance(j, slice):
            return [self[x] for x in range(*j.indices(len(self)))]
        j = range(len(self))[j]
        lo, hi = self.bounds[j], self.bounds[j + 1]
        i = self.instances[int(self.ids[j])]
        return exceptions.Instance(exceptionmarks.key(i.user, i.start), self.reordered.get(j) or self.named(i.variant),
                                   self.app_names[self.apps[lo:hi]].tolist(), self.ts[lo:hi].tolist())


def _exceptions(instances: InstanceTable, variants: list[tuple[int, ...]], held: _Held, of_row: np.ndarray,
                col: dict[str, np.ndarray], offsets: np.ndarray, app_names: dict[int, str], labels: list[str],
                marks: Mapping[str, str]) -> tuple[list[ExceptionCase], dict[int, Review]]:
    """`exceptioncases.find` one task type at a time (`_TypeEvents`), so what is held is one type's events
    as numbers, not the organisation's; the cases in the order one call gives."""
    cases: list[ExceptionCase] = []
    reviews: dict[int, Review] = {}
    named: dict[int, tuple[str, ...]] = {}   # each variant's steps as labels, in recorded order

    def steps(v: int) -> tuple[str, ...]:
        if v not in named:
            named[v] = tuple(labels[a] for a in variants[v])
        return named[v]
    for t, ids in grouped(column(instances, "task_type")):   # unassigned instances (none: -1) are left out
        built = _TypeEvents(ids, instances, steps, held, of_row, col, offsets, app_names)
        members = exceptioncases.Picked(packed(ids, "q"), instances)
        found, reviews[t] = exceptioncases.judge_type(t, members, built, marks)
        cases += found
    cases.sort(key=lambda c: -c.score)   # stable: ties keep the order of types, as one call over all gives
    return cases, reviews


def _process_map(instances: InstanceTable, variants: list[tuple[int, ...]], held: _Held, of_row: np.ndarray,
                 col: dict[str, np.ndarray], offsets: np.ndarray) -> list[Edge]:
    """`processmap.directly_follows` over the instances' events a user at a time: each edge's waits are
    kept (8 bytes a step), not every event's instance, activity and time."""
    waits: dict[tuple[int, int], list[np.ndarray]] = {}
    variant = column(instances, "variant")
    rank = col["rank"][of_row]
    bounds = run_bounds(rank)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        ts, _ = held.events(int(rank[lo]))
        n = col["events"][of_row[lo:hi]]
        acts = np.fromiter((a for v in variant[lo:hi].tolist() for a in variants[v]), np.int64, int(n.sum()))
        for edge, w in by_edge(*pairs(np.repeat(np.arange(lo, hi), n), acts,
                                      ts[_gather(offsets[of_row[lo:hi]], n)])).items():
            waits.setdefault(edge, []).append(w)
    return edges((e, np.concatenate(waits[e])) for e in sorted(waits))


def _result(held: _Held, names: list[str], labels: list[str], app_names: dict[int, str],
            days_of_user: dict[str, set[int]], p: Params, decisions: Decisions | None, notes: list[str],
            progress: Progress | None, marks: Mapping[str, str]) -> AnalysisResult:
    """Variants, task types, routines, candidates and the process map from the instances, by the steps
    of `pipeline.analyze`; instance ids in order of first event (users sorted, then position)."""
    col = held.columns()
    order = np.lexsort((col["first"], col["rank"]))   # ranks follow the users' sorted names
    steps = col["steps"][order]
    _, at, inv = np.unique(steps, return_index=True, return_inverse=True)
    variant = np.argsort(np.argsort(at))[inv.reshape(-1)]          # variant ids in order of first instance
    all_steps = list(held.steps)
    variants = [all_steps[k] for k in steps[np.sort(at)].tolist()]
    rows = instance_table(names, col["rank"][order], col["start"][order], col["end"][order], variant,
                          col["events"][order])
    inst = Instances(np.arange(len(rows)), rows, variants, np.bincount(variant, minlength=len(variants)).tolist())
    del rows, steps, inv, col["first"], col["start"], col["end"], col["steps"]   # the table holds them now
    inst, vtype, unassigned = assign_types(inst, labels, p.types, decisions)
    of_row = order   # each row's place in `col`
    if unassigned:
        notes.append(f"{unassigned} instance(s) like no other left without a task type")
        kept = set(inst.variants)
        of_row = order[np.array([v in kept for v in variants], bool)[variant]]
    if progress:
        progress("task types", 1, 1)
    facts = _type_facts(inst, vtype, held, of_row, col, app_names, days_of_user)
    del col["actions"], col["apps"]
    types, variant_facts = _task_types(inst, vtype, labels, facts)
    instances = typed(inst.rows, vtype)
    del inst.rows
    offsets = _offsets(col)
    exceptions_found, reviews = _exceptions(instances, inst.variants, held, of_row, col, offsets, app_names, labels,
                                            marks)
    notes += exceptioncases.measured(facts, types, reviews, instances, inst.variants)
    routines = mine(inst.variants, inst.weights, p.routines)
    if progress:
        progress("routines", 1, 1)
    candidates = name_candidates(rank(facts, p.assumptions), types, decisions)
    annotate_effort(candidates, facts, reviews, decisions)
    flows = _process_map(instances, inst.variants, held, of_row, col, offsets)
    if progress:
        progress("process map", 1, 1)
    result = AnalysisResult(
        task_types=types, variants=variant_facts, instances=instances,
        routines=_routine_facts(routines, vtype, labels, candidates), candidates=candidates,
        process_map=ProcessMap(labels, _transitions(flows, labels)),
        parameters=asdict(p), decisions=decisions.as_json() if decisions is not None and decisions.count() else {},
        exceptions=exceptions_found)
    result.summary.unassigned_instances, result.summary.notes = unassigned, notes
    return result
