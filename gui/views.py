"""The dashboard's pages. Each shows one aspect of a `Selection` (the result filtered, decisions applied)
in `refresh`; names that are activity labels are shortened here, for display only."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from tasklens.analyzer.activetime import RULE
from tasklens.analyzer.selection import CandidateRow, Selection
from tasklens.gui.charts import BarChart, DayChart
from tasklens.gui.model import display_name, short_label
from tasklens.gui.processmap import ProcessMapView
from tasklens.gui.tables import Table, fmt_time
from tasklens.wording import HOURS_OBSERVED, HOURS_SAVED_TEAM


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("note")
    label.setWordWrap(True)
    return label


def _steps_text(steps: tuple[str, ...], limit: int = 6) -> str:
    shown = " → ".join(short_label(s, 30) for s in steps[:limit])
    return shown + (f" → … ({len(steps) - limit} more)" if len(steps) > limit else "")


class OverviewPage(QWidget):
    """Totals, time by application, activity per day and the employees."""

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        self.kpis = [QLabel() for _ in range(5)]
        row = QHBoxLayout()
        for k in self.kpis:
            k.setObjectName("kpi")
            k.setTextFormat(Qt.TextFormat.RichText)
            row.addWidget(k)
        grid.addLayout(row, 0, 0, 1, 2)
        self.apps = BarChart("Active time by application")
        self.tasks = BarChart("Time in task types (hours of their instances, team)")
        self.days = DayChart("Activity per day (active hours)")
        self.people = Table(["Employee", "Events", "Active hours", "Task instances"])
        grid.addWidget(self.apps, 1, 0)
        grid.addWidget(self.tasks, 2, 0)
        grid.addWidget(self.days, 1, 1)
        grid.addWidget(self.people, 2, 1)
        grid.addWidget(_note(f"Every hour figure counts time one way: {RULE}."), 3, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(1, 1)
        grid.setRowStretch(2, 1)

    def refresh(self, view: Selection) -> None:
        t = view.totals()
        for label, (name, value) in zip(self.kpis, (("events", f"{t['events']:,}"),
                                                    ("employees", f"{t['employees']}"),
                                                    ("active hours", f"{t['hours']:.1f}"),
                                                    ("task instances", f"{t['instances']:,}"),
                                                    ("days", f"{t['days']}"))):
            label.setText(f"<span style='font-size:16pt; font-weight:bold'>{value}</span><br>{name}")
        self.apps.set_rows(view.time_by_app())
        self.tasks.set_rows([(display_name(t.name), t.hours) for t in view.task_types()[:10]])
        self.days.set_days(view.activity_per_day())
        self.people.set_rows(view.employees())


class TaskTypesPage(QWidget):
    """Task types and, for the selected one, its variants; merge types or split variants off."""

    merge_requested = Signal(list)          # task type ids
    split_requested = Signal(int, list)     # task type id, variants (step tuples)

    def __init__(self) -> None:
        super().__init__()
        self.types = Table(["Task type", "Instances", "Employees", HOURS_OBSERVED, "Variants"])
        self.variants = Table(["Variant", "Instances", "Share", "Steps"], stretch=3)
        self._view: Selection | None = None
        self._variant_steps: dict[int, tuple[str, ...]] = {}
        merge = QPushButton("Merge selected types…")
        split = QPushButton("Split selected variants off…")
        merge.clicked.connect(lambda: self.merge_requested.emit(self.types.selected_keys()))
        split.clicked.connect(self._split)
        buttons = QHBoxLayout()
        buttons.addWidget(merge)
        buttons.addWidget(split)
        buttons.addStretch()
        self.hint = _note()
        buttons.addWidget(self.hint)
        split_view = QSplitter(Qt.Orientation.Vertical)
        split_view.addWidget(self.types)
        split_view.addWidget(self.variants)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(split_view)
        self.types.selectionModel().selectionChanged.connect(self._show_variants)

    def refresh(self, view: Selection) -> None:
        self._view = view
        self._types = {t.id: t for t in view.task_types()}
        self.types.set_rows([(display_name(t.name), t.instances, len(t.users), t.hours, len(t.variants))
                             for t in self._types.values()], list(self._types))
        self.hint.setText(f"{len(self._types)} task types; select several to merge, or variants to split off")
        self.types.select_first()
        self._show_variants()

    def _show_variants(self) -> None:
        keys = self.types.selected_keys()
        t = self._types.get(keys[0]) if keys and hasattr(self, "_types") else None
        if t is None:
            self.variants.set_rows([])
            return
        self._variant_steps = {i: s for i, (s, _) in enumerate(t.variants)}
        self.variants.set_rows([(f"V{i + 1}", n, f"{n / t.instances:.0%}", _steps_text(s))
                                for i, (s, n) in enumerate(t.variants)], list(self._variant_steps))

    def _split(self) -> None:
        keys = self.types.selected_keys()
        chosen = [self._variant_steps[k] for k in self.variants.selected_keys()]
        if keys and chosen:
            self.split_requested.emit(keys[0], chosen)


class RoutinesPage(QWidget):
    """Frequent routines: steps, applications, how often and how long."""

    def __init__(self) -> None:
        super().__init__()
        self.table = Table(["Routine", "Steps", "Instances", "Applications", "Median time (s)"])
        self.detail = Table(["#", "Step (application · action · target · window)"], stretch=1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        layout = QVBoxLayout(self)
        self.note = _note()
        layout.addWidget(self.note)
        layout.addWidget(split)
        self.table.selectionModel().selectionChanged.connect(self._detail)
        self._rows: dict[int, tuple[str, ...]] = {}

    def refresh(self, view: Selection) -> None:
        rows = view.routines()
        self._rows = {i: r.steps for i, r in enumerate(rows)}
        self.table.set_rows([(_steps_text(r.steps, 3), len(r.steps), r.support, r.apps, round(r.median_seconds, 1))
                             for r in rows], list(self._rows))
        self.note.setText(f"{len(rows)} routines found across task instances and employees "
                          "(steps may be separated by a few other events)")
        self.table.select_first()
        self._detail()

    def _detail(self) -> None:
        keys = self.table.selected_keys()
        steps = self._rows.get(keys[0], ()) if keys else ()
        self.detail.set_rows([(i + 1, s.replace(" | ", " · ")) for i, s in enumerate(steps)])


COUNTS = ("variants", "decision_points", "applications", "variant_entropy_bits", "usual_steps")   # parts not 0..1
BUILD_HOURS, PAYBACK = "bot build h", "payback, months"


def effort_text(c: CandidateRow) -> str:
    """The bot's effort and payback as the analyst reads them: units, scope, and whose build figure it is."""
    e = c.effort
    whose = "your figure" if e.overridden else "the model's estimate"
    pays = (f"pays back in <b>{e.payback_months:g} months</b>" if e.payback_months is not None
            else "<b>never pays back</b> (upkeep exceeds the hours saved)")
    return (f"<b>Bot for {c.id}</b>: {e.build_hours:g} h to build ({whose}, one developer), upkeep "
            f"{e.maintain_hours_per_month:g} h/month; against {c.hours_saved_per_month:g} h/month saved for the team "
            f"it {pays}. A bot would hand back {c.hand_back_rate:.0%} of cases (exceptions) to a person."
            + (" <b>Marked automated</b>: <i>tasklens compare</i> measures the hours it saved." if c.automated else ""))


