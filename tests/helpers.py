"""Small helpers the tests share: run the real CLI, make events, read raw bytes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tasklens.events import Action, Event

TASKLENS = [sys.executable, "-m", "tasklens.cli.main"]


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `tasklens ARGS` as a user would, in a subprocess with the test's environment."""
    return subprocess.run([*TASKLENS, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, input=input)


def make_events(n: int, user: str = "emp-1", title: str = "Invoices - Excel", t0: float = 1_790_000_000.0,
                app: str = "excel") -> list[Event]:
    return [Event(t0 + i, user, app, title, Action.CLICK, f"button{i % 7}") for i in range(n)]


def raw_bytes(store: Path, suffixes: Sequence[str] = ("", "-wal", "-shm")) -> bytes:
    """Everything on disk for a store: the file, its WAL and shared memory index."""
    return b"".join(Path(f"{store}{s}").read_bytes() for s in suffixes if Path(f"{store}{s}").exists())


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Wait until `condition` holds; the generous bound only catches a hang, never a slow machine."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)
