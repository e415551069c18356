"""The pipeline on a real store: batching within the flush period, overflow counting, write retries."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from fakes import CopyMasker, never

from tasklens.collector.pipeline import Pipeline
from tasklens.errors import StoreWriteError
from tasklens.events import Action, Event, RawEvent
from tasklens.store import Store


def _click(i: int) -> RawEvent:
    return RawEvent(time.time(), "emp-1", "xterm", f"window {i % 3}", Action.CLICK, "left", "1,2", count=1)


def test_events_reach_the_store_within_the_flush_period_in_batches(store_path: Path) -> None:
    with Store.open(store_path) as store:
        masker = CopyMasker()
        pipe = Pipeline(store, masker, never, flush_every=0.5)
        pipe.start()
        for i in range(40):
            pipe.put(_click(i))
            time.sleep(0.02)
        time.sleep(0.7)
        assert store.count() == 40          # without stopping: the writer flushed on its own
        pipe.stop()
        assert masker.calls <= 6            # ~0.8 s of input: a handful of batches, not 40 writes
        stats = pipe.stats.summary()
        assert stats["written"] == 40 and stats["dropped"] == 0
        assert 0 <= stats["latency_p95_s"] <= 0.75   # type: ignore[operator]
        assert [e.title for e in store.events()] == [f"window {i % 3}" for i in range(40)]


def test_a_slow_masker_never_blocks_put_and_overflow_is_counted_and_logged(
        store_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Store.open(store_path) as store:
        pipe = Pipeline(store, CopyMasker(delay=0.5), never, maxsize=50, flush_every=0.1)
        pipe.start()
        started = time.perf_counter()
        for i in range(500):
            pipe.put(_click(i))
        took = time.perf_counter() - started
        with caplog.at_level(logging.WARNING, logger="tasklens.collector.pipeline"):
            pipe.stop()
        stats = pipe.stats.summary()
        assert took < 0.2                    # 500 puts while the masker sleeps: no waiting
        assert stats["dropped"] > 0
        assert stats["written"] + stats["dropped"] == 500 == store.count() + stats["dropped"]
        assert any("dropped" in r.getMessage() for r in caplog.records)


class FlakyStore:
    """A real store whose first appends fail the way a full disk does."""

    def __init__(self, store: Store, failures: int) -> None:
        self.store, self.failures = store, failures
        self.lock = threading.Lock()

    def append(self, events: Sequence[Event]) -> int:
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise StoreWriteError("3 events not written: the disk is full")
        return self.store.append(events)


def test_a_refused_batch_is_kept_and_retried(store_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Store.open(store_path) as store:
        pipe = Pipeline(FlakyStore(store, failures=2), CopyMasker(), never, flush_every=0.1)
        with caplog.at_level(logging.WARNING, logger="tasklens.collector.pipeline"):
            pipe.start()
            for i in range(3):
                pipe.put(_click(i))
            time.sleep(0.5)
            pipe.stop()
        assert store.count() == 3
        assert pipe.stats.write_failures == 2
        assert sum("keeping 3 events to retry" in r.getMessage() for r in caplog.records) == 2


def test_stop_with_discard_writes_nothing_more(store_path: Path) -> None:
    with Store.open(store_path) as store:
        pipe = Pipeline(store, CopyMasker(), never, flush_every=10)
        pipe.start()
        for i in range(5):
            pipe.put(_click(i))
        pipe.stop(discard=True)
        assert store.count() == 0
