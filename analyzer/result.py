"""The one typed result of an analysis: what report.json holds, and what every reader reads.

`AnalysisResult` is made of plain dataclasses (no numpy, no events): the summary, task types, variants,
instances, routines, RPA candidates, the process map, the parameters used and the analyst's decisions
that were honoured. report.html, events.csv, log.xes, the admin report and the dashboard read it, so no
reader derives a figure again by a rule of its own. `to_json` / `from_json` are exact inverses
(`from_json(to_json(r)) == r`); report.json is `to_json` written out.

Schema versions: `SCHEMA_VERSION` goes up by one when a field is removed or renamed or changes its
meaning or unit. Adding a field with a default does not bump it: a report without the field reads with
the default, and an older reader ignores a key it does not know. A report of a newer version is refused
in one line (`InputFormatError`), never half-read.

Steps are activity labels (`app | action | target | title template`), never internal ids, so a result
means the same thing after a re-analysis renumbers everything; a task type's and a candidate's
*signature* is the steps of its most common variant (how analyst decisions find them again).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasklens.analyzer.candidates import Candidate
from tasklens.errors import InputFormatError, OutputError

SCHEMA_VERSION = 1
FILE = "report.json"

Steps = tuple[str, ...]


@dataclass
class Summary:
    """Totals over the whole analysis (team scope: all users in the input)."""

    events: int = 0
    events_in_tasks: int = 0
    users: int = 0
    first: str | None = None                 # ISO time of the first event, None without events
    last: str | None = None
    activities: int = 0
    instances: int = 0
    task_types: int = 0
    variants: int = 0
    routines: int = 0
    candidates: int = 0
    hours_in_tasks: float = 0.0              # hours, all instances of all users, over the observed span
    unassigned_instances: int = 0            # instances like no other, left without a task type
    hours_saved_per_month_team: float = 0.0  # hours per month, the observed team, candidates not rejected
    notes: list[str] = field(default_factory=list)   # sentences about the data a reader should know


@dataclass(slots=True)   # one per instance: an organisation's analysis holds millions
class Instance:
    """One task instance: a run of one user's events doing one task."""

    id: int
    user: str
    start: float          # epoch seconds of its first event
    end: float            # start + active time + the last event's duration (the one duration rule)
    task_type: int
    variant: int          # index into AnalysisResult.variants
    events: int

    @property
    def seconds(self) -> float:
        return self.end - self.start


class InstanceTable(Sequence[Instance]):
    """Instances as columns, each `Instance` made as it is read: some 30 bytes an instance where an object
    with its numbers took some 180, so an organisation's analysis (millions of instances) does not hold
    an object for each. Ids are positions, as every analysis numbers them (0..n-1). Equal to any sequence
    of the same instances (a report read back gives a list)."""

    COLUMNS = {"user": "i", "start": "d", "end": "d", "task_type": "i", "variant": "i", "events": "i"}

    def __init__(self, users: Sequence[str], **columns: array[Any]) -> None:
        self.users = list(users)   # `user` indexes these names
        self.columns = {c: columns[c] for c in self.COLUMNS}
        if any(a.typecode != self.COLUMNS[c] or len(a) != len(columns["user"]) for c, a in self.columns.items()):
            raise ValueError("instance columns of other types or lengths")

    def __len__(self) -> int:
        return len(self.columns["user"])

    @typing.overload
    def __getitem__(self, k: int) -> Instance: ...
    @typing.overload
    def __getitem__(self, k: slice) -> list[Instance]: ...
    def __getitem__(self, k: int | slice) -> Instance | list[Instance]:
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        k = range(len(self))[k]   # IndexError past the end, negative from the end
        c = self.columns
        return Instance(k, self.users[c["user"][k]], c["start"][k], c["end"][k], c["task_type"][k], c["variant"][k],
                        c["events"][k])

    def __iter__(self) -> Iterator[Instance]:
        users = self.users
        for k, (u, start, end, t, v, n) in enumerate(zip(*self.columns.values())):
            yield Instance(k, users[u], start, end, t, v, n)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other))

    __hash__ = None   # type: ignore[assignment]  # equal to lists, which do not hash either

    def __repr__(self) -> str:
        return f"InstanceTable({len(self)} instances)"


