"""What several commands share: the store path, the config, time arguments."""

from __future__ import annotations

import argparse
from pathlib import Path

from tasklens.config import Config, load_config
from tasklens.errors import TasklensError
from tasklens.events import parse_time
from tasklens.paths import default_store


def store_path(args: argparse.Namespace) -> Path:
    return Path(args.store) if getattr(args, "store", None) else default_store()


def config(args: argparse.Namespace) -> Config:
    return load_config(args.config, args.org_config)


def time_arg(text: str | None, option: str) -> float | None:
    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise TasklensError(f"{option} {text!r} is not a date or time: use ISO form, e.g. 2026-11-02 "
                            "or 2026-11-02T09:30:00Z") from None
