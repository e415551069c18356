"""The seam between the agent and the desktop: event sources, the focused-window snapshot, UI elements, the backend.

Every source has `start(emit)` and `stop()`; one per kind of signal (focus, input, clipboard, idle). An
element source answers "what is at this point, what has the keyboard focus?" for the input source. The
OS backend is chosen here and only here, with lazy imports, so importing the collector never touches a
display library.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from tasklens.config import Config
from tasklens.events import RawEvent

Emit = Callable[[RawEvent], None]


@dataclass(frozen=True, slots=True)
class Window:
    """What input events need to know about the focused window; replaced whole, never mutated."""

    app: str = ""
    exe: str = ""
    title: str = ""
    handle: int = 0
    x: int = 0            # the window's place on the screen, for click positions
    y: int = 0
    width: int = 0
    height: int = 0
    pid: int = 0          # its process, so element look-ups ask that application only

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


NO_WINDOW = Window()
PASSWORD_ROLES = frozenset({"password text"})


@dataclass(frozen=True, slots=True)
class Element:
    """One accessible element: its role, its name and its ancestors (window first, parent last)."""

    role: str
    name: str = ""
    path: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """`role "name"`, or the role alone for an unnamed element."""
        return f'{self.role} "{self.name}"' if self.name else self.role

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)

    @property
    def secret(self) -> bool:
        """A password field, or something inside one: nothing about it may be recorded."""
        return self.role in PASSWORD_ROLES or any(p.split(' "', 1)[0] in PASSWORD_ROLES for p in self.path)


class ElementSource(Protocol):
    """The element seam: one per OS accessibility API. Calls may block up to the source's deadline, so
    they run on the look-up thread (tasklens.collector.lookup), never on an input hook.

    `window` is the focused window: a source answers only with elements of that window's process, so a
    click on another (perhaps excluded) application never names what is in it.
    """

    def at_point(self, x: int, y: int, window: Window) -> Element | None:
        """The deepest element at screen position (x, y), or None."""

    def focused(self, window: Window) -> Element | None:
        """The element with the keyboard focus, or None."""

    def close(self) -> None: ...


class EventSource(Protocol):
    """A source of raw events (input hooks, focus, clipboard): started with where to emit, then stopped."""

    def start(self, emit: Emit) -> None: ...
    def stop(self) -> None: ...


class FocusSource(EventSource, Protocol):
    """The focus source also answers "which window is focused now?" for the other sources."""

    @property
    def current(self) -> Window: ...

    @property
    def lost(self) -> bool:
        """The desktop went away (the display closed): capture cannot go on."""


@dataclass(frozen=True)
class Backend:
    """The sources of one desktop: focus first, then input and clipboard (which read focus.current)."""

    focus: FocusSource
    input: EventSource
    clipboard: EventSource | None


def check_environment() -> None:
    """Raise EnvironmentMissingError (one line) unless this desktop can be watched."""
    if _portable():
        from tasklens.collector.portable import check
        check()
        return
    from tasklens.collector.x11.environment import check as check_x11
    check_x11()


def desktop_backend(user: str, config: Config) -> Backend:
    """The sources for this desktop; call `check_environment` first. X11 has its own backend; elsewhere
    (and with TASKLENS_BACKEND=portable) the portable one on pynput + pywinctl + psutil."""
    check_environment()
    if _portable():
        from tasklens.collector.portable import backend as portable
        return portable(user, config)
    from tasklens.collector.x11 import backend
    return backend(user, config)


def _portable() -> bool:
    if os.environ.get("TASKLENS_BACKEND", "").lower() == "portable":
        return True
    return not (sys.platform.startswith("linux") or sys.platform.startswith("freebsd"))
