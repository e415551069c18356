"""The analysis on awkward data: empty or tiny logs, stitched recordings whose time runs backwards.

Small hand-made logs with known answers; every case goes through the whole pipeline and the writers.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import Params, analyze
from tasklens.analyzer.segment import active_seconds, steady_times
from tasklens.events import Action, Event

ROUTINE = [("crm", Action.FOCUS, "", "Orders - CRM"), ("crm", Action.CLICK, "button:Search", "Orders - CRM"),
           ("crm", Action.TYPE, "field:Order", "Orders - CRM"), ("crm", Action.COPY, "", "Order {n} - CRM"),
           ("sheet", Action.FOCUS, "", "orders.xlsx"), ("sheet", Action.PASTE, "cell:B{n}", "orders.xlsx"),
           ("sheet", Action.KEY, "enter", "orders.xlsx")]


def _event(ts: float, step: tuple[str, Action, str, str], n: int, row: int, user: str = "u") -> Event:
    app, action, target, title = step
    return Event(ts, user, app, title.format(n=n), action, target.format(n=n), "", 0.0, 0, row)


def routine_log(instances: int, start: float = 1_800_000_000.0, user: str = "u", row: int = 0,
                seed: int = 0) -> tuple[list[Event], list[int]]:
    """`instances` runs of ROUTINE with pauses between them, and each event's true instance."""
    rng = random.Random(seed)
    events, truth, t = [], [], start
    for i in range(instances):
        n = rng.randrange(100000, 999999)
        for step in ROUTINE:
            events.append(_event(t, step, n, row + len(events), user))
            truth.append(i)
            t += rng.uniform(1.0, 4.0)
        t += rng.uniform(30.0, 90.0)
    return events, truth


def _edge_cases() -> dict[str, list[Event]]:
    one = ("app", Action.CLICK, "button:OK", "Window")
    return {
        "no events": [],
        "one row": [_event(0.0, one, 0, 0)],
        "one activity": [_event(float(i), one, 0, i) for i in range(60)],
        "one user, two activities": [_event(float(i), ROUTINE[i % 2], 0, i) for i in range(60)],
        "only idle": [Event(float(i), "u", "", "", Action.IDLE, "", "", 60.0, 0, i) for i in range(20)],
        "nothing recurs": [_event(float(i), ("app", Action.CLICK, f"b{i}", f"Window {chr(65 + i)}"), 0, i)
                           for i in range(26)],
        "one event per user": [_event(0.0, one, 0, 0), Event(1.0, "v", "app", "W", Action.CLICK, "x", "", 0, 0, 1)],
        "all at one instant": [_event(0.0, ROUTINE[i % 7], 0, i) for i in range(70)],
        "too few instances for a candidate": routine_log(3)[0],
    }


@pytest.mark.parametrize("name", list(_edge_cases()))
def test_no_traceback_and_a_reason_for_empty_outputs(name: str, tmp_path: Path) -> None:
    events = _edge_cases()[name]
    a = analyze(events)
    paths = write_all(a, tmp_path / "out")
    report = json.loads(paths["report.json"].read_text(encoding="utf-8"))
    assert report["summary"]["events"] == len(events)
    assert paths["events.csv"].read_text(encoding="utf-8").count("\n") == len(events) + 1
    if not report["candidates"]:
        assert report["summary"]["notes"], "an empty result says why"
    if not report["summary"]["instances"]:
        assert any("no task instances" in n or "no events" in n for n in report["summary"]["notes"])


def _stitched(parts: int = 3) -> tuple[list[Event], list[int]]:
    """Recordings of one routine appended in the input, each later one recorded half an hour before the
    previous one ended: sorted by time, their instances would interleave."""
    events, truth = [], []
    start = 1_800_000_000.0
    for k in range(parts):
        evs, tr = routine_log(12, start=start, row=len(events), seed=k)
        events += evs
        truth += [t + 100 * k for t in tr]
        start = evs[0].ts + 300.0 if k % 2 == 0 else evs[0].ts - 900.0
    return events, truth


