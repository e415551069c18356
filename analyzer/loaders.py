"""Reading event data into `RawEvent`s (imports) or `Event`s (stores), with the format detected.

Every event keeps `source_row` so results trace back to the input: the 0-based data row of a CSV, the
event's position in document order in an XES file, the event id in a store. Malformed rows are
collected with their line number and problem; the caller decides whether to skip them or stop.
"""

from __future__ import annotations

import csv
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tasklens.errors import BundleError, InputFormatError
from tasklens.events import ACTIONS, Action, Event, RawEvent, parse_time
from tasklens.store import Store

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

log = logging.getLogger(__name__)

FORMATS = ("store", "bundle", "csv", "actionlogger", "xes")
TASKLENS_COLUMNS = ("timestamp", "user", "app", "title", "action", "target", "value")
ACTIONLOGGER_COLUMNS = ("timeStamp", "userID", "targetApp", "eventType")
SQLITE_MAGIC = b"SQLite format 3\x00"
BUNDLE_MAGIC = b"TLBUNDLE"   # tasklens.bundle.MAGIC, without importing cryptography for every load

# Action Logger / XES event types with a close tasklens action; the rest map to OTHER or by prefix.
_TYPE_ACTION = {
    "copy": Action.COPY, "copycell": Action.COPY, "copyrange": Action.COPY, "paste": Action.PASTE,
    "pasteintocell": Action.PASTE, "pasteintorange": Action.PASTE, "navigate_to": Action.NAVIGATE,
    "gotourl": Action.NAVIGATE, "createnewtab": Action.NAVIGATE, "editfield": Action.EDIT,
    "editcell": Action.EDIT, "insertvalue": Action.EDIT, "editrange": Action.EDIT, "presskey": Action.KEY,
    "openfile": Action.FOCUS, "selectworksheet": Action.FOCUS, "savefile": Action.SHORTCUT,
}


def import_action(event_type: str) -> Action:
    """The tasklens action closest to an imported event type (click* -> CLICK, unknown -> OTHER)."""
    t = event_type.strip().lower()
    if t in _TYPE_ACTION:
        return _TYPE_ACTION[t]
    if t.startswith("click") or t.endswith("click") or t == "form_submit":
        return Action.CLICK
    return Action.OTHER


@dataclass
class Loaded:
    """What one input file gave: raw events to mask, or already-masked store events, and bad rows."""

    path: Path
    fmt: str
    raws: list[RawEvent] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)   # (line number, problem)
    cases: list[str] | None = None   # per event: the XES trace it came from (already segmented logs)


def detect_format(path: Path) -> str:
    """Tell a store, a tasklens CSV, an Action Logger CSV and an XES file apart by their content."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if head.startswith(BUNDLE_MAGIC):
        return "bundle"
    if head.startswith(SQLITE_MAGIC) or path.suffix in (".db", ".sqlite") or (head and b"\x00" in head[:512]):
        return "store"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml") or text.startswith("<log"):
        return "xes"
    first = next(csv.reader([text.splitlines()[0] if text else ""]), [])
    cols = {c.strip() for c in first}
    if set(ACTIONLOGGER_COLUMNS) <= cols:
        return "actionlogger"
    if {"timestamp", "user", "app", "action"} <= {c.lower() for c in cols}:
        return "csv"
    raise InputFormatError(f"{path}: unknown format (not a tasklens store, event CSV, Action Logger CSV or XES); "
                           "use --format to force one")


def _check_bad(path: Path, bad: list[tuple[int, str]], skip: bool) -> None:
    if bad and not skip:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        line, problem = bad[0]
        raise InputFormatError(f"{path} line {line}: {problem}{more}; fix the file or pass --skip-bad-rows")
    if bad:
        log.warning("%s: skipped %d malformed rows (first at line %d: %s)", path, len(bad), *bad[0])


def _csv_rows(path: Path) -> Iterator[tuple[int, int, dict[str, str]]]:
    """(data row index, line number, row) for each data row; fields may span lines."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        _ = reader.fieldnames   # read the header, so line numbers count it
        line = reader.line_num
        for i, row in enumerate(reader):
            yield i, line + 1, row
            line = reader.line_num


def load_tasklens_csv(path: Path, skip_bad_rows: bool = False) -> Loaded:
    """The documented tasklens event CSV: timestamp, user, app, title, action, target, value."""
    out = Loaded(path, "csv")
    for i, line, row in _csv_rows(path):
        row = {(k or "").strip().lower(): v for k, v in row.items()}
        try:
            if None in row.values():
                raise ValueError("too few fields")
            action = (row.get("action") or "").strip().lower()
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r}")
            user = (row.get("user") or "").strip()
            if not user:
                raise ValueError("empty user")
            out.raws.append(RawEvent(parse_time(row["timestamp"]), user, row.get("app") or "", row.get("title") or "",
                                     Action(action), row.get("target") or "", row.get("value") or "",
                                     float(row.get("duration") or 0), int(float(row.get("count") or 0)),
                                     source_row=i))
        except (ValueError, KeyError, TypeError) as e:
            out.bad_rows.append((line, f"bad row: {e}"))
    _check_bad(path, out.bad_rows, skip_bad_rows)
    return out


def _actionlogger_target(event_type: str, row: dict[str, str]) -> str:
    """The event type plus what identifies the UI element, e.g. clickTextField:q3_name[first]."""
    parts = [row.get(k) or "" for k in ("target.id", "target.name", "target.sheetName")]
    element = next((p for p in parts if p.strip()), "") or (row.get("target.tagName") or "")
    if not element and event_type in ("clickButton", "clickLink"):
        element = (row.get("target.innerText") or row.get("target.value") or "")[:40]
    return f"{event_type}:{element.strip()}" if element.strip() else event_type


