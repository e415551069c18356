"""`tasklens store ...`: the employee's and admin's view of the encrypted store."""

from __future__ import annotations

import argparse
import json
import os
import sys

from tasklens import storekey
from tasklens.cli.common import store_path, time_arg
from tasklens.cli.state_cmd import pause_note
from tasklens.errors import KeyUnavailableError, StoreWriteError, TasklensError
from tasklens.events import iso
from tasklens.identity import store_pseudonym
from tasklens.store import TRACES_REMAIN, Store
from tasklens.wording import PEOPLE


def _open(args: argparse.Namespace) -> Store:
    return Store.open(store_path(args), create=False)


def _look(args: argparse.Namespace) -> Store:
    """For commands that only look: a damaged store is reported before anything (the audit) is written."""
    return Store.open_verified(store_path(args))


def info(args: argparse.Namespace) -> int:
    with _look(args) as store:
        facts = store.info()
        facts["paused"] = pause_note(store)
        store.audit("store.info")
    if args.json:
        print(json.dumps(facts, indent=2))
        return 0
    span = (f"{iso(facts['first'])} .. {iso(facts['last'])}"  # type: ignore[arg-type]
            if facts["first"] is not None else "empty")
    users = facts["users"]
    print(f"store      {facts['path']}")
    source = storekey.ENV_KEY if os.environ.get(storekey.ENV_KEY) else "the OS keyring"
    print(f"encryption {facts['cipher']}, AES-256; key from {source}")
    print(f"size       {int(facts['bytes']) / 1e6:.2f} MB, schema version {facts['schema_version']}")  # type: ignore[call-overload]
    print(f"events     {facts['events']} ({span})")
    print(f"{PEOPLE:<10} {len(users)}: {', '.join(users)}")  # type: ignore[arg-type]
    print(f"integrity  {facts['integrity']}")
    if facts["paused"]:
        print(f"capture    {str(facts['paused']).removeprefix('capture is ')}")
    return 0


TAIL = 20   # events `store show --tail` prints without --limit


def show(args: argparse.Namespace) -> int:
    since, until = time_arg(args.since, "--since"), time_arg(args.until, "--until")
    with _look(args) as store:
        store.audit("store.show", " ".join(f"{k}={v}" for k, v in vars(args).items()
                                             if k in ("since", "until", "user", "app", "limit") and v))
        if args.audit:
            for a in store.audit_trail(limit=args.limit or 1000):
                print(json.dumps({"time": iso(a.ts), "actor": a.actor, "action": a.action, "detail": a.detail})
                      if args.json else f"{iso(a.ts)}  {a.actor:<12} {a.action:<18} {a.detail}")
            return 0
        limit = args.limit if args.limit is not None or not args.tail else TAIL
        events = list(store.events(since, until, args.user, args.app, limit, newest_first=args.tail))
        stored = store.count() if not events else len(events)
    if args.tail:
        events.reverse()
    if not events:   # say so: after an erasure, silence would look like a failure
        print("the store holds no events" if not stored else "no stored event matches these filters",
              file=sys.stderr)
    out = sys.stdout
    for e in events:
        if args.json:
            out.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")
        else:
            detail = e.target + (f" x{e.count}" if e.count else "") + (f" {e.duration:.1f}s" if e.duration else "")
            out.write(f"{iso(e.ts)}  {e.user:<12} {e.app[:18]:<18} {e.action.value:<9} {detail[:24]:<24} {e.title}\n")
    return 0


def purge(args: argparse.Namespace) -> int:
    before = time_arg(args.before, "--before")
    assert before is not None
    with _open(args) as store:
        n = store.purge(before)
        store.audit("store.purge", f"before={iso(before)} deleted={n}")
        if not store.vacuum():
            raise StoreWriteError(f"deleted {n} events recorded before {iso(before)}, but {TRACES_REMAIN} "
                                  f"`tasklens store purge --before {args.before}` again to finish")
    print(f"deleted {n} events recorded before {iso(before)}; the file was rewritten so no trace remains")
    return 0


def rekey(args: argparse.Namespace) -> int:
    path = store_path(args)
    new_env = os.environ.get("TASKLENS_NEW_KEY")
    if new_env is None and not storekey.keyring_available():
        raise KeyUnavailableError("no OS keyring to keep a new key in: set TASKLENS_NEW_KEY (64 hex digits or a "
                                  "passphrase) to the new key and run again")
    new = storekey.from_text(new_env, "TASKLENS_NEW_KEY") if new_env is not None else storekey.new_raw_key()
    with _open(args) as store:
        store.rekey(new)
        store.audit("store.rekey", f"key from {new.origin}")
    if new_env is None:
        storekey.remember(path, new)
        print(f"re-encrypted {path} under a new random key, kept in the OS keyring")
    else:
        print(f"re-encrypted {path} under the key in TASKLENS_NEW_KEY: use it as TASKLENS_KEY from now on")
    return 0


def delete_my_data(args: argparse.Namespace) -> int:
    with _open(args) as store:
        user = args.user or store_pseudonym(store)
        n = store.count(user=user)
        if not args.yes:
            if not sys.stdin.isatty():
                raise TasklensError(f"would delete {n} events of {user}: add --yes to confirm")
            if input(f"Delete all {n} events recorded about {user}? [y/N] ").strip().lower() not in ("y", "yes"):
                print("nothing deleted")
                return 1
        from tasklens.privacy.rights import delete_user
        deleted = delete_user(store, user)
    print(f"deleted {deleted} events of {user}; the file was rewritten so no trace remains")
    return 0
