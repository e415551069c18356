"""Reading event data into `RawEvent`s (imports) or `Event`s (stores), with the format detected.

Every event keeps `source_row` so results trace back to the input: the 0-based data row of a CSV, the
event's position in document order in an XES file or ActivityWatch export, the event id in a store.
Malformed rows are collected with their line number, column and problem (never the value: a misaligned
row puts names and addresses in any column); the caller decides whether to skip them or stop. Whatever
the bytes, an import loader raises only `InputFormatError` (tests/test_loaders_fuzz.py).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from xml.parsers import expat

from tasklens.errors import BundleError, InputFormatError
from tasklens.events import ACTION_BY_VALUE, Action, Event, RawEvent, parse_time
from tasklens.files import csv_uncell
from tasklens.store import Store

if TYPE_CHECKING:
    import pyarrow as pa
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from tasklens.signing import Roster

log = logging.getLogger(__name__)

FORMATS = ("store", "bundle", "csv", "actionlogger", "xes", "activitywatch", "tockler", "manictime")
TASKLENS_COLUMNS = ("timestamp", "user", "app", "title", "action", "target", "value")
TASKLENS_REQUIRED = ("timestamp", "user", "app", "action")
ACTIONLOGGER_COLUMNS = ("timeStamp", "userID", "targetApp", "eventType")
MAX_DURATION = 31 * 86400.0   # a month; longer is a broken value, not an event (an idle long weekend is 3 days)
MAX_COUNT = 10**9
_SURROGATE = re.compile("[\udc80-\udcff]")   # bytes that were not UTF-8, as surrogateescape decodes them

UserIds = Callable[[str], str]   # an imported user id -> what the analysis shows (a pseudonym, or `str`: as is)
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
    bad_rows: list[tuple[int, str]] = field(default_factory=list)   # (line number, 0 in JSON; where and what)
    cases: list[str] | None = None   # per event: the XES trace it came from (already segmented logs)
    table: pa.Table | None = None     # a bundle's events as columns, when asked (a merge writes them as they are)


def detect_format(path: Path) -> str:
    """Tell stores, bundles, tasklens CSV, Action Logger CSV, XES and ActivityWatch JSON apart by their content."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror or e.__class__.__name__}") from None
    if not head.strip():
        raise InputFormatError(f"{path}: empty file")
    if head.startswith(BUNDLE_MAGIC):
        return "bundle"
    if head.startswith(SQLITE_MAGIC) or path.suffix in (".db", ".sqlite"):
        return "store"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("<?xml", "<log")):
        return "xes"
    if text.startswith("{") and '"buckets"' in text:
        return "activitywatch"
    first = next(csv.reader([text.splitlines()[0] if text else ""]), [])
    cols = {c.strip() for c in first}
    if set(ACTIONLOGGER_COLUMNS) <= cols:
        return "actionlogger"
    if set(TASKLENS_REQUIRED) <= {c.lower() for c in cols}:
        return "csv"
    if b"\x00" in head[:512]:   # an encrypted store starts with random bytes, not text
        return "store"
    # imported here, not at the top: timetracker reads CSV with this module's helpers
    from tasklens.analyzer.timetracker import sniff
    if tracker := sniff(text.splitlines()[0]):
        return tracker
    raise InputFormatError(f"{path}: unknown format (not a tasklens store or bundle, event CSV, Action Logger CSV, "
                           "XES, ActivityWatch JSON or a time tracker's CSV); "
                           "use --format to force one")


def _where(path: Path, line: int, problem: str) -> str:
    """`events.csv line 12, column timestamp: not a time ...`: the place, never the value (line 0: JSON)."""
    if not line:
        return f"{path}: {problem}"
    return f"{path} line {line}{', ' if problem.startswith(('column ', 'event ')) else ': '}{problem}"


def _check_bad(path: Path, bad: list[tuple[int, str]], skip: bool) -> None:
    if bad and not skip:
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise InputFormatError(f"{_where(path, *bad[0])}{more}; fix the file or pass --skip-bad-rows")
    if bad:
        log.warning("skipped %d malformed rows (first: %s)", len(bad), _where(path, *bad[0]))


