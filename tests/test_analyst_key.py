"""The analyst's private key at rest: a memory-hard KDF (scrypt) instead of PKCS8's 2,048 PBKDF2 rounds;
keys made by older versions still open, and are re-wrapped under scrypt on their next unlock."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from helpers import run_cli

from tasklens import analystkey
from tasklens.errors import BundleError

PASSPHRASE = "analyst passphrase 3"


def public_raw(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_new_key_is_wrapped_with_scrypt(tmp_path: Path) -> None:
    r = run_cli("keys", "new", "--out", str(tmp_path), env={"TASKLENS_PASSPHRASE": PASSPHRASE})
    assert r.returncode == 0, r.stderr
    path = tmp_path / "analyst.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert b"ENCRYPTED PRIVATE KEY" not in path.read_bytes(), "still PKCS8 with PBKDF2 at 2,048 rounds"
    kdf = json.loads(path.read_text())["kdf"]
    assert kdf["name"] == "scrypt" and kdf["n"] >= 2**17 and kdf["r"] == 8
    t = time.perf_counter()
    key = analystkey.load_private(path, PASSPHRASE)
    seconds = time.perf_counter() - t
    print(f"unlock with scrypt n={kdf['n']}: {seconds:.2f} s")
    assert seconds > 0.1, "a KDF this cheap lets a stolen key file be guessed fast"
    assert analystkey.fingerprint(key.public_key()) == analystkey.fingerprint(
        analystkey.load_public(tmp_path / "analyst.pub"))
    with pytest.raises(BundleError, match="wrong passphrase"):
        analystkey.load_private(path, "not the passphrase")


def test_old_pkcs8_key_opens_and_is_rewrapped(tmp_path: Path) -> None:
    old = X25519PrivateKey.generate()
    path = tmp_path / "analyst" / "analyst.key"
    path.parent.mkdir()
    path.write_bytes(old.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(PASSPHRASE.encode())))
    path.chmod(0o644)
    before = path.read_bytes()
    with pytest.raises(BundleError, match="wrong passphrase"):
        analystkey.load_private(path, "not the passphrase")
    assert path.read_bytes() == before, "a failed unlock must leave the key file alone"

    key = analystkey.load_private(path, PASSPHRASE)
    assert public_raw(key) == public_raw(old)
    assert b"ENCRYPTED PRIVATE KEY" not in path.read_bytes(), "the old key was not re-wrapped"
    assert json.loads(path.read_text())["kdf"]["name"] == "scrypt"
    assert path.stat().st_mode & 0o777 == 0o600
    assert not [p for p in path.parent.iterdir() if p.name != "analyst.key"], "a temporary file was left"
    assert public_raw(analystkey.load_private(path, PASSPHRASE)) == public_raw(old)


@pytest.mark.parametrize("damage", ["truncate", "flip", "not json", "empty"])
def test_damaged_key_file_is_one_line(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "analyst.key"
    priv, _ = analystkey.new_key_pair(PASSPHRASE)
    data = {"truncate": priv[: len(priv) // 2], "flip": priv.replace(b'"sealed": "', b'"sealed": "AAAA'),
            "not json": b"\x00\xff garbage", "empty": b""}[damage]
    path.write_bytes(data)
    with pytest.raises(BundleError, match="cannot unlock analyst key"):
        analystkey.load_private(path, PASSPHRASE)
