"""Employee bundles: masked events encrypted to the analyst's public key and signed by the employee.

An employee never needs the analyst's secret and cannot read other people's bundles. Hybrid encryption
from `cryptography` (no home-made primitives): an ephemeral X25519 key agreement with the analyst's key,
HKDF-SHA256 to an AES-256-GCM key, the header authenticated as associated data. The employee's Ed25519
key (`tasklens.signing`) signs everything before the signature, and the header names that key, so the
analyst knows which enrolled signer made a bundle, and that every event in it is of the header's user.

File layout (format 2): MAGIC (8 bytes) | header length (4 bytes, big-endian) | header JSON | nonce (12) |
ciphertext | Ed25519 signature (64) over all that precedes it. The plaintext is gzip'd JSON lines of
`Event.as_dict()`; it is decompressed as a stream and refused past a cap (a small bundle must not
unpack to fill the analyst's memory).

Format 1 bundles (tasklens before signing) carry no signature: they prove nobody's identity, so they are
refused with a request to export again. Every failure to read a bundle, whatever the bytes, is a
one-line BundleError.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import struct
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tasklens import __version__
from tasklens.analystkey import fingerprint
from tasklens.errors import BundleError
from tasklens.events import ACTION_BY_VALUE, Event
from tasklens.files import atomic_write
from tasklens.signing import Roster, raw, signer_fingerprint

if TYPE_CHECKING:   # pyarrow is imported where bundles are read: `export` and `keys` start without it
    import pyarrow as pa

MAGIC = b"TLBUNDLE"
FORMAT_VERSION = 2
SIGNATURE_BYTES = 64
MAX_PLAIN_BYTES = 2 * 2**30          # JSON lines, whatever the header says
MAX_EVENT_BYTES = 64 * 2**10         # on average per event the header announces, plus one MiB
_CHUNK = 2**20


@dataclass(frozen=True)
class BundleInfo:
    """The signed, authenticated header of a bundle."""

    format_version: int
    recipient: str        # fingerprint of the analyst public key it was made for
    user: str             # the employee's pseudonym
    events: int
    created: float
    tasklens_version: str
    signer: bytes         # the raw Ed25519 public key that signed it

    @property
    def signer_fingerprint(self) -> str:
        return signer_fingerprint(self.signer)


def _aead_key(shared: bytes, header: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"tasklens bundle v1|" + hashlib.sha256(header).digest())
    return AESGCM(hkdf.derive(shared))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write_bundle(path: Path, events: Sequence[Event], user: str, recipient: X25519PublicKey,
                 signer: Ed25519PrivateKey) -> BundleInfo:
    """Encrypt `events` for `recipient`, sign with `signer`, write `path` whole (0600) or not at all."""
    ephemeral = X25519PrivateKey.generate()
    info = BundleInfo(FORMAT_VERSION, fingerprint(recipient), user, len(events), time.time(), __version__,
                      raw(signer.public_key()))
    header = json.dumps({"format_version": info.format_version, "recipient": info.recipient, "user": user,
                         "events": info.events, "created": info.created, "tasklens_version": __version__,
                         "signer": _b64(info.signer),
                         "ephemeral": _b64(ephemeral.public_key().public_bytes(
                             serialization.Encoding.Raw, serialization.PublicFormat.Raw))}, sort_keys=True).encode()
    packer = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)   # gzip, streamed: no second copy of the plaintext
    plain = b"".join([*(packer.compress(json.dumps(e.as_dict(), ensure_ascii=False).encode() + b"\n")
                        for e in events), packer.flush()])
    nonce = os.urandom(12)
    sealed = _aead_key(ephemeral.exchange(recipient), header).encrypt(nonce, plain, MAGIC + header)
    body = MAGIC + struct.pack(">I", len(header)) + header + nonce + sealed
    atomic_write(path, body + signer.sign(body))
    return info


def is_bundle(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def _damaged(path: Path) -> BundleError:
    return BundleError(f"bundle {path} is truncated or damaged: ask the employee to export it again")


def read_header(data: bytes, path: Path) -> tuple[BundleInfo, bytes, bytes, bytes]:
    """(info, header bytes, ephemeral public raw, rest after the header) or BundleError naming what is wrong."""
    if not data.startswith(MAGIC):
        raise BundleError(f"{path} is not a tasklens bundle")
    start = len(MAGIC) + 4
    if len(data) < start:
        raise BundleError(f"bundle {path} is truncated: ask the employee to export it again")
    (n,) = struct.unpack(">I", data[len(MAGIC):start])
    header = data[start:start + n]
    try:
        h = json.loads(header)
        version = h["format_version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ValueError(version)
    except (ValueError, KeyError, TypeError):   # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _damaged(path) from None
    if version > FORMAT_VERSION:
        raise BundleError(f"bundle {path} has format {version}, newer than this tasklens reads "
                          f"({FORMAT_VERSION}): upgrade tasklens to {h.get('tasklens_version', 'a newer version')}")
    if version < FORMAT_VERSION:
        raise BundleError(f"bundle {path} is unsigned (format {version}, from tasklens before signed bundles), "
                          "so nothing proves who made it: ask the employee to export it again")
    try:
        info = BundleInfo(version, _text(h, "recipient"), _text(h, "user"), _count(h["events"]),
                          float(h["created"]), _text(h, "tasklens_version"), _key(h["signer"]))
        ephemeral = _key(h["ephemeral"])
    except (ValueError, KeyError, TypeError, OverflowError, binascii.Error):
        raise _damaged(path) from None
    return info, header, ephemeral, data[start + n:]


def _text(h: dict[str, object], name: str) -> str:
    value = h[name]
    if not isinstance(value, str):
        raise TypeError(name)
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("events")
    return value


def _key(value: object) -> bytes:
    if not isinstance(value, str):
        raise TypeError("key")
    key = base64.b64decode(value, validate=True)
    if len(key) != 32:
        raise ValueError("key length")
    return key


def verify(data: bytes, path: Path) -> tuple[BundleInfo, bytes, bytes, bytes]:
    """The header of a bundle whose signature holds; (info, header, ephemeral, nonce + ciphertext)."""
    info, header, ephemeral, rest = read_header(data, path)
    if len(rest) < 12 + 16 + SIGNATURE_BYTES:
        raise BundleError(f"bundle {path} is truncated: ask the employee to export it again")
    try:
        Ed25519PublicKey.from_public_bytes(info.signer).verify(data[-SIGNATURE_BYTES:], data[:-SIGNATURE_BYTES])
    except (InvalidSignature, ValueError):
        raise BundleError(f"bundle {path} failed its signature check (tampered with or truncated): "
                          "ask the employee to export it again") from None
    return info, header, ephemeral, rest[:-SIGNATURE_BYTES]


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise BundleError(f"cannot read bundle {path}: {e.strerror}") from None


def read_bundle(path: Path, private: X25519PrivateKey, roster: Roster) -> tuple[BundleInfo, str, list[Event]]:
    """`read_bundle_table` as `Event`s: (info, the signer's roster label, events)."""
    from tasklens.columns import events_of

    info, label, table = read_bundle_table(path, private, roster)
    return info, label, events_of(table)


def read_bundle_table(path: Path, private: X25519PrivateKey, roster: Roster) -> tuple[BundleInfo, str, pa.Table]:
    """Check, decrypt and parse one bundle: (info, the signer's roster label, its events as the columns of
    `columns.EVENT`). Parsed by Arrow's JSON reader straight into columns: a merge writes them as they are,
    with no Python object per event (the per-line parser of before spent three quarters of a merge).

    Refused, each in one line: not for this analyst key, a bad signature, a signer not in `roster`,
    a failed decryption, a plaintext past the cap, a malformed event, an event of another user than the
    signed header's, an event count other than the header's.
    """
    data = read_file(path)
    info, header, eph_raw, sealed = verify(data, path)
    mine = fingerprint(private.public_key())
    if info.recipient != mine:
        raise BundleError(f"bundle {path} was encrypted for another analyst key ({info.recipient}, "
                          f"this key is {mine}): ask the employee to export to your analyst.pub")
    label = roster.label_of(info.signer)
    if label is None:
        raise BundleError(f"bundle {path} is signed by {info.signer_fingerprint} ({info.user}), a signer not "
                          f"enrolled in {roster.path}: check that fingerprint with the employee, then "
                          f"`tasklens keys enrol {path} --as LABEL --roster {roster.path}`")
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_raw))
        plain = _aead_key(shared, header).decrypt(sealed[:12], sealed[12:], MAGIC + header)
    except (InvalidTag, ValueError):
        raise BundleError(f"bundle {path} failed its integrity check (tampered with or truncated): "
                          "ask the employee to export it again") from None
    import pyarrow.compute as pc

    table = _checked(_parsed(_unpacked(plain, min(MAX_PLAIN_BYTES, 2**20 + info.events * MAX_EVENT_BYTES), path),
                             path), path)
    if table.num_rows and not pc.all(pc.equal(table.column("user"), info.user)).as_py():
        raise BundleError(f"bundle {path} holds events of another user than its signed header's "
                          f"({info.user}): refused whole")
    if table.num_rows != info.events:
        raise BundleError(f"bundle {path} holds {table.num_rows} events but its header says {info.events}")
    return info, label, table


