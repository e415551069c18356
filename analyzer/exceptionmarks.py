"""The analyst's marks on exception instances ("exception" or "normal"), kept with the analysis.

They live beside the analysis as `exception-marks.json`, written by the dashboard and read by the next
analysis of the same data. Instance ids change when an analysis is re-run, so a mark names its instance
by who and when (`key`: user and start time), which the same data gives again.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasklens.errors import InputFormatError
from tasklens.events import iso
from tasklens.files import atomic_write

FILE = "exception-marks.json"
VERSION = 1
MARKS = ("exception", "normal")


def key(user: str, start: float) -> str:
    """How a mark names an instance across re-runs: its user and its first event's time."""
    return f"{user}@{iso(start)}"


def load(folder: Path) -> dict[str, str]:
    """Instance key -> mark; none yet: empty."""
    path = Path(folder) / FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        marks = data["marks"]
        if int(data.get("version", VERSION)) > VERSION:
            raise ValueError(f"version {data['version']} is newer than this tasklens reads ({VERSION})")
        if not isinstance(marks, dict) or any(m not in MARKS for m in marks.values()):
            raise ValueError(f"marks must map instance keys to one of {', '.join(MARKS)}")
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputFormatError(f"{path}: bad exception marks ({e}); fix or delete the file") from None
    return {str(k): str(v) for k, v in marks.items()}


def save(folder: Path, marks: dict[str, str]) -> Path:
    """Write atomically, so a crash never leaves half a file."""
    return atomic_write(Path(folder) / FILE, json.dumps({"version": VERSION, "marks": marks}, indent=2) + "\n")
