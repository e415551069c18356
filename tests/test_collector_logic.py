"""Pure logic of the collector: key categories, run merging, the exclusion gate."""

from __future__ import annotations

import pytest

from tasklens.collector.keycategories import classify
from tasklens.collector.pipeline import Gate
from tasklens.collector.runs import CLIPBOARD_TARGET, Runs
from tasklens.events import Action, RawEvent

NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(("name", "char", "mods", "expected"), [
    (None, "a", NONE, (Action.TYPE, "")),
    (None, "A", {"shift"}, (Action.TYPE, "")),
    ("space", None, NONE, (Action.TYPE, "")),
    ("enter", None, NONE, (Action.KEY, "enter")),
    ("esc", None, NONE, (Action.KEY, "escape")),
    ("tab", None, {"shift"}, (Action.KEY, "shift+tab")),
    ("page_down", None, NONE, (Action.KEY, "page_down")),
    (None, "c", {"ctrl"}, (Action.COPY, "ctrl+c")),
    (None, "x", {"ctrl"}, (Action.COPY, "ctrl+x")),
    (None, "C", {"ctrl", "shift"}, (Action.COPY, "ctrl+shift+c")),
    (None, "v", {"ctrl"}, (Action.PASTE, "ctrl+v")),
    ("insert", None, {"shift"}, (Action.PASTE, "shift+insert")),
    (None, "s", {"ctrl"}, (Action.SHORTCUT, "ctrl+s")),
    ("tab", None, {"alt"}, (Action.SHORTCUT, "alt+tab")),
    ("f4", None, {"alt"}, (Action.SHORTCUT, "alt+f4")),
    (None, "t", {"super", "ctrl", "shift"}, (Action.SHORTCUT, "ctrl+shift+super+t")),
    ("ctrl_l", None, NONE, None),
    ("shift_r", None, {"ctrl"}, None),
    ("caps_lock", None, NONE, None),
])
def test_keys_become_categories(name: str | None, char: str | None, mods: set[str],
                                expected: tuple[Action, str] | None) -> None:
    assert classify(name, char, frozenset(mods)) == expected


def test_no_printable_key_is_named_in_a_category() -> None:
    for ch in "abcxyzABC019!@#äé ":
        action, target = classify(None, ch, NONE) or (None, None)
        assert (action, target) == (Action.TYPE, "")


def _ev(ts: float, action: Action, target: str = "", title: str = "T", value: str = "") -> RawEvent:
    return RawEvent(ts, "emp-1", "xterm", title, action, target, value, count=1, exe="/usr/bin/xterm")


def test_printable_keys_merge_into_one_type_event_closed_by_another_action() -> None:
    runs = Runs(pause=1.0)
    out = []
    for i in range(5):
        out += runs.push(_ev(10 + 0.1 * i, Action.TYPE))
    assert out == []
    out += runs.push(_ev(10.6, Action.KEY, "enter"))
    assert [(e.action, e.count, e.duration) for e, _ in out] == [(Action.TYPE, 5, 0.4), (Action.KEY, 1, 0.0)]
    assert out[0][1] == 10.6   # complete when the enter came


def test_a_pause_or_the_length_limit_closes_a_run() -> None:
    runs = Runs(pause=1.0, max_length=2.0)
    runs.push(_ev(0.0, Action.TYPE))
    assert runs.due(0.9) == [] and runs.next_due() == 1.0
    (closed, at), = runs.due(1.0)
    assert closed.count == 1 and at == 1.0 and runs.next_due() is None
    out = [r for i in range(30) for r in runs.push(_ev(5 + 0.1 * i, Action.TYPE))]
    assert [e.count for e, _ in out] == [20]   # 2 s of keys, then a new run starts
    assert [e.count for e, _ in runs.flush(9.0)] == [10]


def test_runs_break_at_focus_and_title_changes_and_keep_text_only_if_given() -> None:
    runs = Runs()
    runs.push(_ev(0.0, Action.TYPE, value="h"))
    runs.push(_ev(0.1, Action.TYPE, value="i"))
    out = runs.push(_ev(0.2, Action.TYPE, title="Other"))
    assert [(e.title, e.value, e.count) for e, _ in out] == [("T", "hi", 2)]
    out = runs.push(_ev(0.3, Action.SCROLL, "down")) + runs.push(_ev(0.4, Action.SCROLL, "down"))
    out += runs.push(_ev(0.5, Action.SCROLL, "up"))
    assert [(e.action, e.value, e.count) for e, _ in out] == [(Action.TYPE, "", 1), (Action.SCROLL, "", 2)]


def test_a_clipboard_change_right_after_a_copy_shortcut_counts_once() -> None:
    runs = Runs(copy_window=1.0)
    out = runs.push(_ev(1.0, Action.COPY, "ctrl+c")) + runs.push(_ev(1.2, Action.COPY, CLIPBOARD_TARGET))
    out += runs.push(_ev(5.0, Action.COPY, CLIPBOARD_TARGET))   # a copy from a menu: counted
    assert [(e.ts, e.target) for e, _ in out] == [(1.0, "ctrl+c"), (5.0, CLIPBOARD_TARGET)]


def test_the_gate_leaves_one_marker_for_an_excluded_window_and_nothing_else() -> None:
    gate = Gate(lambda app, exe, title: "Vault" in title)
    seen = [gate(e) for e in (
        _ev(1, Action.FOCUS, title="Vault - jane"), _ev(2, Action.TYPE, title="Vault - jane"),
        _ev(3, Action.FOCUS, title="Vault - other entry"), _ev(4, Action.IDLE, title="Vault - jane"),
        _ev(5, Action.FOCUS, title="Mail"), _ev(6, Action.CLICK, title="Mail"))]
    kept = [(e.action, e.app, e.title) for e in seen if e is not None]
    assert kept == [(Action.EXCLUDED, "", ""), (Action.IDLE, "", ""), (Action.FOCUS, "xterm", "Mail"),
                    (Action.CLICK, "xterm", "Mail")]


def test_the_gate_follows_rules_swapped_while_capture_runs() -> None:
    denied: set[str] = set()
    gate = Gate(lambda app, exe, title: app in denied)
    assert gate(_ev(1, Action.CLICK)) is not None
    denied.add("xterm")                          # e.g. the tray's "never record this app"
    assert gate(_ev(2, Action.CLICK)) is None
