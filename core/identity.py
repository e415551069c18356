"""Pseudonyms: an employee appears in data as `emp-XXXXXXXX`, never by login name.

The pseudonym is an HMAC of the login under a random secret kept inside the encrypted store, so it is
stable for one person on one machine, yet nobody holding only exported data can map it back to a name
by trying logins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from tasklens.store import Store, actor_name

_SECRET_KEY = "pseudonym_secret"


def pseudonym(secret: bytes, login: str) -> str:
    return "emp-" + hmac.new(secret, login.encode(), hashlib.sha256).hexdigest()[:8]


def store_pseudonym(store: Store, login: str | None = None) -> str:
    """The pseudonym of `login` (default: who runs this) under the store's secret, made on first use."""
    secret = store.get_state(_SECRET_KEY)
    if secret is None:
        secret = secrets.token_hex(32)
        store.set_state(_SECRET_KEY, secret)
    return pseudonym(bytes.fromhex(secret), login or actor_name())
