"""Pause state and the running agent, shared by every process that captures or controls capture.

`tasklens pause`, `resume`, `status`, the tray and `collect` may be different processes. They share one
truth: the pause lives in the store (so it also survives restarts), and a running agent announces itself
in a small file beside the store (its PID and start time, no personal data) so `status` can tell
"recording" from "not running". The agent follows the stored pause within a second.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypedDict

import psutil

from tasklens.errors import UsageError
from tasklens.files import atomic_write
from tasklens.store import Store

PAUSED_UNTIL = "collector.paused_until"   # state key: epoch seconds, "inf", or absent (not paused)
PAUSED_SINCE = "collector.paused_since"   # epoch seconds the current pause began
_SPAN = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?", re.IGNORECASE)


def pause_end(spec: str, now: datetime | None = None) -> float | None:
    """Epoch seconds a pause ends: "15m", "1h", "1h30m", "90s", "tomorrow" (local midnight); "" = until resumed."""
    now = now or datetime.now().astimezone()
    text = spec.strip().lower()
    if text in ("", "resume", "until-resumed"):
        return None
    if text == "tomorrow":
        return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    m = _SPAN.fullmatch(text)
    if not m or not any(m.groups()):
        raise UsageError(f"--for {spec!r} is not a duration: use e.g. 15m, 1h, 1h30m or tomorrow")
    h, mi, s = (int(g or 0) for g in m.groups())
    if h * 3600 + mi * 60 + s <= 0:
        raise UsageError(f"--for {spec!r} is no time at all: use e.g. 15m, 1h or tomorrow")
    return (now + timedelta(hours=h, minutes=mi, seconds=s)).timestamp()


def paused_until(store: Store) -> float | None:
    """When the pause ends (math.inf: until resumed), or None when capture is not paused."""
    value = store.get_state(PAUSED_UNTIL)
    return None if value is None else float(value)


def paused_since(store: Store) -> float | None:
    value = store.get_state(PAUSED_SINCE)
    return None if value is None else float(value)


def set_paused(store: Store, until: float | None) -> None:
    """Pause capture until `until` (epoch seconds) or until resumed (None); audited."""
    store.set_state(PAUSED_UNTIL, "inf" if until is None else repr(until))
    store.set_state(PAUSED_SINCE, repr(time.time()))
    store.audit("collector.pause", "until resumed" if until is None else f"until={until:.0f}")


def clear_pause(store: Store) -> None:
    store.set_state(PAUSED_UNTIL, None)
    store.set_state(PAUSED_SINCE, None)
    store.audit("collector.resume")


def describe_until(until: float) -> str:
    if math.isinf(until):
        return "until resumed"
    return "until " + datetime.fromtimestamp(until).astimezone().strftime("%Y-%m-%d %H:%M")


class Running(TypedDict):
    """The running agent as its file beside the store says: so pause/status find it."""

    pid: int
    started: float


def _agent_file(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".agent")


def announce(store_path: Path) -> None:
    """Say that this process captures into `store_path` (PID and start time only)."""
    atomic_write(_agent_file(store_path), json.dumps({"pid": os.getpid(), "started": time.time()}))


def retire(store_path: Path) -> None:
    path = _agent_file(store_path)
    try:
        if running_agent(store_path) is None or json.loads(path.read_text())["pid"] == os.getpid():
            path.unlink(missing_ok=True)
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)


def running_agent(store_path: Path) -> Running | None:
    """The agent capturing into `store_path`, if its process is still alive."""
    try:
        data = json.loads(_agent_file(store_path).read_text())
        pid, started = int(data["pid"]), float(data["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Running(pid=pid, started=started) if psutil.pid_exists(pid) else None
