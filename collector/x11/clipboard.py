"""Copies seen as clipboard ownership changes (XFixes), so a copy from a menu or a button counts too."""

from __future__ import annotations

import logging
import time
from typing import Any

import Xlib.display
from Xlib.ext import xfixes

from tasklens.collector.runs import CLIPBOARD_TARGET
from tasklens.collector.sources import Emit, FocusSource
from tasklens.collector.x11.loop import EventThread
from tasklens.events import Action, RawEvent

log = logging.getLogger(__name__)


class ClipboardSource:
    """Emits a copy event when the clipboard changes owner, named after the focused window."""

    def __init__(self, user: str, focus: FocusSource) -> None:
        self.user, self.focus = user, focus
        self._loop: EventThread | None = None

    def start(self, emit: Emit) -> None:
        disp = Xlib.display.Display()
        if not disp.has_extension("XFIXES"):
            log.warning("the X server lacks XFIXES: copies are recognised from shortcuts only")
            disp.close()
            return
        disp.xfixes_query_version()
        # python-xlib makes its own event class per display: match the code, not the class
        self._code = disp.query_extension("XFIXES").first_event + xfixes.XFixesSelectionNotify
        disp.xfixes_select_selection_input(disp.screen().root, disp.intern_atom("CLIPBOARD"),
                                           xfixes.XFixesSetSelectionOwnerNotifyMask)
        disp.sync()
        self._emit = emit
        self._loop = EventThread(disp, "clipboard", self._handle)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.stop()
            self._loop = None

    def _handle(self, events: list[Any]) -> None:
        for ev in events:
            if ev.type == self._code and ev.sub_code == xfixes.XFixesSetSelectionOwnerNotify and ev.owner:
                w = self.focus.current
                self._emit(RawEvent(time.time(), self.user, w.app, w.title, Action.COPY, CLIPBOARD_TARGET,
                                    count=1, exe=w.exe))
