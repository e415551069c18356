"""Step 6: the directly-follows graph of activities, with frequencies and waiting times (numpy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tasklens.analyzer.grouping import run_bounds


@dataclass(frozen=True)
class Edge:
    """One directly-follows edge between two activities, within task instances only."""

    source: int
    target: int
    count: int
    mean_wait: float     # seconds between the two events
    median_wait: float


def pairs(task: np.ndarray, acts: np.ndarray, ts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each step b directly following a step a inside one task instance (events ordered by instance): a, b
    and the wait between them. Apart from `edges`, so a streamed analysis can take them a user at a time."""
    same = (task[1:] == task[:-1]) & (task[1:] >= 0)
    wait = np.clip(ts[1:] - ts[:-1], 0.0, None)[same]   # a logger's lagging row is no negative wait
    return acts[:-1][same].astype(np.int64), acts[1:][same].astype(np.int64), wait


def by_edge(src: np.ndarray, dst: np.ndarray, wait: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """The waits of each edge among `pairs`' pairs, in the order given."""
    if len(src) == 0:
        return {}
    base = int(max(src.max(), dst.max())) + 1
    key = src * base + dst
    order = np.argsort(key, kind="stable")
    key, wait = key[order], wait[order]
    bounds = run_bounds(key)
    return {divmod(int(key[lo]), base): wait[lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])}


def edges(waits: Iterable[tuple[tuple[int, int], np.ndarray]]) -> list[Edge]:
    """The edges from each edge's waits (sorted by source, then target), most frequent first."""
    out = [Edge(s, d, len(w), float(w.mean()), float(np.median(w))) for (s, d), w in waits]
    out.sort(key=lambda e: -e.count)
    return out


def directly_follows(task: np.ndarray, acts: np.ndarray, ts: np.ndarray) -> list[Edge]:
    """Edges a->b where b directly follows a inside one task instance (events ordered by instance)."""
    return edges(sorted(by_edge(*pairs(task, acts, ts)).items()))
