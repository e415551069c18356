"""A plain stderr progress bar for long analyses (no dependency): one line, redrawn in place."""

from __future__ import annotations

import sys
import time


class Bar:
    """Callable as a pipeline `Progress`: `bar(stage, done, total)`; draws at most 10 times a second."""

    def __init__(self, enabled: bool = True, width: int = 30) -> None:
        self.enabled, self.width, self._last, self._shown = enabled, width, 0.0, False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        filled = int(self.width * done / max(total, 1))
        sys.stderr.write(f"\r{stage:<14} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}   ")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
