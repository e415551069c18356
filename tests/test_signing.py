"""The employee's signer key and the analyst's roster, through the CLI as each of them would use it."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import make_events, run_cli

from tasklens import signing
from tasklens.store import Store


def test_enrol_from_signer_pub_and_list(store_path: Path, tmp_path: Path) -> None:
    with Store.open(store_path) as s:
        s.append(make_events(3))
    pub = tmp_path / "signer.pub"
    shown = run_cli("keys", "signer", "--store", str(store_path), "--out", str(pub))
    assert shown.returncode == 0, shown.stderr
    fingerprint = shown.stdout.split()[1]

    roster = tmp_path / "analyst" / "roster.json"
    roster.parent.mkdir()
    r = run_cli("keys", "enrol", str(pub), "--as", "p017", "--roster", str(roster))
    assert r.returncode == 0 and f"enrolled signer {fingerprint}" in r.stdout and "as p017" in r.stdout, r.stderr
    assert roster.stat().st_mode & 0o777 == 0o600
    assert json.loads(roster.read_text())["signers"][0]["fingerprint"] == fingerprint

    again = run_cli("keys", "enrol", str(pub), "--as", "p017", "--roster", str(roster))
    assert again.returncode == 0 and "already enrolled" in again.stdout
    other = run_cli("keys", "enrol", str(pub), "--as", "p018", "--roster", str(roster))
    assert other.returncode == 2 and "already enrolled" in other.stderr and "as 'p017'" in other.stderr
    assert len(signing.load_roster(roster).signers) == 1

    listed = run_cli("keys", "roster", "--roster", str(roster))
    assert listed.returncode == 0 and "1 signers, 1 people" in listed.stdout and fingerprint in listed.stdout


def test_enrol_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pub"
    junk.write_bytes(b"\x00\xffnot a key")
    roster = tmp_path / "roster.json"
    for args in ([str(junk), "--as", "p1"], [str(tmp_path / "missing.pub"), "--as", "p1"],
                 [str(tmp_path), "--as", "p1"]):
        r = run_cli("keys", "enrol", *args, "--roster", str(roster))
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr
    damaged = tmp_path / "damaged.tlb"
    damaged.write_bytes(b"TLBUNDLE\x00\x00\x00\x02{}" + bytes(200))
    r = run_cli("keys", "enrol", str(damaged), "--as", "p1", "--roster", str(roster))
    assert r.returncode == 2 and "damaged" in r.stderr and not roster.exists()
    roster.write_text("{not json")
    r = run_cli("keys", "roster", "--roster", str(roster))
    assert r.returncode == 2 and "is not a tasklens roster" in r.stderr


def test_labels_are_codes(tmp_path: Path) -> None:
    key = tmp_path / "k.pub"
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key.write_bytes(signing.public_pem(Ed25519PrivateKey.generate().public_key()))
    r = run_cli("keys", "enrol", str(key), "--as", "Maria Keller <m@x.org>", "--roster", str(tmp_path / "r.json"))
    assert r.returncode == 2 and "a code, not a name" in r.stderr
