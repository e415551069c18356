"""Which window has focus on X11, and its title and process, reported within milliseconds of a change.

Two threads sleep in select(), each on its own X connection, so an idle desktop costs no CPU. One hears
the window manager's `_NET_ACTIVE_WINDOW` change on the root window and reads the new window at once:
input that follows is credited to the right window. The other hears the active window's own property
and size changes, which include `_NET_WM_USER_TIME` at every key press: it settles between bursts, so a
title change (`_NET_WM_NAME`, `WM_NAME`) or a move is read within TITLE_SETTLE_SECONDS. The active window
comes from pywinctl (EWMH); where no window manager sets it, the X input focus is polled four times a
second. Where `_NET_WM_PID` is missing, the X-Resource extension names the client's process.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import psutil
import pywinctl
import Xlib.display
import Xlib.threaded  # noqa: F401 - each connection is used by two threads: python-xlib's real locks
import Xlib.X
import Xlib.Xatom
import Xlib.xobject.drawable
from Xlib.ext import res as xres

from tasklens.collector.sources import NO_WINDOW, Emit, Window
from tasklens.collector.x11.loop import EventThread
from tasklens.events import Action, RawEvent

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25     # input-focus polling, only while no window manager publishes the active window
TITLE_SETTLE_SECONDS = 0.25   # the active window's title and geometry are read at most this late


class FocusTracker:
    """The focus source of the X11 backend; `current` is read by the input and clipboard sources."""

    def __init__(self, user: str) -> None:
        self.user = user
        self.current: Window = NO_WINDOW
        self._loops: list[EventThread] = []
        self._lock = threading.Lock()   # the two threads both replace `current`

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, emit: Emit) -> None:
        self._emit = emit
        self._disp, self._wdisp = _connect(), _connect()   # the root's events; the active window's
        self._root = self._disp.screen().root
        self._atoms = {n: self._disp.intern_atom(n) for n in
                       ("_NET_ACTIVE_WINDOW", "_NET_WM_NAME", "WM_NAME", "_NET_WM_PID")}
        self._xres = self._disp.has_extension("X-Resource")
        self._root.change_attributes(event_mask=Xlib.X.PropertyChangeMask)
        self._disp.sync()
        self._watched: Any = None
        self._wm = True
        self.current = NO_WINDOW
        self._safe_refresh()
        self._loops = [EventThread(self._disp, "focus", self._on_root_events,
                                   timeout=lambda: None if self._wm else POLL_SECONDS, on_tick=self._safe_refresh),
                       EventThread(self._wdisp, "window", self._on_window_events, settle=TITLE_SETTLE_SECONDS)]

    @property
    def lost(self) -> bool:
        """True once a connection to the X server is gone."""
        return any(loop.lost for loop in self._loops)

    def stop(self) -> None:
        for loop in self._loops:
            loop.stop()
        self._loops = []

    # -- the loops -----------------------------------------------------------------------------
    def _on_root_events(self, events: list[Any]) -> None:
        if any(ev.type == Xlib.X.PropertyNotify and ev.atom == self._atoms["_NET_ACTIVE_WINDOW"] for ev in events):
            self._safe_refresh()

    def _on_window_events(self, events: list[Any]) -> None:
        titled = any(ev.type == Xlib.X.PropertyNotify and ev.atom in (self._atoms["_NET_WM_NAME"], self._atoms["WM_NAME"])
                     for ev in events)
        if titled:
            self._safe_refresh()
        elif any(ev.type == Xlib.X.ConfigureNotify for ev in events):
            self._safe_update_geometry()

    def _safe_refresh(self) -> None:
        with self._lock:
            try:
                self._refresh()
            except Exception:   # noqa: BLE001 - a window that vanished mid-query must not end focus tracking
                log.debug("focus refresh failed", exc_info=True)

    # -- reading the focused window ------------------------------------------------------------
    def _refresh(self) -> None:
        win = self._active()
        if win is None:
            self._watch(None)
            self.current = NO_WINDOW
            return
        title = self._title(win)
        before = self.current
        if win.id == before.handle and title == before.title:
            return
        if win.id != before.handle:
            self._watch(win)
            pid = self._pid(win)
            app, exe = _process(pid)
            x, y, width, height = self._geometry(win)
        else:
            app, exe, x, y, width, height = before.app, before.exe, before.x, before.y, before.width, before.height
            pid = before.pid
        now = Window(app, exe, title, win.id, x, y, width, height, pid)
        self.current = now
        self._emit(RawEvent(time.time(), self.user, app, title, Action.FOCUS, exe=exe))

    def _active(self) -> Any:
        """The active top-level window: EWMH via pywinctl, else the X input focus walked up to a named window."""
        active = pywinctl.getActiveWindow()
        self._wm = active is not None or self._root.get_full_property(self._atoms["_NET_ACTIVE_WINDOW"], 0) is not None
        if active is not None:
            return self._disp.create_resource_object("window", int(active.getHandle()))
        if self._wm:
            return None   # a window manager is there and says: no window is active
        win = self._disp.get_input_focus().focus
        while isinstance(win, Xlib.xobject.drawable.Window) and win.id != self._root.id:
            if win.get_full_property(self._atoms["WM_NAME"], 0) is not None:
                return win
            win = win.query_tree().parent
        return None

    def _title(self, win: Any) -> str:
        """`_NET_WM_NAME`, else `WM_NAME`; any property type (a type mismatch would read as empty)."""
        for name in ("_NET_WM_NAME", "WM_NAME"):
            prop = win.get_full_property(self._atoms[name], Xlib.X.AnyPropertyType)
            if prop is not None and len(prop.value):
                value = prop.value
                return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        return ""

    def _pid(self, win: Any) -> int:
        prop = win.get_full_property(self._atoms["_NET_WM_PID"], Xlib.Xatom.CARDINAL)
        if prop is not None and len(prop.value):
            return int(prop.value[0])
        if not self._xres:
            return 0
        ids = self._disp.res_query_client_ids([{"client": win.id, "mask": xres.LocalClientPIDMask}]).ids
        return next((int(i.value[0]) for i in ids if i.spec.mask == xres.LocalClientPIDMask and i.value), 0)

    def _geometry(self, win: Any) -> tuple[int, int, int, int]:
        """Screen position and size of the window's inside (without the frame)."""
        pos = self._root.translate_coords(win, 0, 0)
        geo = win.get_geometry()
        return int(pos.x), int(pos.y), int(geo.width), int(geo.height)

    def _safe_update_geometry(self) -> None:
        with self._lock:
            cur = self.current
            if self._watched is None:
                return
            try:
                geometry = self._geometry(self._watched)
            except Exception:   # noqa: BLE001 - the window is gone; the next focus change replaces it
                return
            if geometry != (cur.x, cur.y, cur.width, cur.height):
                self.current = Window(cur.app, cur.exe, cur.title, cur.handle, *geometry, cur.pid)

    def _watch(self, win: Any) -> None:
        """Listen for title changes and moves of the active window only, on the settling connection."""
        if self._watched is not None:
            self._wdisp.create_resource_object("window", self._watched.id).change_attributes(
                event_mask=Xlib.X.NoEventMask)
        self._watched = win
        if win is not None:
            self._wdisp.create_resource_object("window", win.id).change_attributes(
                event_mask=Xlib.X.PropertyChangeMask | Xlib.X.StructureNotifyMask)
        self._wdisp.flush()


def _connect() -> Any:
    disp = Xlib.display.Display()
    disp.set_error_handler(lambda *a: None)   # a window that vanished mid-query is not news
    return disp


def _process(pid: int) -> tuple[str, str]:
    """(name, executable path) of a process; empty where unknown or not ours to read."""
    if pid <= 0:
        return "", ""
    try:
        proc = psutil.Process(pid)
        name = proc.name()
    except psutil.Error:
        return "", ""
    try:
        exe = proc.exe()
    except psutil.Error:
        exe = ""
    return name, exe


