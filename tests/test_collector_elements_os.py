"""Element sources of Windows (UI Automation) and macOS (AX) against fakes of their OS layers: no such
device is here, so what runs is the role mapping, the walk up to the window and the privacy rules; the
calls into the real APIs are not exercised."""

from __future__ import annotations

from typing import Any

import pytest

from tasklens.collector import macos_ax, windows_uia
from tasklens.collector.elements import Node, WalkedElements, apply
from tasklens.collector.sources import Element, Window
from tasklens.events import Action, RawEvent

WIN = Window("erp.exe", "C:\\ERP\\erp.exe", "Invoices", handle=3, width=800, height=600, pid=500)


class FakeLayer:
    """An element tree {handle: (parent, properties)}; `make` turns properties into a Node the way the
    real module does."""

    def __init__(self, tree: dict[int, tuple[int | None, dict[str, Any]]], make: Any, window_key: tuple[str, Any],
                 at: int | None = None, focus: int | None = None) -> None:
        self.tree, self.make, self.window_key, self._at, self._focus = tree, make, window_key, at, focus

    def at(self, x: int, y: int) -> object | None:
        return self._at

    def focused(self) -> object | None:
        return self._focus

    def parent(self, handle: object) -> object | None:
        return self.tree[handle][0]  # type: ignore[index]

    def is_window(self, handle: object) -> bool:
        key, value = self.window_key
        return bool(self.tree[handle][1][key] == value)  # type: ignore[index]

    def node(self, handle: object) -> Node:
        return self.make(**self.tree[handle][1])  # type: ignore[index]


def uia(control_type: str, name: str = "", pid: int = 500, is_password: bool = False,
        value: object = "") -> dict[str, Any]:
    return {"control_type": control_type, "name": name, "pid": pid, "is_password": is_password, "value": value}


UIA_TREE = {
    1: (None, uia("WindowControl", "Invoices - ERP")),
    2: (1, uia("PaneControl")),
    3: (2, uia("GroupControl", "Vendor details")),
    4: (3, uia("ButtonControl", "Post invoice")),
    5: (4, uia("TextControl", "Post invoice")),
    6: (3, uia("EditControl", "jane@example.com", value="jane@example.com")),
    7: (3, uia("EditControl", "PIN", is_password=True)),
    8: (1, uia("ButtonControl", "Other app", pid=777)),
}


def uia_source(at: int | None = None, focus: int | None = None) -> WalkedElements:
    return WalkedElements(FakeLayer(UIA_TREE, windows_uia.node, ("control_type", "WindowControl"), at, focus))


def test_uia_click_on_a_buttons_text_names_the_button_with_its_named_ancestors() -> None:
    assert uia_source(at=5).at_point(10, 10, WIN) == Element("push button", "Post invoice",
                                                               ('grouping "Vendor details"',))


def test_uia_field_named_by_its_value_keeps_no_name_and_a_password_field_nothing() -> None:
    assert uia_source(focus=6).focused(WIN) == Element("entry", "", ('grouping "Vendor details"',))
    secret = uia_source(focus=7).focused(WIN)
    assert secret is not None and secret.secret
    typed = apply(RawEvent(1.0, "u", "erp.exe", "Invoices", Action.TYPE, value="1234"), secret)
    assert typed.value == "" and typed.target == "" and typed.element_path == ""


def test_uia_element_of_another_process_is_not_named() -> None:
    assert uia_source(at=8).at_point(1, 1, WIN) is None
    assert uia_source(at=None).at_point(1, 1, WIN) is None


@pytest.mark.parametrize("control_type,role", [("ButtonControl", "push button"), ("HyperlinkControl", "link"),
                                               ("EditControl", "entry"), ("SomethingNew", "unknown")])
def test_uia_control_types_read_like_atspi_roles(control_type: str, role: str) -> None:
    assert windows_uia.node(control_type, "x", 1, False, 3).role == role


def ax(role: str, title: str = "", subrole: str = "", description: str = "", value: object = None, url: str = "",
       pid: int = 500) -> dict[str, Any]:
    return {"role": role, "subrole": subrole, "title": title, "description": description, "value": value,
            "url": url, "pid": pid}


AX_TREE = {
    1: (None, ax("AXWindow", "Safari")),
    2: (1, ax("AXGroup")),
    3: (2, ax("AXWebArea", "Vendor invoice form", url="https://erp.example/form?customer=42")),
    4: (3, ax("AXLink", description="Open order")),
    5: (3, ax("AXTextField", subrole="AXSecureTextField", title="Password")),
    6: (3, ax("AXTextField", title="Vendor", value="ACME Ltd")),
}


def ax_source(at: int | None = None, focus: int | None = None) -> WalkedElements:
    return WalkedElements(FakeLayer(AX_TREE, macos_ax.node, ("role", "AXWindow"), at, focus))


def test_ax_link_in_a_web_page_names_the_page_and_its_address() -> None:
    assert ax_source(at=4).at_point(1, 1, WIN) == Element(
        "link", "Open order", ('document web "Vendor invoice form" https://erp.example/form?customer=42',))


def test_ax_secure_text_field_is_a_password_field_and_a_field_keeps_its_label() -> None:
    assert ax_source(focus=5).focused(WIN) == Element("password text")
    field = ax_source(focus=6).focused(WIN)
    assert field is not None and field.target == 'entry "Vendor"'