def load_actionlogger(path: Path, skip_bad_rows: bool = False) -> Loaded:
    """The Action Logger CSV of robotic-process-mining research, in file order (its rows may lag in time)."""
    out = Loaded(path, "actionlogger")
    last_user = ""
    for i, line, row in _csv_rows(path):
        try:
            if None in row.values() or None in row:
                raise ValueError("wrong number of fields")
            event_type = (row.get("eventType") or "").strip()
            if not event_type:
                raise ValueError("empty eventType")
            ts = parse_time(row.get("timeStamp") or "")
            user = (row.get("userID") or "").strip() or last_user   # clipboard rows carry no user
            last_user = user
            app = (row.get("targetApp") or "").strip()
            title = (row.get("url") or "").strip() or " / ".join(
                x for x in ((row.get("target.workbookName") or "").strip(), (row.get("target.sheetName") or "").strip()) if x)
            value = row.get("content") or row.get("target.value") or ""
            out.raws.append(RawEvent(ts, user, app, title, import_action(event_type),
                                     _actionlogger_target(event_type, row), value, source_row=i))
        except (ValueError, TypeError) as e:
            out.bad_rows.append((line, f"bad row: {e}"))
    _check_bad(path, out.bad_rows, skip_bad_rows)
    user = next((r.user for r in out.raws if r.user), "user")
    out.raws = [r if r.user else _with_user(r, user) for r in out.raws]   # file order: the recorded order
    return out


def _with_user(r: RawEvent, user: str) -> RawEvent:
    return RawEvent(r.ts, user, r.app, r.title, r.action, r.target, r.value, r.duration, r.count, r.source_row, r.exe)


def _xes_attrs(el: ET.Element) -> dict[str, str]:
    return {c.get("key", ""): c.get("value", "") for c in el if c.get("key")}


def load_xes(path: Path, skip_bad_rows: bool = False, unsegment: bool = False) -> Loaded:
    """An XES log; `unsegment` flattens the traces, in file order, into one stream per user."""
    out = Loaded(path, "xes", cases=[])
    pos = 0
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise InputFormatError(f"{path}: not well-formed XML ({e})") from None
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    for t_index, trace in enumerate(root.iter(f"{ns}trace")):
        case = _xes_attrs(trace).get("concept:name") or str(t_index)
        for ev in trace.iter(f"{ns}event"):
            a = _xes_attrs(ev)
            try:
                name = a.get("concept:name", "")
                if not name:
                    raise ValueError("event without concept:name")
                ts = parse_time(a["time:timestamp"]) if "time:timestamp" in a else None
                if ts is None:
                    raise ValueError("event without time:timestamp")
                label = a.get("Label") or a.get("Key") or a.get("Column") or ""
                title = a.get("Url") or a.get("FileName") or a.get("NameFile") or a.get("Sheet") or ""
                out.raws.append(RawEvent(ts, a.get("org:resource") or "user", a.get("source") or "", title,
                                         import_action(name), f"{name}:{label}" if label else name,
                                         a.get("Value", ""), source_row=pos))
                out.cases.append(f"{t_index}:{case}")   # type: ignore[union-attr]
            except (ValueError, KeyError) as e:
                out.bad_rows.append((pos, f"bad event {pos}: {e}"))
            pos += 1
    _check_bad(path, out.bad_rows, skip_bad_rows)
    if unsegment:
        out.cases = None   # file order is kept: the analysis orders by time only when asked (--order time)
    return out


def store_events(store: Store) -> list[Event]:
    """A store's events, already masked, with `source_row` set to the event id so results trace back."""
    return [Event(e.ts, e.user, e.app, e.title, e.action, e.target, e.value, e.duration, e.count, e.id, e.id)
            for e in store.events()]


def load_store(path: Path) -> Loaded:
    """A tasklens store, opened with the key from the environment or the keyring."""
    with Store.open(path, create=False) as store:
        return Loaded(path, "store", events=store_events(store))


def load_bundle(path: Path, private: X25519PrivateKey | None) -> Loaded:
    """An employee bundle, decrypted with the analyst's key; `source_row` is the id in their store."""
    from tasklens.bundle import read_bundle

    if private is None:
        raise BundleError(f"{path} is an employee bundle: give the analyst key with --key analyst.key")
    info, events = read_bundle(path, private)
    return Loaded(path, "bundle", events=[e if e.source_row is not None else
                                          Event(e.ts, e.user, e.app, e.title, e.action, e.target, e.value,
                                                e.duration, e.count, e.id, e.id) for e in events])


def load(path: Path, fmt: str | None = None, *, skip_bad_rows: bool = False, unsegment: bool = False,
         private: X25519PrivateKey | None = None) -> Loaded:
    """Load one input file, detecting its format unless `fmt` forces one; `private` opens bundles."""
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file")
    fmt = fmt or detect_format(path)
    if fmt == "store":
        return load_store(path)
    if fmt == "bundle":
        return load_bundle(path, private)
    if fmt == "csv":
        return load_tasklens_csv(path, skip_bad_rows)
    if fmt == "actionlogger":
        return load_actionlogger(path, skip_bad_rows)
    if fmt == "xes":
        return load_xes(path, skip_bad_rows, unsegment)
    raise InputFormatError(f"{path}: unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
