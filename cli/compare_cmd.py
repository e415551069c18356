"""`tasklens compare BEFORE_DIR AFTER_DIR`: per task type what changed between two analyses, and whether
an automation saved what was promised. Changes are tested; only those that pass are called drift."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("before", type=Path, metavar="BEFORE_DIR", help="a folder written by `tasklens analyze --out`")
    p.add_argument("after", type=Path, metavar="AFTER_DIR", help="a later analysis of the same team")
    p.add_argument("--automated", action="append", default=[], metavar="NAME",
                   help="a task type a bot took over, by its name, candidate id (C01) or candidate name in "
                        "BEFORE_DIR (repeat for more): its hours actually saved are measured; candidates "
                        "marked automated in either folder's decisions.json (the dashboard) are measured too")
    p.add_argument("--alpha", type=float, default=0.05, metavar="A",
                   help="family-wise significance level over all tests (Holm's correction; default 0.05)")


def run(args: argparse.Namespace) -> int:
    from tasklens.analyzer.compare import compare, load_period
    from tasklens.analyzer.decisions import automated_in
    from tasklens.analyzer.exceptions import duration as _time
    from tasklens.errors import UsageError
    from tasklens.wording import plural

    if not 0 < args.alpha < 1:
        raise UsageError(f"--alpha {args.alpha} is not between 0 and 1: give e.g. --alpha 0.05")
    before, after = load_period(args.before), load_period(args.after)
    known = {n for t in before.types for n in (t.name, t.candidate, t.candidate_name) if n}
    unknown = [a for a in args.automated if a not in known]
    if unknown:
        raise UsageError(f"--automated {unknown[0]!r} is no task type or candidate in {args.before}; "
                         f"choose from: {', '.join(sorted(known))}")
    marked = automated_in((args.before, args.after), ((t.candidate or t.name, t.signature) for t in before.types))
    result = compare(before, after, [*args.automated, *marked], args.alpha)
    print(f"{args.before} ({before.working_days} working days) -> {args.after} ({after.working_days} working days); "
          "figures for the whole observed team")
    print(f"{'task type':<32} {'instances/working day':>22} {'median time':>22} {'exception rate':>16}")
    for row in result.rows:
        print(f"{row.name[:32]:<32} {row.rate[0]:>10.1f} -> {row.rate[1]:<9.1f} "
              f"{_time(row.median_seconds[0]):>10} -> {_time(row.median_seconds[1]):<9} "
              f"{row.exception_rate[0]:>6.0%} -> {row.exception_rate[1]:<6.0%}" + ("" if row.tested else "  (not tested)"))
    untested = sum(1 for row in result.rows if not row.tested)
    if untested:
        print(f"not tested: {plural(untested, 'task type')} that were no routine in either analysis (chat, mail, browsing "
              "grouped by their actions: how they split into types moves between analyses)")
    drift = result.drift()
    print(f"\nDrift: {len(drift)} of {len(result.changes)} tested changes are significant at {args.alpha:g} "
          "(Holm's correction over all of them; the rest is within sampling noise)")
    for c in drift:
        what = f" [{c.detail}]" if c.detail else ""
        print(f"  {c.task_type}: {c.measure}{what} {c.shown(c.before)} -> {c.shown(c.after)} "
              f"({c.unit}; {c.test}, p = {c.p:.2g})")
    for s in result.savings:
        estimate = f"{s.estimate:.1f}" if s.estimate is not None else "none made"
        print(f"\nAutomated '{s.task_type}': {s.actual:.1f} hours saved per month (team, {21:g} working days), "
              f"95 % interval {s.low:.1f} to {s.high:.1f} (bootstrap over working days); estimated before: {estimate}")
    return 0
