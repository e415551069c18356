"""The analyst dashboard: open an analysis folder or a store, filter, review, decide, export."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QDate, QThread
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from tasklens.analyzer import decisions as dec
from tasklens.analyzer.selection import SPLIT_BASE, Filters, Selection
from tasklens.errors import TasklensError
from tasklens.gui import exports, style
from tasklens.gui.compare_view import ComparePage
from tasklens.gui.exceptions_view import ExceptionsPage
from tasklens.gui.model import AnalysisData, display_name
from tasklens.gui.views import CandidatesPage, MapPage, OverviewPage, RoutinesPage, TaskTypesPage

log = logging.getLogger(__name__)

PAGES = ("overview", "task-types", "routines", "candidates", "process-map", "exceptions", "compare")


class ChoiceButton(QToolButton):
    """A drop-down of checkable names; `chosen()` is None when all are checked."""

    def __init__(self, what: str, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.what, self.on_change = what, on_change
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.names: list[str] = []

    def set_names(self, names: list[str]) -> None:
        self.names = names
        menu = self.menu()
        menu.clear()
        menu.addAction("All", lambda: self._all(True))
        menu.addAction("None", lambda: self._all(False))
        menu.addSeparator()
        for n in names:
            a = menu.addAction(n or "(none)")
            a.setCheckable(True)
            a.setChecked(True)
            a.setData(n)
            a.toggled.connect(self._changed)
        self._label()

    def _all(self, on: bool) -> None:
        for a in self._actions():
            a.blockSignals(True)
            a.setChecked(on)
            a.blockSignals(False)
        self._changed()

    def _actions(self) -> list[QAction]:
        return [a for a in self.menu().actions() if a.isCheckable()]

    def set_chosen(self, chosen: set[str] | None) -> None:
        for a in self._actions():
            a.blockSignals(True)
            a.setChecked(chosen is None or a.data() in chosen)
            a.blockSignals(False)
        self._changed()

    def chosen(self) -> frozenset[str] | None:
        on = frozenset(a.data() for a in self._actions() if a.isChecked())
        return None if len(on) == len(self.names) else on

    def _label(self) -> None:
        c = self.chosen()
        self.setText(f"{self.what}: all {len(self.names)}" if c is None else f"{self.what}: {len(c)} of {len(self.names)}")

    def _changed(self) -> None:
        self._label()
        self.on_change()


def _qdate(ts: float) -> QDate:
    d = datetime.fromtimestamp(ts, tz=timezone.utc)
    return QDate(d.year, d.month, d.day)


def _epoch(d: QDate) -> float:
    return datetime(d.year(), d.month(), d.day(), tzinfo=timezone.utc).timestamp()


class Dashboard(QMainWindow):
    """The analyst's window: filters over an opened analysis, one page per view, decisions and exports."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("tasklens dashboard")
        self.setStyleSheet(style.SHEET)
        self.data: AnalysisData | None = None
        self.decisions = dec.Decisions()
        self.view: Selection | None = None
        self._thread: QThread | None = None
        self._dirty: set[str] = set()        # pages to refresh when next shown
        self._build()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        bar = self.addToolBar("main")
        bar.setMovable(False)
        bar.addAction("Open analysis…", self.choose_analysis)
        bar.addAction("Open store…", self.choose_store)
        export = QToolButton()
        export.setText("Export")
        export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(export)
        menu.addAction("HTML report…", lambda: self._export("HTML report", "report.html", exports.write_html))
        menu.addAction("CSV of events…", lambda: self._export("CSV", "events.csv", exports.write_csv))
        menu.addAction("XES log…", lambda: self._export("XES", "log.xes", exports.write_xes))
        menu.addAction("Admin aggregate report…", self._export_aggregate)
        export.setMenu(menu)
        bar.addWidget(export)

        self.since, self.until = QDateEdit(), QDateEdit()
        for w in (self.since, self.until):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.dateChanged.connect(self.apply_filters)
        self.employees = ChoiceButton("Employees", self.apply_filters)
        self.applications = ChoiceButton("Applications", self.apply_filters)
        self.task_types = ChoiceButton("Task types", self.apply_filters)
        self._type_ids: dict[str, int] = {}   # the task-type menu's labels -> ids (decisions applied)
        reset = QPushButton("Reset filters")
        reset.clicked.connect(self.reset_filters)
        filters = QHBoxLayout()
        widgets: tuple[QWidget, ...] = (QLabel("From"), self.since, QLabel("to"), self.until, self.employees,
                                        self.applications, self.task_types, reset)
        for widget in widgets:
            filters.addWidget(widget)
        filters.addStretch()
        self.source_label = QLabel("Open an analysis folder or a store.")
        self.source_label.setObjectName("note")
        filters.addWidget(self.source_label)

        self.pages = {"overview": OverviewPage(), "task-types": TaskTypesPage(), "routines": RoutinesPage(),
                      "candidates": CandidatesPage(), "process-map": MapPage(),
                      "exceptions": ExceptionsPage(self._folder), "compare": ComparePage(self._folder)}
        self.tabs = QTabWidget()
        for key, title in zip(PAGES, ("Overview", "Task types", "Routines", "RPA candidates", "Process map",
                                            "Exceptions", "Compare")):
            self.tabs.addTab(self.pages[key], title)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_current())
        cands: CandidatesPage = self.pages["candidates"]   # type: ignore[assignment]
        cands.decided.connect(self.decide)
        cands.rename_requested.connect(self._rename)
        cands.effort_set.connect(self.set_effort)
        cands.automated_set.connect(self.mark_automated)
        types: TaskTypesPage = self.pages["task-types"]   # type: ignore[assignment]
        types.merge_requested.connect(self._merge)
        types.split_requested.connect(self._split)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(filters)
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)
        self.resize(1280, 800)

    def _folder(self) -> Path | None:
        """The open analysis folder (the Exceptions and Compare pages keep and read files there)."""
        return self.data.folder if self.data else None

    # -- opening ---------------------------------------------------------------------------------
    def open_source(self, source: Path) -> None:
        """An analysis folder opens directly; a store file is analysed first."""
        if source.is_dir():
            self.open_analysis(source)
        else:
            self.open_store(source)

    def open_analysis(self, folder: Path) -> None:
        self.data = AnalysisData.load(folder)
        self.decisions = dec.load(folder)
        lo, hi = self.data.span
        for w in (self.since, self.until):
            w.blockSignals(True)
            w.setDateRange(_qdate(lo), _qdate(hi))
        self.since.setDate(_qdate(lo))
        self.until.setDate(_qdate(hi))
        for w in (self.since, self.until):
            w.blockSignals(False)
        self.employees.set_names(sorted(self.data.users))
        self.applications.set_names(sorted(self.data.apps))
        self._list_task_types()
        self.source_label.setText(f"{folder.name}: {len(self.data.events.ts):,} events")
        self.setWindowTitle(f"tasklens dashboard — {folder}")
        self.apply_filters()

    def choose_analysis(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open an analysis folder")
        if folder:
            self._guard(self.open_analysis, Path(folder))

    def choose_store(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a tasklens store", "", "tasklens store (*.db);;All files (*)")
        if path:
            self._guard(self.open_store, Path(path))

    def open_store(self, store: Path, key_text: str | None = None) -> None:
        """Ask for the key if the environment and keyring have none, then analyse on a worker thread."""
        from tasklens import storekey
        from tasklens.errors import KeyUnavailableError
        from tasklens.gui import worker

        try:
            key = storekey.from_text(key_text, "prompt") if key_text else storekey.resolve(store, create=False)
        except KeyUnavailableError:
            text, ok = QInputDialog.getText(self, "Key for the store",
                                            f"The key for {store.name} (64 hex digits or the passphrase):",
                                            QLineEdit.EchoMode.Password)
            if not ok or not text:
                return
            key = storekey.from_text(text, "prompt")
        self.job = worker.AnalyseStore(store, key, worker.analysis_dir_for(store))
        self.progress = QProgressDialog("Analysing…", "Cancel", 0, 100, self)
        self.progress.setWindowTitle("tasklens analysis")
        self.progress.setMinimumDuration(0)
        self.progress.canceled.connect(self.job.cancel)
        self.job.progress.connect(self._progress)
        self.job.done.connect(self._analysed)
        self.job.failed.connect(self._failed)
        self._thread = worker.start(self.job)

    def _analysed(self, folder: str) -> None:
        self.progress.reset()
        self._guard(self.open_analysis, Path(folder))

    def _progress(self, stage: str, done: int, total: int) -> None:
        stages = ("reading the store", "activities", "segmentation", "task types", "routines", "process map",
                  "writing the results")
        k = stages.index(stage) if stage in stages else 0
        self.progress.setLabelText(f"{stage} ({done}/{total})")
        self.progress.setValue(int(100 * (k + done / max(total, 1)) / len(stages)))

    def _failed(self, message: str) -> None:
        self.progress.reset()
        if message != "cancelled":
            QMessageBox.warning(self, "tasklens", message)

    def _guard(self, func: Callable[..., object], *args: object) -> None:
        try:
            func(*args)
        except TasklensError as e:
            QMessageBox.warning(self, "tasklens", str(e))

    # -- filters -----------------------------------------------------------------------------------
    def filters(self) -> Filters:
        types = self.task_types.chosen()
        return Filters(_epoch(self.since.date()), _epoch(self.until.date().addDays(1)),
                       self.employees.chosen(), self.applications.chosen(),
                       None if types is None else frozenset(self._type_ids[n] for n in types))

    def _list_task_types(self) -> None:
        """The task types of the whole analysis, the analyst's merges and splits applied, in the filter."""
        if self.data is None:
            return
        types = self.data.select(Filters(), self.decisions).task_types()
        self._type_ids = {f"{display_name(t.name, 40)} (#{t.id})": t.id for t in types}
        self.task_types.set_names(list(self._type_ids))

    def set_filters(self, f: Filters) -> None:
        """Set the filter widgets (the views follow)."""
        if f.since is not None:
            self.since.setDate(_qdate(f.since))
        if f.until is not None:
            self.until.setDate(_qdate(f.until - 1))
        self.employees.set_chosen(set(f.users) if f.users is not None else None)
        self.applications.set_chosen(set(f.apps) if f.apps is not None else None)
        self.task_types.set_chosen(None if f.task_types is None else
                                   {n for n, t in self._type_ids.items() if t in f.task_types})

    def reset_filters(self) -> None:
        if self.data is not None:
            self.set_filters(Filters(*self.data.span[:1], self.data.span[1] + 1))

    def apply_filters(self) -> None:
        if self.data is None:
            return
        self.view = self.data.select(self.filters(), self.decisions)
        self._dirty = set(PAGES)
        self._refresh_current()

    def _refresh_current(self) -> None:
        key = PAGES[self.tabs.currentIndex()]
        if self.view is not None and key in self._dirty:
            self.pages[key].refresh(self.view)   # type: ignore[attr-defined]
            self._dirty.discard(key)

    # -- decisions ---------------------------------------------------------------------------------
    def _save_decisions(self, joined: frozenset[int] = frozenset()) -> None:
        """Save, list the task types again (merges and splits change them) and keep the analyst's choice of
        types in the filter: a type chosen before is still chosen, and where a chosen type is among
        `joined` (the types of a merge, the type of a split), so are the types the decision made of it."""
        if self.data is not None:
            dec.save(self.data.folder, self.decisions)
        chosen, before = self.filters().task_types, set(self._type_ids.values())
        self._list_task_types()
        if chosen is None:
            self.apply_filters()
            return
        now = set(self._type_ids.values())
        keep = (chosen & now) | ((joined & now) | (now - before) if chosen & joined else set())
        self.task_types.set_chosen({n for n, t in self._type_ids.items() if t in keep})   # applies the filters

    def decide(self, cid: str, status: str, signature: tuple[str, ...]) -> None:
        """Keep the analyst's decision about a candidate under its signature (ids change between runs)."""
        self.decisions.set_status(signature, status, cid=cid)
        self._save_decisions()

    def rename(self, cid: str, name: str, signature: tuple[str, ...]) -> None:
        self.decisions.rename(signature, name, cid=cid)
        self._save_decisions()

    def set_effort(self, cid: str, hours: float | None, signature: tuple[str, ...]) -> None:
        """The analyst's build hours for a candidate's bot (None: the model's again); payback follows at once,
        and the next analysis of this folder writes the same figures to report.json and report.html."""
        self.decisions.set_effort(signature, hours, cid=cid)
        self._save_decisions()

    def mark_automated(self, cid: str, automated: bool, signature: tuple[str, ...]) -> None:
        """A bot took the candidate over (or not): `tasklens compare` and the Compare tab measure its saving."""
        self.decisions.set_automated(signature, automated, cid=cid)
        self._save_decisions()

    def merge(self, types: list[int], name: str = "") -> None:
        self.decisions.merge(types, [self._signature(t) for t in types], name)
        self._save_decisions(frozenset(types))

    def split(self, type_id: int, variants: list[tuple[str, ...]], name: str = "") -> None:
        self.decisions.split(type_id, variants, name)
        self._save_decisions(frozenset({type_id}))

    def _signature(self, type_id: int) -> tuple[str, ...]:
        """A task type's main steps: the analyzer's signature, or for a type split off here, its most
        common variant over the whole analysis (not only the filtered part)."""
        if self.data is None:
            return ()
        if type_id < SPLIT_BASE:
            return self.data.result.task_type(type_id).signature
        types = {t.id: t for t in self.data.select(Filters(), self.decisions).task_types()}
        return types[type_id].variants[0][0] if type_id in types else ()

    def _rename(self, cid: str, current: str, signature: tuple[str, ...]) -> None:
        name, ok = QInputDialog.getText(self, "Rename candidate", f"A name for {cid}:", text=current)
        if ok and name.strip():
            self.rename(cid, name, signature)

    def _merge(self, types: list[int]) -> None:
        if len(types) < 2:
            QMessageBox.information(self, "Merge task types", "Select two or more task types to merge.")
            return
        name, ok = QInputDialog.getText(self, "Merge task types", f"A name for the merged type ({len(types)} types):")
        if ok:
            self.merge(types, name)

    def _split(self, type_id: int, variants: list[tuple[str, ...]]) -> None:
        name, ok = QInputDialog.getText(self, "Split task type", f"A name for the new type ({len(variants)} variants):")
        if ok:
            self.split(type_id, variants, name)

    # -- exports -----------------------------------------------------------------------------------
    def _export(self, what: str, default: str, write: Callable[[Selection, Path], Path]) -> None:
        if self.view is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, f"Export {what}", default)
        if path:
            try:
                write(self.view, Path(path))
            except TasklensError as e:   # a folder in the way, a read-only place: say so, nothing is left
                QMessageBox.warning(self, "tasklens", str(e))
                return
            self.statusBar().showMessage(f"{what} written to {path}", 8000)

    def _export_aggregate(self, out: Path | None = None, allow_unverified: bool | None = None) -> None:
        """The admin report (figures over at least `constants.MIN_USERS` employees only) of the analysis as opened.

        An analysis with people no enrolled signer proves is refused, unless the analyst agrees (asked
        here when `allow_unverified` is None) to a report that says its counts are unverified.
        """
        from tasklens.analyzer.adminreport import write_admin_report
        from tasklens.analyzer.aggregate import unverified_users
        from tasklens.gui.pdf import html_to_pdf

        if self.data is None:
            return
        if out is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export the admin aggregate report", "admin-report.html",
                                                  "HTML (*.html);;PDF (*.pdf);;CSV (*.csv)")
            if not path:
                return
            out = Path(path)
        if allow_unverified is None:
            try:
                unproven = unverified_users(self.data.folder)
            except TasklensError as e:
                QMessageBox.warning(self, "tasklens", str(e))
                return
            allow_unverified = bool(unproven) and QMessageBox.question(
                self, "Unverified employees",
                f"{len(unproven)} people in this analysis come from inputs that cannot prove who is behind "
                "them (CSV, XES, a store): one person may count as several. Write the report anyway, marked "
                "as unverified?") == QMessageBox.StandardButton.Yes
        try:
            write_admin_report(self.data.folder, out, allow_unverified=allow_unverified, pdf=html_to_pdf)
        except TasklensError as e:
            QMessageBox.warning(self, "tasklens", str(e))
            return
        self.statusBar().showMessage(f"admin report written to {out}", 8000)

    # -- screenshots -------------------------------------------------------------------------------
    def screenshots(self, file: Path) -> list[Path]:
        """Render every page to FILE-<page>.png (1280x800)."""
        app = QApplication.instance()
        assert app is not None, "a dashboard exists only inside a QApplication"
        written = []
        self.resize(1280, 800)
        self.show()
        for i, key in enumerate(PAGES):
            self.tabs.setCurrentIndex(i)
            app.processEvents()
            if key == "process-map":
                self.pages[key].map.fit()   # type: ignore[attr-defined]
                app.processEvents()
            out = file.with_name(f"{file.stem}-{key}{file.suffix or '.png'}")
            if not self.grab().save(str(out)):   # Qt says no more than False
                raise TasklensError(f"cannot write {out}: make sure its folder exists and is writable")
            written.append(out)
        return written
