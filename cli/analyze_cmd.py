"""`tasklens analyze INPUT... --out DIR`: find task types, routines and RPA candidates.

Inputs may be tasklens stores (already masked) and imports (tasklens event CSV, Action Logger CSV,
XES), whose text passes through the masker like collected data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("store", "csv", "actionlogger", "xes")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="tasklens stores or exports, tasklens event CSV, Action Logger CSV or XES files")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for report.json, events.csv, "
                   "report.html and log.xes")
    p.add_argument("--format", choices=FORMATS, help="force the input format instead of detecting it")
    p.add_argument("--unsegment", action="store_true",
                   help="XES: flatten the traces into one unsegmented stream per user and segment it anew")
    p.add_argument("--skip-bad-rows", action="store_true", help="skip malformed rows (reported) instead of stopping")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def run(args: argparse.Namespace) -> int:
    import sys

    from tasklens.analyzer.loaders import load
    from tasklens.analyzer.outputs import write_all
    from tasklens.analyzer.pipeline import analyze
    from tasklens.analyzer.progress import Bar
    from tasklens.cli.common import config

    bar = Bar(enabled=not args.no_progress and sys.stderr.isatty())
    events, cases, masker, skipped = [], [], None, 0
    all_cases = True
    for path in args.inputs:
        loaded = load(path, args.format, skip_bad_rows=args.skip_bad_rows, unsegment=args.unsegment)
        skipped += len(loaded.bad_rows)
        if loaded.raws:
            if masker is None:
                from tasklens.privacy.masker import Masker
                masker = Masker(config(args))
            batch = masker.mask_many(loaded.raws)
        else:
            batch = loaded.events
        bar("loading", args.inputs.index(path) + 1, len(args.inputs))
        all_cases &= loaded.cases is not None
        cases.extend(f"{path}:{c}" for c in (loaded.cases or [""] * len(batch)))
        events.extend(batch)
    analysis = analyze(events, progress=bar, cases=cases if all_cases and cases else None)
    paths = write_all(analysis, args.out)
    bar.close()
    s = analysis
    print(f"{len(s.events)} events, {len(s.instances)} task instances, {len(s.type_facts)} task types, "
          f"{len(s.routines)} routines, {len(s.candidates)} RPA candidates"
          + (f"; skipped {skipped} malformed rows" if skipped else ""))
    for c in s.candidates[:5]:
        print(f"  {c.id}  {len(c.instances):>5} instances  {c.hours_observed:8.1f} h observed  "
              f"{c.hours_saved_per_month:7.1f} h/month saved  ({c.confidence_label} confidence)")
    print(f"wrote {', '.join(str(p) for p in paths.values())}")
    return 0
