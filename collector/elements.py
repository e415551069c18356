"""How a UI element is written into an event, and the privacy rules that hold whatever the OS.

Pure logic shared by every element source (AT-SPI, UI Automation, AX): names are cleaned and cut, a
path keeps the nearest ancestors, nothing from a password field is recorded, and a text field's value
is never passed off as its name.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tasklens.collector.sources import Element
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
