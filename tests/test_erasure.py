"""Erasure leaves no trace, or says it could not: delete-my-data and purge while another process reads.

The store is encrypted, so the test decrypts every page of the file and every frame of the WAL with the
store's raw key (tests/sqlcipher_pages.py) and looks for the deleted rows there.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import make_events, run_cli
from sqlcipher_pages import pages_holding

from tasklens import storekey
from tasklens.identity import store_pseudonym
from tasklens.store import Store

READER = """
import sys
from pathlib import Path
from tasklens.store import Store
s = Store.open(Path(sys.argv[1]), create=False)
s._db.execute("BEGIN")
print(s._db.execute("SELECT count(*) FROM events").fetchone()[0], flush=True)
sys.stdin.readline()          # reading until told to stop
s._db.execute("COMMIT")
s.close()
"""


@pytest.fixture
def canary() -> bytes:
    return ("GONE-" + secrets.token_hex(6)).encode()


def _filled(store_path: Path, canary: bytes) -> str:
    """A store with 400 events of mine titled with the canary and 50 of someone else; return my pseudonym."""
    with Store.open(store_path) as s:
        me = store_pseudonym(s)
        s.append(make_events(400, me, title=f"Salary {canary.decode()} - Writer", t0=1_760_000_000.0)
                 + make_events(50, "emp-other"))
    return me


@pytest.fixture
def reader(store_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding a read transaction on the store until the test lets it go."""
    procs: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        p = subprocess.Popen([sys.executable, "-c", READER, str(store_path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        assert p.stdout is not None and p.stdout.readline().strip().isdigit()   # reading now
        procs.append(p)
        return p
    yield start   # type: ignore[misc]
    for p in procs:
        if p.poll() is None:
            p.communicate("stop\n", timeout=30)


def test_the_check_sees_rows_in_the_clear(store_path: Path, canary: bytes) -> None:
    """The page reader itself works: rows just written are found, in the WAL or the file."""
    _filled(store_path, canary)
    assert sum(pages_holding(store_path, os.environ["TASKLENS_KEY"], canary)) > 0


def test_vacuum_reports_a_reader_it_could_not_wait_out_then_cleans_after(store_path: Path, canary: bytes) -> None:
    me = _filled(store_path, canary)
    key = storekey.resolve(store_path, create=False)
    other = Store(store_path, key, create=False)
    other._db.execute("BEGIN")
    other._db.execute("SELECT count(*) FROM events").fetchone()
    with Store(store_path, key, create=False) as s:
        assert s.delete_user(me) == 400
        assert s.vacuum(wait=0.5) is False                   # the reader keeps its snapshot: not clean
        assert sum(pages_holding(store_path, key.secret, canary)) > 0
        other._db.execute("COMMIT")
        other.close()
        assert s.vacuum(wait=5) is True
        assert Path(f"{store_path}-wal").stat().st_size == 0
        assert pages_holding(store_path, key.secret, canary) == (0, 0)
        assert s.count() == 50


def test_delete_my_data_while_another_process_reads_fails_and_says_so(store_path: Path, canary: bytes,
                                                                      reader) -> None:  # noqa: ANN001
    me = _filled(store_path, canary)
    reader()
    r = run_cli("store", "delete-my-data", "--store", str(store_path), "--yes")
    assert r.returncode == 2, r.stdout
    assert "no trace remains" not in r.stdout
    assert len(r.stderr.strip().splitlines()) == 1
    assert "deleted 400 events" in r.stderr and "another program is reading the store" in r.stderr
    assert "delete-my-data" in r.stderr                       # what to run once it closed
    with Store.open(store_path, create=False) as s:
        assert s.count(user=me) == 0                          # the rows are gone from the tables


def test_delete_my_data_after_the_reader_closed_leaves_no_trace(store_path: Path, canary: bytes,
                                                                reader) -> None:  # noqa: ANN001
    me = _filled(store_path, canary)
    held = reader()
    assert run_cli("store", "delete-my-data", "--store", str(store_path), "--yes").returncode == 2
    held.communicate("stop\n", timeout=30)
    r = run_cli("store", "delete-my-data", "--store", str(store_path), "--yes")   # as the message says
    assert r.returncode == 0, r.stderr
    assert f"deleted 0 events of {me}" in r.stdout and "no trace remains" in r.stdout
    assert pages_holding(store_path, os.environ["TASKLENS_KEY"], canary) == (0, 0)


def test_purge_while_another_process_reads_fails_and_says_so(store_path: Path, canary: bytes,
                                                             reader) -> None:  # noqa: ANN001
    _filled(store_path, canary)
    reader()
    r = run_cli("store", "purge", "--store", str(store_path), "--before", "2026-01-01")
    assert r.returncode == 2 and "deleted 400 events" in r.stderr and "another program" in r.stderr
    assert r.stdout == ""


def test_purge_with_no_reader_leaves_no_trace(store_path: Path, canary: bytes) -> None:
    _filled(store_path, canary)
    r = run_cli("store", "purge", "--store", str(store_path), "--before", "2026-01-01")
    assert r.returncode == 0 and r.stdout.startswith("deleted 400 events"), r.stderr
    assert pages_holding(store_path, os.environ["TASKLENS_KEY"], canary) == (0, 0)
    with Store.open(store_path, create=False) as s:
        assert s.count() == 50


def test_retention_blocked_by_a_reader_rewrites_the_file_at_its_next_run(store_path: Path, canary: bytes) -> None:
    """The capture loop's hourly purge cannot fail loudly: it notes the rewrite is owed and does it next time."""
    from tasklens.config import Config
    from tasklens.privacy.retention import purge_expired

    _filled(store_path, canary)          # my 400 events are from 2025: past any retention period
    key = storekey.resolve(store_path, create=False)
    other = Store(store_path, key, create=False)
    other._db.execute("BEGIN")
    other._db.execute("SELECT count(*) FROM events").fetchone()
    with Store(store_path, key, create=False) as s:
        now = 1_790_000_100.0
        assert purge_expired(s, Config(), now=now) == 400
        assert sum(pages_holding(store_path, key.secret, canary)) > 0      # the reader kept the old pages
        other._db.execute("COMMIT")
        other.close()
        assert purge_expired(s, Config(), now=now + 3600) == 0             # nothing new to delete, yet...
        assert pages_holding(store_path, key.secret, canary) == (0, 0)     # ...the owed rewrite was done
        assert s.count() == 50
