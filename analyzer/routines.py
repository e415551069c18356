"""Step 4: frequent routines with PrefixSpan, across instances and users.

Mined on distinct variants weighted by their instance counts. PrefixSpan's `closed=True` also returns
some non-closed patterns and `.frequent()` reuses its result list (see dependencies-here.md), so the
result is copied and filtered to closed patterns here. "Gap-aware": support counts only instances in
which the pattern's steps occur with at most `max_gap` other events between consecutive steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoutineParams:
    min_support: float = 0.05   # share of instances
    min_length: int = 3
    max_length: int = 25
    max_gap: int = 2            # other events allowed between two steps of a routine
    max_routines: int = 30


@dataclass(frozen=True)
class Routine:
    steps: tuple[int, ...]
    support: int                # instances containing it (gap-aware)
    variants: tuple[int, ...]   # indices of the variants that contain it


def occurs(pattern: Sequence[int], seq: Sequence[int], max_gap: int) -> bool:
    """Whether `pattern` occurs in `seq` with at most `max_gap` events between consecutive steps."""
    if not pattern:
        return True
    ends = {i for i, a in enumerate(seq) if a == pattern[0]}
    for step in pattern[1:]:
        ends = {j for i in ends for j in range(i + 1, min(len(seq), i + max_gap + 2)) if seq[j] == step}
        if not ends:
            return False
    return True


def _closed(patterns: list[tuple[int, tuple[int, ...]]]) -> list[tuple[int, tuple[int, ...]]]:
    """Drop patterns that are subsequences of a longer pattern with the same support."""
    def sub(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
        it = iter(b)
        return all(x in it for x in a)
    by_support: dict[int, list[tuple[int, ...]]] = {}
    for s, pat in patterns:
        by_support.setdefault(s, []).append(pat)
    out = []
    for s, pat in patterns:
        if not any(len(o) > len(pat) and sub(pat, o) for o in by_support[s]):
            out.append((s, pat))
    return out


def mine(variants: Sequence[tuple[int, ...]], weights: Sequence[int],
         p: RoutineParams = RoutineParams()) -> list[Routine]:
    """Closed, gap-aware frequent routines, most instances x steps first."""
    from prefixspan import PrefixSpan

    total = int(sum(weights))
    if not variants or total == 0:
        return []
    minsup = max(2, int(p.min_support * total))
    ps = PrefixSpan([list(v) for v in variants])
    ps.minlen, ps.maxlen = p.min_length, p.max_length
    found = list(ps.frequent(minsup, closed=True, key=lambda _p, matches: sum(weights[i] for i, _ in matches),
                             bound=lambda _p, matches: sum(weights[i] for i, _ in matches)))
    routines = []
    for _, pat in _closed([(s, tuple(pt)) for s, pt in found]):
        inside = tuple(i for i, v in enumerate(variants) if occurs(pat, v, p.max_gap))
        support = sum(weights[i] for i in inside)
        if support >= minsup:
            routines.append(Routine(pat, support, inside))
    routines.sort(key=lambda r: (-r.support * len(r.steps), r.steps))
    return _closed_routines(routines)[:p.max_routines]


def _closed_routines(routines: list[Routine]) -> list[Routine]:
    kept = _closed([(r.support, r.steps) for r in routines])
    keep = {pat for _, pat in kept}
    return [r for r in routines if r.steps in keep]
