"""What every input backend does with a key press, click or scroll, whatever delivers them.

The hooks run on the listener's threads for every input on the desktop, so they do almost nothing:
classify, build one RawEvent with the focused window, hand it on; where an element source exists, to
the look-up thread (tasklens.collector.lookup), which adds the element and passes it to the pipeline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from tasklens.collector.keycategories import classify
from tasklens.collector.lookup import ElementLookup
from tasklens.collector.sources import ElementSource, Emit, FocusSource, Window
from tasklens.events import Action, RawEvent

CLICK_SETTLE_SECONDS = 0.1   # a click-to-focus change is seen ~12 ms after the click
_SCROLL = {(0, 1): "up", (0, -1): "down", (1, 0): "right", (-1, 0): "left"}


class InputHooks:
    """Base of the input sources: subclasses start their listeners after `_open` and stop them before `_close`."""

    def __init__(self, user: str, focus: FocusSource, *, record_text: bool = False,
                 elements: ElementSource | None = None) -> None:
        self.user, self.focus, self.record_text = user, focus, record_text
        self._elements = elements
        self._lookup: ElementLookup | None = None
        self.lookup_summary: dict[str, object] = {}   # figures of the last look-up thread, once stopped
        # windows whose elements are never asked for: the agent sets its exclusion rule (app, exe, title)
        self.excluded: Callable[[str, str, str], bool] | None = None

    def _open(self, emit: Emit) -> None:
        self._emit = emit
        if self._elements is not None:
            self._lookup = ElementLookup(self._elements, emit, self.excluded)
            self._lookup.start()

    def _close(self) -> None:
        if self._lookup is not None:
            self._lookup.stop()
            self.lookup_summary = self._lookup.summary()
            self._lookup = None

    def _out(self, ev: RawEvent, window: Window, point: tuple[int, int] | None = None) -> None:
        lookup = self._lookup
        if lookup is None:
            self._emit(ev)
        else:
            lookup.submit(ev, window, point)

    # -- hooks (listener threads) ---------------------------------------------------------------
    def _event(self, action: Action, target: str = "", value: str = "") -> None:
        w = self.focus.current
        self._out(RawEvent(time.time(), self.user, w.app, w.title, action, target, value, count=1, exe=w.exe), w)

    def _press(self, key: Any, mods: frozenset[str]) -> None:
        """A pynput key pressed with the chord names of the modifiers held."""
        if key is None:
            return
        char = getattr(key, "char", None)
        hit = classify(getattr(key, "name", None), char, mods)
        if hit is not None:
            action, target = hit
            text = (char or " ") if self.record_text and action is Action.TYPE else ""
            self._event(action, target, text)

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
        self._out(RawEvent(ts, self.user, w.app, w.title, Action.CLICK, button, f"{x - w.x},{y - w.y}", count=1,
                           exe=w.exe), w, (x, y))

    def _scroll(self, x: int, y: int, dx: int, dy: int) -> None:
        self._event(Action.SCROLL, _SCROLL.get((dx, dy), "other"))
