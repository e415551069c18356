"""A simulated office: employees doing routine work among chat, mail and browsing noise.

It feeds `tasklens demo`, the analyzer's ground-truth tests and the benchmarks. Titles and values hold
realistic personal data (names, e-mail addresses, phone numbers, IBANs, customer ids, home paths) so the
whole path, masking included, is exercised. Every event comes with its truth: which routine and which
instance it belongs to ("" and -1 for noise).
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tasklens.events import Action, RawEvent

FIRST = ["Maria", "Jonas", "Aisha", "Pieter", "Chen", "Sofia", "Ahmed", "Laura", "Tomasz", "Ingrid"]
LAST = ["Keller", "Okafor", "Novak", "Jansen", "Li", "Rossi", "Haddad", "Berg", "Wojcik", "Lund"]
COMPANIES = ["Acme GmbH", "Globex Ltd", "Initech BV", "Umbrella SA", "Stark Supplies", "Wayne Parts"]


def directory() -> tuple[str, ...]:
    """Every full name the simulation can use: what an organisation's directory export would list."""
    return tuple(f"{first} {last}" for first in FIRST for last in LAST)


@dataclass(frozen=True)
class Step:
    """One step of a routine; `{name}`, `{email}`, `{inv}`, ... in texts are filled per instance."""

    app: str
    title: str
    action: Action
    target: str = ""
    value: str = ""
    think: float = 2.0      # mean seconds before this step
    chars: int = 0          # for TYPE steps
    optional: float = 0.0   # probability the step is skipped in an instance
    role: str = ""          # the UI element's role, where the collector would name the target one
    path: str = ""          # the element's named ancestors, as the collector writes them


@dataclass(frozen=True)
class PlannedRoutine:
    """A routine the simulation plants (the ground truth), not one the analyzer mines."""

    name: str
    steps: tuple[Step, ...]
    per_day: float           # mean instances per employee per working day (for those who do it)
    rework: float = 0.0      # probability that an instance repeats its middle steps (an exception)
    pace: float = 1.0        # multiplies every step's think time: reading, checking, waiting for screens


XL, SAP, CRM, MAIL = "excel", "sapgui", "firefox", "thunderbird"
BASIC = 'page tab list > page tab "Basic data"'
ORDERS = 'document web "Orders - CRM" https://crm.example.com/orders?customer={cust} > form "Find orders"'
CAPTURES = ("elements", "positions")   # what the collector records with accessibility on, and with it off
ROUTINES: tuple[PlannedRoutine, ...] = (
    PlannedRoutine("invoice entry", (
        Step(MAIL, "Invoice {inv} from {company} - {email} - Mozilla Thunderbird", Action.FOCUS, think=4),
        Step(MAIL, "Invoice {inv} from {company} - {email} - Mozilla Thunderbird", Action.CLICK, "attachment",
             role="push button", path='tool bar "Attachments"'),
        Step(XL, "invoices_{month}.xlsx - Excel", Action.FOCUS, think=2),
        Step(XL, "invoices_{month}.xlsx - Excel", Action.SHORTCUT, "ctrl+c", think=3),
        Step(XL, "invoices_{month}.xlsx - Excel", Action.COPY, "cell", think=0.3),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.FOCUS, think=2),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.CLICK, "Vendor", think=2,
             role="text", path=BASIC),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.PASTE, "Vendor", think=1,
             role="text", path=BASIC),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.KEY, "tab", think=1),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.TYPE, "Amount",
             think=3, chars=8, role="text", path=BASIC),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.KEY, "tab", think=1),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.TYPE, "Reference",
             think=2, chars=10, role="text", path=BASIC),
        Step(SAP, "Attach document /home/{login}/Downloads/{inv}.pdf - SAP", Action.CLICK, "Attach",
             think=4, optional=0.6, role="push button", path="tool bar"),
        Step(SAP, "Enter Vendor Invoice: Company Code 1000 - SAP Easy Access", Action.SHORTCUT, "ctrl+s", think=2),
        Step(SAP, "Document {doc} was posted in company code 1000 - SAP Easy Access", Action.FOCUS, think=2),
    ), per_day=30, rework=0.05, pace=5.0),
    PlannedRoutine("order lookup", (
        Step(MAIL, "Where is my order {order}? - {name} <{email}> - Mozilla Thunderbird", Action.FOCUS, think=3),
        Step(MAIL, "Where is my order {order}? - {name} <{email}> - Mozilla Thunderbird", Action.SHORTCUT,
             "ctrl+c", think=4),
        Step(MAIL, "Where is my order {order}? - {name} <{email}> - Mozilla Thunderbird", Action.COPY, "text",
             think=0.3),
        Step(CRM, "Orders - CRM - https://crm.example.com/orders?customer={cust} - Mozilla Firefox", Action.FOCUS,
             think=2),
        Step(CRM, "Orders - CRM - https://crm.example.com/orders?customer={cust} - Mozilla Firefox", Action.CLICK,
             "Search", think=2, role="entry", path=ORDERS),
        Step(CRM, "Orders - CRM - https://crm.example.com/orders?customer={cust} - Mozilla Firefox", Action.PASTE,
             "Search", think=1, role="entry", path=ORDERS),
        Step(CRM, "Orders - CRM - https://crm.example.com/orders?customer={cust} - Mozilla Firefox", Action.KEY,
             "enter", think=1),
        Step(CRM, "Order {order} - {name} - CRM - Mozilla Firefox", Action.SCROLL, "down", think=5),
        Step(CRM, "Order {order} - {name} - CRM - Mozilla Firefox", Action.CLICK, "Status", think=3,
             role="page tab", path='document web "Order {order} - CRM" https://crm.example.com/orders/{order}'),
        Step(MAIL, "Re: Where is my order {order}? - Mozilla Thunderbird", Action.FOCUS, think=2),
        Step(MAIL, "Re: Where is my order {order}? - Mozilla Thunderbird", Action.TYPE, "Message body", think=3,
             chars=140, role="document text"),
        Step(MAIL, "Re: Where is my order {order}? - Mozilla Thunderbird", Action.SHORTCUT, "ctrl+enter", think=2),
    ), per_day=35, rework=0.03, pace=4.0),
)

