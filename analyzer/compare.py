"""Drift and pilot follow-up: two analyses of the same team (before, after), compared per task type.

Task types are matched by their steps, never by id (ids are renumbered by every analysis): the same
signature (most common variant), else the largest overlap of the steps their variants use (Jaccard
>= 0.5). Per matched type:

- instances per working day: Welch's t-test on the type's instances per working day;
- median time per instance: Welch's t-test on log time;
- each variant's and each step's share of the type's instances: called "appeared" (>= 5 % of the type
  after, < 1 % before), "vanished" (the reverse) or "share changed";
- exception rate;
- for a type marked automated: hours actually saved per month (the drop in its hours per working day x
  working days per month) against the estimate made before, with a 95 % bootstrap interval over
  working days.

The working day is the unit of every test: one day's work is alike (a batch of one vendor's invoices,
who was in, how the day went), so a type's instances are not independent draws, and tests that take
them as such (Poisson, Mann-Whitney, Fisher per instance) called day-to-day variation drift in
bench/compare.py (a step's share 88 % -> 64 % in an unchanged routine, p 7e-05). Means and shares are
compared with a cluster-robust (sandwich) variance over working days and a t distribution with the
days as degrees of freedom. Every variant and step of at least `MIN_SUPPORT` instances in the two
periods together is tested, not only those whose shares look new: choosing by the shares seen and then
testing only those hides how many were looked at. Steps catch a new step that spreads over many
variants, each too small to show (ticket triage: one variant per priority).

Sampling noise is not drift: every change carries its test and p-value, and "significant" is decided
by Holm's step-down over all tests of the comparison at `alpha` (5 %), so with many types and measures
the chance of calling any noise a change stays at 5 %. scipy.stats does the tests.

Only task types with a routine's structure are tested: those that were an RPA candidate in either
analysis (enough instances of enough steps in one order). The others are chat, mail or browsing
clustered by their actions; how that work splits into types moves from one analysis to the next (one
chat type in one period is two in the next), so their counts would be called drift that is no change
in the work. They are listed with their figures, marked not tested (bench/compare.py measured both).

`compare` is pure; `load_period` reads an analysis folder (report.json).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tasklens.analyzer.exceptions import duration
from tasklens.analyzer.result import AnalysisResult
from tasklens.errors import InputFormatError

Steps = tuple[str, ...]
NEW_SHARE, GONE_SHARE = 0.05, 0.01   # a variant appeared: >= 5 % after and < 1 % before (vanished: reverse)
MIN_SUPPORT = 5                      # instances, both periods together, of a variant or step that is tested
MIN_DAYS = 3                         # working days with the type in each period, or its spread is unknown: p = 1
MIN_MATCH = 0.5                      # Jaccard of step sets under which two types are not the same task
DAYS_PER_MONTH = 21.0                # working days per month, as the candidates' estimates assume
BOOTSTRAP = 2000


@dataclass(frozen=True)
class TypeSample:
    """One task type in one period: per instance its time, working day and variant."""

    name: str
    signature: Steps
    seconds: tuple[float, ...]
    days: tuple[int, ...]            # index into the period's working days
    variants: tuple[Steps, ...]
    exceptions: int = 0              # instances that are exceptions (flagged or marked by the analyst)
    candidate: str = ""              # its candidate's id, if it was one
    candidate_name: str = ""
    estimate_hours_per_month: float | None = None   # the candidate's team hours saved per month
    routine: bool = True             # a routine's structure (an RPA candidate in its analysis): its drift is tested
    exceptional: tuple[bool, ...] = ()   # per instance (as `seconds`): an exception (flagged or marked)

    @property
    def steps(self) -> frozenset[str]:
        return frozenset(s for v in set(self.variants) for s in v) | frozenset(self.signature)


@dataclass(frozen=True)
class Period:
    """One analysis: its task types and how many working days it spans (team scope)."""

    label: str                       # what a person reads: the folder's name and the dates it spans
    working_days: int
    types: tuple[TypeSample, ...]


@dataclass(frozen=True)
class Change:
    """One measured difference and the test behind it; `significant` after Holm over the comparison."""

    task_type: str
    measure: str       # instances per working day | median time | variant appeared | variant vanished | ...
    before: float
    after: float
    unit: str
    test: str
    p: float
    significant: bool = False
    detail: str = ""

    def shown(self, x: float) -> str:
        """`before` or `after` in its unit, as people read it."""
        if self.unit.startswith("seconds"):
            return duration(x)
        return f"{x:.0%}" if self.unit.startswith("share") else f"{x:.1f}"


@dataclass(frozen=True)
class Saving:
    """Hours saved per month (team) by an automated type: measured, its 95 % interval, and the estimate."""

    task_type: str
    estimate: float | None
    actual: float
    low: float
    high: float


@dataclass(frozen=True)
class TypeRow:
    """A task type in both periods (either may be None: the type appeared or vanished)."""

    name: str
    before: TypeSample | None
    after: TypeSample | None
    rate: tuple[float, float]                  # instances per working day (team), before and after
    median_seconds: tuple[float, float]
    exception_rate: tuple[float, float]
    tested: bool = True                        # False: a routine in neither period, shown but not tested


@dataclass
class Comparison:
    """Two analyses side by side: every change tested, so drift is told from sampling noise."""

    before: str
    after: str
    alpha: float
    rows: list[TypeRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)   # all tested, significant or not
    savings: list[Saving] = field(default_factory=list)

    def drift(self) -> list[Change]:
        return [c for c in self.changes if c.significant]


def match(before: Sequence[TypeSample], after: Sequence[TypeSample]) -> list[tuple[int | None, int | None]]:
    """Pairs of type indices (before, after), greedy by similarity; unmatched types pair with None."""
    def sim(a: TypeSample, b: TypeSample) -> float:
        if a.signature and a.signature == b.signature:
            return 2.0
        return len(a.steps & b.steps) / max(len(a.steps | b.steps), 1)
    pairs = sorted(((sim(a, b), i, j) for i, a in enumerate(before) for j, b in enumerate(after)), reverse=True)
    taken_before: set[int] = set()
    taken_after: set[int] = set()
    out: list[tuple[int | None, int | None]] = []
    for s, i, j in pairs:
        if s >= MIN_MATCH and i not in taken_before and j not in taken_after:
            taken_before.add(i)
            taken_after.add(j)
            out.append((i, j))
    out += [(i, None) for i in range(len(before)) if i not in taken_before]
    out += [(None, j) for j in range(len(after)) if j not in taken_after]
    return out


def _median(t: TypeSample | None) -> float:
    return float(np.median(t.seconds)) if t and t.seconds else 0.0


def _n(t: TypeSample | None) -> int:
    return len(t.seconds) if t else 0


def _welch(mean_a: float, var_a: float, df_a: int, mean_b: float, var_b: float, df_b: int) -> float:
    """Two-sided p of a difference of two means with their variances and degrees of freedom (Welch)."""
    from scipy.stats import t as student

    if not math.isfinite(var_a + var_b):
        return 1.0   # a period with the type on fewer than MIN_DAYS working days: its spread is unknown
    if var_a + var_b <= 0:
        return 1.0 if mean_a == mean_b else 0.0
    df = (var_a + var_b) ** 2 / ((var_a ** 2 / df_a if df_a else 0.0) + (var_b ** 2 / df_b if df_b else 0.0) or 1.0)
    return float(2 * student.sf(abs(mean_b - mean_a) / (var_a + var_b) ** 0.5, max(df, 1.0)))


def _clustered(values: Sequence[float], days: Sequence[int]) -> tuple[float, float, int]:
    """(mean, its cluster-robust variance with working days as clusters, degrees of freedom: days - 1);
    infinite variance on fewer than `MIN_DAYS` days (a weekly task's two days say nothing of its spread)."""
    y = np.asarray(values, dtype=float)
    mean = float(y.mean()) if len(y) else 0.0
    sums: dict[int, float] = {}
    for d, r in zip(days, (y - mean).tolist()):
        sums[d] = sums.get(d, 0.0) + r
    k = len(sums)
    if k < MIN_DAYS:
        return mean, math.inf, 0
    return mean, k / (k - 1) * sum(v * v for v in sums.values()) / len(y) ** 2, k - 1


def _daily(t: TypeSample | None, days: int) -> np.ndarray:
    counts = np.zeros(days)
    if t is not None:
        np.add.at(counts, np.asarray(t.days, dtype=np.int64), 1)
    return counts


def _share(name: str, measure: str, a: TypeSample, b: TypeSample, has_a: Sequence[bool], has_b: Sequence[bool],
           detail: str = "") -> Change:
    """A share of the type's instances in both periods, tested with working days as clusters."""
    ma, va, da = _clustered([float(x) for x in has_a], a.days)
    mb, vb, db = _clustered([float(x) for x in has_b], b.days)
    return Change(name, measure, ma, mb, "share of the type's instances", "Welch t, working days as clusters",
                  _welch(ma, va, da, mb, vb, db), detail=detail)


def _parts(name: str, what: str, a: TypeSample, b: TypeSample, of: Callable[[Steps], Sequence[Any]],
           detail: Callable[[Any], str]) -> list[Change]:
    """A test per variant or step (`of` gives an instance's) of at least `MIN_SUPPORT` instances in all."""
    ia, ib = [set(of(v)) for v in a.variants], [set(of(v)) for v in b.variants]
    counts = Counter(x for s in ia + ib for x in s)
    out = []
    for key in sorted(k for k, n in counts.items() if n >= MIN_SUPPORT):
        c = _share(name, what, a, b, [key in s for s in ia], [key in s for s in ib], detail(key))
        kind = ("appeared" if c.after >= NEW_SHARE and c.before < GONE_SHARE else
                "vanished" if c.before >= NEW_SHARE and c.after < GONE_SHARE else "share changed")
        out.append(replace(c, measure=f"{what} {kind}"))
    return out


def _tests(name: str, a: TypeSample | None, b: TypeSample | None, before: Period, after: Period) -> list[Change]:
    out: list[Change] = []
    if _n(a) + _n(b):
        ca, cb = _daily(a, before.working_days), _daily(b, after.working_days)
        p = _welch(float(ca.mean()), float(ca.var(ddof=1)) / len(ca) if len(ca) > 1 else 0.0, len(ca) - 1,
                   float(cb.mean()), float(cb.var(ddof=1)) / len(cb) if len(cb) > 1 else 0.0, len(cb) - 1)
        measure = "task type appeared" if a is None else "task type vanished" if b is None else "instances per working day"
        out.append(Change(name, measure, float(ca.mean()), float(cb.mean()), "instances/working day (team)",
                          "Welch t on instances per working day", p))
    if a is None or b is None:
        return out
    if _n(a) >= 3 and _n(b) >= 3:
        ma, va, da = _clustered(np.log(np.maximum(a.seconds, 0.1)).tolist(), a.days)
        mb, vb, db = _clustered(np.log(np.maximum(b.seconds, 0.1)).tolist(), b.days)
        out.append(Change(name, "median time", _median(a), _median(b), "seconds/instance",
                          "Welch t on log time, working days as clusters", _welch(ma, va, da, mb, vb, db)))
    out += _parts(name, "variant", a, b, lambda v: [v], " > ".join)
    out += _parts(name, "step", a, b, lambda v: v, str)
    if a.exceptions or b.exceptions:
        out.append(_share(name, "exception rate", a, b, a.exceptional, b.exceptional))
    return out


def _holm(changes: list[Change], alpha: float) -> list[Change]:
    """Holm's step-down: the k-th smallest p is compared with alpha / (m - k); the first failure stops."""
    order = sorted(range(len(changes)), key=lambda i: changes[i].p)
    out = list(changes)
    m = len(changes)
    for k, i in enumerate(order):
        if changes[i].p > alpha / (m - k):
            break
        c = changes[i]
        out[i] = Change(c.task_type, c.measure, c.before, c.after, c.unit, c.test, c.p, True, c.detail)
    return out


def _daily_hours(t: TypeSample, days: int) -> np.ndarray:
    h = np.zeros(days)
    np.add.at(h, np.asarray(t.days, dtype=np.int64), np.asarray(t.seconds) / 3600)
    return h


def saving(name: str, a: TypeSample, b: TypeSample | None, before: Period, after: Period,
           rng: np.random.Generator) -> Saving:
    """Hours per month (team) the type no longer takes people, with a bootstrap over working days."""
    ha = _daily_hours(a, before.working_days)
    hb = _daily_hours(b, after.working_days) if b else np.zeros(after.working_days)
    boot = (ha[rng.integers(0, len(ha), (BOOTSTRAP, len(ha)))].mean(axis=1)
            - hb[rng.integers(0, len(hb), (BOOTSTRAP, len(hb)))].mean(axis=1)) * DAYS_PER_MONTH
    low, high = np.percentile(boot, [2.5, 97.5])
    return Saving(name, a.estimate_hours_per_month, round(float(ha.mean() - hb.mean()) * DAYS_PER_MONTH, 1),
                  round(float(low), 1), round(float(high), 1))


def compare(before: Period, after: Period, automated: Sequence[str] = (), alpha: float = 0.05) -> Comparison:
    """Per task type what changed between the periods; `automated` names types (by name, candidate id or
    candidate name, as before) an analyst put a bot on, whose hours saved are measured."""
    if before.working_days < 1 or after.working_days < 1:
        raise ValueError("each period needs at least one working day")
    out = Comparison(before.label, after.label, alpha)
    rng = np.random.default_rng(0)
    tested: list[Change] = []
    pairs = sorted(match(before.types, after.types), key=lambda ij: (ij[0] is None, ij[0] or 0, ij[1] or 0))
    for i, j in pairs:
        a = before.types[i] if i is not None else None
        b = after.types[j] if j is not None else None
        name = a.name if a else b.name if b else ""
        routine = any(t is not None and t.routine for t in (a, b))
        out.rows.append(TypeRow(name, a, b, (_n(a) / before.working_days, _n(b) / after.working_days),
                                (_median(a), _median(b)),
                                (a.exceptions / _n(a) if a and _n(a) else 0.0, b.exceptions / _n(b) if b and _n(b) else 0.0),
                                routine))
        if routine:
            tested += _tests(name, a, b, before, after)
        if a and automated and {a.name, a.candidate, a.candidate_name} & set(automated):
            out.savings.append(saving(name, a, b, before, after, rng))
    out.changes = _holm(tested, alpha)
    return out


# -- reading an analysis folder --------------------------------------------------------------------
def _working_days(first: float, last: float, starts: Sequence[float]) -> list[date]:
    """Monday to Friday from the first to the last event (UTC dates), and any other day someone worked."""
    d0, d1 = (datetime.fromtimestamp(t, UTC).date() for t in (first, last))
    days = {d0 + timedelta(k) for k in range((d1 - d0).days + 1) if (d0 + timedelta(k)).weekday() < 5}
    return sorted(days | {datetime.fromtimestamp(t, UTC).date() for t in starts})


def load_period(folder: Path) -> Period:
    """A period from an analysis folder: its report.json, with the exception instances it lists."""
    folder = Path(folder)
    r = AnalysisResult.read(folder)
    exceptional = {c.instance for c in r.exceptions if c.mark != "normal"}
    if not r.instances:
        raise InputFormatError(f"{folder}: the analysis found no task instances; nothing to compare")
    starts = [i.start for i in r.instances]
    days = _working_days(min(starts), max(i.end for i in r.instances), starts)
    index = {d: k for k, d in enumerate(days)}
    steps = {v.id: v.steps for v in r.variants}
    cand = {c.task_type: c for c in r.candidates}
    members: dict[int, list[int]] = {}
    for k, inst in enumerate(r.instances):
        members.setdefault(inst.task_type, []).append(k)
    types = []
    for t in r.task_types:
        insts = [r.instances[k] for k in members.get(t.id, [])]
        c = cand.get(t.id)
        types.append(TypeSample(
            t.name, tuple(t.signature), tuple(i.seconds for i in insts),
            tuple(index[datetime.fromtimestamp(i.start, UTC).date()] for i in insts),
            tuple(steps.get(i.variant, ()) for i in insts), sum(1 for i in insts if i.id in exceptional),
            c.id if c else "", c.name if c else "", c.hours_saved_per_month_team if c else None, c is not None,
            tuple(i.id in exceptional for i in insts)))
    return Period(f"{folder.resolve().name}, {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}", len(days), tuple(types))
