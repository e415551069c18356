"""Stand-ins several tests share, for pure logic only: where a test is about timing, counting or
segmentation and the real masker (tested on its own) would only slow it down."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from tasklens.events import Event, RawEvent


def unmasked(raws: Iterable[RawEvent]) -> list[Event]:
    """Raw events as stored events, unchanged: for logs that hold no personal data to mask (research
    logs, generated routines)."""
    return [Event(r.ts, r.user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count, r.source_row)
            for r in raws]


class CopyMasker:
    """The masker's interface, copying events through after an optional delay; counts its calls."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls = 0

    def mask_many(self, raws: Sequence[RawEvent]) -> list[Event]:
        self.calls += 1
        time.sleep(self.delay)
        return unmasked(raws)


def never(app: str, exe: str, title: str) -> bool:
    """An exclusion rule that excludes nothing."""
    return False
