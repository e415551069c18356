"""Step 4: frequent routines with PrefixSpan, across instances and users.

Mined on distinct variants weighted by their instance counts. PrefixSpan's `closed=True` also returns
some non-closed patterns and `.frequent()` reuses its result list (see dependencies-here.md), so the
result is copied and filtered here: to closed patterns, then, on the gap-aware support, to patterns
that no longer pattern holds in most of their instances (maximal in practice). "Gap-aware": support
counts only instances in which the pattern's steps occur with at most `max_gap` other events between
consecutive steps.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoutineParams:
    """How often, how long and how loose a pattern must be to be reported as a routine."""

    min_support: float = 0.05   # share of instances
    min_length: int = 3
    max_length: int = 25
    max_gap: int = 2            # other events allowed between two steps of a routine
    max_routines: int = 30
    contained_share: float = 0.8   # a routine inside a longer one found in this share of its instances is dropped


@dataclass(frozen=True)
class Routine:
    """A mined routine: activity ids, support counted gap-aware, and the variants that hold it."""

    steps: tuple[int, ...]
    support: int                # instances containing it (gap-aware)
    variants: tuple[int, ...]   # indices of the variants that contain it


def occurs(pattern: Sequence[Hashable], seq: Sequence[Hashable], max_gap: int) -> bool:
    """Whether `pattern` occurs in `seq` with at most `max_gap` events between consecutive steps."""
    if not pattern:
        return True
    ends = {i for i, a in enumerate(seq) if a == pattern[0]}
    for step in pattern[1:]:
        ends = {j for i in ends for j in range(i + 1, min(len(seq), i + max_gap + 2)) if seq[j] == step}
        if not ends:
            return False
    return True


def _subsequence(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    it = iter(b)
    return all(x in it for x in a)


def maximal(patterns: list[tuple[int, tuple[int, ...]]], share: float) -> list[tuple[int, tuple[int, ...]]]:
    """Drop each pattern that a longer one contains and is found in at least `share` of its instances:
    one routine is reported once, at its full length, not again at 13, 14 and 15 of its steps
    (`share` 1.0 keeps the closed patterns, a small share only the maximal ones)."""
    longest_first = sorted(patterns, key=lambda sp: -len(sp[1]))
    kept: list[tuple[int, tuple[int, ...]]] = []
    for s, pat in longest_first:
        if not any(len(o) > len(pat) and so >= share * s and _subsequence(pat, o) for so, o in kept):
            kept.append((s, pat))
    keep = set(kept)
    return [sp for sp in patterns if sp in keep]


def mine(variants: Sequence[tuple[int, ...]], weights: Sequence[int],
         p: RoutineParams = RoutineParams()) -> list[Routine]:
    """Maximal-in-practice, gap-aware frequent routines, most instances x steps first."""
    from prefixspan import PrefixSpan

    total = int(sum(weights))
    if not variants or total == 0:
        return []
    minsup = max(2, int(p.min_support * total))
    ps = PrefixSpan([list(v) for v in variants])
    ps.minlen, ps.maxlen = p.min_length, p.max_length
    found: list[tuple[int, tuple[int, ...]]] = []
    holders: dict[tuple[int, ...], list[int]] = {}   # the variants holding a pattern at all (gaps of any size)

    def weight(_patt: list[int], matches: list[tuple[int, int]]) -> int:
        return sum(weights[i] for i, _ in matches)

    def collect(patt: list[int], matches: list[tuple[int, int]]) -> None:
        found.append((weight(patt, matches), tuple(patt)))
        holders[tuple(patt)] = sorted(i for i, _ in matches)

    ps.frequent(minsup, closed=True, key=weight, bound=weight, callback=collect)
    routines = {}
    for _, pat in maximal(found, 1.0):
        # gap-aware support: only a variant that holds the pattern with any gaps can hold it with small ones
        inside = tuple(i for i in holders[pat] if occurs(pat, variants[i], p.max_gap))
        support = sum(weights[i] for i in inside)
        if support >= minsup:
            routines[pat] = Routine(pat, support, inside)
    keep = {pat for _, pat in maximal([(r.support, r.steps) for r in routines.values()], p.contained_share)}
    out = sorted((r for r in routines.values() if r.steps in keep), key=lambda r: (-r.support * len(r.steps), r.steps))
    return out[:p.max_routines]
