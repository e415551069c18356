"""Drift and pilot follow-up: two analyses of the same team (before, after), compared per task type.

Task types are matched by their steps, never by id (ids are renumbered by every analysis): the same
signature (most common variant), else the largest overlap of the steps their variants use (Jaccard
>= 0.5). Per matched type:

- instances per working day: an exact test of two Poisson rates (given both counts, the after count is
  binomial with p = after days / all days);
- median time per instance: Mann-Whitney U on the instances' times;
- each variant's and each step's share of the type's instances: Fisher's exact test, called "appeared"
  (>= 5 % of the type after, < 1 % before), "vanished" (the reverse) or "share changed". Every variant
  and step that could be significant is tested, not only those whose shares look new: choosing by the
  shares seen and then testing only those would hide how many were looked at (a 0 -> 6 % variant was
  called drift in bench/compare.py). Those that could never be significant are left out before testing
  (Tarone's screen: the most lopsided split of their instances between the periods gives p > alpha);
  it looks at margins only, which the exact test conditions on, so it costs no validity. Steps catch a
  new step that spreads over many variants, each too small to test;
- exception rate: Fisher's exact test;
- for a type marked automated: hours actually saved per month (the drop in its hours per working day x
  working days per month) against the estimate made before, with a 95 % bootstrap interval over
  working days.

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

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tasklens.analyzer.exceptions import duration
from tasklens.analyzer.result import AnalysisResult
from tasklens.errors import InputFormatError

Steps = tuple[str, ...]
NEW_SHARE, GONE_SHARE = 0.05, 0.01   # a variant appeared: >= 5 % after and < 1 % before (vanished: reverse)
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


@functools.lru_cache(maxsize=4096)
def _min_p(k: int, na: int, nb: int) -> float:
    """The smallest two-sided Fisher p any split of `k` instances between periods of `na` and `nb` can give."""
    from scipy.stats import fisher_exact

    return min(float(fisher_exact([[first, na - first], [k - first, nb - k + first]]).pvalue)
               for first in (min(k, na), max(0, k - nb)))


def _shares(name: str, what: str, ca: Counter[Any], cb: Counter[Any], na: int, nb: int, alpha: float,
            detail: Callable[[Any], str]) -> list[Change]:
    """A test per variant or step (`what`) of a type that could be significant at `alpha` (see the module)."""
    from scipy.stats import fisher_exact

    out = []
    for key in sorted(set(ca) | set(cb)):
        if _min_p(ca[key] + cb[key], na, nb) > alpha:
            continue
        sa, sb = ca[key] / na, cb[key] / nb
        kind = ("appeared" if sb >= NEW_SHARE and sa < GONE_SHARE else
                "vanished" if sa >= NEW_SHARE and sb < GONE_SHARE else "share changed")
        p = fisher_exact([[ca[key], na - ca[key]], [cb[key], nb - cb[key]]]).pvalue
        out.append(Change(name, f"{what} {kind}", sa, sb, "share of the type's instances", "Fisher exact", float(p),
                          detail=detail(key)))
    return out


def _tests(name: str, a: TypeSample | None, b: TypeSample | None, before: Period, after: Period,
           alpha: float) -> list[Change]:
    from scipy.stats import binomtest, fisher_exact, mannwhitneyu

    out: list[Change] = []
    na, nb = _n(a), _n(b)
    if na + nb:
        p = binomtest(nb, na + nb, after.working_days / (before.working_days + after.working_days)).pvalue
        measure = "task type appeared" if a is None else "task type vanished" if b is None else "instances per working day"
        out.append(Change(name, measure, na / before.working_days, nb / after.working_days, "instances/working day (team)",
                          "exact Poisson rate test", float(p)))
    if a is None or b is None:
        return out
    if na >= 3 and nb >= 3:
        p = mannwhitneyu(a.seconds, b.seconds, alternative="two-sided").pvalue
        out.append(Change(name, "median time", _median(a), _median(b), "seconds/instance", "Mann-Whitney U", float(p)))
    out += _shares(name, "variant", Counter(a.variants), Counter(b.variants), na, nb, alpha, " > ".join)
    out += _shares(name, "step", Counter(s for v in a.variants for s in set(v)),
                   Counter(s for v in b.variants for s in set(v)), na, nb, alpha, str)
    if a.exceptions or b.exceptions:
        p = fisher_exact([[a.exceptions, na - a.exceptions], [b.exceptions, nb - b.exceptions]]).pvalue
        out.append(Change(name, "exception rate", a.exceptions / na, b.exceptions / nb, "share of the type's instances",
                          "Fisher exact", float(p)))
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
            tested += _tests(name, a, b, before, after, alpha)
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
            c.id if c else "", c.name if c else "", c.hours_saved_per_month_team if c else None, c is not None))
    return Period(f"{folder.resolve().name}, {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}", len(days), tuple(types))
