"""Streaming analysis of a merged dataset gives what the in-memory pipeline gives on the same events."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasklens.analyzer.dataset import Dataset
from tasklens.analyzer.pipeline import Params, analyze
from tasklens.analyzer.run import dedupe
from tasklens.analyzer.stream import analyze_dataset
from tasklens.events import Action, Event
from tasklens.simulate import simulate


@pytest.fixture(autouse=True)
def dataset_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TASKLENS_KEY", "ef" * 32)


def _events(employees: int, days: int, seed: int) -> list[Event]:
    return [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count,
                  element_path=r.element_path) for r, _ in simulate(employees=employees, days=days, seed=seed)]


def _merged(tmp_path: Path, inputs: list[list[Event]]) -> Dataset:
    ds = Dataset(tmp_path / "ds", create=True)
    for k, evs in enumerate(inputs):
        ds.add(f"input{k}", "bundle", evs)
    return Dataset(tmp_path / "ds")


@pytest.mark.parametrize("order", ["input", "time"])
def test_same_instances_types_candidates_and_hours_as_in_memory(tmp_path: Path, order: str) -> None:
    evs = _events(5, 2, seed=4)
    # three inputs: each user's events split across two of them, and one exported twice
    a, b = evs[: len(evs) // 2], evs[len(evs) // 2:]
    twice = [e for e in evs if e.user == evs[0].user][:500]
    params = Params(workers=1, order=order)
    memory = analyze(dedupe(a + b + twice)[0], params).result
    streamed = analyze_dataset(_merged(tmp_path, [a, b, twice]), params)
    assert streamed.duplicates == len(twice)
    assert memory.summary.candidates > 0 and memory.summary.instances > 100   # the log holds work to find
    assert streamed.result.instances == memory.instances
    assert streamed.result.task_types == memory.task_types
    assert streamed.result.variants == memory.variants
    assert streamed.result.candidates == memory.candidates
    assert streamed.result.routines == memory.routines
    assert streamed.result.process_map == memory.process_map
    assert streamed.result.start_activities == memory.start_activities
    assert streamed.result.summary == memory.summary          # hours, counts, span, notes
    assert streamed.result.dumps() == memory.dumps()           # report.json, byte for byte


def test_time_running_backwards_is_noted_as_in_memory(tmp_path: Path) -> None:
    evs = _events(2, 1, seed=6)
    late = [Event(e.ts - 600 if k % 97 == 5 else e.ts, e.user, e.app, e.title, e.action, e.target, e.value,
                  e.duration, e.count, element_path=e.element_path) for k, e in enumerate(evs)]
    memory = analyze(late, Params(workers=1)).result
    streamed = analyze_dataset(_merged(tmp_path, [late]), Params(workers=1)).result
    assert any("backwards" in n for n in memory.summary.notes)
    assert streamed.summary == memory.summary and streamed.instances == memory.instances


def test_only_idle_marks_say_why_nothing_was_found(tmp_path: Path) -> None:
    idle = [Event(1_800_000_000.0 + 60 * k, "emp-1", "", "", Action.IDLE) for k in range(30)]
    memory = analyze(idle, Params(workers=1)).result
    streamed = analyze_dataset(_merged(tmp_path, [idle]), Params(workers=1))
    assert streamed.result.summary == memory.summary
    assert streamed.result.summary.notes and "idle" in streamed.result.summary.notes[0]


def test_users_only_signed_bundles_hold_are_signed(tmp_path: Path) -> None:
    evs = _events(2, 1, seed=8)
    one, two = sorted({e.user for e in evs})
    ds = Dataset(tmp_path / "ds", create=True)
    ds.add("b", "bundle", evs)
    ds.add("c", "csv", [e for e in evs if e.user == two][:10])
    assert analyze_dataset(Dataset(tmp_path / "ds"), Params(workers=1)).signed == {one}


def test_users_segmented_on_two_processes_give_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tasklens.analyzer.stream as stream

    monkeypatch.setattr(stream, "PARALLEL_FROM", 0)   # a small log, on the worker processes all the same
    evs = _events(6, 1, seed=9)
    ds = _merged(tmp_path, [evs])
    assert (analyze_dataset(ds, Params(workers=2)).result.dumps()
            == analyze_dataset(ds, Params(workers=1)).result.dumps().replace('"workers": 1', '"workers": 2'))
