"""Element look-ups off the input hooks: one thread asks the accessibility API, under a deadline.

Input hooks must return at once (a slow hook delays the desktop's input on some systems and drops
events on others), while an accessibility call crosses processes and may hang on a busy application.
So an input event that needs the accessibility API goes through one queue to this thread: a click is
looked up at the point it happened, typing and pastes get the focused element (remembered for a typing
run, forgotten at any other click, key or window change; a click into a field makes that field the
focused one). Everything else (keys, scrolls, the rest of a typing run) is passed on from the hook
itself when nothing waits in the queue before it, so order is kept without a thread hop per key press:
at 20 inputs/s the hops cost more CPU than the look-ups. Whatever goes wrong (no bus, an application
that exposes nothing, a look-up past its deadline) leaves today's event.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from tasklens.collector.elements import TEXT_ROLES, apply
from tasklens.collector.sources import Element, ElementSource, Emit, Window
from tasklens.events import Action, RawEvent

log = logging.getLogger(__name__)

FOCUS_REUSE_SECONDS = 1.0   # a typing run reuses the focused element for this long after the last look-up
_FOCUSED_ACTIONS = frozenset({Action.TYPE, Action.PASTE})
_CLICK_FOCUSES = TEXT_ROLES - {"combo box"}   # a click into these leaves the keyboard focus there
_STOP = object()
_ASK = Element("")   # "the accessibility API must be asked", never an answer


@dataclass(frozen=True, slots=True)
class _Pending:
    event: RawEvent
    window: Window
    point: tuple[int, int] | None


class ElementLookup:
    """Feeds `emit` with input events carrying their element; `submit` is what input hooks call."""

    def __init__(self, elements: ElementSource, emit: Emit,
                 excluded: Callable[[str, str, str], bool] | None = None) -> None:
        self._elements, self._emit, self._excluded = elements, emit, excluded
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._lock = threading.Lock()   # hooks of two listeners submit; and `_waiting` decides who emits
        self._waiting = 0               # events queued and not yet emitted by the look-up thread
        self._thread: threading.Thread | None = None
        self._focus: tuple[int, float, Element | None] | None = None   # (window handle, when, element)
        self._verdict: tuple[Window, bool] | None = None   # the exclusion rule's answer for the last window asked
        self.latencies: deque[float] = deque(maxlen=100_000)
        self.failures = 0
        self._cpu = 0.0   # CPU seconds the look-up thread used, known once it ends

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="tasklens-elements", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Pass on what is queued, then end the thread and close the source."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
            self._thread = None
        self._elements.close()

    def submit(self, ev: RawEvent, window: Window, point: tuple[int, int] | None = None) -> None:
        """From an input hook: never waits for the accessibility API. An event that needs no look-up is
        emitted here, unless events wait in the queue (they go first: it then queues behind them)."""
        item = _Pending(ev, window, point)
        with self._lock:
            if not self._waiting:
                element = self._known(item)
                if element is not _ASK:
                    self._emit(apply(ev, element))
                    return
            self._waiting += 1
            self._queue.put(item)

    def summary(self) -> dict[str, object]:
        lat = sorted(self.latencies)
        p95 = round(lat[min(len(lat) - 1, int(0.95 * len(lat)))] * 1000, 2) if lat else None
        return {"element_lookups": len(lat), "element_lookup_p95_ms": p95, "element_lookup_failures": self.failures,
                "element_thread_cpu_s": round(self._cpu, 3)}

    # -- the look-up thread -------------------------------------------------------------------------
    def _loop(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            assert isinstance(item, _Pending)
            element = self._known(item)
            self._emit(apply(item.event, self._element(item) if element is _ASK else element))
            with self._lock:
                self._waiting -= 1
        self._cpu = time.thread_time()

    def _known(self, item: _Pending) -> Element | None:
        """The element when no call is needed (None for events without one), else _ASK. Called by one
        thread at a time: a hook while nothing is queued, else the look-up thread."""
        ev, window = item.event, item.window
        if ev.action is Action.CLICK and item.point is not None:
            return _ASK if not self._is_excluded(window) else None
        if ev.action not in _FOCUSED_ACTIONS:
            if ev.action in (Action.KEY, Action.SHORTCUT):
                self._focus = None   # tab, enter, alt+tab... may move the focus
            return None
        if self._is_excluded(window):
            return None
        known = self._focus
        if known is not None and known[0] == window.handle and ev.ts - known[1] < FOCUS_REUSE_SECONDS:
            self._focus = (window.handle, ev.ts, known[2])
            return known[2]
        return _ASK

    def _is_excluded(self, window: Window) -> bool:
        """An excluded application is not even asked (the pipeline drops its events). The rule is asked
        once per Window: one is replaced whole when its application, title or place changes, so a typing
        run asks it once instead of at every key (parsing the executable's path at every key press was
        most of what accessibility added to the input hooks' CPU)."""
        if self._excluded is None:
            return False
        known = self._verdict
        if known is None or known[0] is not window:
            known = self._verdict = (window, self._excluded(window.app, window.exe, window.title))
        return known[1]

    def _element(self, item: _Pending) -> Element | None:
        """Ask the accessibility API, for what `_known` could not answer."""
        ev, window = item.event, item.window
        if ev.action is Action.CLICK and item.point is not None:
            x, y = item.point
            element = self._ask(lambda: self._elements.at_point(x, y, window))
            # a click moves the focus: into the field clicked (typing there needs no look-up), else unknown
            typed_into = element is not None and (element.secret or element.role in _CLICK_FOCUSES)
            self._focus = (window.handle, ev.ts, element) if typed_into else None
            return element
        element = self._ask(lambda: self._elements.focused(window))
        self._focus = (window.handle, ev.ts, element)
        return element

    def _ask(self, look: Callable[[], Element | None]) -> Element | None:
        start = time.perf_counter()
        try:
            element = look()
        except Exception:   # noqa: BLE001 - an element is a bonus: the event goes on without it
            self.failures += 1
            log.debug("element look-up failed", exc_info=True)
            element = None
        self.latencies.append(time.perf_counter() - start)
        return element
