"""Step 5: RPA candidates: task types ranked by hours that automation would save.

The score parts are measured per task type; the estimate of hours saved per month spells out its
assumptions (`Assumptions`), so an analyst can check and change them rather than trust a number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from tasklens.analyzer.activetime import RULE
from tasklens.constants import ACTIVE_GAP
from tasklens.events import Action
from tasklens.wording import HOURS_OBSERVED, PERSON, plural

TRANSFER = frozenset({Action.COPY, Action.PASTE, Action.TYPE, Action.EDIT})


@dataclass(frozen=True)
class Assumptions:
    """What the hours saved assume, written into report.json so a reader can disagree with a number."""

    automation_rate: float = 0.8        # share of a covered instance's time a bot takes over
    variant_share: float = 0.05         # variants with at least this share of instances are automated
    exceptions_manual: bool = True      # exception/rework instances stay manual
    working_days_per_month: float = 21.0
    min_instances: int = 5              # fewer instances: not a candidate
    min_steps: int = 4                  # instances shorter than this (median events): not a candidate
    min_order: float = 0.95             # a candidate's usual steps come in one order this consistently
    max_variant_share: float = 0.5      # ... and in one application, its instances repeat a step sequence
    # automatability: weights of its parts (they add up to 1)
    weight_determinism: float = 0.35
    weight_data_transfer: float = 0.25
    weight_few_decisions: float = 0.15
    weight_no_rework: float = 0.15
    weight_few_applications: float = 0.10
    # stated, not a knob: how every hour figure counts time (`activetime.counted`), for report.json's reader
    active_gap_seconds: float = field(default=ACTIVE_GAP, init=False)
    time_counted: str = field(default=RULE, init=False)


@dataclass
class TypeFacts:
    """What the pipeline measured about one task type."""

    type_id: int
    variants: list[tuple[tuple[int, ...], int]]     # (activity sequence, instances), most common first
    instance_ids: Sequence[int]                      # ascending (an array: 8 bytes an instance, not 36)
    users: set[str]
    seconds: float
    actions: Counter[Action]
    apps: set[str]
    rework_instances: int
    decision_points: int
    working_days: float                              # distinct (user, day) pairs of its users in the data
    median_events: float = 0.0                       # events per instance
    usual_steps: int = 0                             # activities found in at least half the instances
    order: float = 0.0                               # how consistently they come in one order (see `structure`)
    team_days: float = 0.0                           # distinct days anyone in the data worked
    team_user_days: float = 0.0                      # distinct (user, day) pairs of everyone in the data
    kept_seconds: list[float] = field(default_factory=list)   # per variant (as `variants`): seconds of its
    # instances that are not exceptions (analyzer/exceptioncases.py); empty: not measured, shares are used


@dataclass
class Candidate:
    """A task type worth automating: its figures, score parts, the assumptions behind them, and the
    analyst's decision about it."""

    id: str
    rank: int
    task_type: int
    instances: list[int]
    users: list[str]
    hours_observed: float
    hours_saved_per_month_team: float      # for the observed team: its hours per working day observed x days
    confidence: float
    confidence_label: str
    score: float
    score_parts: dict[str, float] = field(default_factory=dict)   # what the score is made of (report.json: score_parts)
    assumptions: dict[str, object] = field(default_factory=dict)
    rationale: str = ""
    status: str = "open"        # the analyst's decision: open, accepted (figures confirmed) or rejected
    analyst_name: str = ""      # the analyst's name for it, if they gave one
    hours_saved_per_month_per_fte: float = 0.0   # for one full-time employee of the observed team
    name: str = ""              # what readers show: the analyst's name, else the task type's
    signature: tuple[str, ...] = ()   # steps of its type's most common variant: how decisions find it again
    hand_back_rate: float = 0.0       # share of its instances that are exceptions: a bot would hand them back
    hand_back_cases: str = ""         # what those cases look like ("5 steps skipped, 3 slower than usual")
    effort_hours: float = 0.0         # to build its bot, one developer (analyzer/effort.py, or the analyst's figure)
    maintain_hours_per_month: float = 0.0
    payback_months: float | None = None   # effort / (team hours saved per month - upkeep); None: never
    effort_formula: str = ""

    @property
    def hours_saved_per_month(self) -> float:
        """The team's figure: the one that adds up across candidates."""
        return self.hours_saved_per_month_team


def structure(variants: Sequence[tuple[tuple[int, ...], int]], most: int = 500) -> tuple[int, float]:
    """(usual steps, order consistency) of a task type: the activities in at least half its instances,
    and over every pair of them the share of instances holding both that put them in the pair's usual
    order (by first occurrence). A routine's steps keep their order whatever is optional or repeated;
    chatting, reading mail or editing a document repeat the same few actions in any order."""
    top = sorted(variants, key=lambda v: -v[1])[:most]
    n = sum(k for _, k in top)
    presence: Counter[int] = Counter()
    for seq, k in top:
        for x in set(seq):
            presence[x] += k
    usual = {x for x, k in presence.items() if k >= 0.5 * n}
    before: Counter[tuple[int, int]] = Counter()
    for seq, k in top:
        first: dict[int, int] = {}
        for i, x in enumerate(seq):
            if x in usual:
                first.setdefault(x, i)
        ordered = sorted(first, key=first.__getitem__)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1:]:
                before[(x, y)] += k
    agree = total = 0
    for (x, y), k in before.items():
        back = before.get((y, x), 0)
        if k > back or (k == back and x < y):
            agree += k
        total += k
    return len(usual), (agree / total if total else 0.0)


