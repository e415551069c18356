"""The encrypted event store: SQLCipher, WAL, batched appends, consent, audit trail.

One `Store` is one open database. Writers append whole batches in one transaction, so a fault (disk
full, I/O error) loses at most the batch in hand and never one that was acknowledged. Readers open
their own `Store`; WAL lets them read while the collector writes.
"""

from __future__ import annotations

import logging
import os
import shlex
import stat
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import sqlcipher3

from tasklens import storekey
from tasklens.errors import OutputError, StoreOpenError, StoreWriteError
from tasklens.events import ACTION_BY_VALUE, Event
from tasklens.files import FILE_MODE, private_dir
from tasklens.identity import login_name
from tasklens.schema import LATEST, MIGRATIONS
from tasklens.storekey import Key

log = logging.getLogger(__name__)

_PAGE = 4096   # SQLCipher 4 default page size
_COLUMNS = "ts, user, app, title, action, target, value, duration, count, source_row, element_path"
_INSERT = f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_SELECT = f"SELECT {_COLUMNS}, id FROM events"
_SIDE_FILES = ("", "-wal", "-shm")   # SQLite gives -wal and -shm the main file's mode
READER_WAIT = 10.0   # seconds erasure waits for other readers before it says traces remain
TRACES_REMAIN = ("another program is reading the store, so traces of them stay in its file until it "
                 "closes: close the tasklens tray, dashboard or `tasklens store show` and run")


@dataclass(frozen=True)
class Consent:
    """The latest consent decision of one user."""

    user: str
    notice_version: str
    decision: str
    ts: float

    def covers(self, notice_version: str) -> bool:
        return self.decision == "accept" and self.notice_version == notice_version


@dataclass(frozen=True)
class AuditEntry:
    """One row of the store's audit trail: who did what to the data, and when."""

    ts: float
    actor: str
    action: str
    detail: str


ERASED = "an employee"   # who an audit row names once that employee's data was erased


def _make_private_file(path: Path) -> bool:
    """Create `path` empty with mode 0600 (its folders 0700) so SQLite, and the -wal and -shm files it
    makes beside it, never have a mode the umask chose; False if another process made it first."""
    try:
        private_dir(path.parent)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        return False
    except (OSError, OutputError) as e:
        why = e.strerror if isinstance(e, OSError) else str(e)
        raise StoreOpenError(f"cannot create store {path}: {why}") from None
    os.chmod(path, FILE_MODE)
    return True


def _tighten(path: Path) -> None:
    """An older store (or one copied in) may be readable by others: make it and its side files 0600."""
    for suffix in _SIDE_FILES:
        f = Path(f"{path}{suffix}")
        try:
            if stat.S_IMODE(f.stat().st_mode) & ~FILE_MODE:
                os.chmod(f, FILE_MODE)
        except OSError:   # missing, read-only medium or someone else's file: nothing to tighten here
            pass


def _damaged(path: Path, why: str) -> str:
    """The one message for a damaged store, with the commands that get a person recording again."""
    aside = shlex.quote(f"{path}.damaged")
    return (f"store {path} is damaged ({why}): move it aside with `mv {shlex.quote(str(path))} {aside}` "
            "(a new store is made at the next `tasklens consent accept` or capture), or restore it from a backup")


