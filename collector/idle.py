"""Idle and active: no input for the threshold -> `idle`, input again -> `active`.

A timer thread sleeps until the moment the threshold would pass; input only stores its time (the
hooks call `touch`), so a busy typist costs one float assignment per key and an idle desktop nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tasklens.collector.sources import Emit, Window
from tasklens.events import Action, RawEvent


class IdleSource:
    """Emits `idle` after `threshold` seconds without input and `active` at the next input (see module)."""

    def __init__(self, user: str, threshold: float, window: Callable[[], Window]) -> None:
        self.user, self.threshold, self._window = user, threshold, window
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last = 0.0
        self._idle_since: float | None = None

    def start(self, emit: Emit) -> None:
        self._emit = emit
        self._last, self._idle_since = time.time(), None
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="tasklens-idle", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self._thread = None

    def touch(self, ts: float) -> None:
        """Input happened at `ts`: remember it; end an idle period with an `active` event."""
        with self._lock:
            self._last = ts
            since, self._idle_since = self._idle_since, None
        if since is not None:
            self._emit(self._event(Action.ACTIVE, ts, ts - since))
            self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                wait = None if self._idle_since is not None else self._last + self.threshold - time.time()
            if wait is None or wait > 0:
                self._wake.wait(wait)
                self._wake.clear()
                continue
            with self._lock:
                if self._idle_since is not None or time.time() - self._last < self.threshold:
                    continue
                self._idle_since = self._last
                since = self._last
            self._emit(self._event(Action.IDLE, since + self.threshold, self.threshold))

    def _event(self, action: Action, ts: float, duration: float) -> RawEvent:
        w = self._window()
        return RawEvent(ts, self.user, w.app, w.title, action, duration=round(duration, 3), exe=w.exe)
