"""Clicks, scrolls and key categories on X11, through pynput's RECORD listeners.

The hooks run on pynput's threads for every input on the desktop, so they do almost nothing: classify,
build one RawEvent with the focused window, hand it on. The mouse listener records button events only
(pynput's own also records every pointer motion, which costs CPU for nothing we keep).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import Xlib.display
import Xlib.error
import Xlib.X
from pynput import keyboard
from pynput.mouse._xorg import Listener as _XMouseListener

from tasklens.collector.keys import MODIFIERS, classify
from tasklens.collector.sources import Emit, FocusSource
from tasklens.events import Action, RawEvent

CLICK_SETTLE_SECONDS = 0.1   # a click-to-focus change is seen ~12 ms after the click
_SCROLL = {(0, 1): "up", (0, -1): "down", (1, 0): "right", (-1, 0): "left"}


class _ButtonListener(_XMouseListener):  # type: ignore[misc]
    """pynput's X mouse listener without motion: RECORD ranges ButtonPress..ButtonRelease only."""

    _EVENTS = (Xlib.X.ButtonPress, Xlib.X.ButtonRelease)


class InputSource:
    def __init__(self, user: str, focus: FocusSource, *, record_text: bool = False) -> None:
        self.user, self.focus, self.record_text = user, focus, record_text
        self._mods: set[str] = set()
        self._listeners: list[Any] = []

    def start(self, emit: Emit) -> None:
        self._emit = emit
        self._mods.clear()
        self._listeners = [keyboard.Listener(on_press=self._press, on_release=self._release),
                           _ButtonListener(on_click=self._click, on_scroll=self._scroll)]
        for lst in self._listeners:
            lst.daemon = True
            lst.start()
        for lst in self._listeners:
            lst.wait()

    def stop(self) -> None:
        # pynput sends RECORD's disable request on the recording connection, where it waits for the next
        # input event; the listener threads end at once when it comes on a connection of our own.
        try:
            disp = Xlib.display.Display()
        except Xlib.error.DisplayError:
            disp = None   # the server is gone, and the recording ended with it
        if disp is not None:
            for lst in self._listeners:
                lst.stop()
                disp.record_disable_context(lst._context)
            disp.sync()
            disp.close()
        for lst in self._listeners:
            lst.join(timeout=5)
        self._listeners = []

    # -- hooks (pynput threads) -----------------------------------------------------------------
    def _event(self, action: Action, target: str = "", value: str = "") -> None:
        w = self.focus.current
        self._emit(RawEvent(time.time(), self.user, w.app, w.title, action, target, value, count=1, exe=w.exe))

    def _press(self, key: Any) -> None:
        if key is None:
            return
        name = getattr(key, "name", None)
        if name in MODIFIERS:
            self._mods.add(MODIFIERS[name])
            return
        char = getattr(key, "char", None)
        hit = classify(name, char, self._mods)
        if hit is not None:
            action, target = hit
            text = (char or " ") if self.record_text and action is Action.TYPE else ""
            self._event(action, target, text)

    def _release(self, key: Any) -> None:
        mod = MODIFIERS.get(getattr(key, "name", None) or "")
        if mod is not None:
            self._mods.discard(mod)

    def _click(self, x: int, y: int, button: Any, pressed: bool) -> None:
        if not pressed:
            return
        w = self.focus.current
        if w.handle and not w.contains(x, y):
            # Likely a click that focuses another window: attribute it once the focus change is seen.
            threading.Timer(CLICK_SETTLE_SECONDS, self._click_in_focus, (time.time(), x, y, button.name)).start()
            return
        self._click_in_focus(time.time(), x, y, button.name)

    def _click_in_focus(self, ts: float, x: int, y: int, button: str) -> None:
        w = self.focus.current
        self._emit(RawEvent(ts, self.user, w.app, w.title, Action.CLICK, button, f"{x - w.x},{y - w.y}", count=1,
                            exe=w.exe))

    def _scroll(self, x: int, y: int, dx: int, dy: int) -> None:
        self._event(Action.SCROLL, _SCROLL.get((dx, dy), "other"))
