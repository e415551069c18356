"""Appended events/s: the SQLCipher store against plain sqlite3, same schema and batches, one run.

Prints medians over --repeat runs of --events events in batches of --batch, and the ratio.
Target (issue 2): >= 100,000 events/s in batches, SQLCipher >= 0.8x plain sqlite3.
"""

from __future__ import annotations

import argparse
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tasklens.events import Action, Event
from tasklens.schema import MIGRATIONS
from tasklens.store import Store
from tasklens.storekey import Key

APPS = ["excel", "sapgui", "firefox", "thunderbird", "slack"]


def make(n: int) -> list[Event]:
    return [Event(1_790_000_000.0 + i * 0.7, f"emp-{i % 50:03d}", APPS[i % 5],
                  f"Invoice <EMAIL_ADDRESS> {i % 300} - {APPS[i % 5]}", Action.CLICK, f"button{i % 9}")
            for i in range(n)]


def sqlcipher_rate(events: list[Event], batch: int, folder: Path) -> float:
    key = Key(secrets.token_hex(32), True, "bench")
    with Store(folder / f"c-{secrets.token_hex(3)}.db", key) as s:
        t = time.perf_counter()
        for i in range(0, len(events), batch):
            s.append(events[i:i + batch])
        return len(events) / (time.perf_counter() - t)


def sqlite_rate(events: list[Event], batch: int, folder: Path) -> float:
    """The same inserts through stdlib sqlite3, no encryption: the reference."""
    db = sqlite3.connect(folder / f"p-{secrets.token_hex(3)}.db", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    for m in MIGRATIONS:
        db.executescript(m)
    sql = ("INSERT INTO events (ts, user, app, title, action, target, value, duration, count, source_row) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    t = time.perf_counter()
    for i in range(0, len(events), batch):
        rows = [(e.ts, e.user, e.app, e.title, e.action.value, e.target, e.value, e.duration, e.count,
                 e.source_row) for e in events[i:i + batch]]
        db.execute("BEGIN IMMEDIATE")
        db.executemany(sql, rows)
        db.execute("COMMIT")
    rate = len(events) / (time.perf_counter() - t)
    db.close()
    return rate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    events = make(a.events)
    runs: dict[str, list[float]] = {"sqlcipher": [], "sqlite3": []}
    impls: dict[str, Callable[[list[Event], int, Path], float]] = {"sqlcipher": sqlcipher_rate, "sqlite3": sqlite_rate}
    with tempfile.TemporaryDirectory() as d:
        for _ in range(a.repeat):          # interleaved so both see the same machine load
            for name, f in impls.items():
                runs[name].append(f(events, a.batch, Path(d)))
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{a.events} events in batches of {a.batch}, median of {a.repeat} runs")
    for k, v in med.items():
        print(f"  {k:<10} {v:>10,.0f} events/s   (runs: {', '.join(f'{x:,.0f}' for x in runs[k])})")
    print(f"  ratio sqlcipher/sqlite3: {med['sqlcipher'] / med['sqlite3']:.2f}  (target >= 0.80)")
    print(f"  target >= 100,000 events/s: {'met' if med['sqlcipher'] >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
