"""Drift and pilot follow-up: two analyses of the same team (before, after), compared per task type.

Task types are matched by their steps, never by id (ids are renumbered by every analysis): the same
signature (most common variant), else the largest overlap of the steps their variants use (Jaccard
>= 0.5). Per matched type:

- instances per working day;
- median time per instance;
- each variant's and each step's share of the type's instances: called "appeared" (>= 5 % of the type
  after, < 1 % before), "vanished" (the reverse) or "share changed";
- exception rate;
- for a type marked automated: hours actually saved per month (the drop in its hours per working day x
  working days per month) against the estimate made before, with a 95 % bootstrap interval over
  working days.

Two sources of difference are not drift, and every test is built to leave them out:

- Sampling noise, and days that differ. One day's work is alike (a batch of one vendor's invoices, who
  was in), so instances are not independent draws: the working day is the unit of every test. Counts
  per working day: a quasi-Poisson likelihood-ratio F test (the dispersion estimated from how the days
  spread; a Poisson test on daily counts over-reports). Shares: a quasi-binomial likelihood-ratio F
  test over working days, likewise. Time: Welch's t on log time with a cluster-robust variance over
  working days. A type seen on fewer than `MIN_DAYS` days in a period has no spread to test against.
- How the two analyses cut the same work. Each analysis segments and types its own period, and small
  differences in the data move its cuts: a title generalised in one period and kept literal in the
  other, a type's first steps typed apart, an instance cut in two (bench/compare.py: 37 false drifts in
  15 runs, all such). So: step labels that are a literal case of another label's generalised title take
  the general one (`canonical`); a step's share changed only if its uses per working day in the whole
  period changed too (every type together: a step that moved between types or instances is the same
  work); a variant's share only with a step that sets it apart from the type's usual variants; the
  instances per working day only if the type's steps per working day changed too; time on the variants
  done in both periods, weighted alike (a mix of variants moved by a cut is no change of time). Each
  such pair is an intersection-union test: its p is the larger of the two, and the test says so.

Every variant and step of at least `MIN_SUPPORT` instances in the two periods together is tested, not
only those whose shares look new: choosing by the shares seen and then testing only those hides how
many were looked at. Left out: one that every instance of the type has in both periods, whose share
cannot differ whatever the data (counting it in Holm's correction only costs power: 47 of 79 tests in
one bench/compare.py run). Steps catch a new step that spreads over many variants, each too small to show
(ticket triage: one variant per priority). Every change carries its test and p-value, and "significant"
is decided by Holm's step-down over all tests of the comparison at `alpha` (5 %), so with many types
and measures the chance of calling any noise a change stays at 5 %. scipy.stats gives the
distributions.

Only task types with a routine's structure are tested: those that were an RPA candidate in either
analysis (enough instances of enough steps in one order). The others are chat, mail or browsing
clustered by their actions; how that work splits into types moves from one analysis to the next (one
chat type in one period is two in the next), so their counts would be called drift that is no change
in the work. They are listed with their figures, marked not tested (bench/compare.py measured both).

`compare` is pure; `load_period` reads an analysis folder (report.json).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

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
SHARE_TEST = "quasi-binomial F test over working days"
STEP_TEST = "; and quasi-Poisson F test on its uses per working day in the whole period (both must differ)"
VARIANT_TEST = "; and a step that sets it apart from the type's usual variants changed (both must differ)"


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


def _day_variance(terms: np.ndarray, days: Sequence[int]) -> tuple[float, int]:
    """The sandwich variance of an estimate that is the sum of `terms` (each instance's weighted residual),
    working days as clusters, and its degrees of freedom (days - 1); infinite on fewer than `MIN_DAYS` days
    (a weekly task's two days say nothing of its spread)."""
    sums: dict[int, float] = {}
    for d, r in zip(days, terms.tolist()):
        sums[d] = sums.get(d, 0.0) + r
    k = len(sums)
    if k < MIN_DAYS:
        return math.inf, 0
    return k / (k - 1) * sum(v * v for v in sums.values()), k - 1


def _daily(t: TypeSample | None, days: int, size: Callable[[Steps], int] | None = None) -> np.ndarray:
    """Per working day the type's instances, or with `size` their steps."""
    counts = np.zeros(days)
    if t is not None:
        np.add.at(counts, np.asarray(t.days, dtype=np.int64),
                  np.asarray([size(v) for v in t.variants], dtype=float) if size else 1.0)
    return counts


class Uses(dict[str, np.ndarray]):
    """Per step its uses per working day in a whole period, every task type's instances together."""

    def __init__(self, period: Period) -> None:
        super().__init__()
        self.days = period.working_days
        for t in period.types:
            for v, d in zip(t.variants, t.days):
                for step in v:
                    self.setdefault(step, np.zeros(self.days))[d] += 1


def _share(name: str, measure: str, a: TypeSample, b: TypeSample, has_a: Sequence[bool], has_b: Sequence[bool],
           detail: str = "") -> Change:
    """A share of the type's instances in both periods, tested over working days (quasi-binomial)."""
    ka, na = _per_day([float(x) for x in has_a], a.days), _per_day([1.0] * len(a.days), a.days)
    kb, nb = _per_day([float(x) for x in has_b], b.days), _per_day([1.0] * len(b.days), b.days)
    share_a, share_b = float(ka.sum() / na.sum()), float(kb.sum() / nb.sum())
    few = min(np.count_nonzero(na), np.count_nonzero(nb)) < MIN_DAYS
    return Change(name, measure, share_a, share_b, "share of the type's instances", SHARE_TEST,
                  1.0 if few else _quasi_binomial(ka[na > 0], na[na > 0], kb[nb > 0], nb[nb > 0]), detail=detail)


def _per_day(values: Sequence[float], days: Sequence[int]) -> np.ndarray:
    out = np.zeros(max(days, default=-1) + 1)
    np.add.at(out, np.asarray(days, dtype=np.int64), np.asarray(values, dtype=float))
    return out


def _xlogy(x: np.ndarray, y: np.ndarray) -> float:
    """Sum of x log(x / y), 0 where x is 0."""
    keep = x > 0
    return float((x[keep] * np.log(x[keep] / y[keep])).sum())


def _f_p(g: float, dispersion: float, df: int) -> float:
    """p of a likelihood-ratio statistic `g` (1 degree of freedom) scaled by the dispersion the days show
    (at least 1: a quasi-likelihood F test; fewer days than parameters: nothing to test against)."""
    from scipy.stats import f as fisher

    if df < 1:
        return 1.0
    return float(fisher.sf(max(g, 0.0) / max(dispersion, 1.0), 1, df))


def _quasi_binomial(ka: np.ndarray, na: np.ndarray, kb: np.ndarray, nb: np.ndarray) -> float:
    """Two shares, hits `k` of `n` instances per working day: binomial likelihood ratio, its dispersion
    estimated from how the days' shares spread around their period's (Pearson), F test. The working day is
    the unit: one day's work is alike, so days that all have a step or all lack it spread it widely."""
    k, n = np.concatenate([ka, kb]), np.concatenate([na, nb])
    pa, pb, p0 = ka.sum() / na.sum(), kb.sum() / nb.sum(), k.sum() / n.sum()
    fitted = np.concatenate([na * pa, nb * pb])
    g = 2 * (_xlogy(k, n * p0) + _xlogy(n - k, n * (1 - p0)) - _xlogy(k, fitted) - _xlogy(n - k, n - fitted))
    var = fitted * (1 - fitted / n)
    pearson = float(np.sum(np.divide((k - fitted) ** 2, var, out=np.zeros_like(var), where=var > 0)))
    return _f_p(g, pearson / max(len(k) - 2, 1), len(k) - 2)


def _quasi_poisson(a: np.ndarray, b: np.ndarray) -> float:
    """Two rates, counts per working day (zero days included): Poisson likelihood ratio, its dispersion
    estimated from the days' spread around their period's mean (Pearson), F test. Real work varies by day
    more than a Poisson count (a Poisson test on daily counts over-reports); the dispersion allows for it."""
    y = np.concatenate([a, b])
    fitted = np.concatenate([np.full(len(a), a.mean()), np.full(len(b), b.mean())])
    g = 2 * (_xlogy(y, np.full(len(y), y.mean())) - _xlogy(y, fitted))
    pearson = float(np.sum(np.divide((y - fitted) ** 2, fitted, out=np.zeros_like(fitted), where=fitted > 0)))
    return _f_p(g, pearson / max(len(y) - 2, 1), len(y) - 2)


def _kind(c: Change, what: str) -> Change:
    """The measure named as people read it: appeared, vanished or share changed."""
    kind = ("appeared" if c.after >= NEW_SHARE and c.before < GONE_SHARE else
            "vanished" if c.before >= NEW_SHARE and c.after < GONE_SHARE else "share changed")
    return replace(c, measure=f"{what} {kind}")


def _steps(name: str, a: TypeSample, b: TypeSample, uses: tuple[Uses, Uses]) -> list[Change]:
    """Each step's share of the type's instances, and its uses per working day in the whole period: both
    must differ (the larger p). A step one analysis cut onto this type and the other onto another type or
    instance moved in the analysis; the work did not change. (Events left between instances are not in
    report.json: a step one analysis left out of every instance still counts as gone.)"""
    ia, ib = [set(v) for v in a.variants], [set(v) for v in b.variants]
    counts = Counter(x for s in ia + ib for x in s)
    out = []
    for key in sorted(k for k, n in counts.items() if MIN_SUPPORT <= n < len(ia) + len(ib)):
        c = _share(name, "step", a, b, [key in s for s in ia], [key in s for s in ib], key)
        p = _quasi_poisson(uses[0].get(key, np.zeros(uses[0].days)), uses[1].get(key, np.zeros(uses[1].days)))
        out.append(_kind(replace(c, p=max(c.p, p), test=c.test + STEP_TEST), "step"))
    return out


def _variants(name: str, a: TypeSample, b: TypeSample, steps: Sequence[Change]) -> list[Change]:
    """Each variant's share of the type's instances; a variant's share counts as changed only with a step
    that sets it apart from the type's usual variants (a step it has and they lack, or the reverse) whose
    share changed too (the larger p): a variant that one analysis cut short at its start or end has no
    such step, and a new step carries the variants it makes."""
    p_step = {c.detail: c.p for c in steps}
    usual = set(a.signature) | set(b.signature)
    counts = Counter(a.variants) + Counter(b.variants)
    out = []
    for v in sorted(k for k, n in counts.items() if MIN_SUPPORT <= n < _n(a) + _n(b)):
        c = _share(name, "variant", a, b, [x == v for x in a.variants], [x == v for x in b.variants], " > ".join(v))
        apart = min((p_step.get(x, 1.0) for x in (set(v) ^ usual)), default=1.0)
        out.append(_kind(replace(c, p=max(c.p, apart), test=c.test + VARIANT_TEST), "variant"))
    return out


def _time(name: str, a: TypeSample, b: TypeSample) -> Change:
    """Time per instance on the same steps: the mean log time of each variant done at least twice in both
    periods, weighted alike (by its instances in both together), so a mix of variants that moved (one
    analysis cut a step more onto some instances) is not a change of time. Shown: exp of those means (the
    median of a log-normal time), the same mix of variants in both periods."""
    na, nb = Counter(a.variants), Counter(b.variants)
    common = {v for v in na if na[v] >= 2 and nb[v] >= 2}
    weight = {v: (na[v] + nb[v]) / sum(na[u] + nb[u] for u in common) for v in common}

    def standardized(t: TypeSample, n: Counter[Steps]) -> tuple[float, float, int]:
        keep = [k for k, v in enumerate(t.variants) if v in common]
        y = np.log(np.maximum([t.seconds[k] for k in keep], 0.1))
        strata = [t.variants[k] for k in keep]
        means = {v: float(np.mean([x for x, u in zip(y, strata) if u == v])) for v in common}
        c = np.array([weight[v] / n[v] for v in strata])
        r = y - np.array([means[v] for v in strata])
        var, df = _day_variance(c * r, [t.days[k] for k in keep])
        return sum(weight[v] * means[v] for v in common), var, df

    if not common:
        return Change(name, "median time", _median(a), _median(b), "seconds/instance",
                      "no variant done twice in both periods: times of different steps, not tested", 1.0)
    ma, va, da = standardized(a, na)
    mb, vb, db = standardized(b, nb)
    return Change(name, "median time", math.exp(ma), math.exp(mb), "seconds/instance",
                  "Welch t on log time of the variants in both periods, weighted alike, working days as clusters",
                  _welch(ma, va, da, mb, vb, db))


def _tests(name: str, a: TypeSample | None, b: TypeSample | None, before: Period, after: Period,
           uses: tuple[Uses, Uses]) -> list[Change]:
    out: list[Change] = []
    if _n(a) + _n(b):
        ca, cb = _daily(a, before.working_days), _daily(b, after.working_days)
        p = _quasi_poisson(ca, cb)
        test = "quasi-Poisson F test on instances per working day"
        if a is not None and b is not None:   # one analysis cutting instances in two doubles them, not the work
            p = max(p, _quasi_poisson(_daily(a, before.working_days, len), _daily(b, after.working_days, len)))
            test += " and on the type's steps per working day (both must differ)"
        measure = "task type appeared" if a is None else "task type vanished" if b is None else "instances per working day"
        out.append(Change(name, measure, float(ca.mean()), float(cb.mean()), "instances/working day (team)", test, p))
    if a is None or b is None:
        return out
    if _n(a) >= 3 and _n(b) >= 3:
        out.append(_time(name, a, b))
    steps = _steps(name, a, b, uses)
    out += _variants(name, a, b, steps) + steps
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


def canonical(before: Period, after: Period) -> tuple[Period, Period]:
    """Both periods with one label per step: a label whose title keeps a literal where another label of
    the same step has the generalised part ("Invoice # from Kern & Sohn GmbH - Outlook" and "Invoice #
    from * - Outlook") takes the general one. Which titles an analysis generalises depends on the data it
    saw, so the literal's share moves between analyses of the same work."""
    labels = {x for p in (before, after) for t in p.types for v in (*t.variants, t.signature) for x in v}
    general = sorted((x for x in labels if "*" in x), key=lambda x: (-x.count("*"), x))
    patterns = [(g, re.compile(".+".join(re.escape(part) for part in g.split("*")))) for g in general]
    to = {x: next((g for g, pat in patterns if g != x and pat.fullmatch(x)), x) for x in labels}
    if all(k == v for k, v in to.items()):
        return before, after

    def relabel(p: Period) -> Period:
        return replace(p, types=tuple(replace(t, signature=tuple(to[x] for x in t.signature),
                                              variants=tuple(tuple(to[x] for x in v) for v in t.variants))
                                      for t in p.types))
    return relabel(before), relabel(after)


def compare(before: Period, after: Period, automated: Sequence[str] = (), alpha: float = 0.05) -> Comparison:
    """Per task type what changed between the periods; `automated` names types (by name, candidate id or
    candidate name, as before) an analyst put a bot on, whose hours saved are measured."""
    if before.working_days < 1 or after.working_days < 1:
        raise ValueError("each period needs at least one working day")
    out = Comparison(before.label, after.label, alpha)
    before, after = canonical(before, after)
    uses = (Uses(before), Uses(after))
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
            tested += _tests(name, a, b, before, after, uses)
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
