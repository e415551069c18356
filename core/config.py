"""Configuration: built-in defaults, then the organisation file, then the user's file (TOML).

The organisation sets policy (consent notice, what may be recorded, retention); an employee's own file
may only tighten it: their deny lists and title patterns are added, their retention may be shorter,
never longer. Every bad value is reported with the file, the key and what is allowed.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasklens.errors import ConfigError
from tasklens.paths import user_config_file

log = logging.getLogger(__name__)

ORG_CONFIG_NAME = "tasklens-org.toml"

DEFAULT_NOTICE = (
    "tasklens records which application and window you use and what kind of input you give "
    "(clicks, key categories, shortcuts, copy/paste, scrolling, idle time) to find repetitive work "
    "that software could do for you. Where the desktop's accessibility interface answers, it also records "
    "which button, field or link you click or type into: its kind, its label and the labels of what "
    "contains it (such as button \"Post invoice\" in form \"Find orders\", and a web page's address with "
    "its query values masked); never the text inside a field, nothing about password fields. "
    "It never records what you type unless your organisation turns "
    "that on, masks personal data before anything is saved, and keeps it encrypted on this computer. "
    "You can pause, exclude applications, see, export and delete what is recorded at any time."
)

# Password managers and private browsing are never recorded, whatever a config says.
BUILTIN_APP_DENY = ("keepass*", "keepassxc*", "1password*", "bitwarden*", "lastpass*", "enpass*",
                    "dashlane*", "seahorse*", "kwalletmanager*", "gnome-keyring*", "pass")
BUILTIN_TITLE_EXCLUDE = (r"(?i)private browsing", r"(?i)\bincognito\b", r"(?i)\binprivate\b")


@dataclass(frozen=True)
class Recognizer:
    """An organisation-defined pattern (customer or employee ids) that the masker replaces."""

    entity: str
    regex: str
    context: tuple[str, ...] = ()
    score: float = 0.8


@dataclass(frozen=True)
class Config:
    """The merged configuration every part reads."""

    notice_version: str = "2"   # the built-in notice; "2" added UI elements, so who accepted "1" is asked again
    notice_text: str = DEFAULT_NOTICE
    app_allow: tuple[str, ...] = ()
    app_deny: tuple[str, ...] = BUILTIN_APP_DENY
    title_exclude: tuple[str, ...] = BUILTIN_TITLE_EXCLUDE
    idle_seconds: float = 60.0
    record_typed_text: bool = False
    retention_days: int = 30
    recognizers: tuple[Recognizer, ...] = ()
    person_names: tuple[str, ...] = ()
    analyst_public_key: str = ""
    sources: tuple[str, ...] = field(default=())   # files merged, for `tasklens store info`


def _str_list(v: Any) -> str | None:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        return "a list of strings"
    return None


def _regex_list(v: Any) -> str | None:
    if (bad := _str_list(v)) is not None:
        return bad
    for pat in v:
        try:
            re.compile(pat)
        except re.error as e:
            return f"valid regular expressions ({pat!r}: {e})"
    return None


def _positive(v: Any) -> str | None:
    return None if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 else "a number > 0"


def _days(v: Any) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 3650 else "a whole number of days from 1 to 3650"


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "a non-empty string"


def _any_text(v: Any) -> str | None:
    return None if isinstance(v, str) else "a string"


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _recognizers(v: Any) -> str | None:
    want = "a list of tables with entity (UPPER_CASE), regex, optional context (list) and score (0-1)"
    if not isinstance(v, list):
        return want
    for r in v:
        if not isinstance(r, dict) or set(r) - {"entity", "regex", "context", "score"}:
            return want
        if not isinstance(r.get("entity"), str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", r["entity"]):
            return want
        if _regex_list([r.get("regex")]) is not None or _str_list(r.get("context", [])) is not None:
            return want
        s = r.get("score", 0.8)
        if not isinstance(s, (int, float)) or not 0 < s <= 1:
            return want
    return None


Check = Callable[[Any], "str | None"]
# section -> key -> (Config field, check, who may set it: "org" or "any")
SCHEMA: dict[str, dict[str, tuple[str, Check, str]]] = {
    "consent": {"notice_version": ("notice_version", _text, "org"),
                "notice_text": ("notice_text", _text, "org")},
    "capture": {"app_allow": ("app_allow", _str_list, "org"),
                "app_deny": ("app_deny", _str_list, "any"),
                "title_exclude": ("title_exclude", _regex_list, "any"),
                "idle_seconds": ("idle_seconds", _positive, "any"),
                "record_typed_text": ("record_typed_text", _bool, "org")},
    "retention": {"days": ("retention_days", _days, "any")},
    "privacy": {"recognizers": ("recognizers", _recognizers, "org"),
                "person_names": ("person_names", _str_list, "any")},
    "analyst": {"public_key": ("analyst_public_key", _any_text, "org")},
}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ConfigError(str(path), None, f"cannot read it ({e.strerror})") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(str(path), None, f"not valid TOML ({e})") from None


def _validated(path: Path, data: dict[str, Any], role: str) -> dict[str, Any]:
    """Check one file against SCHEMA; return Config field -> value."""
    out: dict[str, Any] = {}
    for section, table in data.items():
        if section not in SCHEMA:
            raise ConfigError(str(path), section, f"unknown section; allowed: {', '.join(SCHEMA)}")
        if not isinstance(table, dict):
            raise ConfigError(str(path), section, "must be a table ([section])")
        for key, value in table.items():
            name = f"{section}.{key}"
            if key not in SCHEMA[section]:
                raise ConfigError(str(path), name, f"unknown key; allowed: {', '.join(SCHEMA[section])}")
            fname, check, who = SCHEMA[section][key]
            if who == "org" and role != "org":
                raise ConfigError(str(path), name, "only the organisation file may set this")
            if (want := check(value)) is not None:
                raise ConfigError(str(path), name, f"must be {want}, got {value!r}")
            out[fname] = value
    return out


def org_config_path() -> Path | None:
    """The organisation file: $TASKLENS_ORG_CONFIG, else beside the executable (installer bundles)."""
    if env := os.environ.get("TASKLENS_ORG_CONFIG"):
        return Path(env)
    beside = Path(sys.executable).resolve().parent / ORG_CONFIG_NAME
    return beside if beside.is_file() else None


@dataclass(frozen=True)
class Effective:
    """The merged settings with where each came from, and what a file asked for that could not apply."""

    config: Config
    origins: dict[str, str]       # Config field -> "built-in default", or the file that set it
    not_applied: tuple[str, ...]  # one sentence each: file, key, asked, what applies and why


def _merge(user_file: Path | None, org_file: Path | None) -> Effective:
    org_file = org_file or org_config_path()
    user_file = user_file or user_config_file()
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    notes: list[str] = []
    sources: list[str] = []
    if org_file is not None:
        if not org_file.is_file():
            raise ConfigError(str(org_file), None, "organisation config not found (check TASKLENS_ORG_CONFIG)")
        merged = _validated(org_file, _read(org_file), "org")
        origins = dict.fromkeys(merged, str(org_file))
        sources.append(str(org_file))
    if user_file.is_file():
        user = _validated(user_file, _read(user_file), "user")
        sources.append(str(user_file))
        for k, v in user.items():
            if k in ("app_deny", "title_exclude", "person_names"):
                merged[k] = list(merged.get(k, [])) + list(v)
                origins[k] = " + ".join(dict.fromkeys([origins.get(k, "built-in default"), str(user_file)]))
            elif k == "retention_days":
                policy = merged.get(k, Config.retention_days)
                if v > policy:
                    notes.append(f"{user_file}: retention.days = {v} cannot apply: your file may only shorten "
                                 f"retention, and {origins.get(k, 'the built-in default')} keeps events "
                                 f"{policy} days; {policy} applies")
                else:
                    merged[k], origins[k] = v, str(user_file)
            else:
                merged[k], origins[k] = v, str(user_file)
    base = Config()
    kw: dict[str, Any] = {}
    for k, v in merged.items():
        if k == "recognizers":
            kw[k] = tuple(Recognizer(r["entity"], r["regex"], tuple(r.get("context", ())), float(r.get("score", 0.8)))
                          for r in v)
        elif k in ("app_deny", "title_exclude"):
            kw[k] = tuple(dict.fromkeys(getattr(base, k) + tuple(v)))   # built-ins always stay
        elif isinstance(v, list):
            kw[k] = tuple(v)
        else:
            kw[k] = v
    return Effective(Config(**kw, sources=tuple(sources)), origins, tuple(notes))


def explain_config(user_file: Path | None = None, org_file: Path | None = None) -> Effective:
    """What `tasklens config show` and `config check` print: values, their origins, what did not apply."""
    return _merge(user_file, org_file)


def load_config(user_file: Path | None = None, org_file: Path | None = None) -> Config:
    """Merge defaults, the organisation file and the user's file into one `Config`.

    A setting the user's file may not loosen is not silently dropped: it is logged as a warning here and
    listed by `tasklens config check`.
    """
    effective = _merge(user_file, org_file)
    for note in effective.not_applied:
        log.warning("%s", note)
    return effective.config


@dataclass(frozen=True)
class ConfigFiles:
    """Which config files a long-running process was started with, so it can re-read them after an edit.

    The tray keeps this, not the command line it came from: the GUI floor then depends on no CLI shape.
    """

    user: Path | None = None   # None: the default user file (`tasklens.paths.user_config_file`)
    org: Path | None = None

    def user_file(self) -> Path:
        return self.user or user_config_file()

    def load(self) -> Config:
        return load_config(self.user, self.org)
