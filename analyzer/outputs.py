"""Writing an `Analysis` to DIR: report.json, events.csv, report.html and log.xes."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tasklens.analyzer.pipeline import Analysis
from tasklens.analyzer.xes import write_log
from tasklens.events import iso


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
        "first": iso(a.events[0].ts) if a.events else None, "last": iso(a.events[-1].ts) if a.events else None,
        "activities": len(a.activities), "instances": len(a.instances), "task_types": len(a.type_facts),
        "variants": len(a.variants), "routines": len(a.routines), "candidates": len(a.candidates),
        "hours_in_tasks": round(sum(i.seconds for i in a.instances) / 3600, 3),
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
                   "hours_saved_per_month": c.hours_saved_per_month, "confidence": c.confidence,
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
    types = a.task_type_of_events()
    cand = a.candidate_of_type()
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["source_row", "timestamp", "user", "app", "action", "activity", "task_id", "task_type",
                    "candidate"])
        for e, act, t, tt in zip(a.events, a.activity.tolist(), a.task.tolist(), types.tolist()):
            w.writerow(["" if e.source_row is None else e.source_row, iso(e.ts), e.user, e.app, e.action.value,
                        a.activities[act], "" if t < 0 else t, "" if tt < 0 else tt, cand.get(tt, "")])


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


def write_all(a: Analysis, out_dir: Path) -> dict[str, Path]:
    """Write every output file into `out_dir` (created if missing); return their paths by name."""
    from tasklens.analyzer.html import render

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in ("report.json", "events.csv", "report.html", "log.xes")}
    data = report(a)
    paths["report.json"].write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    write_events_csv(a, paths["events.csv"])
    paths["report.html"].write_text(render(data, Counter(e.user for e in a.events)), encoding="utf-8")
    write_xes(a, paths["log.xes"])
    return paths
