"""Employee bundles: only the analyst's key opens them; tampering, truncation, foreign keys and future
formats are each refused with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_events, run_cli
from tasklens import bundle
from tasklens.errors import BundleError
from tasklens.store import Store

PASS = {"TASKLENS_PASSPHRASE": "analyst passphrase 1"}


@pytest.fixture
def analyst(tmp_path: Path) -> Path:
    r = run_cli("keys", "new", "--out", str(tmp_path / "analyst"), env=PASS)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "analyst" / "analyst.key").stat().st_mode & 0o777 == 0o600
    return tmp_path / "analyst"


@pytest.fixture
def exported(tmp_path: Path, store_path: Path, analyst: Path) -> Path:
    with Store.open(store_path) as s:
        s.append(make_events(300, "emp-a", title="Invoice <EMAIL_ADDRESS>") + make_events(10, "emp-b"))
    out = tmp_path / "a.tlb"
    r = run_cli("export", "--store", str(store_path), "--bundle", str(out), "--to", str(analyst / "analyst.pub"),
                "--user", "emp-a")
    assert r.returncode == 0, r.stderr
    assert "wrote 300 events of emp-a" in r.stdout
    return out


def private(analyst: Path) -> bundle.X25519PrivateKey:
    return bundle.load_private(analyst / "analyst.key", PASS["TASKLENS_PASSPHRASE"])


def test_round_trip_and_audit(exported: Path, analyst: Path, store_path: Path) -> None:
    info, events = bundle.read_bundle(exported, private(analyst))
    assert info.user == "emp-a" and info.events == 300 and len(events) == 300
    assert {e.user for e in events} == {"emp-a"} and events[0].title == "Invoice <EMAIL_ADDRESS>"
    assert b"EMAIL_ADDRESS" not in exported.read_bytes()   # encrypted, not just compressed
    with Store.open(store_path, create=False) as s:
        assert any(a.action == "export.bundle" and "events=300" in a.detail for a in s.audit_trail())


def test_wrong_passphrase(analyst: Path) -> None:
    with pytest.raises(BundleError, match="wrong passphrase"):
        bundle.load_private(analyst / "analyst.key", "not it at all")


def test_bundle_for_another_key_is_refused(exported: Path, tmp_path: Path) -> None:
    assert run_cli("keys", "new", "--out", str(tmp_path / "other"), env=PASS).returncode == 0
    with pytest.raises(BundleError, match="encrypted for another analyst key"):
        bundle.read_bundle(exported, private(tmp_path / "other"))


@pytest.mark.parametrize("where", ["header", "ciphertext", "last byte"])
def test_tampering_is_detected(exported: Path, analyst: Path, where: str) -> None:
    data = bytearray(exported.read_bytes())
    pos = {"header": data.index(b'"events"') + 10, "ciphertext": len(data) // 2 + 40, "last byte": len(data) - 1}[where]
    data[pos] ^= 0x01
    exported.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="integrity check|truncated or damaged|holds"):
        bundle.read_bundle(exported, private(analyst))


@pytest.mark.parametrize("keep", [5, 30, 0.5])
def test_truncated_bundle(exported: Path, analyst: Path, keep: float) -> None:
    data = exported.read_bytes()
    exported.write_bytes(data[:int(len(data) * keep) if keep < 1 else int(keep)])
    with pytest.raises(BundleError, match="truncated"):
        bundle.read_bundle(exported, private(analyst))


def test_newer_format_says_upgrade(tmp_path: Path, analyst: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "FORMAT_VERSION", 9)
    path = tmp_path / "future.tlb"
    bundle.write_bundle(path, make_events(3), "emp-z", bundle.load_public(analyst / "analyst.pub"))
    monkeypatch.setattr(bundle, "FORMAT_VERSION", 1)
    with pytest.raises(BundleError, match="format 9, newer than this tasklens reads .1.: upgrade tasklens"):
        bundle.read_bundle(path, private(analyst))


def test_export_without_analyst_key_explains(store_path: Path, tmp_path: Path) -> None:
    Store.open(store_path).close()
    r = run_cli("export", "--store", str(store_path), "--bundle", str(tmp_path / "x.tlb"))
    assert r.returncode == 2 and "pass --to analyst.pub" in r.stderr
    r = run_cli("export", "--store", str(store_path), "--bundle", str(tmp_path / "x.tlb"), "--to", str(store_path))
    assert r.returncode == 2 and "is not a PEM public key" in r.stderr
