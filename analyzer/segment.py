"""Step 2: cut each user's unsegmented stream into task instances.

Signals, strongest first:
- hard cuts at idle events and long gaps (a session never spans lunch);
- recurring start structure: a set S of start activities such that cutting before every occurrence of
  S gives segments that look alike. "Alike" is the count consistency of the other activities: in the
  segments of one start activity, how often an activity occurs the number of times it usually occurs
  (over-cut segments lose half their steps, under-cut ones repeat them);
- among starts that explain the structure equally well (any step that occurs once per instance
  does), the one preceded by the longest pauses and most context switches: people pause between
  tasks, not in the middle of one;
- each instance ends at its last "core" step (a step of its start's segments found at a stable
  position), so the mail and chat that follow a task are not counted as the task.
All functions are pure over numpy arrays; `segment_stream` handles one user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import islice, takewhile
from typing import Any, TypeVar

import numpy as np

from tasklens.analyzer.activetime import counted
from tasklens.analyzer.grouping import run_bounds

log = logging.getLogger(__name__)


SHRINK = 5.0
CAP = 16               # an activity occurring this often in one segment is not a step of one task
COVERAGE_TIE = 0.03     # relative: a start that loses one step of ten is not a tie
MAX_PIECES = 3         # parts of one interrupted instance taken back on each side
USUAL = 0.5            # a step in this share of a type's instances is one an interrupted instance misses
SOMETIMES = 0.1        # a step's count in this share of the instances with it is a count the task has
Walk = tuple[frozenset[int], tuple[int, np.ndarray] | None]   # see `_walk_back`


@dataclass(frozen=True)
class SegmentParams:
    """Segmentation's knobs; defaults measured on the research logs and the families, not one seed."""

    session_gap: float = 1800.0       # seconds of inactivity that always end an instance
    min_instances: int = 3            # a start activity must recur at least this often
    max_candidates: int = 40          # start activities tried per round, most frequent first
    max_task_types: int = 12          # greedy rounds: at most this many start activities
    tie_tolerance: float = 0.05       # consistency within this of the best counts as a tie
    max_ties: int = 10                # near-best candidates whose instances are built to break the tie
    min_gain: float = 0.005           # a further start activity must improve consistency this much
    min_repeat: float = 0.05          # ... and repeat in this share of the segments it occurs in
    min_steps: int = 4                # a task type has at least this many core steps
    core_presence: float = 0.3        # a core step occurs in at least this share of its segments
    start_presence: float = 0.5       # ... and a start needs `min_steps` steps present in this share (a loop
                                      # inside a task, cut at its first step, has its own steps but not these)
    trim_tail: bool = True            # end instances at their last core step
    max_inner_gap: int = 6            # ... before more than this many other events in a row
    end_pause: float = 3.0            # ... or at its last common step, where a pause this many times longer than
                                      # any between those steps comes before steps only some instances have
    backward_cut: float = 120.0       # seconds: time running back further than this starts a new recording
    max_interruption: float = 300.0   # seconds: an instance cut by other work goes on when its missing steps
                                      # follow within this (the collector's idle threshold: longer is a break)
    max_scan: int = 200               # ... and within this many events
    core_home: float = 0.5            # a core step has at least this share of its occurrences in its type's segments


def by_activity(acts: np.ndarray) -> np.ndarray:
    """Event positions sorted by activity, each activity's in stream order (a stable argsort), made once per
    stream. Segment numbers only grow along the stream, so in this order the events of each (segment,
    activity) pair lie together whatever the cut: counting pairs needs no sort for each cut tried."""
    return np.argsort(acts, kind="stable")


