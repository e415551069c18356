"""Task types: variants of one routine form one type, and no type holds a single instance."""

from __future__ import annotations

import pytest

from tasklens.analyzer.tasktypes import cluster_variants

A = (1, 2, 3, 4, 5, 6)
B = (11, 12, 13, 14, 15)
CASES = [   # (name, variants, weights, expected type per variant)
    ("variants of one routine", [A, A[:3] + (7,) + A[3:], A[:-1], A + (5, 6)], [40, 5, 3, 1], [0, 0, 0, 0]),
    ("two routines", [A, B, A[:-1]], [30, 20, 2], [0, 1, 0]),
    ("a lone instance near a type joins it", [A, B, (1, 2, 3, 4, 9, 9)], [30, 20, 1], [0, 1, 0]),
    ("a lone instance like no other is unassigned", [A, B, (21, 22, 23, 24)], [30, 20, 1], [0, 1, -1]),
    ("one instance in all", [A], [1], [-1]),
    ("no instance", [], [], []),
]


@pytest.mark.parametrize(("name", "variants", "weights", "expected"), CASES, ids=[c[0] for c in CASES])
def test_types(name: str, variants: list[tuple[int, ...]], weights: list[int], expected: list[int]) -> None:
    assert cluster_variants(variants, weights).tolist() == expected
