"""`tasklens keys new`: the analyst's key pair; the private half is protected by a passphrase."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from tasklens.errors import BundleError

PASSPHRASE_ENV = "TASKLENS_PASSPHRASE"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="make an analyst key pair: analyst.key (passphrase-protected) and analyst.pub")
    new.add_argument("--out", type=Path, default=Path("."), metavar="DIR")
    new.add_argument("--force", action="store_true", help="overwrite an existing key pair")


def passphrase(confirm: bool) -> str:
    """From $TASKLENS_PASSPHRASE, else asked at the terminal."""
    if (env := os.environ.get(PASSPHRASE_ENV)) is not None:
        return env
    if not sys.stdin.isatty():
        raise BundleError(f"no passphrase: set {PASSPHRASE_ENV} or run at a terminal")
    first = getpass.getpass("Passphrase for the analyst key: ")
    if confirm and getpass.getpass("Again: ") != first:
        raise BundleError("the two passphrases differ; nothing was written")
    return first


def run(args: argparse.Namespace) -> int:
    from tasklens.bundle import fingerprint, load_public, new_key_pair
    out: Path = args.out
    priv_path, pub_path = out / "analyst.key", out / "analyst.pub"
    if priv_path.exists() and not args.force:
        raise BundleError(f"{priv_path} exists: keep it (bundles made for it need it) or pass --force")
    out.mkdir(parents=True, exist_ok=True)
    priv, pub = new_key_pair(passphrase(confirm=True))
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(priv)
    pub_path.write_bytes(pub)
    print(f"analyst key pair made: {priv_path} (keep it, with its passphrase) and {pub_path} "
          f"(hand it to employees), fingerprint {fingerprint(load_public(pub_path))}")
    return 0