def _check_text(names: Sequence[str], fields: Sequence[str]) -> None:
    """Refuse a field with a NUL or with bytes that were not UTF-8 (decoded as surrogates), naming its column."""
    joined = "".join(fields)
    if "\x00" not in joined and (joined.isascii() or not _SURROGATE.search(joined)):
        return
    for name, value in zip(names, fields):
        if "\x00" in value:
            raise ValueError(f"column {name}: holds a NUL character")
        if _SURROGATE.search(value):
            raise ValueError(f"column {name}: not UTF-8 text")


def _csv_rows(path: Path, required: Sequence[str], fold_case: bool,
              delimiter: str = ",") -> Iterator[tuple[int, int, list[str], list[str]]]:
    """(data row index, line number, column names, fields) for each non-blank row; fields may span lines.

    Bytes that are not UTF-8 spoil their row only (decoded as surrogates, refused by `_row`), so
    `--skip-bad-rows` can skip it. A field over the csv module's limit (128 KB, mostly an unclosed quote)
    ends the file: the parser cannot tell where the next row starts.
    """
    try:
        with open(path, "rb") as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline=""),
                                delimiter=delimiter)
            try:
                header = next(reader, None)
                if header is None:
                    raise InputFormatError(f"{path}: empty file (no header row)")
                names = [h.strip().lower() if fold_case else h.strip() for h in header]
                try:
                    _check_text(names, header)
                except ValueError:
                    raise InputFormatError(f"{path} line 1: the header is not UTF-8 text or holds a NUL "
                                           "character") from None
                missing = [c for c in required if c not in names]
                if missing:
                    raise InputFormatError(f"{path}: missing columns {', '.join(missing)} (the header needs "
                                           f"{', '.join(required)})")
                line, i = reader.line_num, 0
                for fields in reader:
                    if fields:   # a blank line is not a row
                        yield i, line + 1, names, fields
                        i += 1
                    line = reader.line_num
            except csv.Error as e:
                problem = (f"a field is longer than {csv.field_size_limit() // 1024} KB (an unclosed quote?)"
                           if "field limit" in str(e) else f"not CSV ({e})")
                raise InputFormatError(f"{path} line {reader.line_num}: {problem}") from None
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror or e.__class__.__name__}") from None


def _row(names: list[str], fields: list[str]) -> dict[str, str]:
    _checked(names, fields)
    return dict(zip(names, fields))


def _checked(names: list[str], fields: list[str]) -> str:
    """`fields` joined, once the row is known to have a field per column and only UTF-8 text without NULs."""
    if len(fields) != len(names):
        raise ValueError(f"{len(fields)} fields where the header has {len(names)}")
    joined = "".join(fields)
    if "\x00" in joined or not joined.isascii() and _SURROGATE.search(joined):
        _check_text(names, fields)
    return joined


def _time(text: str, where: str, tz: tzinfo) -> float:
    try:
        return parse_time(text, tz)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None


def _seconds(text: str, where: str) -> float:
    """A duration: a finite number of seconds from 0 to a month (inf, nan and negatives are refused)."""
    try:
        value = float(text) if text.strip() else 0.0
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= MAX_DURATION:   # also false for nan
        raise ValueError(f"{where}: not a number of seconds from 0 to {MAX_DURATION:.0f}")
    return value


def _whole(text: str, where: str) -> int:
    """A count: a whole number from 0 to a billion (`3.0` is accepted as 3)."""
    try:
        value = float(text) if text.strip() else 0.0
    except ValueError:
        value = math.nan
    if not (0.0 <= value <= MAX_COUNT and value == int(value)):
        raise ValueError(f"{where}: not a whole number from 0 to {MAX_COUNT}")
    return int(value)


AHEAD_ROWS = 5_000   # rows whose titles `load_tasklens_csv` hands to `ahead` at a time


