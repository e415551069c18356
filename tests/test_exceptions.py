"""Exception instances on small hand-made task types: one case per kind, and the analyst's threshold."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from tasklens.analyzer import exceptionmarks
from tasklens.analyzer.candidates import TypeFacts
from tasklens.analyzer.exceptions import Finding, Instance, exceptions, instances_of, review, score_type, threshold
from tasklens.analyzer.result import AnalysisResult
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
    assert reviews[0].rate == pytest.approx(1 / 21) and reviews[0].judged == 21
    assert reviews[0].findings == []   # slim: no finding per instance is held once the cases are listed
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

    first = analyze(planted)
    cases = first.result.exceptions
    assert cases and all(c.reason and c.score >= 1 and not c.mark for c in cases)
    out = tmp_path / "analysis"
    write_all(first, out)
    assert AnalysisResult.read(out).exceptions == cases
    raw = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"task_type", "score", "reason", "kinds"} <= set(raw["exceptions"][0])   # per type, with score and reason
    assert all("exception_rate" in t and "exception_instances" in t for t in raw["task_types"])
    assert _marked_rows(out) == {str(c.instance) for c in cases}
    for cand in first.result.candidates:
        n = len(cand.instances)
        own = sum(1 for c in cases if c.task_type == cand.task_type)
        assert cand.hand_back_rate == pytest.approx(own / n, abs=0.002)
        assert "hand back" in cand.rationale and cand.effort_hours > 0 and "effort" in cand.assumptions
    _hours_saved_leave_exceptions_out(first.result, len({int(e.ts // 86400) for e in planted}))
    _report_html_shows_return_and_exceptions(out)

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


def _columns(flows: list[list[tuple[str, str]]], gaps: list[float]) -> tuple[list, list[int], list[int], list[float],
                                                                               list[str], list[str]]:
    """Result instances and per-event columns (task, activity, ts, app) for flows of one user, an hour apart."""
    from tasklens.analyzer.result import Instance as Run

    labels = sorted({s for _, s in FLOW} | {s for f in flows for _, s in f})
    runs, task, activity, ts, apps = [], [], [], [], []
    variants: list[tuple[int, ...]] = []
    for i, (flow, gap) in enumerate(zip(flows, gaps)):
        inst = make(str(i), flow, random.Random(i), gap=gap)
        start = 1_790_000_000.0 + 3600 * i
        seq = tuple(labels.index(s) for _, s in flow)
        if seq not in variants:
            variants.append(seq)
        runs.append(Run(i, "emp01", start, start + inst.times[-1], 0, variants.index(seq), len(flow)))
        for (app, step), t in zip(flow, inst.times):
            task.append(i)
            activity.append(labels.index(step))
            ts.append(start + t)
            apps.append(app)
    return runs, task, activity, ts, apps, labels, variants


def _facts(runs: list, variants: list[tuple[int, ...]]) -> TypeFacts:
    from collections import Counter

    from tasklens.events import Action

    counts = Counter(r.variant for r in runs)
    return TypeFacts(0, [(variants[v], n) for v, n in counts.most_common()], [r.id for r in runs], {"emp01"},
                     sum(r.seconds for r in runs), Counter({Action.PASTE: 10, Action.CLICK: 10}), {"Mail", "Excel", "SAP"},
                     rework_instances=0, decision_points=0, working_days=21.0, median_events=6.0, usual_steps=6,
                     order=1.0, team_days=21.0, team_user_days=21.0)


def test_hours_saved_leave_the_exception_instances_time_to_people() -> None:
    """40 usual runs, one of them 6x slow (an exception in the usual variant), and one that skips a step (an
    exception in a variant of its own, too rare to be automated anyway): hours saved are the time of the
    39 usual, unexceptional runs x 80 %, not the time x coverage x (1 - exception rate), which would count the
    skipped one twice and the slow one by count, not by its time."""
    from tasklens.analyzer.candidates import rank
    from tasklens.analyzer.exceptioncases import find, measured
    from tasklens.analyzer.result import TaskType

    flows = [list(FLOW)] * 40 + [[FLOW[0], *FLOW[2:]]]
    gaps = [5.0] * 39 + [30.0, 5.0]
    runs, task, activity, ts, apps, labels, variants = _columns(flows, gaps)
    cases, reviews = find(runs, task, activity, ts, apps, labels, {})
    assert sorted(c.instance for c in cases) == [39, 40]
    facts = [_facts(runs, variants)]
    types = [TaskType(0, "invoice", tuple(s for _, s in FLOW), len(runs), ["emp01"], 0.0, [], [0, 1])]
    assert measured(facts, types, reviews, runs, variants) == []
    assert types[0].exception_instances == 2 and types[0].exception_rate == pytest.approx(2 / 41, abs=1e-4)
    [cand] = rank(facts)
    kept = sum(r.seconds for r in runs[:39])          # team_days = 21: a month's hours are the hours observed
    assert cand.hours_saved_per_month_team == pytest.approx(0.8 * kept / 3600, abs=0.005)
    assert cand.score_parts["rework_rate"] == pytest.approx(2 / 41, abs=0.001)   # the measured exception rate
    shares = sum(r.seconds for r in runs) * (40 / 41) * (1 - 2 / 41) * 0.8 / 3600   # the old rule, for contrast
    assert abs(cand.hours_saved_per_month_team - shares) > 0.01


def test_a_type_too_small_to_judge_is_counted_and_keeps_the_rework_rule() -> None:
    from tasklens.analyzer.exceptioncases import find, measured
    from tasklens.analyzer.result import TaskType

    flows = [list(FLOW)] * 6 + [[*FLOW[:3], FLOW[2], *FLOW[3:]]]   # 7 instances, one repeats a step
    runs, task, activity, ts, apps, labels, variants = _columns(flows, [5.0] * 7)
    cases, reviews = find(runs, task, activity, ts, apps, labels, {})
    assert cases == [] and reviews[0].judged == 0
    facts = [_facts(runs, variants)]
    facts[0].rework_instances = 1
    types = [TaskType(0, "invoice", tuple(s for _, s in FLOW), len(runs), ["emp01"], 0.0, [], [0, 1])]
    [note] = measured(facts, types, reviews, runs, variants)
    assert note.startswith("not judged for exceptions (fewer than 8 instances each") and "1 task type, 7 instances" in note
    assert types[0].exception_rate is None and facts[0].rework_instances == 1 and facts[0].kept_seconds == []


def _hours_saved_leave_exceptions_out(r: AnalysisResult, team_days: int) -> None:
    """Each candidate's team hours saved = the time of its instances in automated variants (>= 5 % of the
    type) that are not exceptions x 80 % x 21 / the team's working days; each type states its rate."""
    exceptional = {c.instance for c in r.exceptions if c.mark != "normal"}
    for t in r.task_types:
        own = [i for i in r.instances if i.task_type == t.id]
        assert t.exception_instances == sum(1 for i in own if i.id in exceptional)
        assert t.exception_rate == pytest.approx(t.exception_instances / len(own), abs=1e-4)
    for cand in r.candidates:
        own = [i for i in r.instances if i.task_type == cand.task_type]
        kept = sum(i.seconds for i in own if r.variants[i.variant].instances >= 0.05 * len(own) and i.id not in exceptional)
        assert cand.hours_saved_per_month_team == pytest.approx(kept / 3600 * 21 / team_days * 0.8, abs=0.006)
        assert cand.score_parts["rework_rate"] == pytest.approx(cand.hand_back_rate, abs=0.001)


