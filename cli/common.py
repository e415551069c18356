"""What several commands share: the store path, the config, time arguments, the analyst key's passphrase."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from tasklens.config import Config, ConfigFiles
from tasklens.errors import BundleError, TasklensError
from tasklens.events import parse_time
from tasklens.paths import default_store

PASSPHRASE_ENV = "TASKLENS_PASSPHRASE"


def store_path(args: argparse.Namespace) -> Path:
    return Path(args.store) if getattr(args, "store", None) else default_store()


def config_files(args: argparse.Namespace) -> ConfigFiles:
    return ConfigFiles(args.config, args.org_config)


def config(args: argparse.Namespace) -> Config:
    return config_files(args).load()


def time_arg(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise TasklensError(f"{option} {text!r} is not a date or time: use ISO form, e.g. 2026-11-02 "
                            "or 2026-11-02T09:30:00Z") from None


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
