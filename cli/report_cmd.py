"""`tasklens report DIR --min-users K --out FILE`: the admin report, aggregated so no one is singled out."""

from __future__ import annotations

import argparse
from pathlib import Path

from tasklens.constants import MIN_USERS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("analysis", type=Path, metavar="DIR", help="a folder written by `tasklens analyze --out`")
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="report.html or report.pdf (a .csv with the same figures is written beside it), or .csv")
    p.add_argument("--min-users", type=int, default=MIN_USERS, metavar="K",
                   help=f"show only figures at least K distinct employees contribute to (default {MIN_USERS})")
    p.add_argument("--allow-unverified", action="store_true",
                   help="count user ids that no enrolled signer's bundle proves (CSV, XES, store inputs) as "
                        "people; the report then says its counts are unverified")


def run(args: argparse.Namespace) -> int:
    from tasklens.analyzer.adminreport import write_admin_report

    def pdf(html: str, path: Path) -> None:
        from tasklens.gui.pdf import html_to_pdf
        html_to_pdf(html, path)

    done = write_admin_report(args.analysis, args.out, args.min_users, allow_unverified=args.allow_unverified,
                              pdf=pdf)
    agg = done.aggregate
    counted = "enrolled signers" if agg.verified else "user ids, UNVERIFIED: they may not be distinct people"
    print(f"wrote {' and '.join(map(str, done.files))}: {len(agg.rows)} figure rows, each from >= "
          f"{args.min_users} employees counted as {counted}")
    return 0
