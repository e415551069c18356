"""Analysing a store off the GUI thread, with progress and cancel.

The analyzer reports progress between its stages; cancelling takes effect at the next report (the
stage running finishes first), and nothing is written for a cancelled run.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal

from tasklens.errors import TasklensError
from tasklens.storekey import Key

log = logging.getLogger(__name__)


class Cancelled(TasklensError):
    """The analyst cancelled the run."""


def analysis_dir_for(store: Path) -> Path:
    """Where the dashboard keeps the analysis of a store (and the analyst's decisions): beside it."""
    return store.with_name(store.stem + "-analysis")


class AnalyseStore(QObject):
    """Load a store's events, analyse them, write the analysis folder; emits `done(folder)` or `failed(msg)`."""

    progress = Signal(str, int, int)
    done = Signal(str)
    failed = Signal(str)

    def __init__(self, store: Path, key: Key, out: Path) -> None:
        super().__init__()
        self.store, self.key, self.out = store, key, out
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def _report(self, stage: str, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled("analysis cancelled")
        self.progress.emit(stage, done, total)

    def run(self) -> None:
        from tasklens.analyzer.outputs import write_all
        from tasklens.analyzer.pipeline import analyze
        from tasklens.store import Store

        try:
            self._report("reading the store", 0, 1)
            with Store(self.store, self.key, create=False) as store:
                events = list(store.events())
                store.audit("dashboard.analyze", f"events={len(events)}")
            self._report("reading the store", 1, 1)
            analysis = analyze(events, progress=self._report)
            self._report("writing the results", 0, 1)
            write_all(analysis, self.out)
            self.done.emit(str(self.out))
        except Cancelled:
            self.failed.emit("cancelled")
        except TasklensError as e:
            self.failed.emit(str(e))
        except Exception as e:   # noqa: BLE001 - shown to the analyst, logged with its traceback
            log.exception("analysis failed")
            self.failed.emit(f"analysis failed: {type(e).__name__}: {e}")


def start(job: AnalyseStore) -> QThread:
    """Run `job` on a new thread; the thread quits when the job is done or failed."""
    thread = QThread()
    job.moveToThread(thread)
    thread.started.connect(job.run)
    job.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)     # quit is thread-safe: no need
    job.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)   # for the GUI loop to deliver it
    thread.start()
    return thread