def entropy(counts: Sequence[int]) -> float:
    total = sum(counts)
    return -sum(c / total * math.log2(c / total) for c in counts if c) if total else 0.0


def score_parts(t: TypeFacts, a: Assumptions) -> dict[str, float]:
    n = len(t.instance_ids)
    counts = [c for _, c in t.variants]
    h = entropy(counts)
    determinism = 1.0 - (h / math.log2(n) if n > 1 else 0.0)
    events = sum(t.actions.values()) or 1
    covered = sum(c for c in counts if c >= a.variant_share * n)
    return {
        "determinism": round(determinism, 3),
        "variant_entropy_bits": round(h, 3),
        "variants": len(counts),
        "decision_points": t.decision_points,
        "data_transfer": round(sum(t.actions[x] for x in TRANSFER) / events, 3),
        "applications": len(t.apps),
        "rework_rate": round(t.rework_instances / n, 3) if n else 0.0,
        "variant_coverage": round(covered / n, 3) if n else 0.0,
        "usual_steps": t.usual_steps,
        "order_consistency": round(t.order, 3),
    }


def automatability(parts: dict[str, float], a: Assumptions = Assumptions()) -> float:
    """0..1: deterministic, data-moving, few decisions, little rework, few applications (weighted as
    `Assumptions` says, so the weights are in report.json beside the figure)."""
    return round(a.weight_determinism * parts["determinism"]
                 + a.weight_data_transfer * min(1.0, 2 * parts["data_transfer"])
                 + a.weight_few_decisions / (1 + parts["decision_points"])
                 + a.weight_no_rework * (1 - parts["rework_rate"])
                 + a.weight_few_applications / (1 + 0.25 * (parts["applications"] - 1)), 3)


def rank(types: Sequence[TypeFacts], a: Assumptions = Assumptions()) -> list[Candidate]:
    """Candidates for types with enough instances, best first."""
    out = []
    for t in types:
        n = len(t.instance_ids)
        if n < a.min_instances or t.seconds <= 0 or t.median_events < a.min_steps:
            continue
        if t.usual_steps < a.min_steps or t.order < a.min_order:
            continue   # no repeated multi-step structure: time in a chat or a document, however long
        if len(t.apps) == 1 and len(t.variants) > a.max_variant_share * n:
            continue   # in one application, no instance repeats another: browsing, reading, writing
        parts = score_parts(t, a)
        auto = automatability(parts, a)
        hours = t.seconds / 3600
        per_month = hours * a.working_days_per_month / max(t.team_days, 1.0)           # the observed team
        per_fte = hours * a.working_days_per_month / max(t.team_user_days, 1.0)       # one full-time employee
        if t.kept_seconds and a.exceptions_manual:   # the time of covered instances that are not exceptions
            kept = sum(s for (_, c), s in zip(t.variants, t.kept_seconds) if c >= a.variant_share * n) / t.seconds
        else:
            kept = parts["variant_coverage"] * ((1 - parts["rework_rate"]) if a.exceptions_manual else 1.0)
        saved = per_month * a.automation_rate * kept
        saved_fte = per_fte * a.automation_rate * kept
        conf = round(min(1.0, n / 50) * min(1.0, t.working_days / 10) ** 0.5 * (0.5 + 0.5 * parts["determinism"]), 2)
        rationale = (f"{n} instances by {plural(len(t.users), PERSON)}, {hours:.1f} {HOURS_OBSERVED} ({RULE}) over "
                     f"{t.team_days:g} "
                     f"working days of the team ({t.team_user_days:g} person-days): ~{per_month:.1f} h/month for "
                     f"the observed team, ~{per_fte:.2f} h/month per full-time employee; "
                     f"{parts['variants']} variants, the ones with >= "
                     f"{a.variant_share:.0%} of instances cover {parts['variant_coverage']:.0%}; "
                     f"{parts['data_transfer']:.0%} of steps move data (copy, paste, typing); "
                     f"{parts['decision_points']} decision points; {parts['applications']} applications; "
                     f"{parts['rework_rate']:.0%} rework/exceptions "
                     f"({'left manual' if a.exceptions_manual else 'automated too'}); a bot taking "
                     f"{a.automation_rate:.0%} of the covered time saves ~{saved:.1f} h/month for the team "
                     f"(~{saved_fte:.2f} h/month per full-time employee)")
        out.append(Candidate("", 0, t.type_id, list(t.instance_ids), sorted(t.users), round(hours, 3),
                             round(saved, 2), conf, "high" if conf >= 0.7 else "medium" if conf >= 0.35 else "low",
                             round(saved * auto, 3), parts | {"automatability": auto}, asdict(a), rationale,
                             hours_saved_per_month_per_fte=round(saved_fte, 3)))
    return renumber(out)


def renumber(candidates: list[Candidate]) -> list[Candidate]:
    """Best first, rejected ones last; ranks and ids follow that order."""
    candidates.sort(key=lambda c: (c.status == "rejected", -c.score, c.task_type))
    for i, c in enumerate(candidates, 1):
        c.rank, c.id = i, f"C{i:02d}"
    return candidates
