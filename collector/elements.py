"""How a UI element is written into an event, and the privacy rules that hold whatever the OS.

Pure logic shared by every element source (AT-SPI, UI Automation, AX): names are cleaned and cut, a
path keeps the nearest ancestors, nothing from a password field is recorded, and a text field's value
is never passed off as its name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from tasklens.collector.sources import PASSWORD_ROLES, Element, Window
from tasklens.events import Action, RawEvent

PATH_DEPTH = 8           # ancestors kept in a path, nearest first: enough to tell two "OK" buttons apart
NAME_LENGTH = 120        # a longer name (a paragraph used as a label) is cut here
# roles whose accessible name some toolkits fill with the text typed into them
TEXT_ROLES = frozenset({"entry", "text", "password text", "terminal", "editbar", "spin button", "combo box",
                        "edit", "document text", "text field", "search field"})
DOCUMENT_ROLES = frozenset({"document web", "document frame"})
# unnamed, these only lay others out: left out of paths, which then hold what a person would name
LAYOUT_ROLES = frozenset({"filler", "panel", "section", "grouping", "scroll pane", "viewport", "layered pane",
                          "split pane", "invalid", "unknown", "redundant object", "generic"})
# a click lands on the text inside a button or link; what was clicked is the button or link
CONTENT_ROLES = frozenset({"static", "label", "image", "icon", "paragraph"})
ACTIONABLE_ROLES = frozenset({"push button", "link", "toggle button", "check box", "radio button", "menu item",
                              "page tab", "check menu item", "radio menu item", "list item", "table cell"})
_SPACE = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """One line, no double quotes (they delimit names in targets and paths), at most NAME_LENGTH."""
    name = _SPACE.sub(" ", name).strip().replace('"', "'")
    return name if len(name) <= NAME_LENGTH else name[:NAME_LENGTH - 1] + "…"


def name_without_value(role: str, name: str, value: str) -> str:
    """The name unless it carries the text typed into a text field (some toolkits name entries so)."""
    value = value.strip()
    if role in TEXT_ROLES and value and name and (value in name or name in value):
        return ""
    return name


def promoted(role: str, ancestor_roles: Sequence[str]) -> int:
    """How many levels up the clicked thing is: 1 or 2 for text inside a button or link, else 0."""
    if role in CONTENT_ROLES:
        for depth in (1, 2):
            if len(ancestor_roles) >= depth and ancestor_roles[-depth] in ACTIONABLE_ROLES:
                return depth
    return 0


def step(role: str, name: str) -> str:
    """One ancestor in a path: written like a target."""
    return Element(role, clean_name(name)).target


def cap_path(chain: list[str], depth: int = PATH_DEPTH) -> tuple[str, ...]:
    """The nearest `depth` ancestors of `chain` (window first); a web document beyond the cap stays first,
    since the page is what tells two browser forms apart."""
    if len(chain) <= depth:
        return tuple(chain)
    kept = chain[-depth:]
    doc = next((c for c in chain[:-depth] if c.split(' "', 1)[0] in DOCUMENT_ROLES), None)
    return tuple([doc, *kept[1:]]) if doc is not None else tuple(kept)


def apply(ev: RawEvent, element: Element | None) -> RawEvent:
    """The event with the element as its target and path; unchanged without one.

    A password field leaves no trace: a click keeps today's button target, typing loses any recorded text.
    """
    if element is None:
        return ev
    if element.secret:
        return replace(ev, value="") if ev.action is Action.TYPE else ev
    return replace(ev, target=element.target, element_path=element.path_text)


@dataclass(frozen=True, slots=True)
class Node:
    """One element as an OS layer without lazy calls gives it (UI Automation, AX), roles already in
    AT-SPI's words; `value` is a field's text, compared with the name and never recorded."""

    role: str
    name: str = ""
    pid: int = 0
    secret: bool = False
    value: str = ""
    url: str = ""


def from_nodes(chain: Sequence[Node], window: Window) -> Element | None:
    """The element for `chain` (the leaf first, then its ancestors below the window), or None when it
    belongs to another process than the focused window's (an excluded application, perhaps)."""
    if not chain or (window.pid and chain[0].pid != window.pid):
        return None
    if any(n.secret or n.role in PASSWORD_ROLES for n in chain):
        return Element("password text")
    outer = list(reversed(chain[1:]))   # outermost first
    up = promoted(chain[0].role, [n.role for n in outer])
    leaf = outer[-up] if up else chain[0]
    if up:
        outer = outer[:-up]
    name = name_without_value(leaf.role, leaf.name, leaf.value)
    path = [step(n.role, n.name) + (" " + clean_name(n.url) if n.url else "") for n in outer]
    return Element(leaf.role, clean_name(name), cap_path([p for p in path if p not in LAYOUT_ROLES]))


class OsLayer(Protocol):
    """What UI Automation and AX have in common, as their modules wrap them: opaque element handles."""

    def at(self, x: int, y: int) -> object | None: ...
    def focused(self) -> object | None: ...
    def parent(self, handle: object) -> object | None: ...
    def is_window(self, handle: object) -> bool: ...
    def node(self, handle: object) -> Node: ...


class WalkedElements:
    """An element source over an OsLayer: the element's parents are walked up to its window. The OS
    calls block (COM, AX messages); they run on the look-up thread, bounded by MAX_WALK steps."""

    MAX_WALK = 24

    def __init__(self, layer: OsLayer) -> None:
        self._layer = layer

    def at_point(self, x: int, y: int, window: Window) -> Element | None:
        return self._walk(self._layer.at(x, y), window)

    def focused(self, window: Window) -> Element | None:
        return self._walk(self._layer.focused(), window)

    def close(self) -> None:
        pass

    def _walk(self, handle: object | None, window: Window) -> Element | None:
        chain: list[Node] = []
        while handle is not None and len(chain) < self.MAX_WALK and not self._layer.is_window(handle):
            chain.append(self._layer.node(handle))
            if chain[-1].role in DOCUMENT_ROLES:
                break   # above a web page sits the browser's own chrome
            handle = self._layer.parent(handle)
        return from_nodes(chain, window)
