"""An analysis' exception instances: its instances scored per task type (analyzer/exceptions.py), with
the analyst's marks (analyzer/exceptionmarks.py) honoured, as the result's `ExceptionCase`s, and per
type what the candidates need (how many a bot would hand back, what they look like).

Fed the pipeline's per-event columns and the result's instances; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar, overload

from tasklens.analyzer import exceptionmarks, exceptions
from tasklens.analyzer.candidates import TypeFacts
from tasklens.analyzer.exceptions import Params, Review, instances_of, review
from tasklens.analyzer.result import ExceptionCase, Instance, TaskType
from tasklens.wording import plural


def find(instances: Sequence[Instance], task: Sequence[int], activity: Sequence[int], ts: Sequence[float],
         apps: Sequence[str], labels: Sequence[str], marks: Mapping[str, str],
         p: Params | None = None) -> tuple[list[ExceptionCase], dict[int, Review]]:
    """(the cases flagged or marked, highest score first; each task type's review). `task`, `activity`,
    `ts` and `apps` are per event; `instances` are the result's (ids as in `task`)."""
    keys = {i.id: exceptionmarks.key(i.user, i.start) for i in instances}
    return judge(instances, instances_of(task, activity, ts, apps, labels, keys), marks, p)


T = TypeVar("T")


class Picked(Sequence[T]):
    """Some of `source`'s items, by key (an id), each read from it as it is read: `source` may build them
    (an instance table, `stream`'s type events), so a type's instances are never all held as objects."""

    def __init__(self, ids: Sequence[int], source: Mapping[int, T] | Sequence[T]) -> None:
        self.ids, self.source = ids, source

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, k: int) -> T: ...
    @overload
    def __getitem__(self, k: slice) -> Sequence[T]: ...
    def __getitem__(self, k: int | slice) -> T | Sequence[T]:
        if isinstance(k, slice):
            return Picked(self.ids[k], self.source)
        return self.source[self.ids[k]]


def judge(instances: Sequence[Instance], built: Mapping[int, exceptions.Instance], marks: Mapping[str, str],
          p: Params | None = None) -> tuple[list[ExceptionCase], dict[int, Review]]:
    """`find` on the instances' steps, applications and times already built (`built`: by instance id, keys
    from `exceptionmarks.key`), as a streamed analysis builds them from its spill without per-event lists
    (each as it is read: `built` may be lazy, and is read a type at a time)."""
    by_type: dict[int, list[Instance]] = {}
    for i in instances:
        if i.task_type >= 0 and i.id in built:
            by_type.setdefault(i.task_type, []).append(i)
    cases: list[ExceptionCase] = []
    reviews: dict[int, Review] = {}
    for t, members in sorted(by_type.items()):
        found, reviews[t] = judge_type(t, members, Picked([i.id for i in members], built), marks, p)
        cases += found
    cases.sort(key=lambda c: -c.score)
    return cases, reviews


def judge_type(t: int, members: Sequence[Instance], built: Sequence[exceptions.Instance], marks: Mapping[str, str],
               p: Params | None = None) -> tuple[list[ExceptionCase], Review]:
    """One task type's cases (in the order of its findings) and review, `judge` on its `members` and their
    steps, apps and times (`built`, in the same order). Each is read as it is needed, never all held: a
    streamed analysis passes a `Picked` of its instance table and a sequence that builds each instance."""
    r = review(built, marks, p or Params())
    shown = {f.key for f in r.exceptions} | set(r.marks)
    at = {k: j for j, i in enumerate(members) if (k := exceptionmarks.key(i.user, i.start)) in shown}
    cases = []
    for f in r.findings:
        if f.key in shown:
            inst = built[at[f.key]]
            took = inst.times[-1] - inst.times[0]
            cases.append(ExceptionCase(members[at[f.key]].id, t, f.key, f.score, f.reason, list(f.kinds), inst.steps,
                                       f.usual, round(took, 1), round(took / f.time_ratio, 1), r.marks.get(f.key, "")))
    return cases, r.slim()


def measured(facts: Sequence[TypeFacts], types: Sequence[TaskType], reviews: Mapping[int, Review],
             instances: Sequence[Instance], variants: Sequence[tuple[int, ...]], p: Params | None = None) -> list[str]:
    """Feed each task type's exceptions to the candidates and the report: its exception count becomes what
    the candidates call rework, the time a bot would take over leaves its exception instances out
    (`TypeFacts.kept_seconds`, per variant; `variants` are the activity sequences `Instance.variant`
    indexes), and the type states its exception rate. A type too small to judge keeps the rework rule's
    count and no rate (None); the sentence returned counts those types for the report's notes. `instances`
    by id (`instances[k].id == k`, as both analyses number them): looked up in place, not through a dict
    that held some 40 bytes an instance of an organisation's millions."""
    of_type = {t.id: t for t in types}
    small: list[int] = []
    for f in facts:
        r = reviews.get(f.type_id)
        if r is None or not r.judged:
            small.append(len(f.instance_ids))
            continue
        manual = {x.key for x in r.exceptions}
        kept: dict[tuple[int, ...], float] = {}
        for i in (instances[k] for k in f.instance_ids):
            if exceptionmarks.key(i.user, i.start) not in manual:
                kept[variants[i.variant]] = kept.get(variants[i.variant], 0.0) + i.seconds
        f.rework_instances, f.kept_seconds = len(r.exceptions), [kept.get(seq, 0.0) for seq, _ in f.variants]
        if f.type_id in of_type:
            of_type[f.type_id].exception_instances, of_type[f.type_id].exception_rate = len(r.exceptions), round(r.rate, 4)
    if not small:
        return []
    least = (p or Params()).min_instances
    return [f"not judged for exceptions (fewer than {least} instances each, no usual flow to compare with): "
            f"{plural(len(small), 'task type')}, {plural(sum(small), 'instance')}; their candidates' hand-back "
            "rate counts instances that repeat a step (the rework rule) instead"]
