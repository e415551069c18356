"""Time-tracker CSV exports (Tockler, ManicTime-style): spans of time in a window, turned into focus events.

Such trackers record spans (application, window title, begin, end), not input, so each span becomes one
focus event at its begin with its length as the duration: enough for the activities, task instances and
hours, though never for clicks or typing. Tockler's own export (Search > Export to CSV) is `;`-separated
with the columns App, Type, Title, Begin, End and local times without a zone (`--tz` names it); its
StatusTrackItem rows (ONLINE, IDLE, OFFLINE) become active and idle spans and its LogTrackItem rows (notes
a person typed, not windows) are skipped. Other trackers' CSV with app (or process), title (or name),
begin (or start) and end columns read the same way. The file holds one person's time, so its user id is
the file's name without the extension (a pseudonym unless `--keep-user-ids`). Trackers keep no order but
time, so the events are put in time order.
"""

from __future__ import annotations

import csv
import logging
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from tasklens.analyzer.loaders import MAX_DURATION, Loaded, UserIds, _check_bad, _csv_rows, _row, _time
from tasklens.errors import InputFormatError
from tasklens.events import Action, RawEvent

log = logging.getLogger(__name__)

FORMATS = ("tockler", "manictime")   # one reader: the names users look for
# Each role and the header names that fill it, in order of preference (matched case-insensitively).
COLUMNS = {"app": ("app", "process", "application"), "title": ("title", "name", "window title"),
           "begin": ("begin", "start", "start time"), "end": ("end", "end time")}
REQUIRED = ("app", "begin", "end")
_STATUS = {"online": Action.ACTIVE, "idle": Action.IDLE, "offline": Action.IDLE}
_US_TIMES = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M%p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S%p")


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _roles(names: list[str]) -> dict[str, str]:
    """The header name that fills each role (app, title, begin, end), where the header has one."""
    have = {n.strip().lower() for n in names}
    return {role: next(c for c in choices if c in have) for role, choices in COLUMNS.items()
            if any(c in have for c in choices)}


def sniff(header: str) -> str | None:
    """"tockler" when a CSV header line is a time tracker's (app, begin and end columns), else None."""
    names = next(csv.reader([header], delimiter=_delimiter(header)), [])
    if {"timestamp", "action"} <= {n.strip().lower() for n in names}:
        return None   # the tasklens event CSV, which may hold an app column too
    return "tockler" if all(r in _roles(names) for r in REQUIRED) else None


def _when(text: str, where: str, tz: tzinfo) -> float:
    """ISO (Tockler's `2026-11-02 09:15:00`) or the US form an English ManicTime writes (`11/2/2026 9:15 AM`)."""
    try:
        return _time(text, where, tz)
    except ValueError:
        for form in _US_TIMES:
            try:
                return datetime.strptime(text.strip(), form).replace(tzinfo=tz).timestamp()
            except ValueError:
                continue
        raise


def _event(row: dict[str, str], col: dict[str, str], user: str, i: int, tz: tzinfo) -> RawEvent | None:
    """One span as an event; None for a note (LogTrackItem). `col` maps each role to its header name."""
    begin = _when(row[col["begin"]], f"column {col['begin']}", tz)
    end = _when(row[col["end"]], f"column {col['end']}", tz)
    if not 0.0 <= end - begin <= MAX_DURATION:
        raise ValueError(f"column {col['end']}: before {col['begin']} or more than {MAX_DURATION / 86400:.0f} days "
                         "after it")
    app = row[col["app"]].strip()
    kind = (row.get("type") or "").strip().lower()
    if kind == "logtrackitem":
        return None
    if kind == "statustrackitem":
        action = _STATUS.get(app.lower())
        if action is None:
            raise ValueError(f"column {col['app']}: a status row holds ONLINE, IDLE or OFFLINE")
        return RawEvent(begin, user, "", "", action, "", "", end - begin, source_row=i)
    if kind not in ("", "apptrackitem"):
        raise ValueError("column type: unknown row type (AppTrackItem, StatusTrackItem or LogTrackItem)")
    if not app:
        raise ValueError(f"column {col['app']}: empty")
    title = row[col["title"]] if "title" in col else ""
    return RawEvent(begin, user, app, title, Action.FOCUS, "", "", end - begin, source_row=i)


def load_timetracker(path: Path, skip_bad_rows: bool = False, tz: tzinfo = timezone.utc,
                     users: UserIds = str) -> Loaded:
    """A Tockler (or ManicTime-style) CSV export: one focus, idle or active event per span, in time order."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            header = f.readline().strip("\r\n")
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror or e.__class__.__name__}") from None
    delimiter = _delimiter(header)
    col = _roles(next(csv.reader([header], delimiter=delimiter), []))
    missing = [r for r in REQUIRED if r not in col]
    if missing:
        raise InputFormatError(f"{path}: no {' or '.join(COLUMNS[missing[0]])} column (a time tracker's CSV needs "
                               "app, begin and end columns; Tockler's header is App;Type;Title;Begin;End)")
    out = Loaded(path, "tockler")
    user = users(path.stem or "user")
    notes = 0
    for i, line, names, fields in _csv_rows(path, (), fold_case=True, delimiter=delimiter):
        try:
            event = _event(_row(names, fields), col, user, i, tz)
        except ValueError as e:
            out.bad_rows.append((line, str(e)))
            continue
        if event is None:
            notes += 1
        else:
            out.raws.append(event)
    _check_bad(path, out.bad_rows, skip_bad_rows)
    if notes:
        log.info("%s: skipped %d notes (LogTrackItem rows: typed by the person, not windows)", path, notes)
    out.raws.sort(key=lambda r: r.ts)
    return out
