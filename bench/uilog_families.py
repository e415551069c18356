"""Labelled multi-user UI logs in families that differ in structure, to measure the analyzer against.

Written apart from the demo's generator (tasklens.analyzer.synthetic) and sharing nothing with it, so
that tuning the analyzer to the demo does not tune it to this yardstick. Each family plants known
routines among noise and records, per event, the true task instance and routine:

- `interleaved`: several routines of 5-12 steps across 2-3 applications, interleaved with chat, mail,
  browser and document noise (sometimes inside an instance), several users, 10 working days;
- `rare`: a weekly and a monthly routine (5-25 instances across all users) among frequent ones;
- `optional`: one routine with optional and repeated steps, one user, ~1,000 instances, little noise;
- `return`: routines that come back to the window they started in (CRM -> sheet -> CRM);
- `capture`: `interleaved` (the same seed gives the same work) with what the collector records: a click
  is the mouse button plus a position, typing has no element, copy and paste are chords, web
  applications are all the browser, and titles carry what the masker leaves (<PERSON>,
  <EMAIL_ADDRESS>, long order numbers as <PHONE_NUMBER>);
- `capture-elements`: the same work captured with accessibility on: a click, typing or a paste names the
  UI element as the collector records it (role and name, `entry "Search field"`), the rest as `capture`;
- `noise-heavy`: long single-application sessions without stable structure (chatting, reading mail,
  editing one document) around a few routines; the sessions must not become candidates.

Pure logic on a seeded `random.Random`: the same family and seed give the same log. `write` puts the
tasklens event CSV that `tasklens analyze` imports and, beside it, the truth (`*.truth.csv`: per data
row the true instance id, empty for noise, and the routine name).
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

FAMILIES = ("interleaved", "rare", "optional", "return", "capture", "capture-elements", "noise-heavy")
CAPTURED = {"capture": "positions", "capture-elements": "elements"}   # family -> what the collector records
EVENT_COLUMNS = ("timestamp", "user", "app", "title", "action", "target", "value", "count")
TRUTH_COLUMNS = ("row", "case", "routine")
START = datetime(2026, 3, 2, tzinfo=UTC).timestamp()   # a Monday
IDLE_AFTER = 300.0   # seconds without input before the collector records `idle` (capture family)
WEB_APPS = frozenset({"CRM", "Jira", "Zendesk", "Concur", "Stripe"})   # in a browser, as captured


@dataclass(frozen=True)
class Step:
    """One user action in a window; `title` and `text` are templates filled per instance."""

    app: str
    title: str
    action: str          # click type copy paste key shortcut scroll
    element: str = ""    # the UI element; for key and shortcut the key or chord
    text: str = ""       # what is typed, copied or pasted


@dataclass(frozen=True)
class Opt:
    """Steps done in a share `p` of instances."""

    p: float
    steps: tuple[Part, ...]


@dataclass(frozen=True)
class Rep:
    """Steps done `lo` to `hi` times in a row (a loop)."""

    lo: int
    hi: int
    steps: tuple[Part, ...]


Part = Step | Opt | Rep


@dataclass(frozen=True)
class Routine:
    name: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Row:
    """One event of the log with its truth: `case` is the true instance ("" for noise)."""

    ts: float
    user: str
    app: str
    title: str
    action: str
    target: str
    value: str = ""
    count: int = 0
    case: str = ""
    routine: str = ""


@dataclass
class Log:
    family: str
    seed: int
    rows: list[Row] = field(default_factory=list)

    def instances(self) -> dict[str, str]:
        """True instance id -> routine name."""
        return {r.case: r.routine for r in self.rows if r.case}


# ---------------------------------------------------------------------------------------------- routines

ORDER_LOOKUP = Routine("order status look-up", (
    Step("Outlook", "Where is my order {order}? - Inbox - Outlook", "click", "Message list"),
    Step("Outlook", "Where is my order {order}? - Message", "copy", "Message body", "{order}"),
    Step("CRM", "Orders - CRM", "click", "Search field"),
    Step("CRM", "Orders - CRM", "paste", "Search field", "{order}"),
    Step("CRM", "Orders - CRM", "key", "enter"),
    Step("CRM", "Order {order} - {person} - CRM", "click", "Shipping tab"),
    Opt(0.3, (Step("CRM", "Order {order} - {person} - CRM", "click", "Tracking link"),)),
    Step("CRM", "Order {order} - {person} - CRM", "copy", "Delivery date", "{date}"),
    Step("Outlook", "RE: Where is my order {order}? - Message", "paste", "Message body", "{date}"),
    Step("Outlook", "RE: Where is my order {order}? - Message", "click", "Send"),
))
INVOICE_ENTRY = Routine("vendor invoice entry", (
    Step("Outlook", "Invoice {invoice} from {vendor} - Outlook", "click", "Attachment"),
    Step("Acrobat", "INV-{invoice}.pdf - Adobe Acrobat Reader", "copy", "Invoice total", "{amount}"),
    Step("SAP", "Enter Vendor Invoice: Company Code 1000 - SAP", "click", "Vendor"),
    Step("SAP", "Enter Vendor Invoice: Company Code 1000 - SAP", "type", "Vendor", "{vendor_id}"),
    Step("SAP", "Enter Vendor Invoice: Company Code 1000 - SAP", "key", "tab"),
    Step("SAP", "Enter Vendor Invoice: Company Code 1000 - SAP", "paste", "Amount", "{amount}"),
    Opt(0.25, (Step("SAP", "Enter Vendor Invoice: Company Code 1000 - SAP", "type", "Text", "INV {invoice}"),)),
    Step("SAP", "Enter Vendor Invoice: Company Code 1000 - SAP", "click", "Post"),
    Step("SAP", "Document {doc} was posted - SAP", "click", "Continue"),
))
TICKET_TRIAGE = Routine("support ticket triage", (
    Step("Jira", "{ticket} {subject} - Jira", "click", "Assignee"),
    Step("Jira", "{ticket} {subject} - Jira", "type", "Assignee", "{agent}"),
    Step("Jira", "{ticket} {subject} - Jira", "key", "enter"),
    Step("Jira", "{ticket} {subject} - Jira", "click", "Priority"),
    Step("Jira", "{ticket} {subject} - Jira", "click", "{priority}"),
    Step("Excel", "Triage log {month}.xlsx - Excel", "click", "Cell"),
    Step("Excel", "Triage log {month}.xlsx - Excel", "type", "Cell", "{ticket}"),
    Step("Excel", "Triage log {month}.xlsx - Excel", "key", "tab"),
    Step("Excel", "Triage log {month}.xlsx - Excel", "type", "Cell", "{priority}"),
    Step("Excel", "Triage log {month}.xlsx - Excel", "shortcut", "ctrl+s"),
))
EXPENSE_APPROVAL = Routine("expense approval", (
    Step("Outlook", "Expense report {expense} submitted by {person} - Outlook", "click", "Open report"),
    Step("Concur", "Expense Report {expense} - Concur", "scroll", "Receipts"),
    Step("Concur", "Expense Report {expense} - Concur", "click", "Receipt"),
    Step("Concur", "Expense Report {expense} - Concur", "copy", "Total", "{amount}"),
    Step("Excel", "Travel budget {month}.xlsx - Excel", "click", "Cell"),
    Step("Excel", "Travel budget {month}.xlsx - Excel", "paste", "Cell", "{amount}"),
    Step("Concur", "Expense Report {expense} - Concur", "click", "Approve"),
    Step("Concur", "Approve Report - Concur", "type", "Comment", "ok"),
    Step("Concur", "Approve Report - Concur", "click", "Submit"),
))
# come back to the window they started in
ADDRESS_CHANGE = Routine("customer address change", (
    Step("CRM", "Customer {customer} - {person} - CRM", "click", "Address tab"),
    Step("CRM", "Customer {customer} - {person} - CRM", "copy", "Street", "{street}"),
    Step("Excel", "Address changes {month}.xlsx - Excel", "click", "Cell"),
    Step("Excel", "Address changes {month}.xlsx - Excel", "paste", "Cell", "{street}"),
    Step("Excel", "Address changes {month}.xlsx - Excel", "key", "tab"),
    Step("Excel", "Address changes {month}.xlsx - Excel", "type", "Cell", "{zip}"),
    Step("CRM", "Customer {customer} - {person} - CRM", "click", "Edit"),
    Step("CRM", "Customer {customer} - {person} - CRM", "type", "Street", "{street2}"),
    Step("CRM", "Customer {customer} - {person} - CRM", "click", "Save"),
))
REFUND = Routine("refund request", (
    Step("Zendesk", "Ticket #{ticket_no} Refund for order {order} - Zendesk", "click", "Order link"),
    Step("Zendesk", "Ticket #{ticket_no} Refund for order {order} - Zendesk", "copy", "Order number", "{order}"),
    Step("Stripe", "Payments - Stripe", "paste", "Search", "{order}"),
    Step("Stripe", "Payments - Stripe", "key", "enter"),
    Step("Stripe", "Payment {payment} - Stripe", "click", "Refund"),
    Step("Stripe", "Refund payment - Stripe", "type", "Amount", "{amount}"),
    Step("Stripe", "Refund payment - Stripe", "click", "Confirm refund"),
    Step("Zendesk", "Ticket #{ticket_no} Refund for order {order} - Zendesk", "type", "Reply", "Refund issued"),
    Step("Zendesk", "Ticket #{ticket_no} Refund for order {order} - Zendesk", "click", "Submit as solved"),
))
VENDOR_UPDATE = Routine("vendor bank details update", (
    Step("SAP", "Change Vendor {vendor_id}: General Data - SAP", "click", "Payment transactions"),
    Step("Outlook", "New bank details {vendor} - Outlook", "copy", "IBAN", "{iban}"),
    Step("SAP", "Change Vendor {vendor_id}: Payment transactions - SAP", "paste", "IBAN", "{iban}"),
    Step("SAP", "Change Vendor {vendor_id}: Payment transactions - SAP", "key", "tab"),
    Step("Outlook", "New bank details {vendor} - Outlook", "copy", "BIC", "{bic}"),
    Step("SAP", "Change Vendor {vendor_id}: Payment transactions - SAP", "paste", "BIC", "{bic}"),
    Step("SAP", "Change Vendor {vendor_id}: Payment transactions - SAP", "shortcut", "ctrl+s"),
    Step("SAP", "Change Vendor {vendor_id}: General Data - SAP", "click", "Back"),
))
# rare but regular
WEEKLY_REPORT = Routine("weekly sales review", (
    Step("SAP", "Sales Analysis: Week {week} - SAP", "click", "Execute"),
    Step("SAP", "Sales Analysis: Week {week} - SAP", "click", "Export"),
    Step("SAP", "Save As - SAP", "type", "File name", "sales_w{week}"),
    Step("SAP", "Save As - SAP", "key", "enter"),
    Step("Excel", "sales_w{week}.xlsx - Excel", "click", "Pivot table"),
    Step("Excel", "sales_w{week}.xlsx - Excel", "copy", "Grand total", "{amount}"),
    Step("PowerPoint", "Weekly review W{week}.pptx - PowerPoint", "click", "Slide 2"),
    Step("PowerPoint", "Weekly review W{week}.pptx - PowerPoint", "paste", "Chart", "{amount}"),
    Step("PowerPoint", "Weekly review W{week}.pptx - PowerPoint", "shortcut", "ctrl+s"),
    Step("Outlook", "Weekly review W{week} - Message", "type", "To", "{email}"),
    Step("Outlook", "Weekly review W{week} - Message", "click", "Attach file"),
    Step("Outlook", "Weekly review W{week} - Message", "click", "Send"),
))
MONTH_END = Routine("month-end accruals", (
    Step("SAP", "Period Close {month} - SAP", "click", "Open period"),
    Step("SAP", "Period Close {month} - SAP", "type", "Period", "{period}"),
    Step("SAP", "Period Close {month} - SAP", "click", "Execute"),
    Step("SAP", "Accruals {month} - SAP", "copy", "Balance", "{amount}"),
    Step("Excel", "Close checklist {month}.xlsx - Excel", "paste", "Cell", "{amount}"),
    Step("Excel", "Close checklist {month}.xlsx - Excel", "type", "Cell", "done"),
    Step("Excel", "Close checklist {month}.xlsx - Excel", "shortcut", "ctrl+s"),
    Step("Outlook", "Month-end close {month} - Message", "click", "Send"),
))
# optional and repeated steps
CLAIM_ENTRY = Routine("insurance claim entry", (
    Step("Outlook", "Claim {claim} - {person} - Outlook", "click", "Attachment"),
    Opt(0.5, (Step("Acrobat", "Claim_{claim}.pdf - Adobe Acrobat Reader", "scroll", "Page"),)),
    Step("ClaimsPro", "New claim - ClaimsPro", "click", "Policy number"),
    Step("ClaimsPro", "New claim - ClaimsPro", "type", "Policy number", "{policy}"),
    Opt(0.3, (Step("ClaimsPro", "Policy search - ClaimsPro", "click", "Search"),
              Step("ClaimsPro", "Policy search - ClaimsPro", "click", "Result row"))),
    Rep(1, 4, (Step("ClaimsPro", "New claim - ClaimsPro", "click", "Add item"),
               Step("ClaimsPro", "New claim - ClaimsPro", "type", "Item amount", "{amount}"),
               Opt(0.4, (Step("ClaimsPro", "New claim - ClaimsPro", "type", "Item note", "{note}"),)))),
    Opt(0.2, (Step("ClaimsPro", "New claim - ClaimsPro", "click", "Attach document"),)),
    Step("ClaimsPro", "New claim - ClaimsPro", "click", "Submit"),
    Step("ClaimsPro", "Claim {claim} saved - ClaimsPro", "click", "Close"),
))

# ------------------------------------------------------------------------------------------ instance data

FIRST = ("Jane", "Ahmed", "Maria", "Wei", "Olga", "Kofi", "Lucia", "Tom", "Priya", "Sven", "Aiko", "Diego")
LAST = ("Miller", "Okafor", "Rossi", "Zhang", "Ivanova", "Mensah", "Garcia", "Berg", "Sharma", "Larsen")
VENDORS = ("Acme Supplies", "Nordic Paper AB", "Delta Logistics", "Blue Ocean Foods", "Kern & Sohn GmbH")
SUBJECTS = ("Login fails after update", "Export button greyed out", "Wrong VAT on invoice",
            "Slow search results", "Password reset mail missing", "Duplicate customer record")
MONTHS = ("March", "April", "May", "June")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _context(rng: random.Random, day: int) -> dict[str, str]:
    """Values of one instance: ids and numbers vary per instance, as in real titles."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    digits = rng.choice((6, 6, 7, 8, 9, 10))
    return {
        "order": str(rng.randint(10 ** (digits - 1), 10 ** digits - 1)),
        "person": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}@example.com",
        "phone": f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
        "invoice": str(rng.randint(100000, 999999)), "vendor": rng.choice(VENDORS),
        "vendor_id": str(rng.randint(10000, 99999)), "doc": str(rng.randint(5100000000, 5199999999)),
        "amount": f"{rng.uniform(20, 9000):.2f}", "date": f"2026-03-{rng.randint(3, 28):02d}",
        "ticket": f"SUP-{rng.randint(1000, 9999)}", "ticket_no": str(rng.randint(20000, 99999)),
        "subject": rng.choice(SUBJECTS), "agent": rng.choice(FIRST).lower(),
        "priority": rng.choice(("High", "Medium", "Low")), "month": MONTHS[min(day // 20, 3)],
        "expense": f"ER-{rng.randint(100000, 999999)}", "customer": f"C{rng.randint(100000, 999999)}",
        "street": f"{rng.randint(1, 200)} {rng.choice(LAST)} Street", "zip": str(rng.randint(10000, 99999)),
        "street2": f"{rng.randint(1, 200)} {rng.choice(LAST)} Road",
        "payment": f"py_{rng.randint(10 ** 9, 10 ** 10)}",
        "iban": (f"DE{rng.randint(10, 99)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)} "
                 f"{rng.randint(1000, 9999)}"),
        "bic": rng.choice(("DEUTDEFF", "COBADEFF", "NORDSESS")), "week": str(10 + day // 5),
        "period": f"{3 + day // 20:02d}/2026", "claim": f"CL-{rng.randint(1000000, 9999999)}",
        "policy": f"P{rng.randint(10 ** 7, 10 ** 8 - 1)}", "note": rng.choice(("taxi", "hotel", "repair", "glass")),
    }


_NAME = re.compile(rf"\b(?:{'|'.join(FIRST)}) (?:{'|'.join(LAST)})\b")
_EMAIL = re.compile(r"\b[\w.]+@[\w-]+\.[\w.]+\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: \d{4}){3}\b")
_LONG_NUMBER = re.compile(r"\b\d{9,}\b")


def masked(text: str) -> str:
    """What the collector's masker leaves: typed placeholders; a long bare number is taken for a phone
    number while a short one is kept (so one task's titles differ, as on real data)."""
    text = _EMAIL.sub("<EMAIL_ADDRESS>", _NAME.sub("<PERSON>", text))
    return _LONG_NUMBER.sub("<PHONE_NUMBER>", _IBAN.sub("<IBAN_CODE>", text))


# --------------------------------------------------------------------------------------------- the steps

@dataclass(frozen=True)
class _Act:
    """An action before rendering: the window, what was done, and the values behind it."""

    app: str
    title: str
    action: str
    element: str
    text: str


def expand(parts: tuple[Part, ...], rng: random.Random) -> list[Step]:
    """One instance's steps: optional parts drawn, loops unrolled."""
    out: list[Step] = []
    for p in parts:
        if isinstance(p, Step):
            out.append(p)
        elif isinstance(p, Opt):
            if rng.random() < p.p:
                out.extend(expand(p.steps, rng))
        else:
            for _ in range(rng.randint(p.lo, p.hi)):
                out.extend(expand(p.steps, rng))
    return out


def _fill(step: Step, ctx: dict[str, str]) -> _Act:
    return _Act(step.app, step.title.format(**ctx), step.action, step.element.format(**ctx), step.text.format(**ctx))


_NOISE_SUBJECTS = ("Team lunch on Friday?", "Q{n} planning", "Re: holiday rota", "Build {n} failed",
                   "Newsletter #{n}", "Room booking {n}", "Fwd: slides for {name}", "Minutes {n}")
_PAGES = ("Weather Berlin", "Stack Overflow - question {n}", "BBC News", "Wikipedia - {name}",
          "YouTube", "Train times {n}", "Intranet - Canteen menu", "Amazon.com order {n}")
_DOCS = ("Project plan v{n}.docx", "Minutes {n}.docx", "Offer {name}.docx", "Notes.docx")


def _noise(kind: str, seconds: float, rng: random.Random) -> Iterator[tuple[float, _Act]]:
    """(think time, action) pairs of a session without stable structure, of about `seconds` length."""
    n, name = rng.randint(1, 999), _person(rng)
    if kind == "document":
        title = rng.choice(_DOCS).format(n=n, name=name) + " - Word"
    t = 0.0
    while t < seconds:
        r = rng.random()
        if kind == "chat":
            if rng.random() < 0.15:
                name = _person(rng)
            title = f"Chat | {name} | Microsoft Teams"
            act = (("type", "Message", rng.choice(("ok", "thanks!", "see you at 3", "can you check?"))) if r < 0.45
                   else ("key", "enter", "") if r < 0.7 else ("scroll", "Conversation", "") if r < 0.85
                   else ("click", rng.choice(("Chat list", "Emoji", "Reply", "Like")), ""))
            app = "Teams"
        elif kind == "mail":
            if rng.random() < 0.3:
                subject = rng.choice(_NOISE_SUBJECTS)
                title = subject.format(n=rng.randint(1, 99), name=_person(rng)) + " - Inbox - Outlook"
            elif t == 0.0:
                title = "Inbox - Outlook"
            act = (("click", "Message list", "") if r < 0.35 else ("scroll", "Reading pane", "") if r < 0.7
                   else ("key", rng.choice(("down", "up", "delete")), "") if r < 0.9
                   else ("click", rng.choice(("Flag", "Archive", "Mark as read")), ""))
            app = "Outlook"
        elif kind == "browser":
            if rng.random() < 0.25 or t == 0.0:
                title = rng.choice(_PAGES).format(n=rng.randint(1, 99999), name=_person(rng)) + " - Google Chrome"
            act = (("scroll", "Page", "") if r < 0.5 else ("click", rng.choice(("Link", "Tab", "Back")), "")
                   if r < 0.85 else ("shortcut", rng.choice(("ctrl+t", "ctrl+w", "ctrl+f")), ""))
            app = "Chrome"
        else:   # document
            act = (("type", "Document", rng.choice(("the figures for", "as agreed,", "next steps"))) if r < 0.55
                   else ("key", rng.choice(("enter", "backspace", "down")), "") if r < 0.75
                   else ("scroll", "Document", "") if r < 0.88
                   else ("shortcut", rng.choice(("ctrl+s", "ctrl+b", "ctrl+z")), ""))
            app = "Word"
        think = rng.uniform(2.0, 9.0) if kind in ("mail", "browser") else rng.uniform(1.0, 6.0)
        t += think
        yield think, _Act(app, title, act[0], act[1], act[2])


# -------------------------------------------------------------------------------------------- rendering

_THINK = {"focus": (0.3, 1.5), "click": (0.8, 3.5), "type": (0.8, 2.5), "copy": (0.4, 1.5), "paste": (0.4, 1.5),
          "key": (0.2, 1.0), "shortcut": (0.3, 1.2), "scroll": (1.0, 4.0)}


_ROLES = (("field", "entry"), ("tab", "page tab"), ("link", "link"), ("list", "list"), ("body", "document text"),
          ("menu", "menu item"))


def _element(name: str) -> str:
    """A UI element as AT-SPI names it, role and name: the role read off the name's last word."""
    last = name.rsplit(" ", 1)[-1].lower()
    return f'{next((role for word, role in _ROLES if last == word), "push button")} "{name}"'


def _render(a: _Act, capture: str, rng: random.Random) -> tuple[str, str, str, str, str, int]:
    """(app, title, action, target, value, count) as an importer would get them, or as captured
    (`capture`: "" for an import, "positions" or "elements" for the collector without or with accessibility)."""
    count = len(a.text) if a.action == "type" else 1 if a.action == "scroll" else 0
    if not capture:
        target = a.element if a.action != "focus" else ""
        value = a.text if a.action in ("type", "copy", "paste") else ""
        return a.app, a.title, a.action, target, value, count
    title = masked(a.title)
    app, title = ("chrome", f"{title} - Google Chrome") if a.app in WEB_APPS else (a.app.lower(), title)
    if capture == "elements" and a.action in ("click", "type", "paste") and a.element:
        value = f"{rng.randint(5, 1200)},{rng.randint(5, 780)}" if a.action == "click" else masked(a.text)
        return app, title, a.action, _element(a.element), value, count
    if a.action == "click":
        return app, title, "click", "left", f"{rng.randint(5, 1200)},{rng.randint(5, 780)}", 1
    if a.action in ("copy", "paste"):
        return app, title, a.action, "ctrl+c" if a.action == "copy" else "ctrl+v", "", 0
    if a.action == "type":
        return app, title, "type", "", masked(a.text), count
    target = a.element if a.action in ("key", "shortcut") else ""
    return app, title, a.action, target, "", count


@dataclass
class _User:
    """One person's stream while it is generated: clock, current window, rows."""

    name: str
    speed: float
    capture: str
    rng: random.Random
    where: random.Random   # click positions apart, so timing is the same whatever is captured
    clock: float = 0.0
    window: tuple[str, str] = ("", "")
    rows: list[Row] = field(default_factory=list)

    def act(self, a: _Act, think: float, case: str = "", routine: str = "") -> None:
        if (a.app, a.title) != self.window:   # a switch of window is seen first
            self.clock += self.speed * self.rng.uniform(*_THINK["focus"])
            self._emit(replace(a, action="focus", element="", text=""), case, routine)
            self.window = (a.app, a.title)
        extra = 0.15 * len(a.text) if a.action == "type" else 0.0
        self.clock += self.speed * think + extra
        self._emit(a, case, routine)

    def _emit(self, a: _Act, case: str, routine: str) -> None:
        app, title, action, target, value, count = _render(a, self.capture, self.where)
        self.rows.append(Row(round(self.clock, 3), self.name, app, title, action, target, value, count, case, routine))

    def pause(self, seconds: float) -> None:
        """Time away from the keyboard; the collector marks long ones idle and active."""
        if self.capture and seconds > IDLE_AFTER:
            app, title = _render(_Act(*self.window, "idle", "", ""), self.capture, self.where)[:2]
            self.rows.append(Row(round(self.clock + IDLE_AFTER, 3), self.name, app, title, "idle", ""))
            self.clock += seconds
            self.rows.append(Row(round(self.clock, 3), self.name, app, title, "active", ""))
        else:
            self.clock += seconds


@dataclass(frozen=True)
class Plan:
    """What a family plants: per user the routines and their daily rates, fixed rare instances, noise."""

    users: int
    days: int
    rates: dict[int, dict[Routine, float]]          # user -> routine -> instances per day (mean)
    fixed: dict[tuple[int, int], list[Routine]]     # (user, day) -> routines done that day
    noise_minutes: tuple[float, float]              # noise per user-day
    noise_session: tuple[float, float]              # minutes per noise session
    noise_kinds: tuple[str, ...]
    interrupt: float = 0.0                          # share of instances with a chat interruption inside
    capture: str = ""                               # "" (an import), "positions" or "elements" (the collector)


def _count(rate: float, rng: random.Random) -> int:
    """An instance count around `rate` (integer part, plus one with the fractional chance)."""
    whole = int(rate * rng.uniform(0.7, 1.3))
    return whole + (rng.random() < rate - int(rate))


def _run_plan(plan: Plan, family: str, seed: int, rng: random.Random) -> Log:
    users = [_User(f"emp{u + 1:02d}", rng.uniform(0.8, 1.3), plan.capture, random.Random(rng.random()),
                   random.Random(u))
             for u in range(plan.users)]
    serial = 0
    for u, user in enumerate(users):
        for day in range(plan.days):
            date = START + (day // 5 * 7 + day % 5) * 86400
            user.clock = max(user.clock, date + rng.uniform(7.5, 9.5) * 3600)
            blocks: list[Routine | tuple[str, float]] = []   # instances, and noise sessions (kind, seconds)
            for routine, rate in plan.rates.get(u, {}).items():
                blocks += [routine] * _count(rate, rng)
            blocks += plan.fixed.get((u, day), [])
            left = rng.uniform(*plan.noise_minutes) * 60
            while left > 0:
                length = min(left, rng.uniform(*plan.noise_session) * 60)
                blocks.append((rng.choice(plan.noise_kinds), length))
                left -= length
            rng.shuffle(blocks)
            lunch = date + rng.uniform(11.8, 12.8) * 3600
            for block in blocks:
                if lunch and user.clock > lunch:
                    user.pause(rng.uniform(30, 60) * 60)
                    lunch = 0.0
                user.pause(rng.uniform(10, 600) if rng.random() < 0.15 else rng.uniform(2, 40))
                if not isinstance(block, Routine):
                    for think, a in _noise(*block, rng):
                        user.act(a, think)
                    continue
                routine = block
                serial += 1
                case = f"{user.name}-{serial}"
                ctx = _context(rng, day)
                steps = expand(routine.parts, rng)
                cut = rng.randint(2, len(steps) - 2) if rng.random() < plan.interrupt and len(steps) > 4 else -1
                for k, step in enumerate(steps):
                    if k == cut:
                        for think, a in _noise("chat", rng.uniform(10, 40), rng):
                            user.act(a, think)
                    user.act(_fill(step, ctx), rng.uniform(*_THINK[step.action]), case, routine.name)
    rows = sorted((r for user in users for r in user.rows), key=lambda r: (r.ts, r.user))
    return Log(family, seed, rows)


def plan(family: str, rng: random.Random, scale: float = 1.0) -> Plan:
    """The family's structure; counts and choices vary with the seed, `scale` shrinks or grows volume."""
    mixed = ("chat", "mail", "browser", "document")
    if family in ("interleaved", *CAPTURED):
        pool = [ORDER_LOOKUP, INVOICE_ENTRY, TICKET_TRIAGE, EXPENSE_APPROVAL]
        n = rng.randint(4, 6)
        rates = {u: {r: rng.uniform(1.5, 5.0) * scale for r in rng.sample(pool, rng.randint(2, 3))} for u in range(n)}
        for r in pool:   # every routine has someone doing it
            rates[rng.randrange(n)].setdefault(r, rng.uniform(1.5, 5.0) * scale)
        return Plan(n, 10, rates, {}, (6 * scale, 15 * scale), (0.5, 6), mixed, interrupt=0.1,
                    capture=CAPTURED.get(family, ""))
    if family == "rare":
        n = rng.randint(5, 6)
        frequent = [ORDER_LOOKUP, INVOICE_ENTRY, TICKET_TRIAGE]
        rates = {u: {r: rng.uniform(2.0, 5.0) * scale for r in rng.sample(frequent, 2)} for u in range(n)}
        fixed: dict[tuple[int, int], list[Routine]] = {}
        for u in rng.sample(range(n), rng.randint(3, n)):   # weekly: on each week's first or second day
            for week in (0, 1):
                fixed.setdefault((u, week * 5 + rng.randint(0, 1)), []).append(WEEKLY_REPORT)
        for u in rng.sample(range(n), 5):                   # monthly: the last day, five people
            fixed.setdefault((u, 9), []).append(MONTH_END)
        return Plan(n, 10, rates, fixed, (6 * scale, 15 * scale), (0.5, 6), mixed, interrupt=0.05)
    if family == "optional":
        days = 5
        return Plan(1, days, {0: {CLAIM_ENTRY: 1000 * scale / days}}, {}, (2, 6), (0.3, 2), mixed)
    if family == "return":
        pool = [ADDRESS_CHANGE, REFUND, VENDOR_UPDATE]
        n = rng.randint(4, 5)
        rates = {u: {r: rng.uniform(1.5, 5.0) * scale for r in rng.sample(pool, 2)} for u in range(n)}
        for r in pool:
            rates[rng.randrange(n)].setdefault(r, rng.uniform(1.5, 5.0) * scale)
        return Plan(n, 10, rates, {}, (6 * scale, 15 * scale), (0.5, 6), mixed, interrupt=0.05)
    if family == "noise-heavy":
        n = 3
        rates = {u: {ORDER_LOOKUP: rng.uniform(2, 4) * scale, EXPENSE_APPROVAL: rng.uniform(0.6, 1.5) * scale}
                 for u in range(n)}
        return Plan(n, 4, rates, {}, (60 * scale, 110 * scale), (20, 50), ("chat", "mail", "document"))
    raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")


def generate(family: str, seed: int, scale: float = 1.0) -> Log:
    """A labelled log of `family`; the same family, seed and scale always give the same log. `capture`
    with seed k is `interleaved` with seed k as the collector records it: the same events and truth."""
    rng = random.Random(f"{'interleaved' if family in CAPTURED else family}/{seed}")
    return _run_plan(plan(family, rng, scale), family, seed, rng)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write(log: Log, path: Path) -> tuple[Path, Path]:
    """The event CSV at `path` and its truth beside it (`<stem>.truth.csv`); row k of one is row k of the other."""
    path = Path(path)
    truth = path.with_name(path.stem + ".truth.csv")
    with open(path, "w", newline="", encoding="utf-8") as f, open(truth, "w", newline="", encoding="utf-8") as g:
        w, t = csv.writer(f), csv.writer(g)
        w.writerow(EVENT_COLUMNS)
        t.writerow(TRUTH_COLUMNS)
        for k, r in enumerate(log.rows):
            w.writerow([_iso(r.ts), r.user, r.app, r.title, r.action, r.target, r.value, r.count or ""])
            t.writerow([k, r.case, r.routine])
    return path, truth


def read_truth(path: Path) -> tuple[list[str], list[str]]:
    """(case, routine) per data row of the event CSV, from a `*.truth.csv`."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["case"] for r in rows], [r["routine"] for r in rows]
