"""The X11 backend: focus via pywinctl/EWMH with X fallbacks, input via pynput (RECORD), clipboard via XFixes,
UI elements via AT-SPI where an accessibility bus runs."""

from __future__ import annotations

import logging

from tasklens.collector.sources import Backend, ElementSource
from tasklens.config import Config

log = logging.getLogger(__name__)
_told: set[str] = set()   # why elements are off, said once per process


def backend(user: str, config: Config) -> Backend:
    from tasklens.collector.x11.clipboard import ClipboardSource
    from tasklens.collector.x11.focus import FocusTracker
    from tasklens.collector.x11.input import InputSource
    focus = FocusTracker(user)
    return Backend(focus, InputSource(user, focus, record_text=config.record_typed_text, elements=elements()),
                   ClipboardSource(user, focus))


def elements() -> ElementSource | None:
    """The AT-SPI element source, or None (said once in the log) where no accessibility bus answers."""
    from tasklens.collector.x11.atspi import AtspiElements, Unavailable
    try:
        return AtspiElements.open()
    except Unavailable as e:
        if str(e) not in _told:
            _told.add(str(e))
            log.warning("UI elements are not recorded: %s; clicks are recorded by button and position, typing "
                        "by window (start at-spi-bus-launcher, or switch on the desktop's accessibility)", e)
        return None