@dataclass
class Variant:
    """A distinct step sequence and the instances that followed it exactly."""

    id: int
    task_type: int
    steps: Steps
    instances: int
    mean_seconds: float = 0.0


@dataclass
class TaskType:
    """Instances clustered by their steps; `variants` are ids into AnalysisResult.variants, most common first."""

    id: int
    name: str
    signature: Steps                 # the steps of its most common variant
    instances: int
    users: list[str]
    hours_observed: float            # hours, all its instances, over the observed span
    applications: list[str]
    variants: list[int]
    median_seconds: float = 0.0
    exception_instances: int = 0     # its instances that are exceptions (flagged, or marked by the analyst)
    exception_rate: float | None = None   # their share of its instances; None: too few instances to judge


@dataclass
class RoutineFact:
    """A frequent step sequence (gap-aware), with the task types and candidates whose instances hold it."""

    steps: Steps
    instances: int
    task_types: list[int]
    candidates: list[str]


@dataclass
class Transition:
    """A directly-follows edge of the process map, inside task instances; waits in seconds."""

    source: str
    target: str
    count: int
    mean_wait_seconds: float
    median_wait_seconds: float


@dataclass
class ProcessMap:
    """All activity labels (an event's activity id indexes `activities`) and the edges, most frequent first."""

    activities: list[str] = field(default_factory=list)
    edges: list[Transition] = field(default_factory=list)


@dataclass
class ExceptionCase:
    """An instance that strays from its type's usual flow (analyzer/exceptions.py), or one an analyst marked."""

    instance: int         # id into AnalysisResult.instances
    task_type: int
    key: str              # user@start: how the analyst's mark finds it again after a re-run
    score: float          # >= 1: flagged (1 = a signal at its threshold)
    reason: str
    kinds: list[str]      # skipped, inserted, repeated, application, slow, fast, pause
    steps: Steps
    usual: Steps          # the usual variant it was compared with
    seconds: float        # its time, first to last step
    usual_seconds: float  # the type's usual time for its steps
    mark: str = ""        # the analyst's: "", "exception" or "normal" (a "normal" case is kept, not counted)


