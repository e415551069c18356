"""Logging set-up shared by every command: stderr for people, a rotating file for the agent.

Log records never carry unmasked titles or values: parts log counts and masked events only.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from tasklens.files import open_private, private_dir

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is 0600 from its first byte, whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own signature
        return open_private(Path(self.baseFilename), "a", encoding=self.encoding, errors=self.errors)


def setup(verbosity: int = 0, log_file: Path | None = None) -> None:
    """WARNING by default, INFO with -v, DEBUG with -vv; $TASKLENS_LOG_LEVEL overrides."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    if env := os.environ.get("TASKLENS_LOG_LEVEL"):
        level = logging.getLevelName(env.upper()) if isinstance(logging.getLevelName(env.upper()), int) else level
    root = logging.getLogger()
    root.setLevel(min(level, logging.INFO) if log_file else level)
    for h in list(root.handlers):
        root.removeHandler(h)
    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(logging.Formatter("tasklens: %(levelname)s: %(message)s"))
    root.addHandler(console)
    if log_file is not None:
        private_dir(log_file.parent)
        fh = PrivateRotatingFileHandler(log_file, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
        fh.setLevel(logging.INFO)
        fh.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(fh)
    for noisy in ("presidio-analyzer", "presidio-anonymizer", "tldextract", "filelock"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
