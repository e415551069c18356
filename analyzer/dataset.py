"""A merged event dataset on disk: encrypted Parquet, partitioned by user and day, merged resumably.

Why a dataset: merging a pilot's bundles in memory held every event as a Python object (9.4M events,
6.7 GB). Here each input is written out as soon as it is loaded, one Parquet file per (user, day), so
the analysis can later read one user at a time (`tasklens.analyzer.stream`).

At rest: Parquet modular encryption (AES-GCM, footer and every column encrypted, data keys double-wrapped)
with an in-process KMS client whose master key comes from the dataset key, found like the store's key
(`tasklens.storekey.resolve`: the OS keyring for this folder, else TASKLENS_KEY; a passphrase goes through
scrypt with a salt kept in the manifest). A standard format, so Spark and other Parquet readers open it
with the same KMS client. Folder names carry no user name: a user's folder is an HMAC of the name under
the dataset key.

Resumable: every partition file is written aside and renamed into place, and an input counts only once
the manifest (rewritten atomically after each input) lists it. A crash halfway leaves the inputs listed
usable; a re-run skips them and rewrites the rest, ignoring the unlisted files a crash left.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pe
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from tasklens import storekey as keys
from tasklens.columns import EVENT
from tasklens.errors import InputFormatError, KeyUnavailableError
from tasklens.events import SAME_EVENT, Action, Event
from tasklens.files import atomic_write, private_dir

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = "tasklens-dataset"
VERSION = 1
SCRYPT_N = 2**15     # a passphrase key: memory-hard, ~0.1 s once per open
SCHEMA = pa.schema([
    ("seq", pa.int64()),          # merge order: input number << 32 | position in the input
    ("user", pa.string()), ("ts", pa.float64()), ("app", pa.string()), ("title", pa.string()),
    ("action", pa.string()), ("target", pa.string()), ("value", pa.string()), ("duration", pa.float64()),
    ("count", pa.int64()), ("source_row", pa.int64()), ("id", pa.int64()), ("element_path", pa.string()),
    ("signed", pa.bool_()),       # from an enrolled signer's bundle (see tasklens.analyzer.signers)
])
SEQ_SHIFT = 32
_CHECK = b"tasklens dataset key check"


class _Kms(pe.KmsClient):   # type: ignore[misc]  # pyarrow's KmsClient is untyped
    """Wraps Parquet's data keys with AES-GCM under the dataset's master key, in this process."""

    def __init__(self, kek: bytes) -> None:
        super().__init__()
        self._aead = AESGCM(kek)

    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> str:
        nonce = secrets.token_bytes(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, key_bytes, master_key_identifier.encode())).decode()

    def unwrap_key(self, wrapped_key: str, master_key_identifier: str) -> bytes:
        raw = base64.b64decode(wrapped_key)
        try:
            return self._aead.decrypt(raw[:12], raw[12:], master_key_identifier.encode())
        except InvalidTag:
            raise KeyUnavailableError("a dataset file was encrypted under another key: give the key it was "
                                      "merged with (TASKLENS_KEY or the keyring)") from None


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"tasklens dataset " + purpose).derive(master)


@dataclass(frozen=True)
class Secrets:
    """What the dataset key gives: the KMS master key, the folder-name key and a check value."""

    kek: bytes
    names: bytes
    check: str

    @classmethod
    def from_key(cls, key: keys.Key, salt: bytes) -> Secrets:
        if key.raw:
            master = bytes.fromhex(key.secret)
        else:
            master = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=8, p=1).derive(key.secret.encode())
        check = hmac.new(_derive(master, b"check"), _CHECK, hashlib.sha256).hexdigest()
        return cls(_derive(master, b"kek"), _derive(master, b"names"), check)

    def __repr__(self) -> str:   # never show key material in a traceback or log
        return "Secrets(...)"


class Crypto:
    """Parquet encryption and decryption properties for one dataset key."""

    def __init__(self, s: Secrets) -> None:
        self._factory = pe.CryptoFactory(lambda _config: _Kms(s.kek))
        # the instance id keys pyarrow's per-process caches, so two datasets under two keys never mix
        self._conn = pe.KmsConnectionConfig(kms_instance_id=s.check[:32], key_access_token=s.check[32:])
        self._enc = pe.EncryptionConfiguration(footer_key="tasklens-footer", uniform_encryption=True,
                                               encryption_algorithm="AES_GCM_V1", double_wrapping=True,
                                               plaintext_footer=False, data_key_length_bits=256)
        self._dec = pe.DecryptionConfiguration()

    def write(self, table: pa.Table) -> bytes:
        sink = pa.BufferOutputStream()
        props = self._factory.file_encryption_properties(self._conn, self._enc)
        pq.write_table(table, sink, encryption_properties=props, compression="zstd")
        data: bytes = sink.getvalue().to_pybytes()
        return data

    def read(self, path: Path, columns: Sequence[str] | None = None) -> pa.Table:
        props = self._factory.file_decryption_properties(self._conn, self._dec)
        table: pa.Table = pq.read_table(path, columns=list(columns) if columns else None,
                                        decryption_properties=props)
        return table


def input_id(path: Path) -> str:
    """Which input a merge has taken: its resolved path, size and modification time (a changed file is new)."""
    st = Path(path).stat()
    return hashlib.sha256(f"{Path(path).resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()[:20]


class Dataset:
    """One dataset folder: `manifest.json` and `u=<hmac>/d=<day>/part-<input>.parquet`."""

    def __init__(self, folder: Path, key: keys.Key | None = None, create: bool = False) -> None:
        self.folder = Path(folder)
        manifest = self.folder / MANIFEST
        if manifest.is_file():
            self._m: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
            if self._m.get("format") != FORMAT or self._m.get("version") != VERSION:
                raise InputFormatError(f"{self.folder} is not a tasklens dataset of version {VERSION}")
        elif create:
            if self.folder.exists() and any(self.folder.iterdir()):
                raise InputFormatError(f"{self.folder} holds files but no {MANIFEST}: give an empty or new folder "
                                       "for the dataset")
            private_dir(self.folder)
            self._m = {"format": FORMAT, "version": VERSION, "salt": secrets.token_hex(16), "check": "", "inputs": []}
        else:
            raise InputFormatError(f"{self.folder} is no tasklens dataset (no {MANIFEST}): merge into it first")
        key = key or keys.resolve(self.folder, create=create)
        self._s = Secrets.from_key(key, bytes.fromhex(self._m["salt"]))
        if not self._m["check"]:
            self._m["check"] = self._s.check
            self._save()
        elif not hmac.compare_digest(self._m["check"], self._s.check):
            raise KeyUnavailableError(f"the key from {key.origin} does not open dataset {self.folder}: give the key "
                                      "it was merged with")
        self.crypto = Crypto(self._s)

    def _save(self) -> None:
        atomic_write(self.folder / MANIFEST, json.dumps(self._m, indent=1))

    @property
    def inputs(self) -> list[dict[str, Any]]:
        """The inputs merged so far, in merge order: id, format, events, bad rows."""
        return list(self._m["inputs"])

    def has(self, ident: str) -> bool:
        return any(i["id"] == ident for i in self._m["inputs"])

    def writer(self) -> Writer:
        return Writer(self.folder, self._s)

    def next_base(self) -> int:
        """The merge number of the next input: its events' `seq` begin at this << SEQ_SHIFT."""
        return max((i["base"] for i in self._m["inputs"]), default=-1) + 1

    def add(self, ident: str, fmt: str, events: Events, bad_rows: int = 0) -> int:
        """Write one input's events, a file per (user, day), then list the input in the manifest."""
        if self.has(ident):
            return 0
        base = self.next_base()
        self.writer()(ident, base, fmt, events)
        self.record(ident, base, fmt, len(events), bad_rows)
        return len(events)

    def record(self, ident: str, base: int, fmt: str, events: int, bad_rows: int) -> None:
        """List an input whose files are all written: from now on it counts."""
        self._m["inputs"].append({"id": ident, "base": base, "fmt": fmt, "events": events, "bad_rows": bad_rows})
        self._save()
        log.info("merged input %d (%s): %d events", len(self._m["inputs"]), fmt, events)

    def user_dirs(self) -> list[Path]:
        """The users' folders that hold a merged input's files (a crash may have left others)."""
        return sorted(p for p in self.folder.glob("u=*") if p.is_dir() and self.files(p))

    def files(self, user_dir: Path) -> list[Path]:
        """The partition files of one user that merged inputs wrote (not those a crash left unlisted)."""
        done = {f"part-{i['id']}.parquet" for i in self._m["inputs"]}
        return sorted(p for p in user_dir.glob("d=*/part-*.parquet") if p.name in done)

    def read(self, user_dir: Path, columns: Sequence[str] | None = None) -> pa.Table:
        """One user's events, in merge order, each duplicate (the same event from two inputs) once."""
        parts = [self.crypto.read(p, columns) for p in self.files(user_dir)]
        if not parts:
            return SCHEMA.empty_table() if columns is None else SCHEMA.empty_table().select(list(columns))
        table = pa.concat_tables(parts)
        return table.sort_by("seq") if "seq" in table.column_names else table

    def tables(self, columns: Sequence[str] | None = None) -> Iterator[pa.Table]:
        for d in self.user_dirs():
            yield self.read(d, columns)


