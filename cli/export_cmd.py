"""`tasklens export --bundle FILE --to analyst.pub`: your masked events, readable only by the analyst,
signed with your store's signing key so the analyst can tell your bundles from anyone else's."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bundle", type=Path, required=True, metavar="FILE", help="the bundle file to write")
    p.add_argument("--to", type=Path, metavar="ANALYST_PUBLIC_KEY",
                   help="the analyst's analyst.pub (default: analyst.public_key from the organisation config)")
    p.add_argument("--user", help="pseudonym to export (default: yours)")
    p.add_argument("--since", metavar="TIME", help="only events from this ISO date or time on")
    p.add_argument("--until", metavar="TIME", help="only events before this ISO date or time")


def run(args: argparse.Namespace) -> int:
    from tasklens.analystkey import load_public
    from tasklens.bundle import write_bundle
    from tasklens.cli.common import config, store_path, time_arg
    from tasklens.errors import BundleError
    from tasklens.identity import store_pseudonym
    from tasklens.signing import store_signer
    from tasklens.store import Store

    to = args.to or (Path(key) if (key := config(args).analyst_public_key) else None)
    if to is None:
        raise BundleError("no analyst key: pass --to analyst.pub or set [analyst] public_key in the organisation config")
    recipient = load_public(to)
    since, until = time_arg(args.since, "--since"), time_arg(args.until, "--until")
    with Store.open(store_path(args), create=False) as store:
        user = args.user or store_pseudonym(store)
        events = list(store.events(since, until, user))
        info = write_bundle(args.bundle, events, user, recipient, store_signer(store))
        store.audit("export.bundle", f"file={args.bundle} user={user} events={len(events)} to={info.recipient} "
                                     f"signer={info.signer_fingerprint}")
    print(f"wrote {len(events)} events of {user} to {args.bundle}, encrypted for analyst key {info.recipient}, "
          f"signed by signer {info.signer_fingerprint} (the analyst enrols it once: `tasklens keys enrol`)")
    return 0
