"""Task types: variants of one routine form one type, and no type holds a single instance."""

from __future__ import annotations

import random

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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clustering_on_the_sparse_cosine_product_equals_the_reference(seed: int) -> None:
    """Types come from 1 - x.x' of the unit TF-IDF rows (fast) and must be those of scikit-learn's own
    cosine metric on the dense rows (slow: it was most of the step): the same types, variant for variant."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from tasklens.analyzer.tasktypes import TypeParams, _tokens

    rng = random.Random(seed)
    routines = [[rng.randrange(60) for _ in range(rng.randint(4, 12))] for _ in range(8)]
    variants: list[tuple[int, ...]] = []
    while len(variants) < 300:   # each routine with steps dropped, repeated or swapped for another
        v = [a if rng.random() > 0.15 else rng.randrange(80) for a in rng.choice(routines) if rng.random() > 0.1]
        v += v[-2:] if rng.random() < 0.2 else []
        if len(v) >= 2 and tuple(v) not in variants:
            variants.append(tuple(v))
    weights = [rng.randint(2, 30) for _ in variants]   # no type of one instance, so none is folded
    p = TypeParams()
    x = normalize(TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True)
                  .fit_transform([_tokens(v) for v in variants])).toarray()
    reference = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                        distance_threshold=p.distance_threshold).fit_predict(x)
    got = cluster_variants(variants, weights, p)
    assert len(set(reference.tolist())) >= 4                       # a clustering with several types to agree on
    pairs = {(int(r), int(g)) for r, g in zip(reference, got)}
    assert len(pairs) == len({r for r, _ in pairs}) == len({g for _, g in pairs})   # one-to-one


@pytest.mark.parametrize("seed", range(5))
def test_the_same_variants_in_any_order_give_the_same_types(seed: int) -> None:
    """Variants come in the order of people's pseudonyms, drawn afresh per analysis: the types (and their
    numbers) must not follow it. Equal-sized types and equally distant variants are where order decided."""
    rng = random.Random(seed)
    variants = [(1, 2, 3), (7, 8, 9), (1, 2, 4), (7, 8, 10), (1, 5, 6), (7, 11, 12)]
    variants += [tuple(rng.sample(range(20, 40), 4)) for _ in range(40)]
    weights = [5, 5, 3, 3, 2, 2] + [rng.choice([1, 2, 2, 3]) for _ in range(40)]
    first = dict(zip(variants, cluster_variants(variants, weights).tolist()))
    for _ in range(5):
        order = rng.sample(range(len(variants)), len(variants))
        again = cluster_variants([variants[i] for i in order], [weights[i] for i in order])
        assert dict(zip([variants[i] for i in order], again.tolist())) == first
