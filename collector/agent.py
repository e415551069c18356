"""The capture agent: consent first, sources into the pipeline, pause/resume, stop.

`tasklens collect` runs it headless and the tray runs the same object. Every public method may be
called from any thread; the CLI's signal handlers only `submit` a request that `run` carries out.
Pause state is kept in the store (tasklens.collector.pausing), so a restart does not resume capture that
a person paused, and a pause asked for by `tasklens pause`, a signal or the tray is followed within a second.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable

from tasklens.collector import pausing
from tasklens.collector.hooks import InputHooks
from tasklens.collector.idle import IdleSource
from tasklens.collector.pipeline import Excluded, MaskerLike, Pipeline
from tasklens.collector.sources import Backend, EventSource, FocusSource, desktop_backend
from tasklens.config import Config
from tasklens.events import RawEvent
from tasklens.privacy import consent, retention
from tasklens.privacy.masker import Masker
from tasklens.privacy.rules import Exclusions
from tasklens.store import Store

log = logging.getLogger(__name__)

CONSENT_CHECK_SECONDS = 1.0


class Agent:
    """One capture session: consent checked, sources started into the pipeline, paused and resumed on request."""

    def __init__(self, store: Store, config: Config, user: str, *, masker: MaskerLike | None = None,
                 excluded: Excluded | None = None, backend: Callable[[str, Config], Backend] = desktop_backend,
                 flush_every: float = 0.5) -> None:
        self.store, self.config, self.user = store, config, user
        self._masker, self._excluded, self._backend = masker, excluded, backend
        self._flush_every = flush_every
        self._lock = threading.RLock()
        self._sources: list[EventSource] = []
        self._focus: FocusSource | None = None
        self._pipeline: Pipeline | None = None
        self._requests: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._element_stats: dict[str, object] = {}   # element look-ups of the last capture, for --stats-file
        self.stop_reason = ""

    # -- consent --------------------------------------------------------------------------------
    def has_consent(self) -> bool:
        return bool(consent.has_consent(self.store, self.user, self.config))

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Set up masking and the writer, then capture unless paused. Raises ConsentError without consent."""
        consent.require(self.store, self.user, self.config)
        retention.purge_if_due(self.store, self.config)
        if self._masker is None:
            self._masker = Masker(self.config)
        if self._excluded is None:
            self._excluded = Exclusions(self.config).excluded
        self._pipeline = Pipeline(self.store, self._masker, self._excluded, flush_every=self._flush_every)
        self._pipeline.start()
        pausing.announce(self.store.path)
        until = self.paused_until
        if until is not None and until <= time.time():
            pausing.clear_pause(self.store)
            until = None
        if until is None:
            self._start_sources()
        else:
            log.warning("capture stays paused %s (paused before the restart): `tasklens resume` continues",
                        pausing.describe_until(until))

    def stop(self, *, discard: bool = False) -> dict[str, object]:
        """Stop capture; write what is queued (or drop it, after consent is withdrawn); return the stats."""
        with self._lock:
            self._stop_sources()
            pipeline, self._pipeline = self._pipeline, None
        if pipeline is None:
            return {}
        pausing.retire(self.store.path)
        pipeline.stop(discard=discard)
        return {**pipeline.stats.summary(), **self._element_stats}

    @property
    def capturing(self) -> bool:
        return bool(self._sources)

    # -- pause and resume ------------------------------------------------------------------------
    @property
    def paused_until(self) -> float | None:
        """When a pause ends (math.inf: until resumed), or None when not paused."""
        return pausing.paused_until(self.store)

    def pause(self, until: float | None = None) -> None:
        """Stop capture now, until `until` (epoch seconds) or until `resume`; remembered across restarts."""
        with self._lock:
            pausing.set_paused(self.store, until)
            self._halt()
        log.warning("capture paused %s", pausing.describe_until(math.inf if until is None else until))

    def resume(self) -> None:
        with self._lock:
            pausing.clear_pause(self.store)
            self._proceed()
        log.warning("capture resumed")

    def follow_pause(self) -> None:
        """Follow the pause in the store, which `tasklens pause`/`resume` in another process may have set."""
        until = self.paused_until
        if until is not None and until <= time.time():
            self.resume()
        elif until is not None and self.capturing:
            with self._lock:
                self._halt()
            log.warning("capture paused %s (asked from outside this process)", pausing.describe_until(until))
        elif until is None and not self.capturing and self._pipeline is not None:
            with self._lock:
                self._proceed()
            log.warning("capture resumed (asked from outside this process)")

    def _halt(self) -> None:
        self._stop_sources()
        if self._pipeline is not None:
            self._pipeline.close_runs()

    def _proceed(self) -> None:
        if self._pipeline is not None and not self._sources:
            self._start_sources()

    # -- the headless loop -------------------------------------------------------------------------
    def submit(self, request: str) -> None:
        """Ask `run` to "pause", "resume" or "stop"; safe from a signal handler."""
        self._requests.put(request)
        self._wake.set()

    def run(self, duration: float | None = None) -> None:
        """Serve requests, end a timed pause, purge expired events (hourly), stop when consent is withdrawn,
        `duration` passes or "stop"."""
        end = math.inf if duration is None else time.monotonic() + duration
        while True:
            self._wake.wait(min(CONSENT_CHECK_SECONDS, max(0.0, end - time.monotonic())))
            self._wake.clear()
            while not self._requests.empty():
                request = self._requests.get()
                if request == "stop":
                    self.stop_reason = "stopped"
                    return
                getattr(self, request)()
            if time.monotonic() >= end:
                self.stop_reason = "duration"
                return
            if self._focus is not None and self._focus.lost:
                log.info("the display closed: capture stopped")
                self.stop_reason = "display closed"
                return
            if not self.has_consent():
                log.warning("consent was withdrawn: capture stopped")
                self.stop_reason = "consent withdrawn"
                return
            self.follow_pause()
            retention.purge_if_due(self.store, self.config)

    # -- sources -----------------------------------------------------------------------------------
    def _start_sources(self) -> None:
        assert self._pipeline is not None
        backend = self._backend(self.user, self.config)
        if isinstance(backend.input, InputHooks):
            backend.input.excluded = self._excluded
        put = self._pipeline.put
        idle = IdleSource(self.user, self.config.idle_seconds, lambda: backend.focus.current)

        def on_input(ev: RawEvent) -> None:
            idle.touch(ev.ts)
            put(ev)
        started: list[EventSource] = []
        try:
            for source, emit in ((backend.focus, put), (backend.input, on_input), (idle, put),
                                 (backend.clipboard, on_input)):
                if source is not None:
                    source.start(emit)
                    started.append(source)
        except BaseException:
            for source in reversed(started):
                source.stop()
            raise
        self._sources, self._focus = started, backend.focus
        log.info("capture started")

    def _stop_sources(self) -> None:
        for source in reversed(self._sources):
            try:
                source.stop()
            except Exception:   # noqa: BLE001 - stopping the others matters more
                log.exception("a source did not stop cleanly")
            self._element_stats.update(getattr(source, "lookup_summary", {}))
        self._sources, self._focus = [], None
