"""sources -> bounded queue -> runs -> exclusions -> masker -> batched writer.

The input hooks only `put` (never blocks: a full queue drops the event and counts it). One writer
thread does everything slow: merging runs, the exclusion gate, masking, and appending a batch to the
store at least every `flush_every` seconds, so an unclean stop loses at most that much. A batch the
store refuses (disk full, I/O error) is kept and retried.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tasklens.collector.runs import Ready, Runs
from tasklens.errors import StoreWriteError
from tasklens.events import Action, Event, RawEvent

log = logging.getLogger(__name__)

_STOP = object()
_KEEP_UNWRITTEN = 200_000   # events held while the store refuses writes; older ones are dropped beyond this


class MaskerLike(Protocol):
    """What the pipeline needs of a masker: the real one, or a stand-in in tests."""

    def mask_many(self, raws: Sequence[RawEvent]) -> list[Event]: ...


class StoreLike(Protocol):
    """What the pipeline needs of a store: append a batch of masked events."""

    def append(self, events: Sequence[Event]) -> int: ...


Excluded = Callable[[str, str, str], bool]


@dataclass
class Stats:
    """What the pipeline did; `latencies` are seconds from an event being complete to its commit."""

    queued: int = 0
    dropped: int = 0
    written: int = 0
    excluded: int = 0
    write_failures: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))

    def summary(self) -> dict[str, object]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float | None:
            return round(lat[min(len(lat) - 1, int(p * len(lat)))], 4) if lat else None
        return {"queued": self.queued, "dropped": self.dropped, "written": self.written,
                "excluded": self.excluded, "write_failures": self.write_failures,
                "latency_p50_s": pct(0.5), "latency_p95_s": pct(0.95), "latency_max_s": pct(1.0)}


class Gate:
    """The exclusion rule on the event stream: an excluded window leaves at most one `excluded` marker."""

    def __init__(self, excluded: Excluded) -> None:
        self._excluded = excluded   # asked every time (microseconds): rules may be swapped while capture runs
        self._in_excluded = False

    def __call__(self, ev: RawEvent) -> RawEvent | None:
        hit = self._excluded(ev.app, ev.exe, ev.title)
        if ev.action is Action.FOCUS:
            was, self._in_excluded = self._in_excluded, hit
            if not hit:
                return ev
            return None if was else RawEvent(ev.ts, ev.user, "", "", Action.EXCLUDED)
        if not hit:
            return ev
        if ev.action in (Action.IDLE, Action.ACTIVE):   # time away still counts, without the window
            return RawEvent(ev.ts, ev.user, "", "", ev.action, duration=ev.duration)
        return None


class Pipeline:
    """The queue and its one writer thread (see module): hooks `put`, the writer masks and stores."""

    def __init__(self, store: StoreLike, masker: MaskerLike, excluded: Excluded, *, maxsize: int = 10_000,
                 flush_every: float = 0.5, runs: Runs | None = None) -> None:
        self.store, self.masker = store, masker
        self.gate = Gate(excluded)
        self.runs = runs or Runs()
        self.flush_every = flush_every
        self.stats = Stats()
        self._queue: queue.Queue[object] = queue.Queue(maxsize)
        self._drop_lock = threading.Lock()
        self._reported_drops = 0
        self._batch: list[Ready] = []
        self._unwritten: list[tuple[Event, float]] = []
        self._thread: threading.Thread | None = None
        self._discard = False
        self._wake = threading.Event()

    # -- producer side (any thread, including input hooks) ---------------------------------------
    def put(self, ev: RawEvent) -> None:
        try:
            self._queue.put_nowait(ev)
        except queue.Full:
            with self._drop_lock:
                self.stats.dropped += 1

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="tasklens-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0, *, discard: bool = False) -> None:
        """Write everything queued and any open run (or, with `discard`, drop it all), then end the writer."""
        if self._thread is None:
            return
        self._discard = discard
        self._queue.put(_STOP)
        self._wake.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("the writer did not finish within %.0f s; unwritten events are lost", timeout)
        self._thread = None

    def close_runs(self) -> None:
        """Close an open typing/scroll run now (before a pause), through the queue to keep order."""
        self._queue.put(_CloseRuns)

    # -- the writer thread -----------------------------------------------------------------------
    def _loop(self) -> None:
        """Sleep until the first event, then wake once per period (not per event) to drain and write."""
        deadline = time.monotonic() + self.flush_every
        while True:
            if not (self._batch or self._unwritten or self.runs.next_due() is not None):
                items = [self._queue.get()]
                deadline = time.monotonic() + self.flush_every   # the first event waits one period at most
            else:
                self._wake.wait(max(0.0, deadline - time.monotonic()))
                self._wake.clear()
                items = []
            items += self._drain()
            for item in items:
                if item is _STOP:
                    self._finish()
                    return
                if item is _CloseRuns:
                    self._take(self.runs.flush(time.time()))
                else:
                    self.stats.queued += 1
                    self._take(self.runs.push(item))  # type: ignore[arg-type]
            if time.monotonic() >= deadline:
                self._take(self.runs.due(time.time()))
                self._flush()
                deadline = time.monotonic() + self.flush_every

    def _drain(self) -> list[object]:
        items: list[object] = []
        try:
            while True:
                items.append(self._queue.get_nowait())
        except queue.Empty:
            return items

    def _finish(self) -> None:
        if self._discard:
            log.info("dropping %d unwritten events", len(self._batch) + len(self._unwritten))
            return
        self._take(self.runs.flush(time.time()))
        self._flush()

    def _take(self, ready: list[Ready]) -> None:
        for ev, at in ready:
            kept = self.gate(ev)
            if kept is None:
                self.stats.excluded += 1
            else:
                self._batch.append((kept, at))

    def _flush(self) -> None:
        self._report_drops()
        if self._batch:
            batch, self._batch = self._batch, []
            try:
                masked = self.masker.mask_many([ev for ev, _ in batch])
            except Exception:   # noqa: BLE001 - fail closed: an event that cannot be masked is not stored
                log.exception("masking a batch failed; its %d events are dropped", len(batch))
                with self._drop_lock:
                    self.stats.dropped += len(batch)
                return
            self._unwritten.extend(zip(masked, (at for _, at in batch)))
        if not self._unwritten:
            return
        try:
            self.store.append([ev for ev, _ in self._unwritten])
        except StoreWriteError as e:
            self.stats.write_failures += 1
            if len(self._unwritten) > _KEEP_UNWRITTEN:
                lost = len(self._unwritten) - _KEEP_UNWRITTEN
                del self._unwritten[:lost]
                with self._drop_lock:
                    self.stats.dropped += lost
            log.warning("%s; keeping %d events to retry", e, len(self._unwritten))
            return
        now = time.time()
        self.stats.written += len(self._unwritten)
        self.stats.latencies.extend(now - at for _, at in self._unwritten)
        self._unwritten = []

    def _report_drops(self) -> None:
        dropped = self.stats.dropped
        if dropped != self._reported_drops:
            log.warning("event queue full: %d events dropped (%d in all); the masker or store is too slow",
                        dropped - self._reported_drops, dropped)
            self._reported_drops = dropped


class _CloseRuns:
    """Queue marker: close the open run."""