NOISE: tuple[tuple[str, str, tuple[Action, ...]], ...] = (
    ("slack", "Slack | {name} | direct message", (Action.FOCUS, Action.TYPE, Action.KEY, Action.SCROLL)),
    ("slack", "Slack | #general | Example Corp", (Action.FOCUS, Action.SCROLL, Action.CLICK)),
    (MAIL, "Inbox - {email} - Mozilla Thunderbird", (Action.FOCUS, Action.SCROLL, Action.CLICK)),
    (MAIL, "Lunch on Friday? - {name} - Mozilla Thunderbird", (Action.FOCUS, Action.TYPE, Action.KEY)),
    ("firefox", "News - BBC - Mozilla Firefox", (Action.FOCUS, Action.SCROLL, Action.CLICK)),
    ("firefox", "Call {name} at {phone} - Google Calendar - Mozilla Firefox", (Action.FOCUS, Action.CLICK)),
    ("libreoffice", "/home/{login}/Documents/notes {name}.odt - LibreOffice Writer",
     (Action.FOCUS, Action.TYPE, Action.KEY, Action.SHORTCUT)),
    ("firefox", "Online Banking - IBAN {iban} - Mozilla Firefox", (Action.FOCUS, Action.CLICK, Action.SCROLL)),
)

NOISE_TARGET = {Action.KEY: "enter", Action.SHORTCUT: "ctrl+s", Action.SCROLL: "down", Action.CLICK: "left"}


@dataclass(frozen=True)
class Truth:
    """What a simulated event really was, kept beside it to score the analysis."""

    routine: str     # "" for noise
    instance: int    # -1 for noise; unique across the whole simulation otherwise


def _person(rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "name": f"{first} {last}",
        "email": f"{first.lower()}.{last.lower()}@{rng.choice(['example.com', 'mail.example.org', 'globex.test'])}",
        "phone": f"+49 {rng.randint(150, 179)} {rng.randint(1000000, 9999999)}",
        "iban": f"DE{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} "
                f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(10, 99)}",
        "company": rng.choice(COMPANIES),
        "inv": f"INV-{rng.randint(10000, 99999)}",
        "order": f"{rng.randint(100000, 999999)}",
        "cust": f"C{rng.randint(10000, 99999)}",
        "doc": f"{rng.randint(5100000000, 5199999999)}",
    }


def _fill(text: str, fields: dict[str, str]) -> str:
    return text.format(**fields) if "{" in text else text


class _Clock:
    """Per-employee time that advances with think times drawn around each step's mean."""

    def __init__(self, start: float, rng: random.Random) -> None:
        self.t, self.rng = start, rng

    def wait(self, mean: float) -> float:
        self.t += max(0.05, self.rng.lognormvariate(0, 0.35) * mean)
        return self.t


def _routine_events(r: PlannedRoutine, emp: str, login: str, clock: _Clock, rng: random.Random,
                    month: str, capture: str) -> Iterator[RawEvent]:
    fields = _person(rng) | {"login": login, "month": month}
    steps = [s for s in r.steps if not (s.optional and rng.random() < s.optional)]
    if r.rework and rng.random() < r.rework:   # an exception: the middle steps done again
        mid = len(steps) // 2
        steps = steps[:mid + 3] + steps[mid - 2:]
    for s in steps:
        ts = clock.wait(s.think * r.pace)
        duration = round(s.chars * rng.uniform(0.15, 0.3), 2) if s.action is Action.TYPE else 0.0
        target, value, path = _recorded(s, capture, rng)
        yield RawEvent(ts, emp, s.app, _fill(s.title, fields), s.action, target, _fill(value, fields),
                       duration, s.chars if s.action is Action.TYPE else 0, element_path=_fill(path, fields))
        clock.t += duration


