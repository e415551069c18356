"""Whatever the umask, what tasklens writes about an employee is theirs alone: files 0600, folders 0700."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import make_events, run_cli

from tasklens import logs
from tasklens.identity import store_pseudonym
from tasklens.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_store_its_wal_and_shm_and_its_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "events.db"
    with Store.open(path) as s:
        s.append(make_events(100))
        assert {p.name: mode(p) for p in path.parent.iterdir()} == {
            "events.db": 0o600, "events.db-wal": 0o600, "events.db-shm": 0o600}
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert mode(path) == 0o600


def test_an_existing_store_left_readable_by_others_is_made_private(store_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(10))
    os.chmod(store_path, 0o644)
    with Store.open(store_path, create=False) as s:
        s.append(make_events(10))
        assert mode(store_path) == 0o600
        assert mode(Path(f"{store_path}-wal")) == 0o600 and mode(Path(f"{store_path}-shm")) == 0o600


def test_log_files_and_their_folder(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "tasklens.log"
    try:
        logs.setup(0, log_file)
        logging.getLogger("tasklens.test").info("hello")
        assert mode(log_file.parent) == 0o700 and mode(log_file) == 0o600
        handler = next(h for h in logging.getLogger().handlers if hasattr(h, "doRollover"))
        handler.doRollover()   # type: ignore[attr-defined]
        logging.getLogger("tasklens.test").info("after the rollover")
        assert {p.name: mode(p) for p in log_file.parent.iterdir()} == {
            "tasklens.log": 0o600, "tasklens.log.1": 0o600}
    finally:
        logs.setup(0)


def test_export_my_data_file(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(5, store_pseudonym(s)))
    out = tmp_path / "mine.jsonl"
    r = run_cli("store", "export-my-data", "--store", str(store_path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert mode(out) == 0o600 and len(out.read_text().splitlines()) == 5


def test_a_file_made_once_keeps_its_first_content_and_is_private(tmp_path: Path) -> None:
    """`create_once` (the pseudonym secret): a second maker reads the first one's file, never overwrites it."""
    from tasklens.files import atomic_write, create_once

    folder = tmp_path / "secrets"
    folder.mkdir()
    path = folder / "secret.key"
    assert create_once(path, b"first") == b"first"
    assert create_once(path, b"second") == b"first"
    assert mode(path) == 0o600 and [p.name for p in folder.iterdir()] == ["secret.key"]
    atomic_write(tmp_path / "plain.txt", "text")   # the same private, whole-or-absent writer underneath
    assert mode(tmp_path / "plain.txt") == 0o600 and (tmp_path / "plain.txt").read_text() == "text"
