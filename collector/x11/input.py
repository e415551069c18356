"""Clicks, scrolls and key categories on X11, through pynput's RECORD listeners.

The hooks (tasklens.collector.hooks) run on pynput's threads for every input on the desktop. Both
listeners record only what we keep, since parsing each recorded event in Python is most of the
collector's CPU: the mouse listener takes button events (pynput's own also takes every pointer
motion), the keyboard listener key presses only (pynput's also takes releases); the modifiers held
come from each press's state mask instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import Xlib.display
import Xlib.error
import Xlib.X
import Xlib.XK
from pynput.keyboard import Key
from pynput.keyboard._xorg import Listener as _XKeyboardListener
from pynput.mouse._xorg import Listener as _XMouseListener

from tasklens.collector.hooks import InputHooks
from tasklens.collector.sources import ElementSource, Emit, FocusSource


class _ButtonListener(_XMouseListener):  # type: ignore[misc]
    """pynput's X mouse listener without motion: RECORD ranges ButtonPress..ButtonRelease only."""

    _EVENTS = (Xlib.X.ButtonPress, Xlib.X.ButtonRelease)


_MODIFIER_KEYSYMS = {getattr(Xlib.XK, f"XK_{k}"): name for name, keys in (
    ("shift", ("Shift_L", "Shift_R")), ("ctrl", ("Control_L", "Control_R")),
    ("alt", ("Alt_L", "Alt_R", "Meta_L", "Meta_R")), ("super", ("Super_L", "Super_R", "Hyper_L", "Hyper_R")),
) for k in keys}


class _KeyPressListener(_XKeyboardListener):  # type: ignore[misc]
    """pynput's X keyboard listener on key presses only, handing on (key, chord names of modifiers held)."""

    _EVENTS = (Xlib.X.KeyPress, Xlib.X.KeyPress)   # RECORD's device-event range: first, last

    def __init__(self, on_key: Callable[[Any, frozenset[str]], None]) -> None:
        super().__init__()
        self._on_key = on_key
        self._masks: dict[int, str] = {}

    def _initialize(self, display: Any) -> None:
        super()._initialize(display)
        # which of the eight modifier bits is which key: Mod1 is Alt and Mod4 Super on most, not all, X servers
        for bit, keycodes in enumerate(display.get_modifier_mapping()):
            for keycode in keycodes:
                name = _MODIFIER_KEYSYMS.get(display.keycode_to_keysym(keycode, 0)) if keycode else None
                if name:
                    self._masks[1 << bit] = name

    def _handle_message(self, display: Any, event: Any, injected: bool) -> None:
        try:
            key = self._event_to_key(display, event)
        except IndexError:
            key = None
        if getattr(key, "vk", None) == Xlib.XK.XK_ISO_Left_Tab:   # what X makes of shift+Tab
            key = Key.tab
        self._on_key(key, frozenset(name for mask, name in self._masks.items() if event.state & mask))


class InputSource(InputHooks):
    """Input on X11: pynput's RECORD listeners, narrowed to button events and key presses."""

    def __init__(self, user: str, focus: FocusSource, *, record_text: bool = False,
                 elements: ElementSource | None = None) -> None:
        super().__init__(user, focus, record_text=record_text, elements=elements)
        self._listeners: list[Any] = []

    def start(self, emit: Emit) -> None:
        self._open(emit)
        self._listeners = [_KeyPressListener(self._press),
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
        self._close()
