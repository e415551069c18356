"""UI elements on macOS through the AX API (pyobjc-framework-ApplicationServices, loaded only on macOS).

Not run on a real Mac yet: the role mapping and the walk are tested with a fake of this layer
(tests/test_collector_elements_os.py); the calls follow Apple's AXUIElement API. It needs the
Accessibility permission (System Settings > Privacy & Security > Accessibility); without it, no element.
"""

from __future__ import annotations

import logging
from typing import Any

from tasklens.collector.elements import Node, WalkedElements
from tasklens.collector.sources import ElementSource

log = logging.getLogger(__name__)

ROLES = {"AXButton": "push button", "AXTextField": "entry", "AXTextArea": "text", "AXLink": "link",
         "AXCheckBox": "check box", "AXRadioButton": "radio button", "AXPopUpButton": "combo box",
         "AXComboBox": "combo box", "AXMenuItem": "menu item", "AXTab": "page tab", "AXRow": "list item",
         "AXCell": "table cell", "AXStaticText": "static", "AXImage": "image", "AXWebArea": "document web",
         "AXGroup": "grouping", "AXScrollArea": "scroll pane", "AXSplitGroup": "split pane", "AXTable": "table",
         "AXList": "list", "AXOutline": "tree", "AXToolbar": "tool bar", "AXTabGroup": "page tab list",
         "AXSlider": "slider", "AXIncrementor": "spin button", "AXMenuButton": "push button",
         "AXWindow": "frame", "AXSheet": "dialog", "AXHeading": "heading"}


def node(role: str, subrole: str, title: str, description: str, value: object, url: str, pid: int) -> Node:
    """One AX element as a Node; a secure text field is a password field whatever its role says."""
    return Node(ROLES.get(role, "unknown"), title or description or "", pid, subrole == "AXSecureTextField",
                value if isinstance(value, str) else "", url)


class AxLayer:
    """The OsLayer over ApplicationServices' AXUIElement functions."""

    def __init__(self) -> None:
        import ApplicationServices as ax  # type: ignore[import-not-found, unused-ignore]
        if not ax.AXIsProcessTrusted():
            raise PermissionError("tasklens lacks the Accessibility permission")
        self._ax = ax
        self._system = ax.AXUIElementCreateSystemWide()

    def _attr(self, handle: Any, name: str) -> Any:
        err, value = self._ax.AXUIElementCopyAttributeValue(handle, name, None)
        return value if err == 0 else None

    def at(self, x: int, y: int) -> Any:
        err, handle = self._ax.AXUIElementCopyElementAtPosition(self._system, float(x), float(y), None)
        return handle if err == 0 else None

    def focused(self) -> Any:
        return self._attr(self._system, "AXFocusedUIElement")

    def parent(self, handle: Any) -> Any:
        return self._attr(handle, "AXParent")

    def is_window(self, handle: Any) -> bool:
        return self._attr(handle, "AXRole") in ("AXWindow", "AXApplication")

    def node(self, handle: Any) -> Node:
        role, subrole = self._attr(handle, "AXRole") or "", self._attr(handle, "AXSubrole") or ""
        secure = subrole == "AXSecureTextField"
        url = self._attr(handle, "AXURL") if role == "AXWebArea" else None
        err, pid = self._ax.AXUIElementGetPid(handle, None)
        return node(str(role), str(subrole), str(self._attr(handle, "AXTitle") or ""),
                    str(self._attr(handle, "AXDescription") or ""), None if secure else self._attr(handle, "AXValue"),
                    str(url.absoluteString()) if url is not None else "", int(pid) if err == 0 else 0)


def open_source() -> ElementSource | None:
    try:
        return WalkedElements(AxLayer())
    except Exception as e:   # noqa: BLE001 - missing package or permission: elements are a bonus
        log.warning("UI elements are not recorded: the macOS accessibility API is not available (%s: %s)",
                    type(e).__name__, e)
        return None
