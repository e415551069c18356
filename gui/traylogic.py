"""The tray's decisions without Qt: its state, pause end times, the app to exclude."""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable

from tasklens.config import Config
from tasklens.events import Event


class State(str, enum.Enum):
    """What the tray icon shows: recording, paused, waiting for consent, or failed."""

    RECORDING = "recording"
    PAUSED = "paused"
    NO_CONSENT = "no consent"
    ERROR = "error"


def state_of(consented: bool, capturing: bool, error: str) -> State:
    if error:
        return State.ERROR
    if not consented:
        return State.NO_CONSENT
    return State.RECORDING if capturing else State.PAUSED


def current_app(recent: Iterable[Event], own: str = "tasklens") -> str:
    """The application the person last worked in (newest events first), not tasklens itself."""
    for e in recent:
        if e.app and e.app.lower() != own and e.action.value not in ("idle", "active", "excluded"):
            return e.app
    return ""


class ReloadableExclusions:
    """What the agent asks `excluded(app, exe, title)`; `reload` swaps the rules while capture runs.

    The collector agent takes an `excluded` callable when built and has no reload hook, so the tray
    hands it this object and swaps what is behind it.
    """

    def __init__(self, config: Config) -> None:
        self._lock = threading.Lock()
        self.reload(config)

    def reload(self, config: Config) -> None:
        from tasklens.privacy.rules import Exclusions
        rules = Exclusions(config)
        with self._lock:
            self._rules = rules

    def excluded(self, app: str, exe: str, title: str) -> bool:
        with self._lock:
            rules = self._rules
        return rules.excluded(app, exe, title)
