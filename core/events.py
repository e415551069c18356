"""The event model: what a source saw (`RawEvent`) and what may be stored (`Event`).

They are distinct types so that "unmasked data reaches the store" is a type error, not a review hope:
`Store.append` takes `Event` only, and only the masker (tasklens.privacy) turns a `RawEvent` into one.
Timestamps are float seconds since the Unix epoch, UTC: cheap to sort and compare by the million.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, fields
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

from tasklens.errors import UsageError


class Action(str, enum.Enum):
    """What happened. Collected data uses the first eleven; imports may also map to the rest."""

    FOCUS = "focus"          # a window (or its title) gained focus
    CLICK = "click"
    KEY = "key"              # a single non-printable key: enter, tab, escape, navigation
    TYPE = "type"            # a run of printable keys: `count` characters over `duration` seconds
    SHORTCUT = "shortcut"    # ctrl+s, alt+tab, ...: target holds the chord
    COPY = "copy"
    PASTE = "paste"
    SCROLL = "scroll"
    IDLE = "idle"
    ACTIVE = "active"
    EXCLUDED = "excluded"    # focus went to an excluded window: no title, no input recorded
    NAVIGATE = "navigate"    # imported: a browser went to a URL
    EDIT = "edit"            # imported: a field or cell value was changed
    OTHER = "other"          # imported: an event type with no closer category

    def __str__(self) -> str:
        return self.value


ACTION_BY_VALUE: dict[str, Action] = {a.value: a for a in Action}   # a dict look-up: Action(value) is slower per row
# One person's two events are the same event (an export merged twice) when these fields agree; the
# in-memory merge and the columnar dataset both drop such repeats by this one rule.
SAME_EVENT = ("ts", "action", "app", "title", "target", "value", "duration", "count")
ACTIONS: frozenset[str] = frozenset(ACTION_BY_VALUE)


@dataclass(frozen=True, slots=True)
class _Fields:
    """What raw and masked events both carry; never used on its own."""

    ts: float
    user: str
    app: str
    title: str
    action: Action
    target: str = ""
    value: str = ""
    duration: float = 0.0
    count: int = 0
    source_row: int | None = None


@dataclass(frozen=True, slots=True)
class RawEvent(_Fields):
    """An event as a source saw it. May hold personal data: it lives in memory only."""

    exe: str = ""            # executable path, for allow/deny globs; never stored
    element_path: str = ""   # the UI element's ancestors (`role "name" > ...`), where accessibility gives them


@dataclass(frozen=True, slots=True)
class Event(_Fields):
    """A masked event: the only kind the store accepts. `id` is None until the store assigns one."""

    id: int | None = None
    element_path: str = ""   # masked; last, so positional constructions with `id` keep working

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dict with an ISO timestamp, as `store show --json` and exports print it."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["action"] = self.action.value
        d["time"] = iso(self.ts)
        return d


def iso(ts: float) -> str:
    """ISO 8601 UTC with milliseconds, e.g. 2026-11-02T09:15:00.123Z."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


NOT_A_TIME = "not a time (ISO 8601 or Unix seconds expected)"
_OUT_OF_RANGE = "not a time between 1970 and 9999"
_LAST = 253402300799.0                         # 9999-12-31T23:59:59Z, the last second `iso` can print
_UNIX_SECONDS = re.compile(r"\d{9,}(\.\d*)?")   # 9+ digits: never a year or an 8-digit basic ISO date


def time_zone(name: str | None) -> tzinfo:
    """UTC for None, else the IANA zone `name` (what naive import times are read in, `analyze --tz`)."""
    if name is None:
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ValueError, LookupError, OSError):   # ZoneInfoNotFoundError is a LookupError
        raise UsageError(f"--tz {name!r} is not a known time zone: use an IANA name such as Europe/Berlin "
                         "or UTC") from None


def parse_time(text: str, tz: tzinfo = timezone.utc) -> float:
    """Epoch seconds from an ISO 8601 time or date (naive means `tz`, UTC by default) or Unix seconds.

    Imports mix `Z`, `+00:00`, other offsets and naive stamps in one file; all land on one UTC timeline.
    A ValueError never repeats the text, which may be any field of a misaligned row (a name, an address).
    """
    t = text.strip()
    if _UNIX_SECONDS.fullmatch(t):
        ts = float(t)
    else:
        try:
            dt = datetime.fromisoformat(t[:-1] + "+00:00" if t[-1:] in ("Z", "z") else t)
            ts = (dt if dt.tzinfo is not None else dt.replace(tzinfo=tz)).timestamp()
        except (ValueError, OverflowError, OSError):
            raise ValueError(NOT_A_TIME) from None
    if not 0.0 <= ts <= _LAST:   # also refuses NaN
        raise ValueError(_OUT_OF_RANGE)
    return ts
