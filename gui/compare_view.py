"""The dashboard's "Compare" view: two analyses of the same team, per task type, and what drifted.

Fed a `tasklens.analyzer.compare.Comparison` (plain data): a table per task type (instances per working
day, median time, exception rate, before and after), the tested changes with their test and p-value
(significant ones first), and for automated types the hours actually saved against the
estimate. A type is automated when the analyst marked its candidate so (RPA candidates tab, kept in
decisions.json of either analysis, as `tasklens compare` reads it) or names it here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tasklens.analyzer.compare import Comparison, compare, load_period
from tasklens.analyzer.decisions import automated_in
from tasklens.analyzer.exceptions import duration as _time
from tasklens.analyzer.selection import Selection
from tasklens.errors import TasklensError
from tasklens.gui.model import short_label
from tasklens.gui.tables import Table
from tasklens.wording import plural


def _steps(detail: str) -> str:
    """A variant ('a > b > c') or a step as activity labels shortened for reading (display only)."""
    return " > ".join(short_label(s) for s in detail.split(" > "))


class CompareView(QWidget):
    """Two analyses compared per task type, drift first; fed plain data by the dashboard."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = QLabel("Open an analysis, then compare it with an earlier one.")
        self.heading.setWordWrap(True)
        self.types = Table(["Task type", "Instances/day before", "after", "Median time before", "after",
                            "Exceptions before", "after", "Drift tested"], stretch=0)
        self.changes = Table(["Task type", "Change", "Before", "After", "Test", "p", "Drift"], stretch=1)
        # a test's description runs long (both tests a change must pass): cut to a width that leaves p and
        # Drift in sight; the whole text is the cell's tooltip
        self.changes.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
        self.changes.setColumnWidth(4, 260)
        self.savings = QLabel()
        self.savings.setObjectName("note")
        self.savings.setWordWrap(True)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.types)
        body.addWidget(self.changes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(body)
        layout.addWidget(self.savings)

    def set_comparison(self, c: Comparison) -> None:
        drift = c.drift()
        untested = sum(1 for r in c.rows if not r.tested)
        self.heading.setText(f"<b>{c.before}</b> → <b>{c.after}</b>: {len(drift)} of {len(c.changes)} tested "
                             f"changes are drift (significant at {c.alpha:g} after Holm's correction over all "
                             "of them); the others are within sampling noise. Figures for the whole observed team."
                             + (f" Not tested, listed only: {plural(untested, 'task type')} with no routine in "
                                "either analysis (chat, mail, browsing: how they split into types moves between "
                                "analyses)." if untested else ""))
        self.types.set_rows([(r.name, round(r.rate[0], 1), round(r.rate[1], 1), _time(r.median_seconds[0]),
                              _time(r.median_seconds[1]), f"{r.exception_rate[0]:.0%}", f"{r.exception_rate[1]:.0%}",
                              "yes" if r.tested else "no: no routine") for r in c.rows])
        ordered = sorted(c.changes, key=lambda x: (not x.significant, x.p))
        self.changes.set_rows([(x.task_type, x.measure + (f": {_steps(x.detail)}" if x.detail else ""),
                                x.shown(x.before), x.shown(x.after), x.test, f"{x.p:.2g}",
                                "yes" if x.significant else "no (noise)") for x in ordered])
        self.savings.setText("<br>".join(
            f"Automated <b>{s.task_type}</b>: {s.actual:.1f} hours saved per month (team), 95 % interval "
            f"{s.low:.1f} to {s.high:.1f}; estimated before: "
            f"{'none made' if s.estimate is None else f'{s.estimate:.1f}'}" for s in c.savings)
            or "No task type marked automated: mark its candidate on the RPA candidates tab (or name it above) "
               "to measure the hours it saved.")


class ComparePage(CompareView):
    """The view as a dashboard page: the open analysis (after) against an earlier one the analyst picks."""

    def __init__(self, folder: Callable[[], Path | None]) -> None:
        super().__init__()
        self.folder = folder
        self.before: Path | None = None
        self.automated = QLineEdit()
        self.automated.setPlaceholderText("more automated task types: names or candidate ids of the earlier "
                                          "analysis, comma-separated (marked candidates count already)")
        self.automated.editingFinished.connect(self._again)
        pick = QPushButton("Compare with an earlier analysis…")
        pick.clicked.connect(self.choose)
        row = QHBoxLayout()
        row.addWidget(pick)
        row.addWidget(self.automated, 1)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertLayout(0, row)

    def refresh(self, _view: Selection) -> None:
        """Filters do not change a comparison of two whole analyses; decisions (an automated mark) do."""
        self._again()

    def _again(self) -> None:
        if self.before is not None:
            self.compare_with(self.before)

    def choose(self) -> None:
        before = QFileDialog.getExistingDirectory(self, "An earlier analysis of the same team")
        if before:
            self.compare_with(Path(before))

    def compare_with(self, before: Path) -> None:
        after = self.folder()
        if after is None:
            return
        names = [n.strip() for n in self.automated.text().split(",") if n.strip()]
        try:
            earlier, later = load_period(before), load_period(after)
            marked = automated_in((before, after), ((t.candidate or t.name, t.signature) for t in earlier.types))
            self.set_comparison(compare(earlier, later, [*names, *marked]))
        except TasklensError as e:
            self.before = None
            QMessageBox.warning(self, "tasklens", str(e))
            return
        self.before = before
