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
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

log = logging.getLogger(__name__)


SHRINK = 5.0
CAP = 16               # an activity occurring this often in one segment is not a step of one task
MAX_TIES = 10          # near-best candidates whose instances are built to break the tie
COVERAGE_TIE = 0.03     # relative: a start that loses one step of ten is not a tie


@dataclass(frozen=True)
class SegmentParams:
    session_gap: float = 1800.0       # seconds of inactivity that always end an instance
    min_instances: int = 3            # a start activity must recur at least this often
    max_candidates: int = 40          # start activities tried per round, most frequent first
    max_task_types: int = 12          # greedy rounds: at most this many start activities
    tie_tolerance: float = 0.05       # consistency within this of the best counts as a tie
    min_gain: float = 0.005           # a further start activity must improve consistency this much
    min_repeat: float = 0.05          # ... and repeat in this share of the segments it occurs in
    min_steps: int = 4                # a task type has at least this many core steps
    core_presence: float = 0.3        # a core step occurs in at least this share of its segments
    start_presence: float = 0.5       # ... and a start needs `min_steps` steps present in this share (a loop
                                      # inside a task, cut at its first step, has its own steps but not these)
    trim_tail: bool = True            # end instances at their last core step
    max_inner_gap: int = 6            # ... before more than this many other events in a row
    backward_cut: float = 120.0       # seconds: time running back further than this starts a new recording


