"""The audit trail of an analysis folder (`audit.jsonl`): who made which report or export from it, when.

Stores keep their audit trail inside the encrypted database; analysis folders, which an analyst may
build from many employees' bundles without any store, keep theirs in this append-only file.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tasklens.errors import InputFormatError, OutputError
from tasklens.events import iso
from tasklens.files import FILE_MODE
from tasklens.identity import login_name

NAME = "audit.jsonl"


def _refuse(path: Path, e: OSError) -> OutputError:
    return OutputError(f"cannot add to the audit trail {path}: {e.strerror or type(e).__name__}; make it "
                       "writable again (it must not be skipped) or use another folder")


def check_writable(folder: Path) -> None:
    """Refuse early, before work whose audit entry could not be written: open for appending, write nothing."""
    path = Path(folder) / NAME
    if path.exists():
        try:
            with path.open("a", encoding="utf-8"):
                pass
        except OSError as e:
            raise _refuse(path, e) from None


def append(folder: Path, action: str, detail: str = "") -> None:
    """Add one entry (mode 0600); an audit trail that cannot be written is an error, never skipped."""
    path = Path(folder) / NAME
    entry = {"time": iso(time.time()), "actor": login_name(), "action": action, "detail": detail}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            os.fchmod(fd, FILE_MODE)
            f.write(json.dumps(entry) + "\n")
    except OSError as e:
        raise _refuse(path, e) from None


def read(folder: Path) -> list[dict[str, str]]:
    path = Path(folder) / NAME
    if not path.exists():
        return []
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (ValueError, OSError) as e:
        raise InputFormatError(f"{path}: unreadable audit trail ({type(e).__name__}); it is kept as it is") from None
