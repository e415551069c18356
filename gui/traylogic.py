"""The tray's decisions without Qt: its state, pause end times, the app to exclude, the config edit."""

from __future__ import annotations

import enum
import threading
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tasklens.config import Config
from tasklens.errors import ConfigError
from tasklens.events import Event
from tasklens.files import atomic_write, private_dir


class State(str, enum.Enum):
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


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dump_toml(data: dict[str, object]) -> str:
    """Top-level keys, then one [table] per dict: the shapes tasklens config files have."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def add_app_deny(config_file: Path, app: str) -> bool:
    """Append `app` to `[capture] app_deny` in the user's config file; False if it was there already.

    The file is rewritten from its parsed content (comments are not kept)."""
    data: dict[str, Any] = {}
    if config_file.is_file():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(str(config_file), None, f"not valid TOML ({e}); fix it before excluding an app") from None
    capture = data.setdefault("capture", {})
    deny = list(capture.get("app_deny", []))
    if app in deny:
        return False
    capture["app_deny"] = deny + [app]
    private_dir(config_file.parent)   # on a first run this makes ~/.config/tasklens, 0700
    atomic_write(config_file, dump_toml(data))
    return True