def _unpacked(gz: bytes, cap: int, path: Path) -> bytearray:
    """The JSON lines inside `gz`, decompressed a chunk at a time and refused past `cap` bytes."""
    unpack = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out, data = bytearray(), gz
    try:
        while data or not unpack.eof:
            chunk = unpack.decompress(data, _CHUNK)
            data = unpack.unconsumed_tail
            out += chunk
            if len(out) > cap:
                raise BundleError(f"bundle {path} unpacks to more than {cap:,} bytes, more than its "
                                  "events can need: refused")
            if not chunk and not data:
                break
    except zlib.error:
        raise _damaged(path) from None
    if not unpack.eof or unpack.unused_data or (out and not out.endswith(b"\n")):
        raise _damaged(path)
    return out


def _parsed(lines: bytearray, path: Path) -> pa.Table:
    """The JSON lines as columns of `columns.EVENT`: a field of another JSON type is refused, a missing one is
    null (checked next), other fields are ignored (`time`, which is for people reading the JSON)."""
    import pyarrow as pa
    import pyarrow.json as pj

    from tasklens.columns import EVENT

    if not lines:
        return EVENT.empty_table()
    try:   # one block: an event of any length up to the cap (Arrow refuses one that straddles two blocks)
        return pj.read_json(pa.py_buffer(lines),
                            read_options=pj.ReadOptions(use_threads=False, block_size=min(len(lines), 2**31 - 1)),
                            parse_options=pj.ParseOptions(explicit_schema=EVENT, unexpected_field_behavior="ignore"))
    except (pa.ArrowException, ValueError) as e:   # Arrow's message may quote the value: only its row is kept
        row = re.search(r"in row (\d+)", str(e))
        raise _malformed(path, int(row.group(1)) + 1 if row else None) from None


def _checked(table: pa.Table, path: Path) -> pa.Table:
    """`table` with every field present and of its kind (finite times, a known action), or BundleError
    naming the first event that is not; an absent element_path (bundles before it) is empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    optional = ("source_row", "id", "element_path")
    bad = pc.invert(pc.and_kleene(pc.is_finite(table.column("ts")), pc.is_finite(table.column("duration"))))
    bad = pc.or_kleene(bad, pc.invert(pc.is_in(table.column("action"), value_set=pa.array(list(ACTION_BY_VALUE)))))
    for name in table.column_names:
        if name not in optional:
            bad = pc.or_kleene(bad, pc.is_null(table.column(name)))
    first = pc.index(pc.fill_null(bad, True), True).as_py()
    if first >= 0:
        raise _malformed(path, first + 1)
    k = table.schema.get_field_index("element_path")
    return table.set_column(k, "element_path", pc.fill_null(table.column(k), ""))


def _malformed(path: Path, line: int | None) -> BundleError:
    return BundleError(f"bundle {path} holds a malformed event{f' (line {line})' if line else ''}: ask the "
                       "employee to export it again")
