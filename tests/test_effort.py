"""Bot effort and payback: each input costs effort, the analyst's figure wins, upkeep can eat the savings."""

from __future__ import annotations

from typing import Any

import pytest

from tasklens.analyzer.effort import EffortModel, estimate

BASE: dict[str, Any] = {"steps": 10, "applications": 2, "decision_points": 1, "exception_rate": 0.05}


@pytest.mark.parametrize(("field", "more"), [("steps", 20), ("applications", 4), ("decision_points", 3),
                                             ("exception_rate", 0.2)])
def test_more_of_anything_costs_more(field: str, more: float) -> None:
    base = estimate(**BASE, hours_saved_per_month_team=40)
    bigger = estimate(**(BASE | {field: more}), hours_saved_per_month_team=40)
    assert bigger.build_hours > base.build_hours
    assert bigger.payback_months is not None and base.payback_months is not None
    assert bigger.payback_months > base.payback_months


def test_the_formula_shows_the_numbers_and_matches_the_hours() -> None:
    m = EffortModel()
    e = estimate(10, 2, 1, 0.05, 40, m)
    days = m.base_days + 10 * m.per_step_days + 2 * m.per_app_days + m.per_decision_days + 5 * m.per_exception_point_days
    assert e.build_hours == pytest.approx(days * m.hours_per_day)
    assert f"{days:.1f} days" in e.formula and "10 steps" in e.formula and "5.0 % exceptions" in e.formula
    net = 40 - e.maintain_hours_per_month
    assert e.payback_months == pytest.approx(e.build_hours / net, abs=0.05)


def test_the_analysts_effort_replaces_the_model() -> None:
    e = estimate(10, 2, 1, 0.05, 40, override_hours=200)
    assert e.overridden and e.build_hours == 200
    assert e.formula.startswith("set by the analyst: 200 h")
    assert e.payback_months == pytest.approx(200 / (40 - 0.25 * 200 / 12), abs=0.05)


def test_savings_below_upkeep_never_pay_back() -> None:
    assert estimate(10, 2, 1, 0.05, hours_saved_per_month_team=0.5).payback_months is None