def consistency(acts: np.ndarray, is_start: np.ndarray, n_acts: int) -> float:
    """How alike the segments are: the event-weighted share of segments, in each activity's home
    group (segments that begin with the same activity), where it occurs its usual non-zero number of
    times. Over-cut segments miss half the steps, under-cut ones repeat them, tiny ones miss most."""
    seg = np.cumsum(is_start) - 1
    valid = seg >= 0
    seg, a = seg[valid], acts[valid]
    if len(a) == 0:
        return 0.0
    starts = np.flatnonzero(is_start)
    group_of_seg = acts[starts]
    keys, cnt = np.unique(seg.astype(np.int64) * n_acts + a, return_counts=True)
    s_of, a_of = keys // n_acts, keys % n_acts
    g_of = group_of_seg[s_of]
    # counts of CAP or more are never usual: a day left uncut repeats every step dozens of times
    gk = (g_of.astype(np.int64) * n_acts + a_of)
    tally_keys, tally = np.unique(gk * CAP + np.where(cnt < CAP, cnt, 0), return_counts=True)
    tally[tally_keys % CAP == 0] = 0
    ga = tally_keys // CAP
    # per (group, activity): largest tally of a positive count, segments with it, total occurrences
    uga, inv = np.unique(ga, return_inverse=True)
    best_pos = np.zeros(len(uga), dtype=np.int64)
    np.maximum.at(best_pos, inv, tally)
    occ_keys, occ_inv = np.unique(gk, return_inverse=True)
    occ = np.bincount(occ_inv, weights=cnt, minlength=len(occ_keys))   # occ_keys == uga (same set)
    groups, n_in_group = np.unique(group_of_seg, return_counts=True)
    size = n_in_group[np.searchsorted(groups, uga // n_acts)]
    # share of segments with the usual (non-zero) count, shrunk so a handful of segments proves little
    mode_share = best_pos / (size + SHRINK)
    # home group of each activity: where most of its occurrences are
    act_of = uga % n_acts
    order = np.lexsort((-occ, act_of))
    first = np.ones(len(order), dtype=bool)
    first[1:] = act_of[order][1:] != act_of[order][:-1]
    home = order[first]
    weights = np.bincount(a, minlength=n_acts)[act_of[home]]
    return float(np.dot(weights, mode_share[home]) / weights.sum())


def _boundary_signal(ts: np.ndarray, apps: np.ndarray) -> np.ndarray:
    """Per event: its log pause before, relative to all events, plus whether it switches application."""
    gap = np.diff(ts, prepend=ts[0] if len(ts) else 0.0)
    lg = np.log1p(np.maximum(gap, 0.0))
    switch = np.ones(len(apps), dtype=float)
    switch[1:] = apps[1:] != apps[:-1]
    score: np.ndarray = (lg - lg.mean()) / (lg.std() + 1e-9) + (switch - switch.mean())
    return score


def _pick(scores: dict[int, float], signal: Callable[[int], float], tol: float,
          coverage: Callable[[int], float]) -> int:
    """Among near-best candidates (rotations of one structure tie), the one whose instances keep the
    most core steps after trimming (the true start keeps the whole task), then the strongest boundary."""
    best = max(scores.values())
    ties = sorted((a for a, s in scores.items() if s >= best - tol), key=lambda a: -scores[a])[:MAX_TIES]
    if len(ties) > 1:
        cov = {a: coverage(a) for a in ties}
        top = max(cov.values())
        ties = [a for a in ties if cov[a] >= top * (1 - COVERAGE_TIE)]
    return max(ties, key=lambda a: (signal(a), scores[a]))


def unexplained(acts: np.ndarray, cut: np.ndarray, inside: np.ndarray, n_acts: int,
                min_repeat: float) -> np.ndarray:
    """Per activity, whether it may start another task type: it lies mostly outside the current task
    instances, or repeats inside current segments (several tasks were merged). A step that occurs
    once per segment inside a task is a step of a known type: cutting there would split its
    variants, not separate tasks. Nor is a loop inside a task (line items: "add item" 1-4 times) a
    task of its own: after its last repetition the task goes on with steps that occur once."""
    n = np.bincount(acts, minlength=n_acts)
    outside = np.bincount(acts, weights=~inside, minlength=n_acts) > 0.5 * n
    seg = np.maximum(np.cumsum(cut) - 1, 0).astype(np.int64)
    keys, inv, cnt = np.unique(seg * n_acts + acts, return_inverse=True, return_counts=True)
    a_of, s_of = keys % n_acts, keys // n_acts
    last = np.full(len(keys), -1)
    np.maximum.at(last, inv, np.arange(len(acts)))
    once = inside & (cnt[inv] == 1)
    last_once = np.full(int(seg.max()) + 1 if len(seg) else 0, -1)
    np.maximum.at(last_once, seg[once], np.flatnonzero(once))
    rep = cnt >= 2
    loop = rep & (last_once[s_of] > last)
    segs = np.bincount(a_of, minlength=n_acts)
    repeated = np.bincount(a_of, weights=rep & ~loop, minlength=n_acts)
    return outside | (repeated >= min_repeat * np.maximum(segs, 1))


def _successor_share(acts: np.ndarray, n_acts: int) -> np.ndarray:
    """Per activity, the share of its occurrences followed by its most common next activity."""
    if len(acts) < 2:
        return np.zeros(n_acts)
    keys, cnt = np.unique(acts[:-1].astype(np.int64) * n_acts + acts[1:], return_counts=True)
    best = np.zeros(n_acts)
    np.maximum.at(best, keys // n_acts, cnt)
    return best / np.maximum(np.bincount(acts, minlength=n_acts), 1)


def choose_starts(acts: np.ndarray, forced: np.ndarray, ts: np.ndarray, apps: np.ndarray, breaks: np.ndarray,
                  n_acts: int, p: SegmentParams, rare: bool = False) -> list[int]:
    """Greedily choose the start activities that make segments most alike (see the module doc).
    `rare`: look for rare routines among much noise, trying the most regular activities first."""
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
    chosen: list[int] = []
    mask = forced.copy()
    current = consistency(acts, mask, n_acts) if mask.any() else 0.0
    rejected: set[int] = set()
    while len(chosen) < p.max_task_types:
        if chosen:
            inside = instances(acts, forced, breaks, chosen, n_acts, p, ts) >= 0
            eligible = unexplained(acts, mask, inside, n_acts, p.min_repeat)
        else:
            eligible = np.ones(n_acts, dtype=bool)
        pool = [a for a in cands if eligible[a] and a not in chosen and a not in rejected][:p.max_candidates]
        scores = {a: consistency(acts, mask | (acts == a), n_acts) for a in pool}
        cache: dict[int, float] = {}

        def signal(c: int) -> float:
            """The boundary where instances of `c` would begin (after their lead-in steps)."""
            at = lead_in(acts, gap, forced, chosen + [c]) == c
            return float(per_event[at].mean()) if at.any() else -np.inf

        def coverage(c: int) -> float:   # called only within this iteration, so today's cache is the one meant
            if c not in cache:  # noqa: B023
                # steps, not events: a rotation that swallows the chat between two tasks covers no more
                cache[c] = float(_cut(acts, forced, breaks, chosen + [c], n_acts, p, ts)[1].mean())  # noqa: B023
            return cache[c]  # noqa: B023

        picked = None
        while scores:
            a = _pick(scores, signal, p.tie_tolerance, coverage)
            if chosen and scores[a] - current < p.min_gain:
                break
            if _core_steps(acts, forced, chosen + [a], a, n_acts, p) >= p.min_steps:
                picked = a
                break
            rejected.add(a)    # a window visit with a click or two: not a task worth the name
            del scores[a]
        if picked is None:
            break
        chosen.append(picked)
        mask |= acts == picked
        current = scores[picked]
    return chosen


def _core_steps(acts: np.ndarray, forced: np.ndarray, starts: list[int], a: int, n_acts: int,
                p: SegmentParams) -> int:
    """How many core steps the segments starting with `a` have."""
    is_s = np.isin(acts, starts)
    cut = forced | is_s
    seg = np.cumsum(cut) - 1
    first = np.flatnonzero(cut)
    group_of_seg = np.where(is_s[first], acts[first], -1)
    strict = replace(p, core_presence=max(p.core_presence, p.start_presence))
    return sum(1 for g, _ in _core(acts, seg, group_of_seg, n_acts, strict) if g == a)


def _core(acts: np.ndarray, seg: np.ndarray, group_of_seg: np.ndarray, n_acts: int,
          p: SegmentParams) -> set[tuple[int, int]]:
    """(group, activity) pairs that are steps of the task: present often, at a stable position."""
    # position = how many distinct activities come first: a repeated step (1-4 line items) or a loop
    # does not shift the steps after it
    keys = seg.astype(np.int64) * n_acts + acts
    first_idx = np.sort(np.unique(keys, return_index=True)[1])
    s_of = seg[first_idx]
    lead = np.flatnonzero(np.r_[True, s_of[1:] != s_of[:-1]])
    r = np.arange(len(first_idx)) - np.repeat(lead, np.diff(np.r_[lead, len(first_idx)]))
    g = group_of_seg[s_of]
    a = acts[first_idx]
    keep = g >= 0
    g, a, r = g[keep], a[keep], r[keep]
    if len(g) == 0:
        return set()
    groups, sizes = np.unique(group_of_seg[group_of_seg >= 0], return_counts=True)
    pair = g.astype(np.int64) * n_acts + a
    order = np.lexsort((r, pair))            # by pair, then rank: quartiles by index
    pair, r = pair[order], r[order]
    lo = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    m = np.diff(np.r_[lo, len(pair)])
    q1, med, q3 = (r[lo + ((m - 1) * q).astype(np.int64)] for q in (0.25, 0.5, 0.75))
    grp, act = pair[lo] // n_acts, pair[lo] % n_acts
    size = sizes[np.searchsorted(groups, grp)]
    ok = (m >= p.core_presence * size) & (q3 - q1 <= np.maximum(3.0, 0.1 * med))
    return set(zip(grp[ok].tolist(), act[ok].tolist()))


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


def lead_in(acts: np.ndarray, gap: np.ndarray, forced: np.ndarray, starts: list[int], max_back: int = 3,
            share: float = 0.8) -> np.ndarray:
    """Per event, the start activity whose instance begins there (-1 elsewhere): at a start, or up to
    `max_back` events before it where the same steps lead into it (>= `share` of its occurrences) and
    the pause comes before them, not after. The window a task opens with is often the one it comes
    back to at its end (CRM -> sheet -> CRM): that focus occurs twice per instance, so it cannot be
    the start, but it is the instance's first event."""
    out = np.where(np.isin(acts, starts), acts, -1)
    taken = out >= 0
    for a in starts:
        pos = np.flatnonzero((acts == a) & ~forced)
        pos = pos[pos > 0]
        for _ in range(max_back):
            if len(pos) < 3:
                break
            prev = acts[pos - 1]
            values, counts = np.unique(prev, return_counts=True)
            if counts.max() < share * len(pos):
                break
            hit = pos[(prev == values[counts.argmax()]) & ~taken[pos - 1]]
            if len(hit) < 3 or np.median(gap[hit - 1]) < 2 * np.median(gap[hit]):
                break
            out[hit - 1], out[hit] = out[hit], -1
            pos = hit - 1
            pos = pos[(pos > 0) & ~forced[pos]]
    return out


def instances(acts: np.ndarray, forced: np.ndarray, breaks: np.ndarray, starts: list[int], n_acts: int,
              p: SegmentParams, ts: np.ndarray | None = None) -> np.ndarray:
    """Instance number per event when cutting before `starts` (and at `forced`), -1 between tasks.
    With `ts`, an instance begins where the steps leading into its start begin (see `lead_in`)."""
    return _cut(acts, forced, breaks, starts, n_acts, p, ts)[0]


def _cut(acts: np.ndarray, forced: np.ndarray, breaks: np.ndarray, starts: list[int], n_acts: int,
         p: SegmentParams, ts: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """`instances`, and per event whether it is a core step of its segment's task."""
    n = len(acts)
    out = np.full(n, -1, dtype=np.int64)
    if ts is None:
        start_of = np.where(np.isin(acts, starts), acts, -1)
    else:
        start_of = lead_in(acts, np.diff(ts, prepend=ts[0] if n else 0.0), forced, starts)
    is_s = start_of >= 0
    cut = forced | is_s
    seg = np.cumsum(cut) - 1
    first = np.flatnonzero(cut)
    group_of_seg = np.where(is_s[first], start_of[first], -1)
    in_task = group_of_seg[seg] >= 0
    core = _core(acts, seg, group_of_seg, n_acts, p)
    pair = group_of_seg[seg].astype(np.int64) * n_acts + acts
    is_core = np.isin(pair, np.array([g * n_acts + a for g, a in core], dtype=np.int64))
    is_core[first] = True
    if p.trim_tail:
        in_task &= np.arange(n) <= _task_end(is_core, seg, len(first), p.max_inner_gap)[seg]
    in_task &= ~breaks
    out[in_task] = seg[in_task]
    return out, is_core & in_task


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
    """Time covered by a run of events in recorded order: backward jumps count as no time."""
    return float(np.clip(np.diff(steady_times(ts)), 0.0, None).sum()) if len(ts) > 1 else 0.0


def segment_stream(ts: np.ndarray, acts: np.ndarray, apps: np.ndarray, breaks: np.ndarray, n_acts: int,
                   p: SegmentParams = SegmentParams(), cuts: np.ndarray | None = None,
                   rare: bool = False) -> tuple[np.ndarray, list[int]]:
    """Instance number per event of one user's stream (-1: between tasks), and the
    start activities found. `breaks` marks idle events (never part of an instance). The stream is in
    recorded order; where its time runs back (recordings stitched together) or `cuts` says so, a new
    instance begins. `rare`: see `choose_starts`."""
    n = len(acts)
    if n == 0:
        return np.full(0, -1, dtype=np.int64), []
    ts = steady_times(ts)
    gap = np.diff(ts, prepend=ts[0])
    forced = (gap > p.session_gap) | (gap < -p.backward_cut) | np.r_[True, breaks[:-1]]
    if cuts is not None:   # where the caller knows a new recording begins
        forced |= cuts
    forced[0] = True
    starts = choose_starts(acts, forced, ts, apps, breaks, n_acts, p, rare)
    if not starts:   # no recurring structure: no task to report
        return np.full(n, -1, dtype=np.int64), []
    return instances(acts, forced, breaks, starts, n_acts, p, ts), starts
