"""The test display itself: what the tests that share it rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from xdisplay import XDisplay, missing_programs

pytestmark = [pytest.mark.display, pytest.mark.timeout(60)]


def test_the_server_does_not_reset_when_its_last_client_leaves(tmp_path: Path) -> None:
    """A reset drops whoever connects meanwhile: the first xterm of a display without a window manager
    ("Can't open display") or its openbox. Seen from outside, a reset clears the root window's properties."""
    if missing := missing_programs():
        pytest.skip(f"needs {', '.join(missing)}")
    disp = XDisplay(tmp_path / "x", window_manager=False)
    try:
        disp._run(["xprop", "-root", "-f", "TASKLENS_MARK", "8s", "-set", "TASKLENS_MARK", "kept"]).check_returncode()
        kept = disp._run(["xprop", "-root", "TASKLENS_MARK"])
    finally:
        disp.close()
    assert kept.returncode == 0 and '"kept"' in kept.stdout, kept.stdout + kept.stderr


def test_an_xterm_that_exits_says_why_at_once(tmp_path: Path) -> None:
    if missing := missing_programs():
        pytest.skip(f"needs {', '.join(missing)}")
    disp = XDisplay(tmp_path / "x", window_manager=False)
    try:
        with pytest.raises(RuntimeError, match=r"(?s)xterm exited with status .*its output: .*the display's windows"):
            disp.xterm("Gone at once", command=("sh", "-c", "echo the command failed >&2; exit 3"))
    finally:
        disp.close()
