"""Merging runs of input into single events: printable keys into `type`, scroll ticks into `scroll`.

Pure logic fed by the pipeline's writer thread (never by the input hooks, which must stay cheap). A run
is one action on one window; it closes at a pause, at its length limit, or when anything else happens.
The limit bounds what an unclean stop (kill -9) can lose of a long run. Copies seen both as a shortcut
and as a clipboard owner change are counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tasklens.events import Action, RawEvent

MERGED = frozenset({Action.TYPE, Action.SCROLL})
CLIPBOARD_TARGET = "clipboard"   # a copy seen from a clipboard owner change, not a shortcut

Ready = tuple[RawEvent, float]   # an event and the moment it was complete (for latency figures)


@dataclass
class _Run:
    first: RawEvent
    last_ts: float
    count: int
    values: list[str] = field(default_factory=list)

    def event(self) -> RawEvent:
        return replace(self.first, count=self.count, duration=round(self.last_ts - self.first.ts, 3),
                       value="".join(self.values))


class Runs:
    """Turns the stream of single inputs into the stream of stored events, in order."""

    def __init__(self, pause: float = 1.0, max_length: float = 5.0, copy_window: float = 1.0) -> None:
        self.pause, self.max_length, self.copy_window = pause, max_length, copy_window
        self._run: _Run | None = None
        self._last_shortcut_copy = float("-inf")

    def push(self, ev: RawEvent) -> list[Ready]:
        """Take one event; return the events that are complete now."""
        out: list[Ready] = []
        run = self._run
        if run is not None and self._extends(run, ev):
            run.last_ts, run.count = ev.ts, run.count + max(ev.count, 1)
            if ev.value:
                run.values.append(ev.value)
            return out
        if run is not None:
            out.append((run.event(), ev.ts))
            self._run = None
        if ev.action in MERGED:
            self._run = _Run(ev, ev.ts, max(ev.count, 1), [ev.value] if ev.value else [])
        elif self._wanted(ev):
            out.append((ev, ev.ts))
        return out

    def due(self, now: float) -> list[Ready]:
        """Close the open run if its pause has passed by `now`."""
        run = self._run
        if run is None or now - run.last_ts < self.pause:
            return []
        self._run = None
        return [(run.event(), run.last_ts + self.pause)]

    def next_due(self) -> float | None:
        """When `due` will next have something to close (None: no open run)."""
        return None if self._run is None else self._run.last_ts + self.pause

    def flush(self, now: float) -> list[Ready]:
        """Close whatever is open (at shutdown or pause)."""
        run, self._run = self._run, None
        return [] if run is None else [(run.event(), now)]

    def _extends(self, run: _Run, ev: RawEvent) -> bool:
        first = run.first
        return (ev.action is first.action and ev.target == first.target and ev.app == first.app
                and ev.title == first.title and ev.ts - run.last_ts < self.pause
                and ev.ts - first.ts < self.max_length)

    def _wanted(self, ev: RawEvent) -> bool:
        """Drop a clipboard-owner copy that only echoes a copy shortcut just seen."""
        if ev.action is not Action.COPY:
            return True
        if ev.target != CLIPBOARD_TARGET:
            self._last_shortcut_copy = ev.ts
            return True
        return ev.ts - self._last_shortcut_copy > self.copy_window
