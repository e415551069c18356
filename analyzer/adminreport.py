"""Writing the admin report's files: the one function `tasklens report` and the dashboard both call.

HTML or PDF with the CSV of the same figures beside it, or the CSV alone; each file private (0600) and
whole or absent; the report written to the analysis folder's audit trail. PDF needs Qt, which this floor
may not import: the caller hands in the HTML-to-PDF writer (`tasklens.gui.pdf.html_to_pdf`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tasklens import auditfile
from tasklens.analyzer.aggregate import Aggregate, build, to_html, write_csv
from tasklens.constants import MIN_USERS
from tasklens.errors import OutputError
from tasklens.files import atomic_write, private_dir

SUFFIXES = (".html", ".htm", ".pdf", ".csv")


@dataclass(frozen=True)
class Written:
    """What `write_admin_report` wrote: the figures, and the files in the order written."""

    aggregate: Aggregate
    files: list[Path]


def write_admin_report(folder: Path, out: Path, min_users: int = MIN_USERS, *, allow_unverified: bool = False,
                       pdf: Callable[[str, Path], None] | None = None) -> Written:
    """Aggregate the analysis in `folder` and write `out` (.html, .pdf or .csv; a .csv beside the others)."""
    folder, out = Path(folder), Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise OutputError(f"--out {out}: give a .html, .pdf or .csv file name")
    if suffix == ".pdf" and pdf is None:
        raise OutputError(f"--out {out}: PDF needs Qt here; write .html instead")
    auditfile.check_writable(folder)
    agg = build(folder, min_users, allow_unverified=allow_unverified)
    if not out.parent.exists():
        private_dir(out.parent)
    files = []
    if suffix == ".pdf" and pdf is not None:
        pdf(to_html(agg), out)
        files.append(out)
    elif suffix in (".html", ".htm"):
        files.append(atomic_write(out, to_html(agg)))
    files.append(write_csv(agg, out.with_suffix(".csv")))
    auditfile.append(folder, "report.admin", f"out={out} min_users={min_users} rows={len(agg.rows)} "
                                             f"verified={'yes' if agg.verified else 'no'}")
    return Written(agg, files)
