"""Employee bundles: only the analyst's key opens them, only enrolled signers count; tampering,
truncation, foreign keys, unknown signers, other users' events, unsigned and future formats and
decompression bombs are each refused with one line, and no byte sequence raises anything else."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers import make_events, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasklens import analystkey, bundle, signing
from tasklens.errors import BundleError
from tasklens.events import Action, Event
from tasklens.store import Store

PASS = {"TASKLENS_PASSPHRASE": "analyst passphrase 1"}


@pytest.fixture(scope="module")
def analyst(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("analyst")
    r = run_cli("keys", "new", "--out", str(d), env=PASS)
    assert r.returncode == 0, r.stderr
    assert (d / "analyst.key").stat().st_mode & 0o777 == 0o600
    return d


@pytest.fixture(scope="module")
def private(analyst: Path) -> bundle.X25519PrivateKey:
    return analystkey.load_private(analyst / "analyst.key", PASS["TASKLENS_PASSPHRASE"])


@pytest.fixture
def exported(tmp_path: Path, store_path: Path, analyst: Path) -> Path:
    with Store.open(store_path) as s:
        s.append(make_events(300, "emp-a", title="Invoice <EMAIL_ADDRESS>") + make_events(10, "emp-b"))
    out = tmp_path / "a.tlb"
    r = run_cli("export", "--store", str(store_path), "--bundle", str(out), "--to", str(analyst / "analyst.pub"),
                "--user", "emp-a")
    assert r.returncode == 0, r.stderr
    assert "wrote 300 events of emp-a" in r.stdout and "signed by signer" in r.stdout
    return out


@pytest.fixture
def roster(tmp_path: Path, exported: Path) -> signing.Roster:
    """The employee's signer, enrolled the way an analyst does: from their bundle."""
    path = tmp_path / "roster.json"
    r = run_cli("keys", "enrol", str(exported), "--as", "p01", "--roster", str(path))
    assert r.returncode == 0, r.stderr
    return signing.load_roster(path)


def signer_of(store: Path) -> Ed25519PrivateKey:
    with Store.open(store, create=False) as s:
        return signing.store_signer(s)


def test_round_trip_signed_and_audited(exported: Path, private: bundle.X25519PrivateKey, roster: signing.Roster,
                                       store_path: Path) -> None:
    info, label, events = bundle.read_bundle(exported, private, roster)
    assert info.format_version == bundle.FORMAT_VERSION == 2 and label == "p01"
    assert info.user == "emp-a" and info.events == 300 and len(events) == 300
    assert info.signer == signing.raw(signer_of(store_path).public_key()), "the header names the store's signer"
    assert {e.user for e in events} == {"emp-a"} and events[0].title == "Invoice <EMAIL_ADDRESS>"
    assert b"EMAIL_ADDRESS" not in exported.read_bytes()   # encrypted, not just compressed
    assert exported.stat().st_mode & 0o777 == 0o600
    with Store.open(store_path, create=False) as s:
        assert any(a.action == "export.bundle" and "events=300" in a.detail and info.signer_fingerprint in a.detail
                   for a in s.audit_trail())


def test_signer_is_made_once_and_kept_in_the_store(store_path: Path) -> None:
    Store.open(store_path).close()
    first = run_cli("keys", "signer", "--store", str(store_path), "--out", str(store_path.parent / "signer.pub"))
    again = run_cli("keys", "signer", "--store", str(store_path))
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    fp = first.stdout.split()[1]
    assert len(fp) == 16 and again.stdout.split()[1] == fp
    assert signing.signer_fingerprint(signing.load_signer_public(store_path.parent / "signer.pub")) == fp
    assert b"PRIVATE" not in (store_path.parent / "signer.pub").read_bytes()


def test_unknown_signer_is_refused(exported: Path, private: bundle.X25519PrivateKey, tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"signed by [0-9a-f]{16} \(emp-a\), a signer not enrolled in .*"
                                          r"tasklens keys enrol"):
        bundle.read_bundle(exported, private, signing.load_roster(tmp_path / "nobody.json"))


