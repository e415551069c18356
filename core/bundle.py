"""Employee bundles: masked events encrypted to the analyst's public key.

An employee never needs the analyst's secret and cannot read other people's bundles. Hybrid encryption
from `cryptography` (no home-made primitives): an ephemeral X25519 key agreement with the analyst's key,
HKDF-SHA256 to an AES-256-GCM key, the header authenticated as associated data. Any change to a byte,
a truncated file, a bundle for another key or from a newer format is refused with one line.

File layout: MAGIC (8 bytes) | header length (4 bytes, big-endian) | header JSON | nonce (12) | ciphertext.
The plaintext is gzip'd JSON lines of `Event.as_dict()`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tasklens import __version__
from tasklens.errors import BundleError
from tasklens.events import Action, Event

MAGIC = b"TLBUNDLE"
FORMAT_VERSION = 1
_ACTION = {a.value: a for a in Action}


@dataclass(frozen=True)
class BundleInfo:
    """The authenticated header of a bundle."""

    format_version: int
    recipient: str        # fingerprint of the analyst public key it was made for
    user: str             # the employee's pseudonym
    events: int
    created: float
    tasklens_version: str


def fingerprint(public: X25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def new_key_pair(passphrase: str) -> tuple[bytes, bytes]:
    """(private PEM encrypted under `passphrase`, public PEM) for an analyst."""
    if len(passphrase) < 8:
        raise BundleError("the passphrase for the analyst key must have at least 8 characters")
    private = X25519PrivateKey.generate()
    priv_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.BestAvailableEncryption(passphrase.encode()))
    pub_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv_pem, pub_pem


def load_public(path: Path) -> X25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as e:
        raise BundleError(f"cannot read analyst public key {path}: {e.strerror}") from None
    except ValueError:
        raise BundleError(f"{path} is not a PEM public key: use the analyst.pub made by `tasklens keys new`") from None
    if not isinstance(key, X25519PublicKey):
        raise BundleError(f"{path} is not a tasklens analyst key (X25519): use `tasklens keys new`")
    return key


def load_private(path: Path, passphrase: str) -> X25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), passphrase.encode())
    except OSError as e:
        raise BundleError(f"cannot read analyst private key {path}: {e.strerror}") from None
    except (ValueError, TypeError):
        raise BundleError(f"cannot unlock analyst key {path}: wrong passphrase or not a private key") from None
    if not isinstance(key, X25519PrivateKey):
        raise BundleError(f"{path} is not a tasklens analyst key (X25519)")
    return key


def _aead_key(shared: bytes, header: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"tasklens bundle v1|" + hashlib.sha256(header).digest())
    return AESGCM(hkdf.derive(shared))


def write_bundle(path: Path, events: Sequence[Event], user: str, recipient: X25519PublicKey) -> BundleInfo:
    """Encrypt `events` for `recipient` into `path` (written to a temp file, then renamed)."""
    ephemeral = X25519PrivateKey.generate()
    info = BundleInfo(FORMAT_VERSION, fingerprint(recipient), user, len(events), time.time(), __version__)
    header = json.dumps({**info.__dict__, "ephemeral": base64.b64encode(ephemeral.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()}, sort_keys=True).encode()
    plain = gzip.compress(b"".join(json.dumps(e.as_dict(), ensure_ascii=False).encode() + b"\n" for e in events))
    nonce = os.urandom(12)
    sealed = _aead_key(ephemeral.exchange(recipient), header).encrypt(nonce, plain, MAGIC + header)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(MAGIC + struct.pack(">I", len(header)) + header + nonce + sealed)
    os.replace(tmp, path)
    return info


def is_bundle(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def read_header(data: bytes, path: Path) -> tuple[BundleInfo, bytes, bytes, bytes]:
    """(info, header bytes, ephemeral public raw, rest) or BundleError naming what is wrong."""
    if not data.startswith(MAGIC):
        raise BundleError(f"{path} is not a tasklens bundle")
    if len(data) < len(MAGIC) + 4:
        raise BundleError(f"bundle {path} is truncated: ask the employee to export it again")
    (n,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    start = len(MAGIC) + 4
    header = data[start:start + n]
    try:
        h = json.loads(header)
        version = int(h["format_version"])
    except (ValueError, KeyError, TypeError):
        raise BundleError(f"bundle {path} is truncated or damaged: ask the employee to export it again") from None
    if version > FORMAT_VERSION:
        raise BundleError(f"bundle {path} has format {version}, newer than this tasklens reads "
                          f"({FORMAT_VERSION}): upgrade tasklens to {h.get('tasklens_version', 'a newer version')}")
    info = BundleInfo(version, h["recipient"], h["user"], int(h["events"]), float(h["created"]),
                      h["tasklens_version"])
    return info, header, base64.b64decode(h["ephemeral"]), data[start + n:]


def read_bundle(path: Path, private: X25519PrivateKey) -> tuple[BundleInfo, list[Event]]:
    """Decrypt and check one bundle; every failure is a one-line BundleError."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BundleError(f"cannot read bundle {path}: {e.strerror}") from None
    info, header, eph_raw, rest = read_header(data, path)
    mine = fingerprint(private.public_key())
    if info.recipient != mine:
        raise BundleError(f"bundle {path} was encrypted for another analyst key ({info.recipient}, "
                          f"this key is {mine}): ask the employee to export to your analyst.pub")
    if len(rest) < 12 + 16:
        raise BundleError(f"bundle {path} is truncated: ask the employee to export it again")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_raw))
        plain = _aead_key(shared, header).decrypt(rest[:12], rest[12:], MAGIC + header)
    except (InvalidTag, ValueError):
        raise BundleError(f"bundle {path} failed its integrity check (tampered with or truncated): "
                          "ask the employee to export it again") from None
    events = []
    for line in gzip.decompress(plain).splitlines():
        d = json.loads(line)
        events.append(Event(d["ts"], d["user"], d["app"], d["title"], _ACTION[d["action"]], d["target"],
                            d["value"], d["duration"], d["count"], d["source_row"], d["id"]))
    if len(events) != info.events:
        raise BundleError(f"bundle {path} holds {len(events)} events but its header says {info.events}")
    return info, events
