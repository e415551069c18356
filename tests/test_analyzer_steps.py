"""Each analyzer step on its own, table-driven, on small hand-made inputs whose answers are worked out by hand:
instances (the one duration rule), decisions on task types, candidate ranking, routines with gaps, and
the process map's edges (each edge, not only their sum)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest

from tasklens.analyzer.candidates import Assumptions, TypeFacts, rank
from tasklens.analyzer.decisions import Decisions, apply_to_types
from tasklens.analyzer.pipeline import build_instances
from tasklens.analyzer.processmap import Edge, directly_follows
from tasklens.analyzer.routines import RoutineParams, mine
from tasklens.events import Action, Event

# -- instances -----------------------------------------------------------------------------------------


def test_instances_last_their_active_time_plus_the_last_events_duration() -> None:
    """Two instances of one user: (a b c) and (a b), an event between tasks (-1) between them. The first
    lasts 10 + 5 s and its last event's 2 s; the second 3 s and 1 s. Not max - min of the times (15 and 3)."""
    rows = [(0.0, 0, 0, 0.0), (10.0, 1, 0, 0.0), (15.0, 2, 0, 2.0), (100.0, 3, -1, 0.0),
            (200.0, 0, 1, 0.0), (203.0, 1, 1, 1.0)]
    evs = [Event(ts, "u", "app", "t", Action.CLICK, f"b{a}", "", d, 0, k) for k, (ts, a, _, d) in enumerate(rows)]
    inst = build_instances(evs, np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    assert [(r.id, r.start, r.seconds) for r in inst.rows] == [(0, 0.0, 17.0), (1, 200.0, 4.0)]
    assert [len(idx) for idx in inst.idx or []] == [3, 2]
    assert inst.variants == [(0, 1, 2), (0, 1)] and inst.weights == [1, 1]


# -- decisions on task types ---------------------------------------------------------------------------
LABELS = ["a", "b", "c", "d", "x", "y"]
V = [(0, 1, 2), (0, 1, 3), (4, 5), (4, 5, 5)]   # variants: type 0 = 0, 1; type 1 = 2, 3
W = [10, 2, 6, 1]                               # instances per variant
TYPES = np.array([0, 0, 1, 1])


def _decisions(merges: Sequence[list[tuple[str, ...]]] = (), splits: Sequence[list[tuple[str, ...]]] = ()) -> Decisions:
    d = Decisions()
    for sigs in merges:
        d.merge(list(range(len(sigs))), sigs)
    for variants in splits:
        d.split(0, variants)
    return d


STEP_CASES = [   # (name, decisions, expected type per variant)
    ("none", Decisions(), [0, 0, 1, 1]),
    ("merge by the types' main steps", _decisions([[("a", "b", "c"), ("x", "y")]]), [0, 0, 0, 0]),
    ("merge naming steps no type has as its main ones", _decisions([[("a", "b", "d"), ("x", "y", "y")]]),
     [0, 0, 1, 1]),
    # a split variant forms a new type; types are numbered again by instances, largest first
    ("split a rare variant off", _decisions(splits=[[("a", "b", "d")]]), [0, 2, 1, 1]),
    ("split the main variant off", _decisions(splits=[[("a", "b", "c")]]), [0, 2, 1, 1]),
    ("split off, then merge back by the new type's steps",
     _decisions([[("a", "b", "d"), ("x", "y")]], [[("a", "b", "d")]]), [0, 1, 1, 1]),
]


@pytest.mark.parametrize(("name", "decisions", "expected"), STEP_CASES, ids=[c[0] for c in STEP_CASES])
def test_apply_to_types(name: str, decisions: Decisions, expected: list[int]) -> None:
    assert apply_to_types(TYPES, V, W, LABELS, decisions).tolist() == expected


# -- ranking -------------------------------------------------------------------------------------------
def facts(type_id: int, n: int, *, hours: float = 10.0, steps: int = 5, order: float = 1.0, apps: int = 2,
          variants: int = 1, median_events: float = 6.0) -> TypeFacts:
    seqs = [(tuple(range(steps)) + (100 + v,) * min(v, 1), n // variants + (n % variants if v == 0 else 0))
            for v in range(variants)]
    return TypeFacts(type_id, seqs, list(range(n)), {"u1", "u2"}, hours * 3600, Counter({Action.PASTE: 3 * n,
                     Action.CLICK: 3 * n}), {f"app{i}" for i in range(apps)}, 0, 0, 20.0, median_events, steps, order,
                     team_days=10.0, team_user_days=20.0)


RANK_CASES = [   # (name, facts, expected task types in rank order)
    ("more hours rank first", [facts(0, 20, hours=5), facts(1, 20, hours=10)], [1, 0]),
    ("too few instances", [facts(0, 4), facts(1, 5)], [1]),
    ("too few steps per instance", [facts(0, 20, median_events=3.0), facts(1, 20)], [1]),
    ("too few usual steps", [facts(0, 20, steps=3), facts(1, 20)], [1]),
    ("steps in no steady order", [facts(0, 20, order=0.9), facts(1, 20)], [1]),
    ("one application, no instance repeats another", [facts(0, 20, apps=1, variants=11), facts(1, 20, apps=1)],
     [1]),
    ("no time", [facts(0, 20, hours=0.0)], []),
]


@pytest.mark.parametrize(("name", "types", "expected"), RANK_CASES, ids=[c[0] for c in RANK_CASES])
def test_rank(name: str, types: list[TypeFacts], expected: list[int]) -> None:
    found = rank(types)
    assert [c.task_type for c in found] == expected
    assert [(c.rank, c.id) for c in found] == [(i, f"C{i:02d}") for i in range(1, len(found) + 1)]


def test_rank_figures_by_hand() -> None:
    """One variant (determinism 1, coverage 1, no rework): saved = 10 h x 21 / 10 team days x 0.8 = 16.8
    h/month for the team; per FTE over 20 person-days, 8.4."""
    c = rank([facts(0, 20)], Assumptions())[0]
    assert (c.hours_observed, c.hours_saved_per_month_team, c.hours_saved_per_month_per_fte) == (10.0, 16.8, 8.4)
    assert c.score_parts["determinism"] == 1.0 and c.score_parts["data_transfer"] == 0.5


# -- routines ------------------------------------------------------------------------------------------
ROUTINE_CASES = [   # (name, max_gap, variants, weights, expected (steps, support))
    # the longer variant is a routine of its own (in 4 of 10 instances: under the 80 % that would fold it)
    ("an inserted step within the gap still counts", 1, [(1, 2, 3, 4), (1, 2, 9, 3, 4)], [6, 4],
     [((1, 2, 3, 4), 10), ((1, 2, 9, 3, 4), 4)]),
    ("beyond the gap it does not", 0, [(1, 2, 3, 4), (1, 2, 9, 3, 4)], [6, 4],
     [((1, 2, 3, 4), 6), ((1, 2, 9, 3, 4), 4)]),
    ("too rare a pattern is no routine", 0, [(1, 2, 3), (7, 8, 9)], [99, 1], [((1, 2, 3), 99)]),
    ("shorter than the minimum length", 0, [(1, 2), (1, 2)], [5, 5], []),
]


@pytest.mark.parametrize(("name", "gap", "variants", "weights", "expected"), ROUTINE_CASES,
                         ids=[c[0] for c in ROUTINE_CASES])
def test_mine_with_gaps(name: str, gap: int, variants: list[tuple[int, ...]], weights: list[int],
                        expected: list[tuple[tuple[int, ...], int]]) -> None:
    found = mine(variants, weights, RoutineParams(max_gap=gap))
    assert [(r.steps, r.support) for r in found] == expected


# -- process map ---------------------------------------------------------------------------------------
def test_directly_follows_edges_by_hand() -> None:
    """Instance 0: a b c (waits 2, 4); instance 1: a b b (waits 6, 1); an event between tasks (-1) and the
    step from one instance into the next make no edge; a lagging row's negative wait counts as 0."""
    task = np.array([0, 0, 0, -1, 1, 1, 1, 2, 2])
    acts = np.array([0, 1, 2, 0, 0, 1, 1, 2, 0])
    ts = np.array([0.0, 2.0, 6.0, 7.0, 10.0, 16.0, 17.0, 20.0, 19.0])
    edges = directly_follows(task, acts, ts)
    assert sorted(edges, key=lambda e: (e.source, e.target)) == [
        Edge(0, 1, 2, 4.0, 4.0), Edge(1, 1, 1, 1.0, 1.0), Edge(1, 2, 1, 4.0, 4.0), Edge(2, 0, 1, 0.0, 0.0)]
    assert edges[0] == Edge(0, 1, 2, 4.0, 4.0), "most frequent first"
    assert directly_follows(np.array([0, -1]), np.array([0, 1]), np.array([0.0, 1.0])) == []
