"""`tasklens consent show|accept|withdraw` and `tasklens store export-my-data`: the employee's rights.

Each command writes to the store's audit trail. Parts are imported inside the functions so the CLI
starts fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tasklens.errors import TasklensError

if TYPE_CHECKING:
    from tasklens.store import Store


def _open(args: argparse.Namespace, create: bool) -> Store:
    from tasklens.cli.common import store_path
    from tasklens.store import Store
    return Store.open(store_path(args), create=create)


def _look(args: argparse.Namespace) -> Store:
    """For commands that only read (and audit the read): a damaged store is reported, never written."""
    from tasklens.cli.common import store_path
    from tasklens.store import Store
    return Store.open_verified(store_path(args))


def _me(store: Store) -> str:
    from tasklens.identity import store_pseudonym
    return store_pseudonym(store)


def consent_show(args: argparse.Namespace) -> int:
    from tasklens.cli.common import config, store_path
    from tasklens.cli.state_cmd import pause_note
    from tasklens.events import iso
    from tasklens.privacy import consent

    cfg = config(args)
    print(consent.notice(cfg))
    print()
    if not store_path(args).exists():
        print("Your decision: none yet. Run `tasklens consent accept` to accept.")
        return 0
    with _look(args) as store:
        user = _me(store)
        decision = store.consent(user)
        paused = pause_note(store)
        store.audit("consent.show", f"user={user}")
    if decision is None:
        print(f"Your decision ({user}): none yet. Run `tasklens consent accept` to accept.")
    elif decision.covers(cfg.notice_version):
        print(f"Your decision ({user}): accepted version {decision.notice_version} on {iso(decision.ts)}.")
    elif decision.decision == "accept":
        print(f"Your decision ({user}): you accepted version {decision.notice_version}; the notice has changed "
              "since. Run `tasklens consent accept` to accept this version; capture waits until you do.")
    else:
        print(f"Your decision ({user}): withdrawn on {iso(decision.ts)}; nothing is captured.")
    if paused:
        print(paused[:1].upper() + paused[1:] + ".")
    return 0


def consent_accept(args: argparse.Namespace) -> int:
    from tasklens.cli.common import config
    from tasklens.privacy import consent

    cfg = config(args)
    with _open(args, create=True) as store:
        user = _me(store)
        consent.accept(store, user, cfg)
    print(f"Accepted notice version {cfg.notice_version} for {user}. You can withdraw at any time with "
          "`tasklens consent withdraw`.")
    return 0


def consent_withdraw(args: argparse.Namespace) -> int:
    from tasklens.cli.common import config
    from tasklens.privacy import consent

    cfg = config(args)
    with _open(args, create=True) as store:
        user = _me(store)
        if args.delete and not args.yes:
            n = store.count(user=user)
            if not sys.stdin.isatty():
                raise TasklensError(f"would withdraw consent and delete {n} events of {user}: add --yes to confirm")
            if input(f"Withdraw consent and delete all {n} events recorded about {user}? [y/N] "
                     ).strip().lower() not in ("y", "yes"):
                print("nothing changed")
                return 1
        deleted = consent.withdraw(store, user, cfg, delete=bool(args.delete))
        left = store.count(user=user)
    print(f"Consent withdrawn for {user}: capture stops.")
    if args.delete:
        print(f"Deleted {deleted} events recorded about you; the file was rewritten so no trace remains.")
    elif left:
        print(f"{left} events recorded about you remain. Delete them with `tasklens consent withdraw --delete` "
              "or `tasklens store delete-my-data`.")
    return 0


def export_my_data(args: argparse.Namespace) -> int:
    """Every event stored about a user, as JSON lines (already masked), plus their consent record."""
    from tasklens.privacy.rights import export_user

    out = Path(args.out)
    with _look(args) as store:
        user = args.user or _me(store)
        n = export_user(store, user, out)
    print(f"wrote {n} events recorded about {user} to {out}")
    return 0