def load_tasklens_csv(path: Path, skip_bad_rows: bool = False, tz: tzinfo = timezone.utc,
                      users: UserIds = str, ahead: Callable[[list[str]], None] | None = None) -> Loaded:
    """The documented tasklens event CSV: timestamp, user, app, title, action, target, value (+ duration, count).
    `ahead` hears the distinct titles of each `AHEAD_ROWS` events as they are read (the masker begins on them)."""
    out = Loaded(path, "csv")
    told = 0   # events whose titles `ahead` has heard
    at: list[int] = []
    for i, line, names, fields in _csv_rows(path, TASKLENS_REQUIRED, fold_case=True):
        if not at:   # a column given twice counts as its last, as a dict of the row keeps it; a missing one is ""
            col = {name: k for k, name in enumerate(names)}
            at = [col.get(c, len(names)) for c in (*TASKLENS_COLUMNS, "duration", "count")]
        try:   # one row costs ~4 us: a column's place, not a dict of the row, and the checks in their order
            if "'" in _checked(names, fields):   # ours carry `'` before =+-@ (a cell without one is as written)
                fields = [csv_uncell(v) for v in fields]
            fields.append("")
            stamp, user, app, title, kind, target, value, duration, count = map(fields.__getitem__, at)
            action = ACTION_BY_VALUE.get(kind) or ACTION_BY_VALUE.get(kind.strip().lower())
            if action is None:
                raise ValueError(f"column action: unknown action (one of {', '.join(a.value for a in Action)})")
            user = user.strip()
            if not user:
                raise ValueError("column user: empty")
            out.raws.append(RawEvent(_time(stamp, "column timestamp", tz), users(user), app, title, action, target,
                                     value, _seconds(duration, "column duration") if duration else 0.0,
                                     _whole(count, "column count") if count else 0, i))
        except ValueError as e:
            out.bad_rows.append((line, str(e)))
        if ahead is not None and len(out.raws) - told >= AHEAD_ROWS:
            ahead(list(dict.fromkeys(r.title for r in out.raws[told:])))
            told = len(out.raws)
    _check_bad(path, out.bad_rows, skip_bad_rows)
    return out


def _actionlogger_target(event_type: str, row: dict[str, str]) -> str:
    """The event type plus what identifies the UI element, e.g. clickTextField:q3_name[first]."""
    parts = [row.get(k) or "" for k in ("target.id", "target.name", "target.sheetName")]
    element = next((p for p in parts if p.strip()), "") or (row.get("target.tagName") or "")
    if not element and event_type in ("clickButton", "clickLink"):
        element = (row.get("target.innerText") or row.get("target.value") or "")[:40]
    return f"{event_type}:{element.strip()}" if element.strip() else event_type


def load_actionlogger(path: Path, skip_bad_rows: bool = False, tz: tzinfo = timezone.utc,
                      users: UserIds = str) -> Loaded:
    """The Action Logger CSV of robotic-process-mining research, in file order (its rows may lag in time)."""
    out = Loaded(path, "actionlogger")
    last_user = ""
    for i, line, names, fields in _csv_rows(path, ACTIONLOGGER_COLUMNS, fold_case=False):
        try:
            row = _row(names, fields)
            event_type = row["eventType"].strip()
            if not event_type:
                raise ValueError("column eventType: empty")
            ts = _time(row["timeStamp"], "column timeStamp", tz)
            user = row["userID"].strip() or last_user   # clipboard rows carry no user
            last_user = user
            app = row["targetApp"].strip()
            sheet = ((row.get("target.workbookName") or "").strip(), (row.get("target.sheetName") or "").strip())
            title = (row.get("url") or "").strip() or " / ".join(x for x in sheet if x)
            value = row.get("content") or row.get("target.value") or ""
            out.raws.append(RawEvent(ts, users(user) if user else "", app, title, import_action(event_type),
                                     _actionlogger_target(event_type, row), value, source_row=i))
        except ValueError as e:
            out.bad_rows.append((line, str(e)))
    _check_bad(path, out.bad_rows, skip_bad_rows)
    user = next((r.user for r in out.raws if r.user), users("user"))
    out.raws = [r if r.user else _with_user(r, user) for r in out.raws]   # file order: the recorded order
    return out


def _with_user(r: RawEvent, user: str) -> RawEvent:
    return replace(r, user=user)


class _DtdRefused(Exception):
    """Raised from inside expat when a document declares a DTD."""


def _refuse_dtd(*_: object) -> None:
    raise _DtdRefused


