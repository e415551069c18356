"""Segmentation against ground truth: the research logs' traces, flattened, must come back."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from fakes import unmasked
from sklearn.metrics import adjusted_rand_score

from tasklens.analyzer.activities import label_all, template
from tasklens.analyzer.loaders import load
from tasklens.analyzer.segment import SegmentParams, consistency, segment_stream
from tasklens.events import Event

UILOGS = Path("/work/shared/data/uilogs/leno-rpm-segmentator")
needs_uilogs = pytest.mark.skipif(not UILOGS.is_dir(), reason="shared UI logs not present")   # only tests that read them


def _segment(events: list[Event]) -> np.ndarray:
    acts, names = label_all(events)
    ts = np.array([e.ts for e in events])
    apps = np.unique([e.app for e in events], return_inverse=True)[1]
    task, _ = segment_stream(ts, acts, apps, np.zeros(len(events), bool), len(names), SegmentParams())
    return task


def _truth(name: str) -> tuple[list[Event], list[str]]:
    path = UILOGS / "synthetic_cpn_xes" / f"{name}.xes"
    traces = load(path)
    case_of = dict(zip((r.source_row for r in traces.raws), traces.cases or []))
    flat = load(path, unsegment=True)
    return unmasked(flat.raws), [case_of[r.source_row] for r in flat.raws]


@needs_uilogs
@pytest.mark.parametrize("name", ["log1", "log4", "log5", "log6"])
def test_flattened_simulated_logs_are_segmented_back(name: str) -> None:
    events, truth = _truth(name)
    task = _segment(events)
    assert adjusted_rand_score(truth, task) >= 0.95
    assert (task >= 0).mean() > 0.98


@needs_uilogs
@pytest.mark.parametrize("name", ["StudentRecord", "Reimbursement"])
def test_real_recordings_give_the_known_instance_count(name: str) -> None:
    loaded = load(UILOGS / "real_ui_logs" / f"{name}.csv")
    task = _segment(unmasked(loaded.raws))
    found = len(set(task.tolist()) - {-1})
    assert abs(found - 50) <= 5, found


@needs_uilogs
def test_mixed_task_types_in_one_stream() -> None:
    """Traces of two different routines interleaved at random, as one person's day."""
    rng = random.Random(3)
    a, ta = _truth("log1")
    b, tb = _truth("log6")
    traces: dict[str, list[Event]] = {}
    for e, t in list(zip(a, ("a" + x for x in ta)))[:700] + list(zip(b, ("b" + x for x in tb)))[:1500]:
        traces.setdefault(t, []).append(e)
    order = list(traces)
    rng.shuffle(order)
    events, truth, clock = [], [], 0.0
    for t in order:
        base = traces[t][0].ts
        for e in traces[t]:
            events.append(Event(clock + e.ts - base, "u", e.app, e.title, e.action, e.target, e.value))
            truth.append(t)
        clock = events[-1].ts + rng.uniform(8, 15)
    assert adjusted_rand_score(truth, _segment(events)) >= 0.9


def test_under_cutting_is_less_consistent_and_over_cutting_is_not_chosen() -> None:
    rng = np.random.default_rng(0)
    routine = [0, 1, 2, 3, 4, 5]
    acts = np.array(routine * 30)
    merged = np.zeros(len(acts), bool)
    merged[::12] = True
    assert consistency(acts, acts == 0, 6) > consistency(acts, merged, 6)
    # a pause before each instance; cutting also at step 3 (halves) would look as consistent
    gaps = np.where(acts == 0, 20.0, 2.0) + rng.uniform(0, 1, len(acts))
    task, starts = segment_stream(np.cumsum(gaps), acts, np.zeros(len(acts), int), np.zeros(len(acts), bool), 6)
    assert starts == [0]
    assert len(set(task.tolist())) == 30


def test_templates_generalise_instance_data_but_keep_the_step() -> None:
    assert template("Order 482913 - <PERSON> - CRM") == template("Order 771020 - <PERSON> - CRM")
    assert template("https://crm.example.com/orders?customer=C123") == "https://crm.example.com/orders?customer=*"
    assert template("Enter Vendor Invoice - SAP") != template("Display Vendor - SAP")
