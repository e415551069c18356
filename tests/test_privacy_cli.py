"""`tasklens consent show|accept|withdraw` and `tasklens store export-my-data`, run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tasklens.events import Action, Event
from tasklens.identity import login_name, store_pseudonym
from tasklens.store import Store

NOTICE = "Test notice: we record application names and masked titles."


@pytest.fixture
def org_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "org.toml"
    path.write_text(f'[consent]\nnotice_version = "7"\nnotice_text = "{NOTICE}"\n', encoding="utf-8")
    monkeypatch.setenv("TASKLENS_ORG_CONFIG", str(path))
    return path


def tasklens(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tasklens.cli.main", *args], env=os.environ.copy(),
                          capture_output=True, text=True, timeout=120)


def test_consent_show_accept_withdraw(org_config: Path, store_path: Path) -> None:
    shown = tasklens("consent", "show", "--store", str(store_path))
    assert shown.returncode == 0, shown.stderr
    assert NOTICE in shown.stdout and "version 7" in shown.stdout and "none yet" in shown.stdout

    accepted = tasklens("consent", "accept", "--store", str(store_path))
    assert accepted.returncode == 0, accepted.stderr
    assert "Accepted notice version 7" in accepted.stdout
    assert "accepted version 7" in tasklens("consent", "show", "--store", str(store_path)).stdout

    with Store.open(store_path) as store:
        me = store_pseudonym(store)
        store.append([Event(1_790_000_000.0, me, "app", "t", Action.FOCUS),
                      Event(1_790_000_001.0, "emp-other", "app", "t", Action.FOCUS)])
    kept = tasklens("consent", "withdraw", "--store", str(store_path))
    assert kept.returncode == 0 and "1 events recorded about you remain" in kept.stdout
    assert "withdrawn" in tasklens("consent", "show", "--store", str(store_path)).stdout

    unasked = tasklens("consent", "withdraw", "--delete", "--store", str(store_path))   # no terminal to ask at
    assert unasked.returncode == 2 and "add --yes" in unasked.stderr
    deleted = tasklens("consent", "withdraw", "--delete", "--yes", "--store", str(store_path))
    assert deleted.returncode == 0 and "Deleted 1 events" in deleted.stdout
    with Store.open(store_path) as store:
        assert store.count(user=me) == 0 and store.count(user="emp-other") == 1
        trail = [(a.actor, a.action, a.detail) for a in store.audit_trail()]
    actions = [a for _, a, _ in trail]
    assert {"consent.show", "consent.accept", "consent.withdraw", "consent.withdraw.delete"} <= set(actions)
    # the trail outlives the data without linking the login to the pseudonym
    assert not any(me in detail or actor == login_name() for actor, _, detail in trail)
    assert ("an employee", "consent.withdraw.delete", "an employee erased their data: 1 events") in trail


def test_store_show_says_when_nothing_is_stored_and_tails_by_default(store_path: Path) -> None:
    assert tasklens("consent", "accept", "--store", str(store_path)).returncode == 0
    empty = tasklens("store", "show", "--store", str(store_path))
    assert empty.returncode == 0 and empty.stdout == "" and "the store holds no events" in empty.stderr
    with Store.open(store_path) as store:
        store.append([Event(1_790_000_000.0 + i, "emp-1", "app", f"t{i}", Action.FOCUS) for i in range(30)])
    tail = tasklens("store", "show", "--tail", "--store", str(store_path)).stdout.splitlines()
    assert len(tail) == 20 and tail[-1].endswith(" t29") and tail[0].endswith(" t10")
    none = tasklens("store", "show", "--app", "nothing-like-it", "--store", str(store_path))
    assert none.stdout == "" and "no stored event matches these filters" in none.stderr


def test_export_my_data_writes_only_my_events_and_audits(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as store:
        me = store_pseudonym(store)
        store.append([Event(1_790_000_000.0 + i, me, "excel", f"<EMAIL_ADDRESS> {i}", Action.FOCUS)
                      for i in range(3)] + [Event(1_790_000_000.0, "emp-other", "app", "theirs", Action.FOCUS)])
    out = tmp_path / "me.jsonl"
    done = tasklens("store", "export-my-data", "--store", str(store_path), "--out", str(out))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["title"] for r in lines if r["record"] == "event"] == [f"<EMAIL_ADDRESS> {i}" for i in range(3)]
    assert all(r["user"] == me for r in lines)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    audit = tasklens("store", "show", "--audit", "--store", str(store_path))
    assert "store.export-my-data" in audit.stdout and "events=3" in audit.stdout


def test_export_my_data_of_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    done = tasklens("store", "export-my-data", "--store", str(tmp_path / "none.db"), "--out", str(tmp_path / "x"))
    assert done.returncode != 0
    assert done.stderr.startswith("tasklens: error:") and done.stderr.count("\n") == 1



def test_export_my_data_to_a_folder_is_one_line_and_leaves_nothing_behind(store_path: Path, tmp_path: Path) -> None:
    from helpers import make_events, run_cli

    with Store.open(store_path) as s:
        s.append(make_events(5, store_pseudonym(s)))
    folder = tmp_path / "out"
    folder.mkdir()
    r = run_cli("store", "export-my-data", "--store", str(store_path), "--out", str(folder))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"tasklens: error: {folder} is a folder")
    assert list(folder.iterdir()) == [] and list(tmp_path.glob("*.part")) == []