def dedupe(table: pa.Table) -> tuple[pa.Table, int]:
    """One user's table (in merge order) without events an earlier input already held."""
    if table.num_rows < 2 or _all_distinct(table):   # most users: found by Arrow without a tuple per event
        return table, 0
    seen: set[tuple[object, ...]] = set()
    cols = [table.column(c).to_pylist() for c in SAME_EVENT]
    keep = []
    for k, key in enumerate(zip(*cols)):
        if key not in seen:
            seen.add(key)
            keep.append(k)
    if len(keep) == table.num_rows:
        return table, 0
    return table.take(pa.array(keep, pa.int64())), table.num_rows - len(keep)


def _all_distinct(table: pa.Table) -> bool:
    """No two rows agree on `SAME_EVENT`. Arrow's grouping is never finer than the tuples' equality that
    `dedupe` uses (times and durations compared as numbers, so -0.0 is made 0.0 first): all distinct here is
    all distinct there."""
    cols = {c: pc.add(table.column(c), 0.0) if c in ("ts", "duration") else table.column(c) for c in SAME_EVENT}
    return bool(pa.table(cols).group_by(list(SAME_EVENT)).aggregate([]).num_rows == table.num_rows)


_VALUE = {a: a.value for a in Action}
Events: TypeAlias = Sequence[Event] | pa.Table   # an input's events: objects, or a bundle's columns (`columns.EVENT`)


