"""Step 6: the directly-follows graph of activities, with frequencies and waiting times (numpy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Edge:
    """One directly-follows edge between two activities, within task instances only."""

    source: int
    target: int
    count: int
    mean_wait: float     # seconds between the two events
    median_wait: float


def directly_follows(task: np.ndarray, acts: np.ndarray, ts: np.ndarray) -> list[Edge]:
    """Edges a->b where b directly follows a inside one task instance (events ordered by instance)."""
    same = (task[1:] == task[:-1]) & (task[1:] >= 0)
    src, dst = acts[:-1][same].astype(np.int64), acts[1:][same].astype(np.int64)
    wait = np.clip(ts[1:] - ts[:-1], 0.0, None)[same]   # a logger's lagging row is no negative wait
    if len(src) == 0:
        return []
    key = src * (int(acts.max()) + 1) + dst
    order = np.argsort(key, kind="stable")
    key, wait = key[order], wait[order]
    bounds = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    edges = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        s, d = divmod(int(key[lo]), int(acts.max()) + 1)
        w = wait[lo:hi]
        edges.append(Edge(s, d, int(hi - lo), float(w.mean()), float(np.median(w))))
    edges.sort(key=lambda e: -e.count)
    return edges
