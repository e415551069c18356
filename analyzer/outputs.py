"""Writing an `Analysis` to DIR: report.json, events.csv, report.html and log.xes.

The folder is built aside and renamed into place whole (`tasklens.files.atomic_folder`), so a re-run
never leaves old and new outputs mixed and a failure leaves the earlier folder as it was. What belongs
to the analysis' history rather than to one run (`KEPT`: the analyst's decisions, the audit trail) is
carried into the new folder, and the run is audited inside it, so outputs and their audit entry appear
together or not at all.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tasklens import auditfile
from tasklens.analyzer import decisions, signers
from tasklens.analyzer.pipeline import Analysis
from tasklens.analyzer.xes import write_log
from tasklens.errors import OutputError
from tasklens.events import iso
from tasklens.files import atomic_folder, atomic_open, atomic_write, csv_cell

OUTPUTS = ("report.json", "events.csv", "report.html", "log.xes")
KEPT = (decisions.FILE, auditfile.NAME)   # the analysis' history: carried over when the folder is rebuilt
OURS = frozenset((*OUTPUTS, *KEPT, signers.NAME))   # all an analysis folder may hold, so it may be replaced


def _type_name(a: Analysis, type_id: int) -> str:
    """A readable name: the start step of the type's most common variant."""
    facts = a.type_facts[type_id]
    return a.activities[facts.variants[0][0][0]] if facts.variants and facts.variants[0][0] else f"type {type_id}"