def _report_html_shows_return_and_exceptions(folder: Path) -> None:
    """report.html: per candidate hand-back rate, what the cases look like, build hours, upkeep and payback
    beside hours saved; per task type its exception rate, and for candidates' types the top case's reason."""
    from html import escape

    page = (folder / "report.html").read_text(encoding="utf-8")
    r = AnalysisResult.read(folder)
    ret = page[page.index("<h2>Return on automation</h2>"):page.index("<h2>Exceptions</h2>")]
    for c in r.candidates:
        row = ret[ret.index(f"<td>{c.id}</td>"):]
        row = row[:row.index("</tr>")]
        cells = re.findall(r"<td[^>]*>(?:<b>)?(.*?)(?:</b>)?</td>", row)
        payback = "never" if c.payback_months is None else f"{c.payback_months:.1f}"
        rule = " (rework rule)" if r.task_type(c.task_type).exception_rate is None else ""
        assert cells[2:] == [f"{c.hours_saved_per_month_team:.1f}", f"{c.hand_back_rate:.0%}{rule}",
                             escape(c.hand_back_cases) or "&mdash;", f"{c.effort_hours:.0f}",
                             f"{c.maintain_hours_per_month:.1f}", payback]
        assert escape(c.effort_formula) in ret
    assert "h (one developer)" in ret and "h/month (team)" in ret and "% of instances" in ret
    exc = page[page.index("<h2>Exceptions</h2>"):]
    for t in r.task_types:
        if t.exception_instances:
            assert escape(t.name) in exc and f"{t.exception_rate:.0%}" in exc
    tops = [next((x for x in r.exceptions if x.task_type == c.task_type and x.mark != "normal"), None)
            for c in r.candidates]
    assert any(tops) and all(escape(top.reason) in exc for top in tops if top)


def test_each_variant_is_aligned_to_its_usual_one_once_not_each_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring looked through every variant of the type and aligned each instance to the usual ones afresh:
    instances x variants, 20 s of a 2M-event analysis' 129 and most of a 10M one's routines stage. The
    findings are the same when the alignment is found once per variant."""
    from tasklens.analyzer import exceptions as module

    rng = random.Random(3)
    rare = [make(f"r{i}", [*FLOW[:2], ("SAP", f"Note {i}"), *FLOW[2:]], rng) for i in range(40)]   # 40 variants
    batch = [*usual(60), *rare, *usual(60, seed=2)]
    before = score_type(batch)
    calls: list[int] = []
    distance = module._distance

    def counted(a: tuple[str, ...], b: tuple[str, ...]) -> int:
        calls.append(1)
        return distance(a, b)
    monkeypatch.setattr(module, "_distance", counted)
    assert score_type(batch) == before
    assert len(calls) <= 41       # once per distinct variant against each usual one (one here), not 160 times
