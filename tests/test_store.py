"""The encrypted store: round trip, encryption on disk, migrations, concurrency and every bad input."""

from __future__ import annotations

import hashlib
import secrets
import subprocess
import threading
from pathlib import Path

import pytest
import sqlcipher3
from helpers import make_events, raw_bytes, run_cli

from tasklens import storekey
from tasklens.errors import StoreOpenError, StoreWriteError
from tasklens.events import Action, Event, RawEvent
from tasklens.schema import LATEST, MIGRATIONS
from tasklens.store import Store


def test_round_trip_keeps_every_field(store_path: Path) -> None:
    written = [Event(1_790_000_000.5, "emp-a", "sapgui", "Enter Vendor Invoice", Action.TYPE, "Amount", "",
                     1.25, 8, 17),
               Event(1_790_000_001.0, "emp-b", "excel", "Book1 - Excel", Action.PASTE, "cell")]
    with Store.open(store_path) as s:
        assert s.append(written) == 2
    with Store.open(store_path, create=False) as s:
        back = list(s.events())
    assert [e.id for e in back] == [1, 2]
    for w, b in zip(written, back):
        assert (b.ts, b.user, b.app, b.title, b.action, b.target, b.duration, b.count, b.source_row) == \
               (w.ts, w.user, w.app, w.title, w.action, w.target, w.duration, w.count, w.source_row)


def test_filters_by_time_user_and_app(store_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(10, "emp-a") + make_events(5, "emp-b", app="mail", t0=1_790_000_100.0))
        assert s.count(user="emp-a") == 10
        assert s.count(app="mail") == 5
        assert [e.ts for e in s.events(since=1_790_000_003.0, until=1_790_000_006.0)] == [
            1_790_000_003.0, 1_790_000_004.0, 1_790_000_005.0]
        assert [e.user for e in s.events(limit=2, newest_first=True)] == ["emp-b", "emp-b"]


def test_raw_events_are_refused(store_path: Path) -> None:
    with Store.open(store_path) as s, pytest.raises(TypeError, match="masked Event"):
        s.append([RawEvent(1.0, "u", "app", "jane@example.com", Action.FOCUS)])  # type: ignore[list-item]


def test_canary_never_reaches_disk_in_the_clear(store_path: Path) -> None:
    canary = "CANARY-7f3a9e-" + secrets.token_hex(4)
    with Store.open(store_path) as s:
        s.append(make_events(2000, title=f"Report {canary} - Writer"))
        wal = Path(f"{store_path}-wal")
        assert wal.exists() and wal.stat().st_size > 0, "the batch should sit in the WAL before a checkpoint"
        assert canary.encode() not in raw_bytes(store_path)
        assert canary in next(s.events()).title
    assert canary.encode() not in raw_bytes(store_path)


def test_wrong_key_is_one_clear_line_and_leaves_the_file_untouched(store_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(10))
    before = hashlib.sha256(store_path.read_bytes()).hexdigest()
    r = run_cli("store", "show", "--store", str(store_path), env={"TASKLENS_KEY": secrets.token_hex(32)})
    assert r.returncode == 2
    assert r.stderr == f"tasklens: error: cannot open store {store_path}: wrong key or not a tasklens store\n"
    assert r.stdout == ""
    assert hashlib.sha256(store_path.read_bytes()).hexdigest() == before


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(b"hello " * 2000)
    r = run_cli("store", "info", "--store", str(junk))
    assert r.returncode == 2 and "not a tasklens store" in r.stderr
    assert junk.read_bytes() == b"hello " * 2000


def test_plain_sqlite_database_is_not_a_store(tmp_path: Path) -> None:
    import sqlite3
    db = tmp_path / "plain.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreOpenError, match="wrong key or not a tasklens store"):
        Store.open(db, create=False)


