"""Segmentation's counting shortcuts against plain Python counting of the same definitions.

`consistency` and `unexplained` count (segment, activity) pairs from one stable order of the events by
activity (`by_activity`) instead of sorting the pairs for every cut tried, and membership is looked up in
tables instead of `np.isin`; these tests count the slow, obvious way on random streams and must agree."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import numpy as np
import pytest

from tasklens.analyzer.segment import (
    CAP,
    SHRINK,
    _isin_ids,
    _pair_table,
    by_activity,
    consistency,
    unexplained,
)


def _stream(seed: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A stream of a few recurring routines among noise, and a random cut (the first event always cut)."""
    rng = random.Random(seed)
    n_acts = rng.randint(3, 40)
    routines = [[rng.randrange(n_acts) for _ in range(rng.randint(2, 8))] for _ in range(3)]
    acts: list[int] = []
    while len(acts) < rng.randint(30, 400):
        acts += rng.choice(routines) if rng.random() < 0.7 else [rng.randrange(n_acts)]
    cut = np.array([rng.random() < 0.15 for _ in acts])
    cut[0] = seed % 2 == 0   # also a stream whose first events are in no segment
    return np.array(acts, dtype=np.int32), cut, n_acts


def _consistency_by_hand(acts: list[int], cut: list[bool]) -> float:
    segs: list[list[int]] = []
    for a, c in zip(acts, cut):
        if c:
            segs.append([])
        if segs:
            segs[-1].append(a)
    if not segs:
        return 0.0
    size = Counter(s[0] for s in segs)
    tally: dict[tuple[int, int], Counter[int]] = defaultdict(Counter)   # (group, act) -> count -> segments
    occ: Counter[tuple[int, int]] = Counter()
    for s in segs:
        for a, c in Counter(s).items():
            tally[s[0], a][c if c < CAP else 0] += 1
            occ[s[0], a] += c
    weight = Counter(a for s in segs for a in s)
    total = 0.0
    for a, w in weight.items():
        home = max((g for g, b in occ if b == a), key=lambda g: (occ[g, a], -g))
        best = max((n for c, n in tally[home, a].items() if c > 0), default=0)
        total += w * best / (size[home] + SHRINK)
    return total / sum(weight.values())


@pytest.mark.parametrize("seed", range(40))
def test_consistency_counts_as_defined(seed: int) -> None:
    acts, cut, n_acts = _stream(seed)
    want = _consistency_by_hand(acts.tolist(), cut.tolist())
    assert consistency(acts, cut, n_acts) == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert consistency(acts, cut, n_acts, by_activity(acts)) == consistency(acts, cut, n_acts)


@pytest.mark.parametrize("seed", range(40))
def test_unexplained_counts_as_defined(seed: int) -> None:
    acts, cut, n_acts = _stream(seed)
    rng = random.Random(seed)
    inside = np.array([rng.random() < 0.6 for _ in acts])
    seg = np.maximum(np.cumsum(cut) - 1, 0).tolist()
    count: Counter[tuple[int, int]] = Counter(zip(seg, acts.tolist()))
    last = {k: i for i, k in enumerate(zip(seg, acts.tolist()))}
    last_once: dict[int, int] = {}
    for i, (s, a) in enumerate(zip(seg, acts.tolist())):
        if inside[i] and count[s, a] == 1:
            last_once[s] = i
    segs: Counter[int] = Counter(a for _, a in count)
    rep = {(s, a): c for (s, a), c in count.items() if c >= 2 and not last_once.get(s, -1) > last[s, a]}
    held = {(s, a) for s, a, i in zip(seg, acts.tolist(), inside) if i}
    per_seg = Counter(s for s, a in rep if (s, a) in held)
    repeated: Counter[int] = Counter(a for (s, a), c in rep.items() if per_seg[s] >= 2 or c >= 3)
    n = Counter(acts.tolist())
    outside = Counter(a for a, i in zip(acts.tolist(), inside) if not i)
    want = [outside[a] > 0.5 * n[a] or repeated[a] >= 0.05 * max(segs[a], 1) for a in range(n_acts)]
    assert unexplained(acts, cut, inside, n_acts, 0.05).tolist() == want


@pytest.mark.parametrize("seed", range(20))
def test_lookup_tables_agree_with_isin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    width = int(rng.integers(1, 50))
    g = rng.integers(-1, 6, 500)
    a = rng.integers(0, width, 500)
    pairs = set(zip(rng.integers(0, 6, 8).tolist(), rng.integers(0, width, 8).tolist()))
    groups = np.arange(-1, 6)
    table = _pair_table(pairs, groups, width)
    assert table[g + 1, a].tolist() == [(x, y) in pairs for x, y in zip(g.tolist(), a.tolist())]
    assert not _pair_table(set(), groups, width).any()
    ids = rng.integers(0, 80, 4).tolist()
    assert _isin_ids(a, ids).tolist() == np.isin(a, ids).tolist()