class Store:
    """An open tasklens store. Use `Store.open(path)` to resolve the key the usual way.

    `read_only` opens it without writing anything (no migration, no audit): for a store that may be
    damaged, until `verify` has passed.
    """

    def __init__(self, path: Path, key: Key, *, create: bool = True, read_only: bool = False,
                 _target_version: int = LATEST) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.RLock()
        existed = self.path.exists()
        if not existed and (not create or read_only):
            raise StoreOpenError(f"cannot open store {self.path}: no such file; nothing is recorded there yet: "
                                 "start with `tasklens consent accept` (or the tray), or give --store PATH")
        if existed and self.path.stat().st_size == 0:
            raise StoreOpenError(f"cannot open store {self.path}: the file is empty (truncated?); "
                                 "restore it from a backup or delete it")
        if not existed:
            existed = not _make_private_file(self.path)
        elif not read_only:
            _tighten(self.path)
        target = str(self.path) if not read_only else f"file:{quote(self.path.as_posix())}?mode=ro"
        try:
            self._db = sqlcipher3.connect(target, check_same_thread=False, timeout=10.0, isolation_level=None,
                                          uri=read_only)
        except sqlcipher3.Error as e:
            raise StoreOpenError(f"cannot open store {self.path}: {e}") from None
        try:
            self._setup(key, existed, _target_version)
        except BaseException:
            self._db.close()
            if not existed:   # leave nothing half-made behind
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            raise

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Store:
        """Open (or create) the store at `path` with the key from env or keyring."""
        return cls(path, storekey.resolve(Path(path), create=create and not Path(path).exists()), create=create)

    @classmethod
    def open_verified(cls, path: Path) -> Store:
        """Open an existing store for writing only once a read-only look found it whole, so that looking
        at a damaged store (and auditing the look) never writes into it."""
        key = storekey.resolve(Path(path), create=False)
        with cls(path, key, create=False, read_only=True) as look:
            look.verify()
        return cls(path, key, create=False)

    def verify(self) -> None:
        """Raise `StoreOpenError` saying what helps unless SQLite's quick check finds every page whole."""
        check = self._query_one("PRAGMA quick_check")
        result = str(check[0]) if check else "no answer"
        if result != "ok":
            raise StoreOpenError(_damaged(self.path, result.splitlines()[0][:120]))

    # -- opening -------------------------------------------------------------------------------
    def _setup(self, key: Key, existed: bool, target: int) -> None:
        db = self._db
        db.execute("PRAGMA cipher_log_level = NONE")
        db.execute(f"PRAGMA key = {key.pragma()}")
        try:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlcipher3.DatabaseError as e:
            if "not a database" not in str(e):
                raise StoreOpenError(self._why_not(e)) from None
            if existed and self.path.stat().st_size % _PAGE:   # SQLCipher files are whole pages
                raise StoreOpenError(_damaged(self.path, "truncated mid-page, or not a tasklens store")) from None
            raise StoreOpenError(f"cannot open store {self.path}: wrong key or not a tasklens store") from None
        if existed and names and "meta" not in names:
            raise StoreOpenError(f"cannot open store {self.path}: wrong key or not a tasklens store")
        version = 0
        if "meta" in names:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > LATEST:
            raise StoreOpenError(
                f"cannot open store {self.path}: it has schema version {version}, newer than this "
                f"tasklens understands ({LATEST}); upgrade tasklens")
        if self.read_only:
            return
        try:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlcipher3.DatabaseError as e:
            raise StoreOpenError(self._why_not(e)) from None
        if mode != "wal":
            log.warning("store %s: journal mode is %s, not WAL", self.path, mode)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA secure_delete = ON")    # deleted rows are zeroed in their pages, not just unlinked
        db.execute("PRAGMA cache_size = -32000")   # 32 MB of page cache: fewer decrypts on big reads
        if version < target:
            self._migrate(version, target)

    def _why_not(self, e: Exception) -> str:
        text = str(e)
        if "readonly" in text or "unable to open" in text:
            return (f"cannot open store {self.path}: its folder is not writable ({text}); "
                    "fix the permissions or copy the store to a writable folder")
        if "malformed" in text or "not a database" in text:
            return _damaged(self.path, text)
        if "full" in text:
            return f"cannot write to store {self.path}: the disk is full; free some space and retry"
        return f"store {self.path}: {text}"

    def _migrate(self, current: int, target: int) -> None:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            for n in range(current, target):
                for statement in filter(str.strip, MIGRATIONS[n].split(";")):
                    db.execute(statement)
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(target),))
            db.execute("COMMIT")
        except sqlcipher3.Error as e:
            db.execute("ROLLBACK")
            raise StoreOpenError(self._why_not(e)) from None
        if current:
            log.info("store %s migrated from schema %d to %d", self.path, current, target)

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------
    def _write(self, what: str, sql: str, rows: Sequence[tuple[object, ...]] | None = None) -> int:
        """Run one statement (executemany when `rows`) in its own transaction; return rows changed."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cur = self._db.executemany(sql, rows) if rows is not None else self._db.execute(sql)
                changed = int(cur.rowcount)
                self._db.execute("COMMIT")
                return changed
            except sqlcipher3.Error as e:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreWriteError(f"{what} not written: {self._why_not(e)}") from None

    def append(self, events: Sequence[Event]) -> int:
        """Store a batch of masked events atomically; return how many. Raw events are refused."""
        rows = []
        for e in events:
            if type(e) is not Event:
                raise TypeError(f"Store.append takes masked Event objects, not {type(e).__name__}")
            rows.append((e.ts, e.user, e.app, e.title, e.action.value, e.target, e.value,
                         e.duration, e.count, e.source_row, e.element_path))
        if not rows:
            return 0
        return self._write(f"{len(rows)} events", _INSERT, rows)

    def _params_write(self, what: str, sql: str, params: tuple[object, ...]) -> int:
        return self._write(what, sql, [params])

    def purge(self, before: float, user: str | None = None) -> int:
        """Delete events older than `before` (epoch seconds), for one user or all."""
        if user is None:
            return self._params_write("purge", "DELETE FROM events WHERE ts < ?", (before,))
        return self._params_write("purge", "DELETE FROM events WHERE ts < ? AND user = ?", (before, user))

    def delete_user(self, user: str) -> int:
        """Delete every event of `user` (the employee's right to erasure)."""
        return self._params_write("delete", "DELETE FROM events WHERE user = ?", (user,))

    def forget_in_audit(self, user: str, login: str) -> None:
        """After erasure: audit rows keep what happened and when, but no longer name `user` or `login`.

        The trail must outlive the data it describes without linking the login to the pseudonym.
        """
        self._params_write("audit", "UPDATE audit SET actor = ? WHERE actor = ?", (ERASED, login))
        self._params_write("audit", "UPDATE audit SET detail = replace(detail, ?, ?) WHERE instr(detail, ?) > 0",
                           (user, ERASED, user))

    def vacuum(self, wait: float = READER_WAIT) -> bool:
        """Rewrite the file so deleted rows leave no trace in free pages or the WAL; True once verified.

        The rewrite lands in the WAL; only a checkpoint that moves every frame into the file and then
        truncates the WAL to 0 bytes removes the old frames. A reader in another process that holds a
        snapshot blocks that, so this retries for up to `wait` seconds and returns False if the WAL could
        not be emptied: the caller must then say traces remain instead of claiming they are gone.
        """
        wal = Path(f"{self.path}-wal")
        with self._lock:
            try:
                self._db.execute("VACUUM")
                self._db.execute("PRAGMA busy_timeout = 100")
                deadline = time.monotonic() + wait
                while True:
                    busy, _, _ = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    if busy == 0 and (not wal.exists() or wal.stat().st_size == 0):
                        return True
                    if time.monotonic() >= deadline:
                        log.info("store %s: another connection kept reading for %.0f s; the WAL still "
                                 "holds old pages", self.path, wait)
                        return False
                    time.sleep(0.05)
            except sqlcipher3.Error as e:
                raise StoreWriteError(f"vacuum failed: {self._why_not(e)}") from None
            finally:
                self._db.execute("PRAGMA busy_timeout = 10000")

    def rekey(self, new: Key) -> None:
        """Re-encrypt the whole store under `new`."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.execute("PRAGMA journal_mode = DELETE")
                self._db.execute(f"PRAGMA rekey = {new.pragma()}")
                self._db.execute("PRAGMA journal_mode = WAL")
            except sqlcipher3.Error as e:
                raise StoreWriteError(f"rekey failed: {self._why_not(e)}") from None

    # -- consent, audit, state -------------------------------------------------------------------
    def record_consent(self, user: str, notice_version: str, decision: str) -> None:
        self._params_write("consent", "INSERT INTO consent (ts, user, notice_version, decision) VALUES (?, ?, ?, ?)",
                           (time.time(), user, notice_version, decision))
        self.audit(f"consent.{decision}", f"user={user} notice={notice_version}")

    def consent(self, user: str) -> Consent | None:
        row = self._query_one("SELECT user, notice_version, decision, ts FROM consent WHERE user = ? "
                              "ORDER BY id DESC LIMIT 1", (user,))
        return Consent(*row) if row else None

    def audit(self, action: str, detail: str = "", actor: str | None = None) -> None:
        """Append to the audit trail: who opened, exported, deleted or changed what, and when."""
        self._params_write("audit entry", "INSERT INTO audit (ts, actor, action, detail) VALUES (?, ?, ?, ?)",
                           (time.time(), actor or login_name(), action, detail))

    def audit_trail(self, limit: int = 100) -> list[AuditEntry]:
        rows = self._query("SELECT ts, actor, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        return [AuditEntry(*r) for r in reversed(rows)]

    def get_state(self, key: str) -> str | None:
        row = self._query_one("SELECT value FROM state WHERE key = ?", (key,))
        return row[0] if row else None

    def set_state(self, key: str, value: str | None) -> None:
        if value is None:
            self._params_write("state", "DELETE FROM state WHERE key = ?", (key,))
        else:
            self._params_write("state", "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))

    # -- reading -------------------------------------------------------------------------------
    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:   # rows are untyped
        with self._lock:
            try:
                rows: list[tuple[Any, ...]] = self._db.execute(sql, params).fetchall()
                return rows
            except sqlcipher3.Error as e:
                raise StoreOpenError(self._why_not(e)) from None

    def _query_one(self, sql: str, params: tuple[object, ...] = ()) -> tuple[Any, ...] | None:
        rows = self._query(sql, params)
        return rows[0] if rows else None

    @staticmethod
    def _where(since: float | None, until: float | None, user: str | None,
               app: str | None) -> tuple[str, tuple[object, ...]]:
        clauses, params = [], []
        for cond, value in (("ts >= ?", since), ("ts < ?", until), ("user = ?", user), ("app = ?", app)):
            if value is not None:
                clauses.append(cond)
                params.append(value)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def events(self, since: float | None = None, until: float | None = None, user: str | None = None,
               app: str | None = None, limit: int | None = None, newest_first: bool = False,
               chunk: int = 10_000) -> Iterator[Event]:
        """Events in time order (or newest first), filtered by time range, user and app."""
        where, params = self._where(since, until, user, app)
        order = " ORDER BY ts DESC, id DESC" if newest_first else " ORDER BY ts, id"
        sql = _SELECT + where + order + (f" LIMIT {int(limit)}" if limit is not None else "")
        with self._lock:
            try:
                cur = self._db.execute(sql, params)
                while rows := cur.fetchmany(chunk):
                    for r in rows:
                        yield Event(r[0], r[1], r[2], r[3], ACTION_BY_VALUE[r[4]], r[5], r[6], r[7], r[8], r[9], r[11], r[10])
            except sqlcipher3.Error as e:
                raise StoreOpenError(self._why_not(e)) from None

    def count(self, since: float | None = None, until: float | None = None, user: str | None = None,
              app: str | None = None) -> int:
        where, params = self._where(since, until, user, app)
        row = self._query_one("SELECT count(*) FROM events" + where, params)
        return int(row[0]) if row else 0

    def info(self) -> dict[str, object]:
        """What `tasklens store info` prints: size, schema, counts, span, users, integrity."""
        n, first, last = self._query_one("SELECT count(*), min(ts), max(ts) FROM events") or (0, None, None)
        users = [r[0] for r in self._query("SELECT DISTINCT user FROM events ORDER BY user")]
        cipher = self._query_one("PRAGMA cipher_version")
        check = self._query_one("PRAGMA quick_check")
        return {
            "path": str(self.path),
            "bytes": sum(Path(f"{self.path}{s}").stat().st_size for s in ("", "-wal")
                         if Path(f"{self.path}{s}").exists()),
            "schema_version": LATEST,
            "cipher": f"SQLCipher {cipher[0]}" if cipher else "SQLCipher",
            "events": n, "first": first, "last": last, "users": users,
            "integrity": check[0] if check else "unknown",
        }
