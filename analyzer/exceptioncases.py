"""An analysis' exception instances: its instances scored per task type (analyzer/exceptions.py), with
the analyst's marks (analyzer/exceptionmarks.py) honoured, as the result's `ExceptionCase`s, and per
type what the candidates need (how many a bot would hand back, what they look like).

Fed the pipeline's per-event columns and the result's instances; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tasklens.analyzer import exceptionmarks
from tasklens.analyzer.candidates import TypeFacts
from tasklens.analyzer.exceptions import Params, Review, instances_of, review
from tasklens.analyzer.result import ExceptionCase, Instance


def find(instances: Sequence[Instance], task: Sequence[int], activity: Sequence[int], ts: Sequence[float],
         apps: Sequence[str], labels: Sequence[str], marks: Mapping[str, str],
         p: Params | None = None) -> tuple[list[ExceptionCase], dict[int, Review]]:
    """(the cases flagged or marked, highest score first; each task type's review). `task`, `activity`,
    `ts` and `apps` are per event; `instances` are the result's (ids as in `task`)."""
    keys = {i.id: exceptionmarks.key(i.user, i.start) for i in instances}
    built = instances_of(task, activity, ts, apps, labels, keys)
    by_type: dict[int, list[int]] = {}
    for i in instances:
        if i.task_type >= 0 and i.id in built:
            by_type.setdefault(i.task_type, []).append(i.id)
    of_key = {keys[i]: i for i in keys}
    cases: list[ExceptionCase] = []
    reviews: dict[int, Review] = {}
    for t, ids in sorted(by_type.items()):
        r = reviews[t] = review([built[i] for i in ids], marks, p or Params())
        shown = {f.key for f in r.exceptions} | set(r.marks)
        for f in r.findings:
            if f.key in shown:
                inst = built[of_key[f.key]]
                took = inst.times[-1] - inst.times[0]
                cases.append(ExceptionCase(of_key[f.key], t, f.key, f.score, f.reason, list(f.kinds), inst.steps,
                                           f.usual, round(took, 1), round(took / f.time_ratio, 1),
                                           r.marks.get(f.key, "")))
    cases.sort(key=lambda c: -c.score)
    return cases, reviews


def measured(facts: Sequence[TypeFacts], reviews: Mapping[int, Review]) -> None:
    """Each task type's exception count becomes what the candidates call rework (so hours saved leave
    exception instances to people); a type too small to judge keeps the rework rule's count."""
    for f in facts:
        r = reviews.get(f.type_id)
        if r is not None and r.findings:
            f.rework_instances = len(r.exceptions)
