"""Task type names a person understands: object + verb + applications, read off the steps.

The rules are pure logic on activity labels, so they are tested table-driven on labels as
`activities.label_all` writes them; one test reads the names of a real analysis (the demo's simulated
office through the real masker) against what its employees were really doing.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tasklens.analyzer import naming
from tasklens.analyzer.activities import label_all
from tasklens.analyzer.naming import Step, parse_label, parse_steps
from tasklens.analyzer.tasktypes import type_name
from tasklens.events import Action, Event

PARSE = [   # (label, its parts)
    ("outlook | focus | Where is my order #? - Outlook", Step("outlook", "focus", "", "Where is my order #? - Outlook")),
    ('sap | click | push button "Post" in form "Header" | Enter Invoice - SAP',
     Step("sap", "click", 'push button "Post" in form "Header"', "Enter Invoice - SAP")),
    ("chrome | paste | ctrl+v | Orders - CRM - Google Chrome", Step("chrome", "paste", "ctrl+v", "Orders - CRM - Google Chrome")),
    ("sap | type | Enter Invoice - SAP", Step("sap", "type", "", "Enter Invoice - SAP")),
    ("Web | edit | insertValue:username", Step("Web", "edit", "insertValue:username", "")),
    ("CRM | click | Search field | Orders - CRM", Step("CRM", "click", "Search field", "Orders - CRM")),
    ("slack | focus | Slack | * | direct message", Step("slack", "focus", "", "Slack | * | direct message")),
    ("? | idle", Step("?", "idle")),
]


@pytest.mark.parametrize(("label", "step"), PARSE, ids=[p[0] for p in PARSE])
def test_a_label_reads_back_into_its_parts(label: str, step: Step) -> None:
    assert parse_label(label) == step


def test_a_title_read_as_a_target_goes_back_when_another_step_has_that_title() -> None:
    steps = parse_steps(["slack | focus | Slack | * | direct message", "slack | type | Slack | * | direct message"])
    assert [(s.target, s.title) for s in steps] == [("", "Slack | * | direct message")] * 2


def test_the_labels_the_analyzer_writes_read_back() -> None:
    """Guards the one shape both modules share: what label_all writes, parse_label reads."""
    rows = [("firefox", "Orders - CRM - Mozilla Firefox", Action.CLICK, "Search", 'form "Find orders"'),
            ("sapgui", "Enter Vendor Invoice - SAP", Action.TYPE, "", ""),
            ("sapgui", "Enter Vendor Invoice - SAP", Action.SHORTCUT, "ctrl+s", ""),
            ("thunderbird", "Inbox | Mozilla Thunderbird", Action.FOCUS, "", "")]
    events = [Event(float(i), "u", app, title, action, f'entry "{target}"' if path else target, "", 0.0, 0, i,
                    element_path=path) for i, (app, title, action, target, path) in enumerate(rows)]
    acts, labels = label_all(events)
    steps = [parse_label(labels[a]) for a in acts.tolist()]
    assert [(s.app, s.action, s.title) for s in steps] == [(r[0], r[2].value, r[1]) for r in rows]
    assert [s.target for s in steps] == ['entry "Search" in form "Find orders"', "", "ctrl+s", ""]


ORDER = ["Outlook | click | Message list | Where is my order #? - Inbox - Outlook",
         "Outlook | copy | Message body | Where is my order #? - Message",
         "CRM | click | Search field | Orders - CRM",
         "CRM | paste | Search field | Orders - CRM",
         "CRM | click | Shipping tab | Order # - * - CRM",
         "CRM | copy | Delivery date | Order # - * - CRM",
         "Outlook | paste | Message body | RE: Where is my order #? - Message",
         "Outlook | click | Send | RE: Where is my order #? - Message"]
NAMES = [   # (rule, signature, name)
    ("a search element makes a look-up; sending the reply commits nothing", ORDER, "Order look-up: Outlook → CRM"),
    ("input then Enter that opens another screen is a search",
     ["outlook | copy | ctrl+c | Where is my order <PHONE_NUMBER>? - Outlook",
      "chrome | paste | ctrl+v | Orders - CRM - Google Chrome", "chrome | key | enter | Orders - CRM - Google Chrome",
      "chrome | click | left | Order # - <PERSON> - CRM - Google Chrome"],
     "Order look-up: Outlook → CRM"),
    ("input committed by a button is an entry; the title's heaviest phrase is the object",
     ["Outlook | click | Attachment | Invoice # from * - Outlook",
      "Acrobat | copy | Invoice total | # - Adobe Acrobat Reader",
      "SAP | click | Vendor | Enter Vendor Invoice: Company Code # - SAP",
      "SAP | type | Vendor | Enter Vendor Invoice: Company Code # - SAP",
      "SAP | paste | Amount | Enter Vendor Invoice: Company Code # - SAP",
      "SAP | click | Post | Enter Vendor Invoice: Company Code # - SAP"],
     "Vendor invoice entry: Outlook → Acrobat → SAP"),
    ("a save chord commits; a change word in a title makes it an update",
     ["sap | click | left | Change Vendor #: General Data - SAP", "outlook | copy | ctrl+c | New bank details * - Outlook",
      "sap | paste | ctrl+v | Change Vendor #: Bank - SAP", "sap | shortcut | ctrl+s | Change Vendor #: Bank - SAP"],
     "Vendor update: SAP → Outlook"),
    ("an approve button is an approval",
     ["outlook | click | left | Expense report # submitted by * - Outlook",
      'chrome | click | push button "Approve" | Expense Report # - Concur - Google Chrome',
      "chrome | type | Approve Report - Concur - Google Chrome"],
     "Expense report approval: Outlook → Concur"),
    ("copy in one application, paste in another, nothing committed: a transfer",
     ["excel | copy | ctrl+c | Supplier prices - Excel", "word | paste | ctrl+v | Supplier prices - Word"],
     "Supplier prices transfer: Excel → Word"),
    ("input alone is an entry", ["notepad | type | Meeting notes - Notepad"], "Meeting notes entry: Notepad"),
    ("only clicks and reading: a look-up", ["acrobat | scroll | down | Contract #.pdf - Adobe Acrobat Reader",
                                            "acrobat | click | left | Contract #.pdf - Adobe Acrobat Reader"],
     "Contract look-up: Acrobat"),
    ("imported targets; input in a New screen is an entry; a site is its domain; the clipboard is no application",
     ["Excel | other | getCell:A# | StudentRecords.xlsx / Sheet#", "OS-Clipboard | copy | copy",
      "Chrome | paste | paste:SingleLine | https://forms.zoho.com/university/form/NewRecord",
      "Excel | other | getCell:B# | StudentRecords.xlsx / Sheet#", "OS-Clipboard | copy | copy",
      "Chrome | paste | paste:Email | https://submit.zoho.com/university/form/NewRecord"],
     "Student record entry: Excel → zoho.com"),
    ("a browser shows its site, named first or last; a new tab without one belongs to it",
     ["chrome | navigate | createNewTab:#", "chrome | click | left | Stack Overflow - question # - Google Chrome",
      "chrome | scroll | down | Stack Overflow - question # - Google Chrome"],
     "Question look-up: Stack Overflow"),
    ("typing then Enter in a chat sends: an entry; a chat's title parts are no target",
     ["slack | focus | Slack | * | direct message", "slack | type | Slack | * | direct message",
      "slack | key | enter | Slack | * | direct message", "slack | type | Slack | * | direct message"],
     "Entry: Slack"),
    ("in a sentence-case title a capitalised word is a name (one the masker missed), not an object",
     ["firefox | focus | Meeting with Aisha Okafor at # - Google Calendar - Mozilla Firefox",
      "firefox | click | left | Meeting with Aisha Okafor at # - Google Calendar - Mozilla Firefox"],
     "Meeting look-up: Google Calendar"),
    ("no object word: the verb and the applications",
     ["teams | focus | Microsoft Teams", "teams | type | Microsoft Teams"], "Entry: Teams"),
    ("plural and singular are one word, dates and placeholders no object",
     ["crm | click | left | Customers <PERSON> March - CRM", "crm | click | left | Customer <CUSTOMER_ID> - CRM"],
     "Customer look-up: CRM"),
]


@pytest.mark.parametrize(("rule", "signature", "expected"), NAMES, ids=[n[0] for n in NAMES])
def test_rules(rule: str, signature: list[str], expected: str) -> None:
    assert naming.name(signature) == expected


def test_names_are_unique_short_and_keep_no_placeholder() -> None:
    long_title = "Enter Incoming Vendor Invoice Payment Authorisation Request <PERSON> <PHONE_NUMBER> - SAP"
    many = [f"{app} | copy | ctrl+c | {long_title}" for app in ("alpha", "beta", "gamma", "delta", "epsilon")]
    taken: set[str] = set()
    names = [naming.name(sig, taken) for sig in (ORDER, ORDER, ORDER[:4] + ORDER[5:], many, many)]
    assert len(set(names)) == len(names) and taken == set(names)
    assert names[1] == "Order look-up (delivery date): Outlook → CRM"   # the next phrase tells it apart
    assert names[2] == "Order look-up (2): Outlook → CRM"           # no phrase left that could: a number
    assert all(len(n) <= naming.MAX_LENGTH and "<" not in n and "PHONE" not in n for n in names)
    assert names[3].endswith("→ …")
    assert [naming.name(ORDER) for _ in range(3)] == [names[0]] * 3


def test_a_type_without_steps_is_named_by_its_number() -> None:
    assert type_name((), 4) == "Task type 4"


@pytest.fixture(scope="module")
def office():  # type: ignore[no-untyped-def]
    """The demo's simulated office through the real masker, captured with accessibility on and off."""
    from tasklens.analyzer.pipeline import analyze
    from tasklens.config import Config
    from tasklens.privacy.masker import Masker
    from tasklens.simulate import simulate

    masker = Masker(Config())
    out = {}
    for capture in ("elements", "positions"):
        pairs = list(simulate(employees=4, days=2, seed=3, capture=capture))
        events = masker.mask_many([type(r)(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration,
                                           r.count, i, element_path=r.element_path) for i, (r, _) in enumerate(pairs)])
        out[capture] = ([t.routine for _, t in pairs], analyze(events))
    return out


