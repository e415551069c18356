"""`tasklens tray`: the capture agent with a tray icon, its consent dialog and the employee's controls.

The agent (the same object `tasklens collect` runs) captures on a worker thread; the GUI thread only
draws, answers the menu and reads the last events for "What is recorded". Where no system tray
exists (bare X servers, some desktops) a small status window offers the same menu.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QHideEvent, QIcon, QPainter, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from tasklens.collector.pausing import pause_end
from tasklens.config import Config, ConfigFiles
from tasklens.configedit import add_app_deny
from tasklens.events import Action, Event
from tasklens.gui import style
from tasklens.gui.tables import Table, fmt_time
from tasklens.gui.traylogic import ReloadableExclusions, State, current_app, state_of
from tasklens.store import Store

if TYPE_CHECKING:
    from tasklens.collector.agent import Agent

log = logging.getLogger(__name__)

COLOURS = {State.RECORDING: "#c0392b", State.PAUSED: "#d08c2c", State.NO_CONSENT: "#8a94a0",
           State.ERROR: "#5a1a1a"}
LIVE_ROWS = 200


def state_icon(state: State, size: int = 64) -> QIcon:
    """A round badge: red dot recording, amber bars paused, grey ring no consent, '!' error."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(COLOURS[state])
    r = QRectF(size * 0.08, size * 0.08, size * 0.84, size * 0.84)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    p.drawEllipse(r)
    p.setBrush(colour)
    if state is State.RECORDING:
        p.drawEllipse(r.adjusted(size * 0.14, size * 0.14, -size * 0.14, -size * 0.14))
    elif state is State.PAUSED:
        w = size * 0.14
        p.drawRect(QRectF(size * 0.32, size * 0.28, w, size * 0.44))
        p.drawRect(QRectF(size * 0.54, size * 0.28, w, size * 0.44))
    else:
        p.setPen(colour)
        font = QFont()
        font.setPixelSize(int(size * 0.55))
        font.setBold(True)
        p.setFont(font)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, "!" if state is State.ERROR else "–")
    p.end()
    return QIcon(pm)


