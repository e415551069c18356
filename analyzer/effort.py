"""Return on automation: the effort to build and keep a bot for a candidate, and when it pays back.

A first-order estimate an analyst is meant to check and override, so every weight is a named field of
`EffortModel` (written to report.json beside the candidate assumptions) and every estimate carries the
formula with the numbers put in. The weights are working assumptions in person-days of one RPA
developer, not measured here:

    build days   = base + per_step x steps + per_app x applications + per_decision x decision points
                   + per_exception_point x (exception rate in percentage points)
    maintain     = maintain_share_per_year x build hours / 12 per month
    payback      = build hours / (hours saved per month (team) - maintain hours per month)

Exceptions cost build time (a hand-back path per kind, and its tests); maintenance is what breaks
when screens change. A bot that saves less than its upkeep never pays back (payback None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from tasklens.analyzer.candidates import Candidate, TypeFacts
from tasklens.analyzer.exceptions import Review

Steps = tuple[str, ...]
UNJUDGED = "too few instances to judge exceptions"   # a type under exceptions.Params.min_instances


@dataclass(frozen=True)
class EffortModel:
    """The weights of the bot effort estimate: named fields, so report.json states the formula's numbers."""

    base_days: float = 3.0                 # set-up, credentials, test data, hand-over: any bot
    per_step_days: float = 0.25            # each usual step: find the element, wait for it, check it
    per_app_days: float = 2.0              # each application: log-in, screens, its quirks
    per_decision_days: float = 1.0         # each decision point: a rule to write and test
    per_exception_point_days: float = 0.3  # each percentage point of exception instances: hand-back paths
    maintain_share_per_year: float = 0.25  # upkeep per year as a share of the build effort
    hours_per_day: float = 8.0


@dataclass(frozen=True)
class Effort:
    """The estimate for one candidate. Hours are one developer's; savings are the team's per month."""

    build_hours: float
    maintain_hours_per_month: float
    payback_months: float | None   # None: savings do not cover upkeep
    formula: str
    overridden: bool = False       # the analyst set build_hours

    def sentence(self) -> str:
        """What a candidate's rationale says of its bot (the dashboard swaps it when the analyst's hours change)."""
        payback = f"pays back in {self.payback_months:g} months" if self.payback_months is not None else "never pays back"
        return (f"building it takes ~{self.build_hours:.0f} h ({'the analyst' if self.overridden else 'model'}), "
                f"upkeep ~{self.maintain_hours_per_month:.1f} h/month: it {payback}")


def estimate(steps: int, applications: int, decision_points: int, exception_rate: float,
             hours_saved_per_month_team: float, m: EffortModel = EffortModel(),
             override_hours: float | None = None) -> Effort:
    """Effort and payback for a candidate; `override_hours` is the analyst's build estimate, if any."""
    points = 100 * exception_rate
    days = (m.base_days + m.per_step_days * steps + m.per_app_days * applications
            + m.per_decision_days * decision_points + m.per_exception_point_days * points)
    formula = (f"{m.base_days:g} + {m.per_step_days:g} x {steps} steps + {m.per_app_days:g} x {applications} "
               f"applications + {m.per_decision_days:g} x {decision_points} decisions + "
               f"{m.per_exception_point_days:g} x {points:.1f} % exceptions = {days:.1f} days")
    build = days * m.hours_per_day
    if override_hours is not None:
        build = override_hours
        formula = f"set by the analyst: {override_hours:g} h (the model said {days * m.hours_per_day:.0f} h: {formula})"
    maintain = m.maintain_share_per_year * build / 12
    net = hours_saved_per_month_team - maintain
    payback = round(build / net, 1) if net > 0 else None
    return Effort(round(build, 1), round(maintain, 2), payback, formula, override_hours is not None)


def of_candidate(c: Candidate, override_hours: float | None) -> Effort:
    """A candidate's effort and payback again from what report.json keeps (its score parts, hand-back rate,
    hours saved and the model's weights in its assumptions), with the analyst's build hours if any: the
    dashboard shows this the moment an analyst changes the effort, equal to what the next analysis writes."""
    p, weights = c.score_parts, c.assumptions.get("effort")
    m = EffortModel(**weights) if isinstance(weights, dict) else EffortModel()
    return estimate(int(p.get("usual_steps", 0)), int(p.get("applications", 0)), int(p.get("decision_points", 0)),
                    c.hand_back_rate, c.hours_saved_per_month_team, m, override_hours)


def annotate(candidates: Sequence[Candidate], facts: Sequence[TypeFacts], reviews: Mapping[int, Review],
             overrides: Mapping[Steps, float], m: EffortModel = EffortModel()) -> None:
    """Give each candidate its hand-back rate (its type's measured exception rate), what those cases look
    like, its bot's effort and payback, and say so in its rationale; `overrides` are the analyst's build
    hours by candidate signature. The model's weights go into each candidate's assumptions."""
    by_type = {f.type_id: f for f in facts}
    for c in candidates:
        t = by_type[c.task_type]
        r = reviews.get(c.task_type)
        rate = round(r.rate if r is not None and r.judged else t.rework_instances / max(len(t.instance_ids), 1), 3)
        looks = (r.looks_like() if r is not None and r.judged else
                 f"{UNJUDGED}: the share that repeats a step (the rework rule) instead")
        e = estimate(t.usual_steps, len(t.apps), t.decision_points, rate, c.hours_saved_per_month_team, m,
                     overrides.get(c.signature))
        c.hand_back_rate, c.hand_back_cases = round(rate, 3), looks
        c.effort_hours, c.maintain_hours_per_month = e.build_hours, e.maintain_hours_per_month
        c.payback_months, c.effort_formula = e.payback_months, e.formula
        c.assumptions["effort"] = asdict(m)
        c.rationale += (f"; a bot would hand back {rate:.0%} of cases to a person" + (f" ({looks})" if looks else "")
                        + f"; {e.sentence()}")