def test_stitched_recordings_keep_their_input_order() -> None:
    events, truth = _stitched()
    assert sum(1 for x, y in zip(events, events[1:]) if y.ts < x.ts) == 2
    a = analyze(events)
    assert [e.source_row for e in a.events] == [e.source_row for e in events]
    assert len(a.result.instances) == len(set(truth))
    assert all(i.seconds >= 0 for i in a.result.instances)
    assert sum(1 for n in a.result.summary.notes if "backwards" in n) == 1 and "2 times" in a.result.summary.notes[0]
    by_time = analyze(events, Params(order="time"))
    assert [e.ts for e in by_time.events] == sorted(e.ts for e in events)
    assert "sorted by time" in by_time.result.summary.notes[0]


def test_a_lone_mistimed_row_neither_cuts_nor_goes_negative() -> None:
    ts = np.array([0.0, 1.0, 3601.0, 2.0, 3.0, 1.5, 4.0])   # one row an hour ahead, one lagging
    assert steady_times(ts).tolist() == [0.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0]
    assert active_seconds(ts) == 4.0
    assert active_seconds(np.array([10.0, 5.0, 4.0])) == 0.0
    events, truth = routine_log(10)
    late = events[17]
    events[17] = Event(late.ts + 3600, late.user, late.app, late.title, late.action, late.target, late.value,
                       late.duration, late.count, late.source_row)
    a = analyze(events)
    assert len(a.result.instances) == 10
    assert max(i.seconds for i in a.result.instances) < 60


def test_unknown_order_is_refused() -> None:
    with pytest.raises(ValueError, match="order must be one of"):
        analyze(routine_log(5)[0], Params(order="random"))


WEEKLY = [("sap", Action.FOCUS, "", "Sales Analysis: Week {n} - SAP"), ("sap", Action.CLICK, "button:Execute", "Sales"),
          ("sap", Action.CLICK, "button:Export", "Sales"), ("excel", Action.FOCUS, "", "week{n}.xlsx"),
          ("excel", Action.COPY, "cell:Total", "week{n}.xlsx"), ("ppt", Action.FOCUS, "", "Weekly review {n}"),
          ("ppt", Action.PASTE, "shape:Chart", "Weekly review {n}"), ("mail", Action.CLICK, "button:Send", "Review")]


def test_a_weekly_routine_twice_per_person_is_found_across_the_team() -> None:
    """Two instances per person are too few to find in anyone's own events; eight across four are not."""
    rng = random.Random(5)
    events: list[Event] = []
    weekly_rows: set[int] = set()
    for u in range(4):
        t = 1_800_000_000.0 + u
        evs, _ = routine_log(20, start=t, user=f"u{u}", row=len(events), seed=u)
        for k in (6, 14):   # two weekly reviews between the daily routine's instances
            at = k * len(ROUTINE)
            gap_start = evs[at - 1].ts + 20.0
            insert = []
            for j, step in enumerate(WEEKLY):
                insert.append(_event(gap_start + 2.0 * j, step, rng.randrange(10, 52), 0, f"u{u}"))
            evs = evs[:at] + insert + [Event(e.ts + 60.0, e.user, e.app, e.title, e.action, e.target, e.value,
                                             e.duration, e.count, 0) for e in evs[at:]]
        for e in evs:
            row = len(events)
            if e.app in ("sap", "excel", "ppt", "mail"):
                weekly_rows.add(row)
            events.append(Event(e.ts, e.user, e.app, e.title, e.action, e.target, e.value, e.duration, e.count, row))
    a = analyze(events)
    types = {a.result.instances[int(t)].task_type for e, t in zip(a.events, a.task) if e.source_row in weekly_rows and t >= 0}
    assert len(types) == 1
    weekly = next(c for c in a.result.candidates if c.task_type in types)
    assert len(weekly.instances) == 8 and len(weekly.users) == 4
