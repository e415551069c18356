"""analyzer/selection.py on a hand-made analysis with known answers: filters, the one duration rule, routine
support, the process map, and decisions matched by signature (merges, splits, renumbered candidates)."""

from __future__ import annotations

import numpy as np
import pytest

from tasklens.analyzer import decisions as dec
from tasklens.analyzer.candidates import Candidate
from tasklens.analyzer.result import AnalysisResult, Instance, ProcessMap, RoutineFact, TaskType, Variant
from tasklens.analyzer.selection import SPLIT_BASE, EventTable, Filters, select
from tasklens.constants import ACTIVE_GAP

A, B, C = "A | click | x | t", "B | type | y | t", "C | click | z | t"
LABELS = [A, B, C]
ABC, AC, CB = (A, B, C), (A, C), (C, B)

# (instance, user, [(ts, activity)], last event's duration): the events of each instance, as recorded
RUNS = [(0, "u1", [(0.0, A), (10.0, B), (20.0, C)], 5.0),
        (1, "u2", [(100.0, A), (110.0, B), (130.0, C)], 0.0),
        (2, "u1", [(200.0, A), (260.0, C)], 0.0),
        (3, "u2", [(300.0, C), (305.0, B)], 0.0)]
OUTSIDE = [("u1", 900.0, A)]      # an event between tasks, after a pause longer than ACTIVE_GAP
VARIANT_OF = {0: 0, 1: 0, 2: 1, 3: 2}


def _result() -> AnalysisResult:
    instances = [Instance(i, u, evs[0][0], evs[-1][0] + d, 0 if i < 3 else 1, VARIANT_OF[i], len(evs))
                 for i, u, evs, d in RUNS]
    variants = [Variant(0, 0, ABC, 2), Variant(1, 0, AC, 1), Variant(2, 1, CB, 1)]
    types = [TaskType(0, "Type 0", ABC, 3, ["u1", "u2"], 115 / 3600, ["A", "B", "C"], [0, 1]),
             TaskType(1, "Type 1", CB, 1, ["u2"], 5 / 3600, ["B", "C"], [2])]
    cand = Candidate("C01", 1, 0, [0, 1, 2], ["u1", "u2"], 115 / 3600, 1.5, 0.8, "high", 0.7,
                     score_parts={"determinism": 0.9}, rationale="why", name="Type 0", signature=ABC)
    return AnalysisResult(task_types=types, variants=variants, instances=instances,
                          routines=[RoutineFact(AC, 3, [0], ["C01"])], candidates=[cand],
                          process_map=ProcessMap(LABELS, []), parameters={"routines": {"max_gap": 2}})


def _events() -> EventTable:
    rows = [(u, ts, a, i) for i, u, evs, _ in RUNS for ts, a in evs] + [(u, ts, a, -1) for u, ts, a in OUTSIDE]
    users, apps = ["u1", "u2"], ["A", "B", "C"]
    return EventTable(np.array([r[1] for r in rows]), np.array([users.index(r[0]) for r in rows]),
                      np.array([apps.index(r[2][0]) for r in rows]), np.array([LABELS.index(r[2]) for r in rows]),
                      np.array([r[3] for r in rows]), users, apps)


@pytest.mark.parametrize(("filters", "instances", "events", "edges"), [
    (Filters(), [0, 1, 2, 3], 11, {(A, B): 2, (B, C): 2, (A, C): 1, (C, B): 1}),
    (Filters(users=frozenset({"u1"})), [0, 2], 6, {(A, B): 1, (B, C): 1, (A, C): 1}),
    (Filters(since=100.0, until=200.0), [1], 3, {(A, B): 1, (B, C): 1}),
    (Filters(apps=frozenset({"B"})), [0, 1, 3], 3, {(A, B): 2, (B, C): 2, (C, B): 1}),   # whole instances
    (Filters(task_types=frozenset({1})), [3], 2, {(C, B): 1}),
    (Filters(users=frozenset()), [], 0, {}),
])
def test_filters_pick_whole_instances_and_their_figures(filters: Filters, instances: list[int], events: int,
                                                        edges: dict[tuple[str, str], int]) -> None:
    s = select(_result(), _events(), filters)
    assert [i.id for i in s.chosen] == instances
    assert s.totals()["events"] == events and s.totals()["instances"] == len(instances)
    assert s.process_map().edges == edges
    assert sum(t.instances for t in s.task_types()) == len(instances)


def test_instance_hours_are_the_results_not_last_minus_first() -> None:
    s = select(_result(), _events())
    types = {t.id: t for t in s.task_types()}
    assert types[0].hours == pytest.approx((25 + 30 + 60) / 3600)      # 25: the last event's 5 s count
    assert types[0].variants == [(ABC, 2), (AC, 1)]
    [cand] = s.candidates()
    assert cand.hours_observed == pytest.approx(115 / 3600) and cand.instance_ids == [0, 1, 2]
    assert s.instances([2]) == [(2, "u1", 200.0, 60.0, AC)]


def test_active_time_by_app_caps_pauses() -> None:
    s = select(_result(), _events())
    by_app = dict(s.time_by_app())
    # each event gets the time to its person's next one: u1 A0 B10 C20 A200 C260 A900, u2 A100 B110 C130 C300 B305
    assert 900 - 260 > ACTIVE_GAP                 # so C260 gets nothing
    assert by_app == pytest.approx({"A": (10 + 60 + 10) / 3600, "B": (10 + 20) / 3600, "C": (180 + 170 + 5) / 3600})
    assert s.totals()["hours"] == pytest.approx(sum(by_app.values()))


@pytest.mark.parametrize(("filters", "support"), [
    (Filters(), 3),                          # A then C, at most 2 events between: instances 0, 1 and 2
    (Filters(users=frozenset({"u2"})), 1),
    (Filters(task_types=frozenset({1})), None),   # no selected instance holds it: not listed
])
def test_routine_support_counts_selected_instances_the_analyzers_way(filters: Filters, support: int | None) -> None:
    rows = select(_result(), _events(), filters).routines()
    assert [r.support for r in rows] == ([] if support is None else [support])
    if rows:
        assert rows[0].apps == ["A", "C"]


def test_merge_and_split_by_signature() -> None:
    r = _result()
    d = dec.Decisions()
    d.merge([0, 1], [ABC, CB], "Both")
    types = select(r, _events(), decisions=d).task_types()
    assert [(t.id, t.name, t.instances) for t in types] == [(0, "Both", 4)]
    d = dec.Decisions()
    d.split(0, [AC], "Short")
    types = {t.id: t for t in select(r, _events(), decisions=d).task_types()}
    assert (types[SPLIT_BASE].name, types[SPLIT_BASE].instances, types[0].instances) == ("Short", 1, 2)
    d = dec.Decisions()
    d.split(1, [CB])   # already a type of its own (the analysis applied it): nothing moves
    assert {t.id for t in select(r, _events(), decisions=d).task_types()} == {0, 1}


def test_candidate_decisions_follow_the_signature_when_ids_change() -> None:
    r = _result()
    d = dec.Decisions()
    d.set_status(ABC, "rejected", cid="C01")
    d.rename(ABC, "Post invoices", cid="C01")
    d.set_status(CB, "accepted", cid="C02")      # a candidate this analysis does not have
    r.candidates[0].id = "C07"                   # a re-analysis renumbered it
    [row] = select(r, _events(), decisions=d).candidates()
    assert (row.id, row.status, row.name) == ("C07", "rejected", "Post invoices")
