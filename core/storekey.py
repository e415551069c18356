"""The store key: a random 256-bit key in the OS keyring, else TASKLENS_KEY, else a passphrase.

The key is never written in the clear beside the store. A raw key opens in ~14 ms; a passphrase goes
through SQLCipher's own KDF (PBKDF2-HMAC-SHA512, ~330 ms per open), which is why the keyring is first.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasklens.errors import KeyUnavailableError

log = logging.getLogger(__name__)

SERVICE = "tasklens"
ENV_KEY = "TASKLENS_KEY"
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_HEX_ONLY = re.compile(r"[0-9a-fA-F]+")
MIN_PASSPHRASE = 12
_LIKE_HEX_KEY = 32   # this many hex digits and nothing else is a mistyped raw key, not a passphrase


@dataclass(frozen=True)
class Key:
    """Either a raw 256-bit key (hex) or a passphrase for SQLCipher's KDF. `origin` is for messages."""

    secret: str
    raw: bool
    origin: str

    def pragma(self) -> str:
        """The argument of `PRAGMA key` / `PRAGMA rekey`, quoted for SQL."""
        if self.raw:
            return f"\"x'{self.secret.lower()}'\""
        return "'" + self.secret.replace("'", "''") + "'"

    def __repr__(self) -> str:   # never show the secret in a traceback or log
        return f"Key(raw={self.raw}, origin={self.origin!r})"


def from_text(text: str, origin: str) -> Key:
    """64 hex digits are a raw key; a long run of hex digits of another length is a typo of one (it would
    silently become a weak passphrase); anything else is a passphrase of 12 or more characters."""
    if not text:
        raise KeyUnavailableError(f"the key from {origin} is empty: give 64 hex digits or a passphrase")
    if _HEX_KEY.fullmatch(text):
        return Key(text, True, origin)
    if len(text) >= _LIKE_HEX_KEY and _HEX_ONLY.fullmatch(text):
        raise KeyUnavailableError(f"the key from {origin} looks like a hex key with {len(text)} digits; a raw key "
                                  "has 64: check for a digit missing or added")
    if len(text) < MIN_PASSPHRASE:
        raise KeyUnavailableError(f"the passphrase from {origin} has {len(text)} characters: a passphrase needs "
                                  f"{MIN_PASSPHRASE} or more characters (or give a raw key of 64 hex digits)")
    return Key(text, False, origin)


def new_raw_key() -> Key:
    return Key(secrets.token_hex(32), True, "new")


def _keyring() -> Any:   # the keyring module (untyped), or None
    """The keyring module if a real backend is there, else None (headless Linux has none)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken backend config means "no keyring"
        return None
    if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def _account(store: Path) -> str:
    return str(store.resolve())


def resolve(store: Path, create: bool) -> Key:
    """Find the key for `store`; for a new store with a keyring, make one and keep it there."""
    if env := os.environ.get(ENV_KEY):
        return from_text(env, ENV_KEY)
    kr = _keyring()
    if kr is not None:
        try:
            found = kr.get_password(SERVICE, _account(store))
        except Exception as e:  # noqa: BLE001 - locked or broken keyring
            raise KeyUnavailableError(f"cannot read the key for {store} from the keyring: {e}") from None
        if found:
            return from_text(found, "keyring")
        if create:
            key = new_raw_key()
            remember(store, key)
            return Key(key.secret, True, "keyring")
    raise KeyUnavailableError(
        f"no key for store {store}: set {ENV_KEY} (64 hex digits or a passphrase) "
        "or run where an OS keyring (Secret Service, KWallet, Keychain, Credential Locker) is available")


def remember(store: Path, key: Key) -> bool:
    """Keep `key` in the keyring for `store`; False if there is no keyring."""
    kr = _keyring()
    if kr is None:
        return False
    kr.set_password(SERVICE, _account(store), key.secret)
    log.info("store key kept in the OS keyring")
    return True
