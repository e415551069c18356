"""Where a widget is on screen, asked of the accessibility bus directly (jeepney), so element tests can
click it without trusting the code under test to find it."""

from __future__ import annotations

from collections.abc import Mapping

from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

_ACC = "org.a11y.atspi.Accessible"


def _call(conn: DBusConnection, bus: str, path: str, iface: str, method: str, sig: str | None = None,
          body: tuple[object, ...] = ()) -> tuple[object, ...]:
    reply = conn.send_and_get_reply(new_method_call(DBusAddress(path, bus, iface), method, sig, body), timeout=5)
    if reply.header.message_type == MessageType.error:
        raise RuntimeError(f"{method}: {reply.body}")
    return reply.body


def widget_center(env: Mapping[str, str], app: str, role: str, name: str | None) -> tuple[int, int] | None:
    """Screen centre of the first showing `role "name"` (any name: None) in the application named `app`."""
    with open_dbus_connection(env["DBUS_SESSION_BUS_ADDRESS"]) as session:
        address = session.send_and_get_reply(new_method_call(
            DBusAddress("/org/a11y/bus", "org.a11y.Bus", "org.a11y.Bus"), "GetAddress"), timeout=5).body[0]
    with open_dbus_connection(address) as conn:
        apps = _call(conn, "org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root", _ACC, "GetChildren")[0]
        for bus, path in apps:  # type: ignore[attr-defined]
            if _prop(conn, bus, path, "Name") != app:
                continue
            todo = [(bus, path)]
            while todo:
                b, p = todo.pop(0)
                if _call(conn, b, p, _ACC, "GetRoleName")[0] == role and name in (None, _prop(conn, b, p, "Name")):
                    x, y, w, h = _call(conn, b, p, "org.a11y.atspi.Component", "GetExtents", "u", (0,))[0]  # type: ignore[misc]
                    if w > 1 and x >= 0:
                        return x + w // 2, y + h // 2
                todo += [tuple(c) for c in _call(conn, b, p, _ACC, "GetChildren")[0]]  # type: ignore[attr-defined]
    return None


def _prop(conn: DBusConnection, bus: str, path: str, name: str) -> object:
    return _call(conn, bus, path, "org.freedesktop.DBus.Properties", "Get", "ss", (_ACC, name))[0][1]  # type: ignore[index]
