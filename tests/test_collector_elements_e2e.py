"""UI elements end to end: a real accessibility bus (dbus-daemon + at-spi-bus-launcher) on Xvfb + openbox,
GTK 3 applications exposing their widgets, `tasklens collect` as a subprocess, xdotool clicking and
typing, the store read back. Widgets are found on screen through the bus by the test's own client."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from a11y import widget_center
from test_collector_e2e import Collector, config_file, desk, stored  # noqa: F401 - desk is a fixture
from xdisplay import XDisplay, xdisplay  # noqa: F401 - the fixture desk uses
from helpers import wait_for

pytestmark = [pytest.mark.display, pytest.mark.timeout(180)]

FORM = Path(__file__).with_name("a11y_form.py")
SYSTEM_PYTHON = "/usr/bin/python3"
CANARY_TYPED = "typed.canary@example.com"
CANARY_NAME = "name.canary@example.org"
CANARY_PIN = "Sesame4471"


def _needs(*programs: str) -> None:
    missing = [p for p in programs if not (shutil.which(p) or os.path.exists(p))]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (make apt-test installs them)")


def _click(disp: XDisplay, env: dict[str, str], app: str, role: str, name: str | None) -> None:
    where = widget_center(env, app, role, name)
    assert where is not None, f"{role} {name!r} is not on the accessibility bus"
    disp.xdotool("mousemove", "--sync", str(where[0]), str(where[1]), "click", "1")


def test_clicks_and_typing_in_a_gtk_form_record_role_and_name_never_a_password(
        desk: tuple[XDisplay, Path], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    _needs("/usr/libexec/at-spi-bus-launcher", "dbus-daemon", SYSTEM_PYTHON)
    disp, tmp = desk
    disp.start_accessibility()
    org = tmp / "org.toml"
    org.write_text("[capture]\nrecord_typed_text = true\n")   # the strongest case: even typed text is kept
    monkeypatch.setenv("TASKLENS_ORG_CONFIG", str(org))
    monkeypatch.setenv("TASKLENS_CONFIG", str(config_file(tmp, "")))
    form = disp.window("^Invoice form$", [SYSTEM_PYTHON, str(FORM), "Invoice form", f"Pay {CANARY_NAME}"])
    disp.activate(form)
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    env = disp.env
    _click(disp, env, "a11y_form.py", "push button", "Post invoice")
    _click(disp, env, "a11y_form.py", "text", None)
    disp.xdotool("type", "--delay", "30", CANARY_TYPED)
    _click(disp, env, "a11y_form.py", "password text", None)
    disp.xdotool("type", "--delay", "30", CANARY_PIN)
    _click(disp, env, "a11y_form.py", "push button", f"Pay {CANARY_NAME}")
    disp.xdotool("key", "Tab")   # a last input, so the typing runs before it are closed
    wait_for(lambda: sum(e["action"] == "click" for e in stored(store)) >= 4, "the four clicks stored")
    code, err = col.stop()
    assert code == 0, err
    events = [e for e in stored(store) if e["app"] != "xterm"]
    clicks = [e for e in events if e["action"] == "click"]
    typed = [e for e in events if e["action"] == "type"]
    assert [c["target"] for c in clicks] == ['push button "Post invoice"', 'text "Vendor"', "left",
                                             'push button "Pay <EMAIL_ADDRESS>"'], clicks
    # typing is recorded against the focused field; its text is masked; the password field leaves nothing
    assert typed[0]["target"] == 'text "Vendor"' and typed[0]["value"] == "<EMAIL_ADDRESS>", typed
    assert all("PIN" not in e["target"] + e["element_path"] and not e["value"] for e in typed[1:]), typed
    everything = repr(stored(store))
    for canary in (CANARY_TYPED, CANARY_NAME, CANARY_PIN, "Sesame"):
        assert canary not in everything
    assert "exposes nothing" not in col.log.read_text()


def test_widget_factory_click_gives_role_and_name(desk: tuple[XDisplay, Path]) -> None:  # noqa: F811
    _needs("/usr/libexec/at-spi-bus-launcher", "dbus-daemon", "gtk3-widget-factory")
    disp, tmp = desk
    disp.start_accessibility()
    factory = disp.window("^gtk3-widget-factory$", ["gtk3-widget-factory"])
    disp.activate(factory)
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    _click(disp, disp.env, "gtk3-widget-factory", "toggle button", "togglebutton")
    _click(disp, disp.env, "gtk3-widget-factory", "check box", "checkbutton")
    wait_for(lambda: sum(e["action"] == "click" for e in stored(store)) >= 2, "two clicks stored")
    col.stop()
    targets = [e["target"] for e in stored(store) if e["action"] == "click"]
    assert targets == ['toggle button "togglebutton"', 'check box "checkbutton"'], targets


def test_without_an_accessibility_bus_clicks_are_recorded_as_today_and_the_log_says_why(
        desk: tuple[XDisplay, Path], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    disp, tmp = desk
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp}/no-bus")
    monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
    window = disp.xterm("plain xterm")
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    disp.activate(window)
    disp.xdotool("mousemove", "--window", window, "20", "20", "click", "1")
    wait_for(lambda: any(e["action"] == "click" for e in stored(store)), "the click stored")
    col.stop()
    assert [e["target"] for e in stored(store) if e["action"] == "click"] == ["left"]
    assert col.log.read_text().count("UI elements are not recorded: no D-Bus session bus") == 1
