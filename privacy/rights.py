"""The employee's rights over their own data: a copy of everything stored about them, and erasure.

The CLI (`tasklens store export-my-data`, `delete-my-data`) and the tray menu both call these, so
both write the same file format and the same audit lines.
"""

from __future__ import annotations

import json
from pathlib import Path

from tasklens.errors import OutputError, StoreWriteError, TasklensError
from tasklens.events import iso
from tasklens.files import atomic_open
from tasklens.identity import login_name
from tasklens.store import ERASED, TRACES_REMAIN, Store


def export_user(store: Store, user: str, out: Path) -> int:
    """Write the user's consent record and every event stored about them (already masked) as JSON
    lines, readable only by the owner; the file appears whole or not at all. Return the event count."""
    if out.is_dir():
        raise OutputError(f"{out} is a folder: give the path of the file to write")
    if not out.parent.is_dir():
        raise TasklensError(f"cannot write {out}: folder {out.parent} does not exist")
    decision = store.consent(user)
    n = 0
    with atomic_open(out) as f:
        if decision is not None:
            f.write(json.dumps({"record": "consent", "user": user, "notice_version": decision.notice_version,
                                "decision": decision.decision, "time": iso(decision.ts)}) + "\n")
        for e in store.events(user=user):
            f.write(json.dumps({"record": "event"} | e.as_dict(), ensure_ascii=False) + "\n")
            n += 1
    store.audit("store.export-my-data", f"user={user} events={n} file={out}")
    return n


def delete_user(store: Store, user: str, action: str = "store.delete-my-data") -> int:
    """Erase the user's events and rewrite the file so no trace remains in free pages or the WAL; audited.

    Raises `StoreWriteError` (the rows are gone, their traces are not yet) when another process kept
    reading so long that the rewrite could not be verified: never a claim of "no trace" that is untrue.
    """
    deleted = store.delete_user(user)
    store.forget_in_audit(user, login_name())
    store.audit(action, f"{ERASED} erased their data: {deleted} events", actor=ERASED)
    if not store.vacuum():
        raise StoreWriteError(f"deleted {deleted} events of {user}, but {TRACES_REMAIN} "
                              "`tasklens store delete-my-data` (or the tray's Delete my data) again to finish")
    return deleted
