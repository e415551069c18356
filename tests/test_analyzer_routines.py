"""Routines: one routine is reported once, at its full length."""

from __future__ import annotations

import random

import pytest

from tasklens.analyzer.routines import RoutineParams, maximal, mine, occurs

ROUTINE = tuple(range(15))


def _with(skip: int | None) -> tuple[int, ...]:
    return tuple(x for x in ROUTINE if x != skip)


CASES = [   # (name, variants, weights, expected routines as (steps, support))
    ("one routine, sometimes a step short", [ROUTINE, _with(13), _with(14)], [90, 5, 5], [(ROUTINE, 90)]),
    ("one routine, always whole", [ROUTINE], [100], [(ROUTINE, 100)]),
    ("a core everyone does, a long form few do", [(1, 2, 3, 4), (1, 2, 3, 4, 5, 6, 7, 8)], [80, 20],
     [((1, 2, 3, 4), 100), ((1, 2, 3, 4, 5, 6, 7, 8), 20)]),
]


@pytest.mark.parametrize(("name", "variants", "weights", "expected"), CASES, ids=[c[0] for c in CASES])
def test_routines_are_maximal_in_practice(name: str, variants: list[tuple[int, ...]], weights: list[int],
                                          expected: list[tuple[tuple[int, ...], int]]) -> None:
    found = mine(variants, weights, RoutineParams(max_gap=0))
    assert sorted((r.steps, r.support) for r in found) == sorted(expected)


def test_maximal_share_one_keeps_closed_patterns() -> None:
    pats = [(10, (1, 2, 3)), (10, (1, 2, 3, 4)), (12, (1, 2))]
    assert maximal(pats, 1.0) == [(10, (1, 2, 3, 4)), (12, (1, 2))]
    assert maximal(pats, 0.5) == [(10, (1, 2, 3, 4))]


@pytest.mark.parametrize("seed", [0, 1])
def test_support_counts_every_variant_that_holds_the_routine(seed: int) -> None:
    """Support is checked only in the variants PrefixSpan says hold the pattern (with gaps of any size):
    none that holds it with small gaps may be missed."""
    rng = random.Random(seed)
    base = [rng.randrange(30) for _ in range(8)]
    variants = sorted({tuple(a if rng.random() > 0.2 else rng.randrange(30) for a in base if rng.random() > 0.2)
                       for _ in range(60)})
    weights = [rng.randint(1, 9) for _ in variants]
    found = mine(variants, weights, RoutineParams(max_routines=1000))
    assert len(found) >= 3
    for r in found:
        assert r.variants == tuple(i for i, v in enumerate(variants) if occurs(r.steps, v, 2))
        assert r.support == sum(weights[i] for i in r.variants)
