"""The audit trail of an analysis folder (`audit.jsonl`): who made which report or export from it, when.

Stores keep their audit trail inside the encrypted database; analysis folders, which an analyst may
build from many employees' bundles without any store, keep theirs in this append-only file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tasklens.events import iso
from tasklens.store import actor_name

NAME = "audit.jsonl"


def append(folder: Path, action: str, detail: str = "") -> None:
    entry = {"time": iso(time.time()), "actor": actor_name(), "action": action, "detail": detail}
    with (folder / NAME).open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def read(folder: Path) -> list[dict[str, str]]:
    path = folder / NAME
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
