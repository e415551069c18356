"""What the collector needs from the desktop: each lack is one clear line, never a hang or a library exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from xdisplay import XDisplay, missing_programs

from tasklens.collector.sources import check_environment
from tasklens.errors import EnvironmentMissingError


def _fails(monkeypatch: pytest.MonkeyPatch, expected: str) -> str:
    with pytest.raises(EnvironmentMissingError) as err:
        check_environment()
    text = str(err.value)
    assert expected in text and "\n" not in text
    return text


def test_no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    _fails(monkeypatch, "no display")


def test_wayland_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    _fails(monkeypatch, "Wayland session")


def test_display_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":987")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    _fails(monkeypatch, "cannot connect to the X display ':987'")


def test_xrandr_missing_is_reported_before_pywinctl_can_exit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"   # a PATH with everything of /usr/bin but xrandr
    bin_dir.mkdir()
    for name in os.listdir("/usr/bin"):
        if name != "xrandr":
            (bin_dir / name).symlink_to(Path("/usr/bin") / name)
    monkeypatch.setenv("PATH", f"{bin_dir}:{Path(sys.executable).parent}")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    _fails(monkeypatch, "xrandr program is missing")
    code = "from tasklens.collector.sources import check_environment as c\ntry: c()\nexcept Exception as e: print(e)\n" \
           "import sys; print('pywinctl' in sys.modules)"
    message, imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       timeout=60).stdout.splitlines()
    assert "xrandr" in message and imported == "False"


@pytest.mark.display
def test_x_server_without_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if missing := missing_programs():
        pytest.skip(f"needs {', '.join(missing)}")
    disp = XDisplay(tmp_path / "x", window_manager=False, extra_args=("-extension", "RECORD"))
    try:
        monkeypatch.setenv("DISPLAY", disp.display)
        monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        _fails(monkeypatch, "lacks the RECORD extension")
    finally:
        disp.close()


def test_other_systems_get_the_portable_backend_and_one_line_when_it_cannot_load(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "pynput.keyboard", None)   # as if pynput could not load here
    _fails(monkeypatch, "cannot watch this win32 desktop: ModuleNotFoundError")
