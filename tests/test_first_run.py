"""A new employee's first run: an empty home, no TASKLENS_HOME, no config, umask 022. The data folder
(and the config folder when something is written to it) are made with mode 0700, every file 0600."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from helpers import TASKLENS  # noqa: E402
from xdisplay import XDisplay, xdisplay  # noqa: E402,F401 - the fixture


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def new_employee(home: Path, key: str, **extra: str) -> dict[str, str]:
    """`env -i` as a login shell would leave it: HOME and PATH, a key, nothing of tasklens's own."""
    return {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TASKLENS_KEY": key,
            "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", **extra}


def tasklens(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TASKLENS, *args], env=env, capture_output=True, text=True, timeout=timeout,
                          umask=0o022, cwd=env["HOME"])


def assert_private(data: Path) -> None:
    """The data folder and its parents that tasklens made are 0700; every file in it is 0600."""
    assert data.is_dir()
    for folder in (data, data.parent, data.parent.parent):   # ~/.local/share/tasklens, ~/.local/share, ~/.local
        assert mode(folder) == 0o700, f"{folder} is {oct(mode(folder))}"
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files, "nothing was written"
    for f in files:
        assert mode(f) == 0o600, f"{f} is {oct(mode(f))}"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "newhire"
    h.mkdir()
    return h


def test_consent_accept_then_store_info_in_an_empty_home(home: Path) -> None:
    env = new_employee(home, os.environ["TASKLENS_KEY"])
    r = tasklens(env, "consent", "accept")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Accepted notice version")
    data = home / ".local" / "share" / "tasklens"
    assert (data / "events.db").is_file()
    assert_private(data)
    r = tasklens(env, "store", "info")
    assert r.returncode == 0, r.stderr
    assert f"store      {data / 'events.db'}" in r.stdout and "integrity  ok" in r.stdout
    r = tasklens(env, "consent", "show")
    assert r.returncode == 0 and "accepted version" in r.stdout
    assert_private(data)


def test_store_info_before_anything_was_recorded_says_how_to_start(home: Path) -> None:
    r = tasklens(new_employee(home, os.environ["TASKLENS_KEY"]), "store", "info")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "tasklens consent accept" in r.stderr


@pytest.mark.display
@pytest.mark.timeout(180)
def test_collect_in_an_empty_home(home: Path, xdisplay: XDisplay) -> None:  # noqa: F811
    env = new_employee(home, os.environ["TASKLENS_KEY"], DISPLAY=xdisplay.display, XDG_SESSION_TYPE="x11")
    r = tasklens(env, "collect", "--accept-notice", "--duration", "2", timeout=150)
    assert r.returncode == 0, r.stderr
    assert "capture stopped" in r.stderr
    data = home / ".local" / "share" / "tasklens"
    assert_private(data)
    r = tasklens(env, "store", "show", "--json")
    assert r.returncode == 0, r.stderr


@pytest.fixture
def empty_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This process as a new employee: HOME empty, no tasklens or XDG variables, umask 022, no display."""
    monkeypatch.setenv("HOME", str(home))
    for name in ("TASKLENS_HOME", "TASKLENS_CONFIG", "TASKLENS_ORG_CONFIG", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
                 "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    old = os.umask(0o022)
    try:
        yield home
    finally:
        os.umask(old)


def test_the_tray_in_an_empty_home_asks_consent_and_makes_private_folders(qtbot, empty_home: Path) -> None:  # noqa: ANN001
    """`tasklens tray` on a first run: the store folder is made, the notice is shown and accepted,
    the status window appears (no tray host here), and excluding an app makes the config folder."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from tasklens.cli import tray_cmd
    from tasklens.configedit import add_app_deny
    from tasklens.identity import store_pseudonym
    from tasklens.paths import default_store, user_config_file
    from tasklens.store import Store

    seen: list[str] = []

    def accept_then_quit() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, accept_then_quit)
            return
        seen.append(type(dialog).__name__)
        dialog.accept_button.click()
        windows = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w.windowTitle() == "tasklens"]
        seen.extend(type(w).__name__ for w in windows)
        QTimer.singleShot(200, QApplication.quit)

    QTimer.singleShot(20, accept_then_quit)
    args = argparse.Namespace(store=None, config=None, org_config=None, duration=None, verbose=0)
    assert tray_cmd.run(args) == 0
    assert seen[0] == "ConsentDialog" and "StatusWindow" in seen
    data = empty_home / ".local" / "share" / "tasklens"
    assert default_store() == data / "events.db"
    assert_private(data)
    with Store.open(default_store(), create=False) as s:
        assert s.consent(store_pseudonym(s)).decision == "accept"   # type: ignore[union-attr]

    config = user_config_file()
    assert config == empty_home / ".config" / "tasklens" / "config.toml"
    assert add_app_deny(config, "firefox")   # the tray's "Exclude the current application"
    assert mode(config.parent) == 0o700 and mode(config.parent.parent) == 0o700 and mode(config) == 0o600

