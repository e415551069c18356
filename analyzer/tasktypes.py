"""Step 3: cluster task instances into task types (scikit-learn); per type its variants.

Distinct variants (step sequences) are clustered, not instances: a month of work has thousands of
instances but far fewer variants. Each variant is a TF-IDF vector of its activities and activity
pairs; agglomerative clustering with a cosine distance threshold finds the number of types itself.
Beyond `max_variants` the rarest variants join the type of their nearest clustered variant. A type
of one instance is no type: it joins the nearest type or is left unassigned (-1) and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import numpy as np

from tasklens.analyzer import naming


@dataclass(frozen=True)
class TypeParams:
    """How variants are clustered into task types."""

    distance_threshold: float = 0.7   # cosine distance (average linkage) under which variants merge
    fold_similarity: float = 0.2      # a lone instance joins its nearest type at this cosine similarity, else
                                      # it is left unassigned (type -1): a type of one instance is no type
    max_variants: int = 3000          # agglomerative clustering is quadratic: cluster at most this many


def type_name(signature: Sequence[str], type_id: int, taken: set[str] | None = None) -> str:
    """A task type's name: the one place it is made (a candidate takes its type's). Object, verb and
    applications read off the steps of the type's most common variant (`signature`; see `naming`), unlike
    the names already in `taken`, which it joins. An analyst's rename (decisions.json) is found by the
    signature, never by this name, so renames survive any change of these rules."""
    return naming.name(signature, taken) or f"Task type {type_id}"


def _tokens(seq: Sequence[int]) -> str:
    acts = [f"a{a}" for a in seq]
    start = [f"s{seq[0]}"] * 3 if seq else []   # the start step says much about the task
    return " ".join(start + acts + [f"{x}_{y}" for x, y in zip(acts, acts[1:])])


def warm() -> None:
    """Import the clustering `cluster_variants` uses (scikit-learn: a second or more), for a caller that has
    to wait anyway; a failure is left for `cluster_variants` to meet."""
    with suppress(Exception):
        import sklearn.cluster
        import sklearn.feature_extraction.text
        import sklearn.preprocessing  # noqa: F401


def cluster_variants(variants: Sequence[tuple[int, ...]], weights: Sequence[int],
                     p: TypeParams = TypeParams()) -> np.ndarray:
    """A task-type number for each distinct variant (0 = the type with the most instances; -1 = a lone
    instance like no other, unassigned)."""
    n = len(variants)
    if n <= 1:
        return np.where(np.asarray(weights, dtype=np.int64) > 1, 0, -1) if n else np.zeros(0, dtype=np.int64)
    # the same variants give the same types in whatever order they come (the order follows people's
    # pseudonyms, drawn afresh per analysis): clustering, the `max_variants` cut and the numbering break
    # ties by position, so they see the variants in one order, most instances first, then by their steps
    canon = np.array(sorted(range(n), key=lambda i: (-int(weights[i]), variants[i])), dtype=np.int64)
    if np.any(canon != np.arange(n)):
        out = np.empty(n, dtype=np.int64)
        out[canon] = cluster_variants([variants[i] for i in canon], [int(weights[i]) for i in canon], p)
        return out
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    x = normalize(TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True)
                  .fit_transform([_tokens(v) for v in variants]))
    order = np.argsort(-np.asarray(weights), kind="stable")
    head = order[:p.max_variants]
    labels = np.empty(n, dtype=np.int64)
    if len(head) == 1:
        labels[head] = 0
    else:
        # rows are unit vectors, so cosine distance is 1 - x.x' (one sparse product; scipy's pdist on the
        # dense rows cost O(n^2 x features) and was most of this step)
        labels[head] = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                               distance_threshold=p.distance_threshold
                                               ).fit_predict(np.clip(1.0 - (x[head] @ x[head].T).toarray(), 0.0, 2.0))
    tail = order[p.max_variants:]
    if len(tail):
        labels[tail] = labels[head][np.asarray((x[tail] @ x[head].T).argmax(axis=1)).ravel()]
    labels = _fold_lone(x, labels, weights, p.fold_similarity)
    # renumber by instances, largest type first; unassigned stays -1
    size: Counter[int] = Counter()
    for lab, w in zip(labels, weights):
        if lab >= 0:
            size[int(lab)] += int(w)
    rank = {lab: i for i, (lab, _) in enumerate(size.most_common())} | {-1: -1}
    return np.array([rank[int(lab)] for lab in labels], dtype=np.int64)


def _fold_lone(x: Any, labels: np.ndarray, weights: Sequence[int], min_similarity: float) -> np.ndarray:
    """Types of a single instance join the type whose centroid is nearest, or become -1 (unassigned)."""
    from sklearn.preprocessing import normalize

    w = np.asarray(weights, dtype=float)
    size = np.bincount(labels, weights=w)
    lone = np.flatnonzero(size[labels] <= 1)
    if len(lone) == 0:
        return labels
    out = labels.copy()
    kept = np.flatnonzero(size > 1)
    if len(kept) == 0:
        out[lone] = -1
        return out
    rows = np.flatnonzero(size[labels] > 1)
    index = {t: i for i, t in enumerate(kept.tolist())}
    member = np.zeros((len(kept), len(labels)))
    member[[index[t] for t in labels[rows].tolist()], rows] = w[rows]
    centroids = normalize(member @ x)
    sim = np.asarray(x[lone] @ centroids.T)
    best = sim.argmax(axis=1)
    out[lone] = np.where(sim[np.arange(len(lone)), best] >= min_similarity, kept[best], -1)
    return out