def _parse_xes(path: Path, on_event: Callable[[int, int, str, dict[str, str]], None]) -> None:
    """Stream an XES file through expat, calling `on_event(line, trace index, case name, attributes)`.

    A DTD is refused before any entity is declared: XES needs none, and entities are how an XML file
    explodes in memory (billion laughs) or pulls in local files. Attributes are an event's direct
    children with a `key`; events outside a trace are ignored, as XES readers do.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    depth = trace_depth = event_depth = event_line = 0   # 0: not inside a trace / an event
    t_index, case, attrs_now = -1, "", {}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, trace_depth, event_depth, event_line, t_index, case, attrs_now
        depth += 1
        local = name.rpartition(":")[2]
        if event_depth:
            if depth == event_depth + 1 and attrs.get("key"):
                attrs_now[attrs["key"]] = attrs.get("value", "")
        elif trace_depth:
            if local == "event":
                event_depth, event_line, attrs_now = depth, parser.CurrentLineNumber, {}
            elif depth == trace_depth + 1 and attrs.get("key") == "concept:name":
                case = attrs.get("value", "")
        elif local == "trace":
            trace_depth, t_index, case = depth, t_index + 1, ""

    def end(_name: str) -> None:
        nonlocal depth, trace_depth, event_depth
        if depth == event_depth:
            on_event(event_line, t_index, case or str(t_index), attrs_now)
            event_depth = 0
        elif depth == trace_depth:
            trace_depth = 0
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with open(path, "rb") as f:
            parser.ParseFile(f)
    except expat.ExpatError as e:
        raise InputFormatError(f"{path}: not well-formed XML (line {e.lineno}, column {e.offset}: "
                               f"{expat.ErrorString(e.code)})") from None
    except _DtdRefused:
        raise InputFormatError(f"{path} line {parser.CurrentLineNumber}: a DTD (<!DOCTYPE ...>) is refused: XES "
                               "needs none, and its entities can blow up memory or read local files") from None
    except LookupError:   # an encoding Python does not know, named in the XML declaration
        raise InputFormatError(f"{path}: the XML declaration names an encoding that cannot be read; save the file "
                               "as UTF-8") from None
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror or e.__class__.__name__}") from None


def load_xes(path: Path, skip_bad_rows: bool = False, unsegment: bool = False, tz: tzinfo = timezone.utc,
             users: UserIds = str) -> Loaded:
    """An XES log; `unsegment` flattens the traces, in file order, into one stream per user."""
    out = Loaded(path, "xes", cases=[])
    pos = 0

    def event(line: int, t_index: int, case: str, a: dict[str, str]) -> None:
        nonlocal pos
        try:
            name = a.get("concept:name", "")
            if not name:
                raise ValueError(f"event {pos}: no concept:name")
            if "time:timestamp" not in a:
                raise ValueError(f"event {pos}: no time:timestamp")
            try:
                ts = parse_time(a["time:timestamp"], tz)
            except ValueError as e:
                raise ValueError(f"event {pos}, attribute time:timestamp: {e}") from None
            label = a.get("Label") or a.get("Key") or a.get("Column") or ""
            title = a.get("Url") or a.get("FileName") or a.get("NameFile") or a.get("Sheet") or ""
            app = a.get("source") or a.get("app") or ""   # "app": what tasklens' own log.xes writes
            out.raws.append(RawEvent(ts, users(a.get("org:resource") or "user"), app, title,
                                     import_action(name), f"{name}:{label}" if label else name,
                                     a.get("Value", ""), source_row=pos))
            out.cases.append(f"{t_index}:{case}")   # type: ignore[union-attr]
        except ValueError as e:
            out.bad_rows.append((line, str(e)))
        pos += 1

    _parse_xes(path, event)
    _check_bad(path, out.bad_rows, skip_bad_rows)
    if unsegment:
        out.cases = None   # file order is kept: the analysis orders by time only when asked (--order time)
    return out


_AW_KINDS = ("currentwindow", "afkstatus")
_AW_STATUS = {"afk": Action.IDLE, "not-afk": Action.ACTIVE}
_NOT_UNICODE = re.compile("[\ud800-\udfff]")   # lone surrogates: JSON escapes can make them, UTF-8 cannot hold them


def _aw_text(data: dict[str, object], key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"field data.{key}: not text")  # noqa: TRY004
    if "\x00" in value:
        raise ValueError(f"field data.{key}: holds a NUL character")
    if not value.isascii() and _NOT_UNICODE.search(value):
        raise ValueError(f"field data.{key}: not UTF-8 text")
    return value


def _aw_event(kind: str, ev: object, user: str, pos: int, tz: tzinfo) -> RawEvent:
    """One ActivityWatch event: a window span becomes a focus event, an afk span idle or active.

    A value of the wrong JSON type is a bad row like any other, so it is a ValueError (not TypeError).
    """
    if not isinstance(ev, dict):
        raise ValueError("the event is not an object")  # noqa: TRY004
    stamp, duration, data = ev.get("timestamp"), ev.get("duration", 0), ev.get("data")
    ts = _time(stamp if isinstance(stamp, str) else "", "field timestamp", tz)
    seconds = _seconds(str(duration) if isinstance(duration, (int, float)) and not isinstance(duration, bool)
                       else "-", "field duration")
    if not isinstance(data, dict):
        raise ValueError("field data: not an object")  # noqa: TRY004
    if kind == "afkstatus":
        action = _AW_STATUS.get(data.get("status"))   # type: ignore[arg-type]
        if action is None:
            raise ValueError("field data.status: neither afk nor not-afk")
        return RawEvent(ts, user, "", "", action, duration=seconds, source_row=pos)
    return RawEvent(ts, user, _aw_text(data, "app"), _aw_text(data, "title"), Action.FOCUS, duration=seconds,
                    source_row=pos)


def load_activitywatch(path: Path, skip_bad_rows: bool = False, tz: tzinfo = timezone.utc,
                       users: UserIds = str) -> Loaded:
    """An ActivityWatch export (the web UI's "Export all buckets as JSON", `GET /api/0/export`).

    Window buckets (`currentwindow`: app, title, duration) give focus events; afk buckets (`afkstatus`)
    give idle (afk) and active (not-afk) spans. The user is the bucket's host name. Buckets of other
    watchers are skipped (logged). ActivityWatch keeps events newest first and records no order but
    time, so the events are put in time order. `source_row` counts events in document order.
    """
    try:
        with open(path, "rb") as f:
            doc = json.load(f)
    except json.JSONDecodeError as e:
        raise InputFormatError(f"{path}: not JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except UnicodeDecodeError:
        raise InputFormatError(f"{path}: not JSON (not UTF-8 text)") from None
    except (ValueError, RecursionError) as e:   # a number of over 4300 digits; nesting deeper than Python's stack
        raise InputFormatError(f"{path}: not JSON that tasklens can read ({e.__class__.__name__})") from None
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror or e.__class__.__name__}") from None
    buckets = doc.get("buckets") if isinstance(doc, dict) else None
    if not isinstance(buckets, dict):
        raise InputFormatError(f'{path}: not an ActivityWatch export (no "buckets" object)')
    out = Loaded(path, "activitywatch")
    pos, other = 0, 0
    for b_index, bucket in enumerate(buckets.values()):
        kind = bucket.get("type") if isinstance(bucket, dict) else None
        events = bucket.get("events") if isinstance(bucket, dict) else None
        if not isinstance(events, list):
            other += 1
            continue
        if kind not in _AW_KINDS:
            other, pos = other + 1, pos + len(events)
            continue
        host = bucket.get("hostname")
        user = users(host.strip() if isinstance(host, str) and host.strip() and "\x00" not in host
                     and not _NOT_UNICODE.search(host) else "user")
        for k, ev in enumerate(events):
            try:
                out.raws.append(_aw_event(kind, ev, user, pos, tz))
            except ValueError as e:
                out.bad_rows.append((0, f"bucket {b_index} event {k}, {e}"))
            pos += 1
    _check_bad(path, out.bad_rows, skip_bad_rows)
    if other:
        log.info("%s: skipped %d buckets that are neither window nor afk watchers", path, other)
    out.raws.sort(key=lambda r: r.ts)
    return out


def expand_inputs(paths: Sequence[Path]) -> list[Path]:
    """The files to load: files as given, and for a folder the files directly in it that tasklens can read.

    A folder's files are taken in name order; hidden files, subfolders and files of no known format are
    left out (logged), so a README beside the exports does not stop the run. A folder with nothing
    readable is an error.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        found = []
        for f in sorted(path.iterdir()):
            if f.name.startswith(".") or not f.is_file():
                continue
            try:
                detect_format(f)
            except InputFormatError:
                log.warning("%s: skipped, not a format tasklens reads", f)
                continue
            found.append(f)
        if not found:
            raise InputFormatError(f"{path}: a folder with no file tasklens can read (stores, bundles, event CSV, "
                                   "Action Logger CSV, XES, ActivityWatch JSON)")
        files.extend(found)
    return files


def store_events(store: Store) -> list[Event]:
    """A store's events, already masked, with `source_row` set to the event id so results trace back."""
    return [Event(e.ts, e.user, e.app, e.title, e.action, e.target, e.value, e.duration, e.count, e.id, e.id,
                  e.element_path) for e in store.events()]


def load_store(path: Path) -> Loaded:
    """A tasklens store, opened with the key from the environment or the keyring."""
    with Store.open(path, create=False) as store:
        return Loaded(path, "store", events=store_events(store))


def load_bundle(path: Path, private: X25519PrivateKey | None, roster: Roster | None = None,
                columns: bool = False) -> Loaded:
    """An employee bundle from a signer enrolled in `roster`, its events attributed to the signer's label;
    `columns`: as a table in `Loaded.table` (no `Event` objects), else as `Loaded.events`.

    The label, not the pseudonym inside, is who the events are of: one person enrolled with two
    machines is one person, and the analysis counts people the analyst has enrolled, not user strings.
    `source_row` is the event's id in the employee's store.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from tasklens.bundle import read_bundle_table
    from tasklens.columns import events_of

    if private is None:
        raise BundleError(f"{path} is an employee bundle: give the analyst key with --key analyst.key")
    if roster is None:
        raise BundleError(f"{path} is an employee bundle: it needs the roster of enrolled signers "
                          "(--roster, default roster.json beside the analyst key)")
    _info, label, table = read_bundle_table(path, private, roster)
    table = table.set_column(table.schema.get_field_index("user"), "user", pa.repeat(label, table.num_rows)) \
        .set_column(table.schema.get_field_index("source_row"), "source_row",
                    pc.coalesce(table.column("source_row"), table.column("id")))
    return Loaded(path, "bundle", table=table) if columns else Loaded(path, "bundle", events=events_of(table))


def load(path: Path, fmt: str | None = None, *, skip_bad_rows: bool = False, unsegment: bool = False,
         private: X25519PrivateKey | None = None, roster: Roster | None = None, tz: tzinfo = timezone.utc,
         users: UserIds = str, columns: bool = False, ahead: Callable[[list[str]], None] | None = None) -> Loaded:
    """Load one input file, detecting its format unless `fmt` forces one; `private` and `roster` open bundles.

    For imports, `tz` is the zone of naive times and `users` maps each user id (to a pseudonym: see
    tasklens.analyzer.pseudonyms); stores and bundles already carry pseudonyms and are left as they are.
    `columns`: a bundle's events as a table in `Loaded.table` (for a merge), not as `Event`s. `ahead`: see
    `load_tasklens_csv`.
    """
    path = Path(path)
    if path.is_dir():
        raise InputFormatError(f"{path} is a folder: give its files (the CLI takes a folder's files itself)")
    if not path.is_file():
        raise InputFormatError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
    fmt = fmt or detect_format(path)
    if fmt == "store":
        return load_store(path)
    if fmt == "bundle":
        return load_bundle(path, private, roster, columns)
    if fmt == "csv":
        return load_tasklens_csv(path, skip_bad_rows, tz, users, ahead)
    if fmt == "actionlogger":
        return load_actionlogger(path, skip_bad_rows, tz, users)
    if fmt == "xes":
        return load_xes(path, skip_bad_rows, unsegment, tz, users)
    if fmt == "activitywatch":
        return load_activitywatch(path, skip_bad_rows, tz, users)
    if fmt in ("tockler", "manictime"):
        from tasklens.analyzer.timetracker import load_timetracker
        return load_timetracker(path, skip_bad_rows, tz, users)
    raise InputFormatError(f"{path}: unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
