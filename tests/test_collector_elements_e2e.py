"""UI elements end to end: a real accessibility bus (dbus-daemon + at-spi-bus-launcher) on Xvfb + openbox,
GTK 3 applications exposing their widgets, `tasklens collect` as a subprocess, xdotool clicking and
typing, the store read back. Widgets are found on screen through the bus by the test's own client."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from a11y import widget_center
from helpers import wait_for
from test_collector_e2e import Collector, config_file, desk, stored  # noqa: F401 - desk is a fixture
from xdisplay import XDisplay, xdisplay  # noqa: F401 - the fixture desk uses

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


def _record_typed_text(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The strongest case for privacy: the organisation keeps typed text (masked)."""
    org = tmp / "org.toml"
    org.write_text("[capture]\nrecord_typed_text = true\n")
    monkeypatch.setenv("TASKLENS_ORG_CONFIG", str(org))
    monkeypatch.setenv("TASKLENS_CONFIG", str(config_file(tmp, "")))


def _fill_in(disp: XDisplay, store: Path, app: str, field: tuple[str, str | None],
             extra: tuple[str, str]) -> list[dict[str, object]]:
    """Click Post invoice, type a canary into the Vendor field and another into the password field, click
    `extra`; return the stored events of the application's window."""
    env = disp.env
    _click(disp, env, app, "push button", "Post invoice")
    _click(disp, env, app, *field)
    disp.xdotool("type", "--delay", "30", CANARY_TYPED)
    _click(disp, env, app, "password text", None)
    disp.xdotool("type", "--delay", "30", CANARY_PIN)
    _click(disp, env, app, *extra)
    disp.xdotool("key", "Tab")   # a last input, so the typing runs before it are closed
    wait_for(lambda: sum(e["action"] == "click" for e in stored(store)) >= 4, "the four clicks stored")
    return stored(store)


def _no_canary(events: list[dict[str, object]]) -> None:
    everything = repr(events)
    for canary in (CANARY_TYPED, CANARY_NAME, CANARY_PIN, "Sesame"):
        assert canary not in everything


def test_clicks_and_typing_in_a_gtk_form_record_role_and_name_never_a_password(
        desk: tuple[XDisplay, Path], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    _needs("/usr/libexec/at-spi-bus-launcher", "dbus-daemon", SYSTEM_PYTHON)
    disp, tmp = desk
    disp.start_accessibility()
    _record_typed_text(tmp, monkeypatch)
    form = disp.window("^Invoice form$", [SYSTEM_PYTHON, str(FORM), "Invoice form", f"Pay {CANARY_NAME}"])
    disp.activate(form)
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    _fill_in(disp, store, "a11y_form.py", ("text", None), ("push button", f"Pay {CANARY_NAME}"))
    code, err = col.stop()
    assert code == 0, err
    events = stored(store)
    clicks = [e for e in events if e["action"] == "click"]
    typed = [e for e in events if e["action"] == "type"]
    assert [c["target"] for c in clicks] == ['push button "Post invoice"', 'text "Vendor"', "left",
                                             'push button "Pay <EMAIL_ADDRESS>"'], clicks
    # typing is recorded against the focused field; its text is masked; the password field leaves nothing
    assert typed[0]["target"] == 'text "Vendor"' and typed[0]["value"] == "<EMAIL_ADDRESS>", typed
    assert all("PIN" not in e["target"] + e["element_path"] and not e["value"] for e in typed[1:]), typed
    _no_canary(events)
    assert "exposes nothing" not in col.log.read_text()


PAGE = """<!doctype html><html><head><title>Vendor invoice form</title></head><body>
<h1>Enter invoice</h1><form>
<label for="v">Vendor</label> <input id="v"><br>
<label for="p">Password</label> <input id="p" type="password"><br>
<button type="button">Post invoice</button> <a href="#order">Open order for NAME</a>
</form></body></html>
"""


@pytest.fixture
def web_page(tmp_path: Path) -> Iterator[str]:
    """The invoice form served on 127.0.0.1 by this test; its URL (with a canary in the query)."""
    root = tmp_path / "web"
    root.mkdir()
    (root / "form.html").write_text(PAGE.replace("NAME", CANARY_NAME))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/form.html?customer={CANARY_TYPED}"
    finally:
        server.shutdown()
        server.server_close()


def test_chromium_page_links_buttons_and_fields_with_the_page_url_masked(
        desk: tuple[XDisplay, Path], monkeypatch: pytest.MonkeyPatch, web_page: str) -> None:  # noqa: F811
    _needs("/usr/libexec/at-spi-bus-launcher", "dbus-daemon", "chromium")
    disp, tmp = desk
    disp.start_accessibility()
    _record_typed_text(tmp, monkeypatch)
    browser = disp.window("^Vendor invoice form - Chromium$", [
        "chromium", "--no-sandbox", "--force-renderer-accessibility", f"--user-data-dir={tmp / 'chromium'}",
        "--no-first-run", "--no-default-browser-check", "--no-proxy-server", "--password-store=basic",
        "--disable-gpu", "--window-position=0,0", "--window-size=900,700", web_page], timeout=90)
    disp.activate(browser)
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    events = _fill_in(disp, store, "Chromium", ("entry", "Vendor"), ("link", f"Open order for {CANARY_NAME}"))
    code, err = col.stop()
    assert code == 0, err
    clicks = [e for e in events if e["action"] == "click"]
    assert [c["target"] for c in clicks] == ['push button "Post invoice"', 'entry "Vendor"', "left",
                                             'link "Open order for <EMAIL_ADDRESS>"'], clicks
    page = clicks[0]["element_path"]
    # the page is named with its address, whose query values (and the IP address) are masked
    assert str(page).startswith('document web "Vendor invoice form" http://<IP_ADDRESS>:'), page
    assert "/form.html?customer=<EMAIL_ADDRESS>" in str(page), page
    typed = [e for e in events if e["action"] == "type"]
    assert typed[0]["target"] == 'entry "Vendor"' and typed[0]["value"] == "<EMAIL_ADDRESS>", typed
    assert all(not e["value"] and "Password" not in e["target"] for e in typed[1:]), typed
    _no_canary(events)


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


def test_an_excluded_application_leaves_no_element(desk: tuple[XDisplay, Path],  # noqa: F811
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _needs("/usr/libexec/at-spi-bus-launcher", "dbus-daemon", SYSTEM_PYTHON)
    disp, tmp = desk
    disp.start_accessibility()
    monkeypatch.setenv("TASKLENS_CONFIG", str(config_file(tmp, '[capture]\napp_deny = ["python3*"]\n')))
    form = disp.window("^Invoice form$", [SYSTEM_PYTHON, str(FORM), "Invoice form", f"Pay {CANARY_NAME}"])
    term = disp.xterm("after the form")
    store = tmp / "events.db"
    col = Collector(disp, store, tmp)
    col.wait_ready()
    disp.activate(form)
    _click(disp, disp.env, "a11y_form.py", "push button", f"Pay {CANARY_NAME}")
    disp.activate(term)
    disp.xdotool("type", "--delay", "30", "ok")
    wait_for(lambda: any(e["action"] == "type" for e in stored(store)), "typing in the xterm stored")
    col.stop()
    events = stored(store)
    assert "excluded" in [e["action"] for e in events]
    assert not any(e["app"].startswith("python3") for e in events), events
    assert "Pay" not in repr(events) and CANARY_NAME not in repr(events)
