"""Who made a bundle: each employee's signing key, and the analyst's roster of enrolled signers.

Anyone holding `analyst.pub` can encrypt a bundle, so encryption alone cannot tell the analyst who is
behind one. Each collector therefore holds an Ed25519 signing key (from `cryptography`), made on first
use and kept inside the employee's encrypted store like the pseudonym secret; bundles are signed with it.
The analyst enrols signers in a roster (`tasklens keys enrol`), each under a label of their choosing,
after checking the signer's fingerprint with the employee. The analysis counts people by roster label,
so one person with two machines, enrolled twice under one label, counts once, and a bundle from a key
nobody enrolled counts for nothing.

Roster file (JSON, 0600): {"format": 1, "signers": [{"label", "public_key" (base64 raw), "fingerprint",
"enrolled"}]}.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from tasklens.errors import BundleError, InputFormatError
from tasklens.events import iso
from tasklens.files import atomic_write
from tasklens.store import Store

_STATE_KEY = "bundle_signing_key"
ROSTER_NAME = "roster.json"
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def signer_fingerprint(public_raw: bytes) -> str:
    """16 hex digits the employee reads out and the analyst compares before enrolling."""
    return hashlib.sha256(b"tasklens signer|" + public_raw).hexdigest()[:16]


def store_signer(store: Store) -> Ed25519PrivateKey:
    """This store's signing key, made on first use; it never leaves the encrypted store."""
    secret = store.get_state(_STATE_KEY)
    if secret is None:
        key = Ed25519PrivateKey.generate()
        store.set_state(_STATE_KEY, key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                      serialization.NoEncryption()).hex())
        return key
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_signer_public(path: Path) -> bytes:
    """The raw public key in a signer.pub (PEM) file."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as e:
        raise BundleError(f"cannot read {path}: {e.strerror}") from None
    except (ValueError, TypeError):
        raise BundleError(f"{path} is neither a bundle nor a signer public key: use the file "
                          "`tasklens keys signer --out signer.pub` writes, or a bundle") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BundleError(f"{path} is not a tasklens signer key (Ed25519): use `tasklens keys signer --out`")
    return raw(key)


@dataclass(frozen=True)
class Signer:
    """An employee's signing key as the analyst enrolled it in the roster, under a label of their choosing."""

    label: str
    public_key: str      # base64 of the raw Ed25519 public key
    fingerprint: str
    enrolled: str


@dataclass
class Roster:
    """The analyst's enrolled signers; `label_of` answers whom a bundle's signer stands for."""

    path: Path
    signers: list[Signer] = field(default_factory=list)

    def label_of(self, public_raw: bytes) -> str | None:
        key = base64.b64encode(public_raw).decode()
        return next((s.label for s in self.signers if s.public_key == key), None)


def default_roster(analyst_key: Path | None) -> Path:
    """roster.json beside the analyst key (the current folder when none is named)."""
    return (analyst_key.parent if analyst_key is not None else Path(".")) / ROSTER_NAME


def load_roster(path: Path) -> Roster:
    """The roster at `path`; a missing file is an empty roster (nobody enrolled yet)."""
    if not path.exists():
        return Roster(path)
    bad = InputFormatError(f"{path} is not a tasklens roster: keep the file `tasklens keys enrol` writes")
    try:
        d = json.loads(path.read_bytes())
        signers = [Signer(str(s["label"]), str(s["public_key"]), str(s["fingerprint"]), str(s["enrolled"]))
                   for s in d["signers"]]
        for s in signers:
            if len(base64.b64decode(s.public_key, validate=True)) != 32 or not LABEL.fullmatch(s.label):
                raise ValueError(s.label)
    except OSError as e:
        raise InputFormatError(f"cannot read roster {path}: {e.strerror}") from None
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise bad from None
    return Roster(path, signers)


def enrol(path: Path, public_raw: bytes, label: str) -> tuple[Signer, bool]:
    """Add a signer to the roster under `label`; (the entry, whether it is new). Written atomically, 0600."""
    if not LABEL.fullmatch(label):
        raise BundleError(f"label {label!r}: use 1-64 letters, digits, '.', '_' or '-' (a code, not a name, "
                          "e.g. p017: it appears in the analysis as the person's id)")
    roster = load_roster(path)
    fp = signer_fingerprint(public_raw)
    if (known := roster.label_of(public_raw)) is not None:
        if known != label:
            raise BundleError(f"signer {fp} is already enrolled in {path} as {known!r}; nothing was changed")
        return next(s for s in roster.signers if s.fingerprint == fp), False
    signer = Signer(label, base64.b64encode(public_raw).decode(), fp, iso(time.time()))
    roster.signers.append(signer)
    data = {"format": 1, "signers": [s.__dict__ for s in roster.signers]}
    atomic_write(path, json.dumps(data, indent=1) + "\n")
    return signer, True
