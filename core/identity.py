"""Pseudonyms: an employee appears in data as `emp-XXXXXXXX`, never by login name.

The pseudonym is an HMAC of the login under a random secret kept inside the encrypted store, so it is
stable for one person on one machine, yet nobody holding only exported data can map it back to a name
by trying logins.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tasklens.store import Store

_SECRET_KEY = "pseudonym_secret"


def login_name() -> str:
    """Who runs this process: the login a pseudonym is made from and the actor audit rows name."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def pseudonym(secret: bytes, login: str) -> str:
    return "emp-" + hmac.new(secret, login.encode(), hashlib.sha256).hexdigest()[:8]


def store_pseudonym(store: Store, login: str | None = None) -> str:
    """The pseudonym of `login` (default: who runs this) under the store's secret, made on first use."""
    secret = store.get_state(_SECRET_KEY)
    if secret is None:
        secret = secrets.token_hex(32)
        store.set_state(_SECRET_KEY, secret)
    return pseudonym(bytes.fromhex(secret), login or login_name())
