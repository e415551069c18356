"""Writing an `Analysis` to DIR: report.json, events.csv, report.html and log.xes.

report.json is the `AnalysisResult` serialised; report.html, events.csv and log.xes read the result too
(task types, candidates and activity labels come from it; the events only add who, when and where).

The folder is built aside and renamed into place whole (`tasklens.files.atomic_folder`), so a re-run
never leaves old and new outputs mixed and a failure leaves the earlier folder as it was. What belongs
to the analysis' history rather than to one run (`KEPT`: the analyst's decisions, the audit trail) is
carried into the new folder, and the run is audited inside it, so outputs and their audit entry appear
together or not at all.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

import numpy as np

from tasklens import auditfile
from tasklens.analyzer import decisions, exceptionmarks, signers
from tasklens.analyzer.aggregate import USAGE
from tasklens.analyzer.pipeline import PARALLEL_FROM, Analysis, beside
from tasklens.analyzer.result import FILE as REPORT
from tasklens.analyzer.result import AnalysisResult
from tasklens.analyzer.xes import write_log
from tasklens.errors import OutputError
from tasklens.files import atomic_folder, atomic_open, atomic_write, csv_cell

OUTPUTS = (REPORT, "events.csv", "report.html", "log.xes")
KEPT = (decisions.FILE, exceptionmarks.FILE, auditfile.NAME)   # the analysis' history: carried over when the folder is rebuilt
OURS = frozenset((*OUTPUTS, *KEPT, signers.NAME, USAGE))   # all an analysis folder may hold, so it may be replaced


def iso_all(ts: Sequence[float]) -> list[str]:
    """`tasklens.events.iso` of every time at once: the same text (microseconds rounded half to even, as
    `datetime.fromtimestamp` does, then cut to milliseconds), at a third of the cost, for the two files that
    print every event's time."""
    frac, whole = np.modf(np.asarray(ts, dtype=float))
    us = np.round(frac * 1e6)
    whole += (us >= 1e6).astype(float) - (us < 0)
    us = np.where(us >= 1e6, us - 1e6, np.where(us < 0, us + 1e6, us))
    ms = whole.astype(np.int64) * 1000 + us.astype(np.int64) // 1000
    return [t + "Z" for t in np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms").tolist()]


def write_events_csv(a: Analysis, path: Path, times: Sequence[str]) -> None:
    """One row per input event; text cells through `csv_cell`, so no spreadsheet runs them as formulas.
    `times`: each event's `iso_all` time."""
    types = a.task_type_of_events()
    cand = a.result.candidate_of_type()
    labels = a.result.process_map.activities
    exceptional = {c.instance for c in a.result.exceptions if c.mark != "normal"}
    cell = lru_cache(maxsize=1 << 16)(csv_cell)   # users, apps and labels repeat on every event
    with atomic_open(path, newline="") as f:
        w = csv.writer(f)
        w.writerow(["source_row", "timestamp", "user", "app", "action", "activity", "task_id", "task_type",
                    "candidate", "exception"])
        for e, when, act, t, tt in zip(a.events, times, a.activity.tolist(), a.task.tolist(), types.tolist()):
            w.writerow(["" if e.source_row is None else e.source_row, when, cell(e.user), cell(e.app),
                        e.action.value, cell(labels[act]), "" if t < 0 else t, "" if tt < 0 else tt,
                        cand.get(tt, ""), 1 if t in exceptional else ""])


XesColumns = tuple[list[int], list[int], list[str], list[str], list[str], list[str], list[int]]
"""Per event in a task, by instance and then time: instance, task type, activity, time, user, app, source row."""


def xes_columns(a: Analysis, times: Sequence[str]) -> XesColumns:
    """What log.xes holds, as plain lists (cheap to hand to another process). `times`: each event's
    `iso_all` time."""
    ts = np.fromiter((e.ts for e in a.events), float, len(a.events))
    in_tasks = np.flatnonzero(a.task >= 0)
    order = in_tasks[np.lexsort((ts[in_tasks], a.task[in_tasks]))].tolist()   # stable: ties in event order
    labels = a.result.process_map.activities
    ev = [a.events[k] for k in order]
    return (a.task[order].tolist(), a.task_type_of_events()[order].tolist(),
            [labels[x] for x in a.activity[order].tolist()], [times[k] for k in order], [e.user for e in ev],
            [e.app for e in ev], [-1 if e.source_row is None else e.source_row for e in ev])


def write_xes(path: Path, columns: XesColumns) -> None:
    """The segmented log: one trace per task instance, events with activity, time, user and app."""
    write_log(path, "tasklens segmented log", (
        (t, {"task_type": tt}, {"concept:name": act, "time:timestamp": when, "org:resource": user, "app": app,
                                "source_row": row})
        for t, tt, act, when, user, app, row in zip(*columns)))


def check_out(out: Path) -> None:
    """Refuse, before any work, an output folder that cannot be written: a file in its place or above it,
    a folder holding files tasklens did not write (it is replaced whole: they would be lost), a read-only
    folder or parent, a read-only audit trail. Probes by really writing (root ignores modes)."""
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file: give a folder (it is created if missing)")
    foreign = sorted(p.name for p in out.iterdir() if p.name not in OURS) if out.is_dir() else []
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise OutputError(f"--out {out} holds files that are not an analysis' ({', '.join(foreign[:3])}{more}); the "
                          "folder is replaced whole: give a new or empty folder, or move those files")
    above = next(p for p in out.parents if p.exists())   # where the folder (or its parents) will be made
    if not above.is_dir():
        raise OutputError(f"{above} is a file, not a folder: give a folder path for --out")
    for probe in ([out] if out.exists() else []) + [above]:
        try:
            tempfile.TemporaryDirectory(prefix=".probe.", dir=probe).cleanup()
        except OSError as e:
            raise OutputError(f"cannot write into {probe}: {e.strerror or type(e).__name__}; make it writable "
                              "or choose another --out") from None
    auditfile.check_writable(out)


def _carry_over(old: Path, new: Path) -> None:
    for name in KEPT:
        if (old / name).is_file():
            try:
                data = (old / name).read_bytes()
            except OSError as e:
                raise OutputError(f"cannot read {old / name}: {e.strerror}") from None
            atomic_write(new / name, data)


def write_all(a: Analysis, out_dir: Path, audit_detail: str = "",
              also: Callable[[Path], object] | None = None) -> dict[str, Path]:
    """Write every output file into `out_dir` (replaced whole, created if missing) and audit the run there;
    return the files' paths by name. `also(folder)` writes more files of this run into the folder before it
    takes its place. Raises `OutputError` with `out_dir` as it was before."""
    def per_event(folder: Path) -> None:
        times = iso_all([e.ts for e in a.events])
        # log.xes on another process while this one writes events.csv: a million events take seconds each
        xes = beside(len(a.events) >= PARALLEL_FROM, write_xes, folder / "log.xes", xes_columns(a, times))
        try:
            write_events_csv(a, folder / "events.csv", times)
        except BaseException:
            with suppress(Exception):   # the first failure is told; nothing may write into a folder being removed
                xes()
            raise
        xes()
    return write_result(a.result, out_dir, audit_detail or f"events={len(a.events)}", per_event, also)


def write_result(result: AnalysisResult, out_dir: Path, audit_detail: str, per_event: Callable[[Path], None] | None,
                 also: Callable[[Path], object] | None = None) -> dict[str, Path]:
    """`write_all` for a result: report.json and report.html, and the per-event files if `per_event(folder)`
    writes them (an analysis of a merged dataset has none: its events are the dataset)."""
    from tasklens.analyzer.html import render

    out_dir, place = Path(out_dir), Path(out_dir).resolve()   # `--out .` is a folder with a name and a parent
    check_out(place)
    try:
        with atomic_folder(place) as tmp:
            _carry_over(place, tmp)
            with atomic_open(tmp / REPORT) as f:   # a piece at a time (an organisation's is gigabytes at once)
                f.writelines(result.pieces())
            atomic_write(tmp / "report.html", render(result))
            if per_event is not None:
                per_event(tmp)
            if also is not None:
                also(tmp)
            auditfile.append(tmp, "analyze", audit_detail)
    except UnicodeEncodeError:   # a lone surrogate, e.g. from a JSON escape: no UTF-8 file can hold it
        raise OutputError("the events hold text that is not valid Unicode (a lone surrogate); nothing was "
                          "written: fix the input") from None
    return {name: out_dir / name for name in OUTPUTS if per_event is not None or name in (REPORT, "report.html")}
