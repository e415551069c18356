"""UI elements on Windows through UI Automation (the `uiautomation` package, loaded only on Windows).

Not run on a real Windows device yet: the role mapping and the walk are tested with a fake of this
layer (tests/test_collector_elements_os.py); the calls below follow the package's documented API.
UI Automation is COM: the look-up thread initialises it for itself on its first call.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from tasklens.collector.elements import Node, WalkedElements
from tasklens.collector.sources import ElementSource

log = logging.getLogger(__name__)

# UI Automation control types in AT-SPI's words, so targets read alike on every OS
ROLES = {"ButtonControl": "push button", "EditControl": "entry", "HyperlinkControl": "link",
         "CheckBoxControl": "check box", "RadioButtonControl": "radio button", "ComboBoxControl": "combo box",
         "MenuItemControl": "menu item", "TabItemControl": "page tab", "ListItemControl": "list item",
         "DataItemControl": "table cell", "TreeItemControl": "tree item", "TextControl": "static",
         "DocumentControl": "document web", "GroupControl": "grouping", "PaneControl": "panel",
         "CustomControl": "unknown", "ImageControl": "image", "SpinnerControl": "spin button",
         "SliderControl": "slider", "TableControl": "table", "ListControl": "list", "TreeControl": "tree",
         "MenuBarControl": "menu bar", "MenuControl": "menu", "ToolBarControl": "tool bar",
         "TabControl": "page tab list", "HeaderItemControl": "table column header", "SplitButtonControl":
         "push button", "WindowControl": "frame", "TitleBarControl": "title bar", "StatusBarControl": "status bar"}
_IS_PASSWORD = 30019   # UIA_IsPasswordPropertyId
_VALUE = 30045         # UIA_ValueValuePropertyId


def node(control_type: str, name: str, pid: int, is_password: bool, value: object) -> Node:
    """One control as a Node; a browser's document has no URL here (UIA keeps it in the address bar)."""
    return Node(ROLES.get(control_type, "unknown"), name or "", pid, bool(is_password),
                value if isinstance(value, str) else "")


class UiaLayer:
    """The OsLayer over `uiautomation`."""

    def __init__(self) -> None:
        import uiautomation  # type: ignore[import-not-found, unused-ignore]
        self._auto = uiautomation
        self._ready = threading.local()

    def _init(self) -> None:
        if not getattr(self._ready, "done", False):
            self._auto.InitializeUIAutomationInCurrentThread()
            self._ready.done = True

    def at(self, x: int, y: int) -> Any:
        self._init()
        return self._auto.ControlFromPoint(x, y)

    def focused(self) -> Any:
        self._init()
        return self._auto.GetFocusedControl()

    def parent(self, handle: Any) -> Any:
        return handle.GetParentControl()

    def is_window(self, handle: Any) -> bool:
        return bool(handle.ControlTypeName == "WindowControl")

    def node(self, handle: Any) -> Node:
        is_password = handle.GetPropertyValue(_IS_PASSWORD)
        value = "" if is_password else handle.GetPropertyValue(_VALUE)
        return node(handle.ControlTypeName, handle.Name, handle.ProcessId, is_password, value)


def open_source() -> ElementSource | None:
    try:
        return WalkedElements(UiaLayer())
    except Exception as e:   # noqa: BLE001 - missing package or COM failure: elements are a bonus
        log.warning("UI elements are not recorded: UI Automation is not available (%s: %s)", type(e).__name__, e)
        return None