@pytest.mark.parametrize("cut", [0.5, 0.37])   # at a page boundary and mid-page
def test_truncated_store_reports_damage(store_path: Path, cut: float) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(50_000))
        s.vacuum()
    size = store_path.stat().st_size
    with store_path.open("r+b") as f:
        f.truncate(int(size * cut) // 4096 * 4096 if cut == 0.5 else int(size * cut))
    r = run_cli("store", "show", "--store", str(store_path))
    assert r.returncode == 2
    assert "damaged" in r.stderr and "restore it from a backup" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_empty_file_is_reported(store_path: Path) -> None:
    store_path.write_bytes(b"")
    r = run_cli("store", "info", "--store", str(store_path))
    assert r.returncode == 2 and "the file is empty" in r.stderr


def test_missing_store_is_reported_and_not_created(store_path: Path) -> None:
    r = run_cli("store", "show", "--store", str(store_path))
    assert r.returncode == 2 and "no such file" in r.stderr
    assert not store_path.exists()


def test_newer_schema_is_refused_untouched(store_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(3))
        s._db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")  # a future tasklens wrote it
    before = hashlib.sha256(store_path.read_bytes()).hexdigest()
    r = run_cli("store", "show", "--store", str(store_path))
    assert r.returncode == 2
    assert "schema version 99, newer than this tasklens understands" in r.stderr and "upgrade tasklens" in r.stderr
    assert hashlib.sha256(store_path.read_bytes()).hexdigest() == before


def test_migration_from_schema_1_keeps_events(store_path: Path) -> None:
    key = storekey.resolve(store_path, create=True)
    db = sqlcipher3.connect(str(store_path), isolation_level=None)
    db.execute(f"PRAGMA key = {key.pragma()}")
    db.executescript(MIGRATIONS[0])
    db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    db.executemany("INSERT INTO events (ts, user, app, title, action, target) VALUES (?, ?, ?, ?, ?, ?)",
                   [(1_790_000_000.0 + i, "emp-old", "excel", "Sheet1", "click", "cell") for i in range(100)])
    db.close()
    with Store.open(store_path, create=False) as s:
        events = list(s.events())
        assert len(events) == 100 and events[0].duration == 0.0 and events[0].count == 0
        s.record_consent("emp-old", "1", "accept")   # tables added by migration 2 work
        assert s.consent("emp-old") is not None
        assert s._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(LATEST)


def test_reader_sees_only_whole_batches_while_writing(store_path: Path) -> None:
    Store.open(store_path).close()
    batches, size = 40, 1000
    seen: list[int] = []

    def write() -> None:
        with Store.open(store_path, create=False) as w:
            for b in range(batches):
                w.append(make_events(size, t0=1_790_000_000.0 + b * size))

    writer = threading.Thread(target=write)
    with Store.open(store_path, create=False) as r:
        writer.start()
        while writer.is_alive():
            seen.append(r.count())
        writer.join()
        seen.append(r.count())
    assert seen[-1] == batches * size
    assert all(n % size == 0 for n in seen), "a reader saw a half-written batch"
    assert seen == sorted(seen) and len(set(seen)) > 2, "the reader should have seen the store grow"


def _mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {r.stderr.decode().strip()}")


def test_disk_full_loses_no_acknowledged_event(tmp_path: Path) -> None:
    disk = tmp_path / "small-disk"
    _mount_tmpfs(disk, "3m")
    try:
        path = disk / "events.db"
        acknowledged = 0
        with Store.open(path) as s, pytest.raises(StoreWriteError, match="disk is full"):
            for b in range(1000):
                acknowledged += s.append(make_events(500, t0=1_790_000_000.0 + b * 500,
                                                     title="Quarterly figures " + "x" * 80))
        assert acknowledged > 0
        with Store.open(path, create=False) as s:
            assert s.count() == acknowledged
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_read_only_folder_gives_a_clear_message(tmp_path: Path) -> None:
    disk = tmp_path / "ro-disk"
    _mount_tmpfs(disk, "8m")
    try:
        path = disk / "events.db"
        with Store.open(path) as s:
            s.append(make_events(100))
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = run_cli("store", "show", "--store", str(path))
        assert r.returncode != 0 or r.stdout.count("\n") == 100
        if r.returncode != 0:
            assert len(r.stderr.strip().splitlines()) == 1 and "not writable" in r.stderr
        r = run_cli("store", "info", "--store", str(disk / "new.db"))
        assert r.returncode == 2 and "no such file" in r.stderr
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _damage_a_middle_page(store_path: Path) -> None:
    """Flip bytes inside one page in the middle of the file: its HMAC no longer matches."""
    with Store.open(store_path) as s:
        s.append(make_events(20_000))
        s.vacuum()
    pages = store_path.stat().st_size // 4096
    with store_path.open("r+b") as f:
        f.seek((pages // 2) * 4096 + 100)
        f.write(b"\xff" * 64)


@pytest.mark.parametrize("command", [["store", "info"], ["store", "show"], ["store", "show", "--audit"]])
def test_a_damaged_store_is_only_read_and_the_message_says_what_helps(store_path: Path, command: list[str]) -> None:
    _damage_a_middle_page(store_path)
    before = hashlib.sha256(store_path.read_bytes()).hexdigest()
    r = run_cli(*command, "--store", str(store_path))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "damaged" in r.stderr and "Traceback" not in r.stderr
    assert f"mv {store_path} {store_path}.damaged" in r.stderr   # a command that helps, not the same failure
    assert "store info" not in r.stderr
    assert hashlib.sha256(store_path.read_bytes()).hexdigest() == before, "an audit row was written"
    wal = Path(f"{store_path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_moving_a_damaged_store_aside_as_told_starts_a_new_one(store_path: Path) -> None:
    _damage_a_middle_page(store_path)
    store_path.rename(f"{store_path}.damaged")
    r = run_cli("consent", "accept", "--store", str(store_path))
    assert r.returncode == 0, r.stderr
    assert run_cli("store", "info", "--store", str(store_path)).returncode == 0
