"""The analyst's key pair: X25519, the private half wrapped under a passphrase with scrypt.

PKCS8's `BestAvailableEncryption` uses PBKDF2 at 2,048 rounds, a few thousand guesses a second per core
for whoever copies the file. The key is wrapped here instead with scrypt (memory-hard, n=2^17, r=8, p=1:
about 0.5 s and 128 MiB per try) and AES-256-GCM, both from `cryptography`, the KDF parameters bound
into the ciphertext as associated data. Keys made by older versions (PKCS8 PEM) still open, and are
re-wrapped under scrypt in place on their next successful unlock.

File: JSON {"format": "tasklens-analyst-key", "version": 2, "kdf": {name, n, r, p, salt}, "nonce", "sealed"},
`sealed` being the unencrypted PKCS8 DER of the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from tasklens.errors import BundleError
from tasklens.files import atomic_write

log = logging.getLogger(__name__)

FORMAT = "tasklens-analyst-key"
VERSION = 2
SCRYPT = {"name": "scrypt", "n": 2**17, "r": 8, "p": 1}
_OLD_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


def fingerprint(public: X25519PublicKey) -> str:
    """16 hex digits that name an analyst public key (bundles carry it as their recipient)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _aad(kdf: dict[str, Any]) -> bytes:
    return json.dumps({"format": FORMAT, "version": VERSION, "kdf": kdf}, sort_keys=True).encode()


def _derive(passphrase: str, kdf: dict[str, Any], salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])).derive(passphrase.encode())


def wrap(private: X25519PrivateKey, passphrase: str) -> bytes:
    """The key file's bytes: `private` sealed under a key scrypt derives from `passphrase`."""
    salt, nonce = os.urandom(16), os.urandom(12)
    kdf = {**SCRYPT, "salt": base64.b64encode(salt).decode()}
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    sealed = AESGCM(_derive(passphrase, kdf, salt)).encrypt(nonce, der, _aad(kdf))
    return (json.dumps({"format": FORMAT, "version": VERSION, "kdf": kdf,
                        "nonce": base64.b64encode(nonce).decode(),
                        "sealed": base64.b64encode(sealed).decode()}, indent=1) + "\n").encode()


def new_key_pair(passphrase: str) -> tuple[bytes, bytes]:
    """(private key file bytes wrapped under `passphrase`, public PEM) for an analyst."""
    if len(passphrase) < 8:
        raise BundleError("the passphrase for the analyst key must have at least 8 characters")
    private = X25519PrivateKey.generate()
    pub_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
    return wrap(private, passphrase), pub_pem


def load_public(path: Path) -> X25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as e:
        raise BundleError(f"cannot read analyst public key {path}: {e.strerror}") from None
    except (ValueError, TypeError):
        raise BundleError(f"{path} is not a PEM public key: use the analyst.pub made by `tasklens keys new`") from None
    if not isinstance(key, X25519PublicKey):
        raise BundleError(f"{path} is not a tasklens analyst key (X25519): use `tasklens keys new`")
    return key


def _unwrap(data: bytes, passphrase: str) -> bytes:
    """The PKCS8 DER inside a version-2 key file; ValueError/KeyError/TypeError/InvalidTag if it is not one."""
    d = json.loads(data)
    if d["format"] != FORMAT or d["version"] != VERSION or d["kdf"]["name"] != "scrypt":
        raise ValueError("not a tasklens analyst key of this version")
    kdf = {k: d["kdf"][k] for k in ("name", "n", "r", "p", "salt")}
    salt = base64.b64decode(kdf["salt"], validate=True)
    key = _derive(passphrase, kdf, salt)
    return AESGCM(key).decrypt(base64.b64decode(d["nonce"], validate=True),
                               base64.b64decode(d["sealed"], validate=True), _aad(kdf))


def load_private(path: Path, passphrase: str) -> X25519PrivateKey:
    """Unlock the analyst key; an old PKCS8 key is re-wrapped under scrypt once it has unlocked."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BundleError(f"cannot read analyst private key {path}: {e.strerror}") from None
    bad = BundleError(f"cannot unlock analyst key {path}: wrong passphrase or not a tasklens analyst key")
    old = data.lstrip().startswith(_OLD_PEM)
    try:
        if old:
            key = serialization.load_pem_private_key(data, passphrase.encode())
        else:
            key = serialization.load_der_private_key(_unwrap(data, passphrase), None)
    except (ValueError, KeyError, TypeError, InvalidTag, binascii.Error, OverflowError, MemoryError):
        raise bad from None
    if not isinstance(key, X25519PrivateKey):
        raise BundleError(f"{path} is not a tasklens analyst key (X25519)")
    if old:
        atomic_write(path, wrap(key, passphrase))
        log.info("re-wrapped the analyst key %s under scrypt", path)
    return key
