"""Focus without a window manager (X input focus) and for windows without _NET_WM_PID (X-Resource)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xdisplay import XDisplay, missing_programs

pytestmark = [pytest.mark.display, pytest.mark.timeout(90)]

# Runs the focus source alone in a child process (pywinctl binds to $DISPLAY at import) and prints each
# focus event as JSON until stdin closes.
TRACKER = """
import json, sys
from tasklens.collector.x11.focus import FocusTracker
t = FocusTracker("emp-test")
t.start(lambda e: print(json.dumps({"app": e.app, "title": e.title, "exe": e.exe}), flush=True))
print("ready", flush=True)
sys.stdin.read()
t.stop()
"""

# A bare X client: a mapped window with a title but no _NET_WM_PID, which takes the input focus.
NO_PID_WINDOW = """
import time, Xlib.display, Xlib.X
d = Xlib.display.Display()
w = d.screen().root.create_window(10, 10, 200, 100, 0, Xlib.X.CopyFromParent)
w.set_wm_name("Bare client window")
w.map()
d.sync()
time.sleep(0.3)
w.set_input_focus(Xlib.X.RevertToParent, Xlib.X.CurrentTime)
d.sync()
time.sleep(3)
"""


def test_focus_without_window_manager_and_pid_from_x_resource(tmp_path: Path) -> None:
    if missing := missing_programs():
        pytest.skip(f"needs {', '.join(missing)}")
    disp = XDisplay(tmp_path / "x", window_manager=False)
    try:
        a = disp.xterm("First terminal", geometry="40x10+0+0")
        b = disp.xterm("Second terminal", geometry="40x10+400+0")
        tracker = subprocess.Popen([sys.executable, "-c", TRACKER], env=disp.env, stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        assert tracker.stdout is not None and tracker.stdout.readline().strip() == "ready"
        for wid in (a, b):
            disp.xdotool("windowfocus", "--sync", wid)
            time.sleep(1.0)                       # polled four times a second
        subprocess.run([sys.executable, "-c", NO_PID_WINDOW], env=disp.env, check=True, timeout=30)
        out, _ = tracker.communicate("", timeout=30)
    finally:
        disp.close()
    seen = [json.loads(line) for line in out.splitlines()]
    titles = [e["title"] for e in seen]
    assert titles[-3:] == ["First terminal", "Second terminal", "Bare client window"]
    assert seen[-3]["app"] == seen[-2]["app"] == "xterm"
    assert seen[-1]["app"].startswith("python") and seen[-1]["exe"] == str(Path(sys.executable).resolve())