def _pair_runs(acts: np.ndarray, seg: np.ndarray, by_act: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment and activity of each event in `by_act` order, and where each (segment, activity) run begins."""
    s, a = seg[by_act], acts[by_act]
    change = np.ones(len(s), dtype=bool)
    change[1:] = (a[1:] != a[:-1]) | (s[1:] != s[:-1])
    return s, a, np.flatnonzero(change)


def _run_starts(x: np.ndarray) -> np.ndarray:
    """Where each run of equal values in `x` begins (np.r_ and np.diff cost more than the work here)."""
    change = np.empty(len(x), dtype=bool)
    change[:1] = True
    np.not_equal(x[1:], x[:-1], out=change[1:])
    return np.flatnonzero(change)


def _run_lengths(lo: np.ndarray, n: int) -> np.ndarray:
    """The lengths of the runs that begin at `lo` in a sequence of `n`."""
    length = np.empty(len(lo), dtype=np.int64)
    np.subtract(lo[1:], lo[:-1], out=length[:-1])
    length[-1:] = n - lo[-1:]
    return length


def _isin_ids(values: np.ndarray, ids: list[int]) -> np.ndarray:
    """`np.isin(values, ids)` for activity ids: one lookup in a table, not a comparison per id."""
    table = np.zeros(max(int(values.max(initial=0)), *ids, 0) + 1, dtype=bool)
    table[ids] = True
    found: np.ndarray = table[values]
    return found


def _pair_table(pairs: set[tuple[int, int]], groups: np.ndarray, n_acts: int) -> np.ndarray:
    """(group, activity) pairs as a table: a row per group of `groups` (sorted), a column per activity."""
    table = np.zeros((len(groups), n_acts), dtype=bool)
    if pairs:
        g, a = zip(*pairs)
        table[np.searchsorted(groups, g), a] = True
    return table


def consistency(acts: np.ndarray, is_start: np.ndarray, n_acts: int, by_act: np.ndarray | None = None) -> float:
    """How alike the segments are: the event-weighted share of segments, in each activity's home
    group (segments that begin with the same activity), where it occurs its usual non-zero number of
    times. Over-cut segments miss half the steps, under-cut ones repeat them, tiny ones miss most.
    `by_act` is `by_activity(acts)`, given when many cuts of one stream are scored."""
    seg = np.cumsum(is_start) - 1
    order = by_activity(acts) if by_act is None else by_act
    if len(acts) and not is_start[0]:
        order = order[seg[order] >= 0]     # events before the first start are in no segment
    if len(order) == 0:
        return 0.0
    s, a, lo = _pair_runs(acts, seg, order)
    cnt = _run_lengths(lo, len(order))            # per (segment, activity): occurrences
    group_of_seg = acts[np.flatnonzero(is_start)]
    span = int(cnt.max()) + 1
    keys, tally = np.unique((group_of_seg[s[lo]].astype(np.int64) * n_acts + a[lo]) * span + cnt, return_counts=True)
    pair, count = keys // span, keys % span       # (group, activity, count) -> segments with it
    first = _run_starts(pair)
    uga = pair[first]
    # per (group, activity): largest tally of a usual count, total occurrences; counts of CAP or more are
    # never usual (a day left uncut repeats every step dozens of times)
    best_pos = np.maximum.reduceat(np.where(count < CAP, tally, 0), first)
    occ = np.add.reduceat(count * tally, first)
    # home group of each activity: where most of its occurrences are (the first such group)
    act_of = uga % n_acts
    most = np.zeros(n_acts, dtype=occ.dtype)
    np.maximum.at(most, act_of, occ)
    top = np.flatnonzero(occ == most[act_of])
    home_of = np.full(n_acts, len(uga))
    np.minimum.at(home_of, act_of[top], top)
    home = home_of[home_of < len(uga)]            # by activity
    groups, n_in_group = np.unique(group_of_seg, return_counts=True)
    size = n_in_group[np.searchsorted(groups, uga[home] // n_acts)]
    # share of segments with the usual (non-zero) count, shrunk so a handful of segments proves little
    mode_share = best_pos[home] / (size + SHRINK)
    weights = np.bincount(a, minlength=n_acts)[act_of[home]]
    return float(np.dot(weights, mode_share) / weights.sum())


def _boundary_signal(ts: np.ndarray, apps: np.ndarray) -> np.ndarray:
    """Per event: its log pause before, relative to all events, plus whether it switches application."""
    gap = np.diff(ts, prepend=ts[0] if len(ts) else 0.0)
    lg = np.log1p(np.maximum(gap, 0.0))
    switch = np.ones(len(apps), dtype=float)
    switch[1:] = apps[1:] != apps[:-1]
    score: np.ndarray = (lg - lg.mean()) / (lg.std() + 1e-9) + (switch - switch.mean())
    return score


def _pick(scores: dict[int, float], signal: Callable[[int], float], tol: float,
          coverage: Callable[[list[int]], dict[int, float]], max_ties: int) -> int:
    """Among near-best candidates (rotations of one structure tie), the one whose instances keep the
    most core steps after trimming (the true start keeps the whole task), then the strongest boundary.
    `coverage`: of each candidate given, at once (they may be cut on two processes)."""
    best = max(scores.values())
    ties = sorted((a for a, s in scores.items() if s >= best - tol), key=lambda a: -scores[a])[:max_ties]
    if len(ties) > 1:
        cov = coverage(ties)
        top = max(cov.values())
        ties = [a for a in ties if cov[a] >= top * (1 - COVERAGE_TIE)]
    return max(ties, key=lambda a: (signal(a), scores[a]))


def unexplained(acts: np.ndarray, cut: np.ndarray, inside: np.ndarray, n_acts: int,
                min_repeat: float, by_act: np.ndarray | None = None) -> np.ndarray:
    """Per activity, whether it may start another task type: it lies mostly outside the current task
    instances, or repeats inside current segments (several tasks were merged). A step that occurs
    once per segment inside a task is a step of a known type: cutting there would split its
    variants, not separate tasks. Nor is a loop inside a task (line items: "add item" 1-4 times) a
    task of its own: after its last repetition the task goes on with steps that occur once. Nor is the
    one step an instance holds that occurs again in its segment: that is the task's window focused again
    after an interruption (a rare routine's few instances, one of them cut by a chat, made its second
    window a start of its own); merged tasks repeat several steps. `by_act`: see `by_activity`."""
    n = np.bincount(acts, minlength=n_acts)
    outside = np.bincount(acts, weights=~inside, minlength=n_acts) > 0.5 * n
    seg = np.maximum(np.cumsum(cut) - 1, 0).astype(np.int64)
    by_act = by_activity(acts) if by_act is None else by_act
    s, a, lo = _pair_runs(acts, seg, by_act)
    cnt = _run_lengths(lo, len(acts))
    a_of, s_of = a[lo], s[lo]
    last = by_act[lo + cnt - 1]   # each pair's last event
    once = np.zeros(len(acts), dtype=bool)   # the only event of its pair
    once[by_act[lo[cnt == 1]]] = True
    once &= inside
    last_once = np.full(int(seg.max()) + 1 if len(seg) else 0, -1)
    np.maximum.at(last_once, seg[once], np.flatnonzero(once))
    rep = cnt >= 2
    rep &= ~(last_once[s_of] > last)   # not a loop
    # merged tasks repeat several of their steps; one step once more is a window taken up again after a
    # chat (whose own repeated steps are no task's)
    steps = rep & (np.add.reduceat(inside[by_act], lo) > 0) if len(lo) else rep
    several = np.bincount(s_of[steps], minlength=len(last_once))[s_of] >= 2
    rep &= several | (cnt >= 3)
    segs = np.bincount(a_of, minlength=n_acts)
    repeated = np.bincount(a_of, weights=rep, minlength=n_acts)
    return outside | (repeated >= min_repeat * np.maximum(segs, 1))


def _successor_share(acts: np.ndarray, n_acts: int) -> np.ndarray:
    """Per activity, the share of its occurrences followed by its most common next activity."""
    if len(acts) < 2:
        return np.zeros(n_acts)
    keys, cnt = np.unique(acts[:-1].astype(np.int64) * n_acts + acts[1:], return_counts=True)
    best = np.zeros(n_acts)
    np.maximum.at(best, keys // n_acts, cnt)
    return best / np.maximum(np.bincount(acts, minlength=n_acts), 1)


HELP_FROM = 50_000   # events: a stream this long shares scoring and cutting its candidates with a helper process
T = TypeVar("T")

Stream = tuple[np.ndarray, np.ndarray, np.ndarray, int, SegmentParams, np.ndarray, np.ndarray, np.ndarray]
"""What `_cut` reads of one stream: acts, forced, breaks, n_acts, params, ts, apps, by_act."""


def _coverage(stream: Stream, starts: list[int], start_of: np.ndarray) -> tuple[float, np.ndarray]:
    """The share of a stream's events that are core steps of instances when cutting before `starts` (with
    `lead_in`'s `start_of`), and which events the instances hold."""
    acts, forced, breaks, n_acts, p, ts, apps, by_act = stream
    out, core = _cut(acts, forced, breaks, starts, n_acts, p, ts, apps, by_act=by_act, start_of=start_of)
    return float(core.mean()), out >= 0


def _score(stream: Stream, mask: np.ndarray, a: int) -> float:
    """`consistency` of a stream cut at `mask` and before each `a`."""
    acts, _, _, n_acts, _, _, _, by_act = stream
    return consistency(acts, mask | (acts == a), n_acts, by_act)


_HELD: list[Stream] = []   # a helper process's stream


def _hold(*stream: Any) -> None:
    _HELD[:] = [stream]


def _on_held(job: Callable[..., T], *args: Any) -> T:
    return job(_HELD[0], *args)


class _Helped:
    """Jobs on one stream (`_score`, `_coverage`) done here, or for a long stream (the pooled pass, in the
    process that waits for it) here and on a helper process, each taking jobs from its own end; the answers
    are the same either way. A helper that fails leaves its jobs to this process."""

    def __init__(self, stream: Stream, helper: bool) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self._stream = stream
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_hold,
                                         initargs=stream) if helper else None   # spawn: see pipeline._map
        if self._pool is not None:
            self._pool.submit(int)   # it starts (and takes the stream) while this process goes on

    def map(self, job: Callable[..., T], args: list[tuple[Any, ...]]) -> list[T]:
        """`job(stream, *a)` for each `a` in `args`, in order."""
        from concurrent.futures.process import BrokenProcessPool

        def here(k: int) -> T:
            return job(self._stream, *args[k])
        if self._pool is None or len(args) < 2:
            return [here(k) for k in range(len(args))]
        try:
            futures = [self._pool.submit(_on_held, job, *a) for a in args]
        except BrokenProcessPool:
            return [here(k) for k in range(len(args))]
        done: dict[int, T] = {k: here(k) for k in reversed(range(len(args))) if futures[k].cancel()}   # not begun there
        for k, future in enumerate(futures):
            if k not in done:
                try:
                    done[k] = future.result()
                except BrokenProcessPool:
                    done[k] = here(k)
        return [done[k] for k in range(len(args))]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)


