"""UI elements: how they enter events (pure rules), the look-up thread (with a fake element source), and
the element path through the masker and the real store, including a store from before the column."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from tasklens import storekey
from tasklens.collector.elements import apply, cap_path, clean_name, name_without_value
from tasklens.collector.lookup import ElementLookup
from tasklens.collector.sources import Element, Window
from tasklens.config import Config
from tasklens.events import Action, RawEvent
from tasklens.privacy.masker import Masker
from tasklens.schema import LATEST, MIGRATIONS
from tasklens.store import Store

WIN = Window("gedit", "/usr/bin/gedit", "Invoices", handle=7, width=800, height=600, pid=42)
POST = Element("push button", "Post invoice", ("dialog 'x'", 'page tab "Vendor"'))


def raw(action: Action, target: str = "", value: str = "", ts: float = 100.0) -> RawEvent:
    return RawEvent(ts, "emp-1", "gedit", "Invoices", action, target, value, count=1)


class FakeElements:
    """Answers from tables; counts the questions; may fail."""

    def __init__(self, at: Element | None = POST, focus: Element | None = None, fail: bool = False) -> None:
        self.at, self.focus, self.fail = at, focus, fail
        self.asked: list[tuple[object, ...]] = []
        self.closed = False

    def at_point(self, x: int, y: int, window: Window) -> Element | None:
        self.asked.append(("at", x, y, window.pid))
        if self.fail:
            raise TimeoutError("past the deadline")
        return self.at

    def focused(self, window: Window) -> Element | None:
        self.asked.append(("focus", window.pid))
        return self.focus

    def close(self) -> None:
        self.closed = True


def run_lookup(elements: FakeElements, items: list[tuple[RawEvent, tuple[int, int] | None]],
               excluded: Callable[[str, str, str], bool] | None = None) -> list[RawEvent]:
    out: list[RawEvent] = []
    done = threading.Event()

    def emit(ev: RawEvent) -> None:
        out.append(ev)
        if len(out) == len(items):
            done.set()
    lookup = ElementLookup(elements, emit, excluded)
    lookup.start()
    for ev, point in items:
        lookup.submit(ev, WIN, point)
    assert done.wait(10)
    lookup.stop()
    assert elements.closed
    return out


def test_an_element_becomes_the_target_and_path() -> None:
    ev = apply(raw(Action.CLICK, "left", "10,20"), POST)
    assert ev.target == 'push button "Post invoice"' and ev.element_path == "dialog 'x' > page tab \"Vendor\""
    assert ev.value == "10,20"
    assert apply(raw(Action.CLICK, "left"), None) == raw(Action.CLICK, "left")
    assert Element("link").target == "link"


@pytest.mark.parametrize("element", [Element("password text", "PIN"), Element("push button", "Show",
                                                                              ('password text "PIN"',))])
def test_a_password_field_leaves_no_trace(element: Element) -> None:
    assert element.secret
    assert apply(raw(Action.CLICK, "left", "1,2"), element) == raw(Action.CLICK, "left", "1,2")
    typed = apply(raw(Action.TYPE, "", "hunter2"), element)
    assert typed.value == "" and typed.target == "" and typed.element_path == ""


def test_names_are_one_line_without_quotes_and_cut() -> None:
    assert clean_name('  Say "hi"\n  now ') == "Say 'hi' now"
    assert len(clean_name("x" * 500)) == 120 and clean_name("x" * 500).endswith("…")


@pytest.mark.parametrize("role,name,value,kept", [
    ("entry", "jane@example.com", "jane@example.com", ""),     # a toolkit naming a field by its content
    ("text", "Dear Jane, the invoice", "Dear Jane", ""),
    ("entry", "Vendor", "ACME Ltd", "Vendor"),
    ("push button", "OK", "OK", "OK"),                          # not a text field: names are labels
    ("entry", "Vendor", "", "Vendor"),
])
def test_a_text_field_value_is_never_its_name(role: str, name: str, value: str, kept: str) -> None:
    assert name_without_value(role, name, value) == kept


def test_a_path_keeps_the_nearest_ancestors_and_the_web_page() -> None:
    chain = ['document web "Invoice form" http://x/form'] + [f'list item "{i}"' for i in range(12)]
    capped = cap_path(chain)
    assert len(capped) == 8 and capped[0].startswith("document web") and capped[-1] == 'list item "11"'
    assert cap_path(["a", "b"]) == ("a", "b")


def test_lookups_keep_order_ask_at_the_click_point_and_reuse_the_focus_for_a_typing_run() -> None:
    field = Element("text", "Vendor")
    fake = FakeElements(focus=field)
    items = [(raw(Action.CLICK, "left", "5,5", ts=1.0), (105, 205)),
             (raw(Action.TYPE, ts=1.1), None), (raw(Action.TYPE, ts=1.2), None), (raw(Action.TYPE, ts=1.3), None),
             (raw(Action.KEY, "tab", ts=1.4), None), (raw(Action.TYPE, ts=1.5), None),
             (raw(Action.SCROLL, "down", ts=1.6), None)]
    out = run_lookup(fake, items)
    assert [e.ts for e in out] == [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]
    vendor = 'text "Vendor"'
    assert [e.target for e in out] == ['push button "Post invoice"', vendor, vendor, vendor, "tab", vendor, "down"]
    # one look-up for the click, one for the run, one again after tab moved the focus
    assert fake.asked == [("at", 105, 205, 42), ("focus", 42), ("focus", 42)]


class GatedElements(FakeElements):
    """A source whose point look-ups wait until the test opens the gate: a slow application."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def at_point(self, x: int, y: int, window: Window) -> Element | None:
        assert self.gate.wait(10)
        return super().at_point(x, y, window)


