"""`tasklens compare`: two generated periods where one routine changed report that change and nothing else."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import run_cli

from tasklens.analyzer.candidates import Candidate
from tasklens.analyzer.compare import compare, load_period
from tasklens.analyzer.result import AnalysisResult, Instance, Summary, TaskType, Variant
from tasklens.files import atomic_write

MONDAY = datetime(2026, 3, 2, 8, tzinfo=UTC).timestamp()
ROUTINES = {   # name -> (variants with weights, median seconds, instances per working day (team))
    "invoice entry": ([(("mail: open", "sap: vendor", "sap: amount", "sap: post"), 0.8),
                       (("mail: open", "sap: vendor", "sap: amount", "sap: text", "sap: post"), 0.2)], 120.0, 30),
    "order lookup": ([(("mail: read", "crm: search", "crm: status", "mail: reply"), 1.0)], 90.0, 25),
    "ticket triage": ([(("jira: assign", "jira: priority", "excel: log"), 0.6),
                       (("jira: assign", "excel: log"), 0.4)], 60.0, 20),
}
NEW_STEPS = ("mail: open", "portal: download", "sap: vendor", "sap: amount", "sap: post")
CHAT = ("teams: type", "teams: enter")   # chat grouped into a task type: no routine, how it clusters moves


def period(seed: int, changed: bool, days: int = 10, automated: float = 1.0) -> AnalysisResult:
    """Instances of the three routines over `days` working days; `changed`: invoice entry has a new variant
    at 30 % and takes 40 % less time; `automated`: the share of order look-ups still done by people."""
    rng = random.Random(seed)
    r = AnalysisResult()
    for t, (name, (variants, median, per_day)) in enumerate(ROUTINES.items()):
        if changed and name == "invoice entry":
            variants = [(v, w * 0.7) for v, w in variants] + [(NEW_STEPS, 0.3)]
            median *= 0.6
        rate = per_day * (automated if name == "order lookup" else 1.0)
        ids = []
        for v, _ in variants:
            ids.append(len(r.variants))
            r.variants.append(Variant(len(r.variants), t, v, 0))
        for day in range(days):
            start = MONDAY + (day // 5 * 7 + day % 5) * 86400
            for _ in range(max(0, round(rng.gauss(rate, rate ** 0.5)))):
                k = rng.choices(range(len(variants)), [w for _, w in variants])[0]
                begin = start + rng.uniform(0, 8 * 3600)
                r.instances.append(Instance(len(r.instances), "emp01", begin,
                                            begin + median * rng.lognormvariate(0, 0.4), t, ids[k], 5))
        r.task_types.append(TaskType(t, name, variants[0][0], 0, ["emp01"], 0.0, [], ids))
        r.candidates.append(Candidate(f"C{t + 1:02d}", t + 1, t, [], ["emp01"], 10.0, 12.5, 0.8, "high", 0.7, name=name,
                                      signature=variants[0][0]))
    chat = len(r.task_types)
    r.variants.append(Variant(len(r.variants), chat, CHAT, 0))
    for day in range(days):
        begin = MONDAY + (day // 5 * 7 + day % 5) * 86400
        for k in range(5 if changed else 40):
            r.instances.append(Instance(len(r.instances), "emp01", begin + 60 * k, begin + 60 * k + 20, chat,
                                        len(r.variants) - 1, 2))
    r.task_types.append(TaskType(chat, "chat", CHAT, 0, ["emp01"], 0.0, [], [len(r.variants) - 1]))
    r.summary = Summary(instances=len(r.instances))
    return r


def write(r: AnalysisResult, folder: Path) -> Path:
    folder.mkdir()
    atomic_write(folder / "report.json", r.dumps())
    return folder


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_changed_routine_is_the_only_drift(tmp_path: Path, seed: int) -> None:
    before = load_period(write(period(seed, False), tmp_path / "before"))
    after = load_period(write(period(seed + 100, True), tmp_path / "after"))
    assert before.working_days == after.working_days == 10
    result = compare(before, after)
    drift = {(c.task_type, c.measure) for c in result.drift()}
    assert {t for t, _ in drift} == {"invoice entry"}   # nothing about the routines that did not change
    measures = {m for _, m in drift}
    assert {"variant appeared", "step appeared", "median time"} <= measures
    assert measures <= {"variant appeared", "variant share changed", "step appeared", "step share changed", "median time"}
    step = next(c for c in result.drift() if c.measure == "step appeared")
    assert step.detail == "portal: download" and 0.2 < step.after < 0.4 and step.before == 0
    time = next(c for c in result.drift() if c.measure == "median time")
    assert 0.45 < time.after / time.before < 0.75
    new = next(c for c in result.drift() if c.measure == "variant appeared")
    assert new.detail == " > ".join(NEW_STEPS) and 0.2 < new.after < 0.4
    assert len(result.changes) > len(drift)   # the unchanged types were tested, and passed
    # order lookup has one variant: its steps are in every instance in both periods, no share that could differ
    assert not [c for c in result.changes if c.task_type == "order lookup" and c.measure.startswith(("step", "variant"))]
    assert [row.name for row in result.rows if not row.tested] == ["chat"]   # 40 -> 5 a day: no routine, not tested


def test_hours_saved_by_an_automated_type_against_its_estimate(tmp_path: Path) -> None:
    before = load_period(write(period(5, False), tmp_path / "before"))
    after = load_period(write(period(6, False, automated=0.2), tmp_path / "after"))
    result = compare(before, after, automated=["C02"])
    [saved] = result.savings
    true = 25 * 0.8 * 90 * 1.08 / 3600 * 21   # 80 % fewer look-ups; the lognormal's mean is 1.08x its median
    assert saved.estimate == 12.5 and saved.low < true < saved.high and saved.low > 0
    assert ("order lookup", "instances per working day") in {(c.task_type, c.measure) for c in result.drift()}


def test_the_command_prints_the_drift_and_refuses_a_folder_without_a_report(tmp_path: Path) -> None:
    write(period(1, False), tmp_path / "before")
    write(period(101, True), tmp_path / "after")
    done = run_cli("compare", str(tmp_path / "before"), str(tmp_path / "after"))
    assert done.returncode == 0, done.stderr
    assert "invoice entry" in done.stdout and "variant appeared" in done.stdout and "Holm" in done.stdout
    assert "not tested: 1 task type that" in done.stdout and "chat" not in done.stdout.split("Drift:")[1]
    bad = run_cli("compare", str(tmp_path / "before"), str(tmp_path))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "report.json" in bad.stderr


def batched(text_days: range, seed: int) -> AnalysisResult:
    """Ten working days of 30 invoice entries; on `text_days` every entry has a text line (a day's batch of one
    vendor's invoices), on the others none."""
    variants = [ROUTINES["invoice entry"][0][0][0], ROUTINES["invoice entry"][0][1][0]]
    rng = random.Random(seed)
    r = AnalysisResult(variants=[Variant(k, 0, v, 0) for k, v in enumerate(variants)])
    for day in range(10):
        start = MONDAY + (day // 5 * 7 + day % 5) * 86400
        for _ in range(30):
            begin = start + rng.uniform(0, 8 * 3600)
            r.instances.append(Instance(len(r.instances), "emp01", begin, begin + 120 * rng.lognormvariate(0, 0.4), 0,
                                        int(day in text_days), 5))
    r.task_types.append(TaskType(0, "invoice entry", variants[0], 0, ["emp01"], 0.0, [], [0, 1]))
    r.candidates.append(Candidate("C01", 1, 0, [], ["emp01"], 10.0, 12.5, 0.8, "high", 0.7, name="invoice entry",
                                  signature=variants[0]))
    return r


def test_a_share_that_moves_with_the_day_is_not_drift(tmp_path: Path) -> None:
    """7 of 10 days with the text line before, 3 of 10 after: what daily batches give by chance. Counted per
    instance (70 % against 30 % of 300) it would be drift; the working day is the unit, so it is not."""
    from scipy.stats import fisher_exact

    before = load_period(write(batched(range(7), 1), tmp_path / "before"))
    after = load_period(write(batched(range(3), 2), tmp_path / "after"))
    result = compare(before, after)
    text = next(c for c in result.changes if c.measure == "variant share changed" and "sap: text" in c.detail)
    assert (text.before, text.after) == (pytest.approx(0.7), pytest.approx(0.3))
    assert fisher_exact([[210, 90], [90, 210]]).pvalue < 1e-10 and text.p > 0.05
    assert result.drift() == []


def test_a_type_on_two_days_has_no_spread_to_test_against(tmp_path: Path) -> None:
    """A weekly task seen on two days in each period: every entry with the text line before, none after.
    Two days say nothing of how days differ, so this is listed, not called drift (MIN_DAYS)."""
    def two_days(text_days: range, seed: int) -> AnalysisResult:
        r = batched(text_days, seed)
        kept = [i for i in r.instances if i.start < MONDAY + 2 * 86400]
        r.instances = [replace(i, id=k) for k, i in enumerate(kept)]
        return r

    result = compare(load_period(write(two_days(range(10), 1), tmp_path / "before")),
                     load_period(write(two_days(range(0), 2), tmp_path / "after")))
    text = next(c for c in result.changes if c.measure == "variant vanished")
    assert (text.before, text.after, text.p) == (1.0, 0.0, 1.0) and result.drift() == []


Cut = Callable[[AnalysisResult, bool], AnalysisResult]


def _relabelled(r: AnalysisResult, after: bool) -> AnalysisResult:
    """A third of the invoice entries with the vendor's name kept in the mail step's label, the rest generalised:
    which title parts an analysis generalises depends on the data it saw."""
    rng = random.Random(7)
    general = {v.id: Variant(len(r.variants) + v.id, 0, tuple("mail: Invoice from * - Outlook" if s == "mail: open" else s
                                                              for s in v.steps), 0) for v in r.variants if v.task_type == 0}
    literal = {k: replace(v, id=v.id + len(general), steps=tuple(s.replace("*", "Kern & Sohn") for s in v.steps))
               for k, v in general.items()}
    r.variants += [*general.values(), *literal.values()]
    r.instances = [replace(i, variant=(literal if after and rng.random() < 1 / 3 else general)[i.variant].id)
                   if i.task_type == 0 else i for i in r.instances]
    r.task_types[0] = replace(r.task_types[0], signature=general[0].steps)
    return r


def _cut_off(r: AnalysisResult, after: bool) -> AnalysisResult:
    """After: every invoice entry's first step cut off into an instance of a mail task type of its own (no
    routine): the analysis cut the same work elsewhere."""
    if not after:
        return r
    mail = len(r.task_types)
    r.task_types.append(TaskType(mail, "mail", ("mail: open",), 0, ["emp01"], 0.0, [], [len(r.variants)]))
    r.variants.append(Variant(len(r.variants), mail, ("mail: open",), 0))
    rest = {v.id: len(r.variants) + k for k, v in enumerate(x for x in r.variants if x.task_type == 0)}
    r.variants += [Variant(rest[v.id], 0, v.steps[1:], 0) for v in r.variants if v.task_type == 0]
    heads = [Instance(0, i.user, i.start, i.start + 5, mail, len(r.variants) - len(rest) - 1, 1)
             for i in r.instances if i.task_type == 0]
    r.instances = [replace(i, start=i.start + 5, variant=rest[i.variant]) if i.task_type == 0 else i for i in r.instances]
    r.instances = [replace(i, id=k) for k, i in enumerate(r.instances + heads)]
    r.task_types[0] = replace(r.task_types[0], signature=r.variants[rest[0]].steps)
    return r


def _split(r: AnalysisResult, after: bool) -> AnalysisResult:
    """After: two in three order look-ups cut in two instances (mail, then CRM and the reply)."""
    if not after:
        return r
    rng = random.Random(7)
    [v] = [x for x in r.variants if x.task_type == 1]
    head, tail = Variant(len(r.variants), 1, v.steps[:1], 0), Variant(len(r.variants) + 1, 1, v.steps[1:], 0)
    r.variants += [head, tail]
    out = []
    for i in r.instances:
        if i.task_type == 1 and rng.random() < 2 / 3:
            middle = (i.start + i.end) / 2
            out += [replace(i, end=middle, variant=head.id), replace(i, start=middle, variant=tail.id)]
        else:
            out.append(i)
    r.instances = [replace(i, id=k) for k, i in enumerate(out)]
    return r


@pytest.mark.parametrize("cut", [_relabelled, _cut_off, _split])
def test_how_an_analysis_cut_the_same_work_is_not_drift(tmp_path: Path, cut: Cut) -> None:
    """The same work, cut differently by the after analysis: a step's label kept literal in a third of the
    instances, a type's first step typed apart, two in three of one routine's instances cut in two. Each was
    drift on the per-instance shares and counts; none is a change of the work."""
    before = load_period(write(cut(period(1, False), False), tmp_path / "before"))
    after = load_period(write(cut(period(101, False), True), tmp_path / "after"))
    result = compare(before, after)
    assert result.drift() == [], [(c.task_type, c.measure, c.detail, c.before, c.after, c.p) for c in result.drift()]
