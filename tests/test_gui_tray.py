"""The tray: consent dialog first, then the real agent capturing on a worker thread (Xvfb + xdotool),
pause/resume, the live table of stored events, responsiveness under a burst of input, the state icon,
and the status window where no tray host runs (Debian `trayer` provides one).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from xdisplay import XDisplay, xdisplay  # noqa: E402,F401 - the fixture

from tasklens.configedit import add_app_deny, dump_toml  # noqa: E402
from tasklens.events import Action, Event  # noqa: E402
from tasklens.gui.traylogic import State, current_app, state_of  # noqa: E402


# -- pure logic ----------------------------------------------------------------------------------------
def test_state() -> None:
    assert state_of(False, True, "") is State.NO_CONSENT
    assert state_of(True, True, "") is State.RECORDING
    assert state_of(True, False, "") is State.PAUSED
    assert state_of(True, True, "no display") is State.ERROR


def test_current_app_and_the_config_edit(tmp_path: Path) -> None:
    import tomllib

    from tasklens.config import load_config

    ev = [Event(3.0, "u", "", "", Action.IDLE), Event(2.0, "u", "tasklens", "t", Action.FOCUS),
          Event(1.0, "u", "firefox", "t", Action.CLICK)]
    assert current_app(ev) == "firefox"
    assert current_app([]) == ""
    cfg = tmp_path / "config.toml"
    cfg.write_text('[capture]\nidle_seconds = 90\n')
    assert add_app_deny(cfg, "firefox") and not add_app_deny(cfg, "firefox")
    assert add_app_deny(cfg, 'odd "name"')
    data = tomllib.loads(cfg.read_text())
    assert data["capture"] == {"idle_seconds": 90, "app_deny": ["firefox", 'odd "name"']}
    assert "firefox" in load_config(cfg, None).app_deny
    assert tomllib.loads(dump_toml({"a": 1, "t": {"x": [1.5, True, "s"]}})) == {"a": 1, "t": {"x": [1.5, True, "s"]}}


# -- the controller on a real store ----------------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path) -> Iterator:
    from tasklens import storekey
    from tasklens.store import Store

    with Store(tmp_path / "events.db", storekey.new_raw_key()) as s:
        yield s


@pytest.fixture
def make_controller(store) -> Iterator:  # noqa: ANN001
    """A tray controller on the real store, shut down (agent stopped) before the store closes."""
    from tasklens.config import ConfigFiles
    from tasklens.gui.tray import TrayController
    from tasklens.identity import store_pseudonym

    made = []

    def make(config_file: Path | None = None) -> TrayController:
        files = ConfigFiles(config_file)
        made.append(TrayController(store, files.load(), store_pseudonym(store), files))
        return made[-1]
    yield make
    for c in made:
        c.shutdown()


def _answer_dialog(button: str) -> None:
    """Click `button` of the consent dialog as soon as it is up."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, click)
            return
        getattr(dialog, button).click()
    QTimer.singleShot(20, click)


def test_declining_the_notice_records_nothing(qtbot, store, make_controller) -> None:  # noqa: ANN001
    c = make_controller()
    _answer_dialog("decline_button")
    c.start()
    assert c.agent is None and c.state() is State.NO_CONSENT
    assert store.consent(c.user) is None and store.count() == 0
    assert c.state_action.text() == "tasklens: no consent"
    assert not c.pause_menu.isEnabled() and not c.resume_action.isEnabled()