def test_events_of_another_user_than_the_header_are_refused(tmp_path: Path, analyst: Path,
                                                           private: bundle.X25519PrivateKey) -> None:
    """Issue 12: one bundle whose header says emp-000 carried events of five made-up users."""
    signer = Ed25519PrivateKey.generate()
    roster = tmp_path / "roster.json"
    signing.enrol(roster, signing.raw(signer.public_key()), "p00")
    events = [e for u in range(5) for e in make_events(4, f"emp-00{u}")]
    path = tmp_path / "fake.tlb"
    bundle.write_bundle(path, events, "emp-000", analystkey.load_public(analyst / "analyst.pub"), signer)
    with pytest.raises(BundleError, match="events of another user than its signed header's .emp-000.: refused"):
        bundle.read_bundle(path, private, signing.load_roster(roster))


def test_resigned_bundle_is_another_signer(exported: Path, private: bundle.X25519PrivateKey,
                                           roster: signing.Roster, tmp_path: Path) -> None:
    """Swapping the signer in the header and signing anew makes it someone else's bundle: not enrolled."""
    data = exported.read_bytes()
    (n,) = struct.unpack(">I", data[8:12])
    header = json.loads(data[12:12 + n])
    mallory = Ed25519PrivateKey.generate()
    header["signer"] = bundle._b64(signing.raw(mallory.public_key()))
    new_header = json.dumps(header, sort_keys=True).encode()
    body = data[:8] + struct.pack(">I", len(new_header)) + new_header + data[12 + n:-64]
    forged = tmp_path / "forged.tlb"
    forged.write_bytes(body + mallory.sign(body))
    with pytest.raises(BundleError, match="a signer not enrolled"):
        bundle.read_bundle(forged, private, roster)
    # and had Mallory been enrolled, the changed header no longer matches what was encrypted under it
    signing.enrol(tmp_path / "r2.json", signing.raw(mallory.public_key()), "mallory")
    with pytest.raises(BundleError, match="integrity check"):
        bundle.read_bundle(forged, private, signing.load_roster(tmp_path / "r2.json"))


def test_bundle_for_another_key_is_refused(exported: Path, roster: signing.Roster, tmp_path: Path) -> None:
    assert run_cli("keys", "new", "--out", str(tmp_path / "other"), env=PASS).returncode == 0
    other = analystkey.load_private(tmp_path / "other" / "analyst.key", PASS["TASKLENS_PASSPHRASE"])
    with pytest.raises(BundleError, match="encrypted for another analyst key"):
        bundle.read_bundle(exported, other, roster)


@pytest.mark.parametrize("where", ["header", "ciphertext", "signature", "last byte"])
def test_tampering_is_detected(exported: Path, private: bundle.X25519PrivateKey, roster: signing.Roster,
                               where: str) -> None:
    data = bytearray(exported.read_bytes())
    pos = {"header": data.index(b'"events"') + 10, "ciphertext": len(data) // 2 + 40,
           "signature": len(data) - 40, "last byte": len(data) - 1}[where]
    data[pos] ^= 0x01
    exported.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="signature check|truncated or damaged"):
        bundle.read_bundle(exported, private, roster)


@pytest.mark.parametrize("keep", [5, 30, 0.5])
def test_truncated_bundle(exported: Path, private: bundle.X25519PrivateKey, roster: signing.Roster,
                          keep: float) -> None:
    data = exported.read_bytes()
    exported.write_bytes(data[:int(len(data) * keep) if keep < 1 else int(keep)])
    with pytest.raises(BundleError, match="truncated"):
        bundle.read_bundle(exported, private, roster)


def test_newer_format_says_upgrade(tmp_path: Path, analyst: Path, private: bundle.X25519PrivateKey,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "FORMAT_VERSION", 9)
    path = tmp_path / "future.tlb"
    bundle.write_bundle(path, make_events(3), "emp-z", analystkey.load_public(analyst / "analyst.pub"),
                        Ed25519PrivateKey.generate())
    monkeypatch.setattr(bundle, "FORMAT_VERSION", 2)
    with pytest.raises(BundleError, match="format 9, newer than this tasklens reads .2.: upgrade tasklens"):
        bundle.read_bundle(path, private, signing.Roster(tmp_path / "r.json"))


