"""Writing the user's config file: the edits tasklens makes for a person (the tray's "exclude this app").

Configuration is read in tasklens.config; this is the one place that writes it. The file is rewritten
from its parsed content, so comments are not kept; that is said wherever an edit is offered.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tasklens.errors import ConfigError
from tasklens.files import atomic_write, private_dir


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
