"""Candidates are repeated multi-step structures, not long stretches of time in one application."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from tasklens.analyzer.candidates import Assumptions, TypeFacts, rank, structure
from tasklens.events import Action


def _variants(seqs: list[tuple[int, ...]]) -> list[tuple[tuple[int, ...], int]]:
    return Counter(seqs).most_common()


def _routine(rng: random.Random) -> tuple[int, ...]:
    """Open, look up, 1-4 line items (each perhaps with a note), an optional attachment, submit, close."""
    items = tuple(x for _ in range(rng.randint(1, 4)) for x in ((3, 4, 5) if rng.random() < 0.4 else (3, 4)))
    return (0, 1, 2) + items + ((6,) if rng.random() < 0.2 else ()) + (7, 8)


def _chat(rng: random.Random) -> tuple[int, ...]:
    """Focus the chat, then type, send, scroll and react in any order."""
    return (10,) + tuple(rng.choice((11, 12, 13, 14)) for _ in range(rng.randint(3, 9)))


CASES = [   # (name, generator, is a structure)
    ("routine with optional and repeated steps", _routine, True),
    ("the same routine in one order", lambda rng: (0, 1, 2, 3, 4, 7, 8), True),
    ("chatting", _chat, False),
    ("editing one document", lambda rng: tuple(rng.choice((20, 21, 22, 23, 24)) for _ in range(rng.randint(4, 12))),
     False),
]


@pytest.mark.parametrize(("name", "make", "is_structure"), CASES, ids=[c[0] for c in CASES])
def test_structure_tells_routines_from_activity(name: str, make, is_structure: bool) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(name)
    variants = _variants([make(rng) for _ in range(200)])
    steps, order = structure(variants)
    a = Assumptions()
    assert (steps >= a.min_steps and order >= a.min_order) == is_structure, (steps, order)
    facts = TypeFacts(0, variants, list(range(200)), {"u"}, 3600.0, Counter({Action.CLICK: 2000}), {"app"}, 0, 0,
                      5.0, 8.0, steps, order)
    assert bool(rank([facts], a)) == is_structure


def test_hours_for_the_team_and_per_full_time_employee_are_named_apart() -> None:
    """Two people over ten working days: the team's month holds twice one full-time employee's."""
    variants = _variants([(0, 1, 2, 3, 4, 7, 8)] * 100)
    facts = TypeFacts(0, variants, list(range(100)), {"a", "b"}, 20 * 3600.0, Counter({Action.PASTE: 700}),
                      {"crm", "sheet"}, 0, 0, 20.0, 7.0, 7, 1.0, team_days=10.0, team_user_days=20.0)
    c = rank([facts])[0]
    assert c.hours_saved_per_month_team == pytest.approx(20 * 21 / 10 * 0.8, rel=0.01)
    assert c.hours_saved_per_month_per_fte == pytest.approx(c.hours_saved_per_month_team / 2, rel=0.01)
    assert c.hours_saved_per_month == c.hours_saved_per_month_team
    assert "for the observed team" in c.rationale and "per full-time employee" in c.rationale
    assert c.assumptions["weight_determinism"] == 0.35
