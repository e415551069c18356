"""The whole pipeline on a multi-user log with planted routines among noise (known truth)."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest

from tasklens.analyzer.aggregate import user_usage
from tasklens.analyzer.candidates import Assumptions
from tasklens.analyzer.pipeline import Params, analyze, instance_seconds
from tasklens.analyzer.selection import event_seconds
from tasklens.analyzer.synthetic import generate
from tasklens.constants import ACTIVE_GAP
from tasklens.events import Action, Event


@pytest.fixture(scope="module")
def planted():  # type: ignore[no-untyped-def]
    pairs = list(generate(users=10, days=5, routines=4, seed=1))
    return pairs, analyze([e for e, _ in pairs])


def test_every_planted_routine_is_a_candidate_with_its_hours(planted) -> None:  # type: ignore[no-untyped-def]
    pairs, a = planted
    spans: dict[int, list[float]] = {}
    routine_of: dict[int, str] = {}
    for e, t in pairs:
        if t.instance >= 0:
            spans.setdefault(t.instance, [e.ts, e.ts])[1] = e.ts
            routine_of[t.instance] = t.routine
    truth_hours: Counter[str] = Counter()
    for i, (start, end) in spans.items():
        truth_hours[routine_of[i]] += (end - start) / 3600
    task_of = {e.source_row: int(t) for e, t in zip(a.events, a.task)}
    cand_of_type = {c.task_type: c for c in a.result.candidates}
    for routine, n in Counter(routine_of.values()).items():
        assert n >= 20
        types = Counter(a.result.instances[task_of[e.source_row]].task_type for e, t in pairs
                        if t.routine == routine and task_of[e.source_row] >= 0)
        type_id, _ = types.most_common(1)[0]
        assert type_id in cand_of_type, routine
        c = cand_of_type[type_id]
        assert abs(c.hours_observed / truth_hours[routine] - 1) <= 0.15, (routine, c.hours_observed)
        assert abs(len(c.instances) / n - 1) <= 0.15


def test_candidates_are_ranked_and_explained(planted) -> None:  # type: ignore[no-untyped-def]
    _, a = planted
    assert [c.rank for c in a.result.candidates] == list(range(1, len(a.result.candidates) + 1))
    assert [c.score for c in a.result.candidates] == sorted((c.score for c in a.result.candidates), reverse=True)
    for c in a.result.candidates:
        assert c.hours_saved_per_month > 0 and 0 <= c.confidence <= 1
        assert {"determinism", "data_transfer", "decision_points", "applications", "rework_rate",
                "variant_coverage", "automatability"} <= set(c.score_parts)
        assert "h/month" in c.rationale and c.assumptions["automation_rate"] == 0.8
        assert "counts no time" in c.rationale and c.assumptions["active_gap_seconds"] == ACTIVE_GAP
        assert set(c.users) == {a.result.instances[i].user for i in c.instances}


def test_assumptions_change_the_estimate(planted) -> None:  # type: ignore[no-untyped-def]
    pairs, a = planted
    half = analyze([e for e, _ in pairs], Params(assumptions=Assumptions(automation_rate=0.4)))
    before = {c.task_type: c.hours_saved_per_month for c in a.result.candidates}
    for c in half.result.candidates:
        assert c.hours_saved_per_month == pytest.approx(before[c.task_type] / 2, rel=0.02)


def test_instances_are_contiguous_runs_of_one_user(planted) -> None:  # type: ignore[no-untyped-def]
    _, a = planted
    seen: dict[int, list[int]] = defaultdict(list)
    for k, t in enumerate(a.task.tolist()):
        if t >= 0:
            seen[t].append(k)
    for t, idx in seen.items():
        assert len({a.events[k].user for k in idx}) == 1
        assert a.result.instances[t].id == t and a.result.instances[t].events == len(idx)


def test_process_map_counts_match_instances(planted) -> None:  # type: ignore[no-untyped-def]
    _, a = planted
    transitions = sum(i.events - 1 for i in a.result.instances)
    assert sum(e.count for e in a.result.process_map.edges) == transitions
    assert all(e.mean_wait_seconds >= 0 for e in a.result.process_map.edges)


def test_the_demo_office_masked_by_the_real_masker() -> None:
    """`tasklens.simulate` (the demo's week) through the real masker: each routine is found with its hours."""
    from tasklens.config import Config
    from tasklens.privacy.masker import Masker
    from tasklens.simulate import simulate

    pairs = list(simulate(employees=4, days=3, seed=11))
    raws = [r for r, _ in pairs]
    events = Masker(Config()).mask_many([type(r)(r.ts, r.user, r.app, r.title, r.action, r.target, r.value,
                                                 r.duration, r.count, i) for i, r in enumerate(raws)])
    a = analyze(events)
    truth = {i: t for i, (_, t) in enumerate(pairs)}
    spans: dict[int, list[float]] = {}
    for _i, (r, t) in enumerate(pairs):
        if t.instance >= 0:
            spans.setdefault(t.instance, [r.ts, 0.0])[1] = r.ts + r.duration
    hours: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for inst, (start, end) in spans.items():
        name = next(t.routine for t in truth.values() if t.instance == inst)
        hours[name] += (end - start) / 3600
        counts[name] += 1
    task_of = {e.source_row: int(t) for e, t in zip(a.events, a.task)}
    by_type = {c.task_type: c for c in a.result.candidates}
    for name, n in counts.items():
        if n < 20:
            continue
        types = Counter(a.result.instances[task_of[k]].task_type for k, t in truth.items()
                        if t.routine == name and task_of[k] >= 0)
        c = by_type[types.most_common(1)[0][0]]
        assert abs(c.hours_observed / hours[name] - 1) <= 0.15, (name, c.hours_observed, hours[name])


def test_an_instance_counts_the_time_of_its_own_steps_not_what_came_between() -> None:
    """A task interrupted by other work (segmentation joins its two parts again, or a case log
    interleaves two cases): the time between its parts is the other work's, not the task's hours."""
    t0 = 1_800_000_000.0
    events: list[Event] = []
    cases: list[str] = []
    for k, (dt, case) in enumerate([(0, "a"), (4, "a"), (9, "a"), (20, "b"), (50, "b"), (140, "b"), (145, "a"),
                                    (151, "a"), (170, "b"), (172, "b")]):
        step = cases.count(case)   # both cases take the same five steps: one task type
        events.append(Event(t0 + dt, "emp-1", "ERP", "Form", Action.CLICK, f"field{step}", source_row=k))
        cases.append(case)
    result = analyze(events, Params(workers=1), cases=cases).result
    seconds = {round(i.start - t0): i.seconds for i in result.instances}
    assert seconds == {0: (9 - 0) + (151 - 145), 20: (140 - 20) + (172 - 170)}
    assert result.summary.hours_in_tasks == round((15 + 122) / 3600, 3)


def test_a_pause_inside_an_instance_counts_no_time_as_in_every_other_hour_figure() -> None:
    """One rule for time that counts: a 20-minute coffee break inside an order look-up (shorter than the
    segmentation's session gap, so the instance goes on) is not 20 minutes of order look-up. The instance's
    seconds are what the dashboard (`event_seconds`) and the admin report (`user_usage`) credit to the same
    events; before, the instance counted the break and the application hours did not."""
    t0 = 1_800_000_000.0
    times = [(0, "a"), (6, "a"), (6 + 1200, "a"), (1210, "a"), (1215, "a"),     # a coffee break after step 2
             (1240, "b"), (1250, "b"), (1250 + ACTIVE_GAP, "b"), (1560, "b"), (1561, "b")]   # a pause of ACTIVE_GAP counts
    events = [Event(t0 + dt, "emp-1", "ERP", "Order", Action.CLICK, f"field{[c for _, c in times[:k]].count(case)}",
                    source_row=k) for k, (dt, case) in enumerate(times)]
    a = analyze(events, Params(workers=1), cases=[c for _, c in times])
    seconds = {round(i.start - t0): i.seconds for i in a.result.instances}
    assert seconds == {0: 6 + 4 + 5, 1240: 10 + ACTIVE_GAP + 10 + 1}
    ts = np.array([e.ts for e in a.events])
    credited = event_seconds(ts, np.zeros(len(ts), dtype=np.int64))
    for i, inst in enumerate(a.result.instances):
        assert inst.seconds == pytest.approx(credited[a.task == i][:-1].sum())   # the same rule, event by event
    usage = user_usage("emp-1", ts, [e.app for e in a.events])["ERP"]
    assert usage.seconds == pytest.approx(sum(seconds.values()) + 25)         # and the 25 s between the two


def test_instance_seconds_skips_gaps_and_time_running_backwards() -> None:
    ts = np.array([0.0, 5.0, 7.0, 30.0, 31.0, 25.0, 26.0])   # a second recording begins at 25
    pos = np.array([3, 4, 5, 9, 10, 11, 12])                  # two parts: events 6-8 between them were other work
    assert instance_seconds(ts, pos, 2.0) == (7 - 0) + (1 + 0 + 1) + 2.0
    assert instance_seconds(ts, np.arange(7), 0.0) == 7 + 23 + 1 + 0 + 1   # one run: all of it counts
    assert instance_seconds(ts[:1], pos[:1], 3.0) == 3.0


def test_segmenting_on_worker_processes_gives_the_same_analysis(planted, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Users go to the workers the largest first and come back in order (while this process imports what the
    types need), and the routines are mined on a process of their own: the result is the serial one."""
    from tasklens.analyzer import pipeline

    pairs, a = planted
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 0)   # a small log, on the worker processes all the same
    beside, apart, warmed = pipeline.beside, [], []
    monkeypatch.setattr(pipeline, "beside", lambda on, *job: apart.append(on) or beside(on, *job))
    monkeypatch.setattr(pipeline, "warm", lambda: warmed.append(True))   # the clustering's imports, meanwhile
    assert analyze([e for e, _ in pairs], Params(workers=2)).result.dumps() == a.result.dumps()
    assert apart == [True] and warmed == [True]


def _dies_apart(x: int) -> int:
    """`x` doubled here; on a helper process, the process dies first."""
    import multiprocessing
    import os
    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return 2 * x


def test_work_beside_is_done_here_when_its_process_dies() -> None:
    from tasklens.analyzer.pipeline import beside

    assert beside(True, _dies_apart, 21)() == 42
