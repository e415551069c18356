"""The typed result and analyst decisions across re-analyses: report.json reads back as the same object,
and a re-analysis that renumbers candidates and task types moves no decision to another one.

Hand-made, already segmented logs (`cases`), so which instance belongs to which routine is known exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasklens.analyzer import decisions as dec
from tasklens.analyzer.outputs import write_all
from tasklens.analyzer.pipeline import Analysis, analyze
from tasklens.analyzer.result import SCHEMA_VERSION, AnalysisResult
from tasklens.errors import InputFormatError
from tasklens.events import Action, Event

# three routines of five steps in their own applications: each becomes a task type and a candidate
ROUTINES = {name: [(f"{name}-app", action, f"button:{name}{k}", f"{name} window") for k, action in
                   enumerate((Action.FOCUS, Action.CLICK, Action.TYPE, Action.COPY, Action.PASTE))]
            for name in ("invoice", "order", "ticket")}


def log(counts: dict[str, int], users: int = 2) -> tuple[list[Event], list[str]]:
    """`counts[name]` instances of each routine, spread over `users` people and two days; one case each."""
    events: list[Event] = []
    cases: list[str] = []
    t = 1_800_000_000.0
    for name, n in counts.items():
        for i in range(n):
            user = f"emp-{i % users}"
            for app, action, target, title in ROUTINES[name]:
                events.append(Event(t + 86400 * (i % 2), user, app, title, action, target, "", 0.0, 0, len(events)))
                cases.append(f"{name}-{i}")
                t += 3.0
            t += 60.0
    return events, cases


def run(counts: dict[str, int], decisions: dec.Decisions | None = None) -> Analysis:
    events, cases = log(counts)
    return analyze(events, cases=cases, decisions=decisions)


def steps(name: str) -> tuple[str, ...]:
    """The signature a routine's task type has: its activity labels, from a first analysis."""
    r = run({name: 6}).result
    return r.task_types[0].signature


def by_routine(r: AnalysisResult) -> dict[str, str]:
    """Routine name -> its candidate's id, found by the apps its instances ran in (not by any id)."""
    return {name: c.id for c in r.candidates for name in ROUTINES
            if all(step.startswith(f"{name}-app") for step in c.signature)}


def test_report_json_reads_back_as_the_same_result(tmp_path: Path) -> None:
    a = run({"invoice": 8, "order": 6})
    write_all(a, tmp_path / "out")
    back = AnalysisResult.read(tmp_path / "out")
    assert back == a.result
    assert back.schema_version == SCHEMA_VERSION and len(back.instances) == 14
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["candidates"][0]["hours_saved_per_month"] == a.result.candidates[0].hours_saved_per_month


@pytest.mark.parametrize("change, message", [
    ({"schema_version": SCHEMA_VERSION + 1}, "is newer than this tasklens reads"),
    ({"schema_version": None}, "no schema_version"),
    ({"instances": [{"id": 0}]}, "report.instances[0]: missing user"),
    ({"summary": {"events": "many"}}, "report.summary.events: expected int"),
])
def test_a_report_it_cannot_read_is_one_line(change: dict[str, object], message: str) -> None:
    data = run({"invoice": 6}).result.to_json() | change
    with pytest.raises(InputFormatError, match="^report.json: .*" + message.replace("[", r"\[").replace("]", r"\]")):
        AnalysisResult.from_json(data)


def test_every_candidate_carries_its_type_signature_and_name() -> None:
    r = run({"invoice": 8, "order": 6}).result
    for c in r.candidates:
        t = r.task_type(c.task_type)
        assert c.signature == t.signature and c.name == t.name
        assert t.signature == r.variants[t.variants[0]].steps


def test_renumbered_candidates_keep_their_decisions() -> None:
    """Run 1: invoice is C01, order C02. The analyst accepts and renames order and rejects ticket. Run 2
    has more orders and more tickets: the ids change hands, the decisions stay with the steps."""
    first = run({"invoice": 9, "order": 7, "ticket": 6}).result
    ids = by_routine(first)
    assert ids == {"invoice": "C01", "order": "C02", "ticket": "C03"}
    order, ticket = (next(c for c in first.candidates if c.id == ids[n]) for n in ("order", "ticket"))
    d = dec.Decisions()
    d.set_status(order.signature, "accepted", cid=order.id)
    d.rename(order.signature, "Order look-up", cid=order.id)
    d.set_status(ticket.signature, "rejected", cid=ticket.id)
    d = dec.from_json(json.loads(json.dumps(d.as_json())))   # as kept in decisions.json

    second = run({"invoice": 6, "order": 8, "ticket": 12}, d).result
    assert by_routine(second)["ticket"] != ids["ticket"] or by_routine(second)["order"] != ids["order"]
    status = {name: next(c for c in second.candidates if c.id == cid) for name, cid in by_routine(second).items()}
    assert status["order"].status == "accepted" and status["order"].name == "Order look-up"
    assert status["ticket"].status == "rejected" and status["ticket"] is second.candidates[-1]
    assert status["invoice"].status == "open" and status["invoice"].name == second.task_type(
        status["invoice"].task_type).name
    # the dashboard asks the same question the same way
    decided = dec.candidate_decisions(second.candidates, d)
    assert {c.signature for c in second.candidates if c.status != "open"} == set(decided)


def test_a_decision_by_id_alone_is_never_applied_to_whoever_has_that_id_now() -> None:
    """An old decisions.json (version 1) said C01 was rejected and kept no signature: ids belong to one
    run, so it is not applied to the candidate that is C01 now."""
    old = dec.from_json({"version": 1, "candidates": {"C01": {"status": "rejected", "name": "X"}},
                         "merges": [{"types": [0, 1]}]})
    r = run({"invoice": 9, "order": 7}, old).result
    assert all(c.status == "open" and c.name != "X" for c in r.candidates)
    assert len(r.task_types) == 2, "a merge by stale type ids is not applied"


def test_a_merge_is_applied_once_by_signature_and_not_again() -> None:
    first = run({"invoice": 9, "order": 7, "ticket": 6}).result
    sig = {name: next(t.signature for t in first.task_types if t.signature[0].startswith(f"{name}-app"))
           for name in ROUTINES}
    ids = {name: next(t.id for t in first.task_types if t.signature == sig[name]) for name in ROUTINES}
    d = dec.Decisions()
    d.merge([ids["order"], ids["ticket"]], [sig["order"], sig["ticket"]], "Back office")

    second = run({"invoice": 5, "order": 7, "ticket": 9}, d).result   # ids now differ from the first run
    assert len(second.task_types) == 2
    merged = next(t for t in second.task_types if t.signature in (sig["order"], sig["ticket"]))
    assert merged.instances == 16
    invoice = next(t for t in second.task_types if t.signature == sig["invoice"])
    assert invoice.instances == 5, "the type whose id the merge once named is left alone"
    # a reader of the second result has nothing left to merge: the analysis applied it already
    assert dec.merge_map({t.id: t.signature for t in second.task_types}, d) == {}
    # ... while on the first result the same merge joins the types by their signatures
    assert dec.merge_map({t.id: t.signature for t in first.task_types}, d) == {
        max(ids["order"], ids["ticket"]): min(ids["order"], ids["ticket"])}


def test_decisions_need_signatures() -> None:
    d = dec.Decisions()
    with pytest.raises(ValueError, match="signature"):
        d.set_status((), "accepted", cid="C01")
    with pytest.raises(ValueError, match="signature"):
        d.merge([0, 1], [])
    with pytest.raises(ValueError, match="status"):
        d.set_status(("a",), "maybe")
