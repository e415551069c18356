"""Analysing a store off the GUI thread, with progress and cancel.

The worker calls `run_analysis`, the producer the CLI uses too (decisions kept with the analysis honoured,
`source_row` set, the run audited in the folder). It reports progress between stages; cancelling takes
effect at the next report (the stage running finishes first), and nothing is written for a cancelled run.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal

from tasklens.analyzer.run import Cancelled, Inputs, run_analysis
from tasklens.errors import TasklensError
from tasklens.storekey import Key

log = logging.getLogger(__name__)


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

    def run(self) -> None:
        try:
            run_analysis(Inputs([self.store], store_key=self.key, audit_as="dashboard.analyze"), self.out,
                         masker=None, progress=self.progress.emit, cancel=self._cancel.is_set)
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