def test_unsigned_format_1_bundle_is_refused(tmp_path: Path, private: bundle.X25519PrivateKey) -> None:
    """What tasklens before signing wrote: nothing in it proves who made it."""
    header = json.dumps({"format_version": 1, "recipient": analystkey.fingerprint(private.public_key()),
                         "user": "emp-a", "events": 1, "created": 0.0, "tasklens_version": "0.1",
                         "ephemeral": "AAAA"}).encode()
    path = tmp_path / "old.tlb"
    path.write_bytes(bundle.MAGIC + struct.pack(">I", len(header)) + header + bytes(100))
    with pytest.raises(BundleError, match="unsigned .format 1.*export it again"):
        bundle.read_bundle(path, private, signing.Roster(tmp_path / "r.json"))


def test_decompression_bomb_is_refused(tmp_path: Path, analyst: Path, private: bundle.X25519PrivateKey) -> None:
    """One event of a 20 MB title packs into a small bundle; unpacking stops at the cap, not at the end."""
    signer = Ed25519PrivateKey.generate()
    signing.enrol(tmp_path / "roster.json", signing.raw(signer.public_key()), "p09")
    path = tmp_path / "bomb.tlb"
    bundle.write_bundle(path, make_events(1, "emp-x", title="a" * 20_000_000), "emp-x",
                        analystkey.load_public(analyst / "analyst.pub"), signer)
    assert path.stat().st_size < 100_000
    with pytest.raises(BundleError, match="unpacks to more than .* refused"):
        bundle.read_bundle(path, private, signing.load_roster(tmp_path / "roster.json"))


def _sealed_bundle(tmp_path: Path, analyst: Path, plain: bytes) -> tuple[Path, signing.Roster]:
    """A validly encrypted and signed bundle around any plaintext, as a hostile enrolled signer could make."""
    import os

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    signer, eph = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    recipient = analystkey.load_public(analyst / "analyst.pub")
    header = json.dumps({"format_version": 2, "recipient": analystkey.fingerprint(recipient), "user": "emp-h",
                         "events": 1, "created": 0.0, "tasklens_version": "x",
                         "signer": bundle._b64(signing.raw(signer.public_key())),
                         "ephemeral": bundle._b64(eph.public_key().public_bytes(serialization.Encoding.Raw,
                                                                                 serialization.PublicFormat.Raw))},
                        sort_keys=True).encode()
    nonce = os.urandom(12)
    sealed = bundle._aead_key(eph.exchange(recipient), header).encrypt(nonce, plain, bundle.MAGIC + header)
    body = bundle.MAGIC + struct.pack(">I", len(header)) + header + nonce + sealed
    path = tmp_path / "hostile.tlb"
    path.write_bytes(body + signer.sign(body))
    roster = signing.Roster(tmp_path / "r.json")
    roster.signers.append(signing.Signer("ph", bundle._b64(signing.raw(signer.public_key())), "", ""))
    return path, roster


