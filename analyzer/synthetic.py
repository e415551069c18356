"""A multi-user log with planted routines among noise, with ground truth: for tests and benchmarks.

Unlike `tasklens.simulate` (a realistic office for the demo), this generator is built to stress the
analyzer at scale: any number of users, routines and days; routines share applications with the noise;
steps are sometimes skipped; instances are separated by noise blocks of random length. Titles are
already masked-style (placeholders), so events go straight to the pipeline.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from tasklens.events import Action, Event

APPS = ("excel", "sapgui", "firefox", "thunderbird", "slack", "outlook", "teams", "word")
SCREENS = ("Vendor invoice", "Customer master", "Purchase order", "Goods receipt", "Payment run",
           "Credit note", "Delivery note", "Sales order", "Price list", "Stock transfer", "Expense claim",
           "Travel request", "Contract", "Quotation", "Ticket", "Refund", "Timesheet", "Asset record")
ACTIONS = (Action.CLICK, Action.TYPE, Action.KEY, Action.COPY, Action.PASTE, Action.FOCUS, Action.SCROLL,
           Action.SHORTCUT)


@dataclass(frozen=True)
class Planted:
    """A routine planted in the log: its steps, how often a day, and which steps are sometimes skipped."""

    name: str
    steps: tuple[tuple[str, str, Action, str], ...]   # (app, title, action, target)
    per_day: float
    optional: frozenset[int]                          # step indices skipped half the time


@dataclass(frozen=True)
class TruthRow:
    """The ground truth of one generated event: which planted routine and instance it belongs to."""

    routine: str      # "" for noise
    instance: int     # -1 for noise


def make_routines(n: int, rng: random.Random) -> list[Planted]:
    out = []
    for r in range(n):
        length = rng.randint(6, 14)
        steps = []
        for k in range(length):
            app = rng.choice(APPS[:4])
            screen = SCREENS[(r * 5 + k // 3) % len(SCREENS)]
            steps.append((app, f"{screen} <ID> - {app.title()}", rng.choice(ACTIONS), f"r{r}f{k}"))
        optional = frozenset(rng.sample(range(1, length - 1), k=min(2, length - 2)))
        out.append(Planted(f"routine {r}", tuple(steps), rng.uniform(4, 12), optional))
    return out


def generate(users: int = 10, days: int = 5, routines: int = 4, seed: int = 1,
             start: float = 1_793_606_400.0, scale: float = 1.0) -> Iterator[tuple[Event, TruthRow]]:
    """Yield (event, truth) per user in time order; about 1,100 x `scale` events per user and day."""
    rng = random.Random(seed)
    planted = make_routines(routines, rng)
    noise = [(rng.choice(APPS), f"Window {chr(65 + i % 26)}{chr(97 + i // 26)} - <PERSON>", a)
             for i in range(40) for a in rng.sample(ACTIONS, 2)]
    instance, row = 0, 0
    for u in range(users):
        user = f"user-{u:03d}"
        does = rng.sample(planted, k=min(len(planted), rng.randint(1, 3)))
        for d in range(days):
            t = start + d * 86400 + 8 * 3600 + rng.uniform(0, 1800)
            plan = [p for p in does for _ in range(max(1, round(rng.gauss(p.per_day * scale, 1))))]
            rng.shuffle(plan)
            for p in plan:
                for _ in range(rng.randint(15, 60)):          # a noise block
                    app, title, action = rng.choice(noise)
                    t += rng.expovariate(1 / 6.0) + 0.2
                    yield Event(t, user, app, title, action, "", "", 0.0, 0, row), TruthRow("", -1)
                    row += 1
                for k, (app, title, action, target) in enumerate(p.steps):
                    if k in p.optional and rng.random() < 0.5:
                        continue
                    t += rng.lognormvariate(0, 0.4) * 2.5
                    yield Event(t, user, app, title, action, target, "", 0.0, 0, row), TruthRow(p.name, instance)
                    row += 1
                instance += 1