def _table(events: Events, seq: np.ndarray, signed: bool) -> pa.Table:
    """One table of `events` in SCHEMA's columns. From objects, each column read by `attrgetter` in C (a
    comprehension per column cost 3x; a tuple per event, transposed, set off the garbage collector over
    every event held); from a bundle's columns, as they are."""
    if isinstance(events, pa.Table):
        cols = {f: events.column(f) for f in EVENT.names}
    else:
        got = {f: list(map(attrgetter(f), events)) for f in EVENT.names}
        got["action"] = [_VALUE[a] for a in got["action"]]
        cols = {f: pa.array(v, SCHEMA.field(f).type) for f, v in got.items()}
    return pa.table({"seq": pa.array(seq, pa.int64()), **cols,
                     "signed": pa.array(np.full(len(events), signed))}, schema=SCHEMA)


def user_dir(names_key: bytes, user: str) -> str:
    return "u=" + hmac.new(names_key, user.encode(), hashlib.sha256).hexdigest()[:24]


@dataclass(frozen=True)
class Writer:
    """Writes one input's partition files, each renamed into place; picklable, so merge workers write too."""

    folder: Path
    secrets: Secrets

    def __call__(self, ident: str, base: int, fmt: str, events: Events) -> None:
        """One table of the input's events, then a file per (user, day): its rows in input order."""
        crypto = Crypto(self.secrets)
        table = _table(events, np.arange(len(events), dtype=np.int64) | (base << SEQ_SHIFT), fmt == "bundle")
        users = table.column("user").combine_chunks().dictionary_encode()
        user = users.indices.to_numpy(zero_copy_only=False)
        day = np.floor_divide(table.column("ts").to_numpy(), 86400).astype(np.int64)   # the day of each row's time
        order = np.lexsort((day, user))   # stable: each group's rows keep the input order
        cut = np.flatnonzero((np.diff(user[order]) != 0) | (np.diff(day[order]) != 0)) + 1
        names = users.dictionary.to_pylist()
        for rows in np.split(order, cut) if len(order) else []:
            folder = private_dir(private_dir(self.folder / user_dir(self.secrets.names, names[user[rows[0]]]))
                                 / f"d={day[rows[0]]}")
            atomic_write(folder / f"part-{ident}.parquet", crypto.write(table.take(pa.array(rows))))


Loaded = tuple[str, Events, int]     # (format, masked events, bad rows)
Loader = Callable[[Path], "Loaded | str"]   # a picklable callable when merging on processes; str: why refused
Done = Callable[[str, int, int], None]


def _merge_one(job: tuple[Path, str, int, Loader, Writer]) -> tuple[str, int, int] | str:
    path, ident, base, load, write = job
    loaded = load(path)
    if isinstance(loaded, str):
        return loaded
    fmt, events, bad = loaded
    write(ident, base, fmt, events)
    return fmt, len(events), bad


def quiet_worker() -> None:
    """A worker process leaves Ctrl-C to the process that started it, which stops the run cleanly."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def merge(ds: Dataset, inputs: Iterable[Path], load: Loader, progress: Done | None = None,
          workers: int = 1, cancel: Callable[[], bool] | None = None) -> tuple[int, int, list[str]]:
    """Merge each input not merged before, on `workers` processes (inputs are independent; this process
    lists each in the manifest as it is written, in input order); (events added, inputs already merged,
    why each refused input was refused). `cancel()` true, or Ctrl-C, stops it after the inputs being
    written: those listed stay merged, and a re-run merges the rest."""
    paths = list(inputs)
    todo = [(p, input_id(p)) for p in paths]
    todo = [(p, ident) for p, ident in todo if not ds.has(ident)]
    base, writer = ds.next_base(), ds.writer()
    jobs = [(p, ident, base + k, load, writer) for k, (p, ident) in enumerate(todo)]
    added, refused = 0, []
    if workers > 1 and len(jobs) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=quiet_worker)
        results = pool.map(_merge_one, jobs)
    else:
        pool, results = None, map(_merge_one, jobs)
    try:
        for n, (job, out) in enumerate(zip(jobs, results), 1):
            if isinstance(out, str):
                refused.append(out)
            else:
                ds.record(job[1], job[2], *out)
                added += out[1]
            if progress:
                progress("merging", n, len(jobs))
            if cancel is not None and cancel() and n < len(jobs):
                from tasklens.analyzer.run import Cancelled
                raise Cancelled(f"merge cancelled after {n} of {len(jobs)} inputs; those are kept: merge again to "
                                "add the rest")
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return added, len(paths) - len(todo), refused