@pytest.mark.parametrize("plain", [
    b"not gzip at all", gzip.compress(b"\xff\xfe not utf-8\n"), gzip.compress(b'{"ts": 1}\n'),
    gzip.compress(b"[1, 2]\n"), gzip.compress(b'{"ts": "nan"}\n')[:-4], gzip.compress(b"") + b"trailing",
    gzip.compress(json.dumps({"ts": float("inf"), "user": "emp-h", "app": "", "title": "", "action": "click",
                              "target": "", "value": "", "duration": 0, "count": 0, "source_row": None,
                              "id": None}).encode() + b"\n"),
    gzip.compress(json.dumps({"ts": 1.0, "user": "emp-h", "app": "", "title": "", "action": "no such action",
                              "target": "", "value": "", "duration": 0, "count": 0, "source_row": None,
                              "id": None}).encode() + b"\n"),
])
def test_hostile_plaintext_is_one_line(tmp_path: Path, analyst: Path, private: bundle.X25519PrivateKey,
                                       plain: bytes) -> None:
    """Issue 12 item 7: KeyError, JSONDecodeError, UnicodeDecodeError and the like once stopped a merge."""
    path, roster = _sealed_bundle(tmp_path, analyst, plain)
    with pytest.raises(BundleError, match="malformed event|truncated or damaged"):
        bundle.read_bundle(path, private, roster)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_bundles_raise_only_bundle_errors(analyst: Path, private: bundle.X25519PrivateKey,
                                                 tmp_path: Path, data: st.DataObject) -> None:
    """Random flips, cuts and splices of a real bundle, and bare random bytes: a BundleError or nothing."""
    good = tmp_path / "good.tlb"
    if not good.exists():
        signer = Ed25519PrivateKey.generate()
        signing.enrol(tmp_path / "roster.json", signing.raw(signer.public_key()), "pf")
        bundle.write_bundle(good, make_events(5, "emp-f"), "emp-f", analystkey.load_public(analyst / "analyst.pub"),
                            signer)
    base = good.read_bytes()
    how = data.draw(st.sampled_from(["flip", "cut", "splice", "random", "header"]))
    if how == "flip":
        pos = data.draw(st.integers(0, len(base) - 1))
        blob = base[:pos] + bytes([base[pos] ^ data.draw(st.integers(1, 255))]) + base[pos + 1:]
    elif how == "cut":
        blob = base[:data.draw(st.integers(0, len(base) - 1))]
    elif how == "splice":
        pos = data.draw(st.integers(0, len(base)))
        blob = base[:pos] + data.draw(st.binary(max_size=64)) + base[pos:]
    elif how == "header":
        h = data.draw(st.binary(max_size=200))
        blob = bundle.MAGIC + struct.pack(">I", len(h)) + h + base[len(base) // 2:]
    else:
        blob = bundle.MAGIC + data.draw(st.binary(max_size=400))
    path = tmp_path / "fuzz.tlb"
    path.write_bytes(blob)
    try:
        bundle.read_bundle(path, private, signing.load_roster(tmp_path / "roster.json"))
    except BundleError as e:
        assert "\n" not in str(e)


def test_export_without_analyst_key_explains(store_path: Path, tmp_path: Path) -> None:
    Store.open(store_path).close()
    r = run_cli("export", "--store", str(store_path), "--bundle", str(tmp_path / "x.tlb"))
    assert r.returncode == 2 and "pass --to analyst.pub" in r.stderr
    r = run_cli("export", "--store", str(store_path), "--bundle", str(tmp_path / "x.tlb"), "--to", str(store_path))
    assert r.returncode == 2 and "is not a PEM public key" in r.stderr


def test_ui_element_paths_travel_in_bundles(tmp_path: Path, analyst: Path, private: bundle.X25519PrivateKey) -> None:
    signer = Ed25519PrivateKey.generate()
    roster = tmp_path / "roster.json"
    signing.enrol(roster, signing.raw(signer.public_key()), "p01")
    events = [Event(1_790_000_000.0, "emp-1", "firefox", "Invoice", Action.CLICK, 'push button "Post"',
                    element_path='document web "Invoice" > form "Vendor"')]
    path = tmp_path / "one.tlb"
    bundle.write_bundle(path, events, "emp-1", analystkey.load_public(analyst / "analyst.pub"), signer)
    _, _, read = bundle.read_bundle(path, private, signing.load_roster(roster))
    assert [e.element_path for e in read] == ['document web "Invoice" > form "Vendor"']


def test_bundles_before_element_paths_and_long_events_read_as_columns(tmp_path: Path, analyst: Path,
                                                                       private: bundle.X25519PrivateKey) -> None:
    """Bundles are parsed straight into columns (what a merge writes): a bundle made before events carried an
    element_path reads with it empty, an event longer than Arrow's default JSON block (1 MiB) reads whole,
    and as `Event`s it is the same event."""
    line = {"ts": 1_790_000_000.5, "user": "emp-h", "app": "erp", "title": "t" * 1_050_000, "action": "click",
            "target": "Post", "value": "", "duration": 1, "count": 2, "source_row": None, "id": 7,
            "time": "2026-09-21T14:13:20.500Z"}
    path, roster = _sealed_bundle(tmp_path, analyst, gzip.compress(json.dumps(line).encode() + b"\n"))
    _, label, table = bundle.read_bundle_table(path, private, roster)
    assert label == "ph" and table.column("element_path").to_pylist() == [""]
    assert table.column("title").to_pylist() == ["t" * 1_050_000] and table.column("duration").to_pylist() == [1.0]
    assert bundle.read_bundle(path, private, roster)[2] == [
        Event(1_790_000_000.5, "emp-h", "erp", "t" * 1_050_000, Action.CLICK, "Post", "", 1.0, 2, None, 7, "")]
