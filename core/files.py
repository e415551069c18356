"""Writing files the way every part of tasklens must: private modes, atomically, never half-written.

Everything tasklens writes may hold an employee's (masked) work: files get mode 0600 and folders 0700
whatever the umask, and a failed or interrupted write leaves the old file or folder as it was. An output
folder is built beside its final place and renamed into it at the end, so a re-run never leaves old and
new outputs mixed. CSV cells that a spreadsheet would run as a formula are neutralised here, once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from tasklens.errors import OutputError

FILE_MODE = 0o600
DIR_MODE = 0o700
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _why(e: OSError) -> str:
    return e.strerror or e.__class__.__name__


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with mode 0700; an existing folder keeps its mode."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    try:
        for p in reversed(missing):
            p.mkdir(mode=DIR_MODE)
            os.chmod(p, DIR_MODE)   # mkdir's mode is masked by the umask
    except FileExistsError:
        if not path.is_dir():
            raise OutputError(f"{path} is a file, not a folder: give a folder path") from None
    except OSError as e:
        raise OutputError(f"cannot create folder {path}: {_why(e)}") from None
    if not path.is_dir():
        raise OutputError(f"{path} is a file, not a folder: give a folder path")
    return path


def atomic_write(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` with mode 0600 through a temporary file renamed into place."""
    with _replacing(path, binary=True) as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


@contextlib.contextmanager
def atomic_open(path: Path, newline: str | None = None) -> Iterator[TextIO]:
    """`atomic_write` for writers that stream: a private UTF-8 text file renamed over `path` when complete."""
    with _replacing(path, binary=False, newline=newline) as f:
        yield f


def create_once(path: Path, data: bytes) -> bytes:
    """Make `path` (0600) holding `data` unless it exists, and return what it holds.

    For a file that must never change once made (a secret): the content is linked into place, so when
    two processes race, both read the first one's file and neither overwrites it.
    """
    path = Path(path)
    if not path.exists():
        try:
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=path.parent)   # mode 0600
        except OSError as e:
            raise OutputError(f"cannot write {path}: {_why(e)}") from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):   # another process made it first: keep theirs
                os.link(tmp, path)
        except OSError as e:
            raise OutputError(f"cannot write {path}: {_why(e)}") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    try:
        return path.read_bytes()
    except OSError as e:
        raise OutputError(f"cannot read {path}: {_why(e)}") from None


@contextlib.contextmanager
def _replacing(path: Path, *, binary: bool, newline: str | None = None) -> Iterator[Any]:
    """A private temporary file beside `path`, renamed over it only once the block completes."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder, not a file: give a file path")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {_why(e)}") from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline)) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {path}: {_why(e)}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def open_private(path: Path, mode: str = "w", **kwargs: object) -> object:
    """`open()` for a new private file (0600 from the first byte), for writers that append (logs)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    try:
        fd = os.open(path, flags, FILE_MODE)
    except OSError as e:
        raise OutputError(f"cannot write {path}: {_why(e)}") from None
    return os.fdopen(fd, mode, **kwargs)  # type: ignore[call-overload]  # mode/kwargs are open()'s


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a private temporary folder beside `out`; on success it replaces `out` whole, without the hidden
    `.part` files a writer killed mid-file left in it.

    On any error the temporary folder is removed and `out` (old outputs included) is untouched.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file: give a folder (it is created if missing)")
    parent = private_dir(out.parent) if not out.parent.exists() else out.parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=parent))
    except OSError as e:
        raise OutputError(f"cannot write into {parent}: {_why(e)}") from None
    try:
        yield tmp
        for stray in tmp.glob(".*.part"):   # a writer on another process, killed mid-file (its work redone here)
            with contextlib.suppress(OSError):
                stray.unlink()
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=parent))
            try:
                os.replace(out, old / "previous")
            except OSError:
                old.rmdir()
                raise
        try:
            os.replace(tmp, out)
        except OSError:
            if old is not None:
                os.replace(old / "previous", out)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {_why(e)}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _formula(text: str) -> bool:
    """Whether `text`, with any leading `'` removed, starts like a spreadsheet formula."""
    return text.lstrip("'").startswith(_FORMULA_START)


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading =, +, -, @, TAB or CR gets a `'` before it.

    Text that already starts with `'`s before such a character gets one more, so `csv_uncell` can
    always give back exactly what was written.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    return "'" + text if _formula(text) else text


def csv_uncell(text: str) -> str:
    """The text `csv_cell` was given, for readers of tasklens' own CSV files."""
    return text[1:] if text.startswith("'") and _formula(text) else text