def choose_starts(acts: np.ndarray, forced: np.ndarray, ts: np.ndarray, apps: np.ndarray, breaks: np.ndarray,
                  n_acts: int, p: SegmentParams, rare: bool = False, by_act: np.ndarray | None = None,
                  walks: dict[int, Walk] | None = None, helper: bool = False) -> list[int]:
    """Greedily choose the start activities that make segments most alike (see the module doc).
    `rare`: look for rare routines among much noise, trying the most regular activities first. `by_act`:
    see `by_activity`; `walks`: see `lead_in`; `helper`: a stream of `HELP_FROM` events or more may cut
    candidates on a helper process (for a caller whose other cores are idle)."""
    by_act = by_activity(acts) if by_act is None else by_act
    helped = _Helped((acts, forced, breaks, n_acts, p, ts, apps, by_act), helper and len(acts) >= HELP_FROM)
    try:
        return _choose_starts(acts, forced, ts, apps, breaks, n_acts, p, rare, by_act, walks, helped)
    finally:
        helped.close()


def _choose_starts(acts: np.ndarray, forced: np.ndarray, ts: np.ndarray, apps: np.ndarray, breaks: np.ndarray,
                   n_acts: int, p: SegmentParams, rare: bool, by_act: np.ndarray, walks: dict[int, Walk] | None,
                   helped: _Helped) -> list[int]:
    counts = np.bincount(acts, minlength=n_acts)
    never = set(acts[breaks].tolist())   # idle/active marks start nothing
    # most promising first: steps of a routine are followed by the same next step; noise is not
    share = _successor_share(acts, n_acts)
    regular = counts * share if not rare else (share >= 0.9) * counts.max() + counts * share
    cands = [int(a) for a in np.argsort(-regular, kind="stable")
             if p.min_instances <= counts[a] <= len(acts) // 2 and a not in never]
    if not cands:
        return []
    per_event = _boundary_signal(ts, apps)
    gap = np.diff(ts, prepend=ts[0])
    walks = {} if walks is None else walks
    chosen: list[int] = []
    mask = forced.copy()
    current = consistency(acts, mask, n_acts, by_act) if mask.any() else 0.0
    rejected: set[int] = set()
    inside: np.ndarray | None = None   # the events the chosen starts' instances hold, when already cut
    while len(chosen) < p.max_task_types:
        if chosen:
            if inside is None:
                inside = instances(acts, forced, breaks, chosen, n_acts, p, ts, apps, by_act, walks) >= 0
            eligible = unexplained(acts, mask, inside, n_acts, p.min_repeat, by_act)
        else:
            eligible = np.ones(n_acts, dtype=bool)
        pool = _pool((a for a in cands if eligible[a] and a not in chosen and a not in rejected), regular,
                     p.max_candidates)
        scores = dict(zip(pool, helped.map(_score, [(mask, a) for a in pool])))
        # per candidate tried in this round (each with the starts chosen so far): how many core steps its
        # instances keep, which events they hold, and the boundary where they begin
        cache: dict[int, float] = {}
        held: dict[int, np.ndarray] = {}
        signals: dict[int, float] = {}

        def begins(c: int) -> np.ndarray:
            """Where instances begin with `c` added (after their lead-in steps); notes the boundary's signal."""
            start_of = lead_in(acts, gap, forced, chosen + [c], by_act=by_act, walks=walks)  # noqa: B023
            at = start_of == c
            signals[c] = float(per_event[at].mean()) if at.any() else -np.inf  # noqa: B023
            return start_of

        def signal(c: int) -> float:
            """The boundary where instances of `c` would begin."""
            if c not in signals:  # noqa: B023
                begins(c)
            return signals[c]  # noqa: B023

        def coverage(cs: list[int]) -> dict[int, float]:   # called only within this iteration: today's cache
            todo = [c for c in cs if c not in cache]  # noqa: B023
            # steps, not events: a rotation that swallows the chat between two tasks covers no more
            for c, (share, inside) in zip(todo, helped.map(_coverage, [(chosen + [c], begins(c)) for c in todo])):  # noqa: B023
                cache[c], held[c] = share, inside  # noqa: B023
            return {c: cache[c] for c in cs}  # noqa: B023

        if chosen:   # too little gain passes a candidate over, not the others: a tie may be picked over a better one
            scores = {a: s for a, s in scores.items() if s - current >= p.min_gain}
        picked = None
        while scores:
            a = _pick(scores, signal, p.tie_tolerance, coverage, p.max_ties)
            if _core_steps(acts, forced, chosen + [a], a, n_acts, p, by_act) >= p.min_steps:
                picked = a
                break
            rejected.add(a)    # a window visit with a click or two: not a task worth the name
            del scores[a]
        if picked is None:
            break
        inside = held.get(picked)   # the next round's cut, if the tie-break made it
        chosen.append(picked)
        mask |= acts == picked
        current = scores[picked]
    return chosen


def _pool(cands: Iterator[int], regular: np.ndarray, most: int) -> list[int]:
    """The first `most` of `cands` (most regular first), and after them those as regular as the last one: the
    steps of one routine tie (each once per instance, always followed by the next), and their order among
    themselves is their labels' order, which means nothing; a cut through them tried the steps whose labels
    sort first (a routine's second application) and never its start."""
    out = list(islice(cands, most))
    if len(out) == most:
        last = regular[out[-1]]
        out += takewhile(lambda a: bool(regular[a] == last), cands)
    return out


def _core_steps(acts: np.ndarray, forced: np.ndarray, starts: list[int], a: int, n_acts: int,
                p: SegmentParams, by_act: np.ndarray) -> int:
    """How many core steps the segments starting with `a` have."""
    is_s = _isin_ids(acts, starts)
    cut = forced | is_s
    seg = np.cumsum(cut) - 1
    first = np.flatnonzero(cut)
    group_of_seg = np.where(is_s[first], acts[first], -1)
    strict = replace(p, core_presence=max(p.core_presence, p.start_presence))
    return sum(1 for g, _ in _core(acts, seg, group_of_seg, n_acts, strict, by_act) if g == a)


def _core(acts: np.ndarray, seg: np.ndarray, group_of_seg: np.ndarray, n_acts: int,
          p: SegmentParams, by_act: np.ndarray) -> set[tuple[int, int]]:
    """(group, activity) pairs that are steps of the task: present often, at a stable position."""
    return _cores(acts, seg, group_of_seg, n_acts, (p.core_presence,), by_act)[0]


def _cores(acts: np.ndarray, seg: np.ndarray, group_of_seg: np.ndarray, n_acts: int,
           presences: tuple[float, ...], by_act: np.ndarray,
           runs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> list[set[tuple[int, int]]]:
    """`_core` at each of several presences (one pass over the segments); `runs`: `_pair_runs` of this cut."""
    # position = how many distinct activities come first: a repeated step (1-4 line items) or a loop
    # does not shift the steps after it
    is_first = np.zeros(len(acts), dtype=bool)   # each activity's first event in its segment
    is_first[by_act[(runs or _pair_runs(acts, seg, by_act))[2]]] = True
    first_idx = np.flatnonzero(is_first)
    s_of = seg[first_idx]
    lead = _run_starts(s_of)
    r = np.arange(len(first_idx)) - np.repeat(lead, _run_lengths(lead, len(first_idx)))
    g = group_of_seg[s_of]
    a = acts[first_idx]
    keep = g >= 0
    g, a, r = g[keep], a[keep], r[keep]
    if len(g) == 0:
        return [set() for _ in presences]
    groups, sizes = np.unique(group_of_seg[group_of_seg >= 0], return_counts=True)
    span = int(r.max()) + 1
    key = np.sort((g.astype(np.int64) * n_acts + a) * span + r)   # by pair, then rank: quartiles by index
    pair, r = key // span, key % span
    lo = _run_starts(pair)
    m = _run_lengths(lo, len(pair))
    q1, med, q3 = (r[lo + ((m - 1) * q).astype(np.int64)] for q in (0.25, 0.5, 0.75))
    grp, act = pair[lo] // n_acts, pair[lo] % n_acts
    size = sizes[np.searchsorted(groups, grp)]
    stable = q3 - q1 <= np.maximum(3.0, 0.1 * med)
    return [set(zip(grp[ok].tolist(), act[ok].tolist())) for ok in ((m >= c * size) & stable for c in presences)]


def _at_home(row: np.ndarray, in_task: np.ndarray, acts: np.ndarray, groups: np.ndarray, n_acts: int,
             home: float) -> set[tuple[int, int]]:
    """(group, activity) pairs of the events `in_task` (`row`: each event's group's place in `groups`) whose
    activity is done mostly in that group's segments (`home` of its occurrences). Where other work fills
    the day (chat, mail) and a type has few segments, that work comes after the task in half of them at
    the same place and passes for its steps; but it is done mostly elsewhere, and the task's steps are not."""
    cnt = np.bincount(row[in_task] * n_acts + acts[in_task], minlength=len(groups) * n_acts)
    total = np.tile(np.bincount(acts, minlength=n_acts), len(groups))
    ok = np.flatnonzero((cnt > 0) & (cnt >= home * total))
    return set(zip(groups[ok // n_acts].tolist(), (ok % n_acts).tolist()))


def _restart(acts: np.ndarray, seg: np.ndarray, is_core: np.ndarray, n_acts: int, min_presence: float,
             by_act: np.ndarray, runs: tuple[np.ndarray, np.ndarray, np.ndarray],
             types: tuple[np.ndarray, np.ndarray, np.ndarray], once: float = 0.9) -> np.ndarray:
    """Per segment, the position where its task starts over (len(acts) if it does not): the (k+1)-th
    occurrence of a core step that its type usually does k times and more often in few instances (at most
    k times in `once` of the instances it is in, and it is in `min_presence` of them): a step done once,
    or a window a task comes back to (CRM -> sheet -> CRM: its focus twice). What follows is another
    instance whose start was not seen (its first steps differ, or an interruption came before them), or
    the task taken up again after an interruption. `runs`: `_pair_runs` of this cut; `types`:
    `np.unique(group_of_seg)` with inverse and counts."""
    n = len(acts)
    s, a, lo = runs
    cnt = _run_lengths(lo, n)
    nth = np.empty(n, dtype=np.int64)
    nth[by_act] = np.arange(n) - np.repeat(lo, cnt)   # 0 for a step's first occurrence in its segment
    # per (type, step), in a table of the few types by the steps: segments with it, the count most of them
    # have (the smaller of two equally common ones), and segments with it no more often than that
    groups, row_of_seg, sizes = types
    key = row_of_seg[s[lo]] * n_acts + a[lo]
    width = len(groups) * n_acts
    with_it = np.bincount(key, minlength=width)
    span = int(cnt.max(initial=0)) + 1
    kc, tally = np.unique(key * span + cnt, return_counts=True)
    order = np.lexsort((-(kc % span), tally, kc // span))   # by key, then tally, the smaller count last
    usual = np.zeros(width, dtype=np.int64)
    usual[kc[order] // span] = kc[order] % span              # the last write per key wins
    at_most = np.bincount(key, weights=cnt <= usual[key], minlength=width)
    fixed = (at_most >= once * with_it) & (with_it >= min_presence * np.repeat(sizes, n_acts)) & (with_it > 0)
    row = row_of_seg[seg]
    k = row * n_acts + acts
    again = is_core & fixed[k] & (nth >= usual[k]) & (usual[k] >= 1) & (groups[row] >= 0)
    out = np.full(int(seg.max()) + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(out, seg[again], np.flatnonzero(again))
    return out


def _task_end(is_core: np.ndarray, seg: np.ndarray, n_seg: int, max_gap: int) -> np.ndarray:
    """Per segment, the position of its last core step before a run of more than `max_gap` other
    events: the task is over when the steps stop (a core step much later belongs to a later task)."""
    pos = np.flatnonzero(is_core)
    s = seg[pos]
    broken = np.r_[False, (np.diff(pos) > max_gap + 1) & (s[1:] == s[:-1])]
    run = np.cumsum(broken)
    seg_first = np.r_[True, s[1:] != s[:-1]]
    run_at_start = np.maximum.accumulate(np.where(seg_first, run, 0))
    ok = run == run_at_start
    end = np.full(n_seg, -1)
    np.maximum.at(end, s[ok], pos[ok])
    return end


def _after_pause(common: np.ndarray, seg: np.ndarray, first: np.ndarray, gap: np.ndarray, row: np.ndarray,
                 acts: np.ndarray, n_acts: int, pause: float) -> np.ndarray:
    """Per event, whether its step is one of its type's last common steps that usually come after a pause
    `pause` times longer than any usual one before the common steps ahead of them: people pause between
    tasks, not inside one. Other work that follows a task after a pause in most of its segments (a document
    opened after it, a task this person does only right after it) passes for its last common steps
    otherwise. Usual: the median over the type's segments; steps in the order of their median place."""
    ev = np.flatnonzero(common)
    ev = ev[ev != first[seg[ev]]]   # the pause before a segment's first event is the one between tasks
    if len(ev) == 0:
        return np.zeros(len(seg), dtype=bool)
    keys, inv = np.unique(row[ev].astype(np.int64) * n_acts + acts[ev], return_inverse=True)
    med_gap, med_place = (_medians(inv, x, len(keys)) for x in (gap[ev], (ev - first[seg[ev]]).astype(float)))
    late = np.zeros(len(keys), dtype=bool)
    for r in np.unique(keys // n_acts).tolist():
        mine = np.flatnonzero(keys // n_acts == r)
        mine = mine[np.argsort(med_place[mine], kind="stable")]
        ahead = np.maximum.accumulate(med_gap[mine])
        over = np.flatnonzero(med_gap[mine][2:] > pause * ahead[1:-1]) + 2   # two common steps ahead at least
        if len(over):
            late[mine[over[0]:]] = True
    table = np.zeros((int(row.max()) + 1) * n_acts, dtype=bool)
    table[keys[late]] = True
    out: np.ndarray = table[row.astype(np.int64) * n_acts + acts] & (np.arange(len(seg)) != first[seg])
    return out


def _medians(group: np.ndarray, x: np.ndarray, n: int) -> np.ndarray:
    """The median of `x` in each of `n` groups (`group`: each value's, 0..n-1, each group non-empty)."""
    srt = x[np.lexsort((x, group))]
    size = np.bincount(group, minlength=n)
    lo = np.cumsum(size) - size
    out: np.ndarray = (srt[lo + (size - 1) // 2] + srt[lo + size // 2]) / 2
    return out


def _own_end(common: np.ndarray, is_core: np.ndarray, seg: np.ndarray, cut: np.ndarray, end: np.ndarray,
             acts: np.ndarray, apps: np.ndarray, row: np.ndarray, gap: np.ndarray, pause: float,
             home: float = 0.75) -> np.ndarray:
    """Per segment, its end moved back to its last common step (one most of its type's segments have)
    where the steps after it, found in only some of the segments, are other work that often followed
    the task (a rarer task, a chat) and took enough of its segments to pass for optional steps: they
    come after a pause `pause` times longer than any between its common steps (people pause between
    tasks, not before the last steps of one), or they are in an application none of the type's common
    steps use and done elsewhere too (less than `home` of their occurrences in the type's segments). A
    branch the task sometimes ends with is done nowhere else, and not after such a pause (this time, or
    usually: the median over the segments where that step comes first after the common ones). The pause alone
    decides because what is rare passes for done nowhere else: the first window of a long chat or
    document session that often came next, or a task this person does only right after this one, lies
    mostly in this type's segments. `row`: each event's type, numbered 0, 1, ..."""
    pos = np.arange(len(seg))
    upto = pos <= end[seg]
    last = np.full(len(end), -1)
    np.maximum.at(last, seg[common & upto], pos[common & upto])
    inner = np.zeros(len(end))
    within = common & upto & ~cut   # the pause before a segment's first event is the one between tasks
    np.maximum.at(inner, seg[within], gap[within])
    after = upto & (pos > last[seg])
    first_core = np.full(len(end), len(seg))
    np.minimum.at(first_core, seg[after & is_core], pos[after & is_core])
    before = np.zeros(len(end))   # the longest pause from the last common step to the first later step
    span = after & (pos <= first_core[seg])
    np.maximum.at(before, seg[span], gap[span])
    pair = row * (int(acts.max()) + 1) + acts
    # the pause usually before the later step where it comes right after the common ones: the one time it
    # followed after a short pause does not make it a step of the task
    later = np.flatnonzero(first_core < len(seg))
    keys, inv = np.unique(pair[first_core[later]], return_inverse=True)
    usual_before = np.zeros(len(end))
    usual_before[later] = _medians(inv.ravel(), before[later], len(keys))[inv.ravel()]
    share = np.bincount(pair)[pair] / np.bincount(acts)[acts]   # of an activity's occurrences, the share in this type's segments
    tail = after & is_core
    elsewhere = np.bincount(seg[tail], weights=share[tail] < home, minlength=len(end)) * 2 > \
        np.bincount(seg[tail], minlength=len(end))
    key = row * (int(apps.max()) + 1) + apps
    used = np.zeros(int(key.max()) + 1, dtype=bool)   # (type, application) of the common steps
    used[key[common & upto]] = True
    foreign = np.bincount(seg[tail & ~used[key]], minlength=len(end)) > 0
    other = (first_core < len(seg)) & (last >= 0) & ((np.maximum(before, usual_before) > pause * inner)
                                                      | (foreign & elsewhere))
    return np.where(other, last, end)


def lead_in(acts: np.ndarray, gap: np.ndarray, forced: np.ndarray, starts: list[int], max_back: int = 3,
            share: float = 0.8, by_act: np.ndarray | None = None, walks: dict[int, Walk] | None = None) -> np.ndarray:
    """Per event, the start activity whose instance begins there (-1 elsewhere): at a start, or up to
    `max_back` events before it where the same steps lead into it (>= `share` of its occurrences) and
    the pause comes before them, not after. The window a task opens with is often the one it comes
    back to at its end (CRM -> sheet -> CRM): that focus occurs twice per instance, so it cannot be
    the start, but it is the instance's first event. The steps are walked back as far as they agree and
    the instance begins at the one with the longest pause before it (a focus, a click and then typing:
    the pause is before the focus, not between the click and the typing); where another start leads
    into this one, that start begins the instance. `by_act`: see `by_activity`; `walks`: each start's
    walk back, kept by the caller for the next call on the same stream (with the same `max_back` and
    `share`), since a walk does not depend on the other starts."""
    out = np.where(_isin_ids(acts, starts), acts, -1)
    walks = {} if walks is None else walks
    new = [a for a in starts if a not in walks]
    if new:
        by_act = by_activity(acts) if by_act is None else by_act
        lo, hi = np.searchsorted(acts[by_act], np.array([new, np.add(new, 1)]))   # each start's events in by_act
        for a, i, j in zip(new, lo.tolist(), hi.tolist()):
            pos = by_act[i:j]
            walks[a] = _walk_back(acts, gap, forced, pos[~forced[pos] & (pos > 0)], max_back, share)
    chosen = set(starts)
    for a in starts:
        met, found = walks[a]
        if found is not None and not met & chosen:   # no other start (nor itself) leads into it
            back, hit = found
            out[hit - back], out[hit] = a, -1
    return out


def _walk_back(acts: np.ndarray, gap: np.ndarray, forced: np.ndarray, pos: np.ndarray, max_back: int,
               share: float) -> Walk:
    """One start's walk back from its events `pos` (see `lead_in`): the labels that lead into it on the way,
    and how far back its instances begin and where its events are, if the lead-in is clear (None if not)."""
    met: set[int] = set()
    total: np.ndarray | None = None
    # per step back: the occurrences whose lead-in reaches it, and the pause before it
    chain: list[tuple[int, np.ndarray, float]] = []
    for back in range(1, max_back + 2):   # one step further only to see whether another start leads in
        if len(pos) < 3:
            break
        prev = acts[pos - 1]
        values, counts = np.unique(prev, return_counts=True)
        lead = values[counts == counts.max()][:1]
        if counts.max() < share * len(pos):
            # one step whose label varies with its data (a name the templates kept): the labels that
            # (nearly) only ever come right before this step
            total = np.bincount(acts) if total is None else total
            lead = values[(counts >= 2) & (counts >= share * total[values])]
            if counts[_isin_ids(values, lead.tolist())].sum() < share * len(pos):
                break
        met.update(lead.tolist())
        if back > max_back:
            break
        pos = pos[_isin_ids(prev, lead.tolist())]   # none a start's event: where a start leads in, the walk is not used
        if len(pos) < 3:
            break
        chain.append((back, pos + back - 1, float(np.median(gap[pos - 1]))))
        pos = pos - 1
        pos = pos[(pos > 0) & ~forced[pos]]
    if not chain:
        return frozenset(met), None
    back, hit, pause = max(chain, key=lambda c: c[2])
    within = [float(np.median(gap[hit]))] + [c[2] for c in chain if c[0] != back]
    # clearly longer than every pause inside the lead-in
    return frozenset(met), ((back, hit) if pause >= 3 * max(within) else None)


def _usual_counts(out: np.ndarray, acts: np.ndarray, group_of: np.ndarray, core: set[tuple[int, int]],
                  n_acts: int, min_presence: float) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """(group, step) -> how many times the step usually occurs in an instance (the mode of its non-zero
    counts), for the core steps present in at least `min_presence` of their group's instances; and the
    most times it occurs in a share `SOMETIMES` of the instances with it. The two differ where one
    activity stands for several steps, some optional: with clicks known only by position, every click in
    one window is one activity, so an instance with an optional click has that activity once more."""
    inside = np.flatnonzero(out >= 0)
    keys, cnt = np.unique(out[inside].astype(np.int64) * n_acts + acts[inside], return_counts=True)
    size = np.bincount(group_of[np.unique(out[inside])], minlength=n_acts)
    tally: dict[tuple[int, int], dict[int, int]] = {}
    for k, c in zip(keys.tolist(), cnt.tolist()):
        pair = (int(group_of[k // n_acts]), k % n_acts)
        if pair in core:
            by_count = tally.setdefault(pair, {})
            by_count[c] = by_count.get(c, 0) + 1
    kept = {pair: by_count for pair, by_count in tally.items()
            if sum(by_count.values()) >= min_presence * size[pair[0]]}
    usual = {pair: max(by_count, key=lambda c: (by_count[c], -c)) for pair, by_count in kept.items()}
    most = {pair: max([usual[pair]] + [c for c, k in by_count.items() if k >= SOMETIMES * sum(by_count.values())])
            for pair, by_count in kept.items()}
    return usual, most


def _piece(anchor: int, step: int, g: int, missing: set[int], out: np.ndarray, free: np.ndarray,
           members: dict[int, list[int]], acts: np.ndarray, ts: np.ndarray, forced: np.ndarray,
           group_of: np.ndarray, core: set[tuple[int, int]], p: SegmentParams) -> list[int]:
    """The events, seen from an instance's edge `anchor` in direction `step` (+1 after its end, -1 before
    its start), that bring some of its `missing` steps: the nearest free event of a missing step within
    `max_interruption` seconds and `max_scan` events, not past a new session; with the free steps of its
    type around it (up to `max_inner_gap` others in between), and the free steps of its type right at the
    edge (the window taken up again after the interruption). Or, where another instance of its type comes
    first, that instance whole (the caller checks that the two make one)."""
    n = len(acts)

    def crosses(j: int) -> bool:   # moving from j - step to j leaves the session
        return bool(forced[j] if step > 0 else forced[j + 1])

    def near(j: int) -> bool:
        return 0 <= j < n and not crosses(j)

    found, j = -1, anchor + step
    while near(j) and abs(j - anchor) <= p.max_scan and abs(ts[j] - ts[anchor]) <= p.max_interruption:
        if out[j] >= 0 and group_of[out[j]] == g:   # the task taken up again at a step that looks like its start
            other = members[int(out[j])]
            return other if (min(other) if step > 0 else max(other)) == j else []
        if free[j] and int(acts[j]) in missing:
            found = j
            break
        j += step
    if found < 0:
        return []
    taken = [found]
    j = found - step                        # toward the instance: the steps before the first missing one
    while near(j + step) and j != anchor and free[j] and (g, int(acts[j])) in core:
        taken.append(j)
        j -= step
    j, last = found + step, found            # away from it: on to its last step
    while near(j) and free[j] and abs(j - last) <= p.max_inner_gap + 1:
        if (g, int(acts[j])) in core:
            taken += range(last + step, j + step, step)
            last = j
        j += step
    j = anchor + step                        # at the edge: taken up again
    while near(j) and free[j] and (g, int(acts[j])) in core and j not in taken:
        taken.append(j)
        j += step
    return sorted(set(taken))


def _counted(have: dict[int, int], acts: list[int]) -> dict[int, int]:
    """`have` (step -> count) with `acts` added."""
    more = dict(have)
    for a in acts:
        more[a] = more.get(a, 0) + 1
    return more


def _over(have: dict[int, int], g: int, core: set[tuple[int, int]], most: dict[tuple[int, int], int]) -> int:
    """How many occurrences of type `g`'s core steps `have` holds beyond what its instances have (`most`)."""
    return sum(max(0, c - most.get((g, a), c)) for a, c in have.items() if (g, a) in core)


def _done_again(inst: list[int], piece: list[int]) -> int:
    """How many of a tail piece's first steps are the instance's own last steps done again, in the same order
    (0 if not two or more): the task went back a few steps (a search run again, a value corrected) and went
    on to its end. Not when that goes back to the instance's first step: that is another instance."""
    k = 0
    while k < len(piece) and k < len(inst) - 1 and piece[k] in inst[1:]:
        k += 1
    while k >= 2 and piece[:k] != inst[len(inst) - k:]:
        k -= 1
    return k if k >= 2 and inst[0] not in piece[:k] else 0


def _rejoin(out: np.ndarray, acts: np.ndarray, ts: np.ndarray, apps: np.ndarray, forced: np.ndarray, breaks: np.ndarray,
            group_of_seg: np.ndarray, core: set[tuple[int, int]], n_acts: int, p: SegmentParams) -> None:
    """In place: an instance that lacks some of its type's usual steps because an interruption (a chat, a
    mail) cut it takes back its other part: the events no instance holds that bring the missing steps,
    after its end (its tail) or before its start (its head, when the task was taken up again at a step
    that looks like a start). Its steps may then occur no more often than its type has them in a tenth
    of its instances (`SOMETIMES`), but for one step once more (the window taken up again): more would
    be another instance. The
    interruption's events are not the task's: those of applications the task's steps do not use are left
    out of it, and those between its parts stay where they were."""
    if not (out >= 0).any():
        return
    group_of = group_of_seg.astype(np.int64)   # instance id == segment number
    # the steps most instances have (not the stricter share the pooled pass asks of a start: of a monthly
    # routine's five instances, two cut by a chat leave its last steps in three)
    usual, most = _usual_counts(out, acts, group_of, core, n_acts, min(p.start_presence, USUAL))
    required: dict[int, list[int]] = {}
    for g, a in usual:
        required.setdefault(g, []).append(a)
    inside = np.flatnonzero(out >= 0)
    bounds = run_bounds(out[inside])
    members: dict[int, list[int]] = {}
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        members.setdefault(int(out[inside[lo]]), []).extend(inside[lo:hi].tolist())
    # a short interruption inside, in applications its steps never use: what is mostly done outside its
    # type's instances, between tasks or as another task (that task's part after an interruption of its own)
    held = out >= 0
    groups = np.unique(group_of[out[held]])
    at_home = _at_home(np.searchsorted(groups, group_of[np.maximum(out, 0)]), held, acts, groups, n_acts, 0.5)
    for inst, idx in members.items():
        g = int(group_of[inst])
        own = {int(apps[k]) for k in idx if (g, int(acts[k])) in core}
        foreign = [k for k in idx[1:-1] if int(apps[k]) not in own and (g, int(acts[k])) not in at_home]
        if foreign:
            out[foreign] = -1
            members[inst] = [k for k in idx if out[k] == inst]
    free = (out < 0) & ~breaks
    for inst, idx in members.items():
        if not idx:   # merged into an earlier one
            continue
        g = int(group_of[inst])
        have = _counted({}, acts[idx].tolist())
        for step in (1, -1):
            for _ in range(MAX_PIECES):
                missing = {a for a in required.get(g, []) if have.get(a, 0) < usual[g, a]}
                if not missing:
                    break
                piece = _piece(max(idx) if step > 0 else min(idx), step, g, missing, out, free, members, acts, ts,
                               forced, group_of, core, p)
                if not piece:
                    break
                more = _counted(have, acts[piece].tolist())
                redo = _done_again(acts[sorted(idx)].tolist(), acts[piece].tolist()) if step > 0 else 0
                if _over(_counted(have, acts[piece[redo:]].tolist()), g, core, most) > 1:
                    break
                if out[piece[0]] >= 0:
                    members[int(out[piece[0]])] = []
                out[piece] = inst
                free[piece] = False
                idx += piece
                have = more


def instances(acts: np.ndarray, forced: np.ndarray, breaks: np.ndarray, starts: list[int], n_acts: int,
              p: SegmentParams, ts: np.ndarray | None = None, apps: np.ndarray | None = None,
              by_act: np.ndarray | None = None, walks: dict[int, Walk] | None = None) -> np.ndarray:
    """Instance number per event when cutting before `starts` (and at `forced`), -1 between tasks.
    With `ts`, an instance begins where the steps leading into its start begin (see `lead_in`); with `ts`
    and `apps`, other work that often followed it is not counted in it (see `_own_end`). `by_act` and
    `walks`: see `by_activity` and `lead_in`."""
    return _cut(acts, forced, breaks, starts, n_acts, p, ts, apps, by_act=by_act, walks=walks)[0]


def _cut(acts: np.ndarray, forced: np.ndarray, breaks: np.ndarray, starts: list[int], n_acts: int,
         p: SegmentParams, ts: np.ndarray | None, apps: np.ndarray | None = None,
         rejoin: np.ndarray | None = None, by_act: np.ndarray | None = None,
         walks: dict[int, Walk] | None = None, start_of: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`instances`, and per event whether it is a core step of its segment's task. With `rejoin` (the
    final cut, with `ts` and `apps`; the cuts no instance spans): interruptions are left out of instances
    and what they cut apart is joined again (see `_rejoin`). `start_of`: `lead_in`'s answer for these
    starts, when the caller has it."""
    n = len(acts)
    out = np.full(n, -1, dtype=np.int64)
    by_act = by_activity(acts) if by_act is None else by_act
    if start_of is None:
        start_of = (np.where(_isin_ids(acts, starts), acts, -1) if ts is None
                    else lead_in(acts, np.diff(ts, prepend=ts[0] if n else 0.0), forced, starts, by_act=by_act,
                                 walks=walks))
    is_s = start_of >= 0
    cut = forced | is_s
    seg = np.cumsum(cut) - 1
    first = np.flatnonzero(cut)
    group_of_seg = np.where(is_s[first], start_of[first], -1)
    in_task = group_of_seg[seg] >= 0
    runs = _pair_runs(acts, seg, by_act)
    types = np.unique(group_of_seg, return_inverse=True, return_counts=True)
    row = types[1][seg]
    # the steps that end an instance are those most of its type's instances have, whatever a start needs:
    # of a monthly routine's five instances, two cut by a chat leave its last steps in three
    core, ends = _cores(acts, seg, group_of_seg, n_acts,
                        (p.core_presence, max(p.core_presence, min(p.start_presence, USUAL))), by_act, runs)
    home = _at_home(row, in_task, acts, types[0], n_acts, p.core_home)
    core, ends = core & home, ends & home
    is_core = _pair_table(core, types[0], n_acts)[row, acts]
    is_core[first] = True
    if p.trim_tail:
        before = np.arange(n) < _restart(acts, seg, is_core, n_acts, p.start_presence, by_act, runs, types)[seg]
        is_core &= before
        if ts is not None and apps is not None:
            common = _pair_table(ends, types[0], n_acts)[row, acts]
            common[first] = True
            later = _after_pause(is_core & common, seg, first, np.diff(ts, prepend=ts[0]), row, acts, n_acts,
                                 p.end_pause)
            is_core &= ~later
            common &= ~later
        end = _task_end(is_core, seg, len(first), p.max_inner_gap)
        if ts is not None and apps is not None:
            end = _own_end(is_core & common, is_core, seg, cut, end, acts, apps, row,
                           np.diff(ts, prepend=ts[0]), p.end_pause)
        in_task &= before & (np.arange(n) <= end[seg])
    in_task &= ~breaks
    out[in_task] = seg[in_task]
    if rejoin is not None and ts is not None and apps is not None:
        _rejoin(out, acts, ts, apps, rejoin, breaks, group_of_seg, core, n_acts, p)
    return out, is_core & (out >= 0)


def steady_times(ts: np.ndarray) -> np.ndarray:
    """Timestamps in recorded order with lone outliers pulled between their neighbours: a logger that
    stamps one row an hour (or a few seconds) off must not cut a task or make a duration negative."""
    t = np.asarray(ts, dtype=float).copy()
    if len(t) < 3:
        return t
    prev, nxt = t[:-2], t[2:]
    mid = t[1:-1]
    lone = (prev <= nxt) & ((mid > nxt) | (mid < prev))
    t[1:-1] = np.where(lone, np.clip(mid, prev, nxt), mid)
    return t


def active_seconds(ts: np.ndarray) -> float:
    """Time covered by a run of events in recorded order, by the one rule (`activetime.counted`): backward
    jumps and pauses longer than ACTIVE_GAP count as no time."""
    return float(counted(np.diff(steady_times(ts))).sum()) if len(ts) > 1 else 0.0


def segment_stream(ts: np.ndarray, acts: np.ndarray, apps: np.ndarray, breaks: np.ndarray, n_acts: int,
                   p: SegmentParams = SegmentParams(), cuts: np.ndarray | None = None,
                   rare: bool = False, resumes: np.ndarray | None = None, helper: bool = False) -> tuple[np.ndarray, list[int]]:
    """Instance number per event of one user's stream (-1: between tasks), and the
    start activities found. `breaks` marks idle events (never part of an instance). The stream is in
    recorded order; where its time runs back (recordings stitched together) or `cuts` says so, a new
    instance begins. Where `resumes` says so, the stream goes on after events taken out of it (other
    work's instances): a new segment begins there too, but an instance that other work interrupted
    may take back its other part across it, as within a recording. `rare` and `helper`: see `choose_starts`."""
    n = len(acts)
    if n == 0:
        return np.full(0, -1, dtype=np.int64), []
    ts = steady_times(ts)
    gap = np.diff(ts, prepend=ts[0])
    forced = (gap > p.session_gap) | (gap < -p.backward_cut) | np.r_[True, breaks[:-1]]
    if cuts is not None:   # where the caller knows a new recording begins
        forced |= cuts
    forced[0] = True
    session = forced.copy()
    if resumes is not None:
        forced |= resumes
    by_act = by_activity(acts)
    walks: dict[int, Walk] = {}
    starts = choose_starts(acts, forced, ts, apps, breaks, n_acts, p, rare, by_act, walks, helper)
    if not starts:   # no recurring structure: no task to report
        return np.full(n, -1, dtype=np.int64), []
    return _cut(acts, forced, breaks, starts, n_acts, p, ts, apps, rejoin=session, by_act=by_act, walks=walks)[0], starts
