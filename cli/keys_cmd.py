"""`tasklens keys`: the analyst's key pair, the employee's signer key, and the analyst's roster of signers.

The analyst makes a key pair (`new`); each employee's collector signs bundles with a key of its own
(`signer` shows it); the analyst enrols each employee's signer under a label (`enrol`, `roster`), and
only bundles from enrolled signers count in an analysis.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tasklens.cli.common import passphrase
from tasklens.errors import BundleError


def add_arguments(p: argparse.ArgumentParser) -> None:
    # loaded already: main is what calls this
    from tasklens.cli.main import examples_epilog

    def action(name: str, help: str, *examples: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, epilog=examples_epilog(examples),
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    sub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    new = action("new", "make an analyst key pair: analyst.key (passphrase-protected) and analyst.pub",
                 "tasklens keys new --out analyst/")
    new.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                     help="the folder for analyst.key and analyst.pub (default: the current folder)")
    new.add_argument("--force", action="store_true", help="overwrite an existing key pair")
    new.set_defaults(keys_run=_new)

    signer = action("signer", "employee: show the fingerprint of the key that signs your bundles",
                    "tasklens keys signer", "tasklens keys signer --out signer.pub")
    signer.add_argument("--store", type=Path, metavar="PATH", help="the encrypted store (default: yours)")
    signer.add_argument("--out", type=Path, metavar="FILE", help="also write the public key here (signer.pub) "
                        "for the analyst to enrol")
    signer.set_defaults(keys_run=_signer)

    enrol = action("enrol", "analyst: enrol an employee's signer (from signer.pub or a bundle) under a label",
                   "tasklens keys enrol bundles/me.tlb --as p017 --roster analyst/roster.json")
    enrol.add_argument("source", type=Path, metavar="SIGNER.pub|BUNDLE",
                       help="the employee's signer.pub, or a bundle they exported")
    enrol.add_argument("--as", dest="label", required=True, metavar="LABEL",
                       help="who the signer is, as a code (e.g. p017), not a name: the analysis shows it")
    enrol.add_argument("--roster", type=Path, metavar="FILE", help="default: roster.json in the current folder "
                       "(`analyze` looks beside --key)")
    enrol.set_defaults(keys_run=_enrol)

    roster = action("roster", "analyst: list the enrolled signers", "tasklens keys roster --roster analyst/roster.json")
    roster.add_argument("--roster", type=Path, metavar="FILE", help="default: roster.json in the current folder")
    roster.set_defaults(keys_run=_roster)


def run(args: argparse.Namespace) -> int:
    return int(args.keys_run(args))


def _new(args: argparse.Namespace) -> int:
    from tasklens.analystkey import fingerprint, load_public, new_key_pair
    from tasklens.files import atomic_write, private_dir

    out: Path = args.out
    priv_path, pub_path = out / "analyst.key", out / "analyst.pub"
    if priv_path.exists() and not args.force:
        raise BundleError(f"{priv_path} exists: keep it (bundles made for it need it) or pass --force")
    priv, pub = new_key_pair(passphrase(confirm=True))
    private_dir(out)
    atomic_write(priv_path, priv)
    atomic_write(pub_path, pub)
    print(f"analyst key pair made: {priv_path} (keep it, with its passphrase) and {pub_path} "
          f"(hand it to employees), fingerprint {fingerprint(load_public(pub_path))}")
    return 0


def _signer(args: argparse.Namespace) -> int:
    from tasklens.cli.common import store_path
    from tasklens.files import atomic_write
    from tasklens.identity import store_pseudonym
    from tasklens.signing import public_pem, raw, signer_fingerprint, store_signer
    from tasklens.store import Store

    with Store.open(store_path(args), create=False) as store:
        key = store_signer(store).public_key()
        user = store_pseudonym(store)
    if args.out is not None:
        atomic_write(args.out, public_pem(key))
    print(f"signer {signer_fingerprint(raw(key))} signs the bundles of {user}"
          + (f"; public key written to {args.out}" if args.out else "")
          + ". Tell the analyst this fingerprint so they can check it when they enrol you.")
    return 0


def _enrol(args: argparse.Namespace) -> int:
    from tasklens.bundle import is_bundle, read_file, verify
    from tasklens.signing import ROSTER_NAME, enrol, load_signer_public

    source: Path = args.source
    try:
        bundle = is_bundle(source)
    except OSError as e:
        raise BundleError(f"cannot read {source}: {e.strerror}") from None
    user = ""
    if bundle:   # the signature must hold, so a damaged bundle enrols nobody
        info = verify(read_file(source), source)[0]
        public, user = info.signer, f" (bundle of {info.user})"
    else:
        public = load_signer_public(source)
    roster = args.roster or Path(ROSTER_NAME)
    signer, new = enrol(roster, public, args.label)
    print(f"{'enrolled' if new else 'already enrolled:'} signer {signer.fingerprint}{user} as {signer.label} "
          f"in {roster}. Check that the employee's `tasklens keys signer` shows {signer.fingerprint}.")
    return 0


def _roster(args: argparse.Namespace) -> int:
    from tasklens.signing import ROSTER_NAME, load_roster

    path = args.roster or Path(ROSTER_NAME)
    roster = load_roster(path)
    if not roster.signers:
        print(f"no signers enrolled in {path}: `tasklens keys enrol SIGNER.pub|BUNDLE --as LABEL`")
        return 0
    people = {s.label for s in roster.signers}
    print(f"{len(roster.signers)} signers, {len(people)} people, in {path}:")
    for s in sorted(roster.signers, key=lambda s: (s.label, s.enrolled)):
        print(f"  {s.label:<16} {s.fingerprint}  enrolled {s.enrolled[:16].replace('T', ' ')}")
    return 0
