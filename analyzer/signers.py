"""Which people in an analysis are proven: `signers.json` beside the analysis outputs.

A user id from a CSV, an XES log or a store is only a string: one person can appear as five, five as
one. Events from a signed bundle of an enrolled signer are of that signer's roster label, so the
distinct labels are distinct enrolled people. `tasklens analyze` records here which users of the
analysis are such labels; the admin report counts people only among them, and refuses (unless told
otherwise) an analysis holding any user it cannot prove.

File (JSON, 0600): {"format": 1, "verified_users": [label, ...]}. A folder without it proves nobody.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from tasklens.errors import InputFormatError
from tasklens.files import atomic_write

NAME = "signers.json"


def write(folder: Path, verified: Iterable[str]) -> Path:
    """Record the users of the analysis in `folder` that enrolled signers' bundles prove."""
    return atomic_write(Path(folder) / NAME, json.dumps({"format": 1, "verified_users": sorted(set(verified))},
                                                         indent=1) + "\n")


def verified_users(folder: Path) -> set[str]:
    """The proven users of the analysis in `folder`; none when it has no signers.json."""
    path = Path(folder) / NAME
    if not path.exists():
        return set()
    try:
        users = json.loads(path.read_bytes())["verified_users"]
        if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
            raise TypeError(path)
    except OSError as e:
        raise InputFormatError(f"cannot read {path}: {e.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise InputFormatError(f"{path} is damaged: run `tasklens analyze` into this folder again") from None
    return set(users)
