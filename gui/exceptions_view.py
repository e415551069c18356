"""The dashboard's "Exceptions" view: instances that stray from their type's usual flow, for an analyst to judge.

Ranked by score, with the reason, the time against the usual time, and the instance's steps side by
side with the usual variant (aligned, differences coloured). The analyst marks a case "exception" or
"normal"; low-risk cases go in a batch: accept every case of one kind of reason at once. The widget is
fed plain rows (`ExceptionRow`) and says what was marked through `marked`; keeping the marks is the
dashboard's job.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tasklens.analyzer import exceptionmarks
from tasklens.analyzer.exceptions import duration as _time
from tasklens.analyzer.selection import Selection
from tasklens.gui.tables import Table

MARKS = ("exception", "normal")
MISSING, EXTRA = QColor("#fde2e1"), QColor("#fff1c2")   # a usual step not done; a step the usual flow has not


@dataclass(frozen=True)
class ExceptionRow:
    """One scored instance as the view shows it."""

    key: str                    # how the analysis names the instance (kept with the mark)
    task_type: str
    score: float                # >= 1: flagged at the default threshold
    reason: str
    kinds: tuple[str, ...]      # the reason's kinds (skipped, inserted, repeated, application, slow, fast, pause)
    steps: tuple[str, ...]
    usual: tuple[str, ...]      # the usual variant it was compared with
    seconds: float
    usual_seconds: float        # the type's usual time for these steps
    user: str = ""
    mark: str = ""              # "", "exception" or "normal": the analyst's


def aligned(steps: Sequence[str], usual: Sequence[str]) -> list[tuple[str, str]]:
    """(this instance's step, the usual variant's step) per line; "" where one side has none."""
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, usual, steps, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [(steps[j], usual[i]) for i, j in zip(range(i1, i2), range(j1, j2))]
            continue
        mine, theirs = list(steps[j1:j2]), list(usual[i1:i2])
        width = max(len(mine), len(theirs))
        out += list(zip(mine + [""] * (width - len(mine)), theirs + [""] * (width - len(theirs))))
    return out


class ExceptionsView(QWidget):
    """Scored instances, their reasons and steps; mark one, several, or all of one kind of reason."""

    marked = Signal(list, str)   # instance keys, "exception" | "normal"

    def __init__(self) -> None:
        super().__init__()
        self.table = Table(["Score", "Task type", "Reason", "Time", "Usual time", "Employee", "Mark"], stretch=2)
        self.summary = QLabel()
        self.summary.setObjectName("note")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.steps = QTableWidget(0, 2)
        self.steps.setHorizontalHeaderLabels(["This instance", "Usual variant"])
        self.steps.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.steps.verticalHeader().hide()
        self.steps.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        buttons = QHBoxLayout()
        for text, mark in (("Mark exception", "exception"), ("Mark normal", "normal")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, m=mark: self.mark_selected(m))
            buttons.addWidget(b)
        self.batch = QPushButton("Accept all of this reason")
        self.batch.setToolTip("Mark every unmarked case with the same kind of reason as the selected one an exception")
        self.batch.clicked.connect(self.accept_reason)
        buttons.addWidget(self.batch)
        buttons.addStretch()
        buttons.addWidget(self.summary)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail)
        lower_layout.addWidget(self.steps)
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.table)
        body.addWidget(lower)
        body.setSizes([420, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(body)
        self.rows: dict[str, ExceptionRow] = {}
        self.table.selectionModel().selectionChanged.connect(self._show)

    def set_rows(self, rows: Sequence[ExceptionRow]) -> None:
        """Show `rows`, highest score first; the first is selected."""
        ranked = sorted(rows, key=lambda r: -r.score)
        self.rows = {r.key: r for r in ranked}
        self.table.set_rows([(round(r.score, 2), r.task_type, r.reason or "(marked by the analyst)",
                              _time(r.seconds), _time(r.usual_seconds), r.user, r.mark or "—") for r in ranked],
                            [r.key for r in ranked])
        marked = sum(1 for r in ranked if r.mark)
        self.summary.setText(f"{len(ranked)} cases, {marked} judged; score >= 1 is flagged (1 = each signal's threshold)")
        self.table.select_first()
        self._show()

    def current(self) -> ExceptionRow | None:
        keys = self.table.selected_keys()
        return self.rows.get(keys[0]) if keys else None

    def mark_selected(self, mark: str) -> None:
        keys = self.table.selected_keys()
        if keys:
            self.marked.emit(keys, mark)

    def accept_reason(self) -> None:
        """Batch review: every unmarked case whose reason is of the same kinds as the selected one."""
        row = self.current()
        if row is None:
            return
        keys = [r.key for r in self.rows.values() if r.kinds == row.kinds and not r.mark]
        if keys:
            self.marked.emit(keys, "exception")

    def _show(self) -> None:
        row = self.current()
        self.steps.setRowCount(0)
        if row is None:
            self.detail.setText("No exception instances in this analysis.")
            self.batch.setEnabled(False)
            return
        kinds = " + ".join(row.kinds) or "marked"
        self.batch.setEnabled(True)
        self.batch.setText(f"Accept all '{kinds}' ({sum(1 for r in self.rows.values() if r.kinds == row.kinds)})")
        self.detail.setText(f"<b>{row.task_type}</b>, instance {row.key}: {row.reason or 'no reason given'} — "
                            f"{_time(row.seconds)} against {_time(row.usual_seconds)} usual for these steps.")
        lines = aligned(row.steps, row.usual)
        self.steps.setRowCount(len(lines))
        for k, (mine, usual) in enumerate(lines):
            for col, text in enumerate((mine, usual)):
                item = QTableWidgetItem(text)
                if mine != usual:
                    item.setBackground(EXTRA if mine and not usual else MISSING if usual and not mine else EXTRA)
                self.steps.setItem(k, col, item)


class ExceptionsPage(ExceptionsView):
    """The view as a dashboard page: the selected instances' cases from the result, marks kept in the
    analysis folder (exception-marks.json) for the next analysis to honour."""

    def __init__(self, folder: Callable[[], Path | None]) -> None:
        super().__init__()
        self.folder = folder
        self._view: Selection | None = None
        self.marked.connect(self.keep)

    def refresh(self, view: Selection) -> None:
        self._view = view
        where = self.folder()
        marks = exceptionmarks.load(where) if where else {}
        chosen = {i.id for i in view.chosen}
        users = {i.id: i.user for i in view.result.instances}
        self.set_rows([ExceptionRow(c.key, view.type_name(c.task_type), c.score, c.reason, tuple(c.kinds), c.steps,
                                    c.usual, c.seconds, c.usual_seconds, users.get(c.instance, ""),
                                    marks.get(c.key, c.mark))
                       for c in view.result.exceptions if c.instance in chosen])

    def keep(self, keys: list[str], mark: str) -> None:
        where = self.folder()
        if where is None or self._view is None:
            return
        exceptionmarks.save(where, exceptionmarks.load(where) | dict.fromkeys(keys, mark))
        self.refresh(self._view)
