"""Exception instances on small hand-made task types: one case per kind, and the analyst's threshold."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tasklens.analyzer import exceptionmarks
from tasklens.analyzer.exceptions import Finding, Instance, exceptions, instances_of, review, score_type, threshold
from tasklens.errors import InputFormatError

FLOW = (("Mail", "Open mail"), ("Excel", "Copy amount"), ("SAP", "Paste amount"), ("SAP", "Attach"),
        ("SAP", "Save"), ("Mail", "Reply"))


def make(key: str, steps: list[tuple[str, str]], rng: random.Random, gap: float = 5.0,
         pause_before: int = -1) -> Instance:
    times = [0.0]
    for k in range(1, len(steps)):
        times.append(times[-1] + gap * rng.uniform(0.8, 1.2) + (900.0 if k == pause_before else 0.0))
    return Instance(key, tuple(s for _, s in steps), tuple(a for a, _ in steps), tuple(times))


def usual(n: int = 30, seed: int = 1) -> list[Instance]:
    rng = random.Random(seed)
    return [make(f"n{i}", list(FLOW), rng) for i in range(n)]


def judge(odd: Instance) -> tuple[Finding, list[Finding]]:
    """The odd instance's finding among 30 usual ones, and the usual ones flagged."""
    found = {f.key: f for f in score_type([*usual(), odd])}
    return found.pop(odd.key), [f for f in found.values() if f.flagged()]


@pytest.mark.parametrize(("steps", "kind", "words"), [
    ([FLOW[0], FLOW[1], FLOW[2], FLOW[5]], "skipped", "steps 'Attach' and 'Save' skipped"),
    ([FLOW[0], FLOW[1], ("SAP", "Print"), *FLOW[2:]], "inserted", "step 'Print' inserted"),
    ([*FLOW[:3], FLOW[2], *FLOW[3:]], "repeated", "step 'Paste amount' repeated"),
    ([FLOW[0], ("Slack", "Chat"), *FLOW[1:]], "application", "step 'Chat' in 'Slack'"),
])
def test_a_changed_flow_is_flagged_and_named(steps: list[tuple[str, str]], kind: str, words: str) -> None:
    verdict, others = judge(make("odd", steps, random.Random(9)))
    assert verdict.flagged() and kind in verdict.kinds
    assert words in verdict.reason
    assert others == []


def test_a_slow_instance_says_how_much_slower() -> None:
    verdict, others = judge(make("odd", list(FLOW), random.Random(9), gap=20.0))
    assert verdict.flagged() and verdict.kinds == ("slow",)
    times = re.fullmatch(r"(\d+\.\d)x the usual time", verdict.reason)
    assert times and 3.4 <= float(times[1]) <= 4.6   # 4x the gaps, each drawn 0.8-1.2x
    assert others == []


def test_a_long_pause_is_named_with_the_step_it_came_before() -> None:
    verdict, _ = judge(make("odd", list(FLOW), random.Random(9), pause_before=4))
    assert verdict.flagged() and "pause" in verdict.kinds
    assert verdict.kinds == ("pause",)   # the pause is why it took long: one reason, not two
    assert re.fullmatch(r"a pause of 15\.\d min before 'Save'", verdict.reason)


def test_optional_steps_and_their_mixes_are_not_exceptions() -> None:
    rng = random.Random(3)
    instances = []
    for i in range(60):
        steps = [FLOW[0], FLOW[1], FLOW[2]] + ([FLOW[3]] if i % 2 else []) + [FLOW[4]] \
            + ([("Mail", "Forward")] if i % 3 == 0 else []) + [FLOW[5]]
        instances.append(make(f"i{i}", steps, rng))
    assert [f.reason for f in score_type(instances) if f.flagged()] == []


def test_a_type_too_small_to_have_a_usual_flow_is_not_judged() -> None:
    assert score_type(usual(5)) == []


def test_marks_move_the_threshold_and_override_single_instances() -> None:
    assert threshold([]) == 1.0
    raised = threshold([(1.5, False), (3.0, True)])
    assert 1.5 < raised <= 3.0
    lowered = threshold([(0.6, True), (0.2, False)])
    assert 0.2 < lowered <= 0.6
    found = score_type([*usual(), make("odd", [FLOW[0], *FLOW[2:]], random.Random(9))])
    assert [f.key for f in exceptions(found, {}, {})] == ["odd"]
    assert [f.key for f in exceptions(found, {}, {"structure": 2.0})] == []
    assert [f.key for f in exceptions(found, {"odd": False, "n3": True}, {})] == ["n3"]


def test_a_review_honours_marks_and_says_what_the_exceptions_look_like() -> None:
    rng = random.Random(9)
    odd = [make("skip1", [FLOW[0], *FLOW[2:]], rng), make("skip2", [FLOW[0], *FLOW[2:]], rng),
           make("slow", list(FLOW), rng, gap=30.0)]
    r = review([*usual(), *odd], {})
    assert sorted(f.key for f in r.exceptions) == ["skip1", "skip2", "slow"] and r.thresholds == {}
    assert r.rate == pytest.approx(3 / 33) and r.looks_like() == "2 with steps skipped, 1 slower than usual"
    marked = review([*usual(), *odd], {"slow": "normal", "n1": "exception", "elsewhere": "normal"})
    assert sorted(f.key for f in marked.exceptions) == ["n1", "skip1", "skip2"]
    assert set(marked.thresholds) == {"time"}   # skipped steps are still exceptions
    assert marked.thresholds["time"] > next(f.score for f in marked.findings if f.key == "slow")
    assert marked.marks == {"slow": "normal", "n1": "exception"}