@pytest.mark.display
@pytest.mark.timeout(180)
def test_accept_capture_pause_resume_live_table_and_burst(qtbot, store, make_controller,  # noqa: ANN001
                                                          xdisplay: XDisplay,  # noqa: F811
                                                          monkeypatch, tmp_path: Path) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    for k in ("DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.setenv(k, xdisplay.env[k])
    term = xdisplay.xterm("Quarterly numbers")
    xdisplay.activate(term)
    c = make_controller(tmp_path / "user.toml")
    _answer_dialog("accept_button")
    c.start()
    assert store.consent(c.user) is not None and store.consent(c.user).decision == "accept"
    qtbot.waitUntil(lambda: c.state() is State.RECORDING, timeout=30_000)
    time.sleep(0.5)
    xdisplay.xdotool("type", "--delay", "20", "hello tray")
    qtbot.waitUntil(lambda: store.count(user=c.user, app="xterm") > 0, timeout=15_000)

    live = c.show_live()
    stored = list(store.events(user=c.user, newest_first=True, limit=200))
    assert [r[2] for r in live.table.source.rows] == [e.title for e in stored]
    assert any(r[1] == "xterm" and r[2] == "Quarterly numbers" for r in live.table.source.rows)

    # a burst of input: the GUI thread keeps ticking while the agent takes it in on its own thread
    ticks: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(clock.elapsed()))
    timer.start(10)
    before = store.count(user=c.user)
    burst = subprocess.Popen(["xdotool", "type", "--delay", "2", "x" * 600], env=xdisplay.env)
    qtbot.waitUntil(lambda: burst.poll() is not None, timeout=60_000)
    qtbot.waitUntil(lambda: store.count(user=c.user) > before, timeout=15_000)
    timer.stop()
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) > 50 and max(gaps) < 250, f"GUI thread stalled for {max(gaps)} ms"

    c.pause("15min")
    assert c.state() is State.PAUSED and not c.agent.capturing
    assert abs(c.agent.paused_until - (time.time() + 900)) < 5
    assert c.resume_action.isEnabled() and not c.pause_menu.isEnabled()
    qtbot.wait(800)   # let queued events reach the store
    paused_count = store.count(user=c.user)
    xdisplay.xdotool("type", "--delay", "10", "not recorded")
    qtbot.wait(1500)
    assert store.count(user=c.user) == paused_count
    c.resume()
    assert c.state() is State.RECORDING
    xdisplay.xdotool("type", "--delay", "20", "again")
    qtbot.waitUntil(lambda: store.count(user=c.user) > paused_count, timeout=15_000)

    c.withdraw()
    assert c.state() is State.NO_CONSENT and not c._running()


def _tray_process(disp: XDisplay, store_file: Path, seconds: float) -> subprocess.Popen[bytes]:
    code = ("import argparse, sys\nfrom pathlib import Path\nfrom tasklens.cli import tray_cmd\n"
            f"sys.exit(tray_cmd.run(argparse.Namespace(store=Path({str(store_file)!r}), config=None, "
            f"org_config=None, duration={seconds})))\n")
    env = {**disp.env, **{k: v for k, v in os.environ.items() if k.startswith("TASKLENS_")}, "QT_QPA_PLATFORM": "xcb"}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _visible(disp: XDisplay, name: str) -> bool:
    r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name], env=disp.env, capture_output=True)
    return bool(r.stdout.split())


@pytest.mark.display
@pytest.mark.timeout(120)
def test_status_window_without_a_tray_host_and_icon_with_one(xdisplay: XDisplay, tmp_path: Path) -> None:  # noqa: F811
    import shutil

    from tasklens.config import Config
    from tasklens.identity import store_pseudonym
    from tasklens.privacy import consent
    from tasklens.store import Store

    if shutil.which("trayer") is None:
        pytest.skip("needs Debian trayer (a system tray host)")
    store_file = tmp_path / "events.db"
    with Store.open(store_file) as s:
        consent.accept(s, store_pseudonym(s), Config())
    proc = _tray_process(xdisplay, store_file, 6)
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end and not _visible(xdisplay, "^tasklens$"):
            time.sleep(0.2)
        assert _visible(xdisplay, "^tasklens$"), "no status window without a tray host"
    finally:
        proc.wait(60)
    assert proc.returncode == 0, proc.stderr.read().decode()

    trayer = subprocess.Popen(["trayer", "--expand", "true", "--widthtype", "request"], env=xdisplay.env)
    try:
        time.sleep(1.5)
        proc = _tray_process(xdisplay, store_file, 5)
        time.sleep(4)
        assert not _visible(xdisplay, "^tasklens$"), "a status window although a tray host runs"
        proc.wait(60)
        assert proc.returncode == 0, proc.stderr.read().decode()
        tree = subprocess.run(["xwininfo", "-root", "-tree"], env=xdisplay.env, capture_output=True, text=True).stdout
        assert "trayer" in tree or "panel" in tree
    finally:
        trayer.terminate()
        trayer.wait(10)


def test_state_icons_differ() -> None:
    from PySide6.QtWidgets import QApplication

    from tasklens.gui.tray import state_icon

    QApplication.instance() or QApplication([])
    images = {s: state_icon(s).pixmap(32, 32).toImage() for s in State}
    assert len({img.pixel(16, 16) for img in images.values()} | {images[State.PAUSED].pixel(11, 16)}) >= 3
    assert all(not img.isNull() for img in images.values())