class CandidatesPage(QWidget):
    """RPA candidates ranked, with score parts, rationale and their instances; accept/reject/rename, the
    analyst's own bot build hours (payback follows at once) and the "automated" mark."""

    decided = Signal(str, str, tuple)     # candidate id, "accepted"|"rejected"|"open", signature
    rename_requested = Signal(str, str, tuple)
    effort_set = Signal(str, object, tuple)       # candidate id, build hours (None: the model's), signature
    automated_set = Signal(str, bool, tuple)      # candidate id, a bot took it over, signature

    def __init__(self) -> None:
        super().__init__()
        self.table = Table(["Rank", "Candidate", "Status", "Instances", "Employees", HOURS_OBSERVED,
                            HOURS_SAVED_TEAM, BUILD_HOURS, PAYBACK, "Automated"], stretch=1)
        self.table.setMinimumHeight(110)
        self.parts = BarChart("Score parts", unit="", digits=2)
        self.rationale = _note()
        self.rationale.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.effort = QLabel()
        self.effort.setWordWrap(True)
        self.hours = QDoubleSpinBox()
        self.hours.setRange(1, 100_000)
        self.hours.setDecimals(0)
        self.hours.setSuffix(" h")
        self.hours.setToolTip("Your estimate of the hours one developer needs to build this candidate's bot")
        set_effort = QPushButton("Set build hours")
        set_effort.clicked.connect(lambda: self._effort(self.hours.value()))
        self.model_effort = QPushButton("Use the model's")
        self.model_effort.clicked.connect(lambda: self._effort(None))
        self.automated = QPushButton("Mark automated")
        self.automated.setCheckable(True)
        self.automated.setToolTip("A bot took this task over: tasklens compare and the Compare tab measure "
                                  "the hours it actually saved against the estimate")
        self.automated.clicked.connect(self._automated)
        self.instances = Table(["Instance", "Employee", "Start (UTC)", "Seconds", "Steps"], stretch=4)
        buttons = QHBoxLayout()
        for text, status in (("Accept", "accepted"), ("Reject", "rejected"), ("Reopen", "open")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=status: self._decide(s))
            buttons.addWidget(b)
        rename = QPushButton("Rename…")
        rename.clicked.connect(self._rename)
        buttons.addWidget(rename)
        buttons.addStretch()
        for widget in (QLabel("Bot build effort"), self.hours, set_effort, self.model_effort, self.automated):
            buttons.addWidget(widget)
        words = QWidget()
        words_layout = QVBoxLayout(words)
        words_layout.setContentsMargins(0, 0, 0, 0)
        words_layout.addWidget(self.effort)
        words_layout.addWidget(self.rationale, 1)
        detail = QSplitter(Qt.Orientation.Horizontal)
        detail.addWidget(words)
        detail.addWidget(self.parts)
        detail.setSizes([760, 480])
        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(self.table)
        body.addWidget(detail)
        body.addWidget(self.instances)
        body.setSizes([170, 220, 250])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(body)
        self.table.selectionModel().selectionChanged.connect(self._detail)
        self._rows: dict[str, CandidateRow] = {}
        self._view: Selection | None = None

    def refresh(self, view: Selection) -> None:
        """Show the candidates; the one the analyst had selected stays selected (a decision refreshes)."""
        was = self.current()
        self._view = view
        self._rows = {c.id: c for c in view.candidates()}
        self.table.set_rows([(c.rank, display_name(c.name), c.status, c.instances, len(c.users), c.hours_observed,
                              c.hours_saved_per_month, round(c.effort.build_hours),
                              c.effort.payback_months if c.effort.payback_months is not None else "never",
                              "yes" if c.automated else "") for c in self._rows.values()], list(self._rows))
        if was is None or not self.table.select_key(was.id):
            self.table.select_first()
        self._detail()

    def current(self) -> CandidateRow | None:
        keys = self.table.selected_keys()
        return self._rows.get(keys[0]) if keys else None

    def _detail(self) -> None:
        c = self.current()
        if c is None or self._view is None:
            self.parts.set_rows([])
            self.rationale.setText("No candidate in this selection.")
            self.effort.setText("")
            self.instances.set_rows([])
            return
        self.effort.setText(effort_text(c))
        self.hours.setValue(c.effort.build_hours)
        self.model_effort.setEnabled(c.effort.overridden)
        self.automated.setChecked(c.automated)
        self.automated.setText("Marked automated" if c.automated else "Mark automated")
        self.parts.title = f"Score parts of {c.id} (0 to 1)"
        shares = {k: v for k, v in c.parts.items() if k not in COUNTS}
        counts = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in c.parts.items() if k in COUNTS)
        self.parts.set_rows([(k.replace("_", " "), v) for k, v in shares.items()])
        self.rationale.setText(f"<b>{c.id}</b> ({c.status}; {counts}): {c.rationale}")
        self.instances.set_rows([(i, u, fmt_time(s), round(d, 1), _steps_text(st, 4))
                                 for i, u, s, d, st in self._view.instances(c.instance_ids[:500])])

    def _decide(self, status: str) -> None:
        c = self.current()
        if c is not None:
            self.decided.emit(c.id, status, c.signature)

    def _rename(self) -> None:
        c = self.current()
        if c is not None:
            self.rename_requested.emit(c.id, c.name, c.signature)

    def _effort(self, hours: float | None) -> None:
        c = self.current()
        if c is not None:
            self.effort_set.emit(c.id, hours, c.signature)

    def _automated(self, on: bool) -> None:
        c = self.current()
        if c is not None:
            self.automated_set.emit(c.id, on, c.signature)


class MapPage(QWidget):
    """The directly-follows graph of the selected instances."""

    def __init__(self) -> None:
        super().__init__()
        self.map = ProcessMapView()
        self.note = _note()
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.map)

    def refresh(self, view: Selection) -> None:
        pm = view.process_map()
        self.map.show_map(pm)
        self.note.setText(f"{len(pm.nodes)} activities and the {len(pm.edges)} most frequent direct successions "
                          "(edge width and number: how often); drag to move, hover for full names")
        self.map.fit()
