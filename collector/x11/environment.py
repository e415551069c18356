"""Can this X11 desktop be watched? One clear line about what is missing, never a hang or a library exit.

Order matters: pywinctl calls sys.exit at import when `xrandr` is missing and raises without a display,
and a pynput listener hangs forever without RECORD, so all of it is checked before either is imported.
"""

from __future__ import annotations

import os
import shutil

from tasklens.errors import EnvironmentMissingError


def check() -> None:
    display = os.environ.get("DISPLAY", "")
    wayland = os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" or os.environ.get("WAYLAND_DISPLAY")
    if wayland:
        raise EnvironmentMissingError("this is a Wayland session: tasklens can only watch X11 sessions for now; "
                                      "log in with an X11 (Xorg) session")
    if not display:
        raise EnvironmentMissingError("no display: DISPLAY is not set; run tasklens collect inside an X11 "
                                      "desktop session (or set DISPLAY)")
    if shutil.which("xrandr") is None:
        raise EnvironmentMissingError("the xrandr program is missing (needed to read windows); install it "
                                      "(Debian/Ubuntu: apt install x11-xserver-utils)")
    import Xlib.display
    import Xlib.error
    try:
        disp = Xlib.display.Display()
    except (Xlib.error.DisplayError, Xlib.error.ConnectionClosedError, OSError) as e:
        raise EnvironmentMissingError(f"cannot connect to the X display {display!r} ({e}); check DISPLAY and "
                                      "that you may use this display (xauth)") from None
    try:
        record = disp.has_extension("RECORD")
    finally:
        disp.close()
    if not record:
        raise EnvironmentMissingError(f"the X server of {display} lacks the RECORD extension, needed to see "
                                      "input; enable it in the X server configuration")
