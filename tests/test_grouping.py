"""The one grouping of numpy keys every analysis step uses: each key's positions in order, runs' bounds."""

from __future__ import annotations

import numpy as np

from tasklens.analyzer.grouping import grouped, run_bounds


def test_grouped_gives_each_key_its_positions_in_order_and_leaves_out_negatives() -> None:
    rng = np.random.default_rng(4)
    keys = rng.integers(-2, 9, 500)
    got = [(k, idx.tolist()) for k, idx in grouped(keys)]
    want = [(k, [i for i, x in enumerate(keys.tolist()) if x == k]) for k in sorted(set(keys.tolist())) if k >= 0]
    assert got == want and got


def test_nothing_to_group() -> None:
    assert list(grouped(np.zeros(0, np.int32))) == []
    assert list(grouped(np.full(4, -1))) == []
    assert run_bounds(np.zeros(0)).tolist() == [0]


def test_run_bounds_splits_where_neighbours_differ() -> None:
    assert run_bounds(np.array([3, 3, 1, 1, 1, 3])).tolist() == [0, 2, 5, 6]
    assert run_bounds(np.array([7])).tolist() == [0, 1]
