"""`tasklens store ...` and the CLI skeleton, driven as a user drives them: in a subprocess."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from helpers import make_events, raw_bytes, run_cli

from tasklens.identity import store_pseudonym
from tasklens.store import Store

COMMANDS = ["collect", "tray", "dashboard", "analyze", "export", "keys", "report", "demo", "store", "consent"]


def test_version() -> None:
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == "tasklens 0.1.0"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    r = run_cli(command, "--help")
    assert r.returncode == 0 and r.stdout.startswith(f"usage: tasklens {command}")


def test_show_json_and_filters(store_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(5, "emp-a") + make_events(3, "emp-b", t0=1_790_000_100.0))
    r = run_cli("store", "show", "--store", str(store_path), "--json", "--user", "emp-b")
    assert r.returncode == 0
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["user"] for row in rows] == ["emp-b"] * 3
    assert rows[0]["time"] == "2026-09-21T14:15:00.000Z" and rows[0]["action"] == "click"
    r = run_cli("store", "show", "--store", str(store_path), "--limit", "2", "--tail")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2 and "emp-b" in r.stdout


def test_bad_time_is_one_clear_line(store_path: Path) -> None:
    Store.open(store_path).close()
    r = run_cli("store", "show", "--store", str(store_path), "--since", "last tuesday")
    assert r.returncode == 2 and r.stderr.startswith("tasklens: error: --since 'last tuesday' is not a date")


def test_info_reports_counts_and_audits(store_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(7, "emp-a"))
    r = run_cli("store", "info", "--store", str(store_path), "--json")
    facts = json.loads(r.stdout)
    assert facts["events"] == 7 and facts["users"] == ["emp-a"] and facts["integrity"] == "ok"
    r = run_cli("store", "show", "--store", str(store_path), "--audit", "--json")
    actions = [json.loads(line)["action"] for line in r.stdout.splitlines()]
    assert actions[:2] == ["store.info", "store.show"]


def test_purge_before_deletes_only_older_events_and_leaves_no_trace(store_path: Path) -> None:
    old_title, new_title = "OLD-" + secrets.token_hex(6), "NEW-" + secrets.token_hex(6)
    with Store.open(store_path) as s:
        s.append(make_events(100, title=old_title, t0=1_760_000_000.0) + make_events(10, title=new_title))
    r = run_cli("store", "purge", "--store", str(store_path), "--before", "2026-01-01")
    assert r.returncode == 0 and r.stdout.startswith("deleted 100 events")
    with Store.open(store_path, create=False) as s:
        assert {e.title for e in s.events()} == {new_title}
        assert any(a.action == "store.purge" for a in s.audit_trail())


def test_delete_my_data_needs_confirmation_and_deletes_only_mine(store_path: Path) -> None:
    with Store.open(store_path) as s:
        me = store_pseudonym(s)
        s.append(make_events(20, me) + make_events(5, "emp-other"))
    r = run_cli("store", "delete-my-data", "--store", str(store_path))
    assert r.returncode == 2 and "add --yes" in r.stderr
    r = run_cli("store", "delete-my-data", "--store", str(store_path), "--yes")
    assert r.returncode == 0 and f"deleted 20 events of {me}" in r.stdout
    with Store.open(store_path, create=False) as s:
        assert s.count(user=me) == 0 and s.count() == 5


def test_rekey_switches_to_the_new_key(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(10, title="rekey-me"))
    new = secrets.token_hex(32)
    r = run_cli("store", "rekey", "--store", str(store_path), env={"TASKLENS_NEW_KEY": new})
    assert r.returncode == 0, r.stderr
    r = run_cli("store", "show", "--store", str(store_path))
    assert r.returncode == 2 and "wrong key" in r.stderr
    r = run_cli("store", "show", "--store", str(store_path), env={"TASKLENS_KEY": new})
    assert r.returncode == 0 and r.stdout.count("rekey-me") == 10
    assert b"rekey-me" not in raw_bytes(store_path)


def test_rekey_without_keyring_or_new_key_explains(store_path: Path) -> None:
    Store.open(store_path).close()
    r = run_cli("store", "rekey", "--store", str(store_path))
    assert r.returncode == 2 and "TASKLENS_NEW_KEY" in r.stderr


def test_no_key_anywhere_explains(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TASKLENS_KEY")
    r = run_cli("store", "info", "--store", str(store_path), env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert r.returncode == 2 and "set TASKLENS_KEY" in r.stderr
    assert not store_path.exists()


def test_passphrase_key_works(store_path: Path) -> None:
    env = {"TASKLENS_KEY": "correct horse battery staple"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TASKLENS_KEY", env["TASKLENS_KEY"])
        with Store.open(store_path) as s:
            s.append(make_events(3))
    assert run_cli("store", "show", "--store", str(store_path), env=env).stdout.count("\n") == 3
    assert run_cli("store", "show", "--store", str(store_path), env={"TASKLENS_KEY": "wrong horse"}).returncode == 2
