"""`tasklens tray`: the capture agent with a tray icon (or a small status window where there is no tray)."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--duration", type=float, metavar="SECONDS", help="quit after this many seconds (pilots, tests)")


def run(args: argparse.Namespace) -> int:
    from tasklens.cli.common import config_files, store_path
    from tasklens.gui.tray import run_tray

    return run_tray(store_path(args), config_files(args), args.duration)
