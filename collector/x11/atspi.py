"""UI elements on Linux through AT-SPI, spoken as plain D-Bus with jeepney.

Why jeepney and not PyGObject's `gi.repository.Atspi`: jeepney is pure Python and already installed
(keyring's Secret Service backend needs it), so the PyInstaller bundle carries it as a few .py files;
PyGObject from PyPI builds from source (cairo and introspection headers), Debian's needs a venv with
the system site-packages, and either way the bundle must also carry libgirepository, typelibs and
libatspi. The price is writing the dozen D-Bus calls below ourselves; each call gets what is left of
the look-up's deadline as its timeout, so a hung application costs one deadline, not a hang.

The look-up is scoped to the focused window's process: its application on the accessibility bus is
found by the D-Bus connection's PID, and only its windows are asked.
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from tasklens.collector.elements import (
    DOCUMENT_ROLES,
    LAYOUT_ROLES,
    TEXT_ROLES,
    cap_path,
    clean_name,
    name_without_value,
    promoted,
    step,
)
from tasklens.collector.sources import PASSWORD_ROLES, Element, Window

log = logging.getLogger(__name__)

DEADLINE_SECONDS = 0.2      # one look-up, all its calls together; past it the event goes without element
_SCREEN = 0                 # ATSPI_COORD_TYPE_SCREEN
_NULL = "/org/a11y/atspi/null"
_ROOT = "/org/a11y/atspi/accessible/root"
_REGISTRY = "org.a11y.atspi.Registry"
_ACC = "org.a11y.atspi.Accessible"
_LABELLED_BY = 2            # ATSPI_RELATION_LABELLED_BY
_WINDOW_ROLES = frozenset({"frame", "window", "dialog", "alert", "file chooser", "application"})
_MAX_DEPTH = 40             # a descent or a walk up stops here whatever the tree does
_LEAF_ROLES = frozenset({"push button", "toggle button", "check box", "radio button", "link", "entry", "text",
                         "password text", "spin button", "menu item", "check menu item", "radio menu item"})
PATH_SECONDS = 30.0         # how long ancestors, the focused element and a point's element are remembered
_MAX_CACHED = 20_000        # remembered objects; all forgotten at once beyond this
_RESCAN_SECONDS = 2.0       # how often an application not on the bus is looked for again
_FOCUS_EVENT = "object:state-changed:focused"
_BUCKET = 16                # px: clicks this close in one window share a remembered answer, checked by one call

Ref = tuple[str, str]       # (bus name, object path)


class Unavailable(Exception):
    """No accessibility bus to talk to; the message says why."""


class _Late(Exception):
    """The look-up's deadline passed."""


