"""The X11 backend: focus via pywinctl/EWMH with X fallbacks, input via pynput (RECORD), clipboard via XFixes."""

from __future__ import annotations

from tasklens.config import Config
from tasklens.collector.sources import Backend


def backend(user: str, config: Config) -> Backend:
    from tasklens.collector.x11.clipboard import ClipboardSource
    from tasklens.collector.x11.focus import FocusTracker
    from tasklens.collector.x11.input import InputSource
    focus = FocusTracker(user)
    return Backend(focus, InputSource(user, focus, record_text=config.record_typed_text),
                   ClipboardSource(user, focus))
