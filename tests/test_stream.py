"""Streaming analysis of a merged dataset gives what the in-memory pipeline gives on the same events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tasklens.analyzer.dataset import Dataset
from tasklens.analyzer.pipeline import Params, analyze, pool_groups, pooled_groups, pooled_pass
from tasklens.analyzer.run import dedupe
from tasklens.analyzer.stream import analyze_dataset, labels_of, prepare
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


def test_labels_are_made_from_templates_not_from_every_title(tmp_path: Path) -> None:
    # organisation scale: a title per order number would make the labelling grow with events
    evs = [Event(1_800_000_000.0 + 10 * k, "emp-1", "firefox", f"Order {239_000 + k} - CRM", Action.FOCUS)
           for k in range(300)]
    ds = _merged(tmp_path, [evs])
    keys = prepare(ds.read(ds.user_dirs()[0]), "input").parts
    assert len(keys) == 1
    act_of, labels, _ = labels_of(keys)
    assert labels == ["firefox | focus | Order # - CRM"] and act_of == {keys[0]: 0}


def _leftovers(people: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Each person's events between tasks: a four-step routine three times among noise; person k's begin
    at second k, so `pooled_pass` reads them in order."""
    user, ts, acts = [], [], []
    for k in range(people):
        t = 1_800_000_000.0 + k
        for _ in range(3):
            for a in [*rng.integers(20, 40, 6).tolist(), 10, 11, 12, 13]:
                user.append(k)
                ts.append(t)
                acts.append(a)
                t += 5.0
            t += 3600.0
    n = len(ts)
    return (np.array(user), np.array(ts), np.array(acts, np.int32), np.zeros(n, np.int64),
            np.arange(n) - np.searchsorted(user, user))


def test_the_pooled_pass_over_groups_of_people_is_one_pass_per_group() -> None:
    user, ts, acts, apps, pos = _leftovers(9, np.random.default_rng(3))
    people = [(float(ts[user == k][0]), int((user == k).sum())) for k in range(9)]
    assert pool_groups(people, most=len(ts)) == [list(range(9))]
    assert pool_groups(people, most=len(ts) // 3) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]   # by first time, equal size
    assert pool_groups(people[::-1], most=len(ts) // 3) == [[6, 7, 8], [3, 4, 5], [0, 1, 2]]

    def load(group: list[int]) -> dict[str, np.ndarray]:
        at = np.flatnonzero(np.isin(user, group))
        return {"user": user[at], "ts": ts[at], "act": acts[at], "app": apps[at], "pos": pos[at]}
    p = Params().segment
    whole = pooled_pass(user, ts, acts, apps, pos, 40, p)
    one = list(pooled_groups(people, load, 40, p, most=len(ts)))
    assert whole is not None and len(one) == 1
    assert np.array_equal(one[0][1], whole[0]) and np.array_equal(one[0][2], whole[1]) and one[0][3] == whole[2]
    three = list(pooled_groups(people, load, 40, p, most=len(ts) // 3))
    assert [sorted(set(pool["user"].tolist())) for pool, *_ in three] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert all((local >= 0).sum() >= 9 for _, _, local, _ in three)   # the routine recurs within each group


def test_streamed_as_in_memory_with_the_pooled_pass_in_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tasklens.analyzer.pipeline as pipeline

    evs = _events(6, 2, seed=5)
    memory = analyze(evs, Params(workers=1))
    left = int((memory.task < 0).sum())
    monkeypatch.setattr(pipeline, "POOL_EVENTS", left // 3)   # three or four groups of people
    grouped = analyze(evs, Params(workers=1)).result
    assert grouped.dumps() != memory.result.dumps()              # the groups found other rare instances
    assert analyze_dataset(_merged(tmp_path, [evs]), Params(workers=1)).result.dumps() == grouped.dumps()


def _instances_of_copies(tmp_path: Path, evs: list[Event]) -> list[int]:
    """The instances found in 2 and in 6 copies of the same people's work (as other people: 3 x the
    instances), each analysed while tracemalloc traces."""
    import tracemalloc
    from dataclasses import replace

    found = []
    for copies in (2, 6):
        ds = _merged(tmp_path / str(copies), [[replace(e, user=f"{e.user}-{c}") for e in evs] for c in range(copies)])
        tracemalloc.start()
        try:
            found.append(analyze_dataset(ds, Params(workers=1)).result.summary.instances)
        finally:
            tracemalloc.stop()
    return found


def test_what_waits_for_the_result_is_a_few_numbers_an_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the result is built, the streamed analysis holds each instance as a few numbers (its events wait
    in the encrypted spill): as the organisation grows, memory grows by tens of bytes an instance and no
    Python object, not by an object, a position array and arrays of its events' times and apps (~900 bytes)."""
    import gc
    import tracemalloc

    import tasklens.analyzer.stream as stream

    evs = _events(3, 2, seed=4)
    held: list[tuple[int, int]] = []
    result = stream._result

    def measured(*args: object) -> object:   # what the analysis holds as the result begins
        gc.collect()
        held.append((tracemalloc.get_traced_memory()[0], len(gc.get_objects())))
        return result(*args)   # type: ignore[arg-type]
    monkeypatch.setattr(stream, "_result", measured)
    analyze_dataset(_merged(tmp_path / "warm", [evs]), Params(workers=1))   # imports and caches before measuring
    held.clear()
    found = _instances_of_copies(tmp_path, evs)
    more = found[1] - found[0]
    assert more > 2000
    print(held, found)
    assert (held[1][0] - held[0][0]) / more < 100   # bytes
    assert (held[1][1] - held[0][1]) / more < 0.2   # objects: those there are are the people's


def _peak_per_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> float:
    """How much the peak of one step of the streamed analysis (a function of `stream`, traced from where it
    begins) grows per instance between 2 and 6 copies of the same people's work, in bytes."""
    import tracemalloc

    import tasklens.analyzer.stream as stream

    evs = _events(3, 2, seed=4)
    peaks: list[int] = []
    traced = getattr(stream, step)

    def measured(*args: object) -> object:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        out = traced(*args)
        peaks.append(tracemalloc.get_traced_memory()[1] - start)
        return out
    monkeypatch.setattr(stream, step, measured)
    analyze_dataset(_merged(tmp_path / "warm", [evs]), Params(workers=1))   # imports and caches before measuring
    peaks.clear()
    found = _instances_of_copies(tmp_path, evs)
    return (peaks[1] - peaks[0]) / (found[1] - found[0])


def test_building_the_result_holds_each_instance_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the result is built, instances are held as a table of numbers (`InstanceTable`), never as an
    object each (a row, then an `Instance`), so the peak grows by tens of bytes an instance."""
    assert _peak_per_instance(tmp_path, monkeypatch, "_result") < 80   # 164 with objects, 24 as a table


def test_exception_signals_hold_a_type_as_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exception scoring holds a type's events as numbers (12 bytes an event) and builds each instance as
    it reads it, keeping the findings of exceptions only: an object per instance with its finding, for
    the largest type of a 28M-event organisation, was that analysis' peak."""
    assert _peak_per_instance(tmp_path, monkeypatch, "_exceptions") < 250   # 365 on the old code, 164 here