def report(a: Analysis) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    n_in_task = int((a.task >= 0).sum())
    users = sorted({e.user for e in a.events})
    summary = {
        "events": len(a.events), "events_in_tasks": n_in_task, "users": len(users),
        # the true span: events are kept per person in input order, so the end rows are not the extremes
        "first": iso(min(e.ts for e in a.events)) if a.events else None,
        "last": iso(max(e.ts for e in a.events)) if a.events else None,
        "activities": len(a.activities), "instances": len(a.instances), "task_types": len(a.type_facts),
        "variants": len(a.variants), "routines": len(a.routines), "candidates": len(a.candidates),
        "hours_in_tasks": round(sum(i.seconds for i in a.instances) / 3600, 3),
        "unassigned_instances": a.unassigned,
        "hours_saved_per_month_team": round(sum(c.hours_saved_per_month_team for c in a.candidates
                                                if c.status != "rejected"), 2),   # team figures add up; per-FTE ones do not
        "notes": a.notes,
    }
    types = []
    for f in a.type_facts:
        durations = [i.seconds for i in a.instances if i.task_type == f.type_id]
        types.append({
            "id": f.type_id, "name": _type_name(a, f.type_id), "instances": len(f.instance_ids),
            "users": sorted(f.users), "hours_observed": round(f.seconds / 3600, 3),
            "applications": sorted(f.apps),
            "variants": [{"steps": [a.activities[s] for s in seq], "instances": n,
                          "mean_seconds": round(_mean_seconds(a, f.type_id, seq), 2)} for seq, n in f.variants[:20]],
            "more_variants": max(0, len(f.variants) - 20),
            "median_seconds": round(sorted(durations)[len(durations) // 2], 2) if durations else 0.0,
        })
    cand_of_type = a.candidate_of_type()
    routines = [{"steps": [a.activities[s] for s in r.steps], "instances": r.support,
                 "task_types": sorted({int(a.variant_type[v]) for v in r.variants}),
                 "candidates": sorted({cand_of_type[t] for t in {int(a.variant_type[v]) for v in r.variants}
                                       if t in cand_of_type})} for r in a.routines]
    candidates = [{"id": c.id, "rank": c.rank, "name": c.analyst_name or _type_name(a, c.task_type),
                   "status": c.status, "confirmed": c.status == "accepted", "task_type": c.task_type,
                   "instances": c.instances, "users": c.users, "hours_observed": c.hours_observed,
                   "hours_saved_per_month": c.hours_saved_per_month,
                   "hours_saved_per_month_team": c.hours_saved_per_month_team,
                   "hours_saved_per_month_per_fte": c.hours_saved_per_month_per_fte, "confidence": c.confidence,
                   "confidence_label": c.confidence_label, "score": c.score, "score_parts": c.parts,
                   "assumptions": c.assumptions, "rationale": c.rationale} for c in a.candidates]
    edges = [{"from": a.activities[e.source], "to": a.activities[e.target], "count": e.count,
              "mean_wait_seconds": round(e.mean_wait, 3), "median_wait_seconds": round(e.median_wait, 3)}
             for e in a.edges]
    return {"summary": summary, "task_types": types, "routines": routines, "candidates": candidates,
            "process_map": {"activities": a.activities, "edges": edges},
            "start_activities": a.start_activities, "parameters": asdict(a.params)}


def _mean_seconds(a: Analysis, type_id: int, seq: tuple[int, ...]) -> float:
    ds = [i.seconds for i in a.instances if i.task_type == type_id and a.variants[i.variant] == seq]
    return sum(ds) / len(ds) if ds else 0.0


def write_events_csv(a: Analysis, path: Path) -> None:
    """One row per input event; text cells through `csv_cell`, so no spreadsheet runs them as formulas."""
    types = a.task_type_of_events()
    cand = a.candidate_of_type()
    with atomic_open(path, newline="") as f:
        w = csv.writer(f)
        w.writerow(["source_row", "timestamp", "user", "app", "action", "activity", "task_id", "task_type",
                    "candidate"])
        for e, act, t, tt in zip(a.events, a.activity.tolist(), a.task.tolist(), types.tolist()):
            w.writerow(["" if e.source_row is None else e.source_row, iso(e.ts), csv_cell(e.user), csv_cell(e.app),
                        e.action.value, csv_cell(a.activities[act]), "" if t < 0 else t, "" if tt < 0 else tt,
                        cand.get(tt, "")])


def write_xes(a: Analysis, path: Path) -> None:
    """The segmented log: one trace per task instance, events with activity, time, user and app."""
    in_tasks = (k for k in range(len(a.events)) if a.task[k] >= 0)
    order = sorted(in_tasks, key=lambda k: (int(a.task[k]), a.events[k].ts))
    types = a.task_type_of_events()
    write_log(path, "tasklens segmented log", (
        (int(a.task[k]), {"task_type": int(types[k])},
         {"concept:name": a.activities[int(a.activity[k])], "time:timestamp": a.events[k].ts,
          "org:resource": a.events[k].user, "app": a.events[k].app,
          "source_row": -1 if a.events[k].source_row is None else a.events[k].source_row})
        for k in order))


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


def _json(data: dict[str, Any]) -> str:
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise OutputError("the report holds a figure that is not a finite number (an input duration of inf or "
                          "nan?); nothing was written: fix or drop those rows") from None


def write_all(a: Analysis, out_dir: Path, audit_detail: str = "",
              also: Callable[[Path], object] | None = None) -> dict[str, Path]:
    """Write every output file into `out_dir` (replaced whole, created if missing) and audit the run there;
    return the files' paths by name. `also(folder)` writes more files of this run into the folder before it
    takes its place. Raises `OutputError` with `out_dir` as it was before."""
    from tasklens.analyzer.html import render

    out_dir, place = Path(out_dir), Path(out_dir).resolve()   # `--out .` is a folder with a name and a parent
    check_out(place)
    data = report(a)
    text = _json(data)
    try:
        with atomic_folder(place) as tmp:
            _carry_over(place, tmp)
            atomic_write(tmp / "report.json", text)
            write_events_csv(a, tmp / "events.csv")
            atomic_write(tmp / "report.html", render(data, Counter(e.user for e in a.events)))
            write_xes(a, tmp / "log.xes")
            if also is not None:
                also(tmp)
            auditfile.append(tmp, "analyze", audit_detail or f"events={len(a.events)}")
    except UnicodeEncodeError:   # a lone surrogate, e.g. from a JSON escape: no UTF-8 file can hold it
        raise OutputError("the events hold text that is not valid Unicode (a lone surrogate); nothing was "
                          "written: fix the input") from None
    return {name: out_dir / name for name in OUTPUTS}