@dataclass
class AnalysisResult:
    """Everything one analysis found; see the module docstring for the schema rule."""

    summary: Summary = field(default_factory=Summary)
    task_types: list[TaskType] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    instances: Sequence[Instance] = field(default_factory=list)   # a report read back: a list
    routines: list[RoutineFact] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    process_map: ProcessMap = field(default_factory=ProcessMap)
    start_activities: dict[str, list[str]] = field(default_factory=dict)   # per user ("*": pooled leftovers)
    parameters: dict[str, Any] = field(default_factory=dict)   # pipeline.Params as used, as plain data
    decisions: dict[str, Any] = field(default_factory=dict)    # the analyst's decisions honoured (decisions.json)
    exceptions: list[ExceptionCase] = field(default_factory=list)   # flagged or marked, highest score first
    schema_version: int = SCHEMA_VERSION

    # -- look-ups every reader needs ----------------------------------------------------------------
    def candidate_of_type(self) -> dict[int, str]:
        """Task type id -> the id of its candidate (types without one are absent)."""
        return {c.task_type: c.id for c in self.candidates}

    def task_type(self, type_id: int) -> TaskType:
        """The task type with this id (ids are 0..n-1, largest first)."""
        return self.task_types[type_id]

    # -- report.json ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data; derived figures a reader may want (`hours_saved_per_month`, `confirmed`)
        ride along and are ignored when read back."""
        data = _plain(self)
        _derived(self.candidates, data["candidates"])
        return data   # type: ignore[no-any-return]  # _plain of a dataclass is a dict

    def dumps(self) -> str:
        """report.json's text. Raises `OutputError` for a figure JSON cannot hold (inf, nan)."""
        return "".join(self.pieces())

    def pieces(self) -> Iterator[str]:
        """report.json's text in pieces, an instance at a time, so writing it holds one instance's: the
        whole text at once (a dict per instance, then some 25 pieces of text each, then the text) held
        2.4 KB an instance, 3.7 GB for an organisation's 1.5M. Raises `OutputError` for a figure JSON cannot
        hold (inf, nan)."""
        mark = f"\x00instances {id(self)}\x00"   # stands where the instances go
        data: dict[str, Any] = {f.name: mark if f.name == "instances" else _plain(getattr(self, f.name))
                                for f in dataclasses.fields(self)}
        _derived(self.candidates, data["candidates"])
        try:
            head, tail = _text(data).split(_text(mark), 1)
            yield head
            if not self.instances:
                yield "[]"
            for k, i in enumerate(self.instances):   # each as json.dumps puts it at this depth of the report
                yield ("[\n" if k == 0 else ",\n") + "\n".join("    " + line for line in _text(_plain(i)).split("\n"))
            if self.instances:
                yield "\n  ]"
            yield tail
        except ValueError:
            raise OutputError("the report holds a figure that is not a finite number (an input duration of inf "
                              "or nan?); nothing was written: fix or drop those rows") from None

    @classmethod
    def from_json(cls, data: object, where: str = "report.json") -> AnalysisResult:
        """The result `to_json` gave; one-line `InputFormatError` naming `where` for anything else."""
        if not isinstance(data, dict):
            raise InputFormatError(f"{where}: not an analysis report (expected a JSON object)")
        version = data.get("schema_version")
        if not isinstance(version, int):
            raise InputFormatError(f"{where}: no schema_version: written by a tasklens older than this "
                                   "report format; re-run `tasklens analyze INPUT --out DIR`")
        if version > SCHEMA_VERSION:
            raise InputFormatError(f"{where}: report schema {version} is newer than this tasklens reads "
                                   f"({SCHEMA_VERSION}); update tasklens or re-run the analysis with this one")
        try:
            return typing.cast(AnalysisResult, _build(cls, data, "report"))
        except (TypeError, ValueError) as e:
            raise InputFormatError(f"{where}: bad report ({e}); re-run the analysis") from None

    @classmethod
    def read(cls, folder: Path) -> AnalysisResult:
        """The result in an analysis folder's report.json."""
        path = Path(folder) / FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputFormatError(f"{folder} is not an analysis folder (no {FILE}); run "
                                   "`tasklens analyze INPUT --out DIR`") from None
        except (OSError, ValueError) as e:
            raise InputFormatError(f"{path}: cannot read ({e})") from None
        return cls.from_json(data, str(path))


def _derived(candidates: list[Candidate], plain: list[dict[str, Any]]) -> None:
    """The derived figures each candidate's JSON carries (see `AnalysisResult.to_json`)."""
    for c, d in zip(candidates, plain):
        d["hours_saved_per_month"] = c.hours_saved_per_month
        d["confirmed"] = c.status == "accepted"


def _text(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)


# -- generic (de)serialisation of the dataclasses above: adding a field needs no code here -----------
def _plain(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, InstanceTable)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _build(kind: Any, value: object, where: str) -> Any:
    """`value` (parsed JSON) as an instance of the type `kind`, checked on the way."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        hints = typing.get_type_hints(kind)
        known = {f.name: f for f in dataclasses.fields(kind) if f.init}
        missing = [n for n, f in known.items() if n not in value and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]
        if missing:
            raise TypeError(f"{where}: missing {', '.join(missing)}")
        return kind(**{n: _build(hints[n], value[n], f"{where}.{n}") for n in known if n in value})  # type: ignore[operator]  # kind is a dataclass class, which mypy narrows to an instance
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _build(next(a for a in args if a is not type(None)), value, where)
    if origin in (list, tuple, Sequence):
        if not isinstance(value, list):
            raise TypeError(f"{where}: expected a list")
        items = [_build(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object")
        return {str(k): _build(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if kind is Any or kind is object:
        return value
    if kind is float:   # an int is a float too (a whole figure reads back as written)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{where}: expected a number")
        return value
    if kind in (int, str, bool):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise TypeError(f"{where}: expected {kind.__name__}")
        return value
    raise TypeError(f"{where}: cannot read a {kind!r}")
