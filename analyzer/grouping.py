"""Grouping numpy keys without a Python loop over entries: one stable sort, then the runs of equal keys.
Instances, edges and segments are all grouped this way; one place keeps the empty-array edge right."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


def run_bounds(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal neighbours in `keys` starts, then `len(keys)`: run k is
    `bounds[k]:bounds[k + 1]` (no run in an empty array: `[0]`)."""
    if len(keys) == 0:
        return np.zeros(1, np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])


def grouped(keys: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Each non-negative key and its positions in `keys`, in order; keys ascending, negative ones (none,
    unassigned) left out."""
    valid = np.flatnonzero(keys >= 0)
    order = valid[np.argsort(keys[valid], kind="stable")]
    bounds = run_bounds(keys[order]).tolist()
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        yield int(keys[order[lo]]), order[lo:hi]