def _recorded(s: Step, capture: str, rng: random.Random) -> tuple[str, str, str]:
    """(target, value, element path) of a step as the collector records it: with accessibility on, a
    click, typing or a paste names its element (`text "Vendor"`); off, a click is its button and position,
    typing has no target and a paste is its shortcut."""
    if s.action not in (Action.CLICK, Action.TYPE, Action.PASTE):
        return s.target, s.value, ""
    if capture == "elements" and s.role:
        return f'{s.role} "{s.target}"', _position(s.target, rng) if s.action is Action.CLICK else s.value, s.path
    if s.action is Action.CLICK:
        return "left", _position(s.target, rng), ""
    return ("" if s.action is Action.TYPE else "ctrl+v"), s.value, ""


def _position(place: str, rng: random.Random) -> str:
    """Where in its window a click lands: the same spot for the same element, give or take a few pixels."""
    spot = zlib.crc32(place.encode())
    return f"{40 + spot % 700 + rng.randint(-3, 3)},{60 + (spot >> 10) % 400 + rng.randint(-3, 3)}"


def _noise_events(emp: str, login: str, clock: _Clock, rng: random.Random, minutes: float) -> Iterator[RawEvent]:
    """Chat, mail and browsing between routines; its clicks are recorded as button and position."""
    end = clock.t + minutes * 60
    while clock.t < end:
        app, title, actions = rng.choice(NOISE)
        fields = _person(rng) | {"login": login}
        t = _fill(title, fields)
        yield RawEvent(clock.wait(4), emp, app, t, Action.FOCUS)
        for _ in range(rng.randint(1, 6)):
            a = rng.choice(actions[1:] or actions)
            chars = rng.randint(5, 60) if a is Action.TYPE else 0
            duration = round(chars * 0.2, 2)
            value = _position(t, rng) if a is Action.CLICK else ""
            yield RawEvent(clock.wait(12), emp, app, t, a, NOISE_TARGET.get(a, ""), value, duration, chars)
            clock.t += duration


def simulate(employees: int = 6, days: int = 5, seed: int = 7, start: datetime | None = None,
             routine_share: float = 0.5, capture: str = "elements") -> Iterator[tuple[RawEvent, Truth]]:
    """Yield (event, truth) for each employee's working days, each employee's events in time order.

    Each employee does one or two of the routines; between instances come noise blocks, lunch is an
    idle hour. `routine_share` sets roughly how much of the day goes to routines. `capture` is what the
    collector could record: "elements" (accessibility on: role, name and path) or "positions" (off).
    """
    if capture not in CAPTURES:
        raise ValueError(f"capture must be one of {', '.join(CAPTURES)}, not {capture!r}")
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 2, tzinfo=timezone.utc)   # a Monday
    instance = 0
    for e in range(employees):
        login = FIRST[e % len(FIRST)].lower() + (str(e // len(FIRST)) if e >= len(FIRST) else "")
        emp = f"emp-{e:03d}"
        does = rng.sample(ROUTINES, k=1 + (e % 2))
        for d in range(days):
            day = start + timedelta(days=d + 2 * (d // 5))      # skip weekends
            clock = _Clock((day + timedelta(hours=8, minutes=rng.randint(30, 75))).timestamp(), rng)
            lunch = (day + timedelta(hours=12)).timestamp()
            end = (day + timedelta(hours=16, minutes=rng.randint(30, 90))).timestamp()
            plan = [r for r in does for _ in range(max(1, round(rng.gauss(r.per_day, r.per_day / 4))))]
            rng.shuffle(plan)
            gap = max(1.0, (end - clock.t) / 60 * (1 - routine_share) / max(1, len(plan)))
            for r in plan:
                if clock.t > lunch and clock.t < lunch + 3600:
                    yield RawEvent(clock.t + 60, emp, "", "", Action.IDLE), Truth("", -1)
                    clock.t = lunch + 3600 + rng.uniform(0, 600)
                    yield RawEvent(clock.t, emp, "", "", Action.ACTIVE), Truth("", -1)
                for ev in _noise_events(emp, login, clock, rng, rng.uniform(0.3, 2) * gap):
                    yield ev, Truth("", -1)
                for ev in _routine_events(r, emp, login, clock, rng, day.strftime("%Y-%m"), capture):
                    yield ev, Truth(r.name, instance)
                instance += 1