def test_instances_are_built_from_event_columns_in_time_order() -> None:
    got = instances_of(task=[0, 1, 0, -1, 0], activity=[0, 1, 2, 0, 1], ts=[5.0, 1.0, 3.0, 2.0, 9.0],
                       apps=["a", "b", "c", "d", "e"], labels=["x", "y", "z"], keys={0: "u@t"})
    assert got[0] == Instance("u@t", ("z", "x", "y"), ("c", "a", "e"), (3.0, 5.0, 9.0))
    assert got[1].key == "1" and set(got) == {0, 1}


def test_marks_are_kept_beside_the_analysis_and_bad_files_named(tmp_path: Path) -> None:
    assert exceptionmarks.load(tmp_path) == {}
    k = exceptionmarks.key("emp01", 1_790_000_000.0)
    exceptionmarks.save(tmp_path, {k: "normal"})
    assert exceptionmarks.load(tmp_path) == {k: "normal"}
    (tmp_path / exceptionmarks.FILE).write_text('{"version": 1, "marks": {"x": "maybe"}}')
    with pytest.raises(InputFormatError, match="exception-marks.json: bad exception marks"):
        exceptionmarks.load(tmp_path)


def test_an_analysis_cases_come_from_event_columns_and_honour_marks() -> None:
    from tasklens.analyzer.exceptioncases import find
    from tasklens.analyzer.result import Instance as Run

    rng = random.Random(2)
    flows = [list(FLOW)] * 20 + [[FLOW[0], *FLOW[2:]]]   # the last one skips 'Copy amount'
    labels = sorted({s for _, s in FLOW})
    runs, task, activity, ts, apps = [], [], [], [], []
    for i, flow in enumerate(flows):
        inst = make(str(i), flow, rng)
        start = 1_790_000_000.0 + 3600 * i
        runs.append(Run(i, "emp01", start, start + inst.times[-1], 0, 0, len(flow)))
        for (app, step), t in zip(flow, inst.times):
            task.append(i)
            activity.append(labels.index(step))
            ts.append(start + t)
            apps.append(app)
    cases, reviews = find(runs, task, activity, ts, apps, labels, {})
    assert [c.instance for c in cases] == [20] and cases[0].reason == "step 'Copy amount' skipped"
    assert cases[0].key == exceptionmarks.key("emp01", runs[20].start) and cases[0].usual == tuple(s for _, s in FLOW)
    assert reviews[0].rate == pytest.approx(1 / 21)
    cases, reviews = find(runs, task, activity, ts, apps, labels, {cases[0].key: "normal"})
    assert [(c.instance, c.mark) for c in cases] == [(20, "normal")] and reviews[0].exceptions == []


@pytest.fixture(scope="module")
def planted() -> list:
    """A week of ten people's work with planted routines (analyzer/synthetic.py)."""
    from tasklens.analyzer import synthetic

    return [e for e, _ in synthetic.generate(users=10, days=5, routines=4, seed=1)]


def _marked_rows(folder: Path) -> set[str]:
    import csv

    with open(folder / "events.csv", newline="", encoding="utf-8") as f:
        return {r["task_id"] for r in csv.DictReader(f) if r["exception"] == "1"}


def test_an_analysis_reports_its_exceptions_and_honours_the_analysts_judgment(planted: list, tmp_path: Path) -> None:
    from tasklens.analyzer.decisions import Decisions
    from tasklens.analyzer.outputs import write_all
    from tasklens.analyzer.pipeline import analyze
    from tasklens.analyzer.result import AnalysisResult

    first = analyze(planted)
    cases = first.result.exceptions
    assert cases and all(c.reason and c.score >= 1 and not c.mark for c in cases)
    out = tmp_path / "analysis"
    write_all(first, out)
    assert AnalysisResult.read(out).exceptions == cases
    assert _marked_rows(out) == {str(c.instance) for c in cases}
    for cand in first.result.candidates:
        n = len(cand.instances)
        own = sum(1 for c in cases if c.task_type == cand.task_type)
        assert cand.hand_back_rate == pytest.approx(own / n, abs=0.002)
        assert "hand back" in cand.rationale and cand.effort_hours > 0 and "effort" in cand.assumptions

    judged = cases[0]
    exceptionmarks.save(out, {judged.key: "normal"})
    chosen = first.result.candidates[0]
    decisions = Decisions()
    decisions.set_effort(chosen.signature, 40.0)
    again = analyze(planted, decisions=decisions, marks=exceptionmarks.load(out))
    kept = {c.key: c for c in again.result.exceptions}
    assert kept[judged.key].mark == "normal"
    write_all(again, out)
    assert (out / exceptionmarks.FILE).is_file()   # kept with the analysis when it is rebuilt
    assert str(kept[judged.key].instance) not in _marked_rows(out)
    [redone] = [c for c in again.result.candidates if c.signature == chosen.signature]
    assert redone.effort_hours == 40.0 and redone.effort_formula.startswith("set by the analyst: 40 h")
