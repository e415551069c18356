"""Read a SQLCipher 4 store's pages in the clear (raw 256-bit key), to see what its bytes still hold.

A deleted row can survive in a free page, in the unused part of a page, or in an old frame of the WAL;
only the decrypted pages tell. SQLCipher 4 defaults: 4096-byte pages, each AES-256-CBC with the raw key,
the IV in the 80 reserved bytes at the page's end (16 IV + 64 HMAC), page 1 starting after the 16-byte salt.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAGE, RESERVE, SALT = 4096, 80, 16
WAL_HEADER, FRAME_HEADER = 32, 24


def _decrypt(page: bytes, key: bytes, number: int) -> bytes:
    start = SALT if number == 1 else 0
    iv = page[PAGE - RESERVE:PAGE - RESERVE + 16]
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return d.update(page[start:PAGE - RESERVE]) + d.finalize()


def main_pages(store: Path, hex_key: str) -> list[bytes]:
    """Every page of the main file, decrypted."""
    raw, key = Path(store).read_bytes(), bytes.fromhex(hex_key)
    return [_decrypt(raw[i:i + PAGE], key, i // PAGE + 1) for i in range(0, len(raw) - PAGE + 1, PAGE)]


def wal_frames(store: Path, hex_key: str) -> list[bytes]:
    """Every frame of the WAL (if there is one), decrypted: old frames included, whatever their salt."""
    wal = Path(f"{store}-wal")
    if not wal.exists():
        return []
    raw, key, size = wal.read_bytes(), bytes.fromhex(hex_key), FRAME_HEADER + PAGE
    frames = []
    for at in range(WAL_HEADER, len(raw) - size + 1, size):
        number = int.from_bytes(raw[at:at + 4], "big")
        frames.append(_decrypt(raw[at + FRAME_HEADER:at + size], key, number))
    return frames


def pages_holding(store: Path, hex_key: str, needle: bytes) -> tuple[int, int]:
    """How many main-file pages and WAL frames hold `needle` in the clear once decrypted."""
    return (sum(needle in p for p in main_pages(store, hex_key)),
            sum(needle in f for f in wal_frames(store, hex_key)))
