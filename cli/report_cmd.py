"""`tasklens report DIR --min-users K --out FILE`: the admin report, aggregated so no one is singled out."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("analysis", type=Path, metavar="DIR", help="a folder written by `tasklens analyze --out`")
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="report.html or report.pdf; a .csv with the same figures is written beside it")
    p.add_argument("--min-users", type=int, default=5, metavar="K",
                   help="show only figures at least K distinct employees contribute to (default 5)")


def run(args: argparse.Namespace) -> int:
    from tasklens import auditfile
    from tasklens.analyzer.aggregate import build, to_html, write_csv
    from tasklens.errors import TasklensError

    suffix = args.out.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise TasklensError(f"--out {args.out}: give a .html or .pdf file name")
    agg = build(args.analysis, args.min_users)
    html = to_html(agg)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".pdf":
        from tasklens.gui.pdf import html_to_pdf
        html_to_pdf(html, args.out)
    else:
        args.out.write_text(html, encoding="utf-8")
    csv_path = write_csv(agg, args.out.with_suffix(".csv"))
    withheld = sum(agg.suppressed.values())
    auditfile.append(args.analysis, "report.admin", f"out={args.out} min_users={args.min_users} "
                                                    f"rows={len(agg.rows)} withheld={withheld}")
    print(f"wrote {args.out} and {csv_path}: {len(agg.rows)} figure rows from >= {args.min_users} employees, "
          f"{withheld} withheld")
    return 0
