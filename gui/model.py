"""The dashboard's data: an analysis folder read as the typed result (report.json) and its events
(events.csv as columns), and labels shortened for display.

Every figure a page shows comes from `tasklens.analyzer.selection` over these, so the dashboard shows
what the analyzer found and derives nothing by a rule of its own. No Qt here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tasklens.analyzer import decisions as dec
from tasklens.analyzer.result import FILE as REPORT
from tasklens.analyzer.result import AnalysisResult
from tasklens.analyzer.selection import EventTable, Filters, Selection, select
from tasklens.errors import InputFormatError
from tasklens.events import parse_time
from tasklens.files import csv_uncell

EVENTS = "events.csv"
NEEDED = ("timestamp", "user", "app", "activity", "task_id")


class _Codes:
    """Strings as small ints: columns of 1M events stay arrays, not lists of str."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, s: str) -> int:
        i = self.ids.get(s)
        if i is None:
            i = self.ids[s] = len(self.names)
            self.names.append(s)
        return i


@dataclass
class AnalysisData:
    """One analysis folder: its result and its events."""

    folder: Path
    result: AnalysisResult
    events: EventTable

    @property
    def users(self) -> list[str]:
        return self.events.users

    @property
    def apps(self) -> list[str]:
        return self.events.apps

    @property
    def span(self) -> tuple[float, float]:
        return self.events.span

    def select(self, filters: Filters | None = None, decisions: dec.Decisions | None = None) -> Selection:
        return select(self.result, self.events, filters or Filters(), decisions)

    @classmethod
    def load(cls, folder: Path) -> AnalysisData:
        folder = Path(folder)
        for name in (REPORT, EVENTS):
            if not (folder / name).is_file():
                raise InputFormatError(f"{folder} is not an analysis folder (no {name}); run "
                                       "`tasklens analyze INPUT --out DIR` or open a store instead")
        result = AnalysisResult.read(folder)
        return cls(folder, result, _read_events(folder / EVENTS, result.process_map.activities))


def _read_events(path: Path, activities: list[str]) -> EventTable:
    act = {a: i for i, a in enumerate(activities)}
    users, apps = _Codes(), _Codes()
    ts: list[float] = []
    cols: dict[str, list[int]] = {"user": [], "app": [], "activity": [], "task": []}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
        if missing:
            raise InputFormatError(f"{path}: missing columns {', '.join(missing)}; re-run the analysis")
        for line, row in enumerate(reader, 2):
            label = csv_uncell(row["activity"] or "")
            if label not in act:
                raise InputFormatError(f"{path} line {line}: activity not in report.json: the two files are "
                                       "from different analyses; re-run the analysis")
            try:
                ts.append(parse_time(row["timestamp"]))
                cols["task"].append(int(row["task_id"]) if row["task_id"] else -1)
            except ValueError as e:
                raise InputFormatError(f"{path} line {line}: {e}") from None
            cols["user"].append(users(csv_uncell(row["user"] or "")))
            cols["app"].append(apps(csv_uncell(row["app"] or "")))
            cols["activity"].append(act[label])
    arr = {k: np.asarray(v, dtype=np.int64) for k, v in cols.items()}
    return EventTable(np.asarray(ts, dtype=np.float64), arr["user"], arr["app"], arr["activity"], arr["task"],
                      users.names, apps.names)


def display_name(name: str, width: int = 60) -> str:
    """An analyzer name that is an activity label ('app | action | ...') made readable."""
    return short_label(name, width) if " | " in name else name


def short_label(activity: str, width: int = 38) -> str:
    """'app | action | target | title' shortened for a map node: app, action and target, then the title."""
    parts = [p.strip() for p in activity.split(" | ")]
    head = " · ".join(parts[:3])
    return head if len(head) <= width else head[:width - 1] + "…"
