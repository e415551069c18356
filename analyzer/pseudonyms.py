"""Imported user ids as pseudonyms: `emp-XXXXXXXX`, an HMAC under a secret of the analysis.

Collected events already carry pseudonyms (tasklens.identity); an import (an Action Logger `userID`, an
XES `org:resource`, the `user` column of an event CSV) often holds a login or an e-mail address. The
analysis shows it under the same HMAC as collected users, with a random secret per analysis folder.

The secret lives in the analyst's private data folder (`<data dir>/analysis-secrets/`, folder 0700, file
0600), named by a hash of the --out path, and not in the analysis folder: that folder is what gets
handed to managers and opened in dashboards, and with the secret beside the pseudonyms anyone could test
guessed addresses (`firstname.lastname@company`) against them. A re-run into the same --out finds the
same secret and so gives the same pseudonyms; a copy of the folder elsewhere cannot recompute them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path

from tasklens.errors import KeyUnavailableError, OutputError
from tasklens.files import create_once, private_dir
from tasklens.identity import pseudonym
from tasklens.paths import data_dir

SECRETS_DIR = "analysis-secrets"
SECRET_BYTES = 32


class Pseudonyms:
    """Maps user ids to pseudonyms (memoised: ids repeat by the million). Give it a secret, or a function
    that makes one on first use, so an analysis of stores and bundles only leaves no secret behind."""

    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        self._secret = secret
        self._known: dict[str, str] = {}

    @classmethod
    def for_analysis(cls, out: Path) -> Pseudonyms:
        return cls(lambda: analysis_secret(out))

    def __call__(self, user: str) -> str:
        known = self._known.get(user)
        if known is None:
            if callable(self._secret):
                self._secret = self._secret()
            known = self._known[user] = pseudonym(self._secret, user)
        return known


def analysis_secret(out: Path) -> bytes:
    """The secret of the analysis written to `out`, made (at random, 0600) the first time it is asked for."""
    folder = private_dir(data_dir() / SECRETS_DIR)
    path = folder / (hashlib.sha256(str(Path(out).resolve()).encode()).hexdigest()[:32] + ".key")
    try:
        secret = create_once(path, secrets.token_bytes(SECRET_BYTES))   # a concurrent run into `out` may win
    except OutputError as e:
        raise KeyUnavailableError(f"cannot keep the pseudonym secret for {out} in {folder}: {e}; "
                                  "or pass --keep-user-ids") from None
    if len(secret) != SECRET_BYTES:
        raise KeyUnavailableError(f"the pseudonym secret {path} is damaged: delete it (a re-run into {out} then "
                                  "gives new pseudonyms)")
    return secret