class ConsentDialog(QDialog):
    """The organisation's notice; nothing is captured until Accept. With consent given, offers withdraw."""

    def __init__(self, notice: str, consented: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("tasklens: what is recorded and why")
        self.setStyleSheet(style.SHEET)
        self.resize(560, 460)
        text = QTextBrowser()
        text.setPlainText(notice)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        self.delete_box = QCheckBox("Also delete everything recorded about me")
        buttons = QDialogButtonBox()
        if consented:
            self.withdraw_button = buttons.addButton("Withdraw consent", QDialogButtonBox.ButtonRole.DestructiveRole)
            buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
            layout.addWidget(self.delete_box)
            self.withdraw_button.clicked.connect(lambda: self.done(2))
        else:
            self.accept_button = buttons.addButton("Accept and start", QDialogButtonBox.ButtonRole.AcceptRole)
            self.decline_button = buttons.addButton("Decline", QDialogButtonBox.ButtonRole.RejectRole)
            layout.addWidget(QLabel("Nothing is recorded unless you accept. You can pause, see, export or delete "
                                    "your data and withdraw at any time from the tray menu."))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _amount(e: Event) -> str:
    """Count and duration where the event has them (typed characters, scroll steps, idle seconds)."""
    unit = " characters" if e.action is Action.TYPE else "×"
    parts = ([f"{e.count}{unit}"] if e.count else []) + ([f"{e.duration:.1f} s"] if e.duration else [])
    return " in ".join(parts)


class LiveTable(QDialog):
    """The newest events exactly as stored (masked), refreshed every second."""

    COLUMNS = ["Time (UTC)", "Application", "Window title", "Action", "Target (UI element or key)", "Element path",
               "Value", "Amount"]

    def __init__(self, store: Store, user: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.user = store, user
        self.setWindowTitle("tasklens: what is recorded")
        self.setStyleSheet(style.SHEET)
        self.resize(1000, 520)
        self.note = QLabel()
        self.note.setObjectName("note")
        self.table = Table(self.COLUMNS, stretch=2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.refresh()

    def showEvent(self, e: QShowEvent) -> None:   # refresh only while someone looks
        self.timer.start(1000)
        super().showEvent(e)

    def hideEvent(self, e: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(e)

    def refresh(self) -> None:
        events = list(self.store.events(user=self.user, newest_first=True, limit=LIVE_ROWS))
        self.table.set_rows([(fmt_time(e.ts), e.app, e.title, e.action.value, e.target, e.element_path, e.value,
                              _amount(e)) for e in events])
        self.note.setText(f"The last {len(events)} events recorded about you ({self.user}), newest first, exactly "
                          "as they are stored: personal data is replaced by <PLACEHOLDERS> before storing.")


class TrayController(QObject):
    """Owns the agent and its thread; the tray icon or status window shows `state` and offers `menu`."""

    state_changed = Signal(str)
    agent_failed = Signal(str)

    def __init__(self, store: Store, config: Config, user: str, files: ConfigFiles) -> None:
        super().__init__()
        self.store, self.config, self.user, self.files = store, config, user, files
        self.exclusions = ReloadableExclusions(config)
        self.agent: Agent | None = None
        self._thread: threading.Thread | None = None
        self.error = ""
        self.menu = QMenu()
        self._windows: list[QWidget] = []
        self.agent_failed.connect(self._on_failed)
        self._build_menu()
        self.poll = QTimer(self)
        self.poll.timeout.connect(self.update_state)
        self.poll.start(1000)

    # -- state -----------------------------------------------------------------------------------
    def consented(self) -> bool:
        from tasklens.privacy import consent
        return consent.has_consent(self.store, self.user, self.config)

    def state(self) -> State:
        capturing = bool(self.agent is not None and self.agent.capturing)
        return state_of(self.consented(), capturing and self._running(), self.error)

    def _running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def update_state(self) -> None:
        s = self.state()
        self.pause_menu.setEnabled(s is State.RECORDING)
        self.resume_action.setEnabled(s is State.PAUSED)
        self.state_action.setText(f"tasklens: {s.value}" + (f" ({self.error})" if self.error else ""))
        self.state_changed.emit(s.value)

    # -- the agent on its worker thread -------------------------------------------------------------
    def start(self) -> None:
        """Ask for consent if needed, then run the agent on a worker thread."""
        if not self.consented() and not self.ask_consent():
            self.update_state()
            return
        self.start_agent()

    def start_agent(self) -> None:
        if self._running():
            return
        from tasklens.collector.agent import Agent

        self.error = ""
        self.agent = Agent(self.store, self.config, self.user, excluded=self.exclusions.excluded)
        self._thread = threading.Thread(target=self._run_agent, name="tasklens-agent", daemon=True)
        self._thread.start()
        self.update_state()

    def _run_agent(self) -> None:
        agent = self.agent
        assert agent is not None, "start() makes the agent before the thread"
        try:
            agent.start()
            agent.run()
        except Exception as e:   # noqa: BLE001 - shown in the icon; the GUI must stay up
            log.exception("the capture agent stopped")
            self.agent_failed.emit(str(e))
        finally:
            agent.stop(discard=agent.stop_reason == "consent withdrawn")

    def _on_failed(self, message: str) -> None:
        if not self.poll.isActive():   # after shutdown (a failure queued as the tray quit): the store is closed
            return
        self.error = message.splitlines()[0][:200] if message else "capture failed"
        self.update_state()

    def stop_agent(self, timeout: float = 10.0) -> None:
        if self.agent is not None and self._running():
            self.agent.submit("stop")
            self._thread.join(timeout)   # type: ignore[union-attr]
        self.update_state()

    # -- menu ------------------------------------------------------------------------------------------
    def _add(self, menu: QMenu, text: str, slot: Callable[[], object]) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _=False: slot())
        return action

    def _build_menu(self) -> None:
        m = self.menu
        self.state_action = m.addAction("tasklens")
        self.state_action.setEnabled(False)
        m.addSeparator()
        self.pause_menu = m.addMenu("Pause")
        for text, choice in (("for 15 minutes", "15min"), ("for 1 hour", "1h"), ("until tomorrow", "tomorrow")):
            self._add(self.pause_menu, text, functools.partial(self.pause, choice))
        self.resume_action = self._add(m, "Resume", self.resume)
        self._add(m, "Exclude the current application…", self.exclude_current)
        m.addSeparator()
        self._add(m, "What is recorded", self.show_live)
        self._add(m, "Show my data", self.show_my_data)
        self._add(m, "Export my data…", self.export_my_data)
        self._add(m, "Delete my data…", self.delete_my_data)
        self._add(m, "Consent notice and withdraw…", self.consent_dialog)
        m.addSeparator()
        self._add(m, "Open dashboard", self.open_dashboard)
        self._add(m, "Quit", self.quit)

    def pause(self, choice: str) -> None:
        if self.agent is not None:
            self.agent.pause(pause_end(choice))
        self.update_state()

    def resume(self) -> None:
        if self.agent is not None:
            self.agent.resume()
        self.update_state()

    def exclude_current(self) -> None:
        app = current_app(self.store.events(user=self.user, newest_first=True, limit=50))
        if not app:
            QMessageBox.information(None, "tasklens", "No application recorded yet to exclude.")
            return
        if QMessageBox.question(None, "tasklens", f"Stop recording anything in “{app}” from now on?") \
                != QMessageBox.StandardButton.Yes:
            return
        add_app_deny(self.files.user_file(), app)
        self.config = self.files.load()
        self.exclusions.reload(self.config)
        self.store.audit("tray.exclude-app", f"app={app}")

    def _keep(self, w: QWidget) -> QWidget:
        self._windows = [x for x in self._windows if x.isVisible()] + [w]
        w.show()
        w.raise_()
        return w

    def show_live(self) -> LiveTable:
        return self._keep(LiveTable(self.store, self.user))   # type: ignore[return-value]

    def show_my_data(self) -> None:
        from tasklens.events import iso

        n = self.store.count(user=self.user)
        first = next(iter(self.store.events(user=self.user, limit=1)), None)
        decision = self.store.consent(self.user)
        QMessageBox.information(None, "tasklens: my data", (
            f"You appear in the data as {self.user} (a pseudonym).\n"
            f"{n:,} events are stored about you" + (f", since {iso(first.ts)[:16]}Z" if first else "") + ".\n"
            f"Events older than {self.config.retention_days} days are deleted automatically.\n"
            f"Consent: {decision.decision + 'ed' if decision else 'not given'}"
            f"{f' (notice version {decision.notice_version})' if decision else ''}.\n"
            f"Store: {self.store.path} (encrypted).\n\n"
            "“What is recorded” shows the latest events exactly as stored."))

    def export_my_data(self, out: Path | None = None) -> None:
        from tasklens.privacy.rights import export_user

        if out is None:
            path, _ = QFileDialog.getSaveFileName(None, "Export my data", "my-tasklens-data.jsonl")
            if not path:
                return
            out = Path(path)
        n = export_user(self.store, self.user, out)
        log.info("exported %d events of %s to %s", n, self.user, out)

    def delete_my_data(self, confirm: bool = True) -> None:
        from tasklens.privacy.rights import delete_user

        n = self.store.count(user=self.user)
        if confirm and QMessageBox.question(
                None, "tasklens", f"Delete all {n:,} events recorded about you? Capture is paused first; "
                                  "resume it from the menu.") != QMessageBox.StandardButton.Yes:
            return
        if self.agent is not None and self._running():
            self.agent.pause()
        delete_user(self.store, self.user)
        self.update_state()

    def ask_consent(self) -> bool:
        """The notice with Accept / Decline; True once accepted."""
        from tasklens.privacy import consent

        dialog = ConsentDialog(consent.notice(self.config), consented=False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        consent.accept(self.store, self.user, self.config)
        return True

    def consent_dialog(self) -> None:
        from tasklens.privacy import consent

        if not self.consented():
            if self.ask_consent():
                self.start_agent()
            return
        dialog = ConsentDialog(consent.notice(self.config), consented=True)
        if dialog.exec() == 2:
            self.withdraw(delete=dialog.delete_box.isChecked())

    def withdraw(self, delete: bool = False) -> None:
        from tasklens.privacy import consent

        consent.withdraw(self.store, self.user, self.config)   # the agent sees it and stops, discarding its queue
        self.stop_agent()
        if delete:
            from tasklens.privacy.rights import delete_user
            delete_user(self.store, self.user, "consent.withdraw.delete")
        self.update_state()

    def open_dashboard(self) -> None:
        from tasklens.gui.dashboard import Dashboard

        window = Dashboard()
        self._keep(window)
        window.open_store(self.store.path)

    def shutdown(self) -> None:
        """Stop capture (what is queued is written) and the state polling; the store may close after."""
        self.poll.stop()
        for w in self._windows:
            w.close()
        self.stop_agent()

    def quit(self) -> None:
        self.shutdown()
        from PySide6.QtWidgets import QApplication
        QApplication.quit()


class StatusWindow(QWidget):
    """Where no system tray exists: a small window with the state and the same menu."""

    def __init__(self, controller: TrayController) -> None:
        super().__init__()
        self.setWindowTitle("tasklens")
        self.setStyleSheet(style.SHEET)
        self.icon = QLabel()
        self.label = QLabel()
        button = QPushButton("Menu")
        button.setMenu(controller.menu)
        layout = QVBoxLayout(self)
        layout.addWidget(self.icon, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.label, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(button)
        controller.state_changed.connect(self.show_state)
        self.setFixedWidth(240)

    def show_state(self, state: str) -> None:
        self.icon.setPixmap(state_icon(State(state)).pixmap(48, 48))
        self.label.setText(f"tasklens: {state}")


class Tray:
    """The icon in the system tray, or the status window; both follow the controller's state."""

    def __init__(self, controller: TrayController) -> None:
        self.controller = controller
        self.icon: QSystemTrayIcon | None = None
        self.window: StatusWindow | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.icon = QSystemTrayIcon(state_icon(State.NO_CONSENT))
            self.icon.setContextMenu(controller.menu)
            controller.state_changed.connect(self._show)
            self.icon.show()
        else:
            log.info("no system tray here: showing a status window")
            self.window = StatusWindow(controller)
            self.window.show()

    def _show(self, state: str) -> None:
        assert self.icon is not None
        self.icon.setIcon(state_icon(State(state)))
        self.icon.setToolTip(f"tasklens: {state}")



def run_tray(store_path: Path, files: ConfigFiles, duration: float | None = None) -> int:
    """Open the store, show the tray (or status window), start capture once consented; run until quit
    (or for `duration` seconds) and stop capture so every queued event is written."""
    from tasklens.gui.app import application
    from tasklens.identity import store_pseudonym

    app = application()
    app.setQuitOnLastWindowClosed(False)
    config = files.load()
    with Store.open(store_path) as store:
        controller = TrayController(store, config, store_pseudonym(store), files)
        tray = Tray(controller)
        QTimer.singleShot(0, controller.start)
        if duration:
            QTimer.singleShot(int(duration * 1000), controller.quit)
        code = app.exec()
        controller.shutdown()
        del tray
    return code