def test_keys_pass_on_from_the_hook_but_never_ahead_of_a_click_still_looked_up() -> None:
    fake, out, three = GatedElements(), [], threading.Event()

    def emit(ev: RawEvent) -> None:
        out.append(ev)
        if len(out) == 3:
            three.set()
    lookup = ElementLookup(fake, emit)
    lookup.start()
    lookup.submit(raw(Action.KEY, "enter", ts=1.0), WIN)
    assert [e.ts for e in out] == [1.0]             # emitted by the hook itself: no thread hop
    lookup.submit(raw(Action.CLICK, "left", "5,5", ts=2.0), WIN, (3, 4))
    lookup.submit(raw(Action.KEY, "tab", ts=3.0), WIN)
    assert [e.ts for e in out] == [1.0]             # the tab waits behind the click's look-up
    fake.gate.set()
    assert three.wait(10)
    lookup.stop()
    assert [e.ts for e in out] == [1.0, 2.0, 3.0] and out[1].target == 'push button "Post invoice"'


def test_typing_after_a_click_into_a_field_is_that_fields_without_asking() -> None:
    fake = FakeElements(at=Element("password text"), focus=Element("text", "Vendor"))
    out = run_lookup(fake, [(raw(Action.CLICK, "left", "5,5", ts=1.0), (7, 7)),
                            (raw(Action.TYPE, "", "hunter2", ts=1.2), None)])
    assert out[1].value == "" and out[1].target == "" and fake.asked == [("at", 7, 7, 42)]


def test_an_excluded_application_is_not_even_asked() -> None:
    fake = FakeElements()
    out = run_lookup(fake, [(raw(Action.CLICK, "left", "5,5"), (1, 1))],
                     excluded=lambda app, exe, title: app == "gedit")
    assert out == [raw(Action.CLICK, "left", "5,5")] and fake.asked == []


def test_the_exclusion_rule_is_asked_once_per_window_not_at_every_key() -> None:
    asked: list[str] = []

    def rule(app: str, exe: str, title: str) -> bool:
        asked.append(title)
        return title == "Payroll"
    out: list[RawEvent] = []
    lookup = ElementLookup(FakeElements(focus=Element("text", "Vendor")), out.append, rule)
    lookup.start()
    payroll = Window("gedit", "/usr/bin/gedit", "Payroll", handle=7, width=800, height=600, pid=42)
    for i, window in enumerate([WIN] * 5 + [payroll] * 3 + [WIN]):
        lookup.submit(raw(Action.TYPE, ts=1.0 + i / 10), window)
    lookup.stop()
    assert asked == ["Invoices", "Payroll", "Invoices"]   # a new Window (here a title change) is asked again
    assert [e.target for e in out] == ['text "Vendor"'] * 5 + [""] * 3 + ['text "Vendor"']


def test_a_failing_lookup_leaves_todays_event() -> None:
    fake = FakeElements(fail=True)
    out = run_lookup(fake, [(raw(Action.CLICK, "left", "5,5"), (1, 1))])
    assert out == [raw(Action.CLICK, "left", "5,5")]


def test_the_element_path_is_masked_and_stored(tmp_path: Path) -> None:
    path_with_mail = 'dialog "Mail to jane.doe@example.com" > page tab "Vendor"'
    masked = Masker(Config()).mask_many([RawEvent(1.0, "emp-1", "thunderbird", "Inbox", Action.CLICK,
                                                  'push button "Send"', element_path=path_with_mail)])
    assert masked[0].element_path == 'dialog "Mail to <EMAIL_ADDRESS>" > page tab "Vendor"'
    store = tmp_path / "events.db"
    with Store.open(store) as s:
        s.append(masked)
        assert [e.element_path for e in s.events()] == [masked[0].element_path]


def test_a_store_from_before_element_paths_is_migrated(tmp_path: Path) -> None:
    store = tmp_path / "events.db"
    key = storekey.resolve(store, create=True)
    db = sqlcipher3.connect(str(store), isolation_level=None)
    db.execute(f"PRAGMA key = {key.pragma()}")
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    db.execute("INSERT INTO events (ts, user, app, title, action, target) "
               "VALUES (1, 'emp-1', 'x', 't', 'click', 'left')")
    db.close()
    with Store.open(store, create=False) as s:
        (old,) = list(s.events())
        assert old.target == "left" and old.element_path == "" and old.id == 1
        assert s._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(LATEST)
