"""The portable backend (pywinctl + pynput + psutil, as on Windows and macOS) end to end on X11: the
tested base of the other platforms. A GTK form on a real accessibility bus and an xterm, driven by
xdotool; `tasklens collect` with TASKLENS_BACKEND=portable."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import wait_for
from test_collector_e2e import Collector, desk, stored  # noqa: F401 - desk is a fixture
from test_collector_elements_e2e import FORM, SYSTEM_PYTHON, _click, _needs
from xdisplay import XDisplay, xdisplay  # noqa: F401 - the fixture desk uses

pytestmark = [pytest.mark.display, pytest.mark.timeout(180)]


def _last_focus(store: Path) -> str:
    """The title of the window the collector last saw focused: input now goes to it. An earlier focus event of
    a window says nothing of a switch just made (the xterm was focused when the collector started)."""
    titles = [str(e["title"]) for e in stored(store) if e["action"] == "focus"]
    return titles[-1] if titles else ""


def test_portable_backend_records_focus_clicks_with_elements_typing_and_shortcuts(
        desk: tuple[XDisplay, Path], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    _needs("/usr/libexec/at-spi-bus-launcher", "dbus-daemon", SYSTEM_PYTHON)
    disp, tmp = desk
    monkeypatch.setenv("TASKLENS_BACKEND", "portable")
    disp.start_accessibility()
    form = disp.window("^Invoice form$", [SYSTEM_PYTHON, str(FORM), "Invoice form", "Cancel"])
    term = disp.xterm("portable xterm", geometry="80x20+500+400")
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    disp.activate(form)
    wait_for(lambda: _last_focus(store) == "Invoice form", "the form's focus event")
    _click(disp, disp.env, "a11y_form.py", "push button", "Post invoice")
    _click(disp, disp.env, "a11y_form.py", "text", None)
    disp.xdotool("type", "--delay", "40", "abc")
    disp.xdotool("key", "ctrl+c")
    disp.activate(term)
    # the active window is polled (4/s): until a poll has seen the xterm, input goes to the window before (or to
    # none, as openbox has no active window mid-switch). The xterm's focus event from the start is no sign of it
    wait_for(lambda: _last_focus(store) == "portable xterm", "the xterm's focus event")
    disp.xdotool("type", "--delay", "40", "xyz")
    disp.xdotool("key", "Return")
    wait_for(lambda: any(e["action"] == "key" for e in stored(store)), "the last key stored")
    code, err = col.stop()
    assert code == 0, err
    events = stored(store)
    seen = [(e["app"], e["action"], e["target"], e["count"]) for e in events if e["action"] != "focus"]
    assert seen == [("python3", "click", 'push button "Post invoice"', 1), ("python3", "click", 'text "Vendor"', 1),
                    ("python3", "type", 'text "Vendor"', 3), ("python3", "copy", "ctrl+c", 1),
                    ("xterm", "type", "", 3), ("xterm", "key", "enter", 1)], seen
    assert {(e["app"], e["title"]) for e in events if e["action"] == "focus"} >= {
        ("python3", "Invoice form"), ("xterm", "portable xterm")}