def connect() -> DBusConnection:
    """A connection to the accessibility bus: $AT_SPI_BUS_ADDRESS, else the address the session bus gives."""
    address = os.environ.get("AT_SPI_BUS_ADDRESS", "")
    if not address:
        try:
            with open_dbus_connection("SESSION") as session:
                reply = session.send_and_get_reply(new_method_call(
                    DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Bus"), "GetAddress"), timeout=2)
        except (OSError, KeyError, TimeoutError) as e:
            raise Unavailable(f"no D-Bus session bus ({type(e).__name__}: {e})") from None
        if reply.header.message_type == MessageType.error:
            raise Unavailable(f"the session bus has no accessibility bus (at-spi2-core not running: {reply.body[0]})")
        address = reply.body[0]
    try:
        return open_dbus_connection(address)
    except (OSError, ValueError) as e:
        raise Unavailable(f"cannot connect to the accessibility bus ({e})") from None


class AtspiElements:
    """The AT-SPI element source. Used from one thread only (the look-up thread)."""

    def __init__(self, conn: DBusConnection, deadline: float = DEADLINE_SECONDS) -> None:
        self._conn, self.deadline = conn, deadline
        self._bus_pid: dict[str, int] = {}
        self._pid_app: dict[int, Ref] = {}
        self._missed: dict[int, float] = {}
        self._silent: set[str] = set()
        self._roles: dict[Ref, str] = {}
        self._paths: dict[Ref, tuple[float, list[tuple[Ref, str, str]]]] = {}
        self._last_focus: tuple[Ref, float, Element] | None = None
        self._windows: dict[Ref, tuple[float, list[Ref]]] = {}
        self._labels: dict[Ref, tuple[float, str]] = {}
        # (window, bucket of the point) -> (when, the parent of the element found there, the element's
        # object, the element): the same button clicked again costs one call instead of a descent
        self._points: dict[tuple[int, int, int], tuple[float, Ref, Ref, Element]] = {}
        self._known: dict[Ref, tuple[float, Element]] = {}   # an object -> (when, the element it stands for)
        self._parents: dict[int, tuple[float, Ref]] = {}   # window -> (when, the parent of its last element clicked)
        # AT-SPI has no "what has the focus?" call: applications announce focus changes, which arrive
        # here as signals while other calls wait for their replies, or when `focused` drains them
        self._signals: deque[Any] = deque(maxlen=256)
        self._focus: dict[str, Ref] = {}   # application bus name -> its focused element
        rule = MatchRule(type="signal", interface="org.a11y.atspi.Event.Object", member="StateChanged")
        rule.add_arg_condition(0, "focused")
        self._filter = conn.filter(rule, queue=self._signals)
        self._end = time.monotonic() + 2.0   # each look-up sets its own deadline; this one is for setting up
        self._call(("org.freedesktop.DBus", "/org/freedesktop/DBus"), message_bus.interface, "AddMatch", "s",
                   (rule.serialise(),))
        try:   # at-spi2-core 2.46 takes (event, properties, application); older ones the event alone
            self._call((_REGISTRY, "/org/a11y/atspi/registry"), _REGISTRY, "RegisterEvent", "sass",
                       (_FOCUS_EVENT, [], ""))
        except _DBusError:
            self._call((_REGISTRY, "/org/a11y/atspi/registry"), _REGISTRY, "RegisterEvent", "s", (_FOCUS_EVENT,))

    @classmethod
    def open(cls) -> AtspiElements:
        conn = connect()
        try:
            return cls(conn)
        except (_DBusError, _Late) as e:
            conn.close()
            raise Unavailable(f"the accessibility registry does not answer ({e})") from None

    def close(self) -> None:
        self._filter.close()
        self._conn.close()

    # -- the two questions -----------------------------------------------------------------------
    def at_point(self, x: int, y: int, window: Window) -> Element | None:
        self._end = time.monotonic() + self.deadline
        key = (window.handle, x // _BUCKET, y // _BUCKET)
        again = self._again(key, x, y)
        if again is not None:
            return again
        near = self._near(window.handle, x, y)
        frames = [near[0]] if near else self._frames(window)
        for frame in frames:
            if len(frames) > 1 and not self._call(frame, "org.a11y.atspi.Component", "Contains", "iiu",
                                                  (x, y, _SCREEN))[0]:
                continue
            chain = near or [frame]
            while len(chain) < _MAX_DEPTH and (len(chain) < 2 or self._role(chain[-1]) not in _LEAF_ROLES):
                child = tuple(self._call(chain[-1], "org.a11y.atspi.Component", "GetAccessibleAtPoint", "iiu",
                                         (x, y, _SCREEN))[0])
                if child[1] == _NULL or child in chain:
                    break
                chain.append(child)   # down to a leaf role: nothing a person clicks sits inside those
            if len(chain) < 2:
                return None
            element = self._element(chain[-1])
            if len(self._points) > _MAX_CACHED:
                self._points.clear()
            self._points[key] = (time.monotonic(), chain[-2], chain[-1], element)
            self._parents[window.handle] = (time.monotonic(), chain[-2])
            return element
        return None

    def _near(self, handle: int, x: int, y: int) -> list[Ref] | None:
        """[parent, child at (x, y)] where the parent of the element last clicked in this window holds
        the point: the buttons and fields of one form share a parent, so a click elsewhere in the form
        starts there (one call) instead of descending from the window. None: descend from the window."""
        known = self._parents.get(handle)
        if known is None or time.monotonic() - known[0] >= PATH_SECONDS:
            return None
        try:
            child = tuple(self._call(known[1], "org.a11y.atspi.Component", "GetAccessibleAtPoint", "iiu",
                                     (x, y, _SCREEN))[0])
        except _DBusError:
            return None
        return None if child[1] == _NULL else [known[1], child]

    def _again(self, key: tuple[int, int, int], x: int, y: int) -> Element | None:
        """The element remembered near (x, y) in this window if its parent still has it at (x, y); None
        when there is none, it is older than PATH_SECONDS, or something else is there now (the page
        scrolled, the object is gone): then the caller descends afresh."""
        known = self._points.get(key)
        if known is None or time.monotonic() - known[0] >= PATH_SECONDS:
            return None
        _, parent, leaf, element = known
        try:
            child = tuple(self._call(parent, "org.a11y.atspi.Component", "GetAccessibleAtPoint", "iiu",
                                     (x, y, _SCREEN))[0])
        except _DBusError:
            return None
        return element if child == leaf else None

    def focused(self, window: Window) -> Element | None:
        self._end = time.monotonic() + self.deadline
        app = self._app(window)
        if app is None:
            return None
        self._take_signals()
        leaf = self._focus.get(app[0])
        if leaf is None:
            return None
        last = self._last_focus
        if last is not None and last[0] == leaf and time.monotonic() - last[1] < PATH_SECONDS:
            return last[2]   # still the same field: typing in it costs no call
        element = self._element(leaf)
        self._last_focus = (leaf, time.monotonic(), element)
        return element

    def _take_signals(self) -> None:
        """Read the focus announcements waiting on the connection; remember each application's latest."""
        while True:
            try:
                self._conn.recv_messages(timeout=0.0005)
            except TimeoutError:
                break
        while self._signals:
            msg = self._signals.popleft()
            sender = msg.header.fields.get(HeaderFields.sender, "")
            ref = (sender, msg.header.fields.get(HeaderFields.path, ""))
            if msg.body[1]:
                self._focus[sender] = ref
            elif self._focus.get(sender) == ref:
                del self._focus[sender]

    # -- reading elements --------------------------------------------------------------------------
    def _element(self, leaf: Ref) -> Element:
        """The element `leaf` stands for, remembered for PATH_SECONDS like its path: the same button or
        field reached again (from its form's parent, see `_near`) costs no more calls."""
        known = self._known.get(leaf)
        if known is not None and time.monotonic() - known[0] < PATH_SECONDS:
            return known[1]
        element = self._read_element(leaf)
        if len(self._known) > _MAX_CACHED:
            self._known.clear()
        self._known[leaf] = (time.monotonic(), element)
        return element

    def _read_element(self, leaf: Ref) -> Element:
        role = self._role(leaf)
        if role in PASSWORD_ROLES:
            return Element(role)   # its name, path and text are not read at all
        try:
            ancestors = self._ancestry(leaf)
        except _Late:
            ancestors = []   # past the deadline: the element without its path
        if any(r in PASSWORD_ROLES for _, r, _ in ancestors):
            return Element("password text")
        up = promoted(role, [r for _, r, _ in ancestors])   # the text inside a button stands for the button
        if up:
            leaf, role, _ = ancestors[-up]
            ancestors = ancestors[:-up]
        name = self._name(leaf)
        if name and role in TEXT_ROLES:   # a field's own name may be its text; its label's name is a caption
            name = name_without_value(role, name, self._text(leaf))
        elif not name:
            name = self._label(leaf)
        return Element(role, clean_name(name), cap_path([t for _, _, t in ancestors if t not in LAYOUT_ROLES]))

    def _ancestry(self, ref: Ref) -> list[tuple[Ref, str, str]]:
        """(ancestor, role, its step in a path) of `ref` up to (not including) its window or up to its web
        page, outermost first. Remembered for PATH_SECONDS: the next click in the same form asks one call."""
        known = self._paths.get(ref)
        if known is not None and time.monotonic() - known[0] < PATH_SECONDS:
            return known[1]
        parent: Ref = tuple(self._get(ref, "Parent"))
        out: list[tuple[Ref, str, str]] = []
        if parent[1] not in (_NULL, _ROOT):
            role = self._role(parent)
            if role not in _WINDOW_ROLES:
                # above a web page sits the browser's own chrome; a runaway tree stops at _MAX_DEPTH
                above = [] if role in DOCUMENT_ROLES or len(self._paths) > _MAX_CACHED else self._ancestry(parent)
                out = [*above[-_MAX_DEPTH:], (parent, role, self._step(parent, role))]
        if len(self._paths) > _MAX_CACHED:
            self._paths.clear()
        self._paths[ref] = (time.monotonic(), out)
        return out

    def _step(self, ref: Ref, role: str) -> str:
        text = step(role, self._name(ref))
        if role in DOCUMENT_ROLES:
            url = self._document_url(ref)
            if url:
                text += " " + url
        return text

    def _role(self, ref: Ref) -> str:
        role = self._roles.get(ref)
        if role is None:   # an object's role never changes
            if len(self._roles) > _MAX_CACHED:
                self._roles.clear()
            role = self._roles[ref] = str(self._call(ref, _ACC, "GetRoleName")[0])
        return role

    def _name(self, ref: Ref) -> str:
        return str(self._get(ref, "Name"))

    def _label(self, ref: Ref) -> str:
        """The name of the label an unnamed field is labelled by (GTK forms name entries so); remembered
        like paths, since typing goes back to the same few fields."""
        known = self._labels.get(ref)
        if known is not None and time.monotonic() - known[0] < PATH_SECONDS:
            return known[1]
        label = ""
        for kind, targets in self._call(ref, _ACC, "GetRelationSet")[0]:
            if kind == _LABELLED_BY and targets:
                label = self._name(tuple(targets[0]))
                break
        if len(self._labels) > _MAX_CACHED:
            self._labels.clear()
        self._labels[ref] = (time.monotonic(), label)
        return label

    def _text(self, ref: Ref) -> str:
        try:
            return str(self._call(ref, "org.a11y.atspi.Text", "GetText", "ii", (0, -1))[0])
        except _DBusError:
            return ""

    def _document_url(self, ref: Ref) -> str:
        """The page's address: `DocURL` (Firefox, WebKit) or `URI` (Chromium); the masker masks its query."""
        try:
            attributes = self._call(ref, "org.a11y.atspi.Document", "GetAttributes")[0]
        except _DBusError:
            return ""
        return clean_name(attributes.get("DocURL") or attributes.get("URI") or "")

    # -- finding the application -------------------------------------------------------------------
    def _frames(self, window: Window) -> list[Ref]:
        """The application's windows, asked again after a second (dialogs come and go)."""
        app = self._app(window)
        if app is None:
            return []
        known = self._windows.get(app)
        if known is None or time.monotonic() - known[0] > 1.0:
            known = self._windows[app] = (time.monotonic(),
                                          [tuple(c) for c in self._call(app, _ACC, "GetChildren")[0]])
        return known[1]

    def _app(self, window: Window) -> Ref | None:
        pid = window.pid
        if pid <= 0:
            return None
        app = self._pid_app.get(pid)
        if app is None and time.monotonic() - self._missed.get(pid, float("-inf")) > _RESCAN_SECONDS:
            self._scan()
            app = self._pid_app.get(pid)
            if app is None:
                self._missed[pid] = time.monotonic()
                if window.app not in self._silent:
                    self._silent.add(window.app)
                    log.info("%s exposes nothing on the accessibility bus: its clicks are recorded by button "
                             "and position", window.app or "an application")
        return app

    def _scan(self) -> None:
        apps = self._call((_REGISTRY, _ROOT), _ACC, "GetChildren")[0]
        live = {bus for bus, _ in apps}
        for bus in list(self._bus_pid):
            if bus not in live:
                self._pid_app.pop(self._bus_pid.pop(bus), None)
        for bus, path in apps:
            if bus not in self._bus_pid:
                try:
                    pid = int(self._call(("org.freedesktop.DBus", "/org/freedesktop/DBus"), "org.freedesktop.DBus",
                                         "GetConnectionUnixProcessID", "s", (bus,))[0])
                except _DBusError:
                    continue   # gone since the registry answered
                self._bus_pid[bus] = pid
                self._pid_app[pid] = (bus, path)

    # -- D-Bus -------------------------------------------------------------------------------------
    def _get(self, ref: Ref, prop: str) -> Any:
        return self._call(ref, "org.freedesktop.DBus.Properties", "Get", "ss", (_ACC, prop))[0][1]

    def _call(self, ref: Ref, iface: str, method: str, sig: str | None = None, body: tuple[Any, ...] = ()) -> Any:
        left = self._end - time.monotonic()
        if left <= 0:
            raise _Late(f"{method} past the deadline")
        msg = new_method_call(DBusAddress(ref[1], ref[0], iface), method, sig, body)
        try:
            reply = self._conn.send_and_get_reply(msg, timeout=left)
        except TimeoutError:
            raise _Late(f"{method} past the deadline") from None
        if reply.header.message_type == MessageType.error:
            raise _DBusError(f"{method}: {reply.body[0] if reply.body else 'error'}")
        return reply.body


class _DBusError(Exception):
    """An error reply (an element that vanished, an interface it lacks)."""
