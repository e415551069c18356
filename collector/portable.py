"""The portable backend: the public, cross-platform APIs of pywinctl (the active window), pynput
(keyboard and mouse listeners) and psutil (the process), for desktops without a native backend.

It is the base for Windows and macOS: the same sources run there, with the OS's element source
(UI Automation, AX) where it can be loaded. On Linux it runs when asked (`TASKLENS_BACKEND=portable`),
which is how CI runs it end to end on X11. It costs more than the X11 backend: the active window is
polled four times a second, pynput's listeners parse every event (releases and pointer motion too),
and copies are seen from shortcuts only (no clipboard-owner events).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import Any

from tasklens.collector.hooks import InputHooks
from tasklens.collector.sources import NO_WINDOW, Backend, ElementSource, Emit, FocusSource, Window
from tasklens.config import Config
from tasklens.errors import EnvironmentMissingError
from tasklens.events import Action, RawEvent

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
_MODIFIERS = {"ctrl": "ctrl", "ctrl_l": "ctrl", "ctrl_r": "ctrl", "alt": "alt", "alt_l": "alt", "alt_r": "alt",
              "shift": "shift", "shift_l": "shift", "shift_r": "shift", "cmd": "super", "cmd_l": "super",
              "cmd_r": "super"}


def check() -> None:
    """Raise EnvironmentMissingError (one line) unless pynput and pywinctl can watch this desktop."""
    system: str = sys.platform   # a plain str: this one module serves every platform
    if system.startswith("linux") or system.startswith("freebsd"):
        from tasklens.collector.x11.environment import check as check_x11
        check_x11()   # pynput and pywinctl use X11 here too: the same needs, checked before they import
        return
    try:
        import pynput.keyboard  # noqa: F401 - importing is the check
        import pywinctl  # noqa: F401
    except Exception as e:   # noqa: BLE001 - each OS fails its own way; the message says which
        raise EnvironmentMissingError(f"cannot watch this {system} desktop: {type(e).__name__}: {e}") from None
    log.warning("capture on %s uses the portable backend, which has not run on a real %s device yet", system, system)


def backend(user: str, config: Config) -> Backend:
    focus = PolledFocus(user)
    return Backend(focus, PortableInput(user, focus, record_text=config.record_typed_text, elements=elements()),
                   None)


def elements() -> ElementSource | None:
    """This OS's element source where one can be loaded; None (said in the log) otherwise."""
    if sys.platform == "win32":
        from tasklens.collector.windows_uia import open_source
        return open_source()
    if sys.platform == "darwin":
        from tasklens.collector.macos_ax import open_source
        return open_source()
    from tasklens.collector.x11 import elements as atspi_elements
    return atspi_elements()


class PolledFocus:
    """The focused window from pywinctl, polled; a change (or a new title) is a `focus` event."""

    def __init__(self, user: str) -> None:
        self.user = user
        self.current: Window = NO_WINDOW
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, emit: Emit) -> None:
        import pywinctl
        self._active = pywinctl.getActiveWindow
        self._emit = emit
        self.current = NO_WINDOW
        self._stop.clear()
        self._poll()
        self._thread = threading.Thread(target=self._loop, name="tasklens-focus", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._poll()

    def _poll(self) -> None:
        try:
            win = self._active()
            now = _window(win, self.current) if win is not None else NO_WINDOW
        except Exception:   # noqa: BLE001 - a window that closed mid-question; the next poll sees the new one
            log.debug("active window query failed", exc_info=True)
            return
        before, self.current = self.current, now
        if now.handle and (now.handle != before.handle or now.title != before.title):
            self._emit(RawEvent(time.time(), self.user, now.app, now.title, Action.FOCUS, exe=now.exe))


def _window(win: Any, before: Window) -> Window:
    handle = int(win.getHandle())
    left, top, right, bottom = win.getClientFrame()
    if handle == before.handle:
        app, exe, pid = before.app, before.exe, before.pid
    else:
        pid = int(win.getPID() or 0)
        app, exe = _process(pid)
    return Window(app, exe, str(win.title), handle, int(left), int(top), int(right - left), int(bottom - top), pid)


def _process(pid: int) -> tuple[str, str]:
    import psutil
    try:
        proc = psutil.Process(pid)
        name = proc.name()
    except (psutil.Error, ValueError):
        return "", ""
    try:
        return name, proc.exe()
    except psutil.Error:
        return name, ""


class PortableInput(InputHooks):
    """pynput's public listeners; the modifiers held are tracked from presses and releases."""

    def __init__(self, user: str, focus: FocusSource, *, record_text: bool = False,
                 elements: ElementSource | None = None) -> None:
        super().__init__(user, focus, record_text=record_text, elements=elements)
        self._held: set[str] = set()
        self._listeners: list[Any] = []

    def start(self, emit: Emit) -> None:
        from pynput import keyboard, mouse
        self._open(emit)
        self._listeners = [keyboard.Listener(on_press=self._on_press, on_release=self._on_release),
                           mouse.Listener(on_click=self._click, on_scroll=self._scroll)]
        for lst in self._listeners:
            lst.daemon = True
            lst.start()
        for lst in self._listeners:
            lst.wait()

    def stop(self) -> None:
        for lst in self._listeners:
            lst.stop()
        for lst in self._listeners:
            lst.join(timeout=5)
        self._listeners = []
        self._close()

    def _on_press(self, key: Any, injected: bool = False) -> None:
        mod = _MODIFIERS.get(getattr(key, "name", None) or "")
        if mod is not None:
            self._held.add(mod)
        char = getattr(key, "char", None)
        if char and len(char) == 1 and ord(char) < 32 and "ctrl" in self._held:
            from pynput.keyboard import KeyCode
            key = KeyCode.from_char(chr(ord(char) + 96))   # Windows reports ctrl+c as "\x03"
        self._press(key, frozenset(self._held))

    def _on_release(self, key: Any, injected: bool = False) -> None:
        mod = _MODIFIERS.get(getattr(key, "name", None) or "")
        if mod is not None:
            self._held.discard(mod)
