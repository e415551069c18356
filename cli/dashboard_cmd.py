"""`tasklens dashboard [STORE|ANALYSIS_DIR]`: the analyst dashboard (Qt)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", help="an encrypted store (.db; asks for its key) or an analysis folder")
    p.add_argument("--screenshot", type=Path, metavar="FILE.png",
                   help="render each view offscreen to FILE-<view>.png (1280x800) and exit")


def run(args: argparse.Namespace) -> int:
    import os

    from tasklens.errors import TasklensError

    source = Path(args.source) if args.source else None
    if args.screenshot:
        if source is None or not source.is_dir():
            raise TasklensError("--screenshot needs an analysis folder: tasklens dashboard DIR --screenshot FILE.png")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if source is not None and not source.exists():
        raise TasklensError(f"{source}: no such store or analysis folder")
    from tasklens.gui.app import application
    from tasklens.gui.dashboard import Dashboard

    app = application()
    window = Dashboard()
    if source is not None:
        window.open_source(source)
    if args.screenshot:
        for path in window.screenshots(args.screenshot):
            print(path)
        return 0
    window.show()
    return app.exec()