@pytest.mark.parametrize("capture", ["elements", "positions"])
def test_a_real_analysis_names_its_types_for_what_the_employees_did(office, capture: str) -> None:  # type: ignore[no-untyped-def]
    """The simulation's truth: invoice entry (mail -> sheet -> SAP, saved) and order look-ups (mail -> CRM
    search -> reply). Each routine's type is named for what it was, every other type differently."""
    routines, a = office[capture]
    task_of = {e.source_row: int(t) for e, t in zip(a.events, a.task)}
    votes: dict[int, Counter[str]] = {}
    for row, routine in enumerate(routines):
        if task_of.get(row, -1) >= 0:
            votes.setdefault(a.result.instances[task_of[row]].task_type, Counter())[routine] += 1
    name_of = {routine: a.result.task_type(t).name for t, v in votes.items()
               for routine, _ in v.most_common(1) if routine}
    assert "invoice" in name_of["invoice entry"].lower() and " entry: " in name_of["invoice entry"]
    assert name_of["invoice entry"].endswith("Thunderbird → Excel → SAP")
    assert name_of["order lookup"].startswith("Order look-up: Thunderbird → CRM")
    names = [t.name for t in a.result.task_types]
    assert len(set(names)) == len(names)
    assert all(len(n) <= naming.MAX_LENGTH and "<" not in n and " | " not in n for n in names)
    assert [c.name for c in a.result.candidates] == [a.result.task_type(c.task_type).name for c in a.result.candidates]
